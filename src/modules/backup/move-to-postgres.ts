import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type Kysely, sql } from "kysely";
import { from as copyFrom } from "pg-copy-streams";
import { embeddedEngine, postgresPool } from "../../db/database.ts";
import type { DB } from "../../db/schema.ts";
import { BackupError } from "./backup.ts";

/**
 * A town hall outgrowing its one machine moves to PostgreSQL: every row of the embedded database is
 * copied into a PostgreSQL schema brought to the same migration, table by table in the order the
 * foreign keys ask, with COPY's text format (the same on both engines, whatever their versions), then
 * the sequences are set past the copied ids, and every table is compared on both sides.
 */

/** Kysely's own bookkeeping: written by the migrations on the target, not copied. */
const BOOKKEEPING = /^kysely_migration/;

export interface MoveReport {
  tables: Array<{ name: string; rows: number }>;
}

/** The tables, partitions left out: on PostgreSQL `calls` and `audit_log` hold their months (issue #13) and are read whole. */
async function tablesOf(db: Kysely<DB>): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    select t.table_name as name from information_schema.tables t
    where t.table_schema = current_schema() and t.table_type = 'BASE TABLE'
      and not exists (select 1 from pg_class c where c.relname = t.table_name
        and c.relnamespace = to_regnamespace(current_schema()) and c.relispartition)
    order by t.table_name`.execute(db);
  return rows.rows.map((r) => r.name).filter((n) => !BOOKKEEPING.test(n));
}

/** Tables ordered so that each comes after the tables its foreign keys point to (self-references aside). */
async function dependencyOrder(db: Kysely<DB>, tables: string[]): Promise<string[]> {
  const edges = await sql<{ child: string; parent: string }>`
    select distinct c.relname as child, p.relname as parent
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_class p on p.oid = k.confrelid
    join pg_namespace n on n.oid = c.relnamespace
    where k.contype = 'f' and n.nspname = current_schema()`.execute(db);
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set()]));
  for (const { child, parent } of edges.rows) if (child !== parent) parents.get(child)?.add(parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables.filter((t) => !placed.has(t) && [...(parents.get(t) ?? [])].every((p) => placed.has(p) || !parents.has(p)));
    if (ready.length === 0) throw new BackupError("Les clés étrangères forment un cycle : copie impossible dans un ordre sûr.");
    for (const t of ready) {
      ordered.push(t);
      placed.add(t);
    }
  }
  return ordered;
}

async function columnsOf(db: Kysely<DB>, table: string): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    select column_name as name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db);
  return rows.rows.map((r) => r.name);
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every row of every table, each table as its count and a digest of its rows in text, UTC. */
export async function tableDigests(db: Kysely<DB>): Promise<Record<string, string>> {
  return db.transaction().execute(async (trx) => {
    // Timestamps print in the session's zone: both sides must print them alike.
    await sql`set local timezone = 'UTC'`.execute(trx);
    const out: Record<string, string> = {};
    for (const name of await tablesOf(trx)) {
      const row = await sql<{ n: string; digest: string | null }>`
        select count(*) as n, md5(string_agg(r::text, E'\\n' order by r::text)) as digest from ${sql.table(name)} r`.execute(trx);
      out[name] = `${row.rows[0]?.n}:${row.rows[0]?.digest ?? "-"}`;
    }
    return out;
  });
}

/**
 * Copies the embedded database `from` into the PostgreSQL database `to` (already migrated to the same
 * version, and holding no organisation). Runs in one transaction on the target: all or nothing.
 */
export async function moveToPostgres(from: Kysely<DB>, to: Kysely<DB>): Promise<MoveReport> {
  const pglite = embeddedEngine(from);
  const pool = postgresPool(to);
  if (!pglite || !pool) throw new BackupError("La copie va de la base embarquée vers PostgreSQL.");
  const source = await tablesOf(from);
  const target = await tablesOf(to);
  const missing = source.filter((t) => !target.includes(t));
  if (missing.length)
    throw new BackupError(`Tables absentes du schéma PostgreSQL : ${missing.join(", ")}. Les deux bases sont-elles à la même version ?`);
  // Migrations write reference data only: an account or an organisation means someone has used it.
  const used = await sql<{ n: string }>`select (select count(*) from organisations) + (select count(*) from accounts) as n`.execute(to);
  if (Number(used.rows[0]?.n) > 0) {
    throw new BackupError("Le schéma PostgreSQL contient déjà des comptes ou des organisations : la copie se fait vers un schéma neuf.");
  }
  const order = await dependencyOrder(from, source);
  const client = await pool.connect();
  const report: MoveReport = { tables: [] };
  try {
    await client.query("begin");
    // Rows the target's migrations wrote (reference data) give way to the source's.
    await client.query(`truncate ${order.map(ident).join(", ")} restart identity cascade`);
    // The rows are copied as they are: the tables' own triggers (a rollup marking its organisations for
    // publication) would write rows the copy also brings, and clash with them. Turned off for this
    // transaction only (the owner may), on again before it commits.
    const triggered = await client.query<{ tbl: string }>(`
      select distinct c.relname as tbl from pg_trigger g
      join pg_class c on c.oid = g.tgrelid
      where not g.tgisinternal and c.relnamespace = to_regnamespace(current_schema())`);
    for (const { tbl } of triggered.rows) await client.query(`alter table ${ident(tbl)} disable trigger user`);
    for (const table of order) {
      const columns = (await columnsOf(from, table)).map(ident).join(", ");
      const out = await pglite.query(`copy ${ident(table)} (${columns}) to '/dev/blob'`);
      // An empty table gives no blob at all.
      const text = out.blob ? Buffer.from(await out.blob.arrayBuffer()) : Buffer.alloc(0);
      await pipeline(Readable.from([text]), client.query(copyFrom(`copy ${ident(table)} (${columns}) from stdin`)));
      const rows = text.length === 0 ? 0 : text.toString("utf8").split("\n").length - 1;
      report.tables.push({ name: table, rows });
    }
    for (const { tbl } of triggered.rows) await client.query(`alter table ${ident(tbl)} enable trigger user`);
    // Serial and identity columns, and columns whose default draws from a sequence of their own (the
    // publication marks): the next value must come after the copied ones.
    const sequences = await client.query<{ seq: string; tbl: string; col: string }>(`
      select s.relname as seq, t.relname as tbl, a.attname as col
      from pg_depend d
      join pg_class s on s.oid = d.objid and s.relkind = 'S'
      join pg_class t on t.oid = d.refobjid
      join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
      join pg_namespace n on n.oid = s.relnamespace
      where n.nspname = current_schema()
      union
      select s.relname, t.relname, a.attname
      from pg_attrdef ad
      join pg_depend d on d.classid = 'pg_attrdef'::regclass and d.objid = ad.oid and d.refclassid = 'pg_class'::regclass
      join pg_class s on s.oid = d.refobjid and s.relkind = 'S'
      join pg_class t on t.oid = ad.adrelid
      join pg_attribute a on a.attrelid = ad.adrelid and a.attnum = ad.adnum
      join pg_namespace n on n.oid = s.relnamespace
      where n.nspname = current_schema()`);
    for (const { seq, tbl, col } of sequences.rows) {
      if (BOOKKEEPING.test(tbl)) continue;
      await client.query(
        `select setval('${ident(seq).replaceAll("'", "''")}', coalesce((select max(${ident(col)}) from ${ident(tbl)}), 0) + 1, false)`,
      );
    }
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return report;
}
