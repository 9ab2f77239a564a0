import { readTable, SpreadsheetError, type TableLimits, type TableRecord } from "../../kernel/spreadsheets/read.ts";
import { CHANNEL_LABELS, CHANNELS, type Channel } from "../frameworks/channels.ts";
import { ACTION_STATUS_LABELS, ACTION_STATUSES, type ActionStatus } from "./action-status.ts";
import type { Action } from "./actions.service.ts";

/**
 * The plan as a spreadsheet, and back. The columns of the export are the ones the import reads, so a
 * service can export, edit in its spreadsheet and import again: a line with a known N° updates that
 * action, a line without one adds a new action.
 */
export const COLUMNS = ["N°", "Intitulé", "Engagement", "Canal", "Responsable", "Service", "Échéance", "Année du plan", "Statut"] as const;

export async function planWorkbook(actions: Action[]): Promise<Buffer> {
  // Loaded on first use, not at start (issue #17, point 6): ExcelJS costs ~40 MB and ~0.5 s to load.
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Vigie";
  const sheet = workbook.addWorksheet("Plan d'actions");
  sheet.addRow([...COLUMNS]);
  sheet.getRow(1).font = { bold: true };
  for (const a of actions) {
    sheet.addRow([
      a.number,
      a.title,
      a.commitmentId ?? "",
      a.channel ? CHANNEL_LABELS[a.channel] : "",
      a.owner ?? "",
      a.service ?? "",
      a.dueOn ? new Date(`${a.dueOn}T00:00:00Z`) : "",
      a.planYear,
      ACTION_STATUS_LABELS[a.status],
    ]);
  }
  sheet.getColumn(2).width = 70;
  sheet.getColumn(7).numFmt = "dd/mm/yyyy";
  for (const i of [1, 3, 4, 5, 6, 8, 9]) sheet.getColumn(i).width = 16;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export interface PlanLine {
  line: number;
  number: number | null;
  title: string;
  commitmentId: string | null;
  channel: Channel | null;
  owner: string | null;
  service: string | null;
  dueOn: string | null;
  planYear: number;
  status: ActionStatus;
}

export interface PlanSheet {
  lines: PlanLine[];
  errors: Array<{ line: number; message: string }>;
}

const norm = (s: string) =>
  s
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

function dateOf(text: string): string | null | undefined {
  if (!text.trim()) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : fr ? [fr[3], fr[2]?.padStart(2, "0"), fr[1]?.padStart(2, "0")] : [];
  if (!y || !m || !d) return undefined;
  const value = `${y}-${m}-${d}`;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value) ? value : undefined;
}

/** A plan has nine columns; a few more of the person's own are tolerated (and ignored). */
const PLAN_LIMITS: TableLimits = { maxRows: 5000, maxColumns: 50, maxCells: 5000 * 50, maxInflatedBytes: 50 * 1024 * 1024 };

/** Reads the first sheet; each faulty line is listed with its number and reason, nothing is partial. */
export async function readPlan(bytes: Uint8Array, defaultYear: number): Promise<PlanSheet> {
  let records: TableRecord[];
  try {
    records = await readTable(bytes, PLAN_LIMITS);
  } catch (error) {
    if (error instanceof SpreadsheetError) return { lines: [], errors: [{ line: 0, message: error.message }] };
    throw error;
  }
  const header = (records[0]?.line === 1 ? records[0].cells : []).map(norm);
  const col = (name: string) => header.indexOf(norm(name));
  const at = {
    number: col("N°"),
    title: col("Intitulé"),
    commitment: col("Engagement"),
    channel: col("Canal"),
    owner: col("Responsable"),
    service: col("Service"),
    due: col("Échéance"),
    year: col("Année du plan"),
    status: col("Statut"),
  };
  if (at.title < 0) return { lines: [], errors: [{ line: 1, message: "La colonne « Intitulé » est introuvable sur la première ligne." }] };
  const channelOf = new Map(CHANNELS.map((c) => [norm(CHANNEL_LABELS[c]), c] as const).concat(CHANNELS.map((c) => [c, c] as const)));
  const statusOf = new Map(
    ACTION_STATUSES.map((s) => [norm(ACTION_STATUS_LABELS[s]), s] as const).concat(ACTION_STATUSES.map((s) => [s, s] as const)),
  );
  const lines: PlanLine[] = [];
  const errors: PlanSheet["errors"] = [];
  // Each check below ends the line's reading with its reason.
  const readLine = ({ line, cells }: TableRecord) => {
    const cell = (i: number) => (i < 0 ? "" : (cells[i] ?? "").trim());
    const title = cell(at.title);
    if (!title && !cell(at.number)) return;
    const fail = (message: string) => errors.push({ line, message });
    if (!title) return fail("L'intitulé est vide.");
    if (title.length > 1000) return fail("L'intitulé dépasse 1 000 caractères.");
    const numberText = cell(at.number);
    const number = numberText ? Number(numberText) : null;
    if (number !== null && (!Number.isInteger(number) || number < 1)) return fail(`N° « ${numberText} » : un nombre entier est attendu.`);
    const channelText = cell(at.channel);
    const channel = channelText ? channelOf.get(norm(channelText)) : null;
    if (channel === undefined) return fail(`Canal « ${channelText} » inconnu (accueil physique, téléphone, courrier, courriel, internet).`);
    const statusText = cell(at.status);
    const status = statusText ? statusOf.get(norm(statusText)) : "todo";
    if (!status) return fail(`Statut « ${statusText} » inconnu (à lancer, en cours, aboutie, abandonnée).`);
    const dueOn = dateOf(cell(at.due));
    if (dueOn === undefined) return fail(`Échéance « ${cell(at.due)} » : une date JJ/MM/AAAA est attendue.`);
    const yearText = cell(at.year);
    const planYear = yearText ? Number(yearText) : defaultYear;
    if (!Number.isInteger(planYear) || planYear < 2000 || planYear > 2100) return fail(`Année du plan « ${yearText} » invalide.`);
    lines.push({
      line,
      number,
      title,
      commitmentId: cell(at.commitment) || null,
      channel: channel ?? null,
      owner: cell(at.owner).slice(0, 200) || null,
      service: cell(at.service).slice(0, 200) || null,
      dueOn,
      planYear,
      status,
    });
  };
  for (const record of records) if (record.line !== 1) readLine(record);
  return { lines, errors };
}
