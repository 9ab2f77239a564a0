import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { type Kysely, sql } from "kysely";
import type pg from "pg";
import { postgresPool } from "../../db/database.ts";
import { ensureMonthPartitions } from "../../db/partitions.ts";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { SpreadsheetError } from "../../kernel/spreadsheets/limits.ts";
import { plural } from "../../ui/format.ts";
import { notify } from "../alerts/alerts.service.ts";
import { type AuditActor, auditActor, recordAudit } from "../audit/audit.service.ts";
import { enqueue, jobState, wakeWorkers } from "../jobs/jobs.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { type CallRecord, callKey } from "./call-record.ts";
import { CallCopy, singleConnection, TooManyGroups } from "./calls.copy.ts";
import * as repo from "./calls.repository.ts";
import type { PushedCall } from "./calls.schema.ts";
import { type CallSettings, getCallSettings, saveMapping } from "./calls.settings.ts";
import { type LocalDateTime, localClock, localDay, parseLocalDateTime, slotOf } from "./local-time.ts";
import type { CallMapping } from "./mapped.ts";
import { type CallFormat, FaultyLine, MappingError, readCallFile } from "./read-file.ts";
import { importFilePath, removeFile } from "./upload.ts";

/**
 * The imports of call logs, from the upload to the calls recorded or the file dropped: reading into the
 * staging table, recording in slices, resuming after a crash, dropping; and the calls pushed through the API.
 * Re-exported by calls.service.ts, the module's surface for the others.
 */

/** The first day of a day's month. */
export const monthStart = (day: string) => `${day.slice(0, 7)}-01`;

/** The ancestors of an organisation: its path (root first, itself last) without itself. */
const ancestorsOf = (path: string[], orgId: string) => path.filter((id) => id !== orgId);

export type ImportView = repo.ImportRow;

const importNotFound = () => new AppError("http.not_found", { message: "Import introuvable." });

export async function getImport(db: Kysely<DB>, orgId: string, importId: string): Promise<ImportView> {
  const row = await repo.findImport(db, orgId, importId);
  if (!row) throw importNotFound();
  return row;
}

export const listImports = repo.listImports;

/** Records an upload, before its lines are read. */
export async function createImport(
  db: Kysely<DB>,
  author: AuditActor,
  orgId: string,
  file: { fileName: string; format: CallFormat; bytes: number },
): Promise<string> {
  await getOrganisation(db, orgId);
  return db.transaction().execute(async (trx) => {
    const fileName = file.fileName.slice(0, 200);
    const id = await repo.insertImport(trx, orgId, {
      fileName,
      format: file.format,
      bytesTotal: file.bytes,
      createdBy: author.accountId,
      createdByLabel: author.label,
    });
    await recordAudit(trx, author, {
      orgId,
      action: "create",
      entity: "call_upload",
      entityId: id,
      after: { fileName, format: file.format, bytes: file.bytes },
    });
    return id;
  });
}

/** Saves the column mapping of another system's file, as the organisation's mapping for the next ones too. */
export async function setImportMapping(db: Kysely<DB>, actor: Actor, orgId: string, importId: string, mapping: CallMapping): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await repo.findImport(trx, orgId, importId, true);
    if (!row) throw importNotFound();
    if (row.status !== "uploaded" && row.status !== "failed") throw new AppError("calls.import_state");
    await saveMapping(trx, auditActor(actor), orgId, mapping);
    await repo.updateImport(trx, orgId, importId, { status: "uploaded", message: null });
  });
}

/**
 * Marks an uploaded file as being read, before the reading starts in the background: the page the
 * browser is sent to then already shows the progress, and a second start of the same import is refused.
 */
export async function claimImport(db: Kysely<DB>, orgId: string, importId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await repo.findImport(trx, orgId, importId, true);
    if (!row) throw importNotFound();
    if (row.status !== "uploaded") throw new AppError("calls.import_state");
    await repo.updateImport(trx, orgId, importId, { status: "reading", message: null, runner: RUNNER });
  });
}

export interface RunOptions {
  /** Enregistre dès la lecture finie quand aucune ligne n'est fautive. */
  commitWhenClean: boolean;
  onProgress?: (progress: { bytesRead: number; rowsRead: number }) => void;
}

/**
 * Reads the file into the staging table in short transactions (each batch with its progress, so
 * other requests go on between two batches, even on the single connection of the embedded engine),
 * then, when no line is faulty, moves it into the calls. With faulty lines nothing is moved: the
 * import waits, with its report, for a person to record the valid lines or to drop the file.
 */
export async function runImport(
  db: Kysely<DB>,
  author: AuditActor,
  orgId: string,
  importId: string,
  path: string,
  options: RunOptions,
): Promise<ImportView> {
  // Added before the first await: the page that follows the import never sees it unattended.
  running.add(importId);
  try {
    return await readImport(db, author, orgId, importId, path, options);
  } finally {
    running.delete(importId);
  }
}

