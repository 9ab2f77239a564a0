import { describe, expect, it } from "vitest";
import { localClock } from "./local-time.ts";
import { mappedOptions, parseDuration, parseMappedRecord, resolveMapping } from "./mapped.ts";

const header = ["Date", "Heure", "Service", "Attente", "Décroché", "Durée conversation"];
const mapping = { date: "date", time: "HEURE", line: "Service", wait: "Attente", answered: "Décroché", talk: "Durée conversation" };

describe("another system's CSV through a column mapping", () => {
  it("finds the columns by name, whatever the case, and says which one is missing", () => {
    expect(resolveMapping(mapping, header)).toEqual({ ok: true, at: { date: 0, time: 1, line: 2, wait: 3, answered: 4, talk: 5 } });
    expect(resolveMapping({ ...mapping, wait: "Sonnerie" }, header)).toEqual({
      ok: false,
      errors: { map_wait: "La colonne « Sonnerie » n'est pas dans l'en-tête du fichier." },
    });
    expect(resolveMapping({ wait: "Attente" }, header)).toMatchObject({ ok: false, errors: { map_dateTime: expect.any(String) } });
  });

  it("reads durations in seconds, mm:ss and hh:mm:ss", () => {
    expect(parseDuration("45")).toBe(45);
    expect(parseDuration("45 s")).toBe(45);
    expect(parseDuration("12,6")).toBe(13);
    expect(parseDuration("1:05")).toBe(65);
    expect(parseDuration("01:00:05")).toBe(3605);
    expect(parseDuration("-5")).toBe(-5);
    expect(parseDuration("bientôt")).toBeNull();
  });

  it("reads a line, and refuses a bad date, a negative wait, a wrong number of cells", () => {
    const resolved = resolveMapping(mapping, header);
    if (!resolved.ok) throw new Error("mapping");
    const options = mappedOptions(mapping, resolved.at, header.length, localClock("Europe/Paris"));
    expect(parseMappedRecord(["15/01/2026", "09:12:30", "Standard", "0:25", "Oui", "120"], options)).toMatchObject({
      ok: true,
      call: { day: "2026-01-15", slot: 36, line: "Standard", outcome: "answered", wait: 25, talk: 120 },
    });
    expect(parseMappedRecord(["15/01/2026", "09:12:30", "Standard", "0:40", "Non", "0"], options)).toMatchObject({
      ok: true,
      call: { outcome: "abandoned", talk: 0 },
    });
    expect(parseMappedRecord(["32/01/2026", "10:00:00", "Standard", "0:10", "Oui", "30"], options)).toEqual({
      ok: false,
      message: "Date ou heure illisible : « 32/01/2026 10:00:00 ».",
    });
    expect(parseMappedRecord(["15/01/2026", "10:00:00", "Standard", "-5", "Oui", "30"], options)).toEqual({
      ok: false,
      message: "Durée d'attente négative.",
    });
    expect(parseMappedRecord(["15/01/2026", "10:00:00", "Standard", "0:10"], options)).toEqual({
      ok: false,
      message: "4 colonnes au lieu des 6 de l'en-tête.",
    });
  });
});
