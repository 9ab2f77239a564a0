import { INSTANCE_TIME_ZONE } from "../../kernel/time.ts";
import { BarChartFigure } from "../../ui/charts.tsx";
import { civilDateIn, formatDateShort, formatMonth, formatNumber, formatPercent, NBSP, plural } from "../../ui/format.ts";
import { ErrorSummary, Form, type FormState, PeriodFields, SelectField, SubmitButton } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { CHANNEL_LABELS, CHANNELS, type Channel } from "../frameworks/channels.ts";
import { QUESTION_TYPE_LABELS } from "./questionnaire.ts";
import type { Difference, Estimate } from "./statistics.ts";
import { formatEstimate } from "./statistics.ts";
import type { GroupResult, QuestionResult, Survey, SurveyResults } from "./surveys.service.ts";
import { SURVEY_KIND_LABELS, type SurveyTemplate } from "./templates.ts";

const isChannel = (c: string | null): c is Channel => (CHANNELS as readonly (string | null)[]).includes(c);
const channelLabel = (c: string | null) => (isChannel(c) ? CHANNEL_LABELS[c] : "Tous canaux");
const percent = (x: number) => formatPercent(x);
const dateFr = (d: Date) => formatDateShort(civilDateIn(d, INSTANCE_TIME_ZONE));

export const publicSurveyPath = (s: Pick<Survey, "orgId" | "id">) => `/s/${s.orgId}/${s.id}`;