async function readImport(db: Kysely<DB>, author: AuditActor, orgId: string, importId: string, path: string, options: RunOptions) {
  const row = await repo.findImport(db, orgId, importId);
  if (!row) throw importNotFound();
  if (row.status !== "reading") throw new AppError("calls.import_state");
  const org = await getOrganisation(db, orgId);
  const settings = await getCallSettings(db, orgId);
  const pool = postgresPool(db);
  try {
    const copied =
      pool && options.commitWhenClean && (await importAtOnce(pool, db, author, row, org.path, path, settings, org.timeZone, options));
    if (copied) {
      // Calls of a month without its partition went to the default one: its partition takes them now.
      await ensureMonthPartitions(db, "calls", copied);
      return getImport(db, orgId, importId);
    }
    const report = await readCallFile({
      path,
      format: row.format === "mapped" ? "mapped" : "asterisk",
      timeZone: org.timeZone,
      inboundContexts: row.format === "asterisk" ? settings.inboundContexts : [],
      mapping: settings.mapping,
      onBatch: async (calls, progress) => {
        await db.transaction().execute(async (trx) => {
          await repo.stageCalls(trx, orgId, importId, calls);
          await repo.updateImport(trx, orgId, importId, { bytesRead: progress.bytesRead, rowsRead: progress.rowsRead });
        });
        options.onProgress?.(progress);
      },
    });
    // A clean file to record at once goes straight to « enregistrement en cours »: a page polling in
    // between must never see it waiting for a decision nobody has to take.
    const autoCommit = report.invalid === 0 && options.commitWhenClean;
    await repo.updateImport(db, orgId, importId, {
      status: autoCommit ? "committing" : "checked",
      bytesRead: row.bytesTotal,
      rowsRead: report.rowsRead,
      rowsInvalid: report.invalid,
      rowsSkipped: report.skipped,
      errors: report.errors,
    });
    if (autoCommit) await commitImport(db, author, orgId, importId, { started: true });
  } catch (error) {
    await repo.dropStaged(db, orgId, importId);
    const message =
      error instanceof MappingError
        ? `La correspondance des colonnes ne convient pas à ce fichier : ${error.message}`
        : error instanceof SpreadsheetError
          ? `${error.message} Rien n'a été enregistré.`
          : "La lecture du fichier a échoué ; rien n'a été enregistré.";
    const failed = !(error instanceof MappingError);
    await db.transaction().execute(async (trx) => {
      await repo.updateImport(trx, orgId, importId, { status: failed ? "failed" : "uploaded", message });
      // A mapping to correct is a question for the person at the page; a failed file is an alert (issue #15, point 3).
      if (failed) {
        await notify(trx, {
          orgId,
          kind: "import_failed",
          key: `call-import:${importId}`,
          subject: { type: "import", id: importId },
          title: `Import d'appels en échec : ${row.fileName}`,
          text: `L'import du journal d'appels « ${row.fileName} » a échoué : ${message}`,
          link: `/organisations/${orgId}/calls/imports/${importId}`,
        });
      }
    });
    // A file refused by the reader's limits is the file's fault, told on the page: not a failed job.
    if (!(error instanceof MappingError || error instanceof SpreadsheetError)) throw error;
  }
  return getImport(db, orgId, importId);
}

/**
 * The server's statement timeout (30 s by default) guards requests; a file of millions of calls, copied
 * or moved in one statement, legitimately takes longer. Lifted for this transaction only.
 */
async function liftStatementTimeout(trx: Kysely<DB>): Promise<void> {
  await sql`set local statement_timeout = 0`.execute(trx);
}

const isUniqueViolation = (error: unknown) =>
  typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "23505";

/**
 * The fast way, on PostgreSQL, for a file to be recorded as soon as it is read: the calls go
 * straight into `calls` by COPY in one transaction, with the rollups counted on the way and added
 * before the commit; other requests see nothing until then, and an interruption leaves nothing.
 * Gives up (false, nothing written) at the first faulty line, at a call already known, or with too
 * many rollup groups: the careful way then reads the file again, reports every faulty line and
 * skips the known calls.
 */
