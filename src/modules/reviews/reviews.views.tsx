import { BarChartFigure } from "../../ui/charts.tsx";
import { formatNumber, NBSP, plural } from "../../ui/format.ts";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { ACTION_STATUS_LABELS, ACTION_STATUSES } from "../actions/action-status.ts";
import { CHANNEL_LABELS } from "../frameworks/channels.ts";
import type { IndicatorValue } from "../indicators/indicator.ts";
import { formatValue, meetsTarget, targetLabel } from "../indicators/indicator-format.ts";
import { TRAINING_THEME_LABELS, TRAINING_THEMES } from "../staff/themes.ts";
import { type Review, TRAINING_LEGEND } from "./reviews.service.ts";

export const NO_DATA = "Aucune donnée";
const score = (s: number | null | undefined) => (s === null || s === undefined ? "—" : `${formatNumber(s, 1)}${NBSP}/${NBSP}100`);
const change = (c: number | null) => (c === null ? "—" : `${c > 0 ? "+" : ""}${formatNumber(c, 1)}${NBSP}pts`);
const verdict = (i: IndicatorValue) => {
  const ok = meetsTarget(i);
  return ok === null ? "—" : ok ? "Tenue" : "Non tenue";
};

export function IndicatorRows({ indicators, caption }: { indicators: IndicatorValue[]; caption: string }): SafeHtml {
  if (!indicators.length) return <p>{NO_DATA}</p>;
  return (
    <TableFrame>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Indicateur</th>
            <th scope="col">Canal</th>
            <th scope="col">Valeur</th>
            <th scope="col">Cible</th>
            <th scope="col">Cible tenue</th>
            <th scope="col">Effectif</th>
          </tr>
        </thead>
        <tbody>
          {indicators.map((i) => (
            <tr>
              <td>{i.label}</td>
              <td>{i.channel ? CHANNEL_LABELS[i.channel] : "Tous"}</td>
              <td>{formatValue(i.unit, i.value)}</td>
              <td>{targetLabel(i)}</td>
              <td>{verdict(i)}</td>
              <td>{formatNumber(i.sample)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

export function ReviewView({ review: r, pdfHref }: { review: Review; pdfHref: string }): SafeHtml {
  const orgId = r.org.id;
  return (
    <div>
      <h1>{`Bilan annuel ${r.year} — ${r.org.name}`}</h1>
      <p>
        {r.framework ? `Référentiel\u00a0: ${r.framework.name} (${r.framework.edition}). ` : "Aucun référentiel adopté. "}
        {`Période du 01/01/${r.year} au 31/12/${r.year}, organisation et tout ce qui lui est rattaché.`}
      </p>
      <ul class="fr-btns-group fr-btns-group--inline-md">
        <li>
          <a class="fr-btn" href={pdfHref}>
            Télécharger le bilan (PDF)
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${orgId}/assessments`}>
            Auto-évaluations
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${orgId}/actions`}>
            Plan d'actions
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${orgId}/staff`}>
            Agents et formations
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${orgId}/incidents`}>
            Dysfonctionnements
          </a>
        </li>
      </ul>

      <h2>Engagements et indicateurs</h2>
      {r.commitments.length ? null : <p>{NO_DATA}</p>}
      {r.commitments.map((c) => (
        <section class="fr-mb-3w" aria-labelledby={`c-${c.id.replace(/[^a-z0-9]/gi, "-")}`}>
          <h3 class="fr-h6" id={`c-${c.id.replace(/[^a-z0-9]/gi, "-")}`}>
            {c.number === null ? `Engagement local — ${c.title}` : `Engagement ${c.number} — ${c.title}`}
          </h3>
          {c.targets.length ? <p class="fr-text--sm">{`Cibles : ${c.targets.join(" ; ")}`}</p> : null}
          <IndicatorRows indicators={c.indicators} caption={`Indicateurs de l'engagement ${c.number ?? "local"}`} />
        </section>
      ))}

      {r.sections
        .filter((s) => s.key !== "other" || s.indicators.length)
        .map((s) => (
          <section aria-labelledby={`s-${s.key}`}>
            <h2 id={`s-${s.key}`}>{s.title}</h2>
            <IndicatorRows indicators={s.indicators} caption={s.title} />
          </section>
        ))}

      <h2>Auto-évaluation</h2>
      {r.assessment ? (
        <div>
          <p>
            {`Campagne ${r.year} ${r.assessment.campaign.signed ? `signée par ${r.assessment.campaign.signedByLabel ?? "—"}` : "en cours (non signée)"} — score global : ${score(r.assessment.overall)}`}
            {r.assessment.lastYear
              ? ` ; ${r.assessment.lastYear.year} : ${score(r.assessment.lastYear.overall)} (évolution ${change(r.assessment.overallChange)})`
              : ""}
          </p>
          <TableFrame>
            <table>
              <caption>Scores d'auto-évaluation par engagement</caption>
              <thead>
                <tr>
                  <th scope="col">Engagement</th>
                  <th scope="col">{`Score ${r.year}`}</th>
                  <th scope="col">{`Score ${r.year - 1}`}</th>
                  <th scope="col">Évolution</th>
                </tr>
              </thead>
              <tbody>
                {r.assessment.commitments.map((c) => (
                  <tr>
                    <td>{c.number === null ? `Local — ${c.title}` : `${c.number} — ${c.title}`}</td>
                    <td>{score(c.score.score)}</td>
                    <td>{score(c.lastYear)}</td>
                    <td>{change(c.change)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableFrame>
        </div>
      ) : r.networkScores.length ? (
        <IndicatorRows indicators={r.networkScores} caption="Scores moyens des auto-évaluations signées" />
      ) : (
        <p>{NO_DATA}</p>
      )}
      {r.charts.assessment ? <BarChartFigure chart={r.charts.assessment} /> : null}

      <h2>Plan d'actions</h2>
      {r.plan.total ? (
        <ul>
          {ACTION_STATUSES.map((s) => (
            <li>{`${ACTION_STATUS_LABELS[s]} : ${r.plan.byStatus[s]}`}</li>
          ))}
          <li>{`Total : ${r.plan.total}`}</li>
        </ul>
      ) : (
        <p>{NO_DATA}</p>
      )}
      {r.charts.plan ? <BarChartFigure chart={r.charts.plan} /> : null}

      <h2>Agents et formations</h2>
      {r.training.total.staff ? (
        <TableFrame>
          <table>
            <caption>{`Part des agents formés par thème (${plural(r.training.total.staff, "agent")} en contact avec le public)`}</caption>
            <thead>
              <tr>
                <th scope="col">Thème</th>
                <th scope="col">Agents formés</th>
                <th scope="col">Part</th>
              </tr>
            </thead>
            <tbody>
              {TRAINING_THEMES.map((t) => (
                <tr>
                  <td>{TRAINING_THEME_LABELS[t]}</td>
                  <td>{formatNumber(r.training.total.trained[t] ?? 0)}</td>
                  <td>{formatValue("share", r.training.total.shares[t])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : (
        <p>{NO_DATA}</p>
      )}
      {r.charts.training ? (
        <div>
          <BarChartFigure chart={r.charts.training} />
          <p class="fr-text--xs">{TRAINING_LEGEND.join(" · ")}</p>
        </div>
      ) : null}

      <h2>{`Actions prévues pour ${r.year + 1}`}</h2>
      {r.nextYear.length ? (
        <TableFrame>
          <table>
            <caption>{`Actions du plan ${r.year + 1} à lancer ou en cours (${r.nextYear.length})`}</caption>
            <thead>
              <tr>
                <th scope="col">N°</th>
                <th scope="col">Action</th>
                <th scope="col">Engagement</th>
                <th scope="col">Responsable</th>
                <th scope="col">Échéance</th>
              </tr>
            </thead>
            <tbody>
              {r.nextYear.map((a) => (
                <tr>
                  <td>{String(a.number)}</td>
                  <td>{a.title}</td>
                  <td>{a.commitmentId ?? "—"}</td>
                  <td>{a.owner ?? "—"}</td>
                  <td>{a.dueOn ? a.dueOn.split("-").reverse().join("/") : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : (
        <p>{NO_DATA}</p>
      )}
      <form method="get" action={`/organisations/${orgId}/review`} class="fr-mt-4w" aria-label="Choisir l'année du bilan">
        <div class="fr-input-group">
          <label class="fr-label" for="year">
            Année du bilan
          </label>
          <input class="fr-input" type="number" id="year" name="year" value={String(r.year)} inputmode="numeric" />
        </div>
        <button class="fr-btn fr-btn--secondary" type="submit">
          Afficher
        </button>
      </form>
    </div>
  );
}
