import PDFDocument from "pdfkit";
import { forWinAnsi } from "../../ui/format.ts";

/**
 * A letter as a printable A4 PDF, made in-process: for requesters without an e-mail address, the
 * agent prints it and posts it. The standard Helvetica of PDF covers French accents (WinAnsi).
 */
export function letterPdf(letter: {
  sender: string;
  senderAddress: string[];
  recipient: string[];
  place: string;
  date: string;
  subject: string;
  body: string;
}): Promise<Buffer> {
  // The standard fonts speak WinAnsi: the narrow no-break spaces of French typography would print as garbage.
  const t = forWinAnsi;
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: "A4",
      margins: { top: 56, bottom: 56, left: 64, right: 64 },
      info: { Title: t(letter.subject), Author: t(letter.sender) },
    });
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    doc.font("Helvetica-Bold").fontSize(12).text(t(letter.sender));
    doc.font("Helvetica").fontSize(10);
    for (const line of letter.senderAddress) doc.text(t(line));
    doc.moveDown(3);
    // The window of a French DL envelope sits on the right.
    for (const line of letter.recipient) doc.text(t(line), 320);
    doc.moveDown(2);
    doc.text(t(`${letter.place}, le ${letter.date}`), 320);
    doc.moveDown(2);
    doc.font("Helvetica-Bold").text(t(`Objet : ${letter.subject}`), 64);
    doc.moveDown();
    doc.font("Helvetica").fontSize(11).text(t(letter.body), { align: "left", lineGap: 2 });
    doc.end();
  });
}
