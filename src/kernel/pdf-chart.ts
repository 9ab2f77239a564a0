import { type BarChart, chartValue, middleEllipsis } from "../ui/charts.tsx";
import { formatNumber } from "../ui/format.ts";
import { type PdfDocument, pdfText } from "./pdf.ts";

/**
 * Draws a bar chart into a PDF from the same `BarChart` description the pages give ECharts: the
 * figures, the unit and the number format are one object and one module (src/ui/format.ts), the page
 * and the PDF each draw it with their own tool (pdfkit does not read SVG). The axis says the unit, as
 * on the page (« 50 % »), and the bars their values in French (« 12,5 »).
 */
const COLORS = ["#000091", "#929292", "#c9191e"];

export function pdfBarChart(doc: PdfDocument, chart: BarChart, height = 170): void {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  if (doc.y + height + 50 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const top = doc.y;
  doc.font("bold").fontSize(10).fillColor("#161616").text(pdfText(chart.title), left, top, { width });
  // Room under the title for the value written above a bar that reaches the top.
  const plotTop = top + 28;
  const axisX = left + 30;
  const plotW = width - 34;
  const plotH = height - 50;
  const values = chart.series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  // Without a fixed maximum, one that four guide lines divide into whole numbers.
  const max = chart.max ?? Math.ceil(Math.max(1, ...values) / 4) * 4;
  // Axis and four guide lines with their values.
  doc.lineWidth(0.5);
  for (let g = 0; g <= 4; g++) {
    const y = plotTop + plotH - (plotH * g) / 4;
    doc
      .moveTo(axisX, y)
      .lineTo(axisX + plotW, y)
      .stroke(g === 0 ? "#3a3a3a" : "#dddddd");
    doc
      .font("regular")
      .fontSize(7)
      .fillColor("#3a3a3a")
      .text(pdfText(chartValue((max * g) / 4, chart.unit)), left - 4, y - 4, { width: 30, align: "right" });
  }
  const groups = Math.max(1, chart.categories.length);
  const groupW = plotW / groups;
  const barW = Math.min(28, (groupW * 0.7) / chart.series.length);
  chart.categories.forEach((category, i) => {
    const start = axisX + i * groupW + (groupW - barW * chart.series.length) / 2;
    chart.series.forEach((s, k) => {
      const v = s.values[i];
      const x = start + k * barW;
      if (v !== null && v !== undefined) {
        const h = (plotH * Math.min(v, max)) / max;
        doc.rect(x, plotTop + plotH - h, barW - 2, h).fill(s.color ?? COLORS[k] ?? "#000091");
        doc
          .font("regular")
          .fontSize(6.5)
          .fillColor("#161616")
          .text(pdfText(formatNumber(v, 1)), x - 4, plotTop + plotH - h - 9, { width: barW + 6, align: "center" });
      }
    });
    doc
      .font("regular")
      .fontSize(7)
      .fillColor("#161616")
      // Cut in the middle as on the page (sites of one network often differ by their end), about 3.6 pt a letter at 7 pt.
      .text(pdfText(middleEllipsis(category, Math.max(5, Math.floor(groupW / 3.6)))), axisX + i * groupW, plotTop + plotH + 3, {
        width: groupW,
        align: "center",
      });
  });
  if (chart.series.length > 1) {
    let lx = axisX;
    chart.series.forEach((s, k) => {
      doc.rect(lx, plotTop + plotH + 16, 8, 8).fill(s.color ?? COLORS[k] ?? "#000091");
      doc
        .font("regular")
        .fontSize(8)
        .fillColor("#161616")
        .text(pdfText(s.name), lx + 11, plotTop + plotH + 16, { width: 80 });
      lx += 90;
    });
  }
  doc.fillColor("#161616");
  doc.x = left;
  doc.y = top + height + 12;
}
