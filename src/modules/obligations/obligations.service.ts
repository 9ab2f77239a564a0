import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { referentsOf } from "../accounts/accounts.service.ts";
import { createAction } from "../actions/actions.service.ts";
import { sitesAssessedIn } from "../assessments/assessments.service.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import type { TargetMetric } from "../frameworks/channels.ts";
import { commitmentsInScope } from "../frameworks/frameworks.service.ts";
import type { IndicatorBatchSource, IndicatorSource, IndicatorValue, OrgScope } from "../indicators/indicator.ts";
import { queueEmail } from "../mail/mail.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { openDataFigures, publishedIn } from "../publication/publication.service.ts";
import { sitesSurveyedIn } from "../surveys/surveys.service.ts";
import { type IndicatorRow, indicatorRows, parseExperiences, parseJdmaStatistics, type ResultRow, resultRows } from "./national.ts";
import * as repo from "./obligations.repository.ts";

/** The four things a site owes every year (SP+ commitments on measuring, assessing, reviewing, publishing). */
export const OBLIGATIONS = ["survey", "assessment", "review", "publication"] as const;
export type Obligation = (typeof OBLIGATIONS)[number];

export const OBLIGATION_LABELS: Record<Obligation, { title: string; missing: string; how: string }> = {
  survey: {
    title: "Enquête de satisfaction",
    missing: "mené son enquête de satisfaction",
    how: "au moins une réponse à une enquête Vigie dans l'année",
  },
  assessment: { title: "Auto-évaluation", missing: "signé son auto-évaluation", how: "l'auto-évaluation de l'année signée" },
  review: { title: "Bilan annuel", missing: "validé son bilan annuel", how: "le bilan annuel de l'année validé par le site" },
  publication: {
    title: "Publication des résultats",
    missing: "publié ses résultats",
    how: "des résultats publiés dans l'année (tâche de nuit ou « Publier les résultats maintenant »)",
  },
};

/** The framework target that makes each obligation yearly (data/frameworks: « per_year »). */
const OBLIGATION_METRICS: Record<Obligation, TargetMetric> = {
  survey: "satisfaction_survey",
  assessment: "self_assessment",
  review: "annual_review",
  publication: "results_publication",
};

export interface SiteStatus {
  id: string;
  name: string;
  done: Record<Obligation, boolean>;
  /**
   * Why the site owes each obligation this year: the commitment of its framework (or of its own local
   * commitments) that asks for it once a year, « loop » when no framework is adopted (the yearly loop of
   * Services Publics+ applies), or null when its framework does not ask for it every year.
   */
  owedBy: Record<Obligation, { number: number | null; title: string } | "loop" | null>;
}

export interface YearlyObligations {
  year: number;
  sites: SiteStatus[];
  /** For each obligation, the sites that owe it this year and have not met it yet, by name. */
  missing: Record<Obligation, SiteStatus[]>;
  /** For each obligation, the sites whose framework does not ask for it every year. */
  notOwed: Record<Obligation, number>;
}

/**
 * Where each site under `root` stands on its yearly obligations, as its framework sets them. Set-based:
 * the sites, the commitments in force (a fixed number of reads), then one query per obligation for the
 * whole subtree (through each module's service), whatever the number of sites.
 */
export async function yearlyObligations(db: Kysely<DB>, root: string, year: number): Promise<YearlyObligations> {
  const rootOrg = await getOrganisation(db, root);
  const siteRows = await repo.sitesUnder(db, root);
  const ids = siteRows.map((s) => s.id);
  const [surveyed, assessed, reviewed, published, commitments] = await Promise.all([
    sitesSurveyedIn(db, root, year),
    sitesAssessedIn(db, root, year),
    repo.reviewsSignedIn(db, root, year),
    publishedIn(db, ids, year),
    commitmentsInScope(db, rootOrg, siteRows),
  ]);
  const sets: Record<Obligation, Set<string>> = {
    survey: new Set(surveyed),
    assessment: new Set(assessed),
    review: new Set(reviewed),
    publication: new Set(published),
  };
  const sites: SiteStatus[] = siteRows.map((s) => {
    const inForce = commitments.get(s.id) ?? [];
    const owedBy = (o: Obligation): SiteStatus["owedBy"][Obligation] => {
      const c = inForce.find((c) => c.targets.some((t) => t.metric === OBLIGATION_METRICS[o] && t.unit === "per_year"));
      if (c) return { number: c.number, title: c.title };
      // No framework adopted (local commitments alone do not make one): the yearly loop of SP+ applies.
      return inForce.some((c) => c.source === "framework") ? null : "loop";
    };
    return {
      id: s.id,
      name: s.name,
      done: Object.fromEntries(OBLIGATIONS.map((o) => [o, sets[o].has(s.id)])) as Record<Obligation, boolean>,
      owedBy: Object.fromEntries(OBLIGATIONS.map((o) => [o, owedBy(o)])) as SiteStatus["owedBy"],
    };
  });
  const missing = Object.fromEntries(OBLIGATIONS.map((o) => [o, sites.filter((s) => s.owedBy[o] !== null && !s.done[o])])) as Record<
    Obligation,
    SiteStatus[]
  >;
  const notOwed = Object.fromEntries(OBLIGATIONS.map((o) => [o, sites.filter((s) => s.owedBy[o] === null).length])) as Record<
    Obligation,
    number
  >;
  return { year, sites, missing, notOwed };
}

