import { BarChartFigure } from "../../ui/charts.tsx";
import { formatNumber, plural } from "../../ui/format.ts";
import { CsrfField, PeriodFields } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { CHANNEL_LABELS, type Channel } from "../frameworks/channels.ts";
import type { Period } from "../indicators/indicator.ts";
import { formatPeriod, presets } from "../indicators/period.ts";
import { effectiveTarget, formatValue, LIGHT_LABELS, type Light, type Trend } from "../indicators/traffic-light.ts";
import type { Comparison, Dashboard, DashboardFigure } from "./dashboards.service.ts";

const BADGE: Record<Light, string> = { green: "fr-badge--success", amber: "fr-badge--warning", red: "fr-badge--error", none: "" };

function LightBadge({ light }: { light: Light }): SafeHtml {
  return <span class={`fr-badge fr-badge--sm fr-badge--no-icon ${BADGE[light]}`}>{LIGHT_LABELS[light]}</span>;
}

function trendText(t: Trend, f: DashboardFigure): string {
  if (t.direction === "none") return "—";
  const arrow = t.direction === "up" ? "↗" : t.direction === "down" ? "↘" : "→";
  const word = t.better === null ? "stable" : t.better ? "en progrès" : "en recul";
  return `${arrow} ${word} (avant\u00a0: ${formatValue(f.previous, f.unit)})`;
}

