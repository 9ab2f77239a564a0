import type { Kysely } from "kysely";
import type { DB } from "../../../db/schema.ts";
import type { FieldErrors } from "../../../kernel/errors.ts";
import { type AuditActor, recordAudit } from "../../audit/audit.service.ts";
import { emitEvent } from "../../integrations/webhooks.service.ts";
import { planRegistrations, writeRegistrations } from "../registration.ts";
import { type Duplicate, daysOf, splitDuplicates } from "./duplicates.ts";
import { lockImports, requestsReceivedOn } from "./import.repository.ts";
import type { ColumnMapping, Constants } from "./mapping.ts";
import type { Sheet } from "./sheet.ts";
import { type BadRow, checkMapping, checkRows, type GoodRow } from "./validate.ts";

export interface ImportPlan {
  sheet: Sheet;
  mapping: ColumnMapping;
  constants: Constants;
}

export interface ImportReport {
  /** What is wrong with the mapping; when there is anything, no row was checked. */
  mappingErrors: FieldErrors;
  rowCount: number;
  invalid: BadRow[];
  duplicates: Duplicate[];
  /** Valid rows not yet registered: what a commit registers. */
  fresh: GoodRow[];
  created: Array<{ line: number; id: string; number: string }>;
}

/** True when the file can be committed: a right mapping and not one bad row. */
export const isClean = (r: ImportReport) => Object.keys(r.mappingErrors).length === 0 && r.invalid.length === 0;

function check(plan: ImportPlan): Omit<ImportReport, "duplicates" | "fresh" | "created"> & { good: GoodRow[] } {
  const base = { rowCount: plan.sheet.rows.length };
  const mappingErrors = checkMapping(plan.sheet.columns, plan.mapping, plan.constants);
  if (Object.keys(mappingErrors).length > 0) return { ...base, mappingErrors, invalid: [], good: [] };
  const { good, bad } = checkRows(plan.sheet, plan.mapping, plan.constants);
  return { ...base, mappingErrors, invalid: bad, good };
}

/** The dry run: every row checked, duplicates found, nothing written. */
export async function previewImport(db: Kysely<DB>, orgId: string, plan: ImportPlan): Promise<ImportReport> {
  const { good, ...checked } = check(plan);
  const existing = await requestsReceivedOn(db, orgId, daysOf(good.map((g) => g.input)));
  return { ...checked, ...splitDuplicates(good, existing), created: [] };
}

/**
 * All or nothing: with one bad row nothing is written and the report says why. Otherwise every
 * new row is registered in one transaction, and rows already registered are left alone.
 */
export async function commitImport(db: Kysely<DB>, orgId: string, plan: ImportPlan, author: AuditActor): Promise<ImportReport> {
  const { good, ...checked } = check(plan);
  if (!isClean({ ...checked, duplicates: [], fresh: [], created: [] })) return previewImport(db, orgId, plan);
  // Deadlines for every valid row, computed before the transaction so it holds its lock briefly.
  const registration = await planRegistrations(
    db,
    orgId,
    good.map((g) => g.input),
  );
  return db.transaction().execute(async (trx) => {
    await lockImports(trx, orgId);
    const existing = await requestsReceivedOn(trx, orgId, daysOf(good.map((g) => g.input)));
    const { fresh, duplicates } = splitDuplicates(good, existing);
    const freshLines = new Set(fresh.map((f) => f.line));
    const requests = registration.requests.filter((_, i) => freshLines.has(good[i]?.line ?? -1));
    const registered = await writeRegistrations(trx, { ...registration, requests }, { source: "import", author });
    const created = registered.map((r, i) => ({ line: fresh[i]?.line ?? 0, id: r.request.id, number: r.request.number }));
    if (created.length > 0) {
      await recordAudit(trx, author, {
        orgId,
        action: "create",
        entity: "request_import",
        entityId: orgId,
        after: { created: created.length, alreadyRegistered: duplicates.length, numbers: [created[0]?.number, created.at(-1)?.number] },
      });
    }
    await emitEvent(trx, {
      type: "import.finished",
      orgId,
      data: { created: created.length, alreadyRegistered: duplicates.length, requestIds: created.map((c) => c.id) },
    });
    return { ...checked, duplicates, fresh, created };
  });
}
