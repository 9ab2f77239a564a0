import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../../../db/schema.ts";
import { AppError, type FieldErrors } from "../../../kernel/errors.ts";
import { NBSP, plural } from "../../../ui/format.ts";
import { type AuditActor, recordAudit } from "../../audit/audit.service.ts";
import { emitEvent } from "../../integrations/webhooks.service.ts";
import { enqueue, type JobContext, PermanentJobError, wakeWorkers } from "../../jobs/jobs.service.ts";
import { planRegistrations, writeRegistrations } from "../registration.ts";
import { type Duplicate, daysOf, splitDuplicates } from "./duplicates.ts";
import * as repo from "./import.repository.ts";
import { lockImports, requestsReceivedOn } from "./import.repository.ts";
import { type ColumnMapping, type Constants, IMPORT_FIELDS } from "./mapping.ts";
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

/** The checks that need no database: the mapping and every row. The report has no duplicates yet. */
export function checkImport(plan: ImportPlan): ImportReport {
  const { good, ...checked } = check(plan);
  return { ...checked, duplicates: [], fresh: good, created: [] };
}

/** What a caller of commitImport (the queued import) does beside the registration. */
export interface CommitSteps {
  /** The rows are checked and their deadlines worked out; `valid` of them are about to be registered, together. */
  registering?(valid: number): Promise<void>;
  /** Inside the transaction, once the rows are written: lands with them or not at all (throwing undoes everything). */
  recorded?(trx: Kysely<DB>, report: ImportReport): Promise<void>;
}

/**
 * All or nothing: with one bad row nothing is written and the report says why. Otherwise every
 * new row is registered in one transaction, and rows already registered are left alone.
 */
export async function commitImport(
  db: Kysely<DB>,
  orgId: string,
  plan: ImportPlan,
  author: AuditActor,
  steps: CommitSteps = {},
): Promise<ImportReport> {
  const { good, ...checked } = check(plan);
  if (!isClean({ ...checked, duplicates: [], fresh: [], created: [] })) return previewImport(db, orgId, plan);
  // Deadlines for every valid row, computed before the transaction so it holds its lock briefly.
  const registration = await planRegistrations(
    db,
    orgId,
    good.map((g) => g.input),
  );
  await steps.registering?.(good.length);
  return db.transaction().execute(async (trx) => {
    await lockImports(trx, orgId);
    const existing = await requestsReceivedOn(trx, orgId, daysOf(good.map((g) => g.input)));
    const { fresh, duplicates } = splitDuplicates(good, existing);
    const freshLines = new Set(fresh.map((f) => f.line));
    const requests = registration.requests.filter((_, i) => freshLines.has(good[i]?.line ?? -1));
    const { registered, countInRollups } = await writeRegistrations(trx, { ...registration, requests }, { source: "import", author });
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
    const report = { ...checked, duplicates, fresh, created };
    await steps.recorded?.(trx, report);
    // Last: the network's rollup rows stay locked from here to the commit (see countInRollups).
    await countInRollups();
    return report;
  });
}

/*
 * The commit of a register, run by the job queue (issue #18, point 4): the page records the import
 * and its plan (request_imports) and enqueues the job in the same transaction, then shows the import's
 * own page, which follows it. Progress is coarse, not row by row: the rows are registered in one
 * transaction (all or nothing, under the import lock, duplicates skipped), whose writes no other
 * connection sees before the end. The page tells the steps apart: in the queue; running, rows being
 * checked; running, N rows of M being registered together; the report — or the failure.
 */

export const IMPORT_JOB = "requests.import";
export const importJobPayload = z.object({ orgId: z.string().uuid(), importId: z.string().uuid() });
/** A person waits on the page: a few tries, close together, then the page says it failed. */
const IMPORT_ATTEMPTS = 3;

const planSchema = z.object({
  sheet: z.object({
    columns: z.array(z.string()),
    rows: z.array(z.object({ line: z.number().int(), cells: z.array(z.string()) })),
  }),
  mapping: z.partialRecord(z.enum(IMPORT_FIELDS), z.number().int()),
  constants: z.partialRecord(z.enum(IMPORT_FIELDS), z.string()),
});

/** What the import's page shows once the job has ended: nothing of the people, only lines and numbers. */
export interface QueuedImportReport {
  created: Array<{ line: number; id: string; number: string }>;
  duplicates: Duplicate[];
  invalid: BadRow[];
}

export interface QueuedImport extends Omit<repo.ImportRow, "report"> {
  report: QueuedImportReport | null;
}

