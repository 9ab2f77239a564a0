import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Register imports recorded by the job queue (issue #18, point 4). A correspondent's « Importer »
 * no longer registers the rows inside the HTTP request: it records the import here with what the
 * job needs (the parsed rows, the mapping and the whole-file values) and enqueues it in the same
 * transaction. The job moves the import through `queued`, `running` and `done` or `failed`, and
 * writes its report (numbers created, rows already registered, what went wrong), which the
 * import's page shows. The plan holds people's names and addresses: it is emptied once the import
 * has ended, the report keeps only line numbers and receipt numbers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table request_imports (
      org_id uuid not null references organisations (id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      file_name text not null,
      status text not null check (status in ('queued', 'running', 'done', 'failed')),
      -- { sheet, mapping, constants } while queued or running; null once ended
      plan jsonb,
      row_count integer not null,
      -- the valid rows being registered in one transaction; null until checked
      rows_valid integer,
      -- { created: [{ line, id, number }], duplicates: [{ line, number }], invalid: [{ line, errors }] }
      report jsonb,
      message text,
      -- the run under way: a run taken over by another worker no longer finishes the import
      runner uuid,
      created_by uuid,
      created_by_label text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (org_id, id)
    );
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop table request_imports;");
}
