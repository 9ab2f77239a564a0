import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import { localDay } from "../../kernel/time.ts";
import { organisationsWithAuditBefore, purgeAuditBefore, scrubAuditOfRequests } from "../audit/audit.privacy.ts";
import { type AuditActor, INSTANCE_SCOPE, recordAudit } from "../audit/audit.service.ts";
import { anonymiseOutboxOfRequests, anonymiseOutboxTo, outboxTo } from "../mail/mail.privacy.ts";
import { anonymiseCollectedFrom, anonymiseMailOfRequests, attachmentsOf, collectedFrom } from "../mailboxes/mailboxes.privacy.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import {
  anonymiseRequests,
  anonymiseRequestsEndedBefore,
  notesOf,
  organisationsWithEndedRequests,
  requestsOfPerson,
} from "../requests/requests.privacy.ts";
import { eraseCommentsAnsweredBefore, organisationsWithComments } from "../surveys/surveys.privacy.ts";
import { keptFrom, REQUEST_KIND_OF, RETENTION_KINDS, RETENTION_RULES, type RetentionKind } from "./retention.ts";

export type RetentionPeriods = Record<RetentionKind, number>;

export async function retentionPeriods(db: Kysely<DB>, orgId: string): Promise<RetentionPeriods> {
  const rows = await db.selectFrom("retention_periods").select(["kind", "months"]).where("org_id", "=", orgId).execute();
  const periods = Object.fromEntries(RETENTION_KINDS.map((k) => [k, RETENTION_RULES[k].months])) as RetentionPeriods;
  for (const row of rows) if (row.kind in periods) periods[row.kind as RetentionKind] = row.months;
  return periods;
}

export interface PrivacyContact {
  contactEmail: string;
  dpoName: string;
  dpoEmail: string;
}

export async function privacyContact(db: Kysely<DB>, orgId: string): Promise<PrivacyContact> {
  const row = await db.selectFrom("privacy_contacts").selectAll().where("org_id", "=", orgId).executeTakeFirst();
  return { contactEmail: row?.contact_email ?? "", dpoName: row?.dpo_name ?? "", dpoEmail: row?.dpo_email ?? "" };
}

/** Saves the periods and the contact in one transaction, with the audit line beside them. */
export async function savePrivacySettings(
  db: Kysely<DB>,
  author: AuditActor,
  orgId: string,
  periods: RetentionPeriods,
  contact: PrivacyContact,
): Promise<void> {
  await getOrganisation(db, orgId);
  for (const kind of RETENTION_KINDS) {
    const { min = 1, max = 1200, label } = RETENTION_RULES[kind];
    const value = periods[kind];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new AppError("validation", { fields: { [`months_${kind}`]: `${label}\u00a0: entre ${min} et ${max}\u00a0mois.` } });
    }
  }
  const before = { periods: await retentionPeriods(db, orgId), contact: await privacyContact(db, orgId) };
  await db.transaction().execute(async (trx) => {
    const pdb = trx;
    await pdb
      .insertInto("retention_periods")
      .values(RETENTION_KINDS.map((kind) => ({ org_id: orgId, kind, months: periods[kind] })))
      .onConflict((oc) =>
        oc.columns(["org_id", "kind"]).doUpdateSet((eb) => ({ months: eb.ref("excluded.months"), updated_at: new Date() })),
      )
      .execute();
    await pdb
      .insertInto("privacy_contacts")
      .values({ org_id: orgId, contact_email: contact.contactEmail, dpo_name: contact.dpoName, dpo_email: contact.dpoEmail })
      .onConflict((oc) =>
        oc.column("org_id").doUpdateSet({
          contact_email: contact.contactEmail,
          dpo_name: contact.dpoName,
          dpo_email: contact.dpoEmail,
          updated_at: new Date(),
        }),
      )
      .execute();
    await recordAudit(trx, author, {
      orgId,
      action: "update",
      entity: "retention_period",
      entityId: orgId,
      before,
      after: { periods, contact },
    });
  });
}

