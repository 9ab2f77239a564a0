import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASE_URL } from "../../../test/support/database.ts";
import { type ImapServer, rawMessage, startImapServer } from "../../../test/support/imap.ts";
import { type DatabaseOptions, openDatabase, quoteIdent } from "../../db/database.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { createInstanceAdmin } from "../accounts/accounts.service.ts";
import { syncFrameworks } from "../frameworks/frameworks.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";
import { collectMailbox } from "./collect.ts";
import { createMailbox } from "./mailboxes.service.ts";

const USER = "accueil";
const PASSWORD = "mot-de-passe-imap";
const COUNT = 30;

/**
 * The collector killed (SIGKILL) in the middle of a batch, twice, then run again: every message is a request
 * exactly once, with one acknowledgement each. On PostgreSQL (a schema of the test server) and on the embedded
 * engine (a data folder the killed process held, whose lock the next process takes over).
 */
describe("mail collection killed mid-batch and restarted", () => {
  let imap: ImapServer;
  let options: DatabaseOptions;
  let dir: string | undefined;
  let orgId = "";
  let mailboxId = "";

  beforeAll(async () => {
    imap = await startImapServer();
    imap.addUser(USER, PASSWORD);
    if (TEST_DATABASE_URL) {
      options = { url: TEST_DATABASE_URL, schema: `test_crash_${randomBytes(4).toString("hex")}` };
    } else {
      dir = mkdtempSync(join(tmpdir(), "vigie-collect-"));
      options = { dataDir: dir };
    }
    const database = await openDatabase(options);
    try {
      await migrateToLatest(database.db, options.schema);
      await syncFrameworks(database.db);
      const admin = await createInstanceAdmin(database.db, {
        email: "root@test.fr",
        displayName: "Root",
        password: "un mot de passe solide",
      });
      const root = { accountId: admin.id, email: admin.email, displayName: "Root", instanceAdmin: true, grants: [] };
      orgId = (
        await createOrganisation(database.db, root, {
          name: "Mairie de Dole",
          kind: "site",
          parentId: undefined,
          timeZone: "Europe/Paris",
          holidayZone: "metropole",
          addressStreet: undefined,
          addressPostcode: undefined,
          addressCity: undefined,
          siret: undefined,
        })
      ).id;
      mailboxId = await createMailbox(database.db, { accountId: null, label: "test" }, orgId, {
        label: "Accueil",
        host: imap.host,
        port: imap.port,
        security: "none",
        username: USER,
        auth: "password",
        secret: PASSWORD,
        folder: "INBOX",
      });
    } finally {
      await database.close();
    }
    for (let i = 1; i <= COUNT; i++) {
      await imap.deliver(
        USER,
        PASSWORD,
        rawMessage({
          from: `usager${i}@usager.example`,
          subject: `Demande numéro ${i}`,
          body: `Bonjour,\nma demande numéro ${i}.\n`,
          messageId: `<demande-${i}@usager.example>`,
        }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await imap?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (options?.url && options.schema) {
      const admin = await openDatabase({ url: options.url });
      await sql.raw(`drop schema if exists ${quoteIdent(options.schema)} cascade`).execute(admin.db);
      await admin.close();
    }
  });

  /** Starts a collector and kills it once it has said `after` collections, plus a few milliseconds. */
  const killAfter = (after: number, extraMs: number) =>
    new Promise<number>((resolve, reject) => {
      const child: ChildProcess = spawn(
        process.execPath,
        ["--import", "tsx", "test/support/mail-collector.ts", JSON.stringify(options), orgId, mailboxId],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let said = 0;
      let err = "";
      child.stderr?.on("data", (d) => {
        err += String(d);
      });
      child.stdout?.on("data", (d) => {
        said += (String(d).match(/^collected /gm) ?? []).length;
        if (said >= after) setTimeout(() => child.kill("SIGKILL"), extraMs);
      });
      child.on("exit", (code, signal) =>
        signal === "SIGKILL" ? resolve(said) : reject(new Error(`le collecteur s'est arrêté seul (${code}) : ${err}`)),
      );
    });

  it("registers every message once, each acknowledged once", async () => {
    const first = await killAfter(4, 7);
    const second = await killAfter(3, 23);
    // Both kills landed before the end of the batch.
    expect(first + second).toBeLessThan(COUNT);
    const database = await openDatabase(options);
    try {
      const rest = await collectMailbox(database.db, orgId, mailboxId);
      expect(rest.error).toBeNull();
      const requests = await sql<{ subject: string; n: number }>`
        select subject, count(*)::int as n from requests where org_id = ${orgId} and channel = 'email' group by subject`.execute(
        database.db,
      );
      expect(requests.rows).toHaveLength(COUNT);
      expect(requests.rows.every((r) => r.n === 1)).toBe(true);
      const ledger = await sql<{ n: number }>`select count(*)::int as n from mailbox_messages where mailbox_id = ${mailboxId}`.execute(
        database.db,
      );
      expect(ledger.rows[0]?.n).toBe(COUNT);
      const acks = await sql<{ n: number; requests: number }>`
        select count(*)::int as n, count(distinct request_id)::int as requests from outbox where org_id = ${orgId}`.execute(database.db);
      expect(acks.rows[0]).toEqual({ n: COUNT, requests: COUNT });
      // A later run finds nothing new.
      expect(await collectMailbox(database.db, orgId, mailboxId)).toMatchObject({ registered: 0, joined: 0, duplicates: 0 });
    } finally {
      await database.close();
    }
  }, 180_000);
});
