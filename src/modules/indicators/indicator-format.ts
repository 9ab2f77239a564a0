import { formatNumber, formatPercent, NBSP } from "../../ui/format.ts";
import type { IndicatorValue } from "./indicator.ts";

/** An indicator value as a person reads it, in French. Pure. */
export function formatValue(unit: IndicatorValue["unit"], value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const n = (x: number, digits = 1) => formatNumber(x, digits);
  switch (unit) {
    case "share":
      return formatPercent(value, 1);
    case "points":
      return `${value > 0 ? "+" : ""}${n(value)}${NBSP}pts`;
    case "days":
      return `${n(value)}${NBSP}j`;
    case "seconds":
      return `${n(value, 0)}${NBSP}s`;
    case "count":
      return n(value, 0);
    case "score":
      return `${n(value)}${NBSP}/${NBSP}100`;
  }
}

/** Whether the value keeps its target: true, false, or null when there is no target or no value. */
export function meetsTarget(i: Pick<IndicatorValue, "value" | "target" | "better">): boolean | null {
  if (i.value === null || i.target === null) return null;
  return i.better === "higher" ? i.value >= i.target : i.value <= i.target;
}

export function targetLabel(i: Pick<IndicatorValue, "target" | "unit" | "better">): string {
  if (i.target === null) return "—";
  return `${i.better === "higher" ? "au moins" : "au plus"} ${formatValue(i.unit, i.target)}`;
}
