import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import { flushes } from "./embedded-durability.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "vigie-durable-"));
  dirs.push(dir);
  return path.join(dir, "pglite");
}

describe("commits of the embedded database reach the disk", () => {
  it("runs with fsync on, and each commit flushes its WAL through a real fsync", async () => {
    const database = await openDatabase({ dataDir: dataDir(), purpose: "test" });
    try {
      expect(database.durable).toBe(true);
      const settings = await sql<{ fsync: string }>`select current_setting('fsync') as fsync`.execute(database.db);
      expect(settings.rows[0]?.fsync).toBe("on");
      await sql`create table t (n integer)`.execute(database.db);
      const before = flushes.count;
      for (let n = 0; n < 5; n++) await sql`insert into t values (${n})`.execute(database.db);
      // At least one flush per commit: the WAL record is on the disk when the insert returns.
      expect(flushes.count - before).toBeGreaterThanOrEqual(5);
    } finally {
      await database.close();
    }
  });

  it("keeps every acknowledged commit when its process is killed mid-burst", { timeout: 120_000 }, async () => {
    const dir = dataDir();
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/embedded-writer.ts", dir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let acknowledged = 0;
    let ready = "";
    const killed = new Promise<void>((resolve) => {
      let buffer = "";
      child.stdout.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          if (line.startsWith("ready")) ready = line;
          const m = /^ack (\d+)$/.exec(line);
          if (m) acknowledged = Number(m[1]);
          // Killed at an arbitrary point of the burst, between or during commits.
          if (acknowledged >= 300 && child.exitCode === null && !child.killed) child.kill("SIGKILL");
        }
      });
      child.on("exit", () => resolve());
    });
    await killed;
    expect(ready).toBe("ready durable=true");
    expect(acknowledged).toBeGreaterThanOrEqual(300);
    const reopened = await openDatabase({ dataDir: dir, purpose: "test" });
    try {
      const rows = await sql<{ n: number; max: number }>`select count(*)::int as n, max(n) as max from acknowledged`.execute(reopened.db);
      // Every acknowledged commit is there; one more may be, if it committed before its line was read.
      expect(rows.rows[0]?.max).toBeGreaterThanOrEqual(acknowledged);
      expect(rows.rows[0]?.n).toBe(rows.rows[0]?.max);
    } finally {
      await reopened.close();
    }
  });
});
