import { type Kysely, type Selectable, type SelectQueryBuilder, sql } from "kysely";
import type { DB, RequestsTable } from "../../db/schema.ts";
import { chunks, drain } from "../../kernel/batches.ts";
import type { Channel, RequestKind } from "../frameworks/channels.ts";
import type { OrgScope } from "../indicators/indicator.ts";
import { inScopeSql, inSubtreeSql, nameContainsSql, organisationNameSql, sumUpTree } from "../organisations/organisations.service.ts";
import { type Delay, HISTOGRAM_SIZE } from "./due-date.ts";
import type { RequestStatus } from "./request-status.ts";

export interface RequestRecord {
  orgId: string;
  id: string;
  number: string;
  kind: RequestKind;
  channel: Channel;
  status: RequestStatus;
  source: "agent" | "public" | "import";
  subject: string;
  body: string;
  requester: { name: string | null; email: string | null; phone: string | null; address: string | null };
  receivedOn: string;
  target: Delay | null;
  commitmentId: string | null;
  dueOn: string | null;
  announcedOn: string | null;
  pausedSince: string | null;
  serviceId: string | null;
  assigneeId: string | null;
  answeredOn: string | null;
  /** Working days from reception to answer, counted when the answer was recorded. */
  responseDays: number | null;
  closedOn: string | null;
  /** 0, 1 (sent to the service's referent), 2 (to the site's correspondent): see escalation.repository.ts. */
  escalationLevel: number;
  /** Local day of the first acknowledgement and of the first holding reply (migration 0028). */
  acknowledgedOn: string | null;
  holdingOn: string | null;
  /** When the requester was removed (retention period passed or erasure on request). */
  anonymisedAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export function toRecord(r: Selectable<RequestsTable>): RequestRecord {
  // The check constraints of the table hold these columns to the listed values.
  return {
    orgId: r.org_id,
    id: r.id,
    number: r.number,
    kind: r.kind as RequestKind,
    channel: r.channel as Channel,
    status: r.status as RequestStatus,
    source: r.source as RequestRecord["source"],
    subject: r.subject,
    body: r.body,
    requester: { name: r.requester_name, email: r.requester_email, phone: r.requester_phone, address: r.requester_address },
    receivedOn: r.received_on,
    target: r.target_value !== null && r.target_unit ? { value: r.target_value, unit: r.target_unit as Delay["unit"] } : null,
    commitmentId: r.commitment_id,
    dueOn: r.due_on,
    announcedOn: r.announced_on,
    pausedSince: r.paused_since,
    serviceId: r.service_id,
    assigneeId: r.assignee_id,
    answeredOn: r.answered_on,
    responseDays: r.response_days,
    closedOn: r.closed_on,
    escalationLevel: r.escalation_level,
    acknowledgedOn: r.acknowledged_on,
    holdingOn: r.holding_on,
    anonymisedAt: r.anonymised_at,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The next `count` receipt numbers of an organisation for a year (2027-000042, 2027-000043…), in one
 * statement: the counter moves by `count` at once, so a register of 10,000 rows takes one round trip, not
 * 10,000, and no other registration can slip a number in between.
 */
export async function reserveNumbers(db: Kysely<DB>, orgId: string, year: number, count: number): Promise<string[]> {
  const row = await db
    .insertInto("request_counters")
    .values({ org_id: orgId, year, last: count })
    .onConflict((oc) => oc.columns(["org_id", "year"]).doUpdateSet({ last: sql`request_counters.last + ${count}` }))
    .returning("last")
    .executeTakeFirstOrThrow();
  const first = row.last - count + 1;
  return Array.from({ length: count }, (_, i) => `${year}-${String(first + i).padStart(6, "0")}`);
}

export type NewRequest = Omit<
  RequestsTable,
  | "id"
  | "version"
  | "created_at"
  | "updated_at"
  | "body"
  | "overdue_event_at"
  | "escalation_level"
  | "acknowledged_on"
  | "holding_on"
  | "late_counted"
  | "anonymised_at"
> & {
  body: string;
};

/**
 * Rows per INSERT: 25 columns a request, under PostgreSQL's 65,535 parameters of one statement, and small
 * enough that one statement stays a few megabytes.
 */
const INSERT_ROWS = 1_000;

/**
 * One request with its receipt number and its « created » event, in one statement (migration 0036): the
 * values are those insertCreatedRequests writes for many, and the number is the year's next, formatted
 * as `reserveNumbers` formats it.
 */
export async function insertCreatedRequest(
  db: Kysely<DB>,
  orgId: string,
  value: Omit<NewRequest, "org_id" | "number">,
  created: { actorId: string | null; actorLabel: string },
  /** Its count, left waiting for the next read of the rollups of these organisations (the site and its ancestors). */
  count: { path: string[]; acknowledgementOwed: boolean },
  /** The settings epoch the request was planned at: nothing is written, and undefined returned, once it moved. */
  settingsEpoch: string | null,
): Promise<RequestRecord | undefined> {
  const year = Number(value.received_on.slice(0, 4));
  const result = await sql<Selectable<RequestsTable>>`
    select * from request_register(${orgId}, ${year}, ${JSON.stringify(value)}::jsonb, ${created.actorId}, ${created.actorLabel},
                                   ${count.path}::uuid[], ${count.acknowledgementOwed ? 1 : 0}, ${settingsEpoch}::text)
  `.execute(db);
  const row = result.rows[0];
  return row && toRecord(row);
}

/**
 * Writes the requests of one organisation with their « created » events, a thousand per statement (the
 * events in the same statement, from the rows written: one round trip less on the hottest write);
 * returned in the order given.
 */
export async function insertCreatedRequests(
  db: Kysely<DB>,
  orgId: string,
  values: Array<Omit<NewRequest, "org_id">>,
  created: { actorId: string | null; actorLabel: string },
): Promise<RequestRecord[]> {
  const out: RequestRecord[] = [];
  for (const chunk of chunks(values, INSERT_ROWS)) {
    const rows = await db
      .with("written", (qc) =>
        qc
          .insertInto("requests")
          .values(chunk.map((v) => ({ ...v, org_id: orgId })))
          .returningAll(),
      )
      .with("created", (qc) =>
        qc
          .insertInto("request_events")
          .columns(["org_id", "request_id", "actor_id", "actor_label", "type", "to_status", "data"])
          .expression((eb) =>
            eb.selectFrom("written").select([
              "written.org_id",
              "written.id",
              sql<string | null>`${created.actorId}::uuid`.as("actor_id"),
              sql<string>`${created.actorLabel}`.as("actor_label"),
              sql<string>`'created'`.as("type"),
              "written.status",
              // What the event has always said: how the request came, and the due date it was given.
              sql<string>`jsonb_build_object('source', written.source, 'dueOn', written.due_on)`.as("data"),
            ]),
          ),
      )
      .selectFrom("written")
      .selectAll()
      .execute();
    // RETURNING's order is not promised: put the rows back in the order given, by their receipt number.
    const byNumber = new Map(rows.map((r) => [r.number, r]));
    for (const v of chunk) {
      const row = byNumber.get(v.number);
      if (!row) throw new Error(`Demande ${v.number} non relue après son écriture.`);
      out.push(toRecord(row));
    }
  }
  return out;
}

export async function findRequest(db: Kysely<DB>, orgId: string, requestId: string): Promise<RequestRecord | undefined> {
  const row = await db.selectFrom("requests").selectAll().where("org_id", "=", orgId).where("id", "=", requestId).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

export async function findByTrackingHash(db: Kysely<DB>, hash: string): Promise<RequestRecord | undefined> {
  const row = await db.selectFrom("requests").selectAll().where("tracking_token_hash", "=", hash).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/** Every request with this receipt number (one per organisation at most), for the public tracking form. */
export async function findByNumber(db: Kysely<DB>, number: string): Promise<RequestRecord[]> {
  const rows = await db.selectFrom("requests").selectAll().where("number", "=", number).limit(50).execute();
  return rows.map(toRecord);
}

export type RequestChanges = Partial<
  Pick<
    RequestsTable,
    "status" | "due_on" | "announced_on" | "paused_since" | "service_id" | "assignee_id" | "answered_on" | "response_days" | "closed_on"
  >
>;

/** Writes when the stored version is still `version`; undefined when someone else wrote first. */
export async function updateRequest(
  db: Kysely<DB>,
  orgId: string,
  requestId: string,
  version: number,
  changes: RequestChanges,
): Promise<RequestRecord | undefined> {
  const row = await db
    .updateTable("requests")
    .set({ ...changes, version: version + 1, updated_at: new Date() })
    .where("org_id", "=", orgId)
    .where("id", "=", requestId)
    .where("version", "=", version)
    .returningAll()
    .executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

export async function setTrackingHash(db: Kysely<DB>, orgId: string, requestId: string, hash: string): Promise<RequestRecord | undefined> {
  const row = await db
    .updateTable("requests")
    .set({ tracking_token_hash: hash, updated_at: new Date() })
    .where("org_id", "=", orgId)
    .where("id", "=", requestId)
    .returningAll()
    .executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

export interface EventValues {
  actorId: string | null;
  actorLabel: string;
  type: "created" | "status" | "holding" | "reassigned" | "letter" | "answer" | "message";
  fromStatus?: string | null;
  toStatus?: string | null;
  note?: string | null;
  data?: unknown;
}

export async function insertEvent(db: Kysely<DB>, orgId: string, requestId: string, e: EventValues): Promise<void> {
  await insertEvents(db, orgId, [{ requestId, ...e }]);
}

/** Several events of one organisation, a thousand per statement (a register's « created » events). */
export async function insertEvents(db: Kysely<DB>, orgId: string, events: Array<EventValues & { requestId: string }>): Promise<void> {
  for (const chunk of chunks(events, INSERT_ROWS)) {
    await db
      .insertInto("request_events")
      .values(
        chunk.map((e) => ({
          org_id: orgId,
          request_id: e.requestId,
          actor_id: e.actorId,
          actor_label: e.actorLabel,
          type: e.type,
          from_status: e.fromStatus ?? null,
          to_status: e.toStatus ?? null,
          note: e.note ?? null,
          data: e.data === undefined ? null : JSON.stringify(e.data),
        })),
      )
      .execute();
  }
}

export interface RequestEvent {
  id: string;
  at: Date;
  actorLabel: string;
  type: string;
  fromStatus: string | null;
  toStatus: string | null;
  note: string | null;
  /** The e-mail this event queued, if any: the history shows its true state beside it. */
  outboxId: string | null;
  /** The message written for the requester (an answer, a holding reply): it stays readable on the request. */
  message: string | null;
}

function dataField(data: unknown, name: string): string | null {
  const value = typeof data === "object" && data !== null ? (data as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" ? value : null;
}

export async function eventsOf(db: Kysely<DB>, orgId: string, requestId: string): Promise<RequestEvent[]> {
  const rows = await db
    .selectFrom("request_events")
    .select(["id", "at", "actor_label", "type", "from_status", "to_status", "note", "data"])
    .where("org_id", "=", orgId)
    .where("request_id", "=", requestId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorLabel: r.actor_label,
    type: r.type,
    fromStatus: r.from_status,
    toStatus: r.to_status,
    outboxId: dataField(r.data, "outboxId"),
    message: dataField(r.data, "message"),
    note: r.note,
  }));
}

export interface QueueQuery {
  /** The organisations whose requests are listed: ids, or a subquery of ids (a subtree). */
  orgIds: string[] | SelectQueryBuilder<DB, "organisations", { id: string }>;
  assigneeId?: string | undefined;
  serviceIds?: string[] | undefined;
  /** Due on or after this date. */
  dueFrom?: string | undefined;
  /** Due on or before this date. */
  dueBy?: string | undefined;
  /** Due strictly before this date: overdue as of it. */
  dueBefore?: string | undefined;
  openOnly: boolean;
  q?: string | undefined;
  limit: number;
}

export async function listRequests(db: Kysely<DB>, query: QueueQuery): Promise<RequestRecord[]> {
  if (Array.isArray(query.orgIds) && !query.orgIds.length) return [];
  let q = db.selectFrom("requests").selectAll().where("org_id", "in", query.orgIds);
  if (query.openOnly) q = q.where("status", "not in", ["answered", "closed"]);
  if (query.assigneeId) q = q.where("assignee_id", "=", query.assigneeId);
  if (query.serviceIds)
    q = q.where("service_id", "in", query.serviceIds.length ? query.serviceIds : ["00000000-0000-0000-0000-000000000000"]);
  if (query.dueFrom) q = q.where("due_on", ">=", query.dueFrom);
  if (query.dueBy) q = q.where("due_on", "<=", query.dueBy);
  if (query.dueBefore) q = q.where("due_on", "<", query.dueBefore);
  if (query.q) {
    const like = `%${query.q.replace(/[%_\\]/g, "\\$&")}%`;
    q = q.where((eb) => eb.or([eb("number", "ilike", like), eb("subject", "ilike", like), eb("requester_name", "ilike", like)]));
  }
  const rows = await q.orderBy(sql`due_on nulls last`).orderBy("received_on").limit(query.limit).execute();
  return rows.map(toRecord);
}

/** The orders of a request list; each is walked by keyset, its last key being the row's id. */
export type RequestSort = "due" | "received" | "number";

/** What a request list may be narrowed to: every filter combines with the others (and). */
export interface RequestFilters {
  /** The node whose whole subtree is listed. */
  rootId: string;
  /** Part of the name of the organisation a request belongs to (accents and case ignored). */
  siteName?: string | undefined;
  status?: RequestStatus | undefined;
  openOnly?: boolean | undefined;
  channel?: Channel | undefined;
  kind?: RequestKind | undefined;
  /** Open and due strictly before this date: late as of it. */
  lateAsOf?: string | undefined;
  receivedFrom?: string | undefined;
  receivedTo?: string | undefined;
  dueFrom?: string | undefined;
  dueBy?: string | undefined;
  assigneeId?: string | undefined;
  serviceIds?: string[] | undefined;
  /** Part of the subject, the requester's name or the number (accents and case ignored). */
  q?: string | undefined;
}

/** A cursor: the sort key of the row a page starts after (or ends before). */
export type ListKey = [string, string, string] | [string, string];

export interface ListedRequest extends RequestRecord {
  /** The name of the organisation (site or service) the request belongs to: the « Site » column. */
  orgName: string;
}

const NO_DUE_DATE = "9999-12-31";

/** A LIKE pattern finding `text` anywhere, its own % and _ taken literally. */
function containing(text: string): string {
  return `%${text.replace(/[%_\\]/g, "\\$&")}%`;
}

function filtered(db: Kysely<DB>, f: RequestFilters) {
  // The subtree through the organisation's path (GIN index): no list of ids, whatever the node's size.
  let q = db.selectFrom("requests as r").where(inSubtreeSql("r.org_id", f.rootId));
  if (f.siteName) q = q.where(nameContainsSql("r.org_id", f.siteName));
  if (f.status) q = q.where("r.status", "=", f.status);
  if (f.openOnly || f.lateAsOf) q = q.where("r.status", "not in", ["answered", "closed"]);
  if (f.lateAsOf) q = q.where("r.due_on", "<", f.lateAsOf);
  if (f.channel) q = q.where("r.channel", "=", f.channel);
  if (f.kind) q = q.where("r.kind", "=", f.kind);
  if (f.receivedFrom) q = q.where("r.received_on", ">=", f.receivedFrom);
  if (f.receivedTo) q = q.where("r.received_on", "<=", f.receivedTo);
  if (f.dueFrom) q = q.where("r.due_on", ">=", f.dueFrom);
  if (f.dueBy) q = q.where("r.due_on", "<=", f.dueBy);
  if (f.assigneeId) q = q.where("r.assignee_id", "=", f.assigneeId);
  if (f.serviceIds) q = q.where("r.service_id", "in", f.serviceIds.length ? f.serviceIds : ["00000000-0000-0000-0000-000000000000"]);
  // The same expression as the trigram index of migration 0016, so the index answers it.
  if (f.q) q = q.where(sql<boolean>`request_search_text(r.subject, r.requester_name, r.number) like vigie_fold(${containing(f.q)})`);
  return q;
}

/** The sort key of each order, as SQL (to compare and order by) and as read from a row (for the cursor). */
const SORTS = {
  due: {
    descending: false,
    sql: [sql`coalesce(r.due_on, ${sql.lit(NO_DUE_DATE)}::date)`, sql`r.received_on`, sql`r.id`],
    casts: ["date", "date", "uuid"],
    key: (r: RequestRecord): ListKey => [r.dueOn ?? NO_DUE_DATE, r.receivedOn, r.id],
  },
  received: {
    descending: true,
    sql: [sql`r.received_on`, sql`r.id`],
    casts: ["date", "uuid"],
    key: (r: RequestRecord): ListKey => [r.receivedOn, r.id],
  },
  number: {
    descending: false,
    sql: [sql`r.number`, sql`r.id`],
    casts: ["text", "uuid"],
    key: (r: RequestRecord): ListKey => [r.number, r.id],
  },
} as const;

export function sortKeyOf(sort: RequestSort, r: RequestRecord): ListKey {
  return SORTS[sort].key(r);
}

/** How many parts a cursor of this order has (to check one read from a link). */
export function sortKeyLength(sort: RequestSort): number {
  return SORTS[sort].casts.length;
}

/**
 * One page of a request list, by keyset: the rows after `after` (or before `before`) in the order,
 * `limit` of them, and whether more follow in that direction. One statement, whatever the subtree.
 */
export async function requestPage(
  db: Kysely<DB>,
  filters: RequestFilters,
  page: { sort: RequestSort; after?: ListKey | undefined; before?: ListKey | undefined; limit: number },
): Promise<{ rows: ListedRequest[]; more: boolean }> {
  const order = SORTS[page.sort];
  const backwards = page.before !== undefined;
  const cursor = page.before ?? page.after;
  // Walking backwards reads the reverse order, then turns the page round.
  const descending = order.descending !== backwards;
  let q = filtered(db, filters).selectAll("r").select(organisationNameSql("r.org_id").as("org_name"));
  if (cursor) {
    if (cursor.length !== order.casts.length) throw new Error("curseur d'un autre ordre");
    const values = cursor.map((v, i) => sql`${v}::${sql.raw(order.casts[i] ?? "text")}`);
    const columns = sql.join([...order.sql]);
    q = q.where(descending ? sql<boolean>`(${columns}) < (${sql.join(values)})` : sql<boolean>`(${columns}) > (${sql.join(values)})`);
  }
  for (const expression of order.sql) q = q.orderBy(expression, descending ? "desc" : "asc");
  const rows = await q.limit(page.limit + 1).execute();
  const more = rows.length > page.limit;
  const kept = rows.slice(0, page.limit).map((row) => ({ ...toRecord(row), orgName: row.org_name }));
  return { rows: backwards ? kept.reverse() : kept, more };
}

/** How many requests the filters keep, for the total shown above the list. */
export async function countRequests(db: Kysely<DB>, filters: RequestFilters): Promise<number> {
  const row = await filtered(db, filters).select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
  return row.n;
}

/**
 * The order in which request_rollup rows are taken (see applyRollup): a transaction writing several
 * months, channels or kinds writes them in this order, each statement ordering its organisations.
 */
export function byRollupLockOrder(
  a: { month: string; channel: string; kind: string },
  b: { month: string; channel: string; kind: string },
) {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return cmp(a.month, b.month) || cmp(a.channel, b.channel) || cmp(a.kind, b.kind);
}

export interface RollupDelta {
  month: string;
  channel: string;
  kind: string;
  received?: number;
  /** Requests registered with no announced delay: they cannot be late, and the service should know how many. */
  receivedWithoutTarget?: number;
  answered?: number;
  answeredWithTarget?: number;
  answeredInTime?: number;
  /** Histogram bucket to add `answered` to. */
  bucket?: number;
  acknowledgedInTime?: number;
  acknowledgementOwed?: number;
  late?: number;
  lateWithHolding?: number;
}

/**
 * Adds a change to the rollup of the organisation and of each of its ancestors, so a node of the
 * tree reads its whole subtree in one row per month, channel and kind. One statement for the whole
 * path, histogram included: the counters of every ancestor move together or not at all.
 *
 * Every writer of request_rollup takes its rows in one order — month, channel, kind, then organisation
 * (`byRollupLockOrder`) — or two writers deadlock: an answer took its path's rows root first while a
 * fold took the same rows in the order of its grouping, each holding one the other wanted: PostgreSQL
 * refused 61 answers in 120, given by 6 people while 4 readers folded (test/rollup-lock-order.db.test.ts).
 */
export async function applyRollup(db: Kysely<DB>, path: string[], delta: RollupDelta): Promise<void> {
  const received = delta.received ?? 0;
  const withoutTarget = delta.receivedWithoutTarget ?? 0;
  const answered = delta.answered ?? 0;
  const inTime = delta.answeredInTime ?? 0;
  const withTarget = delta.answeredWithTarget ?? 0;
  const ackInTime = delta.acknowledgedInTime ?? 0;
  const ackOwed = delta.acknowledgementOwed ?? 0;
  const late = delta.late ?? 0;
  const lateWithHolding = delta.lateWithHolding ?? 0;
  const histogram = Array<number>(HISTOGRAM_SIZE).fill(0);
  if (delta.bucket !== undefined) histogram[delta.bucket] = answered;
  await sql`
    insert into request_rollup (org_id, month, channel, kind, received, received_without_target, answered, answered_with_target,
      answered_in_time, acknowledged_in_time, acknowledgement_owed, late, late_with_holding, delay_histogram)
    select org_id, ${delta.month}::date, ${delta.channel}, ${delta.kind}, ${received}, ${withoutTarget}, ${answered}, ${withTarget},
      ${inTime}, ${ackInTime}, ${ackOwed}, ${late}, ${lateWithHolding}, ${histogram}::int[]
    from unnest(${path}::uuid[]) as org_id
    order by org_id
    on conflict (org_id, month, channel, kind) do update set
      acknowledged_in_time = request_rollup.acknowledged_in_time + excluded.acknowledged_in_time,
      acknowledgement_owed = request_rollup.acknowledgement_owed + excluded.acknowledgement_owed,
      late = request_rollup.late + excluded.late,
      late_with_holding = request_rollup.late_with_holding + excluded.late_with_holding,
      received = request_rollup.received + excluded.received,
      received_without_target = request_rollup.received_without_target + excluded.received_without_target,
      answered = request_rollup.answered + excluded.answered,
      answered_with_target = request_rollup.answered_with_target + excluded.answered_with_target,
      answered_in_time = request_rollup.answered_in_time + excluded.answered_in_time${
        // Rebuilding the array row by row is the dearest part of the statement; a registration adds nothing to it.
        answered !== 0 && delta.bucket !== undefined
          ? sql`,
      delay_histogram = array(
        select old + added from unnest(request_rollup.delay_histogram, excluded.delay_histogram) with ordinality as h(old, added, i) order by i
      )`
          : sql``
      }`.execute(db);
}

/** Waiting counts added per statement: bounded, so a long backlog never holds one huge transaction. */
const FOLD_BATCH = 20_000;

/**
 * Adds the registrations' waiting counts (request_rollup_pending, migration 0036) to the rollups of their
 * site and ancestors: one grouped upsert per rollup row, whatever the number of requests. Nothing is
 * counted twice: a batch is deleted in the statement that adds it. Called before every read of the
 * rollups, and by the publication before it looks for the organisations whose figures changed. Returns
 * how many counts were added.
 *
 * A reader waits for a fold already under way (FOR UPDATE, not SKIP LOCKED): the counts another
 * connection has taken but not yet committed are in neither table, and a reader that skipped them read a
 * dashboard without them — two registrations missing from a total, caught by CI on PostgreSQL, when the
 * dashboard's two periods folded side by side. Rows another fold deleted while this one waited are
 * passed over; both take rows in the key's order, so neither holds what the other waits for.
 *
 * The batch is found through the primary key and deleted by row address: a table emptied of many rows
 * keeps them dead until the autovacuum passes, and a sequential scan read them all at every fold (20 ms
 * for 50,000, at every dashboard, 5,000 sites); the index forgets them at the first scan that meets them.
 */
export function foldPendingRollups(db: Kysely<DB>): Promise<number> {
  return drain(FOLD_BATCH, async () => {
    const result = await sql<{ n: number }>`
      with batch as (
        delete from request_rollup_pending
        where ctid = any(array(select ctid from request_rollup_pending order by org_id, id limit ${FOLD_BATCH} for update))
        returning *
      ),
      added as (
        insert into request_rollup (org_id, month, channel, kind, received, received_without_target, acknowledgement_owed)
        select a.id, b.month, b.channel, b.kind, sum(b.received)::int, sum(b.received_without_target)::int, sum(b.acknowledgement_owed)::int
        from batch b cross join lateral unnest(b.path) as a(id)
        group by a.id, b.month, b.channel, b.kind
        order by b.month, b.channel, b.kind, a.id
        on conflict (org_id, month, channel, kind) do update set
          received = request_rollup.received + excluded.received,
          received_without_target = request_rollup.received_without_target + excluded.received_without_target,
          acknowledgement_owed = request_rollup.acknowledgement_owed + excluded.acknowledgement_owed
      )
      select count(*)::int as n from batch
    `.execute(db);
    return result.rows[0]?.n ?? 0;
  });
}

export async function rollupRows(db: Kysely<DB>, orgId: string, fromMonth: string, toMonth: string) {
  await foldPendingRollups(db);
  return db
    .selectFrom("request_rollup")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("month", ">=", fromMonth)
    .where("month", "<=", toMonth)
    .orderBy("month")
    .execute();
}

/** The rollup rows of every organisation of a scope (each row holds its organisation's whole subtree), in one read. */
export async function rollupRowsInScope(db: Kysely<DB>, scope: OrgScope, fromMonth: string, toMonth: string) {
  await foldPendingRollups(db);
  return db
    .selectFrom("request_rollup")
    .selectAll()
    .where(inScopeSql("org_id", scope))
    .where("month", ">=", fromMonth)
    .where("month", "<=", toMonth)
    .orderBy("month")
    .execute();
}

/** Open and overdue requests of an organisation's subtree (given as a subquery of ids), as of a date. */
export async function backlog(db: Kysely<DB>, orgIds: SelectQueryBuilder<DB, "organisations", { id: string }>, today: string) {
  const row = await db
    .selectFrom("requests")
    .select([sql<number>`count(*)::int`.as("open"), sql<number>`count(*) filter (where due_on < ${today})::int`.as("overdue")])
    .where("org_id", "in", orgIds)
    .where("status", "not in", ["answered", "closed"])
    .executeTakeFirstOrThrow();
  return row;
}

/**
 * Open requests of every node of the subtrees of `roots` (all when null), each counting its whole
 * subtree: counted per organisation first (the partial index of open requests), then added up each
 * organisation's path. One statement, whatever the tree's size.
 */
export function openByNode(db: Kysely<DB>, roots: string[] | null): Promise<Map<string, number>> {
  return sumUpTree(db, sql`select org_id, count(*) as n from requests where status not in ('answered', 'closed') group by org_id`, roots);
}

export async function findIdByNumber(db: Kysely<DB>, orgId: string, number: string): Promise<string | undefined> {
  const row = await db.selectFrom("requests").select("id").where("org_id", "=", orgId).where("number", "=", number).executeTakeFirst();
  return row?.id;
}

/**
 * Open requests due before `before` whose event `request.overdue` is not recorded yet, oldest
 * deadline first (the caller checks each one against its own organisation's day).
 */
export async function overdueUntold(db: Kysely<DB>, before: string, afterId: string | null, limit: number): Promise<RequestRecord[]> {
  let q = db
    .selectFrom("requests")
    .selectAll()
    .where("overdue_event_at", "is", null)
    .where("status", "not in", ["answered", "closed"])
    .where("due_on", "<", before);
  if (afterId) q = q.where("id", ">", afterId);
  const rows = await q.orderBy("id").limit(limit).execute();
  return rows.map(toRecord);
}

/** Marks the overdue event of a request as recorded; undefined when it was already (or the request is no longer open). */
export async function markOverdueTold(db: Kysely<DB>, orgId: string, requestId: string, at: Date): Promise<RequestRecord | undefined> {
  const row = await db
    .updateTable("requests")
    .set({ overdue_event_at: at })
    .where("org_id", "=", orgId)
    .where("id", "=", requestId)
    .where("overdue_event_at", "is", null)
    .where("status", "not in", ["answered", "closed"])
    .returningAll()
    .executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/**
 * Sets a once-only day column (first acknowledgement, first holding reply) without touching the version:
 * an agent's open form stays valid. Returns the request when this call set it, undefined when it was set.
 */
export async function setFirstDay(
  db: Kysely<DB>,
  orgId: string,
  requestId: string,
  column: "acknowledged_on" | "holding_on",
  day: string,
): Promise<RequestRecord | undefined> {
  const row = await db
    .updateTable("requests")
    .set({ [column]: day })
    .where("org_id", "=", orgId)
    .where("id", "=", requestId)
    .where(column, "is", null)
    .returningAll()
    .executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/** Marks a request counted among the late ones; undefined when it already was. */
export async function markLateCounted(db: Kysely<DB>, orgId: string, requestId: string): Promise<RequestRecord | undefined> {
  const row = await db
    .updateTable("requests")
    .set({ late_counted: true })
    .where("org_id", "=", orgId)
    .where("id", "=", requestId)
    .where("late_counted", "=", false)
    .returningAll()
    .executeTakeFirst();
  return row ? toRecord(row) : undefined;
}