export interface ReminderResult {
  sites: number;
  queued: number;
  /** Sites that have no referent of their own: nobody to remind there. */
  withoutReferent: string[];
}

/**
 * Reminds the referents of the sites under `root` that have not met `obligation` this year: one
 * message per referent and site, through the mail outbox (so the outbox says whether it left). The
 * messages and the record of the reminder are written together.
 */
export async function sendReminders(
  db: Kysely<DB>,
  actor: Actor,
  root: string,
  year: number,
  obligation: Obligation,
): Promise<ReminderResult> {
  const network = await getOrganisation(db, root);
  const { missing } = await yearlyObligations(db, root, year);
  const sites = missing[obligation];
  const referents = await referentsOf(
    db,
    sites.map((s) => s.id),
  );
  const label = OBLIGATION_LABELS[obligation];
  const withReferent = new Set(referents.map((r) => r.orgId));
  const names = new Map(sites.map((s) => [s.id, s.name]));
  const owed = new Map(sites.map((s) => [s.id, s.owedBy[obligation]]));
  /** What asks for it, from the site's framework (never null here: a site not owing it is not in `missing`). */
  const why = (orgId: string) => {
    const o = owed.get(orgId);
    return o && o !== "loop"
      ? `Votre référentiel le demande chaque année (engagement${o.number === null ? " local" : ` n° ${o.number}`} « ${o.title} »).`
      : "Cette obligation annuelle fait partie du programme Services Publics+.";
  };
  return db.transaction().execute(async (trx) => {
    const outboxIds: string[] = [];
    for (const r of referents) {
      outboxIds.push(
        await queueEmail(trx, {
          orgId: r.orgId,
          kind: "obligation-reminder",
          to: r.email,
          subject: `${names.get(r.orgId)} : ${label.title.toLowerCase()} ${year} à faire`,
          text: [
            "Bonjour,",
            "",
            `${network.name} vous rappelle que ${names.get(r.orgId)} n'a pas encore ${label.missing} pour ${year}.`,
            `Ce qui compte comme fait : ${label.how}.`,
            "",
            `${why(r.orgId)} Vous la retrouvez dans Vigie, sur la page de votre site.`,
            "",
            "— Vigie",
          ].join("\n"),
        }),
      );
    }
    await repo.insertReminder(trx, root, year, obligation, outboxIds);
    await recordAudit(trx, auditActor(actor), {
      orgId: root,
      action: "create",
      entity: "obligation",
      entityId: root,
      after: { year, obligation, sites: sites.length, messages: outboxIds.length },
    });
    return {
      sites: sites.length,
      queued: outboxIds.length,
      withoutReferent: sites.filter((s) => !withReferent.has(s.id)).map((s) => s.name),
    };
  });
}

export const remindersOf = repo.lastReminders;

/** A site says it held its annual review for the year (what the obligations view counts). */
export async function signAnnualReview(db: Kysely<DB>, actor: Actor, orgId: string, year: number): Promise<void> {
  const org = await getOrganisation(db, orgId);
  if (org.kind !== "site") throw new AppError("obligations.not_a_site");
  await db.transaction().execute(async (trx) => {
    if (await repo.signReview(trx, orgId, year, actor.displayName))
      await recordAudit(trx, auditActor(actor), { orgId: orgId, action: "create", entity: "review", entityId: orgId, after: { year } });
  });
}

