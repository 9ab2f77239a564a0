import { renderPdf, pdfText as t } from "../../kernel/pdf.ts";
import { drawQr } from "../../kernel/qr.ts";

/** Where and how the requester follows the request: printed with a QR code under the letter. */
export interface LetterTracking {
  /** The address the QR code opens: the tracking form with the number filled in, never the code. */
  qrUrl: string;
  /** The sentence printed beside it, with the address, the number and the code. */
  text: string;
}

/**
 * A letter as a printable A4 PDF, made in-process: for requesters without an e-mail address, the
 * agent prints it and posts it. In Marianne, embedded (src/kernel/pdf.ts): the requester's name and
 * address print as written, « Dvořák » or « Nguyễn » included.
 */
export async function letterPdf(letter: {
  sender: string;
  senderAddress: string[];
  recipient: string[];
  place: string;
  date: string;
  subject: string;
  body: string;
  tracking?: LetterTracking | undefined;
}): Promise<Buffer> {
  return renderPdf(
    {
      size: "A4",
      margins: { top: 56, bottom: 56, left: 64, right: 64 },
      info: { Title: letter.subject, Author: letter.sender },
    },
    (doc) => {
      doc.font("bold").fontSize(12).text(t(letter.sender));
      doc.font("regular").fontSize(10);
      for (const line of letter.senderAddress) doc.text(t(line));
      doc.moveDown(3);
      // The window of a French DL envelope sits on the right.
      for (const line of letter.recipient) doc.text(t(line), 320);
      doc.moveDown(2);
      doc.text(t(`${letter.place}, le ${letter.date}`), 320);
      doc.moveDown(2);
      doc.font("bold").text(t(`Objet : ${letter.subject}`), 64);
      doc.moveDown();
      doc.font("regular").fontSize(11).text(t(letter.body), { align: "left", lineGap: 2 });
      if (letter.tracking) {
        const size = 96;
        doc.moveDown(2);
        if (doc.y + size > doc.page.height - doc.page.margins.bottom) doc.addPage();
        const top = doc.y;
        drawQr(doc, letter.tracking.qrUrl, 64, top, size);
        doc
          .font("regular")
          .fontSize(10)
          .text(t(letter.tracking.text), 64 + size + 12, top + 24, { width: doc.page.width - 64 - size - 12 - 64 });
      }
    },
  );
}
