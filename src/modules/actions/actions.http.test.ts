import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INSTANCE_ADMIN, ORG_DEFAULTS } from "../../../test/support/factories.ts";
import "../../app/modules.ts";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { type SmtpListener, startSmtpListener } from "../../../test/support/smtp.ts";
import { createCampaign, saveCommitmentAnswers } from "../assessments/assessments.service.ts";
import { adoptFramework } from "../frameworks/frameworks.service.ts";
import { enqueue, runDueJobs } from "../jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "../mail/mail.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";

const ROOT = INSTANCE_ADMIN;
const ORG = ORG_DEFAULTS;
const decodeHtml = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&amp;", "&");

function upload(_t: TestApp, c: Client, url: string, mode: string, bytes: Buffer) {
  return c.upload(url, { name: "plan.xlsx", data: bytes }, { mode });
}

describe("action plan over HTTP", () => {
  let t: TestApp;
  let c: Client;
  let smtp: SmtpListener;
  let site = "";
  type ApiAction = {
    id: string;
    number: number;
    title: string;
    status: string;
    version: number;
    leverId: string | null;
    commitmentId: string | null;
  };
  const actions = async (query = ""): Promise<{ actions: ApiAction[]; counts: Record<string, number> }> =>
    (await c.api("GET", `/api/v1/organisations/${site}/actions${query}`)).json();

  beforeAll(async () => {
    smtp = await startSmtpListener();
    useMailTransport(createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: "Vigie <vigie@mairie.example>" }));
    t = await startTestApp();
    c = await adminClient(t);
    site = (await createOrganisation(t.database.db, ROOT, { ...ORG, name: "Mairie", kind: "site", parentId: undefined })).id;
    await adoptFramework(t.database.db, ROOT, site, "sp+2021");
    // Commitment 1 scores worst (0), commitment 2 half; the others are not answered.
    const campaign = await createCampaign(t.database.db, ROOT, site, 2026);
    const { campaignDetails } = await import("../assessments/assessments.service.ts");
    const d = await campaignDetails(t.database.db, site, campaign.id);
    const answer = (index: number, status: "not_met" | "partly") =>
      saveCommitmentAnswers(
        t.database.db,
        ROOT,
        site,
        campaign.id,
        index,
        (d.commitments[index - 1]?.items ?? []).map((i) => ({ requirementId: i.requirementId, status, links: [], version: i.version })),
      );
    await answer(1, "not_met");
    await answer(2, "partly");
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it("suggests the levers of the worst-scoring commitments and adds the chosen ones to the plan", async () => {
    const page = await c.get(`/organisations/${site}/actions/suggestions`);
    expect(page.statusCode).toBe(200);
    const body = decodeHtml(page.body);
    expect(body).toContain("D'après l'auto-évaluation 2026");
    const levers = [...body.matchAll(/name="leverIds" value="(lever-\d+)"/g)].map((m) => m[1] ?? "");
    const bank = JSON.parse(await import("node:fs").then((fs) => fs.readFileSync("data/levers/levers.json", "utf8"))) as {
      levers: Array<{ id: string; mappings: Record<string, string[]> }>;
    };
    const serving = (commitment: string) => bank.levers.filter((l) => (l.mappings["sp+2021"] ?? []).includes(commitment)).map((l) => l.id);
    // Only the commitments under 100 that were scored: 1 (0) and 2 (50), worst first.
    expect(new Set(levers)).toEqual(new Set([...serving("sp+2021/1"), ...serving("sp+2021/2")]));
    const chosen = levers.slice(0, 3);
    const res = await c.post(`/organisations/${site}/actions/levers`, {
      leverIds: chosen,
      planYear: "2027",
      dueOn: "2027-03-31",
      owner: "Sophie",
    });
    expect(res.statusCode).toBe(303);
    const { actions: plan, counts } = await actions();
    expect(plan.map((a) => a.leverId).sort()).toEqual([...chosen].sort());
    expect(plan.every((a) => a.commitmentId?.startsWith("sp+2021/"))).toBe(true);
    expect(counts).toEqual({ todo: 3, doing: 0, done: 0, dropped: 0 });
    const none = await c.post(`/organisations/${site}/actions/levers`, { planYear: "2027" });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain("Cochez au moins un levier.");
  });

  it("moves a card on the board, changes several at once, keeps the history, refuses a stale edit", async () => {
    const { actions: plan } = await actions();
    const [a, b, d] = plan;
    if (!a || !b || !d) throw new Error("plan vide");
    await c.get(`/organisations/${site}/actions/board`);
    const moved = await c.post(`/organisations/${site}/actions/${a.id}/status`, {
      status: "doing",
      version: String(a.version),
      back: "board",
    });
    expect(moved.headers.location).toContain("/actions/board?ok=");
    const bulk = await c.post(`/organisations/${site}/actions/bulk`, { ids: [b.id, d.id], status: "done" });
    expect(bulk.statusCode).toBe(303);
    expect((await actions()).counts).toEqual({ todo: 0, doing: 1, done: 2, dropped: 0 });
    // An action out of reach (or unknown) in the batch: nothing changes at all.
    const foreign = await c.post(`/organisations/${site}/actions/bulk`, {
      ids: [a.id, "00000000-0000-4000-8000-000000000000"],
      status: "dropped",
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.body).toContain("Une des actions choisies est introuvable.");
    expect((await actions()).counts).toEqual({ todo: 0, doing: 1, done: 2, dropped: 0 });
    const list = await c.get(`/organisations/${site}/actions?status=done`);
    expect((list.body.match(/name="ids"/g) ?? []).length).toBe(2);
    // A stale edit (the card was moved meanwhile) is refused, the typed note shown again.
    const stale = await c.post(`/organisations/${site}/actions/${a.id}`, {
      title: a.title,
      planYear: "2027",
      status: "done",
      note: "Affiches posées",
      version: String(a.version),
    });
    expect(stale.statusCode).toBe(409);
    expect(decodeHtml(stale.body)).toContain("modifiée par quelqu'un d'autre");
    expect(stale.body).toContain("Affiches posées");
    const fresh = (await actions()).actions.find((x) => x.id === a.id);
    const saved = await c.post(`/organisations/${site}/actions/${a.id}`, {
      title: a.title,
      planYear: "2027",
      status: "done",
      note: "Affiches posées",
      version: String(fresh?.version),
    });
    expect(saved.statusCode).toBe(303);
    const page = decodeHtml((await c.get(`/organisations/${site}/actions/${a.id}`)).body);
    expect(page).toContain("Statut : À lancer → En cours");
    expect(page).toContain("Statut : En cours → Aboutie");
    expect(page).toContain("Affiches posées");
  });

  it("round-trips the plan through a spreadsheet: export, edit, check, import all or nothing", async () => {
    const exported = await c.get(`/organisations/${site}/actions/export.xlsx`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(exported.rawPayload.slice().buffer);
    const sheet = book.worksheets[0];
    if (!sheet) throw new Error("pas de feuille");
    expect(sheet.rowCount).toBe(4);
    // Line 2 goes back to "En cours"; a new line without a number; a faulty line.
    sheet.getRow(2).getCell(9).value = "En cours";
    sheet.addRow([
      "",
      "Former l'équipe à l'accueil téléphonique",
      "sp+2021/2",
      "Téléphone",
      "Karim",
      "Accueil",
      "15/06/2027",
      2027,
      "À lancer",
    ]);
    sheet.addRow(["", "Date fausse", "", "", "", "", "31/02/2027", 2027, ""]);
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    await c.get(`/organisations/${site}/actions/import`);
    const before = await actions();
    const bad = await upload(t, c, `/organisations/${site}/actions/import`, "commit", bytes);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Lignes à corriger : 1");
    expect(bad.body).toContain("Échéance « 31/02/2027 »");
    expect(await actions()).toEqual(before);
    sheet.spliceRows(6, 1);
    const good = Buffer.from(await book.xlsx.writeBuffer());
    const check = await upload(t, c, `/organisations/${site}/actions/import`, "check", good);
    expect(check.statusCode).toBe(200);
    expect(await actions()).toEqual(before);
    const done = await upload(t, c, `/organisations/${site}/actions/import`, "commit", good);
    expect(done.body).toContain("1 action(s) ajoutée(s), 3 mise(s) à jour");
    const after = await actions();
    const first = Number(sheet.getRow(2).getCell(1).value);
    expect(after.actions.find((a) => a.number === first)?.status).toBe("doing");
    expect(after.actions.find((a) => a.title === "Former l'équipe à l'accueil téléphonique")).toMatchObject({
      commitmentId: "sp+2021/2",
      status: "todo",
    });
    expect(after.actions).toHaveLength(4);
  });

  it("adds overdue actions to the daily reminder", async () => {
    await c.api("POST", "/api/v1/accounts", {
      email: "referent@mairie.example",
      displayName: "Référente",
      password: "mot de passe réf",
      role: "referent",
      orgId: site,
    });
    const created = await c.api("POST", `/api/v1/organisations/${site}/actions`, {
      title: "Refaire la signalétique",
      planYear: 2025,
      dueOn: "2025-01-31",
    });
    expect(created.statusCode).toBe(201);
    await enqueue(t.database.db, { name: "requests.digest", payload: {}, dedupeKey: "requests.digest:test:actions" });
    for (let i = 0; i < 3; i++) await runDueJobs(t.database.db);
    const mail = await smtp.waitFor((m) => m.to.includes("referent@mairie.example"));
    expect(mail.text).toContain("Actions du plan en retard (1)");
    expect(mail.text).toContain("« Refaire la signalétique »");
    expect(mail.text).toContain("échéance le 31/01/2025");
  });
});
