import { describe, expect, it } from "vitest";
import { hasPoppler, NAMES_BEYOND_WINANSI, readPdf } from "../../test/support/pdf.ts";
import { renderPdf } from "./pdf.ts";
import { pdfBarChart } from "./pdf-chart.ts";

describe.skipIf(!hasPoppler)("a chart in a PDF, drawn from the page's chart description", () => {
  it("writes the axis with its unit and the bars' values in French, and the categories as written", async () => {
    const [person] = NAMES_BEYOND_WINANSI;
    const pdf = await renderPdf({ size: "A4", margin: 56 }, (doc) =>
      pdfBarChart(doc, {
        title: "Agents formés par thème (%)",
        categories: ["Accueil", `Équipe ${person}`],
        series: [{ name: "Part formée", values: [12.5, 100] }],
        max: 100,
        unit: "%",
      }),
    );
    const { text } = readPdf(pdf);
    expect(text).toContain("Agents formés par thème (%)");
    // The axis as on the page: « 0 % … 100 % », a no-break space before the sign; then the values.
    for (const tick of ["0 %", "25 %", "50 %", "75 %", "100 %"]) expect(text).toContain(tick);
    expect(text).toContain("12,5");
    expect(text).not.toContain("12.5");
    expect(text).toContain(`Équipe ${person}`);
  });

  it("without a unit, writes bare numbers on a scale four guide lines divide into whole numbers", async () => {
    const pdf = await renderPdf({ size: "A4", margin: 56 }, (doc) =>
      pdfBarChart(doc, {
        title: "Actions par statut",
        categories: ["À faire", "Aboutie"],
        series: [{ name: "Actions", values: [3, 1234] }],
      }),
    );
    const { text } = readPdf(pdf);
    // 1 234 rounded up to a multiple of 4: 1 236, its quarters 309, 618, 927; French thousands.
    expect(text).toMatch(/1 236/);
    expect(text).toMatch(/1 234/);
    expect(text).not.toContain("%");
  });
});
