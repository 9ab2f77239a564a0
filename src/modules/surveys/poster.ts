import QRCode from "qrcode";
import { pdfText, renderPdf } from "../../kernel/pdf.ts";

/**
 * QR codes of public survey links, as SVG (for the web page, a letter, a slide) and on a printable
 * A4 poster for the hall or the counter. Both are drawn from the same module matrix, so what is
 * printed is what is shown. Correction level M: readable with a fold or a smudge, still small.
 */
function matrix(url: string): { size: number; dark: (x: number, y: number) => boolean } {
  const code = QRCode.create(url, { errorCorrectionLevel: "M" });
  const { size, data } = code.modules;
  return { size, dark: (x, y) => data[y * size + x] === 1 };
}

/** A QR code as SVG: one path, a 4-module quiet zone, black on white whatever the page's colours. */
export function qrSvg(url: string, title: string): string {
  const { size, dark } = matrix(url);
  const quiet = 4;
  const full = size + 2 * quiet;
  let d = "";
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (dark(x, y)) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  const escaped = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" shape-rendering="crispEdges" role="img" aria-label="${escaped}"><title>${escaped}</title><rect width="${full}" height="${full}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}

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
      const { size, dark } = matrix(poster.url);
      const side = 300;
      const cell = side / (size + 8);
      const left = (doc.page.width - side) / 2;
      const top = doc.y + 24;
      doc.rect(left, top, side, side).fill("#ffffff");
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) if (dark(x, y)) doc.rect(left + (x + 4) * cell, top + (y + 4) * cell, cell, cell).fill("#000000");
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
