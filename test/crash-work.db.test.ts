import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, type DatabaseOptions, openDatabase, quoteIdent } from "../src/db/database.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { createInstanceAdmin } from "../src/modules/accounts/accounts.service.ts";
import { SYSTEM_ACTOR } from "../src/modules/audit/audit.service.ts";
import { syncFrameworks } from "../src/modules/frameworks/frameworks.service.ts";
import { runDueJobs } from "../src/modules/jobs/queue.ts";
import { createMailTransport, queueEmail, useMailTransport } from "../src/modules/mail/mail.service.ts";
import { createOrganisation } from "../src/modules/organisations/organisations.service.ts";
import "../src/modules/publication/publication.jobs.ts";
import { refreshAllPublications } from "../src/modules/publication/publication.service.ts";
import { commitImport } from "../src/modules/requests/import/import.service.ts";
import { proposeMapping } from "../src/modules/requests/import/mapping.ts";
import { toSheet } from "../src/modules/requests/import/sheet.ts";
import { registerRequest } from "../src/modules/requests/requests.service.ts";
import { TEST_DATABASE_URL } from "./support/database.ts";
import { registerRows } from "./support/register-rows.ts";
import { type SmtpListener, startSmtpListener } from "./support/smtp.ts";

const ROWS = 300;
const MAILS = 20;
const SITES = 24;

/**
 * A register import and the sending of e-mails, each killed (SIGKILL) in the middle in a process of its
 * own, then finished by the next one: the register is all there or absent, then all there once, each
 * request under its own number; every e-mail is sent, none twice under two identities (a message cut
 * between the SMTP server's acceptance and its record goes again with the same Message-ID, which the
 * receiving side deduplicates); the nightly publication is finished by the next worker, every organisation
 * published once with the figures a fresh publication gives. On PostgreSQL (a schema of the test server) and on the embedded engine.
 */