async function importAtOnce(
  pool: pg.Pool,
  db: Kysely<DB>,
  author: AuditActor,
  row: repo.ImportRow,
  orgPath: string[],
  path: string,
  settings: CallSettings,
  timeZone: string,
  options: RunOptions,
): Promise<string[] | false> {
  const { orgId, id: importId } = row;
  const client = await pool.connect();
  const single = singleConnection(client);
  let months: string[] = [];
  try {
    await single.transaction().execute(async (trx) => {
      await liftStatementTimeout(trx);
      // Two imports of one organisation's calls, one after the other: the second then meets the
      // first one's calls as known ones, instead of a unique-key failure at its commit.
      await sql`select pg_advisory_xact_lock(hashtextextended(${`calls:${orgId}`}, 0))`.execute(trx);
      const copy = await CallCopy.start(client, orgId, importId);
      let report: Awaited<ReturnType<typeof readCallFile>>;
      let lastProgress = 0;
      try {
        report = await readCallFile({
          path,
          format: row.format === "mapped" ? "mapped" : "asterisk",
          timeZone,
          inboundContexts: row.format === "asterisk" ? settings.inboundContexts : [],
          mapping: settings.mapping,
          stopAtFaultyLine: true,
          onCall: (call) => copy.add(call),
          onBatch: async (_calls, progress) => {
            await copy.flush();
            const now = Date.now();
            if (now - lastProgress < 500) return;
            lastProgress = now;
            // The progress goes through another connection: the page sees it while the COPY runs.
            await repo.updateImport(db, orgId, importId, { bytesRead: progress.bytesRead, rowsRead: progress.rowsRead });
            options.onProgress?.(progress);
          },
        });
        await copy.end();
      } catch (error) {
        await copy.abort(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
      await copy.counter.save(trx, orgId, ancestorsOf(orgPath, orgId));
      months = [...new Set([...copy.counter.slots.values()].map((slot) => slot.month))];
      await repo.updateImport(trx, orgId, importId, {
        status: "done",
        bytesRead: row.bytesTotal,
        rowsRead: report.rowsRead,
        rowsInvalid: 0,
        rowsSkipped: report.skipped,
        errors: [],
        rowsCreated: report.valid,
        rowsDuplicate: 0,
      });
      await recordAudit(trx, author, {
        orgId,
        action: "create",
        entity: "call_import",
        entityId: importId,
        after: { fileName: row.fileName, rows: report.rowsRead, invalid: 0, created: report.valid, duplicates: 0 },
      });
    });
    return months;
  } catch (error) {
    if (error instanceof FaultyLine || error instanceof TooManyGroups || error instanceof MappingError || isUniqueViolation(error)) {
      await repo.updateImport(db, orgId, importId, { bytesRead: 0, rowsRead: 0 });
      return false;
    }
    throw error;
  } finally {
    await single.destroy();
  }
}

/**
 * How many staged calls one transaction moves on the embedded engine. PGlite has one connection: a
 * transaction holds it, and every page waits. A slice of 10,000 calls takes about 0.3 s on a small
 * machine (docs/performance.md), so a page waits at most that long during a recording of a million
 * calls instead of 15 s. On PostgreSQL the other requests have connections of their own: the
 * recording stays one transaction there, and lands whole or not at all.
 */
export const EMBEDDED_SLICE = 10_000;

/** The slice in force: `VIGIE_CALL_SLICE` (calls per transaction, at least 100) lowers it on a slow machine. */
const embeddedSlice = () => {
  const set = Number(process.env.VIGIE_CALL_SLICE);
  return Number.isInteger(set) && set >= 100 ? set : EMBEDDED_SLICE;
};

/**
 * Moves the valid lines of a read file into the calls and the rollups. The import is first marked
 * « enregistrement en cours » in a short transaction of its own, so the pages say so (and refuse a
 * second click) while the calls move. On PostgreSQL they move in one transaction: all of them, or
 * none. On the embedded engine, in slices (`EMBEDDED_SLICE`): each slice moves its calls, their
 * rollups and the import's counters together, so a crash between two slices leaves an import
 * interrupted with part of its calls recorded, and told so: « Reprendre » records the rest (the
 * calls already there are met by their key), « Abandonner » takes the recorded ones out again.
 */
export async function commitImport(
  db: Kysely<DB>,
  author: AuditActor,
  orgId: string,
  importId: string,
  /**
   * `started`: the reading already marked the import « enregistrement en cours » (a clean file recorded at once).
   * `slice`: staged calls per transaction (the tests slice on PostgreSQL too); default: `EMBEDDED_SLICE` on the
   * embedded engine, all of them on PostgreSQL.
   * `onSlice`: told the staged calls moved so far after each slice (the command line shows the progress).
   */
  options: { started?: boolean; slice?: number | null; onSlice?: (moved: number) => void } = {},
): Promise<ImportView> {
  const inner = !running.has(importId);
  running.add(importId);
  try {
    return await recordImport(db, author, orgId, importId, options);
  } finally {
    if (inner) running.delete(importId);
  }
}

async function recordImport(
  db: Kysely<DB>,
  author: AuditActor,
  orgId: string,
  importId: string,
  options: { started?: boolean; slice?: number | null; onSlice?: (moved: number) => void },
): Promise<ImportView> {
  const org = await getOrganisation(db, orgId);
  const slice = options.slice !== undefined ? options.slice : postgresPool(db) ? null : embeddedSlice();
  if (!options.started) {
    await db.transaction().execute(async (trx) => {
      const row = await repo.findImport(trx, orgId, importId, true);
      if (!row) throw importNotFound();
      if (row.status !== "checked") throw new AppError("calls.import_state");
      await repo.updateImport(trx, orgId, importId, { status: "committing", runner: RUNNER });
    });
  }
  try {
    // The months' partitions first (PostgreSQL), in their own short transactions: the calls then go
    // straight to their month rather than to the default partition.
    const days = await repo.stagedDays(db, orgId, importId);
    await ensureMonthPartitions(db, "calls", [...new Set(days.map((d) => monthStart(d.day)))]);
    const spans = slice === null ? [null] : daySpans(days, slice);
    for (const [index, span] of spans.entries()) {
      const last = index === spans.length - 1;
      /** The staged calls moved so far when more slices follow; null once the import is settled. */
      const movedSoFar = await db.transaction().execute(async (trx): Promise<number | null> => {
        await liftStatementTimeout(trx);
        const row = await repo.findImport(trx, orgId, importId, true);
        if (row?.status !== "committing") throw new AppError("calls.import_state");
        const expected = row.rowsRead - row.rowsInvalid - row.rowsSkipped;
        if (index === 0 && (await repo.stagedCount(trx, orgId, importId)) !== expected - row.rowsMoved) {
          // The staging table is unlogged: after a crash of the database it is empty. Record nothing more.
          // Back to « lu, en attente de décision » with the reason: the page offers to read the file again.
          await repo.dropStaged(trx, orgId, importId);
          await repo.updateImport(trx, orgId, importId, { status: "checked", message: lostMessage(row.rowsCreated) });
          return null;
        }
        const { moved, created } = await repo.commitStaged(trx, orgId, importId, ancestorsOf(org.path, orgId), span);
        const rowsMoved = row.rowsMoved + moved;
        // Calls of this import recorded by an earlier, interrupted recording count as created, not as known.
        const rowsCreated = row.rowsCreated + created;
        if (!last) {
          await repo.updateImport(trx, orgId, importId, { rowsMoved, rowsCreated });
          return rowsMoved;
        }
        await repo.updateImport(trx, orgId, importId, {
          status: "done",
          rowsMoved,
          rowsCreated,
          rowsDuplicate: expected - rowsCreated,
          message: null,
        });
        await recordAudit(trx, author, {
          orgId,
          action: "create",
          entity: "call_import",
          entityId: importId,
          after: {
            fileName: row.fileName,
            rows: row.rowsRead,
            invalid: row.rowsInvalid,
            created: rowsCreated,
            duplicates: expected - rowsCreated,
          },
        });
        return null;
      });
      if (movedSoFar === null) break;
      options.onSlice?.(movedSoFar);
      await letOthersThrough();
    }
  } catch (error) {
    // Back to a decision: what is still staged can be recorded by the same button (a recording cut
    // between two slices continues where it stopped), or the import dropped.
    await repo.updateImport(db, orgId, importId, { status: "checked" });
    throw error;
  }
  return getImport(db, orgId, importId);
}

/**
 * A pause between two slices. PGlite answers in this thread, its promises settle at once, so slice
 * after slice would run without the server ever reading a waiting request: a timer lets the event loop
 * take them, and their queries queue for the connection before the next slice does (measured in
 * bench/calls/embedded-commit.ts).
 */
const letOthersThrough = () => new Promise<void>((resolve) => setTimeout(resolve, 15));

/**
 * Consecutive days holding about `size` staged calls each (a day is never split: a slice holds at
 * least one day, however many calls it has). Always at least one span, so that the last
 * transaction marks the import recorded even with nothing staged.
 */
export function daySpans(days: Array<{ day: string; calls: number }>, size: number): repo.DaySpan[] {
  const spans: repo.DaySpan[] = [];
  let current: repo.DaySpan | null = null;
  let count = 0;
  for (const { day, calls } of days) {
    if (current && count + calls > size) {
      spans.push(current);
      current = null;
      count = 0;
    }
    current = current ? { from: current.from, to: day } : { from: day, to: day };
    count += calls;
  }
  if (current) spans.push(current);
  if (spans.length === 0) spans.push({ from: "0001-01-01", to: "0001-01-01" });
  return spans;
}

/** A reading with no news for this long, by a process on another machine, was cut: the import may then be resumed or dropped. */
export const STALLED_AFTER_MS = 10 * 60_000;

/** This process, as written on the imports it reads or records (`call_imports.runner`). */
export const RUNNER = `${hostname()}/${process.pid}`;
/** The imports this process is reading or recording right now. */
const running = new Set<string>();

export const LOST_MESSAGE =
  "Les lignes lues ont été perdues lors d'un arrêt du serveur : rien n'a été enregistré. Reprenez la lecture du fichier, ou abandonnez l'import.";

/** What the import says when its staged calls were lost, `recorded` of them being already in the calls. */
export function lostMessage(recorded: number): string {
  if (recorded === 0) return LOST_MESSAGE;
  return `Les lignes lues ont été perdues lors d'un arrêt du serveur, après l'enregistrement de ${plural(recorded, "appel", "appels")}. Reprenez la lecture du fichier pour enregistrer les autres, ou abandonnez l'import pour retirer ceux déjà enregistrés.`;
}

// ---- The import's steps as jobs of the durable queue (issue #18, point 4) ----
//
// A page reads, records and drops through the queue: the step is enqueued in the transaction that
// moves the import to « lecture en cours », « enregistrement en cours » or « abandon en cours », and
// the import's `runner` names the job carrying it, `job:<dedupe key>`, then `job:<key>@host/pid` once
// a worker runs it. A worker that dies leaves its job locked until its lock expires; the queue then
// gives it to any server's worker, whose handler resumes from what was staged or recorded. The key in
// `runner` fences the handler: a job whose import has moved on (resumed by hand, dropped) does nothing.
// The command line (src/cli/import-calls.ts) reads and records in its own process, `runner` = host/pid.

/** The job that carries an import's step (calls.jobs.ts declares it). */
export const IMPORT_JOB = "calls.import";
export type ImportStep = "read" | "commit" | "discard";

const JOB_PREFIX = "job:";
/** The dedupe key of the job carrying the import, or null when a process carries it itself (or nobody). */
export function jobKeyOf(runner: string | null): string | null {
  if (!runner?.startsWith(JOB_PREFIX)) return null;
  const at = runner.indexOf("@");
  return runner.slice(JOB_PREFIX.length, at < 0 ? undefined : at);
}
/** The process (host/pid) carrying the import, or null when a job waits for a worker. */
function processOf(runner: string | null): string | null {
  if (!runner?.startsWith(JOB_PREFIX)) return runner;
  const at = runner.indexOf("@");
  return at < 0 ? null : runner.slice(at + 1);
}

/**
 * Enqueues the step in the caller's transaction and returns the `runner` to write on the import. The key
 * names the import, the step and a count that grows with each step enqueued, so a step enqueued twice
 * (a double click reaching two servers) is one job, and a step asked again after a failure is a new one.
 */
async function enqueueStep(trx: Kysely<DB>, author: AuditActor, row: repo.ImportRow, step: ImportStep): Promise<string> {
  const previous = /:(\d+)$/.exec(jobKeyOf(row.runner) ?? "")?.[1];
  const key = `calls.import:${row.id}:${step}:${Number(previous ?? 0) + 1}`;
  await enqueue(trx, {
    name: IMPORT_JOB,
    payload: { orgId: row.orgId, importId: row.id, key, author: { accountId: author.accountId, label: author.label } },
    dedupeKey: key,
  });
  return `${JOB_PREFIX}${key}`;
}

/**
 * Marks an uploaded file « lecture en cours » and enqueues its reading, in one transaction (a second
 * start of the same import is refused); this server's worker is woken to start it now.
 */
export async function queueReading(db: Kysely<DB>, author: AuditActor, orgId: string, importId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await repo.findImport(trx, orgId, importId, true);
    if (!row) throw importNotFound();
    if (row.status !== "uploaded") throw new AppError("calls.import_state");
    await repo.updateImport(trx, orgId, importId, {
      status: "reading",
      message: null,
      runner: await enqueueStep(trx, author, row, "read"),
    });
  });
  wakeWorkers();
}

