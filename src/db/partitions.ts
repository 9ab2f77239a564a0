import { type Kysely, sql } from "kysely";

/**
 * Monthly partitions of the two tables that grow with time (issue #13): `calls` by the local day of
 * the call, `audit_log` by the instant of the entry. PostgreSQL only: the embedded engine keeps plain
 * tables (a town hall's year of calls is small), and every function here does nothing on a table
 * that is not partitioned.
 *
 * Each table has a default partition, so a row of a month nobody prepared (a call log of 2019, a
 * server whose jobs stopped for months) is kept rather than refused; `ensureMonthPartitions` moves
 * such rows into their month's partition when it creates it. Retention drops a month's partition,
 * which costs nothing, instead of deleting its rows one by one.
 */
export const MONTHLY_TABLES = {
  calls: { column: "local_day", bound: (month: string) => sql.lit(month) },
  // Months in UTC: the bounds of an instant's partition must not depend on the session's zone.
  audit_log: { column: "at", bound: (month: string) => sql.raw(`'${month} 00:00:00+00'::timestamptz`) },
} as const;
export type MonthlyTable = keyof typeof MONTHLY_TABLES;

/** `2026-03-01` → `2026-04-01`. */
export function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
}

export const monthOf = (day: string | Date) => `${(typeof day === "string" ? day : day.toISOString()).slice(0, 7)}-01`;

export const partitionName = (table: MonthlyTable, month: string) => `${table}_y${month.slice(0, 4)}m${month.slice(5, 7)}`;

