import { type Kysely, sql } from "kysely";

/**
 * Splits a SQL script into statements at semicolons that end a line, outside $$ … $$ bodies.
 * The embedded engine runs one statement per prepared query, so migrations go through this.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  let inDollar = false;
  for (const line of script.split("\n")) {
    current.push(line);
    const dollars = line.match(/\$\$/g)?.length ?? 0;
    if (dollars % 2 === 1) inDollar = !inDollar;
    if (!inDollar && /;\s*(--.*)?$/.test(line)) {
      const statement = current.join("\n").trim();
      if (statement.replace(/--.*$/gm, "").trim() !== ";") statements.push(statement);
      current = [];
    }
  }
  const rest = current.join("\n").replace(/--.*$/gm, "").trim();
  if (rest) statements.push(rest);
  return statements;
}

export async function runScript(db: Kysely<unknown>, script: string): Promise<void> {
  for (const statement of splitStatements(script)) {
    await sql.raw(statement).execute(db);
  }
}
