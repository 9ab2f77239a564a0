import { ErrorSummary, Form, type FormState, SelectField, SubmitButton } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { CHANNEL_LABELS, CHANNELS, type Channel } from "../frameworks/channels.ts";
import { QUESTION_TYPE_LABELS } from "./questionnaire.ts";
import type { Estimate } from "./statistics.ts";
import { formatEstimate } from "./statistics.ts";
import type { QuestionResult, Survey, SurveyResults } from "./surveys.service.ts";
import { SURVEY_KIND_LABELS, type SurveyTemplate } from "./templates.ts";

const isChannel = (c: string | null): c is Channel => (CHANNELS as readonly (string | null)[]).includes(c);
const channelLabel = (c: string | null) => (isChannel(c) ? CHANNEL_LABELS[c] : "Tous canaux");
const percent = (x: number) => `${Math.round(x * 100)}\u00a0%`;
const dateFr = (d: Date) => new Intl.DateTimeFormat("fr-FR", { dateStyle: "short", timeZone: "Europe/Paris" }).format(d);

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
      {`${label} : ${formatEstimate(e, unit)}, sur ${e.n} réponse${e.n > 1 ? "s" : ""}`}
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
                  <td>{m.month}</td>
                  <td>{String(m.answered)}</td>
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

export function ResultsView({ results }: { results: SurveyResults }): SafeHtml {
  const { survey } = results;
  let index = 0;
  return (
    <div>
      <h1>{survey.title}</h1>
      <p>
        {`${results.responses} réponse${results.responses > 1 ? "s" : ""} — ${channelLabel(survey.channel)} — version ${survey.version} — `}
        <a href={publicSurveyPath(survey)}>questionnaire public</a>
      </p>
      <p class="fr-text--sm">
        Intervalles de confiance à 95 % (Wilson pour un taux, Newcombe pour la satisfaction nette). Un résultat est indicatif sous 30
        réponses ou quand sa marge d'erreur dépasse ± 10 points.
      </p>
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
