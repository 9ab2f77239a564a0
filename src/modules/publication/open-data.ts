import { quoteCsv } from "../../kernel/spreadsheet.ts";
import type { OrgFigure } from "./publication.repository.ts";
import { SP_LABELS } from "./published-set.ts";

/**
 * The open-data format of published figures (docs/open-data.md): one row per organisation × indicator ×
 * channel × period, UTF-8, comma-separated, ISO dates, dot decimals, shares as fractions of 1. Pure.
 */
export const CSV_COLUMNS = [
  "organisation_id",
  "organisation_siret",
  "organisation_name",
  "organisation_kind",
  "parent_id",
  "indicator_key",
  "indicator_label",
  "sp_indicator",
  "channel",
  "period_start",
  "period_end",
  "value",
  "unit",
  "sample_size",
  "ci_low",
  "ci_high",
  "target",
  "commitments",
  "computed_on",
] as const;

export type OpenDataRow = Record<(typeof CSV_COLUMNS)[number], string | number | null>;

export function openDataRow(f: OrgFigure): OpenDataRow {
  return {
    organisation_id: f.orgId,
    organisation_siret: f.siret,
    organisation_name: f.orgName,
    organisation_kind: f.orgKind,
    parent_id: f.parentId,
    indicator_key: f.key,
    indicator_label: f.label,
    sp_indicator: f.channel === null ? (SP_LABELS[f.key] ?? null) : null,
    channel: f.channel,
    period_start: f.periodFrom,
    period_end: f.periodTo,
    value: f.value,
    unit: f.unit,
    sample_size: f.sample,
    ci_low: f.low,
    ci_high: f.high,
    target: f.target,
    commitments: f.commitments.join(" "),
    computed_on: f.computedAt.toISOString().slice(0, 10),
  };
}

/**
 * Numbers as JavaScript writes them (6 decimals at most). Unlike the staff exports, no formula guard:
 * open data is read by programs, and must give every value exactly as published.
 */
function csvField(v: string | number | null): string {
  if (v === null) return "";
  return quoteCsv(typeof v === "number" ? String(Math.round(v * 1e6) / 1e6) : v);
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(",")}\r\n`;
}

export function csvLines(rows: OpenDataRow[]): string {
  return rows.map((r) => `${CSV_COLUMNS.map((c) => csvField(r[c])).join(",")}\r\n`).join("");
}