/** Marks a read import « enregistrement en cours » and enqueues its recording (the button « Enregistrer »). */
export async function queueCommit(db: Kysely<DB>, author: AuditActor, orgId: string, importId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await repo.findImport(trx, orgId, importId, true);
    if (!row) throw importNotFound();
    if (row.status !== "checked") throw new AppError("calls.import_state");
    await repo.updateImport(trx, orgId, importId, { status: "committing", runner: await enqueueStep(trx, author, row, "commit") });
  });
  wakeWorkers();
}

/** Drops the staged rows and the counters of a reading about to start again from the file's first line. */
async function restartReading(trx: Kysely<DB>, orgId: string, importId: string, runner: string): Promise<void> {
  await repo.dropStaged(trx, orgId, importId);
  await repo.updateImport(trx, orgId, importId, {
    status: "reading",
    runner,
    bytesRead: 0,
    // The staging is read again whole; the calls an interrupted recording already made stay counted in rowsCreated.
    rowsMoved: 0,
    rowsRead: 0,
    rowsInvalid: 0,
    rowsSkipped: 0,
    errors: [],
    message: null,
  });
}

/**
 * The handler of an import's job: carries the step the import is at, from where it stands. Run again
 * (a worker died, the queue took the job over), it reads the file again from the start (the staged
 * rows are dropped, the calls already recorded are met by their key), records what is still staged,
 * or goes on taking out the calls of a dropped import. The file goes once the import is settled.
 */
