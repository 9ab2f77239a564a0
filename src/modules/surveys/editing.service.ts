import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { searchCommitments } from "../frameworks/frameworks.service.ts";
import { forgetSurvey, getSurvey, notFound } from "./definitions.service.ts";
import { parseQuestionnaire, type Questionnaire, unknownCommitments } from "./questionnaire.ts";
import * as repo from "./surveys.repository.ts";
import { decideVersion, type VersionDecision } from "./versioning.ts";

/** A survey's settings, draft and publication (part of the surveys module's service, re-exported by surveys.service.ts). */

// ---------------------------------------------------------------- settings and editing

async function settingsOf(db: Kysely<DB>, orgId: string, surveyId: string): Promise<repo.SurveySettings> {
  const settings = await repo.surveySettings(db, orgId, surveyId);
  if (!settings) throw notFound();
  return settings;
}

export async function surveySettings(db: Kysely<DB>, orgId: string, surveyId: string) {
  return settingsOf(db, orgId, surveyId);
}

/** Opens or closes a survey, turns invitations on or off, revokes kiosk links. Versioned: 409 on a stale form. */
export async function updateSurveySettings(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  surveyId: string,
  input: {
    version: number;
    status?: "open" | "closed" | undefined;
    inviteAfterAnswer?: boolean | undefined;
    rotateKiosk?: boolean | undefined;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await settingsOf(trx, orgId, surveyId);
    const ok = await repo.updateSurvey(trx, orgId, surveyId, input.version, input);
    if (!ok) throw new AppError("survey.stale");
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "update",
      entity: "survey",
      entityId: surveyId,
      before: { status: before.status, inviteAfterAnswer: before.inviteAfterAnswer },
      after: {
        status: input.status ?? before.status,
        inviteAfterAnswer: input.inviteAfterAnswer ?? before.inviteAfterAnswer,
        ...(input.rotateKiosk ? { kioskLinksRevoked: true } : {}),
      },
    });
  });
  forgetSurvey(db, orgId, surveyId);
}

/** The questionnaire being edited: the saved draft, or the current version when there is none. */
export async function draftOf(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
): Promise<{ questionnaire: Questionnaire; saved: boolean; version: number }> {
  const survey = await getSurvey(db, orgId, surveyId);
  const settings = await settingsOf(db, orgId, surveyId);
  if (settings.draft) {
    const parsed = parseQuestionnaire(settings.draft);
    if (parsed.ok) return { questionnaire: parsed.questionnaire, saved: true, version: settings.version };
  }
  return { questionnaire: survey.questionnaire, saved: false, version: settings.version };
}

/** Saves a draft after checking it: the published version does not change until « publier ». */
export async function saveDraft(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  surveyId: string,
  version: number,
  definition: unknown,
): Promise<Questionnaire> {
  const parsed = parseQuestionnaire(definition);
  if (!parsed.ok) {
    const message = parsed.errors.map((e) => `${e.where} : ${e.message}`).join(" ");
    throw new AppError("validation", { message, fields: { definition: message } });
  }
  const known = await knownCommitmentIds(db);
  const unknown = unknownCommitments(parsed.questionnaire, known);
  if (unknown.length) {
    const message = `Engagement inconnu : ${unknown.join(", ")}.`;
    throw new AppError("validation", { message, fields: { definition: message } });
  }
  await db.transaction().execute(async (trx) => {
    if (!(await repo.updateSurvey(trx, orgId, surveyId, version, { draft: parsed.questionnaire }))) throw new AppError("survey.stale");
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "update",
      entity: "survey_draft",
      entityId: surveyId,
      after: parsed.questionnaire,
    });
  });
  return parsed.questionnaire;
}

async function knownCommitmentIds(db: Kysely<DB>): Promise<Set<string>> {
  return new Set((await searchCommitments(db, {})).map((c) => c.id));
}

/** What publishing the draft would do: nothing, an edit in place, or a new version, with the changes in French. */
export async function previewPublication(db: Kysely<DB>, orgId: string, surveyId: string, correction: boolean): Promise<VersionDecision> {
  const survey = await getSurvey(db, orgId, surveyId);
  const { questionnaire } = await draftOf(db, orgId, surveyId);
  const responseCount = await repo.responsesToVersion(db, orgId, surveyId, survey.version);
  return decideVersion({ number: survey.version, questionnaire: survey.questionnaire, responseCount }, questionnaire, { correction });
}

/**
 * Publishes the draft. Answers keep the version they were given on: with answers, a change of
 * structure or wording makes version n + 1 (the unique key refuses a second n + 1 from a concurrent
 * editor); a declared correction of wording is written in place and its before/after kept in the audit log.
 */
export async function publishDraft(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  surveyId: string,
  input: { version: number; correction: boolean },
): Promise<VersionDecision> {
  const decision = await db.transaction().execute(async (trx) => {
    const survey = await getSurvey(trx, orgId, surveyId);
    const { questionnaire } = await draftOf(trx, orgId, surveyId);
    const responseCount = await repo.responsesToVersion(trx, orgId, surveyId, survey.version);
    const decided = decideVersion({ number: survey.version, questionnaire: survey.questionnaire, responseCount }, questionnaire, input);
    if (!(await repo.updateSurvey(trx, orgId, surveyId, input.version, { draft: null, title: questionnaire.title })))
      throw new AppError("survey.stale");
    if (decided.action === "new_version") await repo.insertVersion(trx, orgId, surveyId, decided.number, questionnaire);
    if (decided.action === "update") await repo.replaceVersion(trx, orgId, surveyId, decided.number, questionnaire);
    if (decided.action !== "none")
      await recordAudit(trx, auditActor(actor), {
        orgId,
        action: "update",
        entity: "survey_version",
        entityId: surveyId,
        before: { version: survey.version, questionnaire: survey.questionnaire },
        after: { version: decided.number, questionnaire, changes: decided.changes, correction: input.correction },
      });
    return decided;
  });
  forgetSurvey(db, orgId, surveyId);
  return decision;
}
