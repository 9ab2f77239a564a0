import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * « Je donne mon avis » statistics (issue #14, point 4). The national button of online procedures
 * gives counts, not stories: for each procedure (« produit »), period and question, how many users
 * answered « Très bien », « Moyen » or « Pas bien ». They are kept as counts, per organisation,
 * procedure, period start and question; a file imported again replaces the same counts rather than
 * adding them twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table jdma_statistics (
      org_id uuid not null references organisations (id) on delete cascade,
      product_id text not null,
      product_name text not null,
      period_start date not null,
      period_length text not null check (period_length in ('day', 'week', 'month', 'year')),
      field_code text not null,
      good integer not null check (good >= 0),
      medium integer not null check (medium >= 0),
      bad integer not null check (bad >= 0),
      imported_at timestamptz not null default now(),
      primary key (org_id, product_id, period_start, field_code)
    );
    create index jdma_statistics_period on jdma_statistics (org_id, period_start);
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop table jdma_statistics;");
}
