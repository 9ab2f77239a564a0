import { formatDate, formatNumber, NBSP, plural } from "../../ui/format.ts";
import { raw, type SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { formatPeriod } from "../indicators/period.ts";
import { formatValue } from "../indicators/traffic-light.ts";
import { frenchWeek } from "../opening-hours/opening-hours.service.ts";
import { publicInfoJsonLd } from "./public-info.ts";
import type { PublishedLine, PublishedResults } from "./publication.service.ts";

/** The public results page: light (public stylesheet, no script), read from published figures only. */

export function frenchDay(iso: string): string {
  return formatDate(iso, { weekday: true });
}

function sampleText(f: PublishedLine, sampleLabel: string): string {
  return `sur ${formatNumber(f.sample)}${NBSP}${sampleLabel}`;
}

function Headline({ results }: { results: PublishedResults }): SafeHtml {
  return (
    <ul class="vigie-figures">
      {results.headline.map((h) => (
        <li class="vigie-figure">
          <p class="vigie-figure__label">{h.label}</p>
          {h.figure && h.figure.value !== null ? (
            [
              <p class="vigie-figure__value">{formatValue(h.figure.value, h.unit)}</p>,
              <p class="fr-text--sm fr-mb-0">
                {sampleText(h.figure, h.sampleLabel)}
                {h.figure.previous !== null && results.previousPeriod
                  ? ` — ${formatValue(h.figure.previous, h.unit)} en ${results.previousPeriod.from.slice(0, 4)}`
                  : ""}
              </p>,
            ]
          ) : (
            <p class="vigie-figure__value vigie-figure__value--none">Pas encore de donnée</p>
          )}
        </li>
      ))}
    </ul>
  );
}

function FigureList({ figures }: { figures: PublishedLine[] }): SafeHtml {
  return (
    <ul>
      {figures.map((f) => (
        <li>
          {`${f.label}\u00a0: `}
          <strong>{formatValue(f.value, f.unit)}</strong>
          {f.unit === "count" ? "" : ` (${plural(f.sample, "observation")})`}
          {f.target !== null && f.unit !== "count" ? ` — objectif ${formatValue(f.target, f.unit)}` : ""}
        </li>
      ))}
    </ul>
  );
}

function Hours({ results }: { results: PublishedResults }): SafeHtml {
  const { info } = results;
  return (
    <section aria-labelledby="hours-title" class="fr-mb-4w">
      <h2 id="hours-title">Horaires d'ouverture</h2>
      {info.upcoming ? (
        <div class="fr-callout fr-mb-2w">
          <p class="fr-callout__title">{`Nouveaux horaires à partir du ${frenchDay(info.upcoming.validFrom)}`}</p>
          <p class="fr-callout__text">{info.upcoming.hours}</p>
        </div>
      ) : null}
      {info.lastChange ? <p>{`Horaires en vigueur depuis le ${frenchDay(info.lastChange.validFrom)}.`}</p> : null}
      {info.week ? (
        <ul class="vigie-hours">
          {frenchWeek(info.week).map((d) => (
            <li>
              <strong>{d.day}</strong>&nbsp;: {d.text}
            </li>
          ))}
        </ul>
      ) : (
        <p>Les horaires ne sont pas encore publiés.</p>
      )}
      {info.current?.note ? <p class="fr-text--sm">{info.current.note}</p> : null}
      {results.closures.length ? (
        <>
          <h3 class="fr-h6">Fermetures exceptionnelles</h3>
          <ul>
            {results.closures.map((c) => (
              <li>{`${frenchDay(c.day)} — ${c.label}`}</li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function Access({ results }: { results: PublishedResults }): SafeHtml {
  const { info } = results.info;
  const { address } = results.org;
  const addressText = [address.street, [address.postcode, address.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
  return (
    <section aria-labelledby="access-title" class="fr-mb-4w">
      <h2 id="access-title">Nous trouver, nous joindre</h2>
      <ul>
        {addressText ? <li>{`Adresse\u00a0: ${addressText}`}</li> : null}
        {info.phone ? (
          <li>
            Téléphone : <a href={`tel:${info.phone.replace(/[^0-9+]/g, "")}`}>{info.phone}</a>
          </li>
        ) : null}
        {info.email ? (
          <li>
            Courriel : <a href={`mailto:${info.email}`}>{info.email}</a>
          </li>
        ) : null}
        {info.website ? (
          <li>
            Site internet : <a href={info.website}>{info.website}</a>
          </li>
        ) : null}
        <li>
          {"Réclamation ou suggestion\u00a0: "}
          <a href={`/public/organisations/${results.org.id}/complaint`}>écrivez-nous en ligne</a>
        </li>
        <li>
          <a href={`/public/organisations/${results.org.id}/donnees-personnelles`}>Vos données personnelles</a>
        </li>
      </ul>
      <h3 class="fr-h6">Accessibilité des locaux</h3>
      <p>
        {info.stepFree === true ? "Locaux accessibles aux personnes en fauteuil roulant. " : ""}
        {info.stepFree === false ? "Locaux non accessibles aux personnes en fauteuil roulant. " : ""}
        {info.accessibility ?? (info.stepFree === null ? "Information non renseignée." : "")}
      </p>
    </section>
  );
}

export function PublicResultsView({ results, baseUrl }: { results: PublishedResults; baseUrl: string }): SafeHtml {
  const { org } = results;
  const base = `/public/organisations/${org.id}`;
  return (
    <div>
      <script type="application/ld+json">{raw(JSON.stringify(publicInfoJsonLd(results, baseUrl)).replace(/</g, "\\u003c"))}</script>
      <h1>{`Nos résultats de qualité de service — ${org.name}`}</h1>
      {results.period && results.computedAt ? (
        <p>
          {`Résultats ${formatPeriod(results.period)}, calculés le ${frenchDay(results.computedAt.toISOString().slice(0, 10))}.`}
          {results.framework ? ` Référentiel suivi\u00a0: ${results.framework.name}.` : ""}
        </p>
      ) : (
        <p>Les premiers résultats seront publiés prochainement.</p>
      )}
      <section aria-labelledby="sp-title" class="fr-mb-4w">
        <h2 id="sp-title">Les indicateurs Services Publics+</h2>
        <Headline results={results} />
      </section>
      {results.byCommitment.length ? (
        <section aria-labelledby="commitments-title" class="fr-mb-4w">
          <h2 id="commitments-title">Nos engagements et nos résultats</h2>
          {results.byCommitment.map((g) => (
            <>
              <h3 class="fr-h6">{g.number !== null ? `Engagement ${g.number} — ${g.title}` : g.title}</h3>
              <FigureList figures={g.figures} />
            </>
          ))}
        </section>
      ) : null}
      {results.actions.length ? (
        <section aria-labelledby="actions-title" class="fr-mb-4w">
          <h2 id="actions-title">Nos actions en cours</h2>
          <ul>
            {results.actions.map((a) => (
              <li>
                {a.title}
                {a.status === "done" ? " (réalisée)" : a.dueOn ? ` (prévue pour le ${frenchDay(a.dueOn)})` : ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {results.comments.length ? (
        <section aria-labelledby="comments-title" class="fr-mb-4w">
          <h2 id="comments-title">Ce que vous nous avez dit</h2>
          <ul>
            {results.comments.map((c) => (
              <li>{`« ${c.text} » (${frenchDay(c.on)})`}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <Hours results={results} />
      <Access results={results} />
      {results.children.length ? (
        <section aria-labelledby="children-title" class="fr-mb-4w">
          <h2 id="children-title">Les résultats de chaque structure</h2>
          <ul>
            {results.children.map((c) => (
              <li>
                <a href={`/public/organisations/${c.id}/results`}>{c.name}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="download-title" class="fr-mb-4w">
        <h2 id="download-title">Télécharger, réutiliser</h2>
        <ul>
          <li>
            <a href={`${base}/poster.pdf`}>Affiche à imprimer (PDF, A4)</a>
          </li>
          <li>
            <a href={`${base}/results.csv`}>Données ouvertes (CSV)</a>
          </li>
          <li>
            <a href={`/api/v1/public/organisations/${org.id}/published-figures`}>Données ouvertes (JSON)</a>
          </li>
        </ul>
        <p class="fr-text--sm">Pour afficher ces résultats sur votre site, insérez ce code&nbsp;:</p>
        <pre class="vigie-pre">{`<iframe src="${baseUrl}${base}/widget" title="Résultats de qualité de service — ${org.name}" width="320" height="360"></iframe>`}</pre>
      </section>
    </div>
  );
}
