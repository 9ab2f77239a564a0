import { type PdfDocument as Doc, pdfText, renderPdf } from "../../kernel/pdf.ts";
import { pdfBarChart } from "../../kernel/pdf-chart.ts";
import { formatDateOf, formatNumber, NBSP } from "../../ui/format.ts";
import { ACTION_STATUS_LABELS, ACTION_STATUSES } from "../actions/action-status.ts";
import { CHANNEL_LABELS } from "../frameworks/channels.ts";
import type { IndicatorValue } from "../indicators/indicator.ts";
import { formatValue, meetsTarget, targetLabel } from "../indicators/indicator-format.ts";
import { TRAINING_THEME_LABELS, TRAINING_THEMES } from "../staff/themes.ts";
import { type Review, TRAINING_LEGEND } from "./reviews.service.ts";

const NO_DATA = "Aucune donnée";
const score = (s: number | null | undefined) => (s === null || s === undefined ? "—" : `${formatNumber(s, 1)}${NBSP}/${NBSP}100`);
const change = (c: number | null) => (c === null ? "—" : `${c > 0 ? "+" : ""}${formatNumber(c, 1)}${NBSP}pts`);

function table(doc: Doc, columns: Array<{ label: string; width: number }>, rows: string[][]): void {
  const left = doc.page.margins.left;
  const bottom = doc.page.height - doc.page.margins.bottom;
  const drawRow = (cells: string[], bold: boolean) => {
    doc.font(bold ? "bold" : "regular").fontSize(8);
    const heights = cells.map((c, i) => doc.heightOfString(pdfText(c), { width: (columns[i]?.width ?? 60) - 6 }));
    const h = Math.max(...heights) + 6;
    if (doc.y + h > bottom) {
      doc.addPage();
      if (!bold)
        drawRow(
          columns.map((c) => c.label),
          true,
        );
      doc.font(bold ? "bold" : "regular").fontSize(8);
    }
    const y = doc.y;
    if (bold)
      doc
        .rect(
          left,
          y,
          columns.reduce((n, c) => n + c.width, 0),
          h,
        )
        .fill("#eeeeee");
    doc.fillColor("#161616");
    let x = left;
    cells.forEach((c, i) => {
      doc.text(pdfText(c), x + 3, y + 3, { width: (columns[i]?.width ?? 60) - 6 });
      x += columns[i]?.width ?? 60;
    });
    doc
      .moveTo(left, y + h)
      .lineTo(x, y + h)
      .lineWidth(0.3)
      .stroke("#cccccc");
    doc.x = left;
    doc.y = y + h;
  };
  drawRow(
    columns.map((c) => c.label),
    true,
  );
  for (const r of rows) drawRow(r, false);
  doc.moveDown(0.8);
}

function indicatorTable(doc: Doc, indicators: IndicatorValue[]): void {
  if (!indicators.length) {
    para(doc, NO_DATA);
    return;
  }
  table(
    doc,
    [
      // Wide enough for « Accueil physique » in Marianne, wider than Helvetica.
      { label: "Indicateur", width: 169 },
      { label: "Canal", width: 76 },
      { label: "Valeur", width: 60 },
      { label: "Cible", width: 60 },
      { label: "Cible tenue", width: 55 },
      { label: "Effectif", width: 47 },
    ],
    indicators.map((i) => {
      const ok = meetsTarget(i);
      return [
        i.label,
        i.channel ? CHANNEL_LABELS[i.channel] : "Tous",
        formatValue(i.unit, i.value),
        targetLabel(i),
        ok === null ? "—" : ok ? "Tenue" : "Non tenue",
        formatNumber(i.sample),
      ];
    }),
  );
}

function heading(doc: Doc, text: string, level: 1 | 2 = 1): void {
  if (doc.y > doc.page.height - doc.page.margins.bottom - 80) doc.addPage();
  doc.moveDown(level === 1 ? 0.8 : 0.4);
  doc
    .font("bold")
    .fontSize(level === 1 ? 14 : 10.5)
    .fillColor(level === 1 ? "#000091" : "#161616")
    .text(pdfText(text), doc.page.margins.left);
  doc.fillColor("#161616").moveDown(0.3);
}

function para(doc: Doc, text: string, size = 9.5): void {
  doc.font("regular").fontSize(size).fillColor("#161616").text(pdfText(text), doc.page.margins.left);
  doc.moveDown(0.4);
}

/**
 * The annual review as an A4 PDF, made in-process with pdfkit (no browser), in Marianne embedded
 * (src/kernel/pdf.ts): names print as written, and ≥, → and the narrow no-break spaces as they are.
 */
