import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../app/modules.ts";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { engineName } from "../../../test/support/database.ts";
import { type SmtpListener, startSmtpListener } from "../../../test/support/smtp.ts";
import { plainSpaces } from "../../../test/support/typography.ts";
import { runDueJobs } from "../jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "./mail.service.ts";

const main = (html: string) => plainSpaces(html.slice(html.indexOf("<main"), html.indexOf("</main>")).replaceAll("&#39;", "'"));
const banner = (html: string) => {
  const start = html.indexOf('id="mail-banner"');
  return start < 0 ? "" : plainSpaces(html.slice(start, html.indexOf("</div>", start)).replaceAll("&#39;", "'"));
};

/**
 * A failed e-mail is seen by the people whose requests it belongs to, not only by the instance
 * administrator: the correspondent of the network holding the site gets the banner's count and the
 * list; the correspondent of another network sees neither; only those who may write requests retry.
 */
describe(`unsent e-mails seen over one's own subtree (${engineName})`, () => {
  let t: TestApp;
  let admin: Client;
  let smtp: SmtpListener;
  const password = "le phare veille sur la baie";
  let siteA = "";

  async function personOn(orgId: string, email: string, role: string): Promise<Client> {
    const created = await admin.api("POST", "/api/v1/accounts", { email, displayName: email.split("@")[0], password, role, orgId });
    expect(created.statusCode, created.body).toBe(201);
    const client = new Client(t.app);
    await client.login(email, password);
    return client;
  }

  beforeAll(async () => {
    smtp = await startSmtpListener();
    // The server refuses the recipient (550): a definite failure, not a retry later.
    smtp.rejectRecipients = true;
    useMailTransport(createMailTransport({ SMTP_URL: smtp.url }));
    t = await startTestApp();
    admin = await adminClient(t);
    const org = async (name: string, kind: string, parentId?: string) =>
      (
        await admin.api("POST", "/api/v1/organisations", { name, kind, parentId, timeZone: "Europe/Paris", holidayZone: "metropole" })
      ).json().id as string;
    const networkA = await org("Réseau Jura", "network");
    siteA = await org("Mairie de Dole", "site", networkA);
    await org("Réseau Doubs", "network");
    await admin.api("PUT", `/api/v1/organisations/${siteA}/framework`, { frameworkId: "marianne-2008" });
    const request = (
      await admin.api("POST", `/api/v1/organisations/${siteA}/requests`, {
        kind: "request",
        channel: "email",
        receivedOn: "2026-12-01",
        subject: "Inscription à la cantine",
        requesterEmail: "camille@example.org",
      })
    ).json().request;
    await admin.api("POST", `/api/v1/organisations/${siteA}/requests/${request.id}/acknowledgement`, {});
  });
  afterAll(async () => {
    useMailTransport(createMailTransport({}));
    await t.close();
    await smtp.close();
  });

  it("gives the network's correspondent the count and the list once the server refused the message", async () => {
    expect(await runDueJobs(t.database.db)).toMatchObject({ failed: 1 });
    const jura = await personOn(
      (await t.database.db.selectFrom("organisations").select("id").where("name", "=", "Réseau Jura").executeTakeFirstOrThrow()).id,
      "claire@jura.example",
      "correspondent",
    );
    const page = await jura.get("/organisations");
    expect(banner(page.body)).toContain("Les derniers envois ont échoué : 1 courriel en échec.");
    expect(banner(page.body)).toContain('href="/mail"');
    const list = await jura.get("/mail");
    expect(list.statusCode).toBe(200);
    expect(main(list.body)).toContain("Mairie de Dole — accusé de réception de votre demande n°");
    expect(main(list.body)).toContain("Courriels des organisations dont vous suivez les demandes.");
    // A correspondent reads requests but does not write them: no « Renvoyer » offered.
    expect(main(list.body)).not.toContain("Renvoyer");
  });

  it("shows nothing of it to another network's correspondent", async () => {
    const doubsId = (
      await t.database.db.selectFrom("organisations").select("id").where("name", "=", "Réseau Doubs").executeTakeFirstOrThrow()
    ).id;
    const doubs = await personOn(doubsId, "louis@doubs.example", "correspondent");
    expect(banner((await doubs.get("/organisations")).body)).toBe("");
    const list = await doubs.get("/mail");
    expect(list.statusCode).toBe(200);
    expect(main(list.body)).not.toContain("Mairie de Dole");
    expect(main(list.body)).toContain("0 en échec, 0 en file.");
  });

  it("lets the site's agent retry every failed message of their site at once", async () => {
    const agent = await personOn(siteA, "agent@dole.example", "agent");
    expect(main((await agent.get("/mail")).body)).toContain("Renvoyer le courriel en échec");
    const retried = await agent.post("/mail/retry-failed", {});
    expect(retried.statusCode).toBe(303);
    const after = await agent.get("/mail");
    expect(main(after.body)).toContain("0 en échec, 1 en file.");
  });
});
