import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { getSurvey } from "./definitions.service.ts";
import * as repo from "./surveys.repository.ts";

/** Free comments: masking, moderation, the published ones (part of the surveys module's service, re-exported by surveys.service.ts). */

// ---------------------------------------------------------------- comments

export const COMMENT_THEMES: Record<string, string> = {
  accueil: "Accueil et courtoisie",
  attente: "Attente et délais",
  joignabilite: "Joignabilité (téléphone, horaires)",
  information: "Information et clarté",
  orientation: "Orientation",
  locaux: "Locaux et accessibilité",
  en_ligne: "Démarches en ligne",
  autre: "Autre",
};

const EMAIL = /[\p{L}0-9._%+-]+@[\p{L}0-9.-]+\.[\p{L}]{2,}/gu;
const PHONE = /(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}/g;
const NIR = /\b[12]\s?\d{2}\s?(?:0[1-9]|1[0-2])\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}(?:\s?\d{2})?\b/g;

/**
 * A first pass at hiding personal data: e-mail addresses, phone numbers and social security numbers
 * become « [masqué] ». Names cannot be found reliably by pattern: the moderator reads every comment
 * and edits the text before publishing; this only pre-fills the field.
 */
export function maskPersonalData(text: string): string {
  return text.replace(EMAIL, "[masqué]").replace(NIR, "[masqué]").replace(PHONE, "[masqué]");
}

export async function listComments(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  filter: { status?: string | undefined; theme?: string | undefined },
) {
  await getSurvey(db, orgId, surveyId);
  return repo.listComments(db, orgId, surveyId, filter);
}

export async function reviewComment(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  input: {
    responseId: string;
    questionId: string;
    version: number;
    status: "pending" | "published" | "hidden";
    publishedText?: string | undefined;
    themes: string[];
  },
): Promise<void> {
  const unknownTheme = input.themes.find((t) => !(t in COMMENT_THEMES));
  if (unknownTheme) throw new AppError("validation", { fields: { themes: `Thème inconnu : ${unknownTheme}.` } });
  const text = input.publishedText?.trim();
  if (input.status === "published" && !text)
    throw new AppError("validation", { fields: { publishedText: "Saisissez le texte à publier, sans donnée personnelle." } });
  await db.transaction().execute(async (trx) => {
    const before = await repo.findComment(trx, orgId, input.responseId, input.questionId);
    if (!before) throw new AppError("http.not_found", { message: "Commentaire introuvable." });
    const ok = await repo.reviewComment(trx, orgId, input, { status: input.status, publishedText: text || null, themes: input.themes });
    if (!ok) throw new AppError("survey_comment.stale");
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "update",
      entity: "survey_comment",
      entityId: input.responseId,
      before: { status: before.status, publishedText: before.published_text, themes: before.themes },
      after: { status: input.status, publishedText: text || null, themes: input.themes },
    });
  });
}

/** Comments a moderator published, for the public results of a site or a network. */
export async function publishedComments(db: Kysely<DB>, orgId: string, limit = 10) {
  const rows = await repo.publishedComments(db, orgId, limit);
  return rows.map((r) => ({ siteId: r.site_id, answeredOn: r.answered_on, text: r.published_text ?? "", themes: r.themes }));
}
