import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { INSTANCE_ADMIN, ORG_DEFAULTS } from "../../../test/support/factories.ts";
import { adoptFramework, createLocalCommitment, getFramework } from "../frameworks/frameworks.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";

const ROOT = INSTANCE_ADMIN;
const ORG = ORG_DEFAULTS;

function upload(_t: TestApp, c: Client, url: string, fields: Record<string, string>, file: { name: string; bytes: Buffer }) {
  return c.upload(url, { name: file.name, data: file.bytes }, fields);
}

/** The hidden fields of the commitment form, and a status for each requirement. */
function answerForm(html: string, status: (n: number) => string, extra: Record<string, string> = {}): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="(r\d+-(?:id|version))" value="([^"]*)"/g)) fields[m[1] ?? ""] = m[2] ?? "";
  const count = Object.keys(fields).filter((k) => k.endsWith("-id")).length;
  for (let n = 1; n <= count; n++) fields[`r${n}-status`] = status(n);
  return { index: "1", ...fields, ...extra };
}

describe("self-assessment campaigns over HTTP", () => {
  let t: TestApp;
  let admin: Client;
  let site = "";
  let requirements: Array<{ commitment: string; count: number }> = [];

  beforeAll(async () => {
    t = await startTestApp();
    admin = await adminClient(t);
    const org = await createOrganisation(t.database.db, ROOT, { ...ORG, name: "Mairie de Test", kind: "site", parentId: undefined });
    site = org.id;
    await adoptFramework(t.database.db, ROOT, site, "sp+2021");
    await createLocalCommitment(t.database.db, ROOT, site, { title: "Rendez-vous sous 30 jours", channels: ["counter"], targets: [] });
    const framework = await getFramework(t.database.db, "sp+2021");
    requirements = framework.commitments.map((c) => ({ commitment: c.id, count: Math.max(1, c.requirements.length) }));
  });
  afterAll(() => t.close());

  async function openCampaign(year: number): Promise<string> {
    await admin.get(`/organisations/${site}/assessments`);
    const res = await admin.post(`/organisations/${site}/assessments`, { year: String(year) });
    expect(res.statusCode).toBe(303);
    return String(res.headers.location).split("/")[4]?.split("?")[0] ?? "";
  }

  it("copies every requirement of the framework and one per local commitment", async () => {
    const id = await openCampaign(2025);
    const page = await admin.get(`/organisations/${site}/assessments/${id}`);
    const expected = requirements.reduce((n, r) => n + r.count, 0) + 1;
    expect(page.body).toContain(`Exigences renseignées : 0 sur ${expected}`);
    expect(page.body).toContain("Engagement local — Rendez-vous sous 30 jours");
    // The same year twice is refused with a message, nothing created.
    const again = await admin.post(`/organisations/${site}/assessments`, { year: "2025" });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain("Une auto-évaluation 2025 existe déjà");
  });

  it("scores a commitment from its answers, compares with last year, and locks once signed", async () => {
    const [last] = (await admin.api("GET", `/organisations/${site}/assessments`)).body.match(/assessments\/([0-9a-f-]{36})/) ?? [];
    const lastId = String(last).split("/")[1];
    // 2025: commitment 1 all met, then sign (the other requirements answered "not met" so it can be signed).
    const commitments = requirements.length + 1;
    for (let i = 1; i <= commitments; i++) {
      const form = await admin.get(`/organisations/${site}/assessments/${lastId}/commitments/${i}`);
      const res = await admin.post(
        `/organisations/${site}/assessments/${lastId}/commitments/${i}`,
        answerForm(form.body, () => (i === 1 ? "met" : "not_met"), { index: String(i) }),
      );
      expect(res.statusCode, `engagement ${i}`).toBe(303);
    }
    const overview = await admin.get(`/organisations/${site}/assessments/${lastId}`);
    const version = /name="version" value="(\d+)"/.exec(overview.body)?.[1] ?? "";
    expect((await admin.post(`/organisations/${site}/assessments/${lastId}/sign`, { version })).statusCode).toBe(303);

    // 2026: commitment 1 half met, half partly; the page shows both years and the change.
    const id = await openCampaign(2026);
    const form = await admin.get(`/organisations/${site}/assessments/${id}/commitments/1`);
    const n1 = requirements[0]?.count ?? 0;
    const res = await admin.post(
      `/organisations/${site}/assessments/${id}/commitments/1`,
      answerForm(form.body, (n) => (n % 2 ? "met" : "partly"), {
        "r1-comment": "Affichage refait",
        "r1-links": "https://exemple.fr/photo",
      }),
    );
    expect(res.statusCode).toBe(303);
    const met = Math.ceil(n1 / 2);
    const expectedScore = Math.round(((met + (n1 - met) * 0.5) / n1) * 1000) / 10;
    const page = await admin.get(`/organisations/${site}/assessments/${id}/commitments/1`);
    expect(page.body).toContain(`score : ${expectedScore.toLocaleString("fr-FR")}\u00a0/\u00a0100`);
    expect(page.body).toContain("2025 : 100\u00a0/\u00a0100");
    expect(page.body).toContain("Affichage refait");
  });

  it("refuses a stale answer with 409 and shows the form again", async () => {
    const list = await admin.get(`/organisations/${site}/assessments`);
    const id = [...list.body.matchAll(/assessments\/([0-9a-f-]{36})/g)].map((m) => m[1])[0] ?? "";
    const form = await admin.get(`/organisations/${site}/assessments/${id}/commitments/2`);
    const fields = answerForm(form.body, () => "met", { index: "2", "r1-comment": "Mon texte" });
    expect((await admin.post(`/organisations/${site}/assessments/${id}/commitments/2`, fields)).statusCode).toBe(303);
    const stale = await admin.post(`/organisations/${site}/assessments/${id}/commitments/2`, { ...fields, "r1-status": "not_met" });
    expect(stale.statusCode).toBe(409);
    expect(stale.body.replaceAll("&#39;", "'")).toContain("modifiée par quelqu'un d'autre");
    expect(stale.body).toContain("Mon texte");
  });

  it("keeps evidence files, refuses an oversized one, and serves them as downloads", async () => {
    const list = await admin.get(`/organisations/${site}/assessments`);
    const id = [...list.body.matchAll(/assessments\/([0-9a-f-]{36})/g)].map((m) => m[1])[0] ?? "";
    const page = await admin.get(`/organisations/${site}/assessments/${id}/commitments/1`);
    const requirementId = /name="r1-id" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const url = `/organisations/${site}/assessments/${id}/evidence`;
    const bytes = Buffer.from("%PDF-1.4 preuve");
    const res = await upload(t, admin, url, { requirementId, index: "1" }, { name: "affiche été.pdf", bytes });
    expect(res.statusCode).toBe(303);
    const after = await admin.get(`/organisations/${site}/assessments/${id}/commitments/1`);
    const href = /href="([^"]+\/evidence\/[0-9a-f-]{36})"/.exec(after.body)?.[1] ?? "";
    expect(after.body).toContain("affiche été.pdf");
    const download = await admin.get(href);
    expect(download.headers["content-disposition"]).toContain("attachment");
    expect(download.rawPayload.equals(bytes)).toBe(true);
    const big = await upload(t, admin, url, { requirementId, index: "1" }, { name: "gros.pdf", bytes: Buffer.alloc(5 * 1024 * 1024 + 1) });
    expect(big.statusCode).toBe(413);
    expect(big.body).toContain("Le fichier dépasse 5 Mo");
    // Without the CSRF token the upload is refused before anything is read.
    const forged = await upload(t, admin, url, { requirementId, index: "1", _csrf: "faux" }, { name: "x.pdf", bytes });
    expect(forged.statusCode).toBe(403);
  });

  it("a signed campaign refuses every edit in French, changes nothing, and stays readable and exportable", async () => {
    const list = await admin.get(`/organisations/${site}/assessments`);
    const id = [...list.body.matchAll(/assessments\/([0-9a-f-]{36})/g)].map((m) => m[1])[1] ?? "";
    const before = await admin.get(`/organisations/${site}/assessments/${id}/commitments/1`);
    expect(before.body).not.toContain("Enregistrer les réponses");
    const fields = answerForm(before.body, () => "not_met", { "r1-comment": "Tentative" });
    const refused = await admin.post(`/organisations/${site}/assessments/${id}/commitments/1`, fields);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain("Cette auto-évaluation est signée : elle ne peut plus être modifiée.");
    const requirementId = fields["r1-id"] ?? "";
    const upload409 = await upload(
      t,
      admin,
      `/organisations/${site}/assessments/${id}/evidence`,
      { requirementId, index: "1" },
      { name: "x.pdf", bytes: Buffer.from("x") },
    );
    expect(upload409.statusCode).toBe(409);
    const after = await admin.get(`/organisations/${site}/assessments/${id}`);
    expect(after.body).toContain("Score global : ");
    const json = JSON.parse((await admin.api("GET", `/api/v1/organisations/${site}/assessments/${id}`)).body);
    expect(json.signed).toBe(true);
    expect(
      json.commitments[0].requirements.every((r: { status: string; comment: string | null }) => r.status === "met" && r.comment === null),
    ).toBe(true);
    const xlsx = await admin.get(`/organisations/${site}/assessments/${id}/export.xlsx`);
    expect(xlsx.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload.slice().buffer);
    const rows = book.getWorksheet("Auto-évaluation")?.rowCount ?? 0;
    expect(rows - 1).toBe(requirements.reduce((n, r) => n + r.count, 0) + 1);
    expect(book.getWorksheet("Campagne")?.getCell("B4").value).toBe("Signée");
  });
});
