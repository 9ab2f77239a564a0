import { quoteCsv } from "../../kernel/spreadsheet.ts";
import { formatPlainDecimal } from "../../ui/format.ts";
import type { IndicatorUnit } from "../indicators/indicator.ts";
import { ORG_KIND_LABELS, type OrgKind } from "../organisations/organisation.ts";
import type { Comparison } from "./dashboards.service.ts";

/**
 * The comparison as a file for a spreadsheet in French: UTF-8 with a BOM (Excel reads the accents),
 * `;` between columns and the decimal comma (« 85,3 »), one line per organisation compared in the
 * order of the ranking, one column per indicator. Shares are written as percentages, so the column
 * says « (%) » and the cell holds 85,3 rather than 0,853.
 */
const UNIT_SUFFIX: Record<IndicatorUnit, string> = {
  share: " (%)",
  points: " (points)",
  days: "",
  seconds: " (secondes)",
  count: "",
  score: " (sur 100)",
};

function numberCell(value: number | null | undefined, unit: IndicatorUnit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "";
  return formatPlainDecimal(unit === "share" ? value * 100 : value, 1);
}

/** A text cell: quoted when needed, and a leading = + - @ guarded so a name cannot run as a formula. */
function textCell(text: string): string {
  return quoteCsv(/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
}

export function comparisonCsv(data: Comparison): string {
  const header = ["Rang", "Structure", "Type", ...data.indicators.map((i) => `${i.label}${UNIT_SUFFIX[i.unit]}`)];
  const lines = [header.map(textCell).join(";")];
  for (const row of data.ranking) {
    const figures = data.figures.get(row.org.id);
    lines.push(
      [
        row.rank === null ? "" : String(row.rank),
        textCell(row.org.name),
        textCell(ORG_KIND_LABELS[row.org.kind as OrgKind] ?? row.org.kind),
        ...data.indicators.map((i) => numberCell(figures?.get(i.id)?.value, i.unit)),
      ].join(";"),
    );
  }
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}
