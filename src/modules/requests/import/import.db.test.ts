import ExcelJS from "exceljs";
import type { LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../../test/support/app.ts";
import { runDueJobs, silentLogger } from "../../jobs/jobs.service.ts";
import { runQueuedImport } from "./import.service.ts";

/** What a browser sends for the upload form: the CSRF field, then the file. */
function upload(_t: TestApp, c: Client, orgId: string, fileName: string, bytes: Uint8Array, csrf = c.csrf) {
  return c.upload(`/organisations/${orgId}/requests/import`, { name: fileName, data: Buffer.from(bytes) }, { _csrf: csrf });
}

const decodeEntities = (s: string) =>
  s.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

/** The fields a browser would send with the form posting to `action` on this page. */
function formOf(html: string, action: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*action="${action.replace(/[/]/g, "\\/")}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1];
  if (form === undefined) throw new Error(`pas de formulaire vers ${action}`);
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1] ?? ""] = decodeEntities(m[2] ?? "");
  for (const m of form.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected/.exec(m[2] ?? "")?.[1] ?? "";
    fields[m[1] ?? ""] = decodeEntities(selected);
  }
  return fields;
}

// The words of the page; its no-break spaces are the typography test's business (test/support/typography.ts).
const text = (response: LightMyRequestResponse) => decodeEntities(response.body).replace(/[\u00a0\u202f]/g, " ");

async function workbook(rows: unknown[][]): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet("Registre");
  sheet.addRow(["Date de réception", "Type", "Canal", "Objet", "Nom", "Courriel"]);
  for (const row of rows) sheet.addRow(row);
  sheet.getColumn(1).numFmt = "dd/mm/yyyy";
  return new Uint8Array(await book.xlsx.writeBuffer());
}

const april30 = new Date(Date.UTC(2027, 3, 30));
const GOOD_ROWS = [
  [april30, "Demande", "Courrier", "Permis de construire", "Jean Dupont", "jean@example.org"],
  ["07/06/2027", "demande", "E-mail", "Question par mail", "Paul", "paul@example.org"],
  ["2027-06-07", "RÉCLAMATION", "accueil", "Attente au guichet", "Zoé", ""],
];
const BAD_ROWS = [
  ["31/02/2027", "Réclamation", "courriel", "Attente", "Marie", ""],
  ["07/06/2027", "demande", "pigeon", "Cantine", "Luc", ""],
  ["2027-06-07", "Suggestion", "Accueil", "", "Léa", ""],
];