/* ---------- Targets set per network, inherited below ---------- */

/** The indicators a network may set a target for, with what the target means. */
export const TARGET_KEYS: Record<string, { label: string; unit: "share" }> = {
  "calls.answer_rate": { label: "Taux de décroché des appels par un agent (hors serveur vocal)", unit: "share" },
  "requests.answered_in_time": { label: "Respect du délai annoncé", unit: "share" },
  "surveys.satisfaction": { label: "Taux de satisfaction globale", unit: "share" },
  "surveys.online_8_or_more": { label: "Démarches en ligne notées 8/10 ou plus", unit: "share" },
};

export interface EffectiveTarget {
  key: string;
  value: number | null;
  /** The organisation that set it: this one, or the nearest ancestor that does. */
  setOn: string | null;
  own: boolean;
}

/** Each target as it applies to `orgId`: its own, else its nearest ancestor's. One query. */
export async function effectiveTargets(db: Kysely<DB>, orgId: string): Promise<EffectiveTarget[]> {
  const org = await getOrganisation(db, orgId);
  const rows = await repo.targetsOnPath(db, org.path);
  const depth = new Map(org.path.map((id, i) => [id, i]));
  return Object.keys(TARGET_KEYS).map((key) => {
    const nearest = rows.filter((r) => r.indicator_key === key).sort((a, b) => (depth.get(b.org_id) ?? 0) - (depth.get(a.org_id) ?? 0))[0];
    return { key, value: nearest ? Number(nearest.value) : null, setOn: nearest?.org_id ?? null, own: nearest?.org_id === orgId };
  });
}

export async function setTargets(db: Kysely<DB>, actor: Actor, orgId: string, values: Record<string, number | null>): Promise<void> {
  await getOrganisation(db, orgId);
  await db.transaction().execute(async (trx) => {
    for (const [key, value] of Object.entries(values)) if (key in TARGET_KEYS) await repo.setTarget(trx, orgId, key, value);
    await recordAudit(trx, auditActor(actor), { orgId: orgId, action: "update", entity: "targets", entityId: orgId, after: values });
  });
}

/* ---------- National formats ---------- */

/** The network an organisation belongs to, as the national data sets name it: the top of its tree. */
async function networkName(db: Kysely<DB>, orgId: string): Promise<string> {
  const org = await getOrganisation(db, orgId);
  const top = org.path[0];
  return top && top !== orgId ? (await getOrganisation(db, top)).name : org.name;
}

/** The published figures of a subtree's sites in the lines of the national `export-resultats`, for a whole year. */
export async function nationalResults(db: Kysely<DB>, root: string, year: number): Promise<ResultRow[]> {
  const network = await networkName(db, root);
  const rows: ResultRow[] = [];
  for await (const batch of openDataFigures(db, root)) rows.push(...resultRows(batch, year, network));
  return rows;
}

/** The definitions of the indicators the network publishes, in the lines of the national `export-indicateurs`. */
export async function nationalIndicators(db: Kysely<DB>, root: string): Promise<IndicatorRow[]> {
  return indicatorRows(await networkName(db, root));
}

export interface ImportReport {
  read: number;
  added: number;
  errors: string[];
}

/** Imports an Experiences export into the organisation's feedback. A file with any error changes nothing. */
export async function importExperiences(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  bytes: Uint8Array,
  fileName: string,
): Promise<ImportReport> {
  await getOrganisation(db, orgId);
  const parsed = parseExperiences(bytes, fileName);
  if (parsed.errors.length) return { read: parsed.rows.length, added: 0, errors: parsed.errors.slice(0, 50) };
  const added = await db.transaction().execute(async (trx) => {
    const n = await repo.insertFeedback(trx, orgId, parsed.rows);
    await recordAudit(trx, auditActor(actor), {
      orgId: orgId,
      action: "create",
      entity: "feedback",
      entityId: orgId,
      after: { read: parsed.rows.length, added: n },
    });
    return n;
  });
  return { read: parsed.rows.length, added, errors: [] };
}

export interface JdmaReport {
  /** Counts read: a procedure × a period × a question. */
  counts: number;
  products: number;
  /** Distinct periods (a month, most often). */
  periods: number;
  errors: string[];
}

