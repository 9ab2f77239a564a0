import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { Actor } from "../kernel/roles.ts";
import { auditActor } from "../modules/audit/audit.service.ts";
import { claimImport, createImport, runImport } from "../modules/calls/calls.service.ts";
import { createCampaign, loadGrids, recordTest } from "../modules/mystery/mystery.service.ts";
import type { Organisation } from "../modules/organisations/organisations.service.ts";

/**
 * Demo phone figures and mystery tests: for each site, a Master.csv of the last six months (calls on
 * weekdays, busier on Monday mornings, fewer answered at lunchtime) imported through the same path
 * as the page, then one campaign of mystery calls and visits with a few tests per site.
 */
export async function loadDemoCalls(db: Kysely<DB>, actor: Actor, root: Organisation, sites: Organisation[]): Promise<void> {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = (d: Date) =>
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const today = new Date();
  const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 5, 1);
  for (const [s, site] of sites.entries()) {
    const lines: string[] = [];
    for (let day = start; day < today.getTime(); day += 86_400_000) {
      const weekday = new Date(day).getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      const count = Math.round((weekday === 1 ? 40 : 25) * (0.6 + random() * 0.8));
      for (let i = 0; i < count; i++) {
        const hour = 8 + Math.floor(random() * 9);
        const at = new Date(day + (hour * 3600 + Math.floor(random() * 3600)) * 1000);
        const lunch = hour === 12 || hour === 13;
        const answered = random() < (lunch ? 0.55 : 0.85);
        const wait = Math.floor(answered ? random() * (lunch ? 50 : 28) : random() * 60);
        const talk = answered ? 20 + Math.floor(random() * 300) : 0;
        const queue = random() < 0.6 ? "accueil" : "etat-civil";
        const id = `${Math.floor(at.getTime() / 1000)}.${s}${i}`;
        lines.push(
          `"","0612345678","3000","from-trunk","""Usager"" <0612345678>","PJSIP/trunk-${id}","${answered ? "PJSIP/poste-1" : ""}","Queue","${queue},t,,,300","${stamp(at)}",${answered ? `"${stamp(new Date(at.getTime() + wait * 1000))}"` : ""},"${stamp(new Date(at.getTime() + (wait + talk) * 1000))}",${wait + talk},${talk},"${answered ? "ANSWERED" : "NO ANSWER"}","DOCUMENTATION","${id}",""`,
        );
      }
    }
    const file = path.join(tmpdir(), `vigie-demo-${site.id}.csv`);
    await writeFile(file, `${lines.join("\n")}\n`);
    const author = auditActor(actor);
    const importId = await createImport(db, author, site.id, {
      fileName: "Master.csv",
      format: "asterisk",
      bytes: Buffer.byteLength(lines.join("\n")),
    });
    await claimImport(db, site.id, importId);
    await runImport(db, author, site.id, importId, file, { commitWhenClean: true });
    await rm(file, { force: true });
  }

  const campaignStart = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
  const campaignEnd = today.toISOString().slice(0, 10);
  const campaign = await createCampaign(db, actor, root.id, {
    title: "Appels et visites mystère",
    startsOn: campaignStart,
    endsOn: campaignEnd,
    channels: ["phone", "counter"],
    sites: sites.map((s) => s.id),
  });
  for (const site of sites) {
    for (const grid of loadGrids().filter((g) => g.channel === "phone" || g.channel === "counter")) {
      for (let k = 0; k < 2; k++) {
        const answers = Object.fromEntries(
          grid.criteria.map((c) => [`c_${c.id}`, random() < 0.08 ? "na" : random() < 0.75 ? "yes" : "no"]),
        );
        await recordTest(db, actor, root.id, campaign, {
          channel: grid.channel,
          site: site.id,
          testedOn: campaignStart,
          tester: "Testeur de démonstration",
          comment: "",
          answers,
        });
      }
    }
  }
}