export async function carryImport(db: Kysely<DB>, author: AuditActor, orgId: string, importId: string, key: string): Promise<void> {
  const row = await db.transaction().execute(async (trx) => {
    const row = await repo.findImport(trx, orgId, importId, true);
    // Dropped, resumed by hand under another job, or settled: this job has nothing left to do.
    if (!row || jobKeyOf(row.runner) !== key) return null;
    const runner = `${JOB_PREFIX}${key}@${RUNNER}`;
    if (row.status === "reading") await restartReading(trx, orgId, importId, runner);
    else await repo.updateImport(trx, orgId, importId, { runner });
    return row;
  });
  if (!row) return;
  const file = importFilePath(importId);
  // Any server's worker may claim the job: one whose upload folder lacks the file leaves it to the queue's
  // next try (perhaps on the server that received it), and the page shows this error if the queue gives up.
  if (row.status === "reading" && !fileKept(importId)) {
    throw new Error(
      "Le fichier de cet import n'est pas sur ce serveur : le dossier des envois (VIGIE_UPLOAD_DIR) doit être partagé entre les serveurs.",
    );
  }
  try {
    if (row.status === "reading") await runImport(db, author, orgId, importId, file, { commitWhenClean: true });
    else if (row.status === "committing") await commitImport(db, author, orgId, importId, { started: true });
    else if (row.status === "discarding") await removeRecorded(db, author, orgId, importId);
  } catch (error) {
    // A file the reading refused is settled (« échec », with its alert): the job is done. Anything
    // else (the database in trouble) is the queue's to retry, from where the import stands.
    if ((await repo.findImport(db, orgId, importId))?.status !== "failed") throw error;
  }
  const after = await repo.findImport(db, orgId, importId);
  if (after && (after.status === "done" || after.status === "failed" || after.status === "discarded")) await removeFile(file);
}

