import { escapeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { formatValue } from "../indicators/traffic-light.ts";
import type { PublishedResults } from "./publication.service.ts";

/**
 * The embeddable badge: a small SVG with the share of requests handled in time (the one SP+ figure
 * every service can give), titled for screen readers. Pure.
 */
export function badgeSvg(results: Pick<PublishedResults, "org" | "headline" | "period">): string {
  const inTime = results.headline.find((h) => h.key === "requests.answered_in_time");
  const value = inTime?.figure && inTime.figure.value !== null ? formatValue(inTime.figure.value, "share").replace(/\u202f/g, " ") : "—";
  const label = "Demandes traitées dans le délai";
  const year = results.period ? ` (${results.period.from.slice(0, 4)})` : "";
  const title = `${results.org.name} — ${label}${year} : ${value === "—" ? "pas encore de donnée" : value}`;
  const left = 230;
  const right = 70;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + right}" height="24" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title><rect width="${left}" height="24" fill="#3a3a3a"/><rect x="${left}" width="${right}" height="24" fill="#000091"/><g fill="#fff" font-family="Arial,sans-serif" font-size="12"><text x="8" y="16">${escapeHtml(label + year)}</text><text x="${left + right / 2}" y="16" text-anchor="middle" font-weight="bold">${escapeHtml(value)}</text></g></svg>`;
}
