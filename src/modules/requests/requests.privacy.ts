import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { RequestKind } from "../frameworks/channels.ts";
import { type RequestRecord, toRecord } from "./requests.repository.ts";

/**
 * The requests' side of personal data (issue #17, point 5): finding one person's requests, and
 * removing the people from requests while keeping every figure. What is cleared: the requester's
 * name, e-mail, phone and address, the subject and the letter's text, and the free notes of the
 * history. What stays: number, kind, channel, status, dates, delays, assignee, service — so the
 * rollups (kept incrementally from those) and every dashboard read the same after as before.
 */
export const ANONYMISED_SUBJECT = "Demande anonymisée";

/** The same update for both paths; `where` picks the requests. Returns the ids it changed. */
async function anonymiseWhere(
  db: Kysely<DB>,
  orgId: string,
  pick: (q: ReturnType<typeof base>) => ReturnType<typeof base>,
  now: Date,
  alsoRemove: AlsoRemove | undefined,
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const ids = (await pick(base(trx, orgId)).select("id").execute()).map((r) => r.id);
    if (!ids.length) return [];
    // What other modules hold of these requests' people (the audit log's copies of the request), in the
    // same transaction: once a request is marked anonymised it is never picked again, so nothing may be
    // left behind by a crash between the two.
    await alsoRemove?.(trx, ids);
    // Notes of the history may quote the person; the moves between statuses are figures and stay.
    await trx
      .updateTable("request_events")
      .set({ note: null, data: sql`'{}'::jsonb` })
      .where("org_id", "=", orgId)
      .where("request_id", "in", ids)
      .execute();
    await trx
      .updateTable("requests")
      .set({
        requester_name: null,
        requester_email: null,
        requester_phone: null,
        requester_address: null,
        subject: ANONYMISED_SUBJECT,
        body: "",
        anonymised_at: now,
      })
      .where("org_id", "=", orgId)
      .where("id", "in", ids)
      .where("anonymised_at", "is", null)
      .execute();
    return ids;
  });
}

/** Removes, inside the anonymising transaction, what another module keeps of these requests' people. */
export type AlsoRemove = (trx: Kysely<DB>, requestIds: string[]) => Promise<unknown>;

function base(db: Kysely<DB>, orgId: string) {
  return db.selectFrom("requests").where("org_id", "=", orgId).where("anonymised_at", "is", null);
}

/**
 * Anonymises, in one batch of at most `limit`, the requests of the given kinds closed (or answered,
 * for those never closed) before `before` (YYYY-MM-DD). The caller loops until fewer come back:
 * memory stays bounded on a first run over years of requests, and a crash between batches loses nothing.
 * Open requests are never touched, however old: they are still being handled.
 */
export function anonymiseRequestsEndedBefore(
  db: Kysely<DB>,
  orgId: string,
  kinds: RequestKind[],
  before: string,
  limit: number,
  now = new Date(),
  alsoRemove?: AlsoRemove,
): Promise<string[]> {
  if (!kinds.length) return Promise.resolve([]);
  return anonymiseWhere(
    db,
    orgId,
    (q) =>
      q
        .where("kind", "in", kinds)
        .where("status", "in", ["answered", "closed"])
        .where(sql<string>`coalesce(closed_on, answered_on)`, "<", before)
        .orderBy("id")
        .limit(limit),
    now,
    alsoRemove,
  );
}

/** Erasure on request: these requests of the organisation lose their person at once, whatever their state. */
export function anonymiseRequests(
  db: Kysely<DB>,
  orgId: string,
  ids: string[],
  now = new Date(),
  alsoRemove?: AlsoRemove,
): Promise<string[]> {
  if (!ids.length) return Promise.resolve([]);
  return anonymiseWhere(db, orgId, (q) => q.where("id", "in", ids), now, alsoRemove);
}

/** Escapes the wildcards of LIKE so a typed « _ » or « % » means itself. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * One person's requests in an organisation: by e-mail (exact, case ignored) or by name (contained,
 * case ignored). Anonymised requests hold no one and are never found.
 */
export async function requestsOfPerson(
  db: Kysely<DB>,
  orgId: string,
  person: { email?: string | undefined; name?: string | undefined },
  limit = 500,
): Promise<RequestRecord[]> {
  if (!person.email && !person.name) return [];
  const rows = await base(db, orgId)
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(person.email ? [eb(sql<string>`lower(requester_email)`, "=", person.email.toLowerCase())] : []),
        ...(person.name ? [eb("requester_name", "ilike", `%${likeLiteral(person.name)}%`)] : []),
      ]),
    )
    .orderBy("received_on", "desc")
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map(toRecord);
}

/** The history notes of these requests, for the export of a person's data. */
export async function notesOf(db: Kysely<DB>, orgId: string, ids: string[]) {
  if (!ids.length) return [];
  return db
    .selectFrom("request_events")
    .select(["request_id as requestId", "at", "type", "note"])
    .where("org_id", "=", orgId)
    .where("request_id", "in", ids)
    .where("note", "is not", null)
    .orderBy("at")
    .execute();
}

/** Organisations that still hold people in ended requests, in pages by id (the daily job's walk). */
export async function organisationsWithEndedRequests(db: Kysely<DB>, afterOrgId: string | null, limit: number): Promise<string[]> {
  let q = db
    .selectFrom("requests")
    .select("org_id")
    .distinct()
    .where("anonymised_at", "is", null)
    .where("status", "in", ["answered", "closed"]);
  if (afterOrgId) q = q.where("org_id", ">", afterOrgId);
  return (await q.orderBy("org_id").limit(limit).execute()).map((r) => r.org_id);
}