/**
 * Whether the process that claimed this import is gone: on this machine, a pid that no longer exists
 * (a kill -9, a crash, a restart); null when that cannot be told (another machine, no runner written).
 */
function runnerGone(runner: string | null): boolean | null {
  if (!runner) return null;
  const slash = runner.lastIndexOf("/");
  if (runner.slice(0, slash) !== hostname()) return null;
  const pid = Number(runner.slice(slash + 1));
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: the pid exists under another user, so something runs it.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * A reading, a recording or a dropping nobody carries on any more: the process that claimed it was
 * killed or restarted (told at once on the same machine), or, from another machine, no news for ten
 * minutes. It can be resumed or dropped (a dropping, only dropped again). A reading left nothing in the
 * calls; a recording on PostgreSQL neither (one transaction); one on the embedded engine may have left
 * whole slices, counted in `rowsCreated`. A job still waiting for a worker is not interrupted.
 */
export function isInterrupted(item: ImportView, now = Date.now()): boolean {
  if (item.status !== "reading" && item.status !== "committing" && item.status !== "discarding") return false;
  const carrier = processOf(item.runner);
  if (jobKeyOf(item.runner) !== null && carrier === null) return false;
  if (carrier === RUNNER) return !running.has(item.id);
  return runnerGone(carrier) ?? now - item.updatedAt.getTime() > STALLED_AFTER_MS;
}

/** Who carries an import under way, as its page tells it. */
export type Carrier =
  /** Nothing under way (read and waiting, recorded, failed, dropped), or carried by a process (the command line). */
  | { kind: "none" }
  /** Its job waits for a worker: first run, or a retry after a failed try. */
  | { kind: "queued"; retry: boolean }
  | { kind: "running" }
  /** The worker carrying it is gone: the queue gives the job to a worker once its lock expires, at `resumesAt`. */
  | { kind: "stalled"; resumesAt: Date | null }
  /** The queue gave the job up after its tries: the last error. */
  | { kind: "failed"; error: string };

export async function carrierOf(db: Kysely<DB>, item: ImportView, now = new Date()): Promise<Carrier> {
  const key = jobKeyOf(item.runner);
  if (key === null || (item.status !== "reading" && item.status !== "committing" && item.status !== "discarding")) return { kind: "none" };
  const job = await jobState(db, key, now);
  if (!job || job.state === "done") return { kind: "none" };
  if (job.state === "failed") return { kind: "failed", error: job.lastError ?? "erreur inconnue" };
  if (isInterrupted(item, now.getTime())) return { kind: "stalled", resumesAt: job.state === "running" ? job.lockedUntil : null };
  if (job.state === "queued") return { kind: "queued", retry: job.attempts > 0 };
  return { kind: "running" };
}

/** Interrupted, or carried by a job the queue gave up on: « Reprendre » and « Abandonner » are offered. */
export async function isStopped(db: Kysely<DB>, item: ImportView): Promise<boolean> {
  if (isInterrupted(item)) return true;
  return (await carrierOf(db, item)).kind === "failed";
}

/**
 * A file read and waiting for a decision whose staged calls are no longer all there: the staging table
 * is unlogged, and a crash of the database (of the process, with the embedded engine) empties it.
 * « Enregistrer les lignes valides » would then record nothing: the page says so instead.
 */
export async function stagedLost(db: Kysely<DB>, item: ImportView): Promise<boolean> {
  if (item.status !== "checked") return false;
  const expected = item.rowsRead - item.rowsInvalid - item.rowsSkipped - item.rowsMoved;
  return expected > 0 && (await repo.stagedCount(db, item.orgId, item.id)) !== expected;
}

/** Whether the uploaded file of an import is still on this server (kept until the import is recorded or dropped). */
export const fileKept = (importId: string) => existsSync(importFilePath(importId));

/**
 * Reads an interrupted import again from its start (or a read one whose staged calls were lost, or one
 * whose job the queue gave up on): the staging is emptied, the counters reset, and the file read again,
 * by this process (`queue: false`, the caller then runs runImport) or by a job of the queue. The calls
 * already known are skipped by their key, so a call is never counted twice.
 */
export async function resumeImport(
  db: Kysely<DB>,
  author: AuditActor,
  orgId: string,
  importId: string,
  options: { queue?: boolean } = {},
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await repo.findImport(trx, orgId, importId, true);
    if (!row) throw importNotFound();
    if (!(await isStopped(trx, row)) && !(await stagedLost(trx, row))) throw new AppError("calls.import_state");
    if (!fileKept(importId)) {
      throw new AppError("calls.import_state", {
        message: "Le fichier de cet import n'est plus sur le serveur : abandonnez l'import et envoyez le fichier de nouveau.",
      });
    }
    if (row.status === "discarding") throw new AppError("calls.import_state");
    await restartReading(trx, orgId, importId, options.queue ? await enqueueStep(trx, author, row, "read") : RUNNER);
    await recordAudit(trx, author, {
      orgId,
      action: "update",
      entity: "call_import",
      entityId: importId,
      before: { status: row.status },
      after: { status: "reading", resumed: true },
    });
  });
  if (options.queue) wakeWorkers();
}

