import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { INSTANCE_OWNER, MODULES_DIR, migrationTables, owners, sourceFiles, tablesNamed } from "./support/data-ownership.ts";

/**
 * Reads of other modules' tables not behind their owner. The scans once listed here (alerts, escalation,
 * obligations' targets and figures, the publication planner) now embed expressions their owners lend,
 * still one statement each; what remains names every table by design. Listed by file and table so that
 * no new one comes in unnoticed; the test fails when one is gone from its file (then strike it here).
 * Issue #18.
 */
const NOT_YET: Record<string, { tables: string[]; why: string }> = {
  "src/modules/backup/move-to-postgres.ts": {
    tables: ["organisations", "accounts"],
    why: "the move to PostgreSQL copies every table, and first checks the target holds no organisation nor account",
  },
};

/**
 * Rules of the code's shape that neither the compiler nor Biome can see. Biome keeps a module out of
 * another's repository file; nothing kept it out of another's tables, since DB types them all.
 */
describe("data ownership", () => {
  const known = new Set(["accounts", "organisations", "requests", "settings", "grants"]);

  it("finds the tables a source names, in Kysely calls and in SQL text", () => {
    const source = [
      "// a comment naming from requests is not a query",
      'const note = "select * from accounts";',
      'db.selectFrom("organisations as o")',
      '  .innerJoin("grants as g", "g.org_id", "o.id")',
      "  .where(sql`exists (select 1 from requests r where r.org_id = o.id)`);",
      'db.insertInto("settings"); db.updateTable("accounts"); sql.raw("delete from grants");',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source under test holds a template literal
      'db.selectFrom(["requests", "unknown_cte"]); sql`select * from unnest(${ids}) join settings s on true`;',
    ].join("\n");
    expect(tablesNamed(source, known)).toEqual([
      { table: "organisations", line: 3 },
      { table: "grants", line: 4 },
      { table: "requests", line: 5 },
      { table: "settings", line: 6 },
      { table: "accounts", line: 6 },
      { table: "grants", line: 6 },
      { table: "requests", line: 7 },
      { table: "settings", line: 7 },
    ]);
  });

  it("gives every table a migration creates exactly one owner", () => {
    const { owner, twice } = owners();
    expect(twice, "tables typed in two *.tables.ts").toEqual([]);
    const created = migrationTables();
    expect([...created].filter((t) => !owner.has(t)).sort(), "tables with no owner: type them in their module's *.tables.ts").toEqual([]);
    expect([...owner.keys()].filter((t) => !created.has(t)).sort(), "typed tables no migration creates").toEqual([]);
  });

  it("keeps each module to its own tables: the others' data comes through their services", () => {
    const { owner } = owners();
    const known = new Set(owner.keys());
    const trespasses: string[] = [];
    const excused = new Set<string>();
    for (const module of readdirSync(MODULES_DIR)) {
      for (const file of sourceFiles(join(MODULES_DIR, module))) {
        const path = `src/modules/${relative(MODULES_DIR, file)}`;
        for (const { table, line } of tablesNamed(readFileSync(file, "utf8"), known, file)) {
          const by = owner.get(table);
          if (by === module) continue;
          if (NOT_YET[path]?.tables.includes(table)) excused.add(`${path} ${table}`);
          else trespasses.push(`${path}:${line} names ${table}, owned by ${by === INSTANCE_OWNER ? by : `the ${by} module`}`);
        }
      }
    }
    expect(trespasses, "ask the owner's service (or an expression it exports) instead").toEqual([]);
    const stale = Object.entries(NOT_YET).flatMap(([path, { tables }]) =>
      tables.filter((t) => !excused.has(`${path} ${t}`)).map((t) => `${path} ${t}`),
    );
    expect(stale, "no longer named there: take them out of NOT_YET").toEqual([]);
  });
});