export function SurveyList({
  orgId,
  orgName,
  surveys,
  templates,
  canManage,
  form,
  csrf,
}: {
  orgId: string;
  orgName: string;
  surveys: Survey[];
  templates: SurveyTemplate[];
  canManage: boolean;
  form: FormState;
  csrf: string;
}): SafeHtml {
  return (
    <div>
      <h1>{`Enquêtes de satisfaction — ${orgName}`}</h1>
      {surveys.length === 0 ? (
        <p>Aucune enquête pour l'instant.</p>
      ) : (
        <TableFrame>
          <table>
            <caption>Enquêtes de l'organisation</caption>
            <thead>
              <tr>
                <th scope="col">Questionnaire</th>
                <th scope="col">Modèle</th>
                <th scope="col">Canal</th>
                <th scope="col">État</th>
                <th scope="col">Réponses</th>
                <th scope="col">Créée le</th>
                <th scope="col">Lien public</th>
              </tr>
            </thead>
            <tbody>
              {surveys.map((s) => (
                <tr>
                  <td>
                    <a href={`/organisations/${orgId}/surveys/${s.id}`}>{s.title}</a>
                  </td>
                  <td>{templates.find((t) => t.id === s.template)?.name ?? s.template}</td>
                  <td>{channelLabel(s.channel)}</td>
                  <td>{s.status === "open" ? "Ouverte" : "Terminée"}</td>
                  <td>{String(s.responses)}</td>
                  <td>{dateFr(s.createdAt)}</td>
                  <td>
                    <a href={publicSurveyPath(s)}>{publicSurveyPath(s)}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      {canManage ? (
        <section class="fr-mt-4w">
          <h2>Créer une enquête à partir d'un modèle</h2>
          <ErrorSummary form={form} />
          <Form action={`/organisations/${orgId}/surveys`} csrf={csrf} label="Créer une enquête">
            <SelectField
              name="template"
              label="Modèle"
              required
              form={form}
              placeholder="Choisissez un modèle"
              options={templates.map((t) => ({ value: t.id, label: `${t.name} (${SURVEY_KIND_LABELS[t.kind]})` }))}
            />
            <SelectField
              name="channel"
              label="Canal"
              hint="Le canal sur lequel le questionnaire est proposé ; laissez vide pour une enquête tous canaux."
              form={form}
              placeholder="Tous canaux"
              options={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))}
            />
            <SubmitButton label="Créer l'enquête" />
          </Form>
        </section>
      ) : null}
    </div>
  );
}

function EstimateLine({ label, e, unit }: { label: string; e: Estimate | null; unit: "percent" | "points" }): SafeHtml | null {
  if (!e) return null;
  return (
    <li>
      {`${label}${NBSP}: ${formatEstimate(e, unit)}, sur ${plural(e.n, "réponse")}`}
      {e.warning ? <p class="fr-badge fr-badge--warning fr-badge--sm fr-ml-1w">{e.warning.message}</p> : null}
    </li>
  );
}

function QuestionBlock({ r, index }: { r: QuestionResult; index: number }): SafeHtml {
  const { question, summary } = r;
  return (
    <section class="fr-mb-6w" id={`q-${question.id}`}>
      <h3 class="fr-h5">{`${index}. ${question.label}`}</h3>
      <p class="fr-text--sm">{`${QUESTION_TYPE_LABELS[question.type]} — ${summary.answered} réponse${summary.answered > 1 ? "s" : ""}`}</p>
      {r.opinion ? (
        <ul>
          <EstimateLine label="Taux de satisfaction" e={summary.satisfaction} unit="percent" />
          <EstimateLine label="Satisfaction nette" e={summary.net} unit="points" />
          <EstimateLine label="Part des notes de 8 ou plus" e={summary.ratedAtLeast8} unit="percent" />
        </ul>
      ) : null}
      {summary.distribution.length ? (
        <TableFrame>
          <table>
            <caption>{`Répartition des réponses — ${question.label}`}</caption>
            <thead>
              <tr>
                <th scope="col">Réponse</th>
                <th scope="col">Nombre</th>
                <th scope="col">Part</th>
              </tr>
            </thead>
            <tbody>
              {summary.distribution.map((d) => (
                <tr>
                  <td>{d.label}</td>
                  <td>{String(d.count)}</td>
                  <td>{percent(d.share)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : null}
      {r.months.length ? (
        <TableFrame>
          <table>
            <caption>{`Par mois — ${question.label}`}</caption>
            <thead>
              <tr>
                <th scope="col">Mois</th>
                <th scope="col">Réponses</th>
                <th scope="col">Taux de satisfaction</th>
                <th scope="col">Satisfaction nette</th>
              </tr>
            </thead>
            <tbody>
              {r.months.map((m) => (
                <tr>
                  <td>{formatMonth(m.month)}</td>
                  <td>{formatNumber(m.answered)}</td>
                  <td>{m.satisfaction ? formatEstimate(m.satisfaction, "percent") : "—"}</td>
                  <td>{m.net ? formatEstimate(m.net, "points") : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : null}
    </section>
  );
}

/** The tabs of one survey's staff pages. */
export function SurveyTabs({ orgId, surveyId, current }: { orgId: string; surveyId: string; current: string }): SafeHtml {
  const base = `/organisations/${orgId}/surveys/${surveyId}`;
  const tabs = [
    { href: base, label: "Résultats" },
    { href: `${base}/diffusion`, label: "Diffusion" },
    { href: `${base}/questionnaire`, label: "Questionnaire" },
    { href: `${base}/commentaires`, label: "Commentaires" },
  ];
  return (
    <nav class="fr-mb-4w" aria-label="Pages de l'enquête">
      <ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
        {tabs.map((t) => (
          <li>
            <a
              class={`fr-btn fr-btn--sm${t.href === current ? "" : " fr-btn--tertiary"}`}
              href={t.href}
              aria-current={t.href === current ? "page" : undefined}
            >
              {t.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function FilterForm({ results, action }: { results: SurveyResults; action: string }): SafeHtml {
  const f = results.filter;
  return (
    <form method="get" action={action} class="fr-mb-4w" aria-label="Filtrer les résultats">
      <PeriodFields from={f.from} to={f.to}>
        <div class="fr-col-6 fr-col-md-3">
          <div class="fr-select-group">
            <label class="fr-label" for="site">
              Site
            </label>
            <select class="fr-select" id="site" name="site">
              <option value="">Tous les sites</option>
              {results.sites.map((s) => (
                <option value={s.id} selected={f.site === s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div class="fr-col-6 fr-col-md-3">
          <div class="fr-select-group">
            <label class="fr-label" for="channel">
              Canal
            </label>
            <select class="fr-select" id="channel" name="channel">
              <option value="">Tous canaux</option>
              {CHANNELS.map((c) => (
                <option value={c} selected={f.channel === c}>
                  {CHANNEL_LABELS[c]}
                </option>
              ))}
            </select>
          </div>
        </div>
      </PeriodFields>
    </form>
  );
}

function CompareTable({ caption, groups, head }: { caption: string; groups: GroupResult[]; head: string }): SafeHtml | null {
  if (groups.length < 2) return null;
  return (
    <TableFrame>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{head}</th>
            <th scope="col">Réponses</th>
            <th scope="col">Taux de satisfaction</th>
            <th scope="col">Satisfaction nette</th>
            <th scope="col">Écart avec les autres</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr>
              <th scope="row">{g.label}</th>
              <td>{String(g.summary.answered)}</td>
              <td>{g.summary.satisfaction ? formatEstimate(g.summary.satisfaction, "percent") : "—"}</td>
              <td>{g.summary.net ? formatEstimate(g.summary.net, "points") : "—"}</td>
              <td>{g.difference ? differenceText(g.difference) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

function differenceText(d: Difference): string {
  const points = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(Math.round(x * 100))}`;
  const verdict = d.warning ? "indicatif" : d.significant ? "significatif" : "non significatif";
  return `${points(d.value)} points [${points(d.low)} ; ${points(d.high)}], ${verdict}`;
}

function TrendChart({ q }: { q: QuestionResult }): SafeHtml | null {
  if (q.months.length < 2) return null;
  return (
    <BarChartFigure
      chart={{
        title: `Taux de satisfaction par mois — ${q.question.label}`,
        categories: q.months.map((m) => m.month),
        series: [
          { name: "Taux de satisfaction", values: q.months.map((m) => (m.satisfaction ? Math.round(m.satisfaction.value * 100) : null)) },
        ],
        max: 100,
        unit: "%",
      }}
    />
  );
}

export function ResultsView({ results, orgId }: { results: SurveyResults; orgId: string }): SafeHtml {
  const { survey } = results;
  const base = `/organisations/${orgId}/surveys/${survey.id}`;
  const query = new URLSearchParams(
    Object.entries(results.filter).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""),
  );
  const headline = results.questions.find((q) => q.question.id === results.headline?.id);
  let index = 0;
  return (
    <div>
      <h1>{survey.title}</h1>
      <SurveyTabs orgId={orgId} surveyId={survey.id} current={base} />
      <p>
        {`${results.responses} réponse${results.responses > 1 ? "s" : ""} du ${dateIso(results.filter.from)} au ${dateIso(results.filter.to)} — ${channelLabel(survey.channel)} — version ${survey.version} — `}
        <a href={publicSurveyPath(survey)}>questionnaire public</a>
      </p>
      {results.invitations.sent > 0 ? (
        <p class="fr-text--sm">{`Invitations envoyées avec les réponses aux demandes : ${results.invitations.sent}, dont ${results.invitations.used} ${results.invitations.used > 1 ? "ont" : "a"} servi.`}</p>
      ) : null}
      <FilterForm results={results} action={base} />
      <ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm fr-mb-2w">
        <li>
          <a class="fr-btn fr-btn--sm fr-btn--secondary" href={`${base}/export.csv`} download>
            Réponses (CSV)
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--sm fr-btn--secondary" href={`${base}/export.xlsx?${query}`} download>
            Réponses et résultats (XLSX)
          </a>
        </li>
      </ul>
      <p class="fr-text--sm">
        Intervalles de confiance à 95 % (Wilson pour un taux, Newcombe pour la satisfaction nette et les écarts). Un résultat est indicatif
        sous 30 réponses ou quand sa marge d'erreur dépasse ± 10 points.
      </p>
      {headline ? (
        <section class="fr-mb-6w">
          <h2 class="fr-h4">{`Satisfaction globale — ${headline.question.label}`}</h2>
          <ul>
            <EstimateLine label="Taux de satisfaction" e={headline.summary.satisfaction} unit="percent" />
            <EstimateLine label="Satisfaction nette" e={headline.summary.net} unit="points" />
          </ul>
          <TrendChart q={headline} />
          <CompareTable caption="Comparaison entre canaux (question principale)" head="Canal" groups={results.byChannel} />
          <CompareTable caption="Comparaison entre sites (question principale)" head="Site" groups={results.bySite} />
        </section>
      ) : null}
      {survey.questionnaire.sections.map((section) => (
        <section>
          {section.title ? <h2 class="fr-h4">{section.title}</h2> : null}
          {results.questions
            .filter((q) => section.questions.includes(q.question))
            .map((q) => {
              index++;
              return <QuestionBlock r={q} index={index} />;
            })}
        </section>
      ))}
    </div>
  );
}

const dateIso = (d: string) => d.split("-").reverse().join("/");
