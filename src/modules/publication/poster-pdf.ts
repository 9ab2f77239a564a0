import { formatNumber, forWinAnsi, NBSP } from "../../ui/format.ts";
import { formatPeriod } from "../indicators/period.ts";
import { formatValue } from "../indicators/traffic-light.ts";
import { frenchWeek } from "../opening-hours/opening-hours.service.ts";
import type { PublishedResults } from "./publication.service.ts";

/**
 * The poster for the hall: one A4 page with the SP+ figures, the hours and where to find more. The
 * standard Helvetica of PDF covers French accents (WinAnsi); the narrow no-break space French number
 * formatting uses is not in it, so it becomes a plain space.
 */
const printable = (s: string) => forWinAnsi(s);

export async function posterPdf(results: PublishedResults, pageUrl: string): Promise<Buffer> {
  // Loaded on first use, not at start (issue #17, point 6): pdfkit costs ~30 MB and ~0.35 s to load.
  const { default: PDFDocument } = await import("pdfkit");
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: "A4",
      margins: { top: 56, bottom: 48, left: 56, right: 56 },
      info: { Title: `Nos résultats — ${results.org.name}`, Author: results.org.name },
    });
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    const width = doc.page.width - 112;
    doc.fillColor("#000091").font("Helvetica-Bold").fontSize(26).text("Nos résultats de qualité de service", { width });
    doc.moveDown(0.3).fillColor("#161616").fontSize(16).text(printable(results.org.name), { width });
    doc.moveDown(0.3).font("Helvetica").fontSize(11);
    doc.text(
      results.period ? printable(`Résultats ${formatPeriod(results.period)}`) : "Les premiers résultats seront publiés prochainement.",
    );
    doc.moveDown(1.2);
    for (const h of results.headline) {
      const y = doc.y;
      doc
        .font("Helvetica-Bold")
        .fontSize(13)
        .fillColor("#161616")
        .text(h.label, 56, y, { width: width - 150 });
      const value = h.figure && h.figure.value !== null ? printable(formatValue(h.figure.value, h.unit)) : "Pas encore de donnée";
      doc
        .font("Helvetica-Bold")
        .fontSize(h.figure?.value != null ? 22 : 12)
        .fillColor("#000091")
        .text(value, 56 + width - 150, y, { width: 150, align: "right" });
      const sample = h.figure && h.figure.value !== null ? printable(`sur ${formatNumber(h.figure.sample)}${NBSP}${h.sampleLabel}`) : "";
      doc
        .font("Helvetica")
        .fontSize(10)
        .fillColor("#3a3a3a")
        .text(sample, 56, Math.max(doc.y, y + 20), { width });
      doc.moveDown(0.9);
    }
    if (results.info.week) {
      doc.moveDown(0.5).font("Helvetica-Bold").fontSize(14).fillColor("#161616").text("Horaires d'ouverture", 56);
      doc.font("Helvetica").fontSize(11);
      for (const d of frenchWeek(results.info.week)) doc.text(printable(`${d.day}${NBSP}: ${d.text}`));
    }
    if (results.actions.length) {
      doc.moveDown(0.5).font("Helvetica-Bold").fontSize(14).text("Nos actions en cours");
      doc.font("Helvetica").fontSize(11);
      for (const a of results.actions.slice(0, 6)) doc.text(`• ${printable(a.title)}`);
    }
    doc.moveDown(1).font("Helvetica").fontSize(10).fillColor("#3a3a3a");
    doc.text(`Tous nos résultats, nos engagements et les données ouvertes${NBSP}: ${pageUrl}`, { width, link: pageUrl });
    doc.end();
  });
}
