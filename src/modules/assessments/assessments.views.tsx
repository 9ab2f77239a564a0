import { BarChartFigure } from "../../ui/charts.tsx";
import { formatDateOf, formatNumber, NBSP } from "../../ui/format.ts";
import { CsrfField, ErrorSummary, type FormState, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { KeysetPager, SiteFilterForm } from "../../ui/lists.tsx";
import { TableFrame } from "../../ui/table.tsx";
import type { IndicatorValue } from "../indicators/indicator.ts";
import { formatValue, meetsTarget, targetLabel } from "../indicators/indicator-format.ts";
import type { Campaign, CampaignCommitment, CampaignDetails, EvidenceRow, ListedCampaign } from "./assessments.service.ts";
import { MAX_EVIDENCE_BYTES } from "./assessments.service.ts";
import { ITEM_STATUS_LABELS, ITEM_STATUSES } from "./score.ts";

/** « sp+2021/1, sp+2021/4 » → « selon l’ancien référentiel, engagements n° 1 et 4 (sp+2021) ». */
const previousLabel = (ids: string[]) => {
  const numbers = ids.map((id) => id.split("/")[1] ?? id);
  const list = numbers.length > 1 ? `${numbers.slice(0, -1).join(", ")} et ${numbers.at(-1)}` : numbers[0];
  return `selon l’ancien référentiel, engagement${numbers.length > 1 ? "s" : ""} n°${NBSP}${list} (${ids[0]?.split("/")[0]})`;
};
const score = (s: number | null | undefined) => (s === null || s === undefined ? "—" : `${formatNumber(s, 1)}${NBSP}/${NBSP}100`);
const change = (c: number | null) => (c === null ? "—" : `${c > 0 ? "+" : ""}${formatNumber(c, 1)}${NBSP}pts`);
const base = (orgId: string) => `/organisations/${orgId}/assessments`;

export function commitmentLabel(c: { number: number | null; title: string }): string {
  return c.number === null ? `Engagement local — ${c.title}` : `Engagement ${c.number} — ${c.title}`;
}

export function CampaignList(props: {
  orgId: string;
  orgName: string;
  /** The campaigns of the node and of every site below it, a page of them. */
  campaigns: ListedCampaign[];
  total: number;
  next: string | undefined;
  site: string | undefined;
  after: string | undefined;
  canManage: boolean;
  form: FormState;
  csrf: string;
}): SafeHtml {
  return (
    <div>
      <h1>Auto-évaluations — {props.orgName}</h1>
      <p>
        Chaque année, le service vérifie le respect des exigences de son référentiel et de ses engagements locaux. Une campagne signée par
        le référent est verrouillée : elle reste consultable et exportable.
      </p>
      <SiteFilterForm action={base(props.orgId)} label="Filtrer les campagnes par site" site={props.site} />
      {props.campaigns.length ? (
        <TableFrame>
          <table>
            <caption>{`Campagnes d'auto-évaluation, du site et de ce qui lui est rattaché : ${props.total}`}</caption>
            <thead>
              <tr>
                <th scope="col">Année</th>
                <th scope="col">Site</th>
                <th scope="col">Référentiel</th>
                <th scope="col">Statut</th>
                <th scope="col">Score global</th>
              </tr>
            </thead>
            <tbody>
              {props.campaigns.map((c) => (
                <tr>
                  <td>
                    <a href={`${base(c.orgId)}/${c.id}`}>{`Auto-évaluation ${c.year}`}</a>
                  </td>
                  <td>
                    <a href={base(c.orgId)}>{c.orgName}</a>
                  </td>
                  <td>{c.frameworkId ?? "Engagements locaux"}</td>
                  <td>
                    {c.signed ? (
                      <p class="fr-badge fr-badge--success fr-badge--sm">Signée</p>
                    ) : (
                      <p class="fr-badge fr-badge--info fr-badge--sm">En cours</p>
                    )}
                  </td>
                  <td>{score(c.overallScore)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : (
        <p>{props.site ? "Aucune campagne sur les sites de ce nom." : "Aucune campagne pour l'instant."}</p>
      )}
      <KeysetPager
        label="Pages de la liste des campagnes"
        first={props.after ? `${base(props.orgId)}?${new URLSearchParams(props.site ? { site: props.site } : {})}` : null}
        next={
          props.next
            ? `${base(props.orgId)}?${new URLSearchParams({ ...(props.site ? { site: props.site } : {}), after: props.next })}`
            : null
        }
      />
      {props.canManage ? (
        <form method="post" action={base(props.orgId)} novalidate aria-label="Ouvrir une campagne">
          <CsrfField token={props.csrf} />
          <h2 class="fr-h4">Ouvrir une campagne</h2>
          <ErrorSummary form={props.form} labels={{ year: "Année" }} />
          <TextField name="year" label="Année évaluée" type="number" inputmode="numeric" form={props.form} required />
          <button class="fr-btn" type="submit">
            Ouvrir la campagne
          </button>
        </form>
      ) : null}
    </div>
  );
}

export function CampaignOverview(props: { orgId: string; details: CampaignDetails; canManage: boolean; form: FormState; csrf: string }) {
  const d = props.details;
  const c = d.campaign;
  const url = `${base(props.orgId)}/${c.id}`;
  const last = d.lastYear;
  return (
    <div>
      <h1>Auto-évaluation {c.year}</h1>
      {c.signed ? (
        <div class="fr-alert fr-alert--success fr-mb-3w">
          <h2 class="fr-alert__title">Campagne signée</h2>
          <p>
            Signée par {c.signedByLabel ?? "—"} le {c.signedAt ? formatDateOf(c.signedAt) : "—"} : elle ne peut plus être modifiée.
          </p>
        </div>
      ) : null}
      <ErrorSummary form={props.form} />
      <ul>
        <li>Exigences renseignées : {`${d.answered} sur ${d.total}`}</li>
        <li>Score global : {score(d.overall)}</li>
        <li>
          {last
            ? `Score global ${last.year} : ${score(last.overall)} (évolution : ${change(d.overallChange)})`
            : "Pas de campagne l'année précédente."}
        </li>
      </ul>
      <BarChartFigure
        chart={{
          title: `Score par engagement, ${c.year}${last ? ` et ${last.year}` : ""}`,
          categories: d.commitments.map((x) => (x.number === null ? `L${x.index}` : String(x.number))),
          series: [
            { name: String(c.year), values: d.commitments.map((x) => x.score.score) },
            ...(last ? [{ name: String(last.year), values: d.commitments.map((x) => x.lastYear), color: "#929292" }] : []),
          ],
          max: 100,
        }}
      />
      <TableFrame>
        <table>
          <caption>Scores par engagement</caption>
          <thead>
            <tr>
              <th scope="col">Engagement</th>
              <th scope="col">Renseignées</th>
              <th scope="col">Score {c.year}</th>
              <th scope="col">Score {c.year - 1}</th>
              <th scope="col">Évolution</th>
            </tr>
          </thead>
          <tbody>
            {d.commitments.map((x) => (
              <tr>
                <td>
                  <a href={`${url}/commitments/${x.index}`}>{commitmentLabel(x)}</a>
                </td>
                <td>{`${x.score.answered} / ${x.score.total}`}</td>
                <td>{score(x.score.score)}</td>
                <td>
                  {score(x.lastYear)}
                  {x.lastYearFrom ? <span class="fr-hint-text">{previousLabel(x.lastYearFrom)}</span> : null}
                </td>
                <td>{change(x.change)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
      <ul class="fr-btns-group fr-btns-group--inline-md">
        <li>
          <a class="fr-btn fr-btn--secondary" href={`${url}/export.xlsx`}>
            Exporter (Excel)
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${props.orgId}/actions/suggestions?assessment=${c.id}`}>
            Construire le plan d'actions
          </a>
        </li>
      </ul>
      {props.canManage && !c.signed ? (
        <form method="post" action={`${url}/sign`} novalidate aria-label="Signer la campagne">
          <CsrfField token={props.csrf} />
          <input type="hidden" name="version" value={String(c.version)} />
          <h2 class="fr-h4">Signer la campagne</h2>
          <p>Une fois signée, la campagne est verrouillée : plus aucune réponse ni pièce ne peut être modifiée.</p>
          <button class="fr-btn" type="submit">
            Signer et verrouiller
          </button>
        </form>
      ) : null}
    </div>
  );
}

function IndicatorTable({ indicators }: { indicators: IndicatorValue[] }): SafeHtml {
  if (!indicators.length) return <p>Vigie n'a pas encore d'indicateur pour cet engagement.</p>;
  return (
    <TableFrame>
      <table>
        <caption>Indicateurs de l'engagement</caption>
        <thead>
          <tr>
            <th scope="col">Indicateur</th>
            <th scope="col">Valeur</th>
            <th scope="col">Cible</th>
            <th scope="col">Effectif</th>
          </tr>
        </thead>
        <tbody>
          {indicators.map((i) => {
            const ok = meetsTarget(i);
            return (
              <tr>
                <td>{i.label}</td>
                <td>
                  {formatValue(i.unit, i.value)}
                  {ok === null ? null : ok ? " (cible tenue)" : " (cible non tenue)"}
                </td>
                <td>{targetLabel(i)}</td>
                <td>{formatNumber(i.sample)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableFrame>
  );
}

const sizeLabel = (n: number) => (n < 1024 * 1024 ? `${Math.ceil(n / 1024)} Ko` : `${(n / 1024 / 1024).toFixed(1)} Mo`);

export function CommitmentPage(props: {
  orgId: string;
  campaign: Campaign;
  commitment: CampaignCommitment;
  count: number;
  indicators: IndicatorValue[];
  evidence: EvidenceRow[];
  canManage: boolean;
  form: FormState;
  uploadError?: string | undefined;
  csrf: string;
}): SafeHtml {
  const { campaign, commitment: x } = props;
  const url = `${base(props.orgId)}/${campaign.id}`;
  const editable = props.canManage && !campaign.signed;
  const v = props.form.values;
  return (
    <div>
      <h1>{commitmentLabel(x)}</h1>
      <p>
        Auto-évaluation {campaign.year} — score : {score(x.score.score)}
        {x.lastYear !== null
          ? ` (${campaign.year - 1} : ${score(x.lastYear)}, évolution ${change(x.change)}${x.lastYearFrom ? ` ; ${previousLabel(x.lastYearFrom)}` : ""})`
          : ""}
      </p>
      <h2 class="fr-h4">Ce que Vigie mesure déjà</h2>
      <IndicatorTable indicators={props.indicators} />
      <h2 class="fr-h4">Exigences</h2>
      <ErrorSummary form={props.form} />
      <form method="post" action={`${url}/commitments/${x.index}`} novalidate aria-label="Réponses aux exigences">
        <CsrfField token={props.csrf} />
        <input type="hidden" name="index" value={String(x.index)} />
        {x.items.map((item, n) => {
          const r = `r${n + 1}`;
          const statusValue = v[`${r}-status`] ?? item.status ?? "";
          const statusError = props.form.errors[`${r}-status`];
          return (
            <section class="fr-mb-4w" aria-labelledby={`${r}-title`}>
              <h3 class="fr-h6" id={`${r}-title`}>
                {`Exigence ${item.requirementId.replace(/^local:.*/, "locale")}`}
              </h3>
              <p>{item.requirementText}</p>
              <input type="hidden" name={`${r}-id`} value={item.requirementId} />
              <input type="hidden" name={`${r}-version`} value={v[`${r}-version`] ?? String(item.version)} />
              <fieldset
                class={`fr-fieldset${statusError ? " fr-fieldset--error" : ""}`}
                id={`${r}-status`}
                aria-labelledby={`${r}-status-legend`}
                disabled={!editable}
              >
                <legend class="fr-fieldset__legend" id={`${r}-status-legend`}>
                  Cette exigence est-elle respectée ?
                </legend>
                {ITEM_STATUSES.map((s) => (
                  <div class="fr-fieldset__element fr-fieldset__element--inline">
                    <div class="fr-radio-group">
                      <input type="radio" id={`${r}-status-${s}`} name={`${r}-status`} value={s} checked={statusValue === s} />
                      <label class="fr-label" for={`${r}-status-${s}`}>
                        {ITEM_STATUS_LABELS[s]}
                      </label>
                    </div>
                  </div>
                ))}
                {statusError ? <p class="fr-message fr-message--error fr-ml-2w">{statusError}</p> : null}
              </fieldset>
              <div class="fr-input-group">
                <label class="fr-label" for={`${r}-comment`}>
                  Commentaire
                </label>
                <textarea class="fr-input" id={`${r}-comment`} name={`${r}-comment`} rows={3} maxlength={5000} disabled={!editable}>
                  {v[`${r}-comment`] ?? item.comment ?? ""}
                </textarea>
              </div>
              <div class={`fr-input-group${props.form.errors[`${r}-links`] ? " fr-input-group--error" : ""}`}>
                <label class="fr-label" for={`${r}-links`}>
                  Liens vers des preuves
                  <span class="fr-hint-text">Un lien par ligne, commençant par https://</span>
                </label>
                <textarea
                  class="fr-input"
                  id={`${r}-links`}
                  name={`${r}-links`}
                  rows={2}
                  disabled={!editable}
                  aria-describedby={`${r}-links-messages`}
                >
                  {v[`${r}-links`] ?? item.links.join("\n")}
                </textarea>
                <div class="fr-messages-group" id={`${r}-links-messages`} aria-live="polite">
                  {props.form.errors[`${r}-links`] ? <p class="fr-message fr-message--error">{props.form.errors[`${r}-links`]}</p> : null}
                </div>
              </div>
              {item.links.length ? (
                <ul>
                  {item.links.map((l) => (
                    <li>
                      <a href={l} rel="noopener noreferrer">
                        {l}
                      </a>
                    </li>
                  ))}
                </ul>
              ) : null}
              <EvidenceList
                files={props.evidence.filter((e) => e.requirementId === item.requirementId)}
                url={url}
                csrf={props.csrf}
                editable={editable}
              />
            </section>
          );
        })}
        {editable ? (
          <button class="fr-btn" type="submit">
            Enregistrer les réponses
          </button>
        ) : null}
      </form>
      {editable ? <UploadForm url={url} items={x.items} error={props.uploadError} csrf={props.csrf} index={x.index} /> : null}
      <nav class="fr-mt-4w" aria-label="Engagements de la campagne">
        <ul class="fr-btns-group fr-btns-group--inline-md">
          {x.index > 1 ? (
            <li>
              <a class="fr-btn fr-btn--secondary" href={`${url}/commitments/${x.index - 1}`}>
                Engagement précédent
              </a>
            </li>
          ) : null}
          <li>
            <a class="fr-btn fr-btn--secondary" href={url}>
              Retour à la campagne
            </a>
          </li>
          {x.index < props.count ? (
            <li>
              <a class="fr-btn fr-btn--secondary" href={`${url}/commitments/${x.index + 1}`}>
                Engagement suivant
              </a>
            </li>
          ) : null}
        </ul>
      </nav>
    </div>
  );
}

function EvidenceList(props: { files: EvidenceRow[]; url: string; csrf: string; editable: boolean }): SafeHtml | null {
  if (!props.files.length) return null;
  return (
    <ul aria-label="Pièces jointes">
      {props.files.map((f) => (
        <li>
          <a href={`${props.url}/evidence/${f.id}`} download={f.fileName}>{`${f.fileName} (${sizeLabel(f.size)})`}</a>
          {props.editable ? (
            <button
              class="fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-ml-1w"
              type="submit"
              formaction={`${props.url}/evidence/${f.id}/delete`}
              aria-label={`Retirer ${f.fileName}`}
            >
              Retirer
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function UploadForm(props: {
  url: string;
  items: CampaignCommitment["items"];
  error: string | undefined;
  csrf: string;
  index: number;
}): SafeHtml {
  return (
    <form method="post" action={`${props.url}/evidence`} enctype="multipart/form-data" novalidate aria-label="Joindre une pièce">
      <CsrfField token={props.csrf} />
      <input type="hidden" name="index" value={String(props.index)} />
      <h2 class="fr-h4 fr-mt-4w">Joindre une pièce justificative</h2>
      <div class="fr-select-group">
        <label class="fr-label" for="requirementId">
          Exigence concernée
        </label>
        <select class="fr-select" id="requirementId" name="requirementId">
          {props.items.map((i) => (
            <option
              value={i.requirementId}
            >{`${i.requirementId.replace(/^local:.*/, "Exigence locale")} — ${i.requirementText.slice(0, 80)}`}</option>
          ))}
        </select>
      </div>
      <div class={`fr-upload-group fr-mb-3w${props.error ? " fr-input-group--error" : ""}`}>
        <label class="fr-label" for="file">
          Fichier
          <span class="fr-hint-text">{`PDF, image, texte ou bureautique. Taille maximale : ${MAX_EVIDENCE_BYTES / 1024 / 1024} Mo.`}</span>
        </label>
        <input
          class="fr-upload"
          type="file"
          id="file"
          name="file"
          aria-describedby="file-messages"
          aria-invalid={props.error ? "true" : undefined}
        />
        <div class="fr-messages-group" id="file-messages" aria-live="polite">
          {props.error ? <p class="fr-message fr-message--error">{props.error}</p> : null}
        </div>
      </div>
      <button class="fr-btn fr-btn--secondary" type="submit">
        Joindre
      </button>
    </form>
  );
}
