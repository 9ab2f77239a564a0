import { describe, expect, it } from "vitest";
import { parseCdrRecord } from "./cdr.ts";
import { localClock } from "./local-time.ts";

const clock = localClock("Europe/Paris");
const options = { clock, inboundContexts: new Set<string>() };

/** A Master.csv line as cdr_csv writes it, split into its cells. */
function cells(over: Partial<Record<string, string>> = {}): string[] {
  const base: Record<string, string | undefined> = {
    accountcode: "",
    src: "0612345678",
    dst: "0144556677",
    dcontext: "from-trunk",
    clid: '"Jean" <0612345678>',
    channel: "PJSIP/trunk-0001",
    dstchannel: "PJSIP/poste-1",
    lastapp: "Dial",
    lastdata: "PJSIP/poste-1,30",
    start: "2026-03-02 08:59:50",
    answer: "2026-03-02 09:00:08",
    end: "2026-03-02 09:03:08",
    duration: "198",
    billsec: "180",
    disposition: "ANSWERED",
    amaflags: "DOCUMENTATION",
    uniqueid: "1772441990.42",
    userfield: "",
  };
  return Object.values({ ...base, ...over }).map((v) => v ?? "");
}

describe("Asterisk CDR lines", () => {
  it("reads an answered call: ring time from the pickup, local day and quarter of an hour, the instant in the zone", () => {
    const r = parseCdrRecord(cells(), options);
    expect(r.ok).toBe(true);
    if (r.ok !== true) return;
    expect(r.call).toMatchObject({ day: "2026-03-02", slot: 35, line: "0144556677", outcome: "answered", wait: 18, talk: 180 });
    expect(r.call.startedAt.toISOString()).toBe("2026-03-02T07:59:50.000Z");
  });

  it("takes duration − billsec when the pickup time is missing, the whole length when nobody answered", () => {
    const noAnswerTime = parseCdrRecord(cells({ answer: "" }), options);
    expect(noAnswerTime.ok === true && noAnswerTime.call.wait).toBe(18);
    const abandoned = parseCdrRecord(cells({ answer: "", billsec: "0", duration: "42", disposition: "NO ANSWER" }), options);
    expect(abandoned.ok === true && abandoned.call).toMatchObject({ outcome: "abandoned", wait: 42, talk: 0 });
    expect(parseCdrRecord(cells({ disposition: "BUSY", billsec: "0" }), options)).toMatchObject({ ok: true, call: { outcome: "busy" } });
    expect(parseCdrRecord(cells({ disposition: "CONGESTION", billsec: "0" }), options)).toMatchObject({
      ok: true,
      call: { outcome: "failed" },
    });
  });

  it("counts a queued call on its queue", () => {
    const r = parseCdrRecord(cells({ lastapp: "Queue", lastdata: "accueil,t,,,300", dst: "3000" }), options);
    expect(r.ok === true && r.call.line).toBe("accueil");
  });

  it("gives the same key to the same call, another to another call", () => {
    const a = parseCdrRecord(cells(), options);
    const b = parseCdrRecord(cells(), options);
    const c = parseCdrRecord(cells({ uniqueid: "1772441990.43" }), options);
    const noId = parseCdrRecord(cells({ uniqueid: "" }).slice(0, 16), options);
    expect(a.ok === true && b.ok === true && a.call.key === b.call.key).toBe(true);
    expect(a.ok === true && c.ok === true && a.call.key !== c.call.key).toBe(true);
    expect(noId.ok === true && /^[0-9a-f-]{36}$/.test(noId.call.key)).toBe(true);
  });

  it("refuses a day that does not exist, a negative duration, a cut line, an unknown disposition", () => {
    expect(parseCdrRecord(cells({ start: "2026-02-30 10:00:00" }), options)).toEqual({
      ok: false,
      message: "Date de début illisible : « 2026-02-30 10:00:00 ».",
    });
    expect(parseCdrRecord(cells({ duration: "-5" }), options)).toEqual({ ok: false, message: "Durée négative." });
    expect(parseCdrRecord(cells().slice(0, 10), options)).toEqual({
      ok: false,
      message: "10 colonnes au lieu de 16 à 18 : ce n'est pas une ligne de Master.csv.",
    });
    expect(parseCdrRecord(cells({ disposition: "PERDU" }), options)).toMatchObject({ ok: false });
    expect(parseCdrRecord(cells({ answer: "2026-03-02 08:59:00" }), options)).toEqual({
      ok: false,
      message: "Décroché avant le début de l'appel.",
    });
  });

  it("leaves out the calls of other contexts when the incoming ones are named", () => {
    const inbound = { clock, inboundContexts: new Set(["from-trunk"]) };
    expect(parseCdrRecord(cells({ dcontext: "from-internal" }), inbound)).toEqual({ ok: "skip" });
    expect(parseCdrRecord(cells(), inbound).ok).toBe(true);
  });
});
