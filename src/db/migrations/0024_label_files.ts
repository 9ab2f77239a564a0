import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * The label file of an organisation (issue #14, point 2): one row per organisation with its candidacy,
 * audit, certification body, level and certification date (validity and follow-up audit follow from
 * them), and the audit's findings, each kept with the action of the plan it became.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table label_files (
      org_id uuid primary key references organisations (id) on delete cascade,
      candidacy_on date,
      audit_on date,
      body text,
      level text check (level in ('bronze', 'argent', 'or')),
      certified_on date,
      follow_up_on date,
      updated_at timestamptz not null default now()
    );
    create table label_findings (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references organisations (id) on delete cascade,
      kind text not null check (kind in ('non_conformity', 'remark')),
      text text not null,
      due_on date not null,
      action_id uuid not null,
      created_at timestamptz not null default now()
    );
    create index label_findings_org on label_findings (org_id, created_at);
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop table label_findings; drop table label_files;");
}