/**
 * Imports « Je donne mon avis » statistics (the open API's JSON answer) into the organisation's
 * feedback figures. A file with any error changes nothing; counts already there for the same
 * procedure, period and question are replaced, so importing a file twice counts it once.
 */
export async function importJdmaStatistics(db: Kysely<DB>, actor: Actor, orgId: string, bytes: Uint8Array): Promise<JdmaReport> {
  await getOrganisation(db, orgId);
  const parsed = parseJdmaStatistics(bytes);
  const products = new Set(parsed.rows.map((r) => r.productId)).size;
  const periods = new Set(parsed.rows.map((r) => r.periodStart)).size;
  if (parsed.errors.length) return { counts: parsed.rows.length, products, periods, errors: parsed.errors };
  await db.transaction().execute(async (trx) => {
    await repo.upsertJdma(trx, orgId, parsed.rows);
    await recordAudit(trx, auditActor(actor), {
      orgId: orgId,
      action: "create",
      entity: "feedback",
      entityId: orgId,
      after: { source: "jdma", counts: parsed.rows.length, products },
    });
  });
  return { counts: parsed.rows.length, products, periods, errors: [] };
}

/** The satisfaction answers of the organisation's own procedures in a year, for its feedback page. */
export function jdmaProducts(db: Kysely<DB>, orgId: string, year: number) {
  return repo.jdmaByProduct(db, orgId, `${year}-01-01`, `${year}-12-31`);
}

export type { FeedbackRow } from "./obligations.repository.ts";

export function listFeedback(db: Kysely<DB>, orgId: string, limit = 200) {
  return repo.listFeedback(db, orgId, { limit });
}

/** The replies an organisation made public, for its public results page. */
export function publicReplies(db: Kysely<DB>, orgId: string, limit = 20) {
  return repo.listFeedback(db, orgId, { repliedOnly: true, limit });
}

export async function getFeedback(db: Kysely<DB>, orgId: string, id: string) {
  const row = await repo.findFeedback(db, orgId, id);
  if (!row) throw new AppError("feedback.not_found");
  return row;
}

export async function replyToFeedback(db: Kysely<DB>, actor: Actor, orgId: string, id: string, reply: string): Promise<void> {
  const before = await getFeedback(db, orgId, id);
  const text = reply.trim();
  if (text.length < 2) throw new AppError("validation", { fields: { reply: "Écrivez la réponse publique." } });
  if (text.length > 4000) throw new AppError("validation", { fields: { reply: "La réponse ne peut dépasser 4 000 caractères." } });
  await db.transaction().execute(async (trx) => {
    await repo.writeReply(trx, orgId, id, text, actor.displayName);
    await recordAudit(trx, auditActor(actor), {
      orgId: orgId,
      action: "update",
      entity: "feedback",
      entityId: id,
      before: { reply: before.publicReply },
      after: { reply: text },
    });
  });
}

/**
 * Puts a user's story in the action plan: an action of this year's plan, titled from the story, which
 * the story then points to (what the « turned into actions » count reads). A story already in the plan
 * keeps its action.
 */
export async function turnIntoAction(db: Kysely<DB>, actor: Actor, orgId: string, id: string): Promise<{ actionId: string }> {
  const story = await getFeedback(db, orgId, id);
  if (story.actionId) return { actionId: story.actionId };
  const excerpt = story.body.length > 120 ? `${story.body.slice(0, 119).trimEnd()}…` : story.body;
  const { id: actionId } = await createAction(db, actor, orgId, {
    title: `Avis d'usager ${story.externalId}\u00a0: ${excerpt}`,
    planYear: new Date().getFullYear(),
    commitmentId: undefined,
    channel: undefined,
    owner: undefined,
    service: undefined,
    dueOn: undefined,
    status: undefined,
  });
  // Two clicks at once: the second action stays in the plan, unlinked, rather than replacing the first link.
  if (!(await repo.linkAction(db, orgId, id, actionId))) return { actionId: (await getFeedback(db, orgId, id)).actionId ?? actionId };
  return { actionId };
}

/** Received, answered within the delay, turned into actions: the feedback indicator of a year. */
export function feedbackIndicator(db: Kysely<DB>, orgId: string, year: number, withinDays = 15) {
  return repo.feedbackCounts(db, orgId, year, withinDays);
}

/* ---------- The feedback indicator ---------- */

