import { z } from "zod";
import { digestSections } from "../../kernel/digest.ts";
import { roleAllows } from "../../kernel/roles.ts";
import { INSTANCE_TIME_ZONE, localDay } from "../../kernel/time.ts";
import { activeAccountsWithGrants, activeAccountWithGrants } from "../accounts/accounts.service.ts";
import { organisationCalendar } from "../calendar/calendar.service.ts";
import { CHANNEL_LABELS, REQUEST_KIND_LABELS } from "../frameworks/channels.ts";
import { enqueue } from "../jobs/jobs.service.ts";
import { defineJob, scheduleDaily } from "../jobs/registry.ts";
import { alreadyQueued, queueEmail } from "../mail/mail.service.ts";
import { getOrganisation, subtree } from "../organisations/organisations.service.ts";
import { runEscalation } from "./escalation.service.ts";
import { frenchDate } from "./letters.ts";
import * as repo from "./requests.repository.ts";
import { emitOverdueEvents } from "./requests.service.ts";

/**
 * The daily reminder: each agent and referent receives the list of open requests of their
 * organisations that are overdue or due within two working days. The day's job is enqueued once
 * (dedupe key per day), and it fans out one job per account (dedupe key per day and account),
 * so a crash or a second server never sends anyone the same reminder twice.
 */
const DIGEST = "requests.digest";
const DIGEST_ACCOUNT = "requests.digest.account";
const DIGEST_TIME_ZONE = INSTANCE_TIME_ZONE;

export const digestJob = defineJob(DIGEST, z.object({}).passthrough(), async (_payload, ctx) => {
  const date = localDay(DIGEST_TIME_ZONE, ctx.now);
  for (const account of await activeAccountsWithGrants(ctx.db)) {
    if (!account.grants.some((g) => roleAllows(g.role, "request.write"))) continue;
    await enqueue(ctx.db, { name: DIGEST_ACCOUNT, payload: { date, accountId: account.id }, dedupeKey: `${DIGEST}:${date}:${account.id}` });
  }
});

export const digestAccountJob = defineJob(
  DIGEST_ACCOUNT,
  z.object({ date: z.string(), accountId: z.string().uuid() }),
  async ({ accountId }, ctx) => {
    const account = await activeAccountWithGrants(ctx.db, accountId);
    if (!account) return;
    const roots = account.grants.filter((g) => roleAllows(g.role, "request.write")).map((g) => g.orgId);
    const first = roots[0];
    if (!first) return;
    const orgIds = [...new Set((await Promise.all(roots.map((r) => subtree(ctx.db, r)))).flat().map((o) => o.id))];
    const org = await getOrganisation(ctx.db, first);
    // "Overdue" and "due soon" are read on the organisation's own calendar and clock (overseas sites too).
    const date = localDay(org.timeZone, ctx.now);
    const calendar = await organisationCalendar(ctx.db, org);
    const dueBy = calendar.addWorkingDays(date, 2);
    const requests = await repo.listRequests(ctx.db, { orgIds, openOnly: true, dueBy, limit: 500 });
    const subject = `Vigie — vos demandes à traiter au ${frenchDate(date)}`;
    // The outbox is the record of what went out: a retry after a crash finds the message there. Checked
    // before the sections, since a section may take what it shows (the alerts waiting for the digest).
    if (await alreadyQueued(ctx.db, { kind: "digest", recipient: account.email, subject })) return;
    const others = await digestSections(ctx.db, { orgIds, date, accountId });
    if (!requests.length && !others.length) return;
    const overdue = requests.filter((r) => r.dueOn !== null && r.dueOn < date);
    const soon = requests.filter((r) => r.dueOn !== null && r.dueOn >= date);
    const line = (r: repo.RequestRecord) =>
      `- ${r.number} — ${REQUEST_KIND_LABELS[r.kind]} par ${CHANNEL_LABELS[r.channel].toLowerCase()} — « ${r.subject} » — échéance le ${frenchDate(r.dueOn)}`;
    const text = [
      `Bonjour ${account.displayName},`,
      "",
      overdue.length ? `En retard (${overdue.length}) :\n${overdue.map(line).join("\n")}` : "Aucune demande en retard.",
      "",
      soon.length ? `À traiter sous deux jours ouvrés (${soon.length}) :\n${soon.map(line).join("\n")}` : "",
      "",
      ...others.flatMap((text) => [text, ""]),
      "Vigie",
    ].join("\n");
    await queueEmail(ctx.db, { orgId: first, kind: "digest", to: account.email, subject, text });
  },
);

scheduleDaily({ name: DIGEST, hour: 7, timeZone: DIGEST_TIME_ZONE, payload: {} });

/**
 * The webhook event `request.overdue`, once a day after midnight in metropolitan France: a deadline
 * passed in an overseas zone is told at the next run (within a day). Each request is told once.
 */
const OVERDUE_EVENTS = "requests.overdue-events";
export const overdueEventsJob = defineJob(OVERDUE_EVENTS, z.object({}).passthrough(), async (_payload, ctx) => {
  await emitOverdueEvents(ctx.db, ctx.now);
});
scheduleDaily({ name: OVERDUE_EVENTS, hour: 1, timeZone: DIGEST_TIME_ZONE, payload: {} });

/**
 * Escalation (issue #15, point 4), each morning before the digest so a new holder finds the request in it.
 * Idempotent by construction (a step is recorded once per request, see escalateOverdue), so a retry or a
 * second run the same day does nothing more.
 */
const ESCALATION = "requests.escalation";
export const escalationJob = defineJob(ESCALATION, z.object({}).passthrough(), async (_payload, ctx) => {
  const moved = await runEscalation(ctx.db, ctx.now);
  if (moved.length) ctx.log.info({ escalated: moved.length }, "demandes en retard transmises");
});
scheduleDaily({ name: ESCALATION, hour: 6, timeZone: DIGEST_TIME_ZONE, payload: {} });
