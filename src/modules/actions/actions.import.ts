import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor } from "../audit/audit.service.ts";
import { organisationPath } from "../organisations/organisations.service.ts";
import { actionsByNumber, applyActionChange, insertActionIn, knownCommitmentIds } from "./actions.service.ts";
import { type PlanSheet, readPlan } from "./actions.xlsx.ts";

export interface PlanImportReport {
  sheet: PlanSheet;
  added: number;
  updated: number;
  committed: boolean;
}

/**
 * Checks a spreadsheet of actions and, when asked and when every line is right, writes it all in one
 * transaction: a line whose N° is an action of the organisation updates it, another line adds one.
 */
export async function importPlan(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  bytes: Uint8Array,
  options: { commit: boolean; defaultYear: number },
): Promise<PlanImportReport> {
  const sheet = await readPlan(bytes, options.defaultYear);
  const numbers = sheet.lines.map((l) => l.number).filter((n): n is number => n !== null);
  const known = await actionsByNumber(db, orgId, numbers);
  const commitments = await knownCommitmentIds(db, orgId);
  for (const l of sheet.lines) {
    const existing = known.find((a) => a.number === l.number);
    // As on the form: a commitment the organisation holds, or the one the action already had.
    if (l.commitmentId && !commitments.has(l.commitmentId) && existing?.commitmentId !== l.commitmentId) {
      sheet.errors.push({
        line: l.line,
        message: `Engagement « ${l.commitmentId} » : ni dans le référentiel adopté, ni dans les engagements locaux.`,
      });
    }
    if (l.number !== null && !known.some((a) => a.number === l.number)) {
      sheet.errors.push({
        line: l.line,
        message: `N° ${l.number} : aucune action de ce numéro ici (laissez le N° vide pour en ajouter une).`,
      });
    }
  }
  sheet.errors.sort((a, b) => a.line - b.line);
  const updated = sheet.lines.filter((l) => l.number !== null).length;
  const report = { sheet, added: sheet.lines.length - updated, updated, committed: false };
  if (!options.commit || sheet.errors.length || !sheet.lines.length) return report;
  const path = (await organisationPath(db, orgId)) ?? [orgId];
  const author = auditActor(actor);
  await db.transaction().execute(async (trx) => {
    for (const l of sheet.lines) {
      const values = {
        title: l.title,
        commitmentId: l.commitmentId,
        channel: l.channel,
        owner: l.owner,
        service: l.service,
        dueOn: l.dueOn,
        planYear: l.planYear,
        status: l.status,
      };
      const existing = known.find((a) => a.number === l.number);
      if (existing) {
        const same = Object.entries(values).every(([k, v]) => existing[k as keyof typeof existing] === v);
        if (!same) await applyActionChange(trx, author, existing, existing.version, values, null);
      } else {
        await insertActionIn(trx, author, orgId, path, { ...values, leverId: null, origin: "import" });
      }
    }
  });
  return { ...report, committed: true };
}
