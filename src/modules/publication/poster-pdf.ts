import { pdfText, renderPdf } from "../../kernel/pdf.ts";
import { formatNumber, NBSP } from "../../ui/format.ts";
import { formatPeriod } from "../indicators/period.ts";
import { formatValue } from "../indicators/traffic-light.ts";
import { frenchWeek } from "../opening-hours/opening-hours.service.ts";
import type { PublishedResults } from "./publication.service.ts";

/**
 * The poster for the hall: one A4 page with the SP+ figures, the hours and where to find more. In
 * Marianne, embedded (src/kernel/pdf.ts): the organisation's name prints as written, whatever its
 * letters, and the figures keep the narrow no-break spaces of French number formatting.
 */
export async function posterPdf(results: PublishedResults, pageUrl: string): Promise<Buffer> {
  return renderPdf(
    {
      size: "A4",
      margins: { top: 56, bottom: 48, left: 56, right: 56 },
      info: { Title: `Nos résultats — ${results.org.name}`, Author: results.org.name },
    },
    (doc) => {
      const width = doc.page.width - 112;
      doc.fillColor("#000091").font("bold").fontSize(26).text("Nos résultats de qualité de service", { width });
      doc.moveDown(0.3).fillColor("#161616").fontSize(16).text(pdfText(results.org.name), { width });
      doc.moveDown(0.3).font("regular").fontSize(11);
      doc.text(
        results.period ? pdfText(`Résultats ${formatPeriod(results.period)}`) : "Les premiers résultats seront publiés prochainement.",
      );
      doc.moveDown(1.2);
      for (const h of results.headline) {
        const y = doc.y;
        doc
          .font("bold")
          .fontSize(13)
          .fillColor("#161616")
          .text(pdfText(h.label), 56, y, { width: width - 150 });
        const value = h.figure && h.figure.value !== null ? pdfText(formatValue(h.figure.value, h.unit)) : "Pas encore de donnée";
        doc
          .font("bold")
          .fontSize(h.figure?.value != null ? 22 : 12)
          .fillColor("#000091")
          .text(value, 56 + width - 150, y, { width: 150, align: "right" });
        const sample = h.figure && h.figure.value !== null ? pdfText(`sur ${formatNumber(h.figure.sample)}${NBSP}${h.sampleLabel}`) : "";
        doc
          .font("regular")
          .fontSize(10)
          .fillColor("#3a3a3a")
          .text(sample, 56, Math.max(doc.y, y + 20), { width });
        doc.moveDown(0.9);
      }
      if (results.info.week) {
        doc.moveDown(0.5).font("bold").fontSize(14).fillColor("#161616").text("Horaires d'ouverture", 56);
        doc.font("regular").fontSize(11);
        for (const d of frenchWeek(results.info.week)) doc.text(pdfText(`${d.day}${NBSP}: ${d.text}`));
      }
      if (results.actions.length) {
        doc.moveDown(0.5).font("bold").fontSize(14).text("Nos actions en cours");
        doc.font("regular").fontSize(11);
        for (const a of results.actions.slice(0, 6)) doc.text(`• ${pdfText(a.title)}`);
      }
      doc.moveDown(1).font("regular").fontSize(10).fillColor("#3a3a3a");
      doc.text(pdfText(`Tous nos résultats, nos engagements et les données ouvertes${NBSP}: ${pageUrl}`), { width, link: pageUrl });
    },
  );
}
