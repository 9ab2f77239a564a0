import type { CampaignDetails } from "./assessments.service.ts";
import { ITEM_STATUS_LABELS } from "./score.ts";

/** A campaign as a workbook: one line per requirement, then the scores per commitment. Open or signed alike. */
export async function campaignWorkbook(orgName: string, d: CampaignDetails): Promise<Buffer> {
  // Loaded on first use, not at start (issue #17, point 6): ExcelJS costs ~40 MB and ~0.5 s to load.
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Vigie";
  const sheet = workbook.addWorksheet("Auto-évaluation");
  sheet.columns = [
    { header: "Engagement", key: "commitment", width: 12 },
    { header: "Intitulé de l'engagement", key: "title", width: 50 },
    { header: "Exigence", key: "requirement", width: 14 },
    { header: "Texte de l'exigence", key: "text", width: 70 },
    { header: "Réponse", key: "status", width: 24 },
    { header: "Commentaire", key: "comment", width: 50 },
    { header: "Liens", key: "links", width: 40 },
    { header: "Pièces jointes", key: "files", width: 30 },
  ];
  sheet.getRow(1).font = { bold: true };
  for (const c of d.commitments) {
    for (const item of c.items) {
      sheet.addRow({
        commitment: c.number ?? "local",
        title: c.title,
        requirement: item.requirementId,
        text: item.requirementText,
        status: item.status ? ITEM_STATUS_LABELS[item.status] : "",
        comment: item.comment ?? "",
        links: item.links.join("\n"),
        files: d.evidence
          .filter((e) => e.requirementId === item.requirementId)
          .map((e) => e.fileName)
          .join("\n"),
      });
    }
  }
  const scores = workbook.addWorksheet("Scores");
  scores.columns = [
    { header: "Engagement", key: "commitment", width: 12 },
    { header: "Intitulé", key: "title", width: 60 },
    { header: `Score ${d.campaign.year}`, key: "score", width: 14 },
    { header: `Score ${d.campaign.year - 1}`, key: "last", width: 14 },
    { header: "Évolution (points)", key: "change", width: 18 },
  ];
  scores.getRow(1).font = { bold: true };
  for (const c of d.commitments) {
    scores.addRow({ commitment: c.number ?? "local", title: c.title, score: c.score.score, last: c.lastYear, change: c.change });
  }
  scores.addRow({ commitment: "", title: "Score global", score: d.overall, last: d.lastYear?.overall ?? null, change: d.overallChange });
  const about = workbook.addWorksheet("Campagne");
  about.addRows([
    ["Organisation", orgName],
    ["Année", d.campaign.year],
    ["Référentiel", d.campaign.frameworkId ?? "engagements locaux"],
    ["Statut", d.campaign.signed ? "Signée" : "En cours"],
    ["Signée par", d.campaign.signedByLabel ?? ""],
    ["Signée le", d.campaign.signedAt ? d.campaign.signedAt.toISOString().slice(0, 10) : ""],
  ]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
