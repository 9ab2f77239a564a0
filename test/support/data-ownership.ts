import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

/**
 * What the data-ownership check reads (test/architecture.test.ts): which module owns which table (the
 * `…Tables` maps of `src/modules/<module>/*.tables.ts`, and `InstanceTables` of src/kernel/instance.tables.ts
 * for the instance's own, which no module names), and which tables a source file names in its queries.
 */

export interface TableMention {
  table: string;
  line: number;
}

/** The Kysely methods whose first argument names a table (or a list of them). */
const TABLE_METHODS = new Set([
  "selectFrom",
  "insertInto",
  "replaceInto",
  "updateTable",
  "deleteFrom",
  "mergeInto",
  "using",
  "innerJoin",
  "leftJoin",
  "rightJoin",
  "fullJoin",
  "crossJoin",
  "innerJoinLateral",
  "leftJoinLateral",
  "crossJoinLateral",
  "table",
]);

/** In SQL text: the word after which a table's name comes. */
const SQL_TABLE = /\b(?:from|join|into|update|using|table)\s+(?:only\s+)?(?:public\.)?"?([a-z_][a-z0-9_]*)/gi;

/** `"t"`, `"t as x"`, `"public.t"` → `t`. */
function tableOfArgument(text: string): string {
  return (text.trim().split(/\s+/)[0] ?? "").replace(/^public\./, "");
}

/**
 * The tables a TypeScript source names: the first argument of Kysely's table methods (`selectFrom`,
 * `insertInto`, `updateTable`, `deleteFrom`, the joins, `mergeInto`, `using`, `sql.table`), and the
 * words after FROM, JOIN, INTO, UPDATE, USING and TABLE in the text of `sql` templates and `sql.raw`.
 * Only names in `known` count (a CTE, `unnest(…)`, `generate_series` are not tables).
 */
export function tablesNamed(source: string, known: ReadonlySet<string>, fileName = "source.ts"): TableMention[] {
  const file = ts.createSourceFile(
    fileName,
    source,
    ts.ScriptTarget.Latest,
    true,
    fileName.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const found: Array<TableMention & { at: number }> = [];
  const add = (table: string, node: ts.Node, offset = 0) => {
    const at = node.getStart(file) + offset;
    if (known.has(table)) found.push({ table, line: file.getLineAndCharacterOfPosition(at).line + 1, at });
  };
  const scanSql = (text: string, at: ts.Node) => {
    // The offset is that of the raw text: a template's line breaks are the source's, so lines stay right.
    for (const match of text.matchAll(SQL_TABLE)) add((match[1] ?? "").toLowerCase(), at, (match.index ?? 0) + 1);
  };
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const first = node.arguments[0];
      if (first && TABLE_METHODS.has(method)) {
        const names = ts.isArrayLiteralExpression(first) ? [...first.elements] : [first];
        for (const name of names) if (ts.isStringLiteralLike(name)) add(tableOfArgument(name.text), name);
      }
      if (first && method === "raw" && ts.isIdentifier(node.expression.expression) && node.expression.expression.text === "sql") {
        if (ts.isStringLiteralLike(first)) scanSql(first.text, first);
      }
    }
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === "sql") {
      const template = node.template;
      if (ts.isNoSubstitutionTemplateLiteral(template)) scanSql(template.text, template);
      else {
        scanSql(template.head.text, template.head);
        for (const span of template.templateSpans) scanSql(span.literal.text, span.literal);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found.sort((a, b) => a.at - b.at).map(({ table, line }) => ({ table, line }));
}

/** The table names of every `export type …Tables = { name: …; … }` in a source. */
export function tablesDeclared(source: string): string[] {
  const file = ts.createSourceFile("tables.ts", source, ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  for (const statement of file.statements) {
    if (!ts.isTypeAliasDeclaration(statement) || !statement.name.text.endsWith("Tables")) continue;
    if (!statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    if (!ts.isTypeLiteralNode(statement.type)) continue;
    for (const member of statement.type.members) {
      if (member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))) names.push(member.name.text);
    }
  }
  return names;
}

const ROOT = join(import.meta.dirname, "..", "..");
export const MODULES_DIR = join(ROOT, "src", "modules");
export const INSTANCE_OWNER = "the instance (src/kernel)";

/** Every owned table and its owner: a module's name, or INSTANCE_OWNER. A table declared twice is listed in `twice`. */
export function owners(): { owner: Map<string, string>; twice: string[] } {
  const owner = new Map<string, string>();
  const twice: string[] = [];
  const claim = (tables: string[], who: string) => {
    for (const table of tables) {
      if (owner.has(table)) twice.push(`${table} (${owner.get(table)} and ${who})`);
      owner.set(table, who);
    }
  };
  claim(tablesDeclared(readFileSync(join(ROOT, "src", "kernel", "instance.tables.ts"), "utf8")), INSTANCE_OWNER);
  for (const module of readdirSync(MODULES_DIR)) {
    for (const file of sourceFiles(join(MODULES_DIR, module))) {
      if (file.endsWith(".tables.ts")) claim(tablesDeclared(readFileSync(file, "utf8")), module);
    }
  }
  return { owner, twice };
}

/** The tables the migrations create (partitions made at run time are not named there). */
export function migrationTables(): Set<string> {
  const dir = join(ROOT, "src", "db", "migrations");
  const tables = new Set<string>();
  for (const file of readdirSync(dir)) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const match of text.matchAll(/create\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?([a-z_][a-z0-9_]*)/gi)) {
      tables.add((match[1] ?? "").toLowerCase());
    }
  }
  return tables;
}

/** The non-test TypeScript sources under a folder, recursively. */
export function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) files.push(path);
  }
  return files;
}