/** Whether the table (in the current schema) is partitioned: false on the embedded engine. */
export async function isPartitioned<T>(db: Kysely<T>, table: MonthlyTable): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_partitioned_table p join pg_class c on c.oid = p.partrelid
    where c.relname = ${table} and c.relnamespace = to_regnamespace(current_schema())`.execute(db);
  return (rows[0]?.n ?? 0) > 0;
}

/** The months that have a partition of their own, oldest first. */
export async function partitionMonths<T>(db: Kysely<T>, table: MonthlyTable): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i
    join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
    where p.relname = ${table} and p.relnamespace = to_regnamespace(current_schema())`.execute(db);
  const pattern = new RegExp(`^${table}_y(\\d{4})m(\\d{2})$`);
  return rows
    .map((r) => pattern.exec(r.name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}-${m[2]}-01`)
    .sort();
}

/**
 * Creates the partitions of these months that do not exist yet, each in its own transaction: rows
 * of that month waiting in the default partition are moved into the new one, then it is attached.
 * Returns the months created.
 */
export async function ensureMonthPartitions<T>(db: Kysely<T>, table: MonthlyTable, months: string[]): Promise<string[]> {
  if (!(await isPartitioned(db, table))) return [];
  const existing = new Set(await partitionMonths(db, table));
  const created: string[] = [];
  const { column, bound } = MONTHLY_TABLES[table];
  for (const month of [...new Set(months.map(monthOf))].sort()) {
    if (existing.has(month)) continue;
    const name = sql.id(partitionName(table, month));
    const from = bound(month);
    const to = bound(nextMonth(month));
    const inMonth = sql`${sql.id(column)} >= ${from} and ${sql.id(column)} < ${to}`;
    await db.transaction().execute(async (trx) => {
      // Two servers running the job at once: the second waits here, then finds the month done.
      await sql`lock table ${sql.id(table)} in share row exclusive mode`.execute(trx);
      if ((await partitionMonths(trx, table)).includes(month)) return;
      await sql`create table ${name} (like ${sql.id(table)} including defaults including constraints)`.execute(trx);
      await sql`insert into ${name} select * from ${sql.id(`${table}_default`)} where ${inMonth}`.execute(trx);
      await sql`delete from ${sql.id(`${table}_default`)} where ${inMonth}`.execute(trx);
      await sql`alter table ${sql.id(table)} attach partition ${name} for values from (${from}) to (${to})`.execute(trx);
      created.push(month);
    });
  }
  return created;
}

/** The months of the rows waiting in the default partition (a call log of a month without a partition). */
export async function monthsInDefault<T>(db: Kysely<T>, table: MonthlyTable): Promise<string[]> {
  if (!(await isPartitioned(db, table))) return [];
  const { column } = MONTHLY_TABLES[table];
  const utc = table === "audit_log" ? sql` at time zone 'UTC'` : sql``;
  const { rows } = await sql<{ month: string }>`
    select distinct to_char(date_trunc('month', ${sql.id(column)}${utc}), 'YYYY-MM-DD') as month
    from ${sql.id(`${table}_default`)}`.execute(db);
  return rows.map((r) => r.month);
}

/**
 * What the daily job does: the partitions of this month and the next `ahead` ones, and of any month
 * whose rows wait in the default partition. Returns the months created per table.
 */
export async function preparePartitions<T>(db: Kysely<T>, now: Date, ahead = 3): Promise<Record<MonthlyTable, string[]>> {
  const out = { calls: [] as string[], audit_log: [] as string[] };
  for (const table of Object.keys(MONTHLY_TABLES) as MonthlyTable[]) {
    out[table] = await ensureMonthPartitions(db, table, [...monthsAhead(now, ahead), ...(await monthsInDefault(db, table))]);
  }
  return out;
}

/** The current month and the `ahead` following ones, from an instant (UTC). */
export function monthsAhead(now: Date, ahead: number): string[] {
  const months = [monthOf(now)];
  for (let i = 0; i < ahead; i++) months.push(nextMonth(months[months.length - 1] as string));
  return months;
}

/**
 * Retention: drops the partitions of the months before `month` (and deletes the default partition's
 * rows of those months). Dropping a partition frees its space at once, without the dead rows and the
 * vacuum a `DELETE` of millions of rows leaves behind. Returns the months dropped.
 */
export async function dropPartitionsBefore<T>(db: Kysely<T>, table: MonthlyTable, month: string): Promise<string[]> {
  if (!(await isPartitioned(db, table))) return [];
  const { column, bound } = MONTHLY_TABLES[table];
  const old = (await partitionMonths(db, table)).filter((m) => m < monthOf(month));
  await db.transaction().execute(async (trx) => {
    for (const m of old) await sql`drop table ${sql.id(partitionName(table, m))}`.execute(trx);
    await sql`delete from ${sql.id(`${table}_default`)} where ${sql.id(column)} < ${bound(monthOf(month))}`.execute(trx);
  });
  return old;
}

/**
 * Turns a plain table into one partitioned by month of `column`, keeping its rows, its indexes and its
 * identity (for the migration; runs inside its transaction). The primary key gains the partition key
 * when it lacks it. Rows are copied into a partition per month they cover; later months come from
 * `ensureMonthPartitions`, anything else lands in the default partition.
 */
export async function partitionByMonth<T>(db: Kysely<T>, table: MonthlyTable): Promise<void> {
  const { column, bound } = MONTHLY_TABLES[table];
  const old = `${table}_unpartitioned`;
  const { rows: indexes } = await sql<{ name: string; def: string; primary: boolean }>`
    select c.relname as name, pg_get_indexdef(i.indexrelid) as def, i.indisprimary as primary
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
    where t.relname = ${table} and t.relnamespace = to_regnamespace(current_schema())`.execute(db);
  const { rows: keyColumns } = await sql<{ name: string }>`
    select a.attname as name from pg_index i join pg_class t on t.oid = i.indrelid
    join unnest(i.indkey) with ordinality k(attnum, n) on true
    join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
    where t.relname = ${table} and t.relnamespace = to_regnamespace(current_schema()) and i.indisprimary
    order by k.n`.execute(db);
  const key = keyColumns.map((k) => k.name);
  if (!key.includes(column)) key.push(column);
  await sql`alter table ${sql.id(table)} rename to ${sql.id(old)}`.execute(db);
  for (const index of indexes) {
    if (index.primary)
      await sql`alter table ${sql.id(old)} rename constraint ${sql.id(index.name)} to ${sql.id(`${old}_pkey`)}`.execute(db);
    else await sql`alter index ${sql.id(index.name)} rename to ${sql.id(`${index.name}_unpartitioned`)}`.execute(db);
  }
  await sql`create table ${sql.id(table)} (like ${sql.id(old)} including defaults including constraints including identity)
    partition by range (${sql.id(column)})`.execute(db);
  await sql`alter table ${sql.id(table)} add primary key (${sql.join(key.map((k) => sql.id(k)))})`.execute(db);
  // The other indexes as they were, by their own definition (on the new table, which bears the old name).
  for (const index of indexes.filter((i) => !i.primary)) await sql.raw(index.def).execute(db);
  await sql`create table ${sql.id(`${table}_default`)} partition of ${sql.id(table)} default`.execute(db);
  const { rows: months } = await sql<{ month: string }>`
    select distinct to_char(date_trunc('month', ${sql.id(column)}${table === "audit_log" ? sql` at time zone 'UTC'` : sql``}), 'YYYY-MM-DD') as month
    from ${sql.id(old)}`.execute(db);
  // The months of the rows, and this month and the next three: a fresh install writes its audit log
  // into a partition of its own before the nightly job first runs.
  for (const month of [...new Set([...months.map((m) => m.month), ...monthsAhead(new Date(), 3)])]) {
    await sql`create table ${sql.id(partitionName(table, month))} partition of ${sql.id(table)}
      for values from (${bound(month)}) to (${bound(nextMonth(month))})`.execute(db);
  }
  const { rows: identity } = await sql<{ name: string }>`
    select attname as name from pg_attribute
    where attrelid = ${sql.lit(table)}::regclass and attidentity <> '' and not attisdropped`.execute(db);
  await sql`insert into ${sql.id(table)} ${identity.length ? sql`overriding system value` : sql``} select * from ${sql.id(old)}`.execute(
    db,
  );
  for (const { name } of identity) {
    await sql`select setval(pg_get_serial_sequence(${table}, ${name}), coalesce((select max(${sql.id(name)}) from ${sql.id(table)}), 0) + 1, false)`.execute(
      db,
    );
  }
  await sql`drop table ${sql.id(old)}`.execute(db);
}

/** The embedded engine (PGlite) keeps plain tables. */
export async function isEmbeddedEngine<T>(db: Kysely<T>): Promise<boolean> {
  const { rows } = await sql<{ v: string }>`select version() as v`.execute(db);
  return (rows[0]?.v ?? "").includes("PGlite");
}
