import { echarts, withoutInlineStyle } from "../../ui/charts.tsx";
import { formatPercent, NBSP } from "../../ui/format.ts";
import { raw, type SafeHtml } from "../../ui/jsx/jsx-runtime.ts";

export const DAY_LABELS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"];

/**
 * Answer rate by day of the week and hour, drawn on the server as SVG (ECharts heatmap). Hours
 * without any call are left blank; the page gives the same figures as a table.
 */
export function HeatMapFigure({ heat, title }: { heat: Array<Array<{ offered: number; answered: number }>>; title: string }): SafeHtml {
  const hours = [...Array(24).keys()].filter((h) => heat.some((day) => (day[h]?.offered ?? 0) > 0));
  const first = hours[0] ?? 0;
  const last = hours[hours.length - 1] ?? -1;
  const shown = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const data: Array<[number, number, number]> = [];
  heat.forEach((day, d) => {
    shown.forEach((h, x) => {
      const cell = day[h];
      if (cell && cell.offered > 0) data.push([x, 6 - d, Math.round((cell.answered / cell.offered) * 100)]);
    });
  });
  const instance = echarts().init(null, null, { renderer: "svg", ssr: true, width: 720, height: 300 });
  let svg: string;
  try {
    instance.setOption({
      animation: false,
      textStyle: { fontFamily: "Arial, sans-serif" },
      grid: { left: 80, right: 16, top: 8, bottom: 72 },
      xAxis: { type: "category", data: shown.map((h) => `${h} h`), splitArea: { show: true } },
      yAxis: { type: "category", data: [...DAY_LABELS].reverse(), splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: 100,
        calculable: false,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        text: ["100 %", "0 %"],
        inRange: { color: ["#c9191e", "#fcc63a", "#18753c"] },
      },
      series: [{ type: "heatmap", data, label: { show: true, formatter: (p: { value: number[] }) => `${p.value[2]}` } }],
    });
    svg = withoutInlineStyle(instance.renderToSVGString());
  } finally {
    instance.dispose();
  }
  const alt = `${title} : ${heat
    .map((day, d) => {
      const cells = shown
        .filter((h) => (day[h]?.offered ?? 0) > 0)
        .map((h) => `${h}${NBSP}h ${formatPercent((day[h]?.answered ?? 0) / (day[h]?.offered ?? 1))}`);
      return cells.length ? `${DAY_LABELS[d]} ${cells.join(", ")}` : "";
    })
    .filter(Boolean)
    .join(" ; ")}`;
  const labelled = svg.replace("<svg ", `<svg role="img" aria-label="${alt.replace(/[&<>"]/g, "")}" focusable="false" `);
  return (
    <figure class="fr-mb-4w">
      <figcaption class="fr-text--bold">{title}</figcaption>
      <div class="vigie-chart">{raw(labelled)}</div>
    </figure>
  );
}