/** Calls of the organisation looked at per transaction when an import's recorded calls are taken out again (embedded engine). */
export const EMBEDDED_REMOVAL_SCAN = 20_000;

/**
 * Drops an import waiting for a decision, waiting for its mapping, or cut by a stopped server. When
 * an interrupted recording had already recorded part of its calls (embedded engine), they are taken
 * out again with their rollups, in slices like the recording: the import is « abandon en cours »
 * meanwhile, and a crash in between leaves it to be dropped again. With `queue`, that taking out is a
 * job of the queue (the page follows it); without, this process does it before returning.
 */
export async function discardImport(
  db: Kysely<DB>,
  author: AuditActor,
  orgId: string,
  importId: string,
  /** `scan`: calls looked at per transaction; default `EMBEDDED_REMOVAL_SCAN` on the embedded engine, all on PostgreSQL. */
  options: { scan?: number; queue?: boolean } = {},
): Promise<void> {
  let inner = false;
  try {
    const row = await db.transaction().execute(async (trx) => {
      const row = await repo.findImport(trx, orgId, importId, true);
      if (!row) throw importNotFound();
      // Read and waiting for a decision, waiting for its column mapping, or cut by a stopped server.
      if (row.status !== "checked" && row.status !== "uploaded" && !(await isStopped(trx, row))) throw new AppError("calls.import_state");
      await repo.dropStaged(trx, orgId, importId);
      if (row.rowsCreated === 0) await markDiscarded(trx, author, row, 0);
      else if (options.queue) {
        await repo.updateImport(trx, orgId, importId, { status: "discarding", runner: await enqueueStep(trx, author, row, "discard") });
      } else {
        // From here this process carries the dropping: the pages must not take it as interrupted.
        inner = !running.has(importId);
        running.add(importId);
        await repo.updateImport(trx, orgId, importId, { status: "discarding", runner: RUNNER });
      }
      return row;
    });
    if (row.rowsCreated === 0) return;
    if (options.queue) wakeWorkers();
    else await removeRecorded(db, author, orgId, importId, options);
  } finally {
    if (inner) running.delete(importId);
  }
}

/** Takes the calls an interrupted recording made out again, slice by slice, then marks the import dropped. */
async function removeRecorded(db: Kysely<DB>, author: AuditActor, orgId: string, importId: string, options: { scan?: number } = {}) {
  const inner = !running.has(importId);
  running.add(importId);
  try {
    const org = await getOrganisation(db, orgId);
    const scan = options.scan ?? (postgresPool(db) ? 2_147_483_647 : EMBEDDED_REMOVAL_SCAN);
    const recorded = (await getImport(db, orgId, importId)).rowsCreated;
    let cursor: repo.RemovalCursor | null = null;
    do {
      const after: repo.RemovalCursor | null = cursor;
      cursor = await db.transaction().execute(async (trx) => {
        const current = await repo.findImport(trx, orgId, importId, true);
        if (current?.status !== "discarding") throw new AppError("calls.import_state");
        const { removed, next } = await repo.removeImportCalls(trx, orgId, importId, ancestorsOf(org.path, orgId), after, scan);
        const rowsCreated = current.rowsCreated - removed;
        if (next) await repo.updateImport(trx, orgId, importId, { rowsCreated });
        else await markDiscarded(trx, author, current, recorded);
        return next;
      });
      if (cursor) await letOthersThrough();
    } while (cursor);
  } finally {
    if (inner) running.delete(importId);
  }
}

