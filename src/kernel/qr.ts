import QRCode from "qrcode";
import type { PdfDocument } from "./pdf.ts";

/**
 * QR codes, on a page (SVG) and on paper (PDF: a letter's tracking code, a survey poster), drawn from
 * the same module matrix, so what is printed is what is shown. Correction level M: readable with a
 * fold or a smudge, still small. A 4-module quiet zone around it, as the standard asks.
 */
const QUIET = 4;

function matrix(url: string): { size: number; dark: (x: number, y: number) => boolean } {
  const { size, data } = QRCode.create(url, { errorCorrectionLevel: "M" }).modules;
  return { size, dark: (x, y) => data[y * size + x] === 1 };
}

/** As SVG: one path, black on white whatever the page's colours, with its accessible name. */
export function qrSvg(url: string, title: string): string {
  const { size, dark } = matrix(url);
  const full = size + 2 * QUIET;
  let d = "";
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (dark(x, y)) d += `M${x + QUIET} ${y + QUIET}h1v1h-1z`;
  const escaped = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" shape-rendering="crispEdges" role="img" aria-label="${escaped}"><title>${escaped}</title><rect width="${full}" height="${full}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}

/**
 * In a PDF, as vector squares (sharp at any print size, nothing to embed) on a white square `side`
 * points wide, quiet zone included, its top left corner at (x, y).
 */
export function drawQr(doc: PdfDocument, url: string, x: number, y: number, side: number): void {
  const { size, dark } = matrix(url);
  const cell = side / (size + 2 * QUIET);
  doc.save();
  doc.rect(x, y, side, side).fill("#ffffff");
  doc.fillColor("#000000");
  for (let row = 0; row < size; row++)
    for (let col = 0; col < size; col++) if (dark(col, row)) doc.rect(x + (col + QUIET) * cell, y + (row + QUIET) * cell, cell, cell);
  doc.fill().restore();
}
