import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { createCalendar, HOLIDAY_ZONES } from "../calendar/calendar.ts";
import { queueEmail } from "../mail/mail.service.ts";
import * as repo from "./alerts.repository.ts";

export { DEFAULT_DEADLINE_DAYS, type DeadlineRequests, deadlineRequestsPoint } from "./alerts.repository.ts";

export const ALERT_KINDS = [
  "deadline_soon",
  "deadline_passed",
  "complaint_received",
  "survey_very_unhappy",
  "comment_to_moderate",
  "import_failed",
  "request_escalated",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_KIND_LABELS: Record<AlertKind, string> = {
  deadline_soon: "Échéance proche d'une demande",
  deadline_passed: "Échéance dépassée d'une demande",
  complaint_received: "Réclamation reçue",
  survey_very_unhappy: "Réponse « très mécontent » à une enquête",
  comment_to_moderate: "Commentaire d'enquête à modérer",
  import_failed: "Import ou relève en échec",
  request_escalated: "Demande en retard qui vous est transmise",
};

export type AlertMode = "off" | "immediate" | "digest";
export const ALERT_MODE_LABELS: Record<AlertMode, string> = {
  immediate: "Courriel immédiat",
  digest: "Dans le récapitulatif quotidien",
  off: "Désactivée",
};

export interface NotifyInput {
  orgId: string;
  kind: AlertKind;
  /** What makes this alert itself (a request id, an answer id…): the same key never alerts the same person twice. */
  key: string;
  subject?: { type: "request" | "survey" | "import" | "mailbox"; id: string };
  /** Given: exactly these people; absent: the correspondents and administrators of the organisation and its ancestors. */
  recipients?: string[];
  title: string;
  text: string;
  /** A path of Vigie (« /organisations/… »), made absolute in e-mails. */
  link: string;
}

let publicBase = "";
/** The instance's address, for the links in e-mails (set once at start-up, like the pages' base). */
export function configureAlertLinks(base: string): void {
  publicBase = base.replace(/\/$/, "");
}

async function sendImmediate(db: Kysely<DB>, created: repo.NewNotification[]): Promise<void> {
  for (const n of created) {
    if (n.mode !== "immediate") continue;
    await queueEmail(db, {
      orgId: n.orgId,
      // Staff mail, not about one request's correspondence with the requester (like the digest).
      requestId: null,
      kind: "alert",
      to: n.email,
      subject: `Vigie — ${n.title}`,
      text: [`Bonjour ${n.displayName},`, "", n.body, "", `${publicBase}${n.link}`, "", "Vigie"].join("\n"),
    });
  }
}

/**
 * The one entry point of alerts: writes the notification for each recipient who has not turned the kind
 * off (nor the organisation), at most once per (org, kind, key, recipient), and queues the e-mail of those
 * who want it at once. Pass the transaction of the write that raises it: nothing is announced that did not
 * happen. Returns how many people were newly alerted.
 */
export async function notify(db: Kysely<DB>, input: NotifyInput): Promise<number> {
  const created = await repo.insertNotification(db, {
    orgId: input.orgId,
    kind: input.kind,
    key: input.key,
    subjectType: input.subject?.type ?? null,
    subjectId: input.subject?.id ?? null,
    recipients: input.recipients ?? null,
    title: input.title,
    text: input.text,
    link: input.link,
  });
  await sendImmediate(db, created);
  return created.length;
}

/** How far ahead the working days of each zone are listed: well beyond the largest N (30). */
const LOOKAHEAD_DAYS = 62;

/** The working days of every holiday zone from yesterday to LOOKAHEAD_DAYS ahead, for the set-based scan. */
export function workingDaysAhead(now: Date): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 86_400_000;
  for (const zone of HOLIDAY_ZONES) {
    const calendar = createCalendar({ zone, count: "ouvres" });
    const days: string[] = [];
    for (let t = start; t <= start + (LOOKAHEAD_DAYS + 1) * 86_400_000; t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      if (calendar.isWorkingDay(day)) days.push(day);
    }
    out[zone] = days;
  }
  return out;
}

/** The daily deadline scan (one statement for all organisations), then the e-mails; run twice, alerts once. */
export async function runDeadlineAlerts(db: Kysely<DB>, now = new Date()): Promise<number> {
  const workingDays = workingDaysAhead(now);
  return db.transaction().execute(async (trx) => {
    const created = await repo.insertDeadlineAlerts(trx, workingDays, now);
    await sendImmediate(trx, created);
    return created.length;
  });
}

export type { NotificationRecord } from "./alerts.repository.ts";

export async function myNotifications(db: Kysely<DB>, actor: Actor, limit = 100): Promise<repo.NotificationRecord[]> {
  return repo.listFor(db, actor.accountId, limit);
}

export async function unreadCount(db: Kysely<DB>, actor: Actor): Promise<number> {
  return repo.countUnread(db, actor.accountId);
}

export async function markNotificationsRead(db: Kysely<DB>, actor: Actor, id: string | null, now = new Date()): Promise<number> {
  return repo.markRead(db, actor.accountId, id, now);
}

/** The digest section: the person's alerts that chose the digest, each carried once. */
export async function digestAlerts(db: Kysely<DB>, accountId: string, orgIds: string[], date: string): Promise<string | null> {
  const items = await repo.takeForDigest(db, accountId, orgIds, date);
  if (!items.length) return null;
  return [`Alertes (${items.length}) :`, ...items.map((i) => `- ${i.title} — ${i.body}`)].join("\n");
}

export interface OrgAlertSettings {
  deadlineDays: number;
  enabled: AlertKind[];
}

export async function orgAlertSettings(db: Kysely<DB>, orgId: string): Promise<OrgAlertSettings> {
  const own = await repo.orgSetting(db, orgId);
  const disabled = new Set(own?.disabledKinds ?? []);
  return { deadlineDays: own?.deadlineDays ?? repo.DEFAULT_DEADLINE_DAYS, enabled: ALERT_KINDS.filter((k) => !disabled.has(k)) };
}

export async function saveOrgAlertSettings(db: Kysely<DB>, actor: Actor, orgId: string, input: OrgAlertSettings): Promise<void> {
  const before = await orgAlertSettings(db, orgId);
  const disabled = ALERT_KINDS.filter((k) => !input.enabled.includes(k));
  await db.transaction().execute(async (trx) => {
    await repo.saveOrgSetting(trx, orgId, input.deadlineDays, disabled);
    await recordAudit(trx, auditActor(actor), { orgId, action: "update", entity: "alert_settings", entityId: orgId, before, after: input });
  });
}

export async function myAlertPreferences(db: Kysely<DB>, actor: Actor): Promise<Record<AlertKind, AlertMode>> {
  const saved = await repo.preferencesOf(db, actor.accountId);
  const out = {} as Record<AlertKind, AlertMode>;
  for (const kind of ALERT_KINDS) {
    const mode = saved.get(kind);
    out[kind] = mode === "off" || mode === "digest" ? mode : "immediate";
  }
  return out;
}

export async function saveMyAlertPreferences(db: Kysely<DB>, actor: Actor, modes: Record<string, unknown>): Promise<void> {
  const clean: Record<string, AlertMode> = {};
  const fields: Record<string, string> = {};
  for (const kind of ALERT_KINDS) {
    const mode = modes[kind] ?? "immediate";
    if (mode !== "off" && mode !== "immediate" && mode !== "digest") fields[kind] = "Choisissez une des trois possibilités.";
    else clean[kind] = mode;
  }
  if (Object.keys(fields).length) throw new AppError("validation", { fields });
  await repo.savePreferences(db, actor.accountId, clean);
}