function PeriodSelector({
  action,
  period,
  today,
  extra,
}: {
  action: string;
  period: Period;
  today: string;
  extra?: Record<string, string>;
}): SafeHtml {
  return (
    <form method="get" action={action} class="fr-mb-4w" aria-label="Période">
      {Object.entries(extra ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <ul class="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
        {presets(today).map((p) => (
          <li>
            <a
              class={`fr-btn fr-btn--sm ${p.period.from === period.from && p.period.to === period.to ? "" : "fr-btn--tertiary"}`}
              href={`${action}?${new URLSearchParams({ ...(extra ?? {}), from: p.period.from, to: p.period.to })}`}
              aria-current={p.period.from === period.from && p.period.to === period.to ? "true" : undefined}
            >
              {p.label}
            </a>
          </li>
        ))}
      </ul>
      <PeriodFields from={period.from} to={period.to} />
    </form>
  );
}

function figureLabel(f: DashboardFigure): string {
  return f.channel ? `${f.label} — ${CHANNEL_LABELS[f.channel as Channel] ?? f.channel}` : f.label;
}

export function DashboardView({
  data,
  today,
  csrf,
  canPublish,
}: {
  data: Dashboard;
  today: string;
  csrf: string;
  canPublish: boolean;
}): SafeHtml {
  const base = `/organisations/${data.org.id}/dashboard`;
  return (
    <div>
      <h1>{`Tableau de bord — ${data.org.name}`}</h1>
      <p>
        {`Résultats ${formatPeriod(data.period)}, comparés à la période ${formatPeriod(data.previous).replace(/^du /, "du ")}. `}
        {data.framework
          ? `Référentiel\u00a0: ${data.framework.name}.`
          : "Aucun référentiel adopté : les indicateurs sont listés sans engagement."}
      </p>
      <PeriodSelector action={base} period={data.period} today={today} />
      {data.lines.map((line) => (
        <TableFrame>
          <table>
            <caption>
              {line.commitment
                ? `${line.commitment.number !== null ? `Engagement ${line.commitment.number} — ` : ""}${line.commitment.title}`
                : "Autres indicateurs"}
            </caption>
            <thead>
              <tr>
                <th scope="col">Indicateur</th>
                <th scope="col">Valeur</th>
                <th scope="col">Objectif</th>
                <th scope="col">Feu</th>
                <th scope="col">Tendance</th>
                <th scope="col">Base</th>
              </tr>
            </thead>
            <tbody>
              {line.figures.length ? (
                line.figures.map((f) => (
                  <tr>
                    <th scope="row">{figureLabel(f)}</th>
                    <td>{formatValue(f.value, f.unit)}</td>
                    <td>
                      {f.target === null && effectiveTarget(f) !== null
                        ? `${formatValue(effectiveTarget(f), f.unit)} (par défaut)`
                        : formatValue(f.target, f.unit)}
                    </td>
                    <td>
                      <LightBadge light={f.light} />
                    </td>
                    <td>{trendText(f.trend, f)}</td>
                    <td>{formatNumber(f.sample)}</td>
                  </tr>
                ))
              ) : (
                <tr>
                  <td colspan={6}>Aucun indicateur ne mesure encore cet engagement.</td>
                </tr>
              )}
            </tbody>
          </table>
        </TableFrame>
      ))}
      {data.children.length || data.sites ? (
        <section class="fr-mt-4w">
          <h2>Comparer les structures</h2>
          <ul>
            {data.children.length ? (
              <li>
                <a
                  class="fr-link"
                  href={`${base}/compare?${new URLSearchParams({ from: data.period.from, to: data.period.to, depth: "children" })}`}
                >
                  {data.children.length < 2
                    ? "Classement de la structure rattachée"
                    : `Classement des ${plural(data.children.length, "structure")} rattachées`}
                </a>
              </li>
            ) : null}
            {data.sites ? (
              <li>
                <a
                  class="fr-link"
                  href={`${base}/compare?${new URLSearchParams({ from: data.period.from, to: data.period.to, depth: "sites" })}`}
                >
                  {data.sites < 2 ? "Classement du site" : `Classement de tous les sites (${formatNumber(data.sites)})`}
                </a>
              </li>
            ) : null}
          </ul>
          {data.children.length ? (
            <>
              <h3 class="fr-h6">Structures rattachées</h3>
              <ul>
                {data.children.map((c) => (
                  <li>
                    <a href={`/organisations/${c.id}/dashboard?${new URLSearchParams({ from: data.period.from, to: data.period.to })}`}>
                      {c.name}
                    </a>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      ) : null}
      <section class="fr-mt-4w">
        <h2>Résultats publiés</h2>
        <p>
          <a href={`/public/organisations/${data.org.id}/results`}>Page publique des résultats</a> — calculée chaque nuit ; l'affiche et les
          données ouvertes en découlent. <a href={`/organisations/${data.org.id}/publication`}>État de la publication</a>
        </p>
        {canPublish ? (
          <form method="post" action={`/organisations/${data.org.id}/publication`}>
            <CsrfField token={csrf} />
            <button type="submit" class="fr-btn fr-btn--secondary">
              Publier les résultats maintenant
            </button>
          </form>
        ) : null}
      </section>
    </div>
  );
}

const DEPTHS: Array<{ depth: Comparison["depth"]; label: string }> = [
  { depth: "children", label: "Structures rattachées" },
  { depth: "sites", label: "Tous les sites" },
];

export function ComparisonView({ data, today }: { data: Comparison; today: string }): SafeHtml {
  const base = `/organisations/${data.org.id}/dashboard/compare`;
  const query = (extra: Record<string, string>) =>
    new URLSearchParams({ from: data.period.from, to: data.period.to, indicator: data.indicator.id, depth: data.depth, ...extra });
  const valued = data.ranking.filter((r) => r.figure?.value !== null && r.figure?.value !== undefined);
  const unit = data.indicator.unit;
  const scale = unit === "share" ? 100 : 1;
  const what = data.depth === "sites" ? "sites" : "structures rattachées";
  return (
    <div>
      <h1>{`${data.depth === "sites" ? "Comparaison des sites" : "Comparaison des structures"} — ${data.org.name}`}</h1>
      <nav aria-label="Organisations comparées" class="fr-mb-2w">
        <ul class="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
          {DEPTHS.map((d) => (
            <li>
              <a
                class={`fr-btn fr-btn--sm ${d.depth === data.depth ? "" : "fr-btn--tertiary"}`}
                href={`${base}?${query({ depth: d.depth })}`}
                aria-current={d.depth === data.depth ? "page" : undefined}
              >
                {d.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <form method="get" action={base} class="fr-mb-2w" aria-label="Indicateur comparé">
        <input type="hidden" name="from" value={data.period.from} />
        <input type="hidden" name="to" value={data.period.to} />
        <input type="hidden" name="depth" value={data.depth} />
        <div class="fr-select-group">
          <label class="fr-label" for="indicator">
            Indicateur
          </label>
          <select class="fr-select" id="indicator" name="indicator">
            {data.indicators.map((k) => (
              <option value={k.id} selected={k.id === data.indicator.id}>
                {k.label}
              </option>
            ))}
          </select>
        </div>
        <button class="fr-btn fr-btn--secondary" type="submit">
          Comparer
        </button>
      </form>
      <PeriodSelector action={base} period={data.period} today={today} extra={{ indicator: data.indicator.id, depth: data.depth }} />
      <p>
        <a class="fr-link fr-icon-download-line fr-link--icon-left" href={`${base}.csv?${query({})}`} download>
          {`Télécharger la comparaison (CSV, tous les indicateurs, ${plural(data.ranking.length, data.depth === "sites" ? "site" : "structure")})`}
        </a>
      </p>
      {valued.length ? (
        <BarChartFigure
          chart={{
            title: `${data.indicator.label} (${formatPeriod(data.period)})${valued.length > 40 ? ` — les 40 premiers sur ${formatNumber(valued.length)}` : ""}`,
            categories: valued.slice(0, 40).map((r) => r.org.name),
            series: [
              { name: data.indicator.label, values: valued.slice(0, 40).map((r) => Math.round((r.figure?.value ?? 0) * scale * 10) / 10) },
            ],
            ...(unit === "share" ? { max: 100, unit: "%" } : {}),
            height: 320,
          }}
        />
      ) : (
        <p>{`Aucune valeur pour cet indicateur parmi les ${what} sur la période.`}</p>
      )}
      <TableFrame>
        <table>
          <caption>{`Classement des ${what}\u00a0: ${data.indicator.label}`}</caption>
          <thead>
            <tr>
              <th scope="col">Rang</th>
              <th scope="col">{data.depth === "sites" ? "Site" : "Structure"}</th>
              <th scope="col">Valeur</th>
              <th scope="col">Feu</th>
              <th scope="col">Tendance</th>
              <th scope="col">Base</th>
            </tr>
          </thead>
          <tbody>
            {data.ranking.length ? (
              data.ranking.map((r) => (
                <tr>
                  <td>{r.rank === null ? "—" : String(r.rank)}</td>
                  <th scope="row">
                    <a href={`/organisations/${r.org.id}/dashboard?${new URLSearchParams({ from: data.period.from, to: data.period.to })}`}>
                      {r.org.name}
                    </a>
                  </th>
                  <td>{r.figure ? formatValue(r.figure.value, r.figure.unit) : "—"}</td>
                  <td>{r.figure ? <LightBadge light={r.figure.light} /> : "—"}</td>
                  <td>{r.figure ? trendText(r.figure.trend, r.figure) : "—"}</td>
                  <td>{r.figure ? formatNumber(r.figure.sample) : "0"}</td>
                </tr>
              ))
            ) : (
              <tr>
                <td colspan={6}>
                  {data.depth === "sites"
                    ? "Aucun site n'est rattaché à cette organisation."
                    : "Aucune structure n'est rattachée à cette organisation."}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </TableFrame>
    </div>
  );
}
