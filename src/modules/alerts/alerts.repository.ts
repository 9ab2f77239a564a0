import { type Kysely, type RawBuilder, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import { contributionPoint } from "../../kernel/contributions.ts";
import { accountContactsSql, holdersOnPathSql, reachableAmongSql } from "../accounts/accounts.service.ts";
import { organisationPlacesSql, pathOfSql } from "../organisations/organisations.service.ts";

/** Working days before a deadline for `deadline_soon` when neither the organisation nor an ancestor set it. */
export const DEFAULT_DEADLINE_DAYS = 2;

/**
 * The requests whose deadlines the daily scan watches, lent by the requests module through its
 * description: requests sends its alerts through this module, so this module does not import it back
 * (docs/architecture.md). `openDueBefore` is a derived table (`org_id`, `id`, `number`, `subject`,
 * `due_on`) of the open, unpaused requests due before a date expression.
 */
export interface DeadlineRequests {
  openDueBefore(before: RawBuilder<unknown>): RawBuilder<unknown>;
}
export const deadlineRequestsPoint = contributionPoint<DeadlineRequests>("alerts.deadlineRequests");

function deadlineRequests(): DeadlineRequests {
  const lent = deadlineRequestsPoint.items()[0];
  if (!lent) throw new Error("Le module requests n'a pas prêté ses demandes ouvertes au balayage des échéances.");
  return lent;
}

/** Who receives an alert by default: the correspondents and administrators of the organisation or an ancestor. */
const ALERTED_ROLES = ["correspondent", "admin"] as const;

/** A notification just written (the conflict clause returns only new ones), with what its e-mail needs. */
export interface NewNotification {
  orgId: string;
  id: string;
  kind: string;
  mode: "immediate" | "digest";
  title: string;
  body: string;
  link: string;
  email: string;
  displayName: string;
}

type Row = {
  org_id: string;
  id: string;
  kind: string;
  mode: string;
  title: string;
  body: string;
  link: string;
  email: string;
  display_name: string;
};

const toNew = (r: Row): NewNotification => ({
  orgId: r.org_id,
  id: r.id,
  kind: r.kind,
  mode: r.mode === "digest" ? "digest" : "immediate",
  title: r.title,
  body: r.body,
  link: r.link,
  email: r.email,
  displayName: r.display_name,
});

export interface NotifyRow {
  orgId: string;
  kind: string;
  key: string;
  subjectType: string | null;
  subjectId: string | null;
  recipients: string[] | null;
  title: string;
  text: string;
  link: string;
}

/**
 * One alert for its recipients, in one statement: the default recipients are the active people with
 * a correspondent or administrator role on the organisation or an ancestor; the organisation's setting
 * (its own, else its nearest ancestor's) may turn the kind off, and each person's preference may turn it
 * off or send it to the digest. The unique key (org, kind, key, recipient) makes a second call a no-op.
 */
export async function insertNotification(db: Kysely<DB>, n: NotifyRow): Promise<NewNotification[]> {
  // The path is the organisation's ancestors, read by organisations' scalar subquery inside this statement.
  const path = pathOfSql(n.orgId);
  const people = n.recipients === null ? holdersOnPathSql(path, ALERTED_ROLES) : reachableAmongSql(n.recipients);
  const result = await sql<Row>`
    with setting as (
      select s.disabled_kinds from alert_settings s
      join unnest(${path}) with ordinality as p(id, depth) on p.id = s.org_id
      order by p.depth desc limit 1
    ),
    people as (select distinct a.id, a.email, a.display_name from ${people} a),
    chosen as (
      select p.*, coalesce(ap.mode, 'immediate') as mode from people p
      left join alert_preferences ap on ap.account_id = p.id and ap.kind = ${n.kind}
      where coalesce(ap.mode, 'immediate') <> 'off'
        and not (${n.kind} = any(coalesce((select disabled_kinds from setting), '{}'::text[])))
    ),
    inserted as (
      insert into notifications (org_id, kind, key, recipient_id, subject_type, subject_id, title, body, link, mode)
      select ${n.orgId}, ${n.kind}, ${n.key}, c.id, ${n.subjectType}, ${n.subjectId}::uuid, ${n.title}, ${n.text}, ${n.link}, c.mode
      from chosen c
      on conflict (org_id, kind, key, recipient_id) do nothing
      returning org_id, id, kind, mode, title, body, link, recipient_id
    )
    select i.org_id, i.id, i.kind, i.mode, i.title, i.body, i.link, c.email, c.display_name
    from inserted i join chosen c on c.id = i.recipient_id
    order by c.display_name`.execute(db);
  return result.rows.map(toNew);
}

/**
 * The daily deadline scan for every organisation in one statement (issue #15, point 3):
 * - `deadline_soon`: an open request whose due date is at most N working days ahead of its site's today
 *   (counted in the working days of its holiday zone, given by the calendar module in `workingDays`), N
 *   being the site's setting, else its nearest ancestor's, else DEFAULT_DEADLINE_DAYS; key: request and
 *   due date, so a request given a new date is announced again, and a missed day is caught the next one;
 * - `deadline_passed`: an open request whose due date is before its site's today; key: request and due date.
 * Recipients, settings and preferences as in insertNotification. The requests come from the requests
 * module (`deadlineRequestsPoint`), each site's place from organisations, the recipients from accounts:
 * expressions they lend, so the scan stays a single set-based statement.
 */
export async function insertDeadlineAlerts(db: Kysely<DB>, workingDays: Record<string, string[]>, now: Date): Promise<NewNotification[]> {
  const result = await sql<Row>`
    with zone_days as (
      select z.key as zone, d::date as day
      from jsonb_each(${JSON.stringify(workingDays)}::jsonb) as z(key, value)
      cross join lateral jsonb_array_elements_text(z.value) as d
    ),
    open_requests as (
      select r.org_id, r.id, r.number, r.subject, r.due_on, o.path, o.holiday_zone,
        (${now}::timestamptz at time zone o.time_zone)::date as today,
        coalesce((
          select s.deadline_days from alert_settings s
          join unnest(o.path) with ordinality as p(id, depth) on p.id = s.org_id
          order by p.depth desc limit 1
        ), ${DEFAULT_DEADLINE_DAYS}) as n,
        coalesce((
          select s.disabled_kinds from alert_settings s
          join unnest(o.path) with ordinality as p(id, depth) on p.id = s.org_id
          order by p.depth desc limit 1
        ), '{}'::text[]) as disabled
      from ${deadlineRequests().openDueBefore(sql`(${now}::timestamptz at time zone 'UTC')::date + 62`)} r
      join ${organisationPlacesSql()} o on o.id = r.org_id
    ),
    measured as (
      select q.*,
        (select count(*) from zone_days z where z.zone = q.holiday_zone and z.day > q.today and z.day <= q.due_on)::int as ahead
      from open_requests q
    ),
    alerts as (
      select m.org_id, m.id as request_id, m.path, 'deadline_passed' as kind,
        'Échéance dépassée : demande ' || m.number as title,
        'La demande ' || m.number || ' (« ' || m.subject || ' ») a dépassé son échéance.' as body,
        m.id || ':' || m.due_on as key
      from measured m where m.due_on < m.today and not ('deadline_passed' = any(m.disabled))
      union all
      select m.org_id, m.id, m.path, 'deadline_soon',
        'Échéance proche : demande ' || m.number,
        'La demande ' || m.number || ' (« ' || m.subject || ' ») arrive à échéance dans ' || m.ahead
          || case when m.ahead > 1 then ' jours ouvrés.' else ' jour ouvré.' end,
        m.id || ':' || m.due_on
      from measured m where m.due_on >= m.today and m.ahead <= m.n and not ('deadline_soon' = any(m.disabled))
    ),
    chosen as (
      select al.*, a.id as recipient_id, a.email, a.display_name, coalesce(ap.mode, 'immediate') as mode
      from alerts al
      cross join lateral ${holdersOnPathSql(sql.ref("al.path"), ALERTED_ROLES)} a
      left join alert_preferences ap on ap.account_id = a.id and ap.kind = al.kind
      where coalesce(ap.mode, 'immediate') <> 'off'
    ),
    inserted as (
      insert into notifications (org_id, kind, key, recipient_id, subject_type, subject_id, title, body, link, mode)
      select c.org_id, c.kind, c.key, c.recipient_id, 'request', c.request_id, c.title, c.body,
        '/organisations/' || c.org_id || '/requests/' || c.request_id, c.mode
      from chosen c
      on conflict (org_id, kind, key, recipient_id) do nothing
      returning org_id, id, kind, mode, title, body, link, recipient_id
    )
    select i.org_id, i.id, i.kind, i.mode, i.title, i.body, i.link, a.email, a.display_name
    from inserted i join ${accountContactsSql()} a on a.id = i.recipient_id
    order by i.org_id, i.kind, a.display_name`.execute(db);
  return result.rows.map(toNew);
}

export interface NotificationRecord {
  orgId: string;
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string;
  createdAt: Date;
  read: boolean;
}

export async function listFor(db: Kysely<DB>, accountId: string, limit: number): Promise<NotificationRecord[]> {
  const rows = await db
    .selectFrom("notifications")
    .select(["org_id", "id", "kind", "title", "body", "link", "created_at", "read_at"])
    .where("recipient_id", "=", accountId)
    .orderBy("created_at", "desc")
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    orgId: r.org_id,
    id: r.id,
    kind: r.kind,
    title: r.title,
    body: r.body,
    link: r.link,
    createdAt: r.created_at,
    read: r.read_at !== null,
  }));
}

