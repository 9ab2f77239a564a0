/**
 * Call logs for tests, written the way the systems write them, with the raw calls kept beside so
 * a test can compute the expected figures on its own, without the code under test.
 */

export interface RawCall {
  /** Local wall-clock time, `2026-01-15 09:12:30`. */
  start: string;
  line: string;
  answered: boolean;
  /** Only for Asterisk: NO ANSWER, BUSY or FAILED when not answered. */
  disposition: "ANSWERED" | "NO ANSWER" | "BUSY" | "FAILED";
  wait: number;
  talk: number;
  inbound: boolean;
}

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Calls from January to March 2026, on weekdays and some Saturdays, 7 h to 19 h. */
export function randomCalls(seed: number, count: number, lines: string[]): RawCall[] {
  const random = prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const calls: RawCall[] = [];
  for (let i = 0; i < count; i++) {
    const month = 1 + Math.floor(random() * 3);
    const day = 1 + Math.floor(random() * 28);
    const hour = 7 + Math.floor(random() * 12);
    const start = `2026-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(Math.floor(random() * 60))}:${pad(Math.floor(random() * 60))}`;
    const r = random();
    const disposition = r < 0.78 ? "ANSWERED" : r < 0.93 ? "NO ANSWER" : r < 0.97 ? "BUSY" : "FAILED";
    const answered = disposition === "ANSWERED";
    // Mostly short waits, some long ones, all under a minute so the 90th percentile is exact.
    const wait = answered ? Math.floor(random() < 0.8 ? random() * 25 : 20 + random() * 39) : Math.floor(random() * 50);
    calls.push({
      start,
      line: pick(lines),
      answered,
      disposition,
      wait,
      talk: answered ? 10 + Math.floor(random() * 400) : 0,
      inbound: random() > 0.1,
    });
  }
  return calls;
}

function addSeconds(local: string, seconds: number): string {
  const [d = "", t = ""] = local.split(" ");
  const [y, mo, da] = d.split("-").map(Number);
  const [h, mi, s] = t.split(":").map(Number);
  const x = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, da ?? 1, h ?? 0, mi ?? 0, (s ?? 0) + seconds));
  return `${x.getUTCFullYear()}-${pad(x.getUTCMonth() + 1)}-${pad(x.getUTCDate())} ${pad(x.getUTCHours())}:${pad(x.getUTCMinutes())}:${pad(x.getUTCSeconds())}`;
}

const q = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** One Master.csv line (cdr_csv: strings quoted, numbers bare, unique id and user field logged). */
export function cdrLine(c: RawCall, i: number): string {
  const queue = c.line.startsWith("file-");
  const duration = c.wait + c.talk;
  return [
    q(""),
    q(`06${String(10000000 + i * 7919).slice(-8)}`),
    q(queue ? "3000" : c.line),
    q(c.inbound ? "from-trunk" : "from-internal"),
    q(`"Appelant ${i}" <0612345678>`),
    q(`PJSIP/trunk-${String(i).padStart(8, "0")}`),
    q(c.answered ? `PJSIP/poste-${i % 7}` : ""),
    q(queue ? "Queue" : "Dial"),
    q(queue ? `${c.line},t,,,300` : `PJSIP/poste-${i % 7},30`),
    q(c.start),
    c.answered ? q(addSeconds(c.start, c.wait)) : "",
    q(addSeconds(c.start, duration)),
    String(duration),
    String(c.talk),
    q(c.disposition),
    q("DOCUMENTATION"),
    q(`1767${String(i).padStart(6, "0")}.${i}`),
    q(""),
  ].join(",");
}

/** Another system's export: `;`, French dates, mm:ss waits, Oui/Non. */
export function otherSystemLine(c: RawCall): string {
  const [d = "", t = ""] = c.start.split(" ");
  const [y, m, da] = d.split("-");
  const mmss = `${Math.floor(c.wait / 60)}:${pad(c.wait % 60)}`;
  return [`${da}/${m}/${y}`, t, c.line, mmss, c.answered ? "Oui" : "Non", String(c.talk)].join(";");
}
export const OTHER_SYSTEM_HEADER = "Date;Heure;Service appelé;Attente;Décroché;Durée conversation";

export interface Expected {
  offered: number;
  answered: number;
  abandoned: number;
  within: number;
  meanWait: number | null;
  p90: number | null;
}

/** The figures, computed here from the raw calls: nearest-rank percentile, waits of answered calls. */
export function expectedFigures(calls: RawCall[], thresholdSeconds: number): Expected {
  const answered = calls.filter((c) => c.answered);
  const waits = answered.map((c) => c.wait).sort((a, b) => a - b);
  const rank = Math.ceil(0.9 * waits.length);
  return {
    offered: calls.length,
    answered: answered.length,
    abandoned: calls.filter((c) => c.disposition === "NO ANSWER").length,
    within: answered.filter((c) => c.wait <= thresholdSeconds).length,
    meanWait: answered.length ? waits.reduce((a, b) => a + b, 0) / answered.length : null,
    p90: waits.length ? (waits[rank - 1] ?? null) : null,
  };
}
