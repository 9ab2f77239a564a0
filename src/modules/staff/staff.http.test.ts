import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { INSTANCE_ADMIN, ORG_DEFAULTS } from "../../../test/support/factories.ts";
import { createAccount } from "../accounts/accounts.service.ts";
import { adoptFramework } from "../frameworks/frameworks.service.ts";
import { allIndicators } from "../indicators/sources.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";

const ROOT = INSTANCE_ADMIN;
const ORG = ORG_DEFAULTS;
const decodeHtml = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&amp;", "&");

describe("staff, trainings and incident reports over HTTP", () => {
  let t: TestApp;
  let admin: Client;
  let network = "";
  let siteA = "";
  let siteB = "";

  beforeAll(async () => {
    t = await startTestApp();
    admin = await adminClient(t);
    const db = t.database.db;
    network = (await createOrganisation(db, ROOT, { ...ORG, name: "Réseau", kind: "network", parentId: undefined })).id;
    siteA = (await createOrganisation(db, ROOT, { ...ORG, name: "Site A", kind: "site", parentId: network })).id;
    siteB = (await createOrganisation(db, ROOT, { ...ORG, name: "Site B", kind: "site", parentId: network })).id;
    await adoptFramework(db, ROOT, network, "sp+2021");
  });
  afterAll(() => t.close());

  it("gives the share trained per theme and site, leaving out staff who left", async () => {
    const staff: Record<string, string[]> = { [siteA]: ["Anne", "Bruno", "Chloé", "David"], [siteB]: ["Emma", "Farid"] };
    for (const [org, names] of Object.entries(staff)) {
      await admin.get(`/organisations/${org}/staff`);
      for (const name of names) expect((await admin.post(`/organisations/${org}/staff`, { name, job: "Accueil" })).statusCode).toBe(303);
    }
    const idOf = async (org: string, name: string) => {
      const page = await admin.get(`/organisations/${org}/staff`);
      return new RegExp(`<option value="([0-9a-f-]{36})">${name}</option>`).exec(page.body)?.[1] ?? "";
    };
    // Site A: 3 of 4 trained in posture (Anne twice: counted once), 1 in digital; site B: 1 of 2 in posture.
    const trainings: Array<[string, string, string, string]> = [
      [siteA, "Anne", "posture", "2026-02-01"],
      [siteA, "Anne", "posture", "2026-09-01"],
      [siteA, "Bruno", "posture", "2026-03-01"],
      [siteA, "Chloé", "posture", "2026-03-01"],
      [siteA, "Chloé", "digital", "2026-04-01"],
      [siteB, "Emma", "posture", "2026-05-01"],
    ];
    for (const [org, name, theme, completedOn] of trainings) {
      const res = await admin.post(`/organisations/${org}/staff/trainings`, { staffId: await idOf(org, name), theme, completedOn });
      expect(res.statusCode).toBe(303);
    }
    const bad = await admin.post(`/organisations/${siteA}/staff/trainings`, {
      staffId: await idOf(siteA, "David"),
      theme: "astrologie",
      completedOn: "2026-01-01",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Choisissez le thème.");
    const page = decodeHtml((await admin.get(`/organisations/${network}/staff`)).body);
    const row = /<th scope="row">Posture[^<]*<\/th>((?:<td[^>]*>[^<]*<\/td>)+)/.exec(page)?.[1] ?? "";
    expect([...row.matchAll(/>([^<]*)<\/td>/g)].map((m) => m[1])).toEqual(["75\u202f%", "50\u202f%", "67\u202f%"]);
    const figures = await allIndicators(t.database.db, network, { from: "2026-01-01", to: "2026-12-31" });
    const posture = figures.find((f) => f.key === "staff.trained_share" && f.label.includes("Posture"));
    expect(posture).toMatchObject({ value: 4 / 6, sample: 6, commitments: expect.arrayContaining(["sp+2021/8"]) });
    // David leaves: site A now 3 of 3 in posture.
    const a = await admin.get(`/organisations/${siteA}/staff`);
    const form =
      /action="(\/organisations\/[^"]+\/active)"[^>]*><input type="hidden" name="_csrf" value="[^"]+"><input type="hidden" name="version" value="(\d+)">/.exec(
        a.body.slice(a.body.indexOf("David")),
      );
    expect((await admin.post(form?.[1] ?? "", { version: form?.[2] ?? "", active: "false" })).statusCode).toBe(303);
    const after = await allIndicators(t.database.db, siteA, { from: "2026-01-01", to: "2026-12-31" });
    expect(after.find((f) => f.key === "staff.trained_share" && f.label.includes("Posture"))?.value).toBe(1);
    // Emma's earlier posture training, recorded late, moves her first training back to January.
    await admin.post(`/organisations/${siteB}/staff/trainings`, {
      staffId: await idOf(siteB, "Emma"),
      theme: "posture",
      completedOn: "2026-01-10",
    });
    const postureBy = async (to: string) =>
      (await allIndicators(t.database.db, network, { from: "2026-01-01", to })).find(
        (f) => f.key === "staff.trained_share" && f.label.includes("Posture"),
      );
    // Five in post (David left): by 15 February, Anne (1 Feb) and Emma (10 Jan); by the end of the year, four.
    expect(await postureBy("2026-02-15")).toMatchObject({ value: 2 / 5, sample: 5 });
    expect(await postureBy("2026-12-31")).toMatchObject({ value: 4 / 5, sample: 5 });
  });

  it("lets an agent file an incident in one form, and the referent turn it into an action", async () => {
    await createAccount(t.database.db, ROOT, {
      email: "agent@a.fr",
      displayName: "Agent A",
      password: "carillon de la salle des fêtes",
      role: "agent",
      orgId: siteA,
    });
    await createAccount(t.database.db, ROOT, {
      email: "auditeur@a.fr",
      displayName: "Audit",
      password: "registre du contrôle interne",
      role: "auditor",
      orgId: siteA,
    });
    const agent = new Client(t.app);
    await agent.login("agent@a.fr", "carillon de la salle des fêtes");
    await agent.get(`/organisations/${siteA}/incidents`);
    const empty = await agent.post(`/organisations/${siteA}/incidents`, { occurredOn: "2026-06-02", description: "" });
    expect(empty.statusCode).toBe(400);
    expect(decodeHtml(empty.body)).toContain("La description est obligatoire.");
    const filed = await agent.post(`/organisations/${siteA}/incidents`, {
      occurredOn: "2026-06-02",
      channel: "phone",
      description: "Le standard renvoie vers un numéro fermé.",
    });
    expect(filed.statusCode).toBe(303);
    // The agent cannot triage; the auditor cannot file.
    const list = await agent.get(`/organisations/${siteA}/incidents`);
    expect(list.body).toContain("Le standard renvoie vers un numéro fermé.");
    expect(list.body).not.toContain("Créer une action");
    const auditor = new Client(t.app);
    await auditor.login("auditeur@a.fr", "registre du contrôle interne");
    await auditor.get(`/organisations/${siteA}/incidents`);
    expect((await auditor.post(`/organisations/${siteA}/incidents`, { occurredOn: "2026-06-02", description: "x" })).statusCode).toBe(403);
    const page = await admin.get(`/organisations/${siteA}/incidents`);
    const [, url, version] =
      /action="([^"]+\/triage)"[^>]*><input type="hidden" name="_csrf" value="[^"]+"><input type="hidden" name="version" value="(\d+)">/.exec(
        page.body,
      ) ?? [];
    const res = await admin.post(url ?? "", {
      version: version ?? "",
      decision: "action",
      title: "Mettre à jour le message du standard",
      commitmentId: "sp+2021/2",
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain("/actions/");
    const action = decodeHtml((await admin.get(String(res.headers.location))).body);
    expect(action).toContain("Mettre à jour le message du standard");
    // Triaged once: a second decision is refused.
    const again = await admin.post(url ?? "", { version: version ?? "", decision: "dismiss" });
    expect(again.statusCode).toBe(409);
    const figures = await allIndicators(t.database.db, network, { from: "2026-01-01", to: "2026-12-31" });
    expect(figures.find((f) => f.key === "staff.incidents_to_action")).toMatchObject({ value: 1, sample: 1 });
  });

  it("lists every site's incidents on the network's page, with their site, filtered and by pages, new ones first", async () => {
    // 60 reports on site B (one day each), plus site A's triaged one from the test above.
    for (let i = 0; i < 60; i++) {
      const day = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
      await admin.get(`/organisations/${siteB}/incidents`);
      expect(
        (await admin.post(`/organisations/${siteB}/incidents`, { occurredOn: day, description: `Borne en panne n° ${i + 1}` })).statusCode,
      ).toBe(303);
    }
    const text = (body: string) =>
      decodeHtml(body)
        .replace(/<[^>]+>/g, " ")
        .replace(/[ \t\r\n]+/g, " ");
    const first = await admin.get(`/organisations/${network}/incidents`);
    expect(first.statusCode).toBe(200);
    const one = text(first.body);
    expect(one).toContain("Signalements du site et de ce qui lui est rattaché\u00a0: 61 (dont 60\u00a0nouveaux)");
    // New first, the latest day first; site A's triaged report is on the second page, with its site named.
    expect(one.indexOf("Borne en panne n° 60")).toBeLessThan(one.indexOf("Borne en panne n° 59"));
    expect(one).not.toContain("Le standard renvoie");
    expect(one).toContain("Traiter ce signalement sur la page de Site B");
    const next = /<a class="fr-pagination__link fr-pagination__link--next[^"]*" rel="next" href="([^"]+)"/.exec(first.body)?.[1];
    expect(next).toBeDefined();
    const two = text((await admin.get(decodeHtml(next ?? ""))).body);
    expect(two).toContain("Le standard renvoie vers un numéro fermé.");
    expect(two).toContain("Site A");
    expect(two).not.toContain("Borne en panne n° 60 ");
    // Filtered by site, accents and case ignored.
    const onlyA = text((await admin.get(`/organisations/${network}/incidents?site=SITE%20a`)).body);
    expect(onlyA).toContain("Signalements du site et de ce qui lui est rattaché\u00a0: 1");
    expect(onlyA).not.toContain("Borne en panne");
    // A page link edited by hand: a French message and the first page, never a 500.
    const forged = await admin.get(`/organisations/${network}/incidents?after=bm9uc2Vuc2U`);
    expect(forged.statusCode).toBe(200);
    expect(text(forged.body)).toContain("Ce lien de page n'est plus valable");
  });
});