describe("register import, mail sending and nightly publication killed mid-way and restarted", () => {
  let options: DatabaseOptions;
  let dir: string | undefined;
  let smtp: SmtpListener;
  let orgId = "";

  beforeAll(async () => {
    smtp = await startSmtpListener();
    if (TEST_DATABASE_URL) {
      options = { url: TEST_DATABASE_URL, schema: `test_workcrash_${randomBytes(4).toString("hex")}` };
    } else {
      dir = mkdtempSync(join(tmpdir(), "vigie-workcrash-"));
      // Where the server keeps it when started with DATA_DIR=dir (the mail test restarts the server on it).
      options = { dataDir: join(dir, "pglite") };
    }
    await withDatabase(async (database) => {
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
    });
  }, 120_000);

  afterAll(async () => {
    useMailTransport(createMailTransport({}));
    await smtp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (options?.url && options.schema) {
      const admin = await openDatabase({ url: options.url });
      await sql.raw(`drop schema if exists ${quoteIdent(options.schema)} cascade`).execute(admin.db);
      await admin.close();
    }
  });

  async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
    const database = await openDatabase(options);
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  }

  /** Starts the worker and kills it `extraMs` after its first line matching `at` (or at its « done »). */
  const killAt = (args: string[], at: RegExp, extraMs: number) =>
    new Promise<string>((resolve, reject) => {
      const child: ChildProcess = spawn(
        process.execPath,
        ["--import", "tsx", "test/support/crash-worker.ts", JSON.stringify(options), ...args],
        {
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, SMTP_URL: smtp.url },
        },
      );
      let out = "";
      let err = "";
      let armed = false;
      child.stderr?.on("data", (d) => {
        err += String(d);
      });
      child.stdout?.on("data", (d) => {
        out += String(d);
        if (!armed && (at.test(out) || /^done/m.test(out))) {
          armed = true;
          setTimeout(() => child.kill("SIGKILL"), extraMs);
        }
      });
      child.on("exit", (code, signal) => (signal === "SIGKILL" ? resolve(out) : reject(new Error(`arrêt inattendu (${code}) : ${err}`))));
    });

  const imported = async (database: Database) =>
    (
      await sql<{ n: number; numbers: number }>`
        select count(*)::int as n, count(distinct number)::int as numbers from requests where org_id = ${orgId} and source = 'import'`.execute(
        database.db,
      )
    ).rows[0];

  it("a register import killed twice: all or nothing each time, then every row once", async () => {
    for (const delay of [150, 600]) {
      const said = await killAt(["register", orgId, String(ROWS)], /^ready$/m, delay);
      const found = await withDatabase(imported);
      // Never a part of the register.
      expect([0, ROWS]).toContain(found?.n);
      if (/^done/m.test(said)) expect(found?.n).toBe(ROWS);
    }
    await withDatabase(async (database) => {
      const sheet = toSheet(registerRows(ROWS));
      const again = await commitImport(database.db, orgId, { sheet, mapping: proposeMapping(sheet.columns), constants: {} }, SYSTEM_ACTOR);
      expect(again.created.length + again.duplicates.length).toBe(ROWS);
      expect(await imported(database)).toEqual({ n: ROWS, numbers: ROWS });
    });
  }, 90_000);

  it("mail sending killed mid-batch: every message sent, none under two identities", async () => {
    await withDatabase(async (database) => {
      for (let i = 1; i <= MAILS; i++) {
        await queueEmail(database.db, {
          orgId,
          kind: "test",
          to: `usager${i}@usager.example`,
          subject: `Message ${i}`,
          text: `Bonjour ${i}`,
        });
      }
    });
    await killAt(["mail"], /^sent 5$/m, 3);
    await killAt(["mail"], /^sent 3$/m, 11);
    const before = smtp.messages.length;
    expect(before).toBeLessThan(MAILS + 2);
    const arrived = () => new Set(smtp.messages.map((m) => m.messageId)).size;
    if (dir) {
      // The embedded engine: the town hall's server restarts on the folder the killed workers left. The jobs they
      // held are claimed again at its first pass (5 s after it listens), not once their lock runs out five minutes later.
      const port = String(20_000 + Math.floor(Math.random() * 20_000));
      const server = spawn(process.execPath, ["--import", "tsx", "src/app/main.ts"], {
        env: { ...process.env, DATABASE_URL: "", DATA_DIR: dir, PORT: port, SMTP_URL: smtp.url },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let log = "";
      server.stdout?.on("data", (d) => {
        log += String(d);
      });
      server.stderr?.on("data", (d) => {
        log += String(d);
      });
      const exited = new Promise((resolve) => server.on("exit", resolve));
      try {
        const end = Date.now() + 40_000;
        while (arrived() < MAILS && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 200));
        expect(arrived(), log).toBe(MAILS);
        expect(log).toMatch(/[12]\u00a0tâches? interrompues? par l'arrêt précédent : reprises? maintenant/);
      } finally {
        server.kill("SIGTERM");
        await exited;
      }
    } else {
      // PostgreSQL: another server's claims may be alive; the jobs the killed workers held are taken over once
      // their lock has run out (five minutes later).
      await withDatabase(async (database) => {
        useMailTransport(createMailTransport({ SMTP_URL: smtp.url }));
        const later = new Date(Date.now() + 6 * 60_000);
        for (;;) {
          const counts = await runDueJobs(database.db, { now: later });
          if (counts.done + counts.failed + counts.retried === 0) break;
        }
      });
    }
    await withDatabase(async (database) => {
      const outbox = await sql<{ sent: number; ids: number }>`
        select count(*) filter (where sent_at is not null and status = 'sent')::int as sent, count(distinct message_id)::int as ids
        from outbox where org_id = ${orgId} and kind = 'test'`.execute(database.db);
      expect(outbox.rows[0]).toEqual({ sent: MAILS, ids: MAILS });
    });
    const byId = new Map<string, Set<string>>();
    for (const m of smtp.messages) byId.set(m.messageId, (byId.get(m.messageId) ?? new Set()).add(m.to.join(",")));
    // Every message arrived; a message sent twice (cut right after the SMTP acceptance) kept its Message-ID and recipient.
    expect(byId.size).toBe(MAILS);
    expect([...byId.values()].every((recipients) => recipients.size === 1)).toBe(true);
    // At most the one in flight at each of the two kills went twice.
    expect(smtp.messages.length).toBeLessThanOrEqual(MAILS + 2);
  }, 90_000);

  it("the nightly publication killed between two chunks: the next worker publishes every organisation once, figures as a fresh run", async () => {
    await withDatabase(async (database) => {
      const root = { accountId: null, label: "test" };
      const base = { timeZone: "Europe/Paris", holidayZone: "metropole" as const, addressStreet: undefined, siret: undefined };
      const actor = {
        accountId: (await sql<{ id: string }>`select id from accounts limit 1`.execute(database.db)).rows[0]?.id ?? "",
        email: "root@test.fr",
        displayName: "Root",
        instanceAdmin: true,
        grants: [],
      };
      const network = await createOrganisation(database.db, actor, {
        ...base,
        name: "Réseau du Jura",
        kind: "network",
        parentId: undefined,
        addressPostcode: undefined,
        addressCity: undefined,
      });
      const day = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
      // Six departments of four sites: the chunks hold whole sibling groups, so several chunks.
      const departments: string[] = [];
      for (let d = 1; d <= SITES / 4; d++) {
        const department = await createOrganisation(database.db, actor, {
          ...base,
          name: `Département ${d}`,
          kind: "region",
          parentId: network.id,
          addressPostcode: undefined,
          addressCity: undefined,
        });
        departments.push(department.id);
      }
      for (let i = 1; i <= SITES; i++) {
        const site = await createOrganisation(database.db, actor, {
          ...base,
          name: `Mairie ${i}`,
          kind: "site",
          parentId: departments[(i - 1) % departments.length],
          addressPostcode: undefined,
          addressCity: undefined,
        });
        await registerRequest(
          database.db,
          site.id,
          { kind: "request", channel: "letter", receivedOn: day, subject: `Demande ${i}` },
          { source: "agent", author: root },
        );
      }
    });
    await killAt(["publication", "4"], /^chunk 1$/m, 5);
    await withDatabase(async (database) => {
      const state = async () =>
        (
          await sql<{
            n: number;
            months: number;
          }>`select count(*)::int as n, count(distinct published_month)::int as months from publication_state`.execute(database.db)
        ).rows[0];
      const published = await state();
      const organisations = (await sql<{ n: number }>`select count(*)::int as n from organisations`.execute(database.db)).rows[0]?.n ?? 0;
      // Cut between two chunks: some organisations published, not all.
      expect(published?.n).toBeLessThan(organisations);
      const later = new Date(Date.now() + 6 * 60_000);
      for (;;) {
        const counts = await runDueJobs(database.db, { now: later });
        if (counts.done + counts.failed + counts.retried === 0) break;
      }
      expect(await state()).toEqual({ n: organisations, months: 1 });
      const figures = async () =>
        (
          await sql<{ row: string }>`
            select concat_ws('|', org_id, period_from, period_to, indicator_key, channel, value, sample) as row
            from published_figures order by 1`.execute(database.db)
        ).rows.map((r) => r.row);
      const recovered = await figures();
      expect(recovered.length).toBeGreaterThan(SITES);
      await refreshAllPublications(database.db);
      expect(await figures()).toEqual(recovered);
    });
  }, 120_000);
});
