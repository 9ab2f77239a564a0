import { existsSync } from "node:fs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import {
  cdrLine,
  expectedFigures,
  OTHER_SYSTEM_HEADER,
  otherSystemLine,
  type RawCall,
  randomCalls,
} from "../../../test/support/call-logs.ts";
import { engineName } from "../../../test/support/database.ts";
import { silentLogger, startWorker, type Worker } from "../jobs/jobs.service.ts";
import { importFilePath } from "./upload.ts";

/** What a browser sends for the upload form: the CSRF field, the format, then the file. */
function upload(_t: TestApp, c: Client, orgId: string, format: string, fileName: string, bytes: Uint8Array) {
  return c.upload(`/organisations/${orgId}/calls/import`, { name: fileName, data: Buffer.from(bytes) }, { format });
}

const text = (body: string) =>
  body
    .replace(/<[^>]+>/g, " ")
    .replaceAll("&#39;", "'")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&")
    .replace(/\s+/g, " ");

const THRESHOLD = 25; // 5 rings × 5 s, the defaults

describe(`call logs imported through the pages, on ${engineName}`, () => {
  let t: TestApp;
  let c: Client;
  let network = "";
  let siteA = "";
  let siteB = "";
  // The pages read and record through the job queue: a worker beside the app, as every server runs one.
  let worker: Worker;

  // Site A: an Asterisk Master.csv; outgoing calls (context from-internal) are left out by the settings.
  const asterisk = randomCalls(61, 400, ["0144556677", "file-accueil", "file-etat-civil"]);
  const inboundA = asterisk.filter((x) => x.inbound);
  const cdrLines = asterisk.map((x, i) => cdrLine(x, i));
  // Faults, at known lines (1-based): a day that does not exist, a negative duration, a cut line.
  const faultyCdr = [...cdrLines];
  faultyCdr.splice(10, 0, cdrLine({ ...(asterisk[0] as RawCall), start: "2026-02-30 10:00:00" }, 9001));
  faultyCdr.splice(
    50,
    0,
    cdrLine({ ...(asterisk[1] as RawCall), inbound: true, answered: true, disposition: "ANSWERED", wait: 3, talk: 40 }, 9002).replace(
      /,(\d+),(\d+),"ANSWERED"/,
      ',-$1,$2,"ANSWERED"',
    ),
  );
  faultyCdr.splice(120, 0, '"","0612","3000","from-trunk","x","PJSIP/a","","Dial","x","2026-01-05 10:00:00"');
  const masterCsv = `${faultyCdr.join("\n")}\n`;

  // Site B: another system, `;`, French dates, Windows-1252; every call not answered is abandoned.
  const other = randomCalls(62, 250, ["Standard", "Urbanisme"]).map((x) => ({
    ...x,
    inbound: true,
    disposition: x.answered ? ("ANSWERED" as const) : ("NO ANSWER" as const),
  }));
  const otherLines = [OTHER_SYSTEM_HEADER, ...other.map(otherSystemLine)];
  otherLines.splice(5, 0, "32/01/2026;10:00:00;Standard;0:10;Oui;30");
  otherLines.splice(30, 0, "15/01/2026;10:00:00;Standard;-5;Oui;30");
  otherLines.splice(77, 0, "15/01/2026;10:00:00;Standard;0:10");
  const otherCsv = Buffer.from(`${otherLines.join("\r\n")}\r\n`, "latin1");

  beforeAll(async () => {
    t = await startTestApp();
    worker = startWorker({ db: t.database.db, log: silentLogger, intervalMs: 200, schedules: false });
    c = await adminClient(t);
    const create = async (name: string, kind: string, parentId?: string) =>
      (await c.api("POST", "/api/v1/organisations", { name, kind, parentId, timeZone: "Europe/Paris", holidayZone: "metropole" })).json()
        .id as string;
    network = await create("Réseau", "network");
    siteA = await create("Mairie A", "site", network);
    siteB = await create("Mairie B", "site", network);
  });
  afterAll(async () => {
    await worker.stop();
    await t.close();
  });

  /** Follows the progress page as a browser would, until the reading is over. */
  async function follow(location: string) {
    for (let i = 0; i < 200; i++) {
      const page = await c.get(location);
      expect(page.statusCode).toBe(200);
      if (!page.headers.refresh) return page;
      // Still reading, or recording (the calls moving into place, in one transaction).
      // Waiting for the worker, reading, or recording (the calls moving into place, in one transaction).
      expect(text(page.body)).toMatch(/État : en file d'attente|Lecture :|État : enregistrement en cours/);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("l'import ne finit pas");
  }

  const figures = async (orgId: string) =>
    (await c.api("GET", `/api/v1/organisations/${orgId}/call-indicators?from=2026-01-01&to=2026-03-31`)).json();

  it("reads an Asterisk Master.csv, lists its faulty lines by number, records nothing until asked", async () => {
    await c.get(`/organisations/${siteA}/calls/settings`);
    const saved = await c.post(`/organisations/${siteA}/calls/settings`, {
      rings: "",
      secondsPerRing: "5",
      inboundContexts: "from-trunk",
      version: "0",
    });
    expect(saved.statusCode).toBe(303);

    await c.get(`/organisations/${siteA}/calls/import`);
    const sent = await upload(t, c, siteA, "asterisk", "Master.csv", Buffer.from(masterCsv));
    expect(sent.statusCode, sent.body).toBe(303);
    const report = await follow(String(sent.headers.location));
    const body = text(report.body);
    expect(body).toContain("lu, en attente de décision");
    expect(body).toContain(`${asterisk.length + 3} lignes lues`);
    expect(body).toContain("3 lignes fautives");
    expect(body).toContain(`${asterisk.length - inboundA.length} lignes écartées`);
    expect(body).toMatch(/11 Date de début illisible : « 2026-02-30 10:00:00 »/);
    expect(body).toMatch(/51 Durée négative/);
    expect(body).toMatch(/121 10 colonnes au lieu de 16 à 18/);
    // Nothing recorded yet.
    expect((await figures(siteA)).total.offered).toBe(0);

    const committed = await c.post(`${String(sent.headers.location)}/commit`, {});
    expect(committed.statusCode).toBe(303);
    const done = text((await c.get(String(committed.headers.location))).body);
    expect(done).toContain(`${inboundA.length} appels ajoutés, 0 déjà connu (ignoré)`);
    // The upload and the recording are in the audit log, with what was recorded.
    const importId = String(sent.headers.location).split("/").pop() ?? "";
    const audit = (await c.api("GET", `/api/v1/audit?entityId=${importId}`)).json() as Array<{ entity: string; after: unknown }>;
    expect(audit.map((a) => a.entity).sort()).toEqual(["call_import", "call_upload"]);
    expect(audit.find((a) => a.entity === "call_import")?.after).toMatchObject({ created: inboundA.length, invalid: 3 });
  });

  it("gives the figures computed from the raw calls, by line, month and hour of the week", async () => {
    const f = await figures(siteA);
    const want = expectedFigures(inboundA, THRESHOLD);
    expect(f.rings).toBe(5);
    expect(f.total.offered).toBe(want.offered);
    expect(f.total.answered).toBe(want.answered);
    expect(f.total.abandoned).toBe(want.abandoned);
    expect(f.total.withinRings).toBe(want.within);
    expect(f.total.meanWait).toBeCloseTo(want.meanWait ?? -1, 9);
    expect(f.total.p90Wait).toBe(want.p90);
    expect(f.total.outsideHours).toBeNull();

    for (const line of ["0144556677", "file-accueil", "file-etat-civil"]) {
      const mine = inboundA.filter((x) => x.line === line);
      const row = f.byLine.find((l: { line: string }) => l.line === line);
      expect(row, line).toMatchObject({
        offered: mine.length,
        answered: expectedFigures(mine, THRESHOLD).answered,
        p90Wait: expectedFigures(mine, THRESHOLD).p90,
      });
    }
    for (const month of ["2026-01", "2026-02", "2026-03"]) {
      const mine = inboundA.filter((x) => x.start.startsWith(month));
      expect(f.byMonth.find((m: { month: string }) => m.month === month)).toMatchObject({
        offered: mine.length,
        answered: expectedFigures(mine, THRESHOLD).answered,
      });
    }
    // Day of the week × hour, from the written local time.
    const heat = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => ({ offered: 0, answered: 0 })));
    for (const x of inboundA) {
      const [y, m, d] = x.start.slice(0, 10).split("-").map(Number);
      const dow = (new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1)).getUTCDay() + 6) % 7;
      const cell = heat[dow]?.[Number(x.start.slice(11, 13))];
      if (cell) {
        cell.offered++;
        if (x.answered) cell.answered++;
      }
    }
    expect(f.heat).toEqual(heat);

    const page = text((await c.get(`/organisations/${siteA}/calls?from=2026-01-01&to=2026-03-31`)).body);
    const rate = `${(Math.round((want.answered / want.offered) * 1000) / 10).toLocaleString("fr-FR")} %`;
    expect(page).toContain(`${rate} taux de décroché (${want.answered} appels décrochés sur ${want.offered})`);
    expect(page).toContain("Taux de décroché (%) par jour et heure d'appel");

    // Seconds per ring changed after the import: the share is recomputed from the histogram.
    await c.get(`/organisations/${siteA}/calls/settings`);
    expect(
      (
        await c.post(`/organisations/${siteA}/calls/settings`, {
          rings: "3",
          secondsPerRing: "4",
          inboundContexts: "from-trunk",
          version: "1",
        })
      ).statusCode,
    ).toBe(303);
    expect((await figures(siteA)).total.withinRings).toBe(expectedFigures(inboundA, 12).within);
    // A stale form is refused and changes nothing.
    const stale = await c.post(`/organisations/${siteA}/calls/settings`, {
      rings: "9",
      secondsPerRing: "4",
      inboundContexts: "",
      version: "1",
    });
    expect(stale.statusCode).toBe(409);
    expect((await figures(siteA)).rings).toBe(3);
    await c.post(`/organisations/${siteA}/calls/settings`, { rings: "", secondsPerRing: "5", inboundContexts: "from-trunk", version: "2" });
  });

  it("adds nothing when the same calls come again, faulty file or clean one", async () => {
    const before = await figures(siteA);
    await c.get(`/organisations/${siteA}/calls/import`);
    const again = await upload(t, c, siteA, "asterisk", "Master.csv", Buffer.from(masterCsv));
    await follow(String(again.headers.location));
    await c.post(`${String(again.headers.location)}/commit`, {});
    expect(text((await c.get(String(again.headers.location))).body)).toContain(`0 appel ajouté, ${inboundA.length} déjà connus`);

    // A clean file is recorded as soon as it is read.
    await c.get(`/organisations/${siteA}/calls/import`);
    const clean = await upload(t, c, siteA, "asterisk", "Master-propre.csv", Buffer.from(`${cdrLines.join("\n")}\n`));
    const page = text((await follow(String(clean.headers.location))).body);
    expect(page).toContain("enregistré");
    expect(page).toContain(`0 appel ajouté, ${inboundA.length} déjà connus`);
    expect(await figures(siteA)).toEqual(before);
  });

  it("reads another system's CSV through a saved column mapping, and rolls both sites up the tree", async () => {
    await c.get(`/organisations/${siteB}/calls/import`);
    const sent = await upload(t, c, siteB, "mapped", "export-standard.csv", otherCsv);
    expect(sent.statusCode).toBe(303);
    const mappingPage = await c.get(String(sent.headers.location));
    expect(text(mappingPage.body)).toContain("Correspondance des colonnes");
    expect(mappingPage.body).toContain('<option value="Décroché"');
    const action = `${String(sent.headers.location)}/mapping`;
    // The wait column left out: refused, the form shown again.
    const incomplete = await c.post(action, { map_date: "Date", map_time: "Heure" });
    expect(incomplete.statusCode).toBe(400);
    expect(text(incomplete.body)).toContain("Indiquez la colonne de la durée de sonnerie ou d'attente.");
    const mapped = await c.post(action, {
      map_date: "Date",
      map_time: "Heure",
      map_line: "Service appelé",
      map_wait: "Attente",
      map_answered: "Décroché",
      map_talk: "Durée conversation",
    });
    expect(mapped.statusCode).toBe(303);
    const report = text((await follow(String(mapped.headers.location))).body);
    expect(report).toContain("3 lignes fautives");
    expect(report).toMatch(/6 Date ou heure illisible : « 32\/01\/2026 10:00:00 »/);
    expect(report).toMatch(/31 Durée d'attente négative/);
    expect(report).toMatch(/78 4 colonnes au lieu des 6 de l'en-tête/);
    await c.post(`${String(mapped.headers.location)}/commit`, {});

    const b = await figures(siteB);
    const want = expectedFigures(other, THRESHOLD);
    expect(b.total).toMatchObject({
      offered: want.offered,
      answered: want.answered,
      abandoned: want.abandoned,
      withinRings: want.within,
      p90Wait: want.p90,
    });

    // The network sees both sites.
    const all = await figures(network);
    const both = expectedFigures([...inboundA, ...other], THRESHOLD);
    expect(all.total).toMatchObject({ offered: both.offered, answered: both.answered, withinRings: both.within, p90Wait: both.p90 });
    expect(all.total.meanWait).toBeCloseTo(both.meanWait ?? -1, 9);
    const page = text((await c.get(`/organisations/${network}/calls?from=2026-01-01&to=2026-03-31`)).body);
    expect(page).toContain(`Mairie A ${inboundA.length}`);
    expect(page).toContain(`Mairie B ${other.length}`);

    // The mapping is kept: the next file of that system goes straight through.
    await c.get(`/organisations/${siteB}/calls/import`);
    const next = await upload(t, c, siteB, "mapped", "export-2.csv", otherCsv);
    const form = await c.get(String(next.headers.location));
    expect(form.body).toMatch(/<option value="Attente" selected/);
    // Dropped before its mapping: nothing recorded, the uploaded file deleted.
    const nextId = String(next.headers.location).split("/").pop() ?? "";
    expect(existsSync(importFilePath(nextId))).toBe(true);
    expect((await c.post(`${String(next.headers.location)}/discard`, {})).statusCode).toBe(303);
    expect(existsSync(importFilePath(nextId))).toBe(false);
    expect((await figures(siteB)).total.offered).toBe(other.length);
  });

  it("refuses an upload without a file, an empty file or an unknown format, in French, recording nothing", async () => {
    await c.get(`/organisations/${siteB}/calls/import`);
    const before = (await c.get(`/organisations/${siteB}/calls/import`)).body.match(/calls\/imports\//g)?.length ?? 0;
    const noFile = await upload(t, c, siteB, "asterisk", "", Buffer.alloc(0));
    expect(noFile.statusCode).toBe(400);
    expect(text(noFile.body)).toContain("Choisissez le fichier du journal d'appels.");
    const empty = await upload(t, c, siteB, "asterisk", "vide.csv", Buffer.alloc(0));
    expect(text(empty.body)).toContain("Le fichier est vide.");
    const format = await upload(t, c, siteB, "excel", "Master.csv", Buffer.from(masterCsv));
    expect(format.statusCode).toBe(400);
    expect(text(format.body)).toContain("Choisissez le format du fichier.");
    const after = (await c.get(`/organisations/${siteB}/calls/import`)).body.match(/calls\/imports\//g)?.length ?? 0;
    expect(after).toBe(before);
  });

  it("lets a reading cut by a stopped server be dropped, and stops the reloads on request", async () => {
    const { createImport, claimImport } = await import("./calls.service.ts");
    const { SYSTEM_ACTOR } = await import("../audit/audit.service.ts");
    const db = t.database.db;
    const id = await createImport(db, SYSTEM_ACTOR, siteA, { fileName: "coupé.csv", format: "asterisk", bytes: 100 });
    await claimImport(db, siteA, id);
    // Read by an app server on another machine: followed, and too early to drop.
    await sql`update call_imports set runner = 'autre-serveur/4242' where id = ${id}`.execute(db);
    const url = `/organisations/${siteA}/calls/imports/${id}`;
    const reading = await c.get(url);
    expect(reading.headers.refresh).toBe("2");
    expect(text(reading.body)).toContain("Arrêter la mise à jour automatique");
    expect((await c.get(`${url}?auto=0`)).headers.refresh).toBeUndefined();
    expect((await c.post(`${url}/discard`, {})).statusCode).toBe(409);
    // Ten minutes without news from that machine: taken as cut.
    await sql`update call_imports set updated_at = now() - interval '11 minutes' where id = ${id}`.execute(db);
    const stalled = await c.get(url);
    expect(stalled.headers.refresh).toBeUndefined();
    expect(text(stalled.body)).toContain("La lecture a été interrompue par un arrêt du serveur");
    // Its file is gone with that machine: no « Reprendre », and resuming anyway says why.
    expect(text(stalled.body)).toContain("Le fichier n'est plus sur le serveur");
    expect(stalled.body).not.toContain(`${url}/resume`);
    const resume = await c.post(`${url}/resume`, {});
    expect(resume.statusCode).toBe(409);
    expect(text(resume.body)).toContain("Le fichier de cet import n'est plus sur le serveur");
    expect((await c.post(`${url}/discard`, {})).statusCode).toBe(303);
    expect(text((await c.get(url)).body)).toContain("abandonné");
    // Claimed by this process, which is not reading it (as after a restart): interrupted at once.
    const mine = await createImport(db, SYSTEM_ACTOR, siteA, { fileName: "à moi.csv", format: "asterisk", bytes: 100 });
    await claimImport(db, siteA, mine);
    const page = await c.get(`/organisations/${siteA}/calls/imports/${mine}`);
    expect(page.headers.refresh).toBeUndefined();
    expect(text(page.body)).toContain("État : interrompu par un arrêt du serveur.");
    expect((await c.post(`/organisations/${siteA}/calls/imports/${mine}/discard`, {})).statusCode).toBe(303);
  });

  it("shows the indicators in the shared shape, tied to the phone commitments", async () => {
    const { callIndicators } = await import("./calls.service.ts");
    const values = await callIndicators(t.database.db, siteA, { from: "2026-01-01", to: "2026-03-31" });
    const rate = values.find((v) => v.key === "calls.answer_rate");
    const want = expectedFigures(inboundA, THRESHOLD);
    expect(rate).toMatchObject({
      unit: "share",
      sample: want.offered,
      commitments: ["sp+2023/2", "sp+2021/2", "marianne-2016/8", "marianne-2008/12"],
    });
    expect(rate?.value).toBeCloseTo(want.answered / want.offered, 12);
    expect(values.find((v) => v.key === "calls.within_rings")?.value).toBeCloseTo(want.within / want.offered, 12);
    expect(values.find((v) => v.key === "calls.mean_wait")).toMatchObject({ unit: "seconds", better: "lower", target: 25 });
    expect(values.some((v) => v.key === "calls.outside_hours")).toBe(false);
    expect(await callIndicators(t.database.db, siteA, { from: "2025-01-01", to: "2025-12-31" })).toEqual([]);
  });
});