export async function reviewPdf(r: Review): Promise<Buffer> {
  return renderPdf(
    {
      size: "A4",
      margins: { top: 56, bottom: 56, left: 56, right: 56 },
      bufferPages: true,
      info: { Title: `Bilan annuel ${r.year} — ${r.org.name}`, Author: "Vigie", Subject: "Bilan annuel de la qualité de service" },
    },
    (doc) => {
      doc
        .font("bold")
        .fontSize(22)
        .fillColor("#000091")
        .text(pdfText(`Bilan annuel ${r.year}`));
      doc.font("bold").fontSize(15).fillColor("#161616").text(pdfText(r.org.name));
      doc.moveDown();
      para(doc, r.framework ? `Référentiel${NBSP}: ${r.framework.name} (${r.framework.edition}).` : "Aucun référentiel adopté.");
      para(doc, `Période${NBSP}: du 1er${NBSP}janvier au 31${NBSP}décembre ${r.year} — l'organisation et tout ce qui lui est rattaché.`);
      para(doc, `Document produit par Vigie le ${formatDateOf(r.generatedAt)}.`);
      heading(doc, "Synthèse");
      const kept = r.commitments.flatMap((c) => c.indicators).filter((i) => meetsTarget(i) !== null);
      para(
        doc,
        [
          `Engagements suivis : ${r.commitments.length}.`,
          `Indicateurs avec une cible : ${kept.length}, dont ${kept.filter((i) => meetsTarget(i)).length} tenus.`,
          r.assessment
            ? `Auto-évaluation ${r.year} : score global ${score(r.assessment.overall)} (évolution ${change(r.assessment.overallChange)}).`
            : "",
          r.plan.total
            ? `Plan d'actions ${r.year} : ${r.plan.byStatus.done} aboutie(s), ${r.plan.byStatus.doing} en cours, ${r.plan.byStatus.todo} à lancer, ${r.plan.byStatus.dropped} abandonnée(s).`
            : "",
          `Actions prévues pour ${r.year + 1} : ${r.nextYear.length}.`,
        ]
          .filter(Boolean)
          .join("\n"),
      );

      heading(doc, "Engagements et indicateurs");
      if (!r.commitments.length) para(doc, NO_DATA);
      for (const c of r.commitments) {
        heading(doc, c.number === null ? `Engagement local — ${c.title}` : `Engagement ${c.number} — ${c.title}`, 2);
        if (c.targets.length) para(doc, `Cibles : ${c.targets.join(" ; ")}`, 8.5);
        indicatorTable(doc, c.indicators);
      }
      for (const s of r.sections) {
        if (s.key === "other" && !s.indicators.length) continue;
        heading(doc, s.title);
        indicatorTable(doc, s.indicators);
      }

      heading(doc, "Auto-évaluation");
      if (r.assessment) {
        const a = r.assessment;
        para(
          doc,
          `Campagne ${r.year} ${a.campaign.signed ? `signée par ${a.campaign.signedByLabel ?? "—"}` : "en cours (non signée)"} — score global ${score(a.overall)}${a.lastYear ? ` ; ${a.lastYear.year} : ${score(a.lastYear.overall)} (évolution ${change(a.overallChange)})` : ""}.`,
        );
        table(
          doc,
          [
            { label: "Engagement", width: 280 },
            { label: `Score ${r.year}`, width: 70 },
            { label: `Score ${r.year - 1}`, width: 70 },
            { label: "Évolution", width: 63 },
          ],
          a.commitments.map((c) => [
            c.number === null ? `Local — ${c.title}` : `${c.number} — ${c.title}`,
            score(c.score.score),
            score(c.lastYear),
            change(c.change),
          ]),
        );
      } else if (r.networkScores.length) {
        indicatorTable(doc, r.networkScores);
      } else {
        para(doc, NO_DATA);
      }
      if (r.charts.assessment) pdfBarChart(doc, r.charts.assessment);

      heading(doc, "Plan d'actions");
      if (r.plan.total) {
        table(
          doc,
          [...ACTION_STATUSES.map((s) => ({ label: ACTION_STATUS_LABELS[s], width: 90 })), { label: "Total", width: 90 }],
          [[...ACTION_STATUSES.map((s) => String(r.plan.byStatus[s])), String(r.plan.total)]],
        );
        if (r.charts.plan) pdfBarChart(doc, r.charts.plan, 150);
      } else para(doc, NO_DATA);

      heading(doc, "Agents et formations");
      if (r.training.total.staff) {
        table(
          doc,
          [
            { label: "Thème", width: 330 },
            { label: "Agents formés", width: 80 },
            { label: "Part", width: 73 },
          ],
          TRAINING_THEMES.map((t) => [
            TRAINING_THEME_LABELS[t],
            String(r.training.total.trained[t]),
            formatValue("share", r.training.total.shares[t]),
          ]),
        );
        if (r.charts.training) {
          pdfBarChart(doc, r.charts.training, 150);
          para(doc, TRAINING_LEGEND.join(" · "), 7);
        }
      } else para(doc, NO_DATA);

      heading(doc, `Actions prévues pour ${r.year + 1}`);
      if (r.nextYear.length) {
        table(
          doc,
          [
            { label: "N°", width: 30 },
            // Wide enough for a commitment like « marianne-2016/10 » in Marianne.
            { label: "Action", width: 254 },
            { label: "Engagement", width: 76 },
            { label: "Responsable", width: 70 },
            { label: "Échéance", width: 53 },
          ],
          r.nextYear.map((a) => [
            String(a.number),
            a.title,
            a.commitmentId ?? "—",
            a.owner ?? "—",
            a.dueOn ? a.dueOn.split("-").reverse().join("/") : "—",
          ]),
        );
      } else para(doc, NO_DATA);

      // Page numbers, once every page exists.
      const range = doc.bufferedPageRange();
      for (let i = range.start; i < range.start + range.count; i++) {
        doc.switchToPage(i);
        // The footer sits in the bottom margin: without this, pdfkit would start a new page for it.
        doc.page.margins.bottom = 0;
        doc
          .font("regular")
          .fontSize(7.5)
          .fillColor("#666666")
          .text(pdfText(`${r.org.name} — bilan annuel ${r.year} — page ${i + 1} / ${range.count}`), 56, doc.page.height - 40, {
            width: doc.page.width - 112,
            align: "center",
            lineBreak: false,
          });
      }
    },
  );
}
