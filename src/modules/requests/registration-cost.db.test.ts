import type { KyselyPlugin, RootOperationNode } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../../test/support/app.ts";
import { INSTANCE_ADMIN, ORG_DEFAULTS } from "../../../test/support/factories.ts";
import { adoptFramework } from "../frameworks/frameworks.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";
import { registerRequest } from "./requests.service.ts";

const ROOT = INSTANCE_ADMIN;
const ORG = ORG_DEFAULTS;

/**
 * Registration is the hottest write (issue #13: 8 % of a bare transaction's rate). Its statements are
 * counted here: each thing it needs is read once — the framework's delays once for the resolution and
 * the commitment of the cell, the closures once for both calendars, the organisation once, the tracking
 * key once per process — and the rollups are written last, since every registration of the network for
 * the same month, channel and kind waits on the network's row from that write to the commit.
 */
describe("the statements of one registration", () => {
  let t: TestApp;
  let site = "";
  beforeAll(async () => {
    t = await startTestApp();
    const db = t.database.db;
    const net = (await createOrganisation(db, ROOT, { ...ORG, name: "Réseau", kind: "network", parentId: undefined })).id;
    site = (await createOrganisation(db, ROOT, { ...ORG, name: "Site", kind: "site", parentId: net })).id;
    await adoptFramework(db, ROOT, net, "marianne-2008");
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it("reads nothing twice, sends 15 statements at most (27 before), and counts the rollups last", async () => {
    const nodes: RootOperationNode[] = [];
    const plugin: KyselyPlugin = {
      transformQuery: (args) => {
        nodes.push(args.node);
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const db = t.database.db.withPlugin(plugin);
    const register = () =>
      registerRequest(
        db,
        site,
        { kind: "request", channel: "letter", receivedOn: "2026-03-02", subject: "Demande" },
        { source: "agent", author: { accountId: null, label: "test" } },
      );
    await register(); // the first one creates the counter row and the tracking secret
    nodes.length = 0;
    const { request } = await register();
    expect(request.dueOn).not.toBeNull();
    const executor = t.database.db.getExecutor();
    const compiled = nodes.map((n) => executor.compileQuery(n, { queryId: "count" } as never));
    const reads = compiled.filter((q) => /^\s*select/i.test(q.sql)).map((q) => `${q.sql} ${JSON.stringify(q.parameters)}`);
    const twice = reads.filter((r, i) => reads.indexOf(r) !== i);
    expect(twice, twice.join("\n")).toEqual([]);
    expect(compiled.length, compiled.map((q) => q.sql.slice(0, 100)).join("\n")).toBeLessThanOrEqual(15);
    // The network's rollup row stays locked from the rollup write to the commit: nothing after it.
    expect(compiled.at(-1)?.sql).toMatch(/^\s*insert into request_rollup/);
  });
});
