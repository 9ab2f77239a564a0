/**
 * How fast a mailbox is collected (issue #15, point 2): 10,000 messages delivered by IMAP APPEND to a
 * real Dovecot, then one collection of the whole folder into a fresh database (PGlite, or PostgreSQL
 * with VIGIE_TEST_DATABASE_URL). Prints messages per second and the machine's load, for
 * docs/performance.md.
 *
 *   npx tsx bench/mail-in/collect-10k.ts [count]
 */
import { loadavg } from "node:os";
import { buildServer } from "../../src/app/server.ts";
import { loadConfig } from "../../src/kernel/config.ts";
import { createInstanceAdmin } from "../../src/modules/accounts/accounts.service.ts";
import { collectMailbox } from "../../src/modules/mailboxes/collect.ts";
import { createMailbox } from "../../src/modules/mailboxes/mailboxes.service.ts";
import { createOrganisation } from "../../src/modules/organisations/organisations.service.ts";
import { openTestDatabase } from "../../test/support/database.ts";
import { rawMessage, startImapServer } from "../../test/support/imap.ts";

const count = Number(process.argv[2] ?? 10_000);
const imap = await startImapServer();
imap.addUser("accueil", "secret");
const client = imap.client("accueil", "secret");
await client.connect();
const t0 = Date.now();
for (let i = 0; i < count; i++) {
  await client.append(
    "INBOX",
    rawMessage({ from: `usager${i}@usager.example`, subject: `Demande ${i}`, body: `Bonjour,\nma demande numéro ${i}.\n`.repeat(5) }),
    [],
    new Date(Date.UTC(2026, 10, 2, 8, 0, i % 60)),
  );
}
await client.logout();
const delivered = (Date.now() - t0) / 1000;

const database = await openTestDatabase();
const app = await buildServer({ db: database.db, config: loadConfig({ DATA_DIR: "/nonexistent" }) });
await app.ready();
const admin = await createInstanceAdmin(database.db, {
  email: "bench@vigie.example",
  displayName: "Bench",
  password: "un mot de passe solide",
});
const root = { accountId: admin.id, email: admin.email, displayName: "Bench", instanceAdmin: true, grants: [] };
const site = await createOrganisation(database.db, root, {
  name: "Mairie",
  kind: "site",
  parentId: undefined,
  timeZone: "Europe/Paris",
  holidayZone: "metropole",
  addressStreet: undefined,
  addressPostcode: undefined,
  addressCity: undefined,
  siret: undefined,
});
const mailboxId = await createMailbox(database.db, { accountId: null, label: "bench" }, site.id, {
  label: "Accueil",
  host: imap.host,
  port: imap.port,
  security: "none",
  username: "accueil",
  auth: "password",
  secret: "secret",
  folder: "INBOX",
});
const t1 = Date.now();
const result = await collectMailbox(database.db, site.id, mailboxId);
const seconds = (Date.now() - t1) / 1000;
console.log(
  JSON.stringify({
    engine: database.url ? "postgres" : "pglite",
    messages: count,
    appendSeconds: delivered,
    result,
    collectSeconds: seconds,
    messagesPerSecond: Math.round(result.registered / seconds),
    loadavg: loadavg().map((l) => l.toFixed(1)),
  }),
);
await app.close();
await database.close();
await imap.stop();
