import type { CompiledQuery, Kysely } from "kysely";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { INSTANCE_ADMIN, ORG_DEFAULTS } from "../../../test/support/factories.ts";
import type { DB } from "../../db/schema.ts";
import { setAnnouncedDelays } from "../announced-delays/announced-delays.service.ts";
import { adoptFramework } from "../frameworks/frameworks.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";
import { registerRequest } from "./requests.service.ts";

const ROOT = INSTANCE_ADMIN;
const ORG = ORG_DEFAULTS;

/** `db` as a handle of its own that compiles every statement it sends into `sent`, to count and compare them. */
function counting(db: Kysely<DB>) {
  const sent: CompiledQuery[] = [];
  const counted = db.withPlugin({
    transformQuery: (args) => {
      sent.push(db.getExecutor().compileQuery(args.node, { queryId: "count" } as never));
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  return { counted, sent };
}

/** A letter received on Monday 2 March 2026, registered on `db` at `site`. */
const registerLetter = (db: Kysely<DB>, site: string) =>
  registerRequest(
    db,
    site,
    { kind: "request", channel: "letter", receivedOn: "2026-03-02", subject: "Demande" },
    { source: "agent", author: { accountId: null, label: "test" } },
  );

/**
 * Registration is the hottest write (issue #13: 8 % of a bare transaction's rate). Its statements are
 * counted here: what it reads of the organisation's settings comes from memory, at the settings epoch
 * this process last saw, which the write checks (migration 0038); the check, the number, the request, its
 * event and its count go in one statement, the audit in another — and no statement touches a rollup row, which every registration of the network for the same
 * month, channel and kind would otherwise lock until its commit, one after the other.
 */
describe("the statements of one registration", () => {
  let t: TestApp;
  let site = "";
  let net = "";
  beforeAll(async () => {
    t = await startTestApp();
    const db = t.database.db;
    net = (await createOrganisation(db, ROOT, { ...ORG, name: "Réseau", kind: "network", parentId: undefined })).id;
    site = (await createOrganisation(db, ROOT, { ...ORG, name: "Site", kind: "site", parentId: net })).id;
    await adoptFramework(db, ROOT, net, "marianne-2008");
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it("reads nothing twice, sends 2 statements (27, 15 before the settings epoch, 3 before the write checked it), and locks no rollup row", async () => {
    const { counted, sent: compiled } = counting(t.database.db);
    await registerLetter(counted, site); // the first one creates the counter row and the tracking secret
    compiled.length = 0;
    const { request } = await registerLetter(counted, site);
    expect(request.dueOn).not.toBeNull();
    const reads = compiled.filter((q) => /^\s*select/i.test(q.sql)).map((q) => `${q.sql} ${JSON.stringify(q.parameters)}`);
    const twice = reads.filter((r, i) => reads.indexOf(r) !== i);
    expect(twice, twice.join("\n")).toEqual([]);
    expect(compiled.length, compiled.map((q) => q.sql.slice(0, 100)).join("\n")).toBeLessThanOrEqual(2);
    // Its count waits beside the rollups (request_rollup_pending), added by their next read: none written now.
    expect(compiled.filter((q) => /request_rollup\b/.test(q.sql.replace(/request_rollup_pending/g, "")))).toEqual([]);
  });

  // The delays and closures a registration uses are kept in memory between registrations; another server
  // changing them (here: a write this process is told nothing about) must show in the very next due date.
  it("sees a delay or a closure changed elsewhere at the next registration", async () => {
    const db = t.database.db;
    const dueOn = async () => (await registerLetter(db, site)).request.dueOn;
    // Marianne 2008: 15 jours ouvrés for a letter, from Monday 2 March 2026.
    expect(await dueOn()).toBe("2026-03-23");
    await setAnnouncedDelays(db, ROOT, site, [{ channel: "letter", kind: "request", value: 5, unit: "working_days" }]);
    expect(await dueOn()).toBe("2026-03-09");
    // Written as bare SQL, as another server's process would: nothing in this one hears of it.
    await sql`insert into org_closures (org_id, day, label) values (${net}, '2026-03-04', 'Inventaire')`.execute(db);
    expect(await dueOn()).toBe("2026-03-10");
    await sql`delete from org_closures where org_id = ${net}`.execute(db);
    await sql`update announced_delays set value = 2 where org_id = ${site} and channel = 'letter' and kind = 'request'`.execute(db);
    expect(await dueOn()).toBe("2026-03-04");
  });

  // The same, with the statements counted: the registration planned at the epoch it last saw is refused by
  // its own statement, undone, and planned again at the epoch read then (not a fourth time).
  it("plans again, once, when its own statement finds the settings moved, and writes nothing the first time", async () => {
    const db = t.database.db;
    const { counted, sent } = counting(db);
    await registerLetter(counted, site); // this handle now knows an epoch
    sent.length = 0;
    const before = await sql<{ n: string }>`select count(*)::text as n from requests where org_id = ${site}`.execute(db);
    await sql`update announced_delays set value = 3 where org_id = ${site} and channel = 'letter' and kind = 'request'`.execute(db);
    const { request } = await registerLetter(counted, site);
    expect(request.dueOn).toBe("2026-03-05");
    const after = await sql<{ n: string }>`select count(*)::text as n from requests where org_id = ${site}`.execute(db);
    expect(Number(after.rows[0]?.n)).toBe(Number(before.rows[0]?.n) + 1);
    expect(sent.filter((q) => q.sql.includes("request_register("))).toHaveLength(2);
    expect(sent.filter((q) => q.sql.includes("settings_epoch"))).toHaveLength(1);
  });
});