export async function countUnread(db: Kysely<DB>, accountId: string): Promise<number> {
  const row = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("recipient_id", "=", accountId)
    .where("read_at", "is", null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Marks one (by id) or all of a person's notifications read; another person's id matches nothing. */
export async function markRead(db: Kysely<DB>, accountId: string, id: string | null, now: Date): Promise<number> {
  let q = db.updateTable("notifications").set({ read_at: now }).where("recipient_id", "=", accountId).where("read_at", "is", null);
  if (id !== null) q = q.where("id", "=", id);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The person's alerts waiting for the digest, taken (marked) in the same statement so each goes once. */
export async function takeForDigest(
  db: Kysely<DB>,
  accountId: string,
  orgIds: string[],
  date: string,
): Promise<Array<{ title: string; body: string }>> {
  if (!orgIds.length) return [];
  const rows = await db
    .updateTable("notifications")
    .set({ digested_on: date })
    .where("recipient_id", "=", accountId)
    .where("mode", "=", "digest")
    .where("digested_on", "is", null)
    .where("org_id", "in", orgIds)
    .returning(["title", "body", "created_at"])
    .execute();
  return rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime()).map((r) => ({ title: r.title, body: r.body }));
}

export async function orgSetting(db: Kysely<DB>, orgId: string): Promise<{ deadlineDays: number; disabledKinds: string[] } | null> {
  const row = await db
    .selectFrom("alert_settings")
    .select(["deadline_days", "disabled_kinds"])
    .where("org_id", "=", orgId)
    .executeTakeFirst();
  return row ? { deadlineDays: row.deadline_days, disabledKinds: row.disabled_kinds } : null;
}

export async function saveOrgSetting(db: Kysely<DB>, orgId: string, deadlineDays: number, disabledKinds: string[]): Promise<void> {
  await db
    .insertInto("alert_settings")
    .values({ org_id: orgId, deadline_days: deadlineDays, disabled_kinds: disabledKinds })
    .onConflict((oc) =>
      oc.column("org_id").doUpdateSet({ deadline_days: deadlineDays, disabled_kinds: disabledKinds, updated_at: new Date() }),
    )
    .execute();
}

export async function preferencesOf(db: Kysely<DB>, accountId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom("alert_preferences").select(["kind", "mode"]).where("account_id", "=", accountId).execute();
  return new Map(rows.map((r) => [r.kind, r.mode]));
}

export async function savePreferences(db: Kysely<DB>, accountId: string, modes: Record<string, string>): Promise<void> {
  await db.deleteFrom("alert_preferences").where("account_id", "=", accountId).execute();
  const values = Object.entries(modes).map(([kind, mode]) => ({ account_id: accountId, kind, mode }));
  if (values.length) await db.insertInto("alert_preferences").values(values).execute();
}
