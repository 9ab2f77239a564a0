import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INSTANCE_ADMIN } from "../../../test/support/factories.ts";
import "../../app/modules.ts";
import { ADMIN, adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { engineName } from "../../../test/support/database.ts";
import { type SmtpListener, startSmtpListener } from "../../../test/support/smtp.ts";
import { DemoRefusedError, loadDemo } from "../../cli/demo-data.ts";
import { quoteCsv } from "../../kernel/spreadsheet.ts";
import { adoptFramework } from "../frameworks/frameworks.service.ts";
import { runDueJobs } from "../jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "../mail/mail.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";
import { createInstanceAdmin } from "./accounts.service.ts";
import { markDemoInstance } from "./sessions.repository.ts";

const ORG = {
  kind: "site" as const,
  parentId: undefined,
  timeZone: "Europe/Paris",
  holidayZone: "metropole" as const,
  addressStreet: undefined,
  addressPostcode: undefined,
  addressCity: undefined,
  siret: undefined,
};
const ROOT = INSTANCE_ADMIN;
const LOCKED = "Trop de tentatives de connexion à ce compte";

describe(`account security (${engineName})`, () => {
  let t: TestApp;
  let smtp: SmtpListener;
  let admin: Client;
  beforeAll(async () => {
    smtp = await startSmtpListener();
    useMailTransport(createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: "Vigie <vigie@mairie.example>" }));
    t = await startTestApp({ BASE_URL: "https://vigie.mairie.example" });
    admin = await adminClient(t);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const account = (email: string, password = "le bon mot de passe du compte") =>
    createInstanceAdmin(t.database.db, { email, displayName: "Cible Test", password });

  it("checks at most 5 of 150 parallel guesses, and a right password late in the burst does not get in", async () => {
    await account("rafale@exemple.fr");
    const attacker = new Client(t.app, { remoteAddress: "203.0.113.1" });
    await attacker.get("/login");
    const guesses = Array.from({ length: 150 }, (_, i) => (i === 57 ? "le bon mot de passe du compte" : `essai numéro ${i}`));
    const responses = await Promise.all(guesses.map((password) => attacker.post("/login", { email: "rafale@exemple.fr", password })));
    const checked = responses.filter((r) => r.statusCode === 401 || r.statusCode === 303).length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(responses.filter((r) => r.statusCode === 303)).toHaveLength(0);
    expect(responses.filter((r) => r.statusCode === 429).length).toBeGreaterThanOrEqual(145);
  });

  it("lets the owner in from a known browser during a lock-out, and refuses an unknown one in French", async () => {
    await account("proprietaire@exemple.fr");
    const owner = new Client(t.app, { remoteAddress: "203.0.113.2" });
    expect((await owner.login("proprietaire@exemple.fr", "le bon mot de passe du compte")).statusCode).toBe(303);
    expect(owner.cookie("vigie_device")).toMatch(/^[A-Za-z0-9_-]{22}\./);
    await owner.post("/logout", {});

    const attacker = new Client(t.app, { remoteAddress: "203.0.113.3" });
    for (let i = 0; i < 5; i++) expect((await attacker.login("proprietaire@exemple.fr", `mauvais essai ${i}`)).statusCode).toBe(401);
    const attackerRight = await attacker.login("proprietaire@exemple.fr", "le bon mot de passe du compte");
    expect(attackerRight.statusCode).toBe(429);
    expect(attackerRight.body).toContain(LOCKED);
    expect(attackerRight.body).toContain("Mot de passe oublié ?");

    const back = await owner.login("proprietaire@exemple.fr", "le bon mot de passe du compte");
    expect(back.statusCode).toBe(303);
    expect((await owner.get("/")).body).toContain("Cible Test");
  });

  it("limits guesses from a known browser too", async () => {
    await account("appareil@exemple.fr");
    const owner = new Client(t.app, { remoteAddress: "203.0.113.4" });
    await owner.login("appareil@exemple.fr", "le bon mot de passe du compte");
    await owner.post("/logout", {});
    for (let i = 0; i < 5; i++) expect((await owner.login("appareil@exemple.fr", `faux ${i}`)).statusCode).toBe(401);
    expect((await owner.login("appareil@exemple.fr", "le bon mot de passe du compte")).statusCode).toBe(429);
  });

  it("refuses weak passwords at first run and on account creation, and says why", async () => {
    const fresh = await startTestApp();
    try {
      const c = new Client(fresh.app);
      await c.get("/setup");
      for (const [password, reason] of [
        ["aaaaaaaaaaaa", "un seul caractère répété"],
        ["            ", "un seul caractère répété"],
        ["Motdepasse2024!", "fait partie des plus courants"],
        ["123456789012", "suite de caractères"],
        ["azertyuiopqs", "suite de caractères"],
        ["P@ssw0rd1234", "fait partie des plus courants"],
        ["abcabcabcabc", "trop peu de caractères différents"],
        ["ab12cab12cab12c", "même motif répété"],
        ["bernadette.lafont2024", "votre nom"],
      ]) {
        const r = await c.post("/setup", { displayName: "Bernadette Lafont", email: "b.lafont@mairie.fr", password: password ?? "" });
        expect(r.statusCode, password).toBe(400);
        expect(r.body, password).toContain(reason);
      }
      expect(
        (await c.post("/setup", { displayName: "Bernadette Lafont", email: "b.lafont@mairie.fr", password: "trois pommes et un vélo" }))
          .statusCode,
      ).toBe(303);
    } finally {
      await fresh.close();
    }
    const org = await createOrganisation(t.database.db, ROOT, { ...ORG, name: "Mairie de Politique" });
    const weak = await admin.api("POST", "/api/v1/accounts", {
      email: "jeanne.martin@mairie.fr",
      displayName: "Jeanne Martin",
      password: "jeannemartin1",
      role: "agent",
      orgId: org.id,
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain("votre nom");
  });

  it("resets a password by e-mail: same answer for any address, a single-use link, the other sessions closed", async () => {
    await account("oubli@exemple.fr", "ancien mot de passe long");
    const elsewhere = new Client(t.app);
    expect((await elsewhere.login("oubli@exemple.fr", "ancien mot de passe long")).statusCode).toBe(303);

    const c = new Client(t.app);
    await c.get("/password/forgot");
    const known = await c.post("/password/forgot", { email: "oubli@exemple.fr" });
    const unknown = await c.post("/password/forgot", { email: "personne@exemple.fr" });
    expect(known.statusCode).toBe(303);
    expect(unknown.statusCode).toBe(303);
    expect(known.headers.location).toBe(unknown.headers.location);
    await runDueJobs(t.database.db);
    const mail = await smtp.waitFor((m) => m.to.includes("oubli@exemple.fr"));
    expect(smtp.messages.some((m) => m.to.includes("personne@exemple.fr"))).toBe(false);
    const link = /https:\/\/vigie\.mairie\.example(\/password\/reset\?token=[A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] ?? "";
    expect(link).not.toBe("");

    const form = await c.get(link);
    expect(form.statusCode).toBe(200);
    expect(form.headers["referrer-policy"]).toBe("no-referrer");
    const token = new URL(link, "http://x").searchParams.get("token") ?? "";
    const weak = await c.post("/password/reset", { token, password: "aaaaaaaaaaaa" });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain("un seul caractère répété");
    const done = await c.post("/password/reset", { token, password: "nouvelle phrase secrète du jour" });
    expect(done.statusCode).toBe(303);
    expect((await c.get(done.headers.location as string)).body).toContain("Votre mot de passe est changé");
    expect((await elsewhere.get("/organisations")).statusCode).toBe(302);
    const again = await c.post("/password/reset", { token, password: "une autre phrase secrète" });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain("plus valable (il sert une seule fois");
    expect((await new Client(t.app).login("oubli@exemple.fr", "ancien mot de passe long")).statusCode).toBe(401);
    expect((await new Client(t.app).login("oubli@exemple.fr", "nouvelle phrase secrète du jour")).statusCode).toBe(303);
  });

  it("refuses an expired reset link", async () => {
    const { requestPasswordReset } = await import("./password-reset.service.ts");
    await account("expire@exemple.fr");
    await requestPasswordReset(t.database.db, "expire@exemple.fr", "https://x", new Date(Date.now() - 2 * 3600_000));
    await runDueJobs(t.database.db);
    const mail = await smtp.waitFor((m) => m.to.includes("expire@exemple.fr"));
    const token = /token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] ?? "";
    const page = await new Client(t.app).get(`/password/reset?token=${token}`);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain("Demander un nouveau lien");
  });

  it("sends the public form's acknowledgement with nothing the visitor wrote, 3 a day per address", async () => {
    const org = await createOrganisation(t.database.db, ROOT, { ...ORG, name: "Mairie de Relais" });
    const url = `/public/organisations/${org.id}/complaint`;
    const numbers: string[] = [];
    for (let i = 0; i < 4; i++) {
      // A new browser each time: the per-browser limit is not what stops the fourth letter.
      const visitor = new Client(t.app);
      await visitor.get(url);
      const r = await visitor.post(url, {
        kind: "complaint",
        subject: "Réglez 49 € sur https://arnaque.example",
        body: "Votre dossier est bloqué : payez sur https://arnaque.example",
        requesterName: "Service des impôts",
        requesterAddress: "",
        requesterEmail: "victime@exemple.fr",
      });
      expect(r.statusCode).toBe(303);
      numbers.push(new URL(r.headers.location as string, "http://x").searchParams.get("number") ?? "");
    }
    await runDueJobs(t.database.db);
    await smtp.waitFor((m) => m.to.includes("victime@exemple.fr"));
    const letters = smtp.messages.filter((m) => m.to.includes("victime@exemple.fr"));
    expect(letters).toHaveLength(3);
    for (const letter of letters) {
      expect(`${letter.subject}\n${letter.text}`).not.toMatch(/arnaque|49 €|impôts|bloqué/);
      expect(numbers.some((n) => letter.subject.includes(n) && letter.text.includes(n))).toBe(true);
    }
  });

  it("keeps the public form's limit per browser, so a neighbour behind the same address can still write", async () => {
    const org = await createOrganisation(t.database.db, ROOT, { ...ORG, name: "Mairie Partagée" });
    const url = `/public/organisations/${org.id}/complaint`;
    const post = (c: Client, i: number) =>
      c.post(url, {
        kind: "suggestion",
        subject: `Idée ${i}`,
        body: "Plus de bancs.",
        requesterName: "Anne",
        requesterEmail: "",
        requesterAddress: "1 rue Haute",
      });
    const first = new Client(t.app);
    await first.get(url);
    for (let i = 0; i < 5; i++) expect((await post(first, i)).statusCode).toBe(303);
    const refused = await post(first, 6);
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain("Réessayez dans une heure");
    const neighbour = new Client(t.app);
    await neighbour.get(url);
    expect((await post(neighbour, 7)).statusCode).toBe(303);
  });

  it("refuses an API write without JSON, even without a body", async () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"] as const) {
      const r = await t.app.inject({
        method,
        url: "/api/v1/accounts",
        headers: { cookie: `vigie_session=${admin.cookie("vigie_session")}` },
      });
      expect(r.statusCode, method).toBe(415);
      expect(r.body).toContain("en écriture que du JSON");
    }
  });

  it("files an action only under a commitment the organisation holds", async () => {
    const org = await createOrganisation(t.database.db, ROOT, { ...ORG, name: "Mairie Engagée" });
    await adoptFramework(t.database.db, ROOT, org.id, "sp+2021");
    const base = { title: "Refaire la signalétique", planYear: 2026 };
    const unknown = await admin.api("POST", `/api/v1/organisations/${org.id}/actions`, { ...base, commitmentId: "inventé/99" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain("ni dans le référentiel adopté");
    const known = await admin.api("POST", `/api/v1/organisations/${org.id}/actions`, { ...base, commitmentId: "sp+2021/2" });
    expect(known.statusCode).toBe(201);
  });

  it("refuses the demo on an instance with its own organisations, and demo accounts outside a demo instance", async () => {
    await expect(loadDemo(t.database.db)).rejects.toBeInstanceOf(DemoRefusedError);
    const { markDemoAccounts } = await import("./accounts.repository.ts");
    await account("demo.copie@exemple.fr");
    await markDemoAccounts(t.database.db, ["demo.copie@exemple.fr"]);
    const refused = await new Client(t.app).login("demo.copie@exemple.fr", "le bon mot de passe du compte");
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain("ne peut se connecter que sur une instance de démonstration");
    await markDemoInstance(t.database.db);
    expect((await new Client(t.app).login("demo.copie@exemple.fr", "le bon mot de passe du compte")).statusCode).toBe(303);
    expect((await new Client(t.app).login(ADMIN.email, ADMIN.password)).statusCode).toBe(303);
  });
});

describe("CSV quoting", () => {
  it("quotes a cell that a French spreadsheet would split or read as a formula", () => {
    expect(quoteCsv(";x")).toBe('";x"');
    expect(quoteCsv("a;b")).toBe('"a;b"');
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) expect(quoteCsv(`${start}1`).startsWith('"')).toBe(true);
    expect(quoteCsv("simple")).toBe("simple");
  });
});

describe(`TRUST_PROXY (${engineName})`, () => {
  /** Six complaints from one browser, each announcing a different client address through the proxy header. */
  async function sixBehindProxy(env: Record<string, string>): Promise<number[]> {
    const t = await startTestApp(env);
    try {
      const org = await createOrganisation(t.database.db, ROOT, { ...ORG, name: "Mairie Mandataire" });
      const url = `/public/organisations/${org.id}/complaint`;
      const visitor = new Client(t.app);
      await visitor.get(url);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await t.app.inject({
          method: "POST",
          url,
          headers: {
            cookie: `vigie_csrf=${visitor.cookie("vigie_csrf")}`,
            "content-type": "application/x-www-form-urlencoded",
            "x-forwarded-for": `198.51.100.${i + 1}`,
          },
          payload: new URLSearchParams({
            _csrf: visitor.csrf,
            kind: "suggestion",
            subject: `Idée ${i}`,
            body: "Un banc de plus.",
            requesterName: "Jo",
            requesterEmail: "",
            requesterAddress: "2 place Basse",
          }).toString(),
        });
        statuses.push(r.statusCode);
      }
      return statuses;
    } finally {
      await t.close();
    }
  }

  it("believes X-Forwarded-For only from the proxies it names", async () => {
    // Trusted: each request is counted for its own client address.
    expect(await sixBehindProxy({ TRUST_PROXY: "127.0.0.1" })).toEqual([303, 303, 303, 303, 303, 303]);
    // Not trusted: the header is ignored, the sixth post from this browser is refused.
    expect(await sixBehindProxy({})).toEqual([303, 303, 303, 303, 303, 429]);
  }, 120_000);
});