/**
 * One organisation's retention run: every ended request past its kind's period loses its person, by
 * batches, with its outbox messages and collected mail. Idempotent: an anonymised request is never
 * picked again. Returns how many requests were anonymised.
 */
export async function applyRetention(db: Kysely<DB>, orgId: string, now = new Date(), batch = 1000): Promise<number> {
  const org = await getOrganisation(db, orgId);
  const periods = await retentionPeriods(db, orgId);
  const today = localDay(org.timeZone, now);
  let total = 0;
  // Comments count from the day of the answer: an answer has no case to close.
  const comments = await eraseCommentsAnsweredBefore(db, orgId, keptFrom(today, periods.survey_comments));
  for (const kind of RETENTION_KINDS) {
    const requestKind = REQUEST_KIND_OF[kind];
    if (!requestKind) continue;
    const before = keptFrom(today, periods[kind]);
    for (;;) {
      const ids = await anonymiseRequestsEndedBefore(db, orgId, [requestKind], before, batch, now, (trx, picked) =>
        scrubAuditOfRequests(trx, orgId, picked),
      );
      await anonymiseOutboxOfRequests(db, orgId, ids);
      await anonymiseMailOfRequests(db, orgId, ids);
      total += ids.length;
      if (ids.length < batch) break;
    }
  }
  if (total > 0 || comments > 0) {
    await recordAudit(
      db,
      { accountId: null, label: "système (durées de conservation)" },
      {
        orgId,
        action: "anonymise",
        entity: "personal_data",
        entityId: orgId,
        after: { requests: total, surveyComments: comments, on: today },
      },
    );
  }
  return total;
}

/**
 * The daily job: every organisation holding ended requests, then every one holding survey comments, in
 * pages of 200. An organisation in both lists runs twice; the second run finds nothing left to do.
 */
export async function applyAllRetention(db: Kysely<DB>, now = new Date()): Promise<number> {
  let total = 0;
  for (const holders of [organisationsWithEndedRequests, organisationsWithComments]) {
    let after: string | null = null;
    for (;;) {
      const orgIds = await holders(db, after, 200);
      for (const orgId of orgIds) total += await applyRetention(db, orgId, now);
      const last = orgIds.at(-1);
      if (orgIds.length < 200 || !last) break;
      after = last;
    }
  }
  return total;
}

/** The first instant an audit period keeps: midnight UTC of the first day kept. */
function auditKeptFrom(now: Date, months: number): Date {
  return new Date(`${keptFrom(now.toISOString().slice(0, 10), months)}T00:00:00Z`);
}

/**
 * The audit log's retention: each organisation's lines older than its « Journal d'audit » period are
 * deleted, and the instance's own lines (accounts, sign-in settings, legal pages) after the default
 * period. Only organisations holding lines older than the shortest period set anywhere are visited, so
 * the nightly run reads the old months only (partition pruning on PostgreSQL). One audit line per
 * organisation says how many went and up to when. Returns the number of lines deleted.
 */
export async function applyAuditRetention(db: Kysely<DB>, now = new Date()): Promise<number> {
  const shortest = await db
    .selectFrom("retention_periods")
    .select((eb) => eb.fn.min<number>("months").as("months"))
    .where("kind", "=", "audit")
    .executeTakeFirst();
  const oldest = auditKeptFrom(now, Math.min(shortest?.months ?? Number.POSITIVE_INFINITY, RETENTION_RULES.audit.months));
  let total = 0;
  let after: string | null = null;
  for (;;) {
    const orgIds = await organisationsWithAuditBefore(db, oldest, after, 200);
    for (const orgId of orgIds) {
      const months = orgId === INSTANCE_SCOPE ? RETENTION_RULES.audit.months : (await retentionPeriods(db, orgId)).audit;
      const before = auditKeptFrom(now, months);
      const deleted = await purgeAuditBefore(db, orgId, before);
      if (deleted > 0) {
        total += deleted;
        await recordAudit(
          db,
          { accountId: null, label: "système (durées de conservation)" },
          {
            orgId: orgId === INSTANCE_SCOPE ? null : orgId,
            action: "delete",
            entity: "audit_log",
            entityId: orgId,
            after: { deleted, before: before.toISOString().slice(0, 10) },
          },
        );
      }
    }
    const last = orgIds.at(-1);
    if (orgIds.length < 200 || !last) break;
    after = last;
  }
  return total;
}

