import { createRequire } from "node:module";
import { formatNumber, NNBSP } from "./format.ts";
import { raw, type SafeHtml } from "./jsx/jsx-runtime.ts";

/**
 * Charts drawn on the server as SVG with ECharts' server-side renderer: the same code serves the
 * pages, the posters and the PDF reports, and a page needs no script to show them. Every chart
 * carries a text alternative; pages also give the figures as a table.
 */
// The type file of echarts says `export =`, which TypeScript will not import into an ES module:
// the CommonJS build is loaded instead, typed by that same file.
// Required on the first chart drawn, not at start (issue #17, point 6): echarts alone costs ~75 MB and
// over a second to load, and most starts (a restart, a public page) draw none.
let loaded: typeof import("echarts") | undefined;
export function echarts(): typeof import("echarts") {
  loaded ??= createRequire(import.meta.url)("echarts") as typeof import("echarts");
  return loaded;
}

const BLUE_FRANCE = "#000091";
const RED_MARIANNE = "#c9191e";

export interface BarChart {
  title: string;
  categories: string[];
  series: Array<{ name: string; values: Array<number | null>; color?: string }>;
  /** Axis maximum, e.g. 100 for percentages. */
  max?: number;
  unit?: string;
  width?: number;
  height?: number;
}

/** A value as the chart writes it: French digits, the unit after a narrow no-break space. */
export function chartValue(value: number | null | undefined, unit: string | undefined): string {
  if (value === null || value === undefined) return "—";
  return `${formatNumber(value, 1)}${unit ? `${NNBSP}${unit}` : ""}`;
}

/**
 * The page's Content-Security-Policy (`style-src 'self'`) ignores `style="…"` attributes and `<style>`
 * elements in inline SVG. ECharts writes its text fonts as `style` and its hover effects in a `<style>`:
 * the fonts become SVG presentation attributes (`font-size="12px"`, same names as the CSS properties),
 * the hover effects go (the charts are static pictures).
 */
export function withoutInlineStyle(svg: string): string {
  return svg.replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, "").replace(/ style="([^"]*)"/g, (_all, declarations: string) =>
    declarations
      .split(";")
      .map((d) => /^\s*([a-z-]+)\s*:\s*(.+?)\s*$/.exec(d))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ` ${m[1]}="${m[2]}"`)
      .join(""),
  );
}

/** « Mairie de Saint-Germain-en-Laye, annexe 12 » in at most 21 letters: « Mairie de…annexe 12 ». */
export function middleEllipsis(text: string, max: number): string {
  if (text.length <= max || max < 5) return text;
  const tail = Math.floor((max - 1) / 2);
  return `${text.slice(0, max - 1 - tail).trimEnd()}…${text.slice(text.length - tail).trimStart()}`;
}

export function barChartSvg(chart: BarChart): string {
  const width = chart.width ?? 720;
  // Every category keeps its label: ECharts would otherwise hide every other one when names are long (a
  // comparison of sites then names half of them). Long names are cut with « … » in their slot, or turned
  // when the slots get narrow; the figure's text alternative and the page's table keep the full names.
  const slot = (width - 64) / Math.max(1, chart.categories.length);
  const turned = slot < 72;
  const labelWidth = turned ? 140 : Math.max(24, slot - 6);
  const height = (chart.height ?? 280) + (turned ? 80 : 0);
  const instance = echarts().init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    instance.setOption({
      animation: false,
      textStyle: { fontFamily: "Arial, sans-serif" },
      legend: chart.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: turned ? 100 : 48, right: 16, top: chart.series.length > 1 ? 32 : 16, bottom: turned ? 112 : 32 },
      xAxis: {
        type: "category",
        // About 6.5 px a letter at 12 px: cut in the middle, since sites of one network often differ by their end.
        data: chart.categories.map((c) => middleEllipsis(c, Math.floor(labelWidth / 6.5))),
        axisLabel: { interval: 0, hideOverlap: false, rotate: turned ? 40 : 0 },
      },
      yAxis: { type: "value", max: chart.max, axisLabel: { formatter: (value: number) => chartValue(value, chart.unit) } },
      series: chart.series.map((s, i) => ({
        name: s.name,
        type: "bar",
        data: s.values,
        itemStyle: { color: s.color ?? (i === 0 ? BLUE_FRANCE : RED_MARIANNE) },
        label: {
          show: chart.categories.length <= 12,
          position: "top",
          formatter: (p: { value: unknown }) => (typeof p.value === "number" ? formatNumber(p.value, 1) : ""),
        },
      })),
    });
    return withoutInlineStyle(instance.renderToSVGString());
  } finally {
    instance.dispose();
  }
}

/** The chart as an accessible figure: the SVG is an image whose alternative lists the values. */
export function BarChartFigure({ chart }: { chart: BarChart }): SafeHtml {
  const alt = `${chart.title}${"\u00a0"}: ${chart.categories
    .map((c, i) => `${c} ${chart.series.map((s) => chartValue(s.values[i], chart.unit)).join(" / ")}`)
    .join(", ")}`;
  const svg = barChartSvg(chart).replace("<svg ", `<svg role="img" aria-label="${alt.replace(/[&<>"]/g, "")}" focusable="false" `);
  return (
    <figure class="fr-mb-4w">
      <figcaption class="fr-text--bold">{chart.title}</figcaption>
      <div class="vigie-chart">{raw(svg)}</div>
    </figure>
  );
}
