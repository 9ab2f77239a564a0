import { pdfText, renderPdf } from "../../kernel/pdf.ts";
import { drawQr } from "../../kernel/qr.ts";

/** A printable A4 poster of a public survey link, for the hall or the counter: what it prints. */
export interface Poster {
  siteName: string;
  title: string;
  /** One sentence under the title: why answer. */
  invitation: string;
  url: string;
  /** The channel, when the poster is for one (« À l'accueil »). */
  channel?: string | undefined;
}

/**
 * An A4 poster: the site's name, the call to answer, a large QR code and the address written out. In
 * Marianne, embedded (src/kernel/pdf.ts), so the site's name prints as written.
 */
export async function posterPdf(poster: Poster): Promise<Buffer> {
  return renderPdf(
    {
      size: "A4",
      margin: 56,
      info: { Title: `${poster.title} — ${poster.siteName}`, Author: poster.siteName },
    },
    (doc) => {
      const width = doc.page.width - 112;
      doc.font("bold").fontSize(20).fillColor("#000091").text(pdfText(poster.siteName), { align: "center", width });
      if (poster.channel) doc.font("regular").fontSize(12).fillColor("#3a3a3a").text(pdfText(poster.channel), { align: "center", width });
      doc.moveDown(1.5);
      doc.font("bold").fontSize(30).fillColor("#161616").text("Donnez-nous votre avis", { align: "center", width });
      doc.moveDown(0.5);
      doc.font("regular").fontSize(16).text(pdfText(poster.title), { align: "center", width });
      doc.moveDown(0.5);
      doc.fontSize(12).fillColor("#3a3a3a").text(pdfText(poster.invitation), { align: "center", width });
      const side = 300;
      const top = doc.y + 24;
      drawQr(doc, poster.url, (doc.page.width - side) / 2, top, side);
      doc.y = top + side + 24;
      doc
        .font("regular")
        .fontSize(12)
        .fillColor("#161616")
        .text("Scannez le code avec l'appareil photo de votre téléphone, ou saisissez l'adresse :", 56, doc.y, { align: "center", width });
      doc.moveDown(0.5);
      // The address stays in Courier, a standard font of PDF: fixed-width letters read one by one are
      // easier to type, and the address is the instance's host and identifiers, which WinAnsi covers.
      doc.font("Courier").fontSize(10).text(poster.url, { align: "center", width });
      doc.moveDown(2);
      doc
        .font("regular")
        .fontSize(10)
        .fillColor("#3a3a3a")
        .text("Le questionnaire est anonyme : nous n'enregistrons ni votre nom ni votre adresse. Il prend moins de trois minutes.", {
          align: "center",
          width,
        });
    },
  );
}
