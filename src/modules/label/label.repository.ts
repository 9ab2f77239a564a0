import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

export async function findFile(db: Kysely<DB>, orgId: string) {
  return db.selectFrom("label_files").selectAll().where("org_id", "=", orgId).executeTakeFirst();
}

export async function saveFile(
  db: Kysely<DB>,
  orgId: string,
  v: {
    candidacy_on: string | null;
    audit_on: string | null;
    body: string | null;
    level: string | null;
    certified_on: string | null;
    follow_up_on: string | null;
  },
) {
  await db
    .insertInto("label_files")
    .values({ org_id: orgId, ...v })
    .onConflict((oc) => oc.column("org_id").doUpdateSet({ ...v, updated_at: new Date() }))
    .execute();
}

export async function findingsOf(db: Kysely<DB>, orgId: string) {
  return db.selectFrom("label_findings").selectAll().where("org_id", "=", orgId).orderBy("created_at").orderBy("id").execute();
}

export async function insertFinding(db: Kysely<DB>, v: { org_id: string; kind: string; text: string; due_on: string; action_id: string }) {
  await db.insertInto("label_findings").values(v).execute();
}
