import { describe, expect, it } from "vitest";
import {
  formatDate,
  formatDateOf,
  formatDateShort,
  formatDateTime,
  formatDateTimeShort,
  formatDelay,
  formatMonth,
  formatNumber,
  formatOrdinal,
  formatPercent,
  formatRate,
  formatTime,
  forWinAnsi,
  frenchSpacing,
  NBSP,
  NNBSP,
  plural,
} from "./format.ts";

describe("French formatting", () => {
  it("groups thousands with a narrow no-break space and uses a decimal comma", () => {
    expect(formatNumber(11752)).toBe(`11${NNBSP}752`);
    expect(formatNumber(Math.PI, 2)).toBe("3,14");
  });

  it("puts a narrow no-break space before %", () => {
    expect(formatPercent(0.85)).toBe(`85${NNBSP}%`);
    expect(formatPercent(0.8534, 1)).toBe(`85,3${NNBSP}%`);
  });

  it("agrees nouns: the singular below two", () => {
    expect(plural(0, "réponse")).toBe(`0${NBSP}réponse`);
    expect(plural(1, "demande")).toBe(`1${NBSP}demande`);
    expect(plural(2, "demande")).toBe(`2${NBSP}demandes`);
    expect(plural(11752, "appel")).toBe(`11${NNBSP}752${NBSP}appels`);
    expect(plural(3, "travail", "travaux")).toBe(`3${NBSP}travaux`);
  });

  it("writes ordinals as the Imprimerie nationale does", () => {
    expect(formatOrdinal(1)).toBe("1er");
    expect(formatOrdinal(1, { feminine: true })).toBe("1re");
    expect(formatOrdinal(9)).toBe("9ᵉ");
    expect(formatOrdinal(9, { plain: true })).toBe("9e");
  });

  it("writes the first of the month « 1er » and months in words", () => {
    expect(formatDate("2026-12-01")).toBe(`1er${NBSP}décembre 2026`);
    expect(formatDate("2026-12-04", { weekday: true })).toBe(`vendredi 4${NBSP}décembre 2026`);
    expect(formatDateShort("2026-04-01")).toBe("01/04/2026");
    expect(formatMonth("2026-12")).toBe("décembre 2026");
    expect(formatMonth("2026-02-15", { short: true })).toBe("févr. 2026");
  });

  it("reads an instant in the organisation's zone", () => {
    const instant = new Date("2026-12-31T23:30:00Z");
    expect(formatDateTime(instant, "Europe/Paris")).toBe(`1er${NBSP}janvier 2027 à 0${NBSP}h${NBSP}30`);
    expect(formatDateTime(instant, "America/Cayenne")).toBe(`31${NBSP}décembre 2026 à 20${NBSP}h${NBSP}30`);
    expect(formatTime("09:00")).toBe(`9${NBSP}h`);
  });

  it("writes instants short for tables, and dates of instants in words", () => {
    const instant = new Date("2026-12-01T13:05:00Z");
    expect(formatDateTimeShort(instant, "Europe/Paris")).toBe(`01/12/2026 à 14${NBSP}h${NBSP}05`);
    expect(formatDateTimeShort(new Date("2026-12-31T23:30:00Z"))).toBe(`01/01/2027 à 0${NBSP}h${NBSP}30`);
    expect(formatDateOf(instant)).toBe(`1er${NBSP}décembre 2026`);
  });

  it("writes a rate or a dash", () => {
    expect(formatRate(0.8534)).toBe(`85,3${NNBSP}%`);
    expect(formatRate(1)).toBe(`100${NNBSP}%`);
    expect(formatRate(null)).toBe("—");
  });

  it("states delays with their unit agreed", () => {
    expect(formatDelay(15, "working_days")).toBe(`15${NBSP}jours ouvrés`);
    expect(formatDelay(1, "calendar_days")).toBe(`1${NBSP}jour calendaire`);
    expect(formatDelay(6, "business_days")).toBe(`6${NBSP}jours ouvrables`);
  });

  it("spaces French punctuation and leaves times and addresses alone", () => {
    expect(frenchSpacing("Attention : délai dépassé ! Pourquoi ? 85 %")).toBe(
      `Attention${NBSP}: délai dépassé${NNBSP}! Pourquoi${NNBSP}? 85${NNBSP}%`,
    );
    expect(frenchSpacing("«Bonjour»")).toBe(`«${NBSP}Bonjour${NBSP}»`);
    expect(frenchSpacing("à 14:05 sur https://exemple.fr/a?b=1")).toBe("à 14:05 sur https://exemple.fr/a?b=1");
  });

  it("keeps PDF standard-font text in its encoding", () => {
    expect(forWinAnsi(`9ᵉ décile : 85${NNBSP}%`)).toBe(`9e décile : 85${NBSP}%`);
  });
});