/**
 * Records the import and enqueues its commit, in one transaction; then wakes this server's worker so
 * the job starts now rather than at its next poll. The caller has checked the plan (checkImport).
 */
export async function queueImport(db: Kysely<DB>, orgId: string, fileName: string, plan: ImportPlan, author: AuditActor): Promise<string> {
  const id = await db.transaction().execute(async (trx) => {
    const importId = await repo.insertImport(trx, orgId, {
      fileName,
      plan,
      rowCount: plan.sheet.rows.length,
      createdBy: author.accountId,
      createdByLabel: author.label,
    });
    await enqueue(trx, {
      name: IMPORT_JOB,
      payload: { orgId, importId },
      dedupeKey: `${IMPORT_JOB}:${importId}`,
      maxAttempts: IMPORT_ATTEMPTS,
    });
    return importId;
  });
  wakeWorkers();
  return id;
}

export async function getQueuedImport(db: Kysely<DB>, orgId: string, importId: string): Promise<QueuedImport> {
  const row = await repo.findImport(db, orgId, importId);
  if (!row) throw new AppError("request.import_not_found");
  return { ...row, report: row.report === null ? null : (row.report as QueuedImportReport) };
}

/** Drops a failed import; an import still queued, running or done stays (false). */
export function discardQueuedImport(db: Kysely<DB>, orgId: string, importId: string): Promise<boolean> {
  return repo.deleteFailedImport(db, orgId, importId);
}

/** Thrown inside the registering transaction when another run has taken the import over: this run's writes are undone. */
class TakenOver extends Error {}

const failedMessage = `L'enregistrement a échoué${NBSP}: aucune demande de ce fichier n'a été enregistrée. Abandonnez cet import, puis déposez le fichier de nouveau${NBSP}; si l'échec se répète, prévenez l'administrateur de Vigie.`;
const retryMessage = `Un essai d'enregistrement a échoué${NBSP}: un nouvel essai est prévu dans quelques instants.`;

/**
 * The job. Idempotent: a second run of a finished import finds it ended and does nothing; a run that
 * takes over from a dead worker starts again, and the lock and the duplicate detection of commitImport
 * make sure rows the first run may have registered are not registered twice. The import ends in the
 * transaction that registers its rows, so its report is never lost nor written twice.
 */
export async function runQueuedImport(payload: z.infer<typeof importJobPayload>, ctx: JobContext): Promise<void> {
  const { db } = ctx;
  const { orgId, importId } = payload;
  const runner = randomUUID();
  const started = await repo.startImport(db, orgId, importId, runner);
  if (!started) return;
  const end = (status: "done" | "failed" | "queued", report?: QueuedImportReport, message?: string) =>
    repo.endImport(db, orgId, importId, runner, { status, report, message });
  const plan = planSchema.safeParse(started.plan);
  if (!plan.success) {
    await end("failed", undefined, failedMessage);
    throw new PermanentJobError(`import de registre ${importId} : plan illisible`);
  }
  const author = { accountId: started.created_by, label: started.created_by_label };
  try {
    const report = await commitImport(db, orgId, plan.data, author, {
      registering: async (valid) => {
        if (!(await repo.markRegistering(db, orgId, importId, runner, valid))) throw new TakenOver();
      },
      recorded: async (trx, report) => {
        const ended = await repo.endImport(trx, orgId, importId, runner, { status: "done", report: reportOf(report) });
        if (!ended) throw new TakenOver();
      },
    });
    // Rows checked on the preview cannot turn bad, but a plan is read back from the database: say so rather than lose it.
    if (!isClean(report)) await end("failed", reportOf(report), invalidMessage(report));
  } catch (error) {
    if (error instanceof TakenOver) return;
    const last = ctx.attempt >= ctx.maxAttempts;
    await end(last ? "failed" : "queued", undefined, last ? failedMessage : retryMessage).catch(() => undefined);
    throw error;
  }
}

const reportOf = (r: ImportReport): QueuedImportReport => ({ created: r.created, duplicates: r.duplicates, invalid: r.invalid });

function invalidMessage(report: ImportReport): string {
  if (Object.keys(report.mappingErrors).length > 0)
    return `La correspondance des colonnes ne convient pas${NBSP}: rien n'a été enregistré. Abandonnez cet import et recommencez.`;
  return `${plural(report.invalid.length, "ligne est", "lignes sont")} à corriger${NBSP}: rien n'a été enregistré. Abandonnez cet import, corrigez le fichier et déposez-le de nouveau.`;
}