/**
 * Services Publics+ engagement 7 (2021 and 2023): users give their opinion, the national platform
 * « Je donne mon avis » among the ways, and the service answers the stories published about it.
 */
const FEEDBACK_COMMITMENTS = ["sp+2021/7", "sp+2023/7"];

/** The delay a user's story should be answered in: the 15 days of Marianne (2008, commitment 13). */
const FEEDBACK_DELAY_DAYS = 15;

function feedbackValues(f: repo.FeedbackFigures): IndicatorValue[] {
  return [
    {
      key: "feedback.received",
      label: "Avis d'usagers reçus (Services Publics+)",
      unit: "count",
      value: f.received,
      target: null,
      better: "higher",
      sample: f.received,
      commitments: FEEDBACK_COMMITMENTS,
    },
    {
      key: "feedback.answered_in_time",
      label: `Avis d'usagers ayant reçu une réponse publique dans les ${FEEDBACK_DELAY_DAYS} jours`,
      unit: "share",
      value: f.received ? f.answered_in_time / f.received : null,
      target: null,
      better: "higher",
      sample: f.received,
      commitments: FEEDBACK_COMMITMENTS,
    },
    {
      key: "feedback.into_actions",
      label: "Avis d'usagers transformés en actions du plan",
      unit: "count",
      value: f.actions,
      target: null,
      better: "higher",
      sample: f.received,
      commitments: FEEDBACK_COMMITMENTS,
    },
  ];
}

/** The « Je donne mon avis » satisfaction of online procedures: the share of « Très bien » among the answers. */
function jdmaValues(j: repo.JdmaFigures | undefined): IndicatorValue[] {
  const answers = j ? j.good + j.medium + j.bad : 0;
  if (!j || answers === 0) return [];
  return [
    {
      key: "feedback.jdma_satisfaction",
      label: "Démarches en ligne : avis « Très bien » (Je donne mon avis)",
      unit: "share",
      value: j.good / answers,
      target: null,
      better: "higher",
      sample: answers,
      commitments: FEEDBACK_COMMITMENTS,
      channel: "web",
    },
  ];
}

export const feedbackIndicatorSource: IndicatorSource = async (db, orgId, period) => {
  const [[row], [jdma]] = await Promise.all([
    repo.feedbackFigures(db, { only: orgId }, period.from, period.to, FEEDBACK_DELAY_DAYS),
    repo.jdmaFigures(db, { only: orgId }, period.from, period.to),
  ]);
  return [...(row ? feedbackValues(row) : []), ...jdmaValues(jdma)];
};

/** The same for every organisation of a scope, each over its subtree: two grouped reads. */
export const feedbackIndicatorBatch: IndicatorBatchSource = async (db, scope, period) => {
  const [rows, jdma] = await Promise.all([
    repo.feedbackFigures(db, scope, period.from, period.to, FEEDBACK_DELAY_DAYS),
    repo.jdmaFigures(db, scope, period.from, period.to),
  ]);
  const out = new Map(rows.map((r) => [r.org_id, feedbackValues(r)]));
  for (const j of jdma) out.set(j.org_id, [...(out.get(j.org_id) ?? []), ...jdmaValues(j)]);
  return out;
};

/* ---------- Network targets in the figures ---------- */

/** The network targets in force for one organisation, by indicator key. One query. */
export async function networkTargetsOf(db: Kysely<DB>, orgId: string): Promise<Map<string, number>> {
  const rows = await repo.nearestTargets(db, { only: orgId });
  return new Map(rows.map((r) => [r.key, r.value]));
}

/** The same for every organisation of a scope: one query, whatever their number. */
export async function networkTargetsInScope(db: Kysely<DB>, scope: OrgScope): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  for (const r of await repo.nearestTargets(db, scope)) {
    const mine = out.get(r.orgId) ?? new Map<string, number>();
    mine.set(r.key, r.value);
    out.set(r.orgId, mine);
  }
  return out;
}

/**
 * The figures with the network's targets in place of the framework's, where a node of the path sets
 * one (the phone pick-up at 85 % rather than the default): what the dashboard's lights, the published
 * figures, the annual review and the comparison read (through indicators/sources.ts).
 */
export function withTargets(values: IndicatorValue[], targets: Map<string, number> | undefined): IndicatorValue[] {
  if (!targets?.size) return values;
  return values.map((v) => (targets.has(v.key) ? { ...v, target: targets.get(v.key) ?? v.target } : v));
}