export interface PersonQuery {
  email?: string | undefined;
  name?: string | undefined;
}

export interface PersonData {
  query: PersonQuery;
  requests: Awaited<ReturnType<typeof requestsOfPerson>>;
  notes: Awaited<ReturnType<typeof notesOf>>;
  attachments: Awaited<ReturnType<typeof attachmentsOf>>;
  outbox: Awaited<ReturnType<typeof outboxTo>>;
  collected: Awaited<ReturnType<typeof collectedFrom>>;
}

function checkQuery(query: PersonQuery): void {
  if (!query.email && !query.name) {
    throw new AppError("validation", { fields: { email: "Saisissez l'adresse électronique ou le nom de la personne." } });
  }
}

/** Everything the organisation holds about one person: requests, their notes and files, mail out and in. */
export async function findPerson(db: Kysely<DB>, orgId: string, query: PersonQuery): Promise<PersonData> {
  checkQuery(query);
  await getOrganisation(db, orgId);
  const requests = await requestsOfPerson(db, orgId, query);
  const ids = requests.map((r) => r.id);
  // Mail is found by the addresses of the person's requests too, so a search by name finds it.
  const emails = [
    ...new Set([query.email, ...requests.map((r) => r.requester.email)].filter((e): e is string => !!e).map((e) => e.toLowerCase())),
  ];
  const outbox = (await Promise.all(emails.map((e) => outboxTo(db, orgId, e)))).flat();
  const collected = (await Promise.all(emails.map((e) => collectedFrom(db, orgId, e)))).flat();
  return { query, requests, notes: await notesOf(db, orgId, ids), attachments: await attachmentsOf(db, orgId, ids), outbox, collected };
}

/** The export (access right, RGPD art. 15), recorded in the audit log: who exported whose data. */
export async function exportPerson(db: Kysely<DB>, author: AuditActor, orgId: string, query: PersonQuery): Promise<PersonData> {
  const data = await findPerson(db, orgId, query);
  await recordAudit(db, author, {
    orgId,
    action: "export",
    entity: "personal_data",
    // Not the e-mail or name searched: the line outlives an erasure, the person must not. The numbers say whose.
    entityId: "export sur demande",
    after: { requests: data.requests.map((r) => r.number), outbox: data.outbox.length, collected: data.collected.length },
  });
  return data;
}

/**
 * Erasure (RGPD art. 17): the person's requests are anonymised like at the end of their period, their
 * mail out and in loses them. The audit line names the receipt numbers, never the person again.
 */
export async function erasePerson(db: Kysely<DB>, author: AuditActor, orgId: string, query: PersonQuery): Promise<{ requests: number }> {
  const data = await findPerson(db, orgId, query);
  const ids = data.requests.map((r) => r.id);
  const emails = [...new Set([query.email, ...data.requests.map((r) => r.requester.email)].filter((e): e is string => !!e))];
  await anonymiseOutboxOfRequests(db, orgId, ids);
  await anonymiseMailOfRequests(db, orgId, ids);
  for (const email of emails) {
    await anonymiseOutboxTo(db, orgId, email);
    await anonymiseCollectedFrom(db, orgId, email);
  }
  // Last, so a crash above leaves the requests findable and the erasure can be asked again.
  await anonymiseRequests(db, orgId, ids, new Date(), (trx, picked) => scrubAuditOfRequests(trx, orgId, picked));
  await recordAudit(db, author, {
    orgId,
    action: "anonymise",
    entity: "personal_data",
    entityId: "effacement sur demande",
    after: { requests: data.requests.map((r) => r.number) },
  });
  return { requests: ids.length };
}
