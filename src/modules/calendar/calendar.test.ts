import { describe, expect, it } from "vitest";
import { createCalendar } from "./calendar.ts";

const lyon = createCalendar({ zone: "metropole", count: "ouvres" });
const strasbourg = createCalendar({ zone: "alsace-moselle", count: "ouvres" });

describe("due dates", () => {
  it("answers the letter received in Lyon on Friday 30 April 2027 within 15 jours ouvrés", () => {
    // Day 0 is Friday 30 April. Saturday 1 May, Thursday 6 May (Ascension), Saturday 8 May and Monday 17 May
    // (Whit Monday) do not count: 3, 4, 5, 7, 10–14, 18–21, 24 and 25 May are days 1 to 15.
    expect(lyon.addWorkingDays("2027-04-30", 15)).toBe("2027-05-25");
    expect(lyon.countWorkingDays("2027-04-30", "2027-05-25")).toBe(15);
  });

  it("gives the same date in Strasbourg, whose two extra days fall outside that window", () => {
    // Good Friday 2027 is 26 March and Saint-Étienne 26 December: Alsace-Moselle changes nothing here.
    expect(strasbourg.addWorkingDays("2027-04-30", 15)).toBe("2027-05-25");
    // Across Easter it does: from Thursday 25 March 2027, Good Friday 26 and Easter Monday 29 are off in Strasbourg.
    expect(lyon.addWorkingDays("2027-03-25", 2)).toBe("2027-03-30");
    expect(strasbourg.addWorkingDays("2027-03-25", 2)).toBe("2027-03-31");
  });

  it("counts Saturdays in jours ouvrables", () => {
    const ouvrables = createCalendar({ zone: "metropole", count: "ouvrables" });
    // Saturdays 15 and 22 May count; Saturdays 1 and 8 May are holidays.
    expect(ouvrables.addWorkingDays("2027-04-30", 15)).toBe("2027-05-22");
    expect(ouvrables.isWorkingDay("2027-05-15")).toBe(true);
    expect(lyon.isWorkingDay("2027-05-15")).toBe(false);
  });

  it("counts from the day after reception, working days only, whatever day it came", () => {
    // Received Saturday 6 March 2027: the first working day after it is Monday 8.
    expect(lyon.addWorkingDays("2027-03-06", 1)).toBe("2027-03-08");
    expect(lyon.addWorkingDays("2027-03-08", 1)).toBe("2027-03-09");
    // Received on Ascension day, Thursday 6 May 2027: Friday 7 is the first working day after.
    expect(lyon.addWorkingDays("2027-05-06", 1)).toBe("2027-05-07");
    // No delay: due the same day.
    expect(lyon.addWorkingDays("2027-03-06", 0)).toBe("2027-03-06");
    expect(lyon.countWorkingDays("2027-03-06", lyon.addWorkingDays("2027-03-06", 15))).toBe(15);
  });

  it("counts working days strictly after the start up to the end, negative backwards", () => {
    expect(lyon.countWorkingDays("2027-03-05", "2027-03-05")).toBe(0);
    expect(lyon.countWorkingDays("2027-03-05", "2027-03-08")).toBe(1);
    expect(lyon.countWorkingDays("2027-03-08", "2027-03-05")).toBe(-1);
    // Saturday to Monday: only the Monday counts.
    expect(lyon.countWorkingDays("2027-03-06", "2027-03-08")).toBe(1);
    expect(lyon.countWorkingDays("2027-01-01", "2027-12-31")).toBe(lyon.countWorkingDays("2026-12-31", "2027-12-31"));
  });

  it("goes back with a negative n", () => {
    expect(lyon.addWorkingDays("2027-05-25", -15)).toBe("2027-04-30");
    expect(lyon.addWorkingDays("2027-03-06", -1)).toBe("2027-03-05");
  });
});

describe("closures", () => {
  it("makes the organisation's closure days non-working", () => {
    // Closed on the bridge day Friday 7 May 2027 and on Monday 10 May.
    const closed = createCalendar({ zone: "metropole", count: "ouvres", closures: ["2027-05-07", "2027-05-10"] });
    expect(closed.isWorkingDay("2027-05-07")).toBe(false);
    expect(closed.isWorkingDay("2027-05-10")).toBe(false);
    expect(closed.isWorkingDay("2027-05-11")).toBe(true);
    expect(closed.addWorkingDays("2027-04-30", 15)).toBe("2027-05-27");
    expect(closed.countWorkingDays("2027-04-30", "2027-05-27")).toBe(15);
    // Received on a closure day: the first working day after it is Tuesday 11 May.
    expect(closed.addWorkingDays("2027-05-07", 1)).toBe("2027-05-11");
    expect(closed.addWorkingDays("2027-05-07", 2)).toBe("2027-05-12");
  });

  it("ignores duplicates and closures on days already off", () => {
    const closures = ["2027-05-07", "2027-05-07", "2027-05-08", "2027-05-09", "2027-05-13"];
    const closed = createCalendar({ zone: "metropole", count: "ouvres", closures });
    const same = createCalendar({ zone: "metropole", count: "ouvres", closures: ["2027-05-13", "2027-05-07"] });
    expect(closed.addWorkingDays("2027-04-30", 15)).toBe(same.addWorkingDays("2027-04-30", 15));
    expect(closed.countWorkingDays("2027-01-01", "2027-12-31")).toBe(lyon.countWorkingDays("2027-01-01", "2027-12-31") - 2);
  });

  it("does not leak between calendars of the same zone", () => {
    createCalendar({ zone: "metropole", count: "ouvres", closures: ["2027-05-03"] });
    expect(lyon.isWorkingDay("2027-05-03")).toBe(true);
  });

  it("refuses a malformed closure, naming it", () => {
    expect(() => createCalendar({ zone: "metropole", count: "ouvres", closures: ["07/05/2027"] })).toThrow(
      "Jour de fermeture : Date invalide : « 07/05/2027 ». Format attendu : AAAA-MM-JJ.",
    );
  });
});

describe("errors", () => {
  it("refuses dates and due dates outside 2000–2100, in French", () => {
    expect(() => lyon.isWorkingDay("1999-12-31")).toThrow(/hors de la période prise en charge/);
    expect(() => lyon.countWorkingDays("2027-01-01", "2101-01-03")).toThrow(/hors de la période prise en charge/);
    expect(() => lyon.addWorkingDays("2100-12-29", 5)).toThrow(
      "L'échéance tombe hors de la période prise en charge (2000-01-01 au 2100-12-31).",
    );
    expect(() => lyon.addWorkingDays("2000-01-04", -5)).toThrow(/L'échéance tombe hors/);
  });

  it("refuses a fractional number of days, an unknown zone or count", () => {
    expect(() => lyon.addWorkingDays("2027-04-30", 1.5)).toThrow("Le nombre de jours doit être un entier : 1.5.");
    expect(() => lyon.addWorkingDays("2027-04-30", Number.NaN)).toThrow(/entier/);
    // Values from a form or the database reach the function untyped.
    const options: Record<string, unknown> = { zone: "corse", count: "ouvres" };
    expect(() => Reflect.apply(createCalendar, undefined, [options])).toThrow("Zone de jours fériés inconnue : « corse ».");
    options.zone = "metropole";
    options.count = "calendaires";
    expect(() => Reflect.apply(createCalendar, undefined, [options])).toThrow(/Décompte inconnu/);
  });
});
