import { describe, expect, it } from "vitest";
import { barChartSvg, middleEllipsis } from "./charts.tsx";

const labels = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? "");

describe("bar charts", () => {
  it("names every site of a comparison, long names cut in the middle so that their ends still tell them apart", () => {
    const sites = Array.from({ length: 24 }, (_, i) => `Mairie de Saint-Germain-en-Laye, annexe ${i + 1}`);
    const svg = barChartSvg({
      title: "Délais tenus",
      categories: sites,
      series: [{ name: "Délais tenus", values: sites.map((_, i) => i * 4) }],
      max: 100,
      unit: "%",
    });
    const shown = labels(svg).filter((t) => t.startsWith("Mairie"));
    // ECharts hides every other label when they overlap: all 24 must be there, all different.
    expect(shown).toHaveLength(24);
    expect(new Set(shown).size).toBe(24);
    expect(shown.at(-1)).toMatch(/…annexe 24$/);
  });

  it("keeps short names whole", () => {
    const svg = barChartSvg({ title: "t", categories: ["Poissy", "Nancy"], series: [{ name: "a", values: [10, 20] }] });
    expect(labels(svg)).toEqual(expect.arrayContaining(["Poissy", "Nancy"]));
    expect(middleEllipsis("Poissy", 21)).toBe("Poissy");
    expect(middleEllipsis("Mairie de Saint-Germain-en-Laye, annexe 12", 21)).toBe("Mairie de…annexe 12");
  });
});
