import { sql } from "kysely";
import { expect, it } from "vitest";
import { openTestDatabase } from "./support/database.ts";
it("migrates", async () => {
  const d = await openTestDatabase({ referenceData: false });
  const r = await sql<{ v: string }>`select vigie_fold('État Œuvre ÇA') as v`.execute(d.db);
  console.log(r.rows);
  await d.close();
});
