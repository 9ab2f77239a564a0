import { once } from "node:events";
import { createWriteStream } from "node:fs";

/**
 * A CDR file in Asterisk's Master.csv format: `--rows` calls over 2025, on weekdays from 7 h to 19 h,
 * 3 queues and 2 direct lines, 78 % answered. Deterministic (seeded), written fast (≈ 1 M lines per
 * few seconds): it is the input of the benchmark, not a test fixture.
 *
 *   npx tsx bench/calls/generate.ts --rows 5000000 --out /tmp/Master.csv
 */
export async function generateCdr(file: string, rows: number, seed = 20261123): Promise<number> {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
  const stamp = (ms: number) => {
    const d = new Date(ms);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  };
  const out = createWriteStream(file);
  const yearStart = Date.UTC(2025, 0, 1);
  const lines = ["accueil", "etat-civil", "urbanisme"];
  let chunk: string[] = [];
  let bytes = 0;
  for (let i = 0; i < rows; i++) {
    // Spread over the year in file order, as a PBX writes it.
    const day = Math.floor((i / rows) * 365);
    const start = yearStart + day * 86_400_000 + (7 * 3600 + Math.floor(random() * 12 * 3600)) * 1000;
    const r = random();
    const disposition = r < 0.78 ? "ANSWERED" : r < 0.93 ? "NO ANSWER" : r < 0.97 ? "BUSY" : "FAILED";
    const answered = disposition === "ANSWERED";
    const wait = Math.floor(random() < 0.8 ? random() * 25 : random() * 120);
    const talk = answered ? 10 + Math.floor(random() * 400) : 0;
    const queue = random() < 0.7;
    const line = queue ? lines[i % 3] : `01445566${pad(i % 2)}`;
    const s = stamp(start);
    const row = `"","06${String(10_000_000 + (i % 89_999_999)).slice(-8)}","${queue ? "3000" : line}","from-trunk","""Appelant"" <0600000000>","PJSIP/trunk-${i}","${answered ? "PJSIP/poste-1" : ""}","${queue ? "Queue" : "Dial"}","${queue ? `${line},t,,,300` : "PJSIP/poste-1,30"}","${s}",${answered ? `"${stamp(start + wait * 1000)}"` : ""},"${stamp(start + (wait + talk) * 1000)}",${wait + talk},${talk},"${disposition}","DOCUMENTATION","1735${i}.${i}",""\n`;
    chunk.push(row);
    if (chunk.length === 10_000) {
      const text = chunk.join("");
      bytes += Buffer.byteLength(text);
      if (!out.write(text)) await once(out, "drain");
      chunk = [];
    }
  }
  const text = chunk.join("");
  bytes += Buffer.byteLength(text);
  out.end(text);
  await once(out, "finish");
  return bytes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const get = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
  };
  const bytes = await generateCdr(get("out", "/tmp/Master.csv"), Number(get("rows", "1000000")));
  console.log(`${bytes} octets écrits`);
}
