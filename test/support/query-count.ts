import type { Kysely, KyselyPlugin } from "kysely";
import type { DB } from "../../src/db/schema.ts";

/**
 * Counts the statements a piece of code sends, for the tests that assert a page's cost does not grow
 * with the number of sites (issue #13): run it at two sizes, compare the counts. Every statement built
 * from the returned handle — query builder, `sql` template, inside its transactions — goes through the
 * plugin's `transformQuery` once when it is compiled for execution.
 */
export interface QueryCounter {
  db: Kysely<DB>;
  readonly count: number;
  /** The SQL of each statement counted since the last reset, for a failing test to print. */
  readonly statements: string[];
  reset(): void;
}

export function countingQueries(db: Kysely<DB>): QueryCounter {
  const statements: string[] = [];
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      statements.push(args.node.kind);
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
  return {
    db: db.withPlugin(plugin),
    get count() {
      return statements.length;
    },
    statements,
    reset() {
      statements.length = 0;
    },
  };
}