describe("importing a register of requests, through the pages and the API", () => {
  let t: TestApp;
  let c: Client;
  let lyon = "";
  let other = "";
  const base = () => `/organisations/${lyon}/requests/import`;
  const listed = async () => (await c.api("GET", `/api/v1/organisations/${lyon}/requests`)).json().items as Array<Record<string, unknown>>;
  const importUrl = new RegExp(`^/organisations/${"[0-9a-f-]{36}"}/requests/imports/([0-9a-f-]{36})$`);

  /** Posts « Importer », checks the import's page says it waits in the queue, runs the queue, returns the page then. */
  async function commit(fields: Record<string, string>) {
    const committed = await c.post(`${base()}/commit`, fields);
    expect(committed.statusCode, committed.body).toBe(303);
    const location = String(committed.headers.location);
    expect(location).toMatch(importUrl);
    const queued = await c.get(location);
    expect(queued.statusCode).toBe(200);
    expect(queued.headers.refresh).toBe("2");
    expect(text(queued)).toContain("État : en file.");
    expect(text(queued)).toContain("L'import attend son tour : aucune demande de ce fichier n'est encore enregistrée.");
    await runDueJobs(t.database.db);
    const done = await c.get(location);
    expect(done.headers.refresh).toBeUndefined();
    return { location, importId: importUrl.exec(location)?.[1] ?? "", page: text(done) };
  }

  /** Upload, accept the proposed mapping (plus any change), and return the preview. */
  async function preview(fileName: string, bytes: Uint8Array, change: Record<string, string> = {}) {
    await c.get(base());
    const mappingPage = await upload(t, c, lyon, fileName, bytes);
    expect(mappingPage.statusCode, mappingPage.body).toBe(200);
    return c.post(`${base()}/preview`, { ...formOf(mappingPage.body, `${base()}/preview`), ...change });
  }

  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    const fields = { timeZone: "Europe/Paris", holidayZone: "metropole" };
    const network = (await c.api("POST", "/api/v1/organisations", { ...fields, name: "Réseau", kind: "network" })).json().id;
    await c.api("PUT", `/api/v1/organisations/${network}/framework`, { frameworkId: "marianne-2008" });
    lyon = (await c.api("POST", "/api/v1/organisations", { ...fields, name: "Lyon", kind: "site", parentId: network })).json().id;
    other = (await c.api("POST", "/api/v1/organisations", { ...fields, name: "Autre", kind: "site", parentId: network })).json().id;
  });
  afterAll(() => t.close());

  it("lists every bad row of a spreadsheet with its line and reason, and writes nothing", async () => {
    const mappingPage = await (async () => {
      await c.get(base());
      return upload(t, c, lyon, "registre-été.xlsx", await workbook([GOOD_ROWS[0] ?? [], ...BAD_ROWS, ...GOOD_ROWS.slice(1)]));
    })();
    expect(mappingPage.statusCode).toBe(200);
    expect(text(mappingPage)).toContain("« registre-été.xlsx » : 6 lignes à importer, 6 colonnes.");
    // The mapping is proposed from the header names.
    const proposed = formOf(mappingPage.body, `${base()}/preview`);
    expect(proposed).toMatchObject({ map_receivedOn: "0", map_kind: "1", map_channel: "2", map_subject: "3", map_requesterName: "4" });
    expect(proposed.map_requesterEmail).toBe("5");

    const checked = await c.post(`${base()}/preview`, proposed);
    expect(checked.statusCode).toBe(400);
    const page = text(checked);
    expect(page).toContain("3 lignes sont à corriger : rien n'a été importé");
    expect(page).toMatch(/<td>3<\/td><td><ul class="fr-mb-0"><li>Date de réception : Cette date n'existe pas\.<\/li>/);
    expect(page).toMatch(/<td>4<\/td><td><ul class="fr-mb-0"><li>Canal de réception : « pigeon » n'est pas un canal connu/);
    expect(page).toMatch(/<td>5<\/td><td><ul class="fr-mb-0"><li>Objet : L'objet est obligatoire\.<\/li>/);
    expect(page).toContain("3 lignes correctes");
    expect(page).not.toContain(`action="${base()}/commit"`);
    // Posting the commit anyway changes nothing.
    const forced = await c.post(`${base()}/commit`, proposed);
    expect(forced.statusCode).toBe(400);
    expect(await listed()).toEqual([]);
  });

  it("imports the corrected file in one go, with the deadlines the organisation announced", async () => {
    const fixed = [
      ...GOOD_ROWS,
      ["28/02/2027", "Réclamation", "courriel", "Attente", "Marie", ""],
      ["07/06/2027", "demande", "téléphone", "Cantine", "Luc", ""],
    ];
    const checked = await preview("registre.xlsx", await workbook(fixed));
    expect(checked.statusCode).toBe(200);
    expect(text(checked)).toContain("5 demandes seront enregistrées en une fois ; rien n'est encore écrit.");
    expect(await listed()).toEqual([]);
    const { page } = await commit(formOf(checked.body, `${base()}/commit`));
    expect(page).toContain("État : terminé.");
    expect(page).toMatch(/5 demandes enregistrées \(n° 2027-\d{6} à 2027-\d{6}\)/);
    expect(page).toContain("Aucune ligne n'était déjà importée.");
    const due = Object.fromEntries((await listed()).map((r) => [r.subject, [r.source, r.channel, r.kind, r.dueOn]]));
    expect(due).toEqual({
      // 15 working days around 1 May, 8 May, Ascension and Whit Monday.
      "Permis de construire": ["import", "letter", "request", "2027-05-25"],
      "Question par mail": ["import", "email", "request", "2027-06-14"],
      "Attente au guichet": ["import", "counter", "complaint", "2027-06-28"],
      Attente: ["import", "email", "complaint", "2027-03-19"],
      Cantine: ["import", "phone", "request", null],
    });
    const indicators = (await c.api("GET", `/api/v1/organisations/${lyon}/request-indicators?from=2027-01-01&to=2027-12-31`)).json();
    expect(indicators.total.received).toBe(5);
  });

  it("recognises a file imported again: every row « déjà importée », nothing doubled", async () => {
    const again = await preview("registre.xlsx", await workbook([...GOOD_ROWS]));
    expect(again.statusCode).toBe(200);
    const page = text(again);
    expect(page.match(/déjà importée \(demande n° 2027-\d{6}\)/g)).toHaveLength(3);
    expect(page).toContain("Rien de nouveau à importer");
    expect(page).not.toContain(`action="${base()}/commit"`);
    const { page: report } = await commit(formOf(again.body, `${base()}/mapping`));
    expect(report).toContain("Aucune demande nouvelle");
    expect(report).toContain("3 lignes étaient déjà importées : elles ont été ignorées.");
    expect(report.match(/déjà importée \(demande n° 2027-\d{6}\)/g)).toHaveLength(3);
    expect(await listed()).toHaveLength(5);
  });

  it("reads a semicolon CSV from Excel in Windows-1252, with one channel for the whole file", async () => {
    const csv = "Reçu le;Objet;Nom\r\n03/05/2027;État civil – acte;Mme Lefèvre\r\n04/05/2027;Vœux;M. Cœur\r\n";
    const bytes = Uint8Array.from([...csv].map((ch) => ({ "–": 0x96, œ: 0x9c, Œ: 0x8c })[ch] ?? ch.charCodeAt(0)));
    const missing = await preview("registre.csv", bytes);
    expect(missing.statusCode).toBe(400);
    expect(text(missing)).toContain(
      '<a href="#map_kind">Type : Choisissez la colonne qui contient cette information, ou une valeur pour tout le fichier.</a>',
    );
    const checked = await preview("registre.csv", bytes, { const_kind: "request", const_channel: "letter" });
    expect(checked.statusCode).toBe(200);
    expect(text(checked)).toContain("<td>État civil – acte</td>");
    expect((await commit(formOf(checked.body, `${base()}/commit`))).page).toContain("2 demandes enregistrées");
    const names = (await listed()).map((r) => (r.requester as { name: string }).name);
    expect(names).toEqual(expect.arrayContaining(["Mme Lefèvre", "M. Cœur"]));
  });

  it("registers nothing more when the job runs again, finished or taken over from a dead worker", async () => {
    const checked = await preview("registre.xlsx", await workbook([["08/06/2027", "demande", "courrier", "Deux fois", "Inès", ""]]));
    const { importId, page } = await commit(formOf(checked.body, `${base()}/commit`));
    expect(page).toContain("1 demande enregistrée (n° 2027-");
    const ctx = { db: t.database.db, now: new Date(), log: silentLogger, attempt: 2, maxAttempts: 3 };
    await runQueuedImport({ orgId: lyon, importId }, ctx);
    expect((await listed()).filter((r) => r.subject === "Deux fois")).toHaveLength(1);
    // A run cut after its rows were committed but before the import ended: the next run finds them all registered.
    const again = await preview("registre.xlsx", await workbook([["08/06/2027", "demande", "courrier", "Deux fois", "Inès", ""]]));
    const committed = await c.post(`${base()}/commit`, formOf(again.body, `${base()}/mapping`));
    const second = importUrl.exec(String(committed.headers.location))?.[1] ?? "";
    await sql`update request_imports set status = 'running', runner = gen_random_uuid() where id = ${second}`.execute(t.database.db);
    await runQueuedImport({ orgId: lyon, importId: second }, ctx);
    const report = text(await c.get(String(committed.headers.location)));
    expect(report).toContain("1 ligne était déjà importée : elle a été ignorée.");
    expect((await listed()).filter((r) => r.subject === "Deux fois")).toHaveLength(1);
    await runDueJobs(t.database.db);
  });

  it("says in French when the job fails, and lets the import be dropped", async () => {
    const checked = await preview("registre.xlsx", await workbook([["09/06/2027", "demande", "courrier", "Échec", "Noé", ""]]));
    const committed = await c.post(`${base()}/commit`, formOf(checked.body, `${base()}/commit`));
    const location = String(committed.headers.location);
    const importId = importUrl.exec(location)?.[1] ?? "";
    // Only a plan the job cannot read makes it fail for good at once.
    await sql`update request_imports set plan = '{"sheet": 1}'::jsonb where id = ${importId}`.execute(t.database.db);
    expect(await runDueJobs(t.database.db)).toMatchObject({ failed: 1 });
    const failed = await c.get(location);
    expect(failed.headers.refresh).toBeUndefined();
    expect(text(failed)).toContain("État : échec.");
    expect(text(failed)).toContain("L'enregistrement a échoué : aucune demande de ce fichier n'a été enregistrée.");
    expect((await listed()).filter((r) => r.subject === "Échec")).toEqual([]);
    const dropped = await c.post(`${location}/discard`, formOf(failed.body, `${location}/discard`));
    expect(dropped.statusCode).toBe(303);
    expect(dropped.headers.location).toBe(`${base()}?ok=requests.import_discarded`);
    expect((await c.get(location)).statusCode).toBe(404);
  });

  it("goes back to the mapping from the preview, with the choices kept", async () => {
    const checked = await preview("registre.xlsx", await workbook([...GOOD_ROWS]), { map_requesterName: "" });
    const back = await c.post(`${base()}/mapping`, formOf(checked.body, `${base()}/mapping`));
    expect(back.statusCode).toBe(200);
    expect(formOf(back.body, `${base()}/preview`)).toMatchObject({ map_requesterName: "", map_subject: "3" });
  });

  it("refuses a tampered file, a file carried to another organisation, and an upload without the CSRF token", async () => {
    await c.get(base());
    const mappingPage = await upload(t, c, lyon, "registre.xlsx", await workbook([...GOOD_ROWS]));
    const fields = formOf(mappingPage.body, `${base()}/preview`);
    const [data = "", signature = ""] = (fields.payload ?? "").split(".");
    // One character changed in the middle of the data, the signature kept.
    const middle = Math.floor(data.length / 2);
    const forged = `${data.slice(0, middle)}${data[middle] === "A" ? "B" : "A"}${data.slice(middle + 1)}`;
    const tampered = await c.post(`${base()}/preview`, { ...fields, payload: `${forged}.${signature}` });
    expect(tampered.statusCode).toBe(400);
    expect(text(tampered)).toContain("Le fichier transmis a expiré ou a été modifié : déposez-le de nouveau.");
    expect((await c.post(`/organisations/${other}/requests/import/preview`, fields)).statusCode).toBe(400);
    expect((await upload(t, c, lyon, "registre.xlsx", await workbook([...GOOD_ROWS]), "faux")).statusCode).toBe(403);
  });

  it("says what is wrong with a file it cannot read, on the upload page", async () => {
    await c.get(base());
    const notASheet = await upload(t, c, lyon, "photo.png", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    expect(notASheet.statusCode).toBe(400);
    expect(text(notASheet)).toContain("Ce fichier n'est ni un tableau CSV ni un classeur .xlsx.");
    const none = await upload(t, c, lyon, "", new Uint8Array());
    expect(text(none)).toContain("Choisissez le fichier du registre.");
    const huge = await upload(t, c, lyon, "gros.csv", new Uint8Array(10 * 1024 * 1024 + 1).fill(0x41));
    expect(huge.statusCode).toBe(400);
    expect(text(huge)).toContain("Le fichier dépasse 10 Mo");
  });

  it("imports through the JSON API: dry run by default, all or nothing, duplicates skipped", async () => {
    const url = `/api/v1/organisations/${other}/requests/import`;
    const columns = ["Date", "Objet", "Canal"];
    const bad = await c.api("POST", url, {
      columns,
      rows: [
        ["30/04/2027", "Permis", "courrier"],
        ["2027-13-01", "", "fax"],
      ],
      constants: { kind: "demande" },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({
      rows: 2,
      valid: 1,
      invalid: [
        {
          line: 3,
          errors: {
            receivedOn: "Cette date n'existe pas.",
            subject: "L'objet est obligatoire.",
            channel: "« fax » n'est pas un canal connu (courrier, courriel, téléphone, accueil ou internet).",
          },
        },
      ],
      duplicates: [],
      created: [],
    });
    const good = { columns, rows: [["30/04/2027", "Permis", "courrier"]], constants: { kind: "demande" } };
    const dry = (await c.api("POST", url, good)).json();
    expect(dry).toMatchObject({ valid: 1, created: [] });
    const done = await c.api("POST", `${url}?dryRun=false`, good);
    expect(done.statusCode).toBe(200);
    expect(done.json().created).toEqual([{ line: 2, id: expect.any(String), number: expect.stringMatching(/^2027-\d{6}$/) }]);
    const twice = (await c.api("POST", `${url}?dryRun=false`, good)).json();
    expect(twice).toMatchObject({ created: [], duplicates: [{ line: 2, number: done.json().created[0].number }] });
    const unknown = await c.api("POST", url, { ...good, mapping: { subject: "Sujet" } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().fields).toMatchObject({ "mapping.subject": "La colonne « Sujet » n'est pas dans « columns »." });
  });
});