async function markDiscarded(trx: Kysely<DB>, author: AuditActor, row: repo.ImportRow, removedCalls: number): Promise<void> {
  await repo.updateImport(trx, row.orgId, row.id, { status: "discarded", rowsCreated: 0, rowsMoved: 0 });
  await recordAudit(trx, author, {
    orgId: row.orgId,
    action: "delete",
    entity: "call_import",
    entityId: row.id,
    after: { fileName: row.fileName, ...(removedCalls > 0 ? { removedCalls } : {}) },
  });
}

/**
 * Waits up to `ms` for an import to leave `status` (a click on « Enregistrer » or « Abandonner »: a small
 * file ends within it, a larger one goes on and its page follows it); the import as it then stands.
 */
export async function settledWithin(db: Kysely<DB>, orgId: string, importId: string, status: string, ms: number): Promise<ImportView> {
  const until = Date.now() + ms;
  for (;;) {
    const item = await getImport(db, orgId, importId);
    if (item.status !== status || Date.now() >= until) return item;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;

/** An ISO time with an offset, as the wall-clock time of the zone; a time without one is read as local. */
function localTimeOf(text: string, timeZone: string): LocalDateTime | null {
  if (!OFFSET.test(text)) return parseLocalDateTime(text.replace("T", " "));
  const instant = new Date(text);
  if (Number.isNaN(instant.getTime())) return null;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(instant)
      .map((p) => [p.type, Number(p.value)]),
  );
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/**
 * Calls pushed by another system through the API (a telephony platform, with a service account's
 * token): recorded like a clean call log — an import named after the API, whose calls move into the
 * calls and the rollups in one transaction — so the page of imports shows them too. A call already
 * known (same id and same start) is counted once. Any faulty call refuses the whole sending, with
 * the position of each fault: nothing is recorded.
 */
export async function pushCalls(db: Kysely<DB>, author: AuditActor, orgId: string, calls: PushedCall[]): Promise<ImportView> {
  const org = await getOrganisation(db, orgId);
  const clock = localClock(org.timeZone);
  const fields: Record<string, string> = {};
  const records: CallRecord[] = [];
  calls.forEach((c, i) => {
    const local = localTimeOf(c.startedAt.trim(), org.timeZone);
    if (!local) {
      fields[`calls.${i}.startedAt`] = `Appel n° ${i + 1} : heure de début illisible (attendu 2026-03-02T08:15:00).`;
      return;
    }
    records.push({
      key: callKey(`api:${c.id}`, local),
      startedAt: clock(local),
      day: localDay(local),
      slot: slotOf(local),
      line: c.line,
      outcome: c.outcome,
      wait: c.wait,
      talk: c.talk,
    });
  });
  if (Object.keys(fields).length > 0) throw new AppError("validation", { fields });
  const importId = await createImport(db, author, orgId, {
    fileName: `Envoi par l'API (${calls.length} appel${calls.length > 1 ? "s" : ""})`,
    format: "mapped",
    bytes: 0,
  });
  await db.transaction().execute(async (trx) => {
    await repo.stageCalls(trx, orgId, importId, records);
    await repo.updateImport(trx, orgId, importId, {
      status: "committing",
      runner: RUNNER,
      rowsRead: records.length,
      rowsInvalid: 0,
      rowsSkipped: 0,
      errors: [],
    });
  });
  return commitImport(db, author, orgId, importId, { started: true });
}

/**
 * Undecided imports are purged after `days` (issue #17, point 5): their staged rows are copies of a
 * telephony export nobody chose to keep. Each goes through the same discard as a person's click, so
 * the audit log says the system dropped it. Batches of 100: bounded work per run, resumed next day.
 */
export async function purgeUndecidedImports(db: Kysely<DB>, days: number, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - days * 86_400_000);
  let purged = 0;
  for (;;) {
    const stale = await repo.undecidedImportsBefore(db, before, 100);
    for (const item of stale) {
      try {
        await discardImport(db, { accountId: null, label: "système (purge des imports non décidés)" }, item.orgId, item.id);
        purged++;
      } catch (error) {
        // Someone committed it meanwhile: its state moved on, nothing to purge.
        if (!(error instanceof AppError)) throw error;
      }
    }
    if (stale.length < 100) return purged;
  }
}
