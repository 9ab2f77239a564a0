import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { type ImapServer, rawMessage, startImapServer } from "../../../test/support/imap.ts";
import { collectMailbox } from "./collect.ts";
import { createMailbox, listMailboxes, recentIgnored, testMailbox } from "./mailboxes.service.ts";

const USER = "accueil";
const PASSWORD = "mot-de-passe-imap";
const admin = { accountId: null, label: "test" };

describe("mailboxes collected from a real Dovecot, on a real database", () => {
  let t: TestApp;
  let c: Client;
  let imap: ImapServer;
  let orgId = "";
  let mailboxId = "";
  const settings = () => ({
    label: "Accueil",
    host: imap.host,
    port: imap.port,
    security: "none" as const,
    username: USER,
    auth: "password" as const,
    secret: PASSWORD,
    folder: "INBOX",
  });
  const requests = async () =>
    (await c.api("GET", `/api/v1/organisations/${orgId}/requests?limit=100`)).json().items as Array<Record<string, unknown>>;

  beforeAll(async () => {
    imap = await startImapServer();
    imap.addUser(USER, PASSWORD);
    t = await startTestApp();
    c = await adminClient(t);
    orgId = (
      await c.api("POST", "/api/v1/organisations", {
        name: "Mairie de Saint-Denis",
        kind: "site",
        timeZone: "Indian/Reunion",
        holidayZone: "metropole",
      })
    ).json().id;
    await c.api("PUT", `/api/v1/organisations/${orgId}/framework`, { frameworkId: "marianne-2016" });
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await imap?.stop();
  });

  it("tests a connection and says in French why it fails", async () => {
    expect(await testMailbox(settings())).toBeNull();
    expect(await testMailbox({ ...settings(), secret: "faux" })).toMatch(/^Identifiant ou mot de passe refusé par le serveur/);
    expect(await testMailbox({ ...settings(), folder: "Inexistant" })).toMatch(/Le dossier « Inexistant » n'existe pas/);
    expect(await testMailbox({ ...settings(), port: 1 })).toMatch(/^Connexion refusée/);
  });

  it("registers a message as an e-mail request received on the local day, acknowledged, and joins the replies", async () => {
    mailboxId = await createMailbox(t.database.db, admin, orgId, settings());
    const stored = await t.database.db.selectFrom("mailboxes").select("secret_enc").where("id", "=", mailboxId).executeTakeFirstOrThrow();
    expect(stored.secret_enc).not.toContain(PASSWORD);
    // 21:30 UTC on 2 March is already 3 March, 01:30, in La Réunion.
    await imap.deliver(
      USER,
      PASSWORD,
      rawMessage({
        from: "Léa Martin <lea.martin@usager.example>",
        subject: "Demande d'acte de naissance",
        body: "Bonjour,\nje souhaite un extrait d'acte de naissance.\nLéa",
        messageId: "<premier@usager.example>",
      }),
      new Date("2026-03-02T21:30:00Z"),
    );
    await imap.deliver(
      USER,
      PASSWORD,
      rawMessage({
        from: "paul@usager.example",
        subject: "Trottoir abîmé",
        html: '<p>Le trottoir <b>rue Hoarau</b> est abîmé.</p><script>alert("x")</script><img src="http://traceur.example/p.gif">',
      }),
      new Date("2026-03-03T06:00:00Z"),
    );
    await imap.deliver(
      USER,
      PASSWORD,
      rawMessage({
        from: "lea.martin@usager.example",
        subject: "Réponse automatique : absente",
        headers: { "Auto-Submitted": "auto-replied" },
      }),
    );
    await imap.deliver(
      USER,
      PASSWORD,
      [
        "From: MAILER-DAEMON@mx.usager.example",
        "To: accueil@mairie.example",
        "Subject: Undelivered Mail Returned to Sender",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        "Adresse inconnue.",
        "--b",
        "Content-Type: message/delivery-status",
        "",
        "Status: 5.1.1",
        "--b--",
        "",
      ].join("\r\n"),
    );
    await imap.deliver(
      USER,
      PASSWORD,
      rawMessage({ from: "lettre@asso.example", subject: "Notre lettre", headers: { "List-Id": "<infos.asso.example>" } }),
    );

    const first = await collectMailbox(t.database.db, orgId, mailboxId);
    expect(first).toEqual({ registered: 2, joined: 0, ignored: 3, duplicates: 0, error: null });
    const list = await requests();
    const lea = list.find((r) => r.subject === "Demande d'acte de naissance");
    expect(lea).toMatchObject({ channel: "email", receivedOn: "2026-03-03", status: "acknowledged" });
    const paul = list.find((r) => r.subject === "Trottoir abîmé");
    const detail = (await c.api("GET", `/api/v1/organisations/${orgId}/requests/${paul?.id}`)).json();
    expect(JSON.stringify(detail)).toContain("Le trottoir rue Hoarau est abîmé.");
    expect(JSON.stringify(detail)).not.toMatch(/script|traceur/);
    const outbox = await sql<{ recipient: string; subject: string }>`select recipient, subject from outbox where org_id = ${orgId}`.execute(
      t.database.db,
    );
    expect(outbox.rows.map((r) => r.recipient).sort()).toEqual(["lea.martin@usager.example", "paul@usager.example"]);
    const ackSubject = outbox.rows.find((r) => r.recipient === "lea.martin@usager.example")?.subject ?? "";
    expect(ackSubject).toContain(String(lea?.number));

    // Two replies: one threaded by In-Reply-To, one only naming the receipt number in its subject.
    await imap.deliver(
      USER,
      PASSWORD,
      rawMessage({
        from: "lea.martin@usager.example",
        subject: "Re: Demande d'acte de naissance",
        body: "J'oubliais : né le 1er avril.",
        headers: { "In-Reply-To": "<premier@usager.example>", References: "<premier@usager.example>" },
      }),
    );
    await imap.deliver(USER, PASSWORD, rawMessage({ from: "lea.martin@usager.example", subject: `Re: ${ackSubject}`, body: "Merci." }));
    expect(await collectMailbox(t.database.db, orgId, mailboxId)).toEqual({
      registered: 0,
      joined: 2,
      ignored: 0,
      duplicates: 0,
      error: null,
    });
    expect(await requests()).toHaveLength(2);
    const history = (await c.get(`/organisations/${orgId}/requests/${lea?.id}`)).body;
    expect(history).toContain("Message reçu de l");
    expect(history).toContain("né le 1er avril");
    expect(history).toContain("Merci.");

    const [box] = await listMailboxes(t.database.db, orgId);
    expect(box).toMatchObject({ registered: 2, joined: 2, ignored: 3, lastError: null });
    expect((await recentIgnored(t.database.db, orgId, mailboxId)).map((m) => m.reason).sort()).toEqual([
      "avis de non-remise",
      "liste de diffusion",
      "réponse automatique",
    ]);
  });

  it("registers nothing twice when the server renumbers the folder (UIDVALIDITY)", async () => {
    await t.database.db.updateTable("mailboxes").set({ uid_validity: "1" }).where("id", "=", mailboxId).execute();
    const again = await collectMailbox(t.database.db, orgId, mailboxId);
    expect(again.registered + again.joined).toBe(0);
    expect(await requests()).toHaveLength(2);
  });

  it("shows the reason when the mailbox cannot be read", async () => {
    const broken = await createMailbox(t.database.db, admin, orgId, { ...settings(), label: "Ancienne", secret: "changé" });
    const result = await collectMailbox(t.database.db, orgId, broken);
    expect(result.error).toMatch(/^Identifiant ou mot de passe refusé/);
    const box = (await listMailboxes(t.database.db, orgId)).find((m) => m.id === broken);
    expect(box?.lastError).toBe(result.error);
    expect(box?.failingSince).not.toBeNull();
  });
});
