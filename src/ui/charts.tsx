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
const echarts: typeof import("echarts") = createRequire(import.meta.url)("echarts");

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
function chartValue(value: number | null | undefined, unit: string | undefined): string {
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

export function barChartSvg(chart: BarChart): string {
  const instance = echarts.init(null, null, { renderer: "svg", ssr: true, width: chart.width ?? 720, height: chart.height ?? 280 });
  try {
    instance.setOption({
      animation: false,
      textStyle: { fontFamily: "Arial, sans-serif" },
      legend: chart.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 48, right: 16, top: chart.series.length > 1 ? 32 : 16, bottom: 32 },
      xAxis: { type: "category", data: chart.categories },
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
