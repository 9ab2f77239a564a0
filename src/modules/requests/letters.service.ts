import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { queueEmail } from "../mail/mail.service.ts";
import {
  DEFAULT_TEMPLATES,
  type LetterFacts,
  type LetterKind,
  type LetterTemplate,
  PUBLIC_ACKNOWLEDGEMENT,
  renderLetter,
  unknownPlaceholders,
} from "./letters.ts";

export interface StoredTemplate extends LetterTemplate {
  kind: LetterKind;
  /** The organisation whose template this is (itself or an ancestor); null for the built-in text. */
  ownerId: string | null;
  version: number;
}

/** The template in force for an organisation: its own, else its nearest ancestor's, else the built-in one. */
export async function templateFor(db: Kysely<DB>, path: string[], kind: LetterKind): Promise<StoredTemplate> {
  const rows = path.length
    ? await db.selectFrom("letter_templates").selectAll().where("org_id", "in", path).where("kind", "=", kind).execute()
    : [];
  for (const id of [...path].reverse()) {
    const row = rows.find((r) => r.org_id === id);
    if (row) return { kind, subject: row.subject, body: row.body, ownerId: row.org_id, version: row.version };
  }
  return { kind, ...DEFAULT_TEMPLATES[kind], ownerId: null, version: 0 };
}

export async function saveTemplate(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  kind: LetterKind,
  input: { subject: string; body: string; version: number },
): Promise<void> {
  const unknown = [...unknownPlaceholders(input.subject), ...unknownPlaceholders(input.body)];
  if (unknown.length) {
    throw new AppError("validation", { fields: { body: `Champ inconnu : ${unknown.map((u) => `{${u}}`).join(", ")}.` } });
  }
  await db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("letter_templates")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("kind", "=", kind)
      .executeTakeFirst();
    // Version 0: the organisation had no template of its own yet.
    const expected = before?.version ?? 0;
    if (expected !== input.version) throw new AppError("template.stale");
    const after = before
      ? await trx
          .updateTable("letter_templates")
          .set({ subject: input.subject, body: input.body, version: before.version + 1, updated_at: new Date() })
          .where("org_id", "=", orgId)
          .where("kind", "=", kind)
          .where("version", "=", before.version)
          .returningAll()
          .executeTakeFirst()
      : await trx
          .insertInto("letter_templates")
          .values({ org_id: orgId, kind, subject: input.subject, body: input.body })
          // Someone saved the first version meanwhile: theirs stands, this one is stale.
          .onConflict((oc) => oc.columns(["org_id", "kind"]).doNothing())
          .returningAll()
          .executeTakeFirst();
    if (!after) throw new AppError("template.stale");
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: before ? "update" : "create",
      entity: "letter_template",
      entityId: kind,
      before,
      after,
    });
  });
}

/** The letter as it would be sent today, for printing. */
export async function composeLetter(db: Kysely<DB>, path: string[], kind: LetterKind, facts: LetterFacts): Promise<LetterTemplate> {
  return renderLetter(await templateFor(db, path, kind), facts);
}

/** Queues the fixed public acknowledgement (see PUBLIC_ACKNOWLEDGEMENT) in the caller's transaction. */
export async function sendPublicAcknowledgement(
  db: Kysely<DB>,
  orgId: string,
  requestId: string,
  to: string,
  facts: LetterFacts,
): Promise<string | null> {
  const letter = renderLetter(PUBLIC_ACKNOWLEDGEMENT, facts);
  return queueEmail(db, { orgId, requestId, kind: "acknowledgement", to, subject: letter.subject, text: letter.body });
}

/**
 * Queues the letter for the requester by e-mail, in the caller's transaction. Returns the outbox id,
 * or null when there is no address to send it to (the letter is then printed and posted from the
 * request page). A letter with a blank left without a value is refused before anything is queued.
 */
export async function sendLetter(
  db: Kysely<DB>,
  orgId: string,
  path: string[],
  requestId: string,
  kind: LetterKind,
  to: string | null,
  facts: LetterFacts,
  /** Added after the letter, for the e-mail only (the survey invitation). */
  postscript?: string,
): Promise<string | null> {
  if (!to) return null;
  const letter = renderLetter(await templateFor(db, path, kind), facts);
  const text = postscript ? `${letter.body}\n\n${postscript}` : letter.body;
  return queueEmail(db, { orgId, requestId, kind, to, subject: letter.subject, text });
}
