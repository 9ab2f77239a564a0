import { Checkbox, ErrorSummary, Form, type FormState, SubmitButton, TextArea, TextField } from "../../ui/forms.tsx";
import { raw, type SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { CHANNEL_LABELS, type Channel } from "../frameworks/channels.ts";
import { allQuestions, choicesOf, QUESTION_TYPE_LABELS, QUESTION_TYPES, type Question, type Questionnaire } from "./questionnaire.ts";
import type { CommentRow } from "./surveys.repository.ts";
import type { Survey } from "./surveys.service.ts";
import { COMMENT_THEMES } from "./surveys.service.ts";
import { SurveyTabs } from "./surveys.views.tsx";
import type { VersionDecision } from "./versioning.ts";

/** Staff pages around one survey: distribution (links, QR codes, poster, kiosk, invitations), the editor, comments. */

export interface DistributionLink {
  siteId: string;
  siteName: string;
  channel: Channel | null;
  url: string;
  /** Drawn for the survey's own organisation; the sites below get a table of links. */
  qrSvg?: string | undefined;
  query: string;
}

export function DistributionView(props: {
  survey: Survey;
  orgId: string;
  links: DistributionLink[];
  kioskUrl: string | null;
  settings: { version: number; status: string; inviteAfterAnswer: boolean };
  canManage: boolean;
  csrf: string;
  form: FormState;
}): SafeHtml {
  const { survey, orgId } = props;
  const base = `/organisations/${orgId}/surveys/${survey.id}`;
  return (
    <div>
      <h1>{`Diffusion — ${survey.title}`}</h1>
      <SurveyTabs orgId={orgId} surveyId={survey.id} current={`${base}/diffusion`} />
      <p>
        {survey.status === "open"
          ? "L'enquête est ouverte : chaque lien ci-dessous enregistre les réponses pour son site et son canal."
          : "L'enquête est terminée : ses liens affichent « enquête terminée »."}
      </p>
      <h2 class="fr-h4">Liens publics et codes QR</h2>
      <div class="fr-grid-row fr-grid-row--gutters fr-mb-4w">
        {props.links
          .filter((l) => l.qrSvg)
          .map((l) => (
            <div class="fr-col-12 fr-col-md-6 fr-col-lg-4">
              <div class="fr-card fr-card--no-arrow">
                <div class="fr-card__body">
                  <div class="fr-card__content">
                    <h3 class="fr-card__title">{`${l.siteName} — ${l.channel ? CHANNEL_LABELS[l.channel] : "Tous canaux"}`}</h3>
                    <div class="fr-card__desc">
                      <div class="vigie-qr">{raw(l.qrSvg ?? "")}</div>
                      <p class="fr-text--sm vigie-break">
                        <a href={l.url}>{l.url}</a>
                      </p>
                      <ul class="fr-btns-group fr-btns-group--sm">
                        <li>
                          <a class="fr-btn fr-btn--sm fr-btn--secondary" href={`${base}/affiche.pdf?${l.query}`}>
                            {`Affiche A4 (PDF) — ${l.siteName}`}
                          </a>
                        </li>
                        <li>
                          <a class="fr-btn fr-btn--sm fr-btn--tertiary" href={`${base}/qr.svg?${l.query}`} download>
                            {`Code QR (SVG) — ${l.siteName}`}
                          </a>
                        </li>
                      </ul>
                    </div>
                  </div>
                </div>
              </div>
            </div>
          ))}
      </div>
      {props.links.some((l) => !l.qrSvg) ? (
        <TableFrame>
          <table>
            <caption>Liens des sites rattachés</caption>
            <thead>
              <tr>
                <th scope="col">Site</th>
                <th scope="col">Canal</th>
                <th scope="col">Lien public</th>
                <th scope="col">Affiche</th>
                <th scope="col">Code QR</th>
              </tr>
            </thead>
            <tbody>
              {props.links
                .filter((l) => !l.qrSvg)
                .map((l) => (
                  <tr>
                    <td>{l.siteName}</td>
                    <td>{l.channel ? CHANNEL_LABELS[l.channel] : "Tous canaux"}</td>
                    <td>
                      <a href={l.url}>questionnaire</a>
                    </td>
                    <td>
                      <a
                        href={`${base}/affiche.pdf?${l.query}`}
                      >{`PDF — ${l.siteName}, ${l.channel ? CHANNEL_LABELS[l.channel] : "tous canaux"}`}</a>
                    </td>
                    <td>
                      <a
                        href={`${base}/qr.svg?${l.query}`}
                      >{`SVG — ${l.siteName}, ${l.channel ? CHANNEL_LABELS[l.channel] : "tous canaux"}`}</a>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </TableFrame>
      ) : null}
      <h2 class="fr-h4">Borne à l'accueil</h2>
      {props.kioskUrl ? (
        <div>
          <p>
            Ouvrez ce lien sur la tablette de l'accueil, en plein écran : une question, un appui sur un visage, un écran de remerciement,
            puis la borne se remet à zéro. Sans réseau, la borne garde les réponses et les envoie dès que le réseau revient (une semaine au
            plus). Ce lien est personnel à l'enquête : ne le publiez pas.
          </p>
          <p class="vigie-break">
            <a href={props.kioskUrl}>{props.kioskUrl}</a>
          </p>
        </div>
      ) : (
        <p>Le lien de la borne est réservé aux responsables de l'enquête.</p>
      )}
      {props.canManage ? (
        <section class="fr-mt-4w">
          <h2 class="fr-h4">Réglages</h2>
          <ErrorSummary form={props.form} />
          <Form action={`${base}/reglages`} csrf={props.csrf} label="Réglages de l'enquête">
            <input type="hidden" name="version" value={String(props.settings.version)} />
            <fieldset class="fr-fieldset">
              <legend class="fr-fieldset__legend">État</legend>
              {[
                ["open", "Ouverte : les liens et la borne acceptent les réponses"],
                ["closed", "Terminée : plus aucune réponse"],
              ].map(([value, label]) => (
                <div class="fr-fieldset__element">
                  <div class="fr-radio-group">
                    <input type="radio" id={`status-${value}`} name="status" value={value} checked={props.settings.status === value} />
                    <label class="fr-label" for={`status-${value}`}>
                      {label}
                    </label>
                  </div>
                </div>
              ))}
            </fieldset>
            <Checkbox
              name="inviteAfterAnswer"
              label="Inviter à répondre avec chaque réponse envoyée par courriel à une demande"
              hint="Un lien personnel, valable pour une seule réponse, est ajouté au courriel de réponse des demandes de l'organisation et de ses sites."
              checked={props.settings.inviteAfterAnswer}
            />
            <Checkbox name="rotateKiosk" label="Révoquer les liens de borne déjà donnés (un nouveau lien est créé)" checked={false} />
            <SubmitButton label="Enregistrer les réglages" />
          </Form>
        </section>
      ) : null}
    </div>
  );
}

const TYPE_OPTIONS = QUESTION_TYPES.map((t) => ({ value: t, label: QUESTION_TYPE_LABELS[t] }));

function optionsText(q: Question | undefined): string {
  return q && "options" in q ? q.options.map((o) => o.label).join("\n") : "";
}

function QuestionFields({ prefix, q, questionnaire }: { prefix: string; q?: Question; questionnaire: Questionnaire }): SafeHtml {
  const id = (name: string) => `${prefix}-${name}`;
  const earlier = q ? allQuestions(questionnaire).slice(0, allQuestions(questionnaire).indexOf(q)) : allQuestions(questionnaire);
  return (
    <div>
      <div class="fr-select-group">
        <label class="fr-label" for={id("type")}>
          Type de question
        </label>
        <select class="fr-select" id={id("type")} name="type">
          {TYPE_OPTIONS.map((o) => (
            <option value={o.value} selected={(q?.type ?? "scale") === o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div class="fr-input-group">
        <label class="fr-label" for={id("label")}>
          Libellé (obligatoire)
        </label>
        <input class="fr-input" id={id("label")} name="label" value={q?.label ?? ""} maxlength={500} />
      </div>
      <div class="fr-input-group">
        <label class="fr-label" for={id("options")}>
          Réponses proposées
          <span class="fr-hint-text">Pour un choix unique ou multiple : une réponse par ligne.</span>
        </label>
        <textarea class="fr-input" id={id("options")} name="options" rows={4}>
          {optionsText(q)}
        </textarea>
      </div>
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-4">
          <div class="fr-select-group">
            <label class="fr-label" for={id("levels")}>
              Smileys
            </label>
            <select class="fr-select" id={id("levels")} name="levels">
              <option value="3" selected={!(q?.type === "smiley" && q.levels === 5)}>
                3 visages
              </option>
              <option value="5" selected={q?.type === "smiley" && q.levels === 5}>
                5 visages
              </option>
            </select>
          </div>
        </div>
        <div class="fr-col-12 fr-col-md-8">
          <div class="fr-select-group">
            <label class="fr-label" for={id("satisfiedWhen")}>
              Oui / non : réponse satisfaite
            </label>
            <select class="fr-select" id={id("satisfiedWhen")} name="satisfiedWhen">
              {[
                ["yes", "« Oui » est une satisfaction"],
                ["no", "« Non » est une satisfaction (« Avez-vous dû revenir ? »)"],
                ["none", "Question factuelle, pas une opinion"],
              ].map(([value, label]) => (
                <option value={value} selected={(q?.type === "yes_no" ? q.satisfiedWhen : "yes") === value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </div>
      </div>
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-6">
          <div class="fr-select-group">
            <label class="fr-label" for={id("showIfQuestion")}>
              Afficher seulement si la question…
            </label>
            <select class="fr-select" id={id("showIfQuestion")} name="showIfQuestion">
              <option value="">Toujours afficher</option>
              {earlier
                .filter((e) => choicesOf(e))
                .map((e) => (
                  <option value={e.id} selected={q?.showIf?.question === e.id}>
                    {e.label}
                  </option>
                ))}
            </select>
          </div>
        </div>
        <div class="fr-col-12 fr-col-md-6">
          <div class="fr-input-group">
            <label class="fr-label" for={id("showIfAnswers")}>
              … a reçu l'une de ces réponses
              <span class="fr-hint-text">Valeurs séparées par des virgules (1 à 5, yes / no, ou la valeur d'une option).</span>
            </label>
            <input class="fr-input" id={id("showIfAnswers")} name="showIfAnswers" value={q?.showIf?.anyOf.join(", ") ?? ""} />
          </div>
        </div>
      </div>
      <div class="fr-input-group">
        <label class="fr-label" for={id("commitments")}>
          Engagements mesurés
          <span class="fr-hint-text">Identifiants séparés par des virgules, par exemple sp+2021/1, marianne-2016/4.</span>
        </label>
        <input class="fr-input" id={id("commitments")} name="commitments" value={q?.commitments.join(", ") ?? ""} />
      </div>
      <Checkbox name="required" id={id("required")} label="Réponse obligatoire" checked={q?.required ?? false} />
    </div>
  );
}

export function EditorView(props: {
  survey: Survey;
  orgId: string;
  draft: { questionnaire: Questionnaire; saved: boolean; version: number };
  preview: VersionDecision;
  csrf: string;
  form: FormState;
}): SafeHtml {
  const { survey, orgId, draft } = props;
  const base = `/organisations/${orgId}/surveys/${survey.id}`;
  const q = draft.questionnaire;
  const action = `${base}/questionnaire`;
  const hidden = <input type="hidden" name="version" value={String(draft.version)} />;
  return (
    <div>
      <h1>{`Questionnaire — ${survey.title}`}</h1>
      <SurveyTabs orgId={orgId} surveyId={survey.id} current={action} />
      <ErrorSummary form={props.form} />
      <div class="fr-callout fr-mb-4w">
        <p class="fr-callout__text">
          {draft.saved
            ? "Vous modifiez un brouillon : le questionnaire public ne change qu'à la publication."
            : `Le questionnaire publié est la version ${survey.version}. Chaque modification est enregistrée dans un brouillon, publié quand vous le décidez.`}
        </p>
      </div>
      <section class="fr-mb-4w">
        <h2 class="fr-h4">Publier le brouillon</h2>
        {props.preview.action === "none" ? (
          <p>Le brouillon est identique à la version publiée.</p>
        ) : (
          <div>
            <p>
              {props.preview.action === "new_version"
                ? `La publication créera la version ${props.preview.number} : des réponses existent déjà et gardent le sens de la version qu'elles ont reçue.`
                : `La publication modifiera la version ${props.preview.number} sans en créer de nouvelle.`}
            </p>
            <ul>
              {props.preview.changes.map((c) => (
                <li>{c.message}</li>
              ))}
            </ul>
            <Form action={`${base}/questionnaire/publier`} csrf={props.csrf} label="Publier le brouillon">
              {hidden}
              <Checkbox
                name="correction"
                label="Ce ne sont que des corrections de fautes : le sens des questions ne change pas"
                hint="Les réponses déjà reçues restent alors rattachées à la même version ; l'ancien et le nouveau texte sont gardés dans le journal."
                checked={false}
              />
              <SubmitButton label="Publier" />
            </Form>
          </div>
        )}
      </section>
      <section class="fr-mb-4w">
        <h2 class="fr-h4">Titre et textes</h2>
        <Form action={action} csrf={props.csrf} label="Titre et textes">
          {hidden}
          <input type="hidden" name="op" value="meta" />
          <TextField name="title" label="Titre" required form={{ values: { title: q.title }, errors: props.form.errors }} />
          <TextArea name="introduction" label="Introduction" form={{ values: { introduction: q.introduction }, errors: {} }} rows={3} />
          <TextArea name="thanks" label="Message de remerciement" form={{ values: { thanks: q.thanks }, errors: {} }} rows={2} />
          <SubmitButton label="Enregistrer les textes" secondary />
        </Form>
      </section>
      {q.sections.map((section, si) => (
        <section class="fr-mb-4w">
          <h2 class="fr-h4">{section.title ?? `Section ${si + 1}`}</h2>
          {section.questions.map((question) => (
            <div class="fr-card fr-card--no-arrow fr-mb-2w">
              <div class="fr-card__body">
                <div class="fr-card__content">
                  <h3 class="fr-card__title">{question.label}</h3>
                  <p class="fr-card__desc">
                    {`${QUESTION_TYPE_LABELS[question.type]}${question.required ? ", obligatoire" : ""}${question.commitments.length ? ` — engagements : ${question.commitments.join(", ")}` : ""} — identifiant ${question.id}`}
                  </p>
                  <details>
                    <summary>{`Modifier « ${question.label} »`}</summary>
                    <Form action={action} csrf={props.csrf} label={`Modifier la question ${question.id}`}>
                      {hidden}
                      <input type="hidden" name="op" value="update" />
                      <input type="hidden" name="question" value={question.id} />
                      <QuestionFields prefix={`edit-${question.id}`} q={question} questionnaire={q} />
                      <SubmitButton label="Enregistrer la question" secondary />
                    </Form>
                  </details>
                  <ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm fr-mt-2w">
                    {[
                      ["up", "Monter"],
                      ["down", "Descendre"],
                      ["delete", "Supprimer"],
                    ].map(([op, label]) => (
                      <li>
                        <form method="post" action={action}>
                          <input type="hidden" name="_csrf" value={props.csrf} />
                          {hidden}
                          <input type="hidden" name="op" value={op} />
                          <input type="hidden" name="question" value={question.id} />
                          <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" title={`${label} : ${question.label}`}>
                            {label}
                          </button>
                        </form>
                      </li>
                    ))}
                  </ul>
                </div>
              </div>
            </div>
          ))}
        </section>
      ))}
      <section class="fr-mb-4w">
        <h2 class="fr-h4">Ajouter une question</h2>
        <Form action={action} csrf={props.csrf} label="Ajouter une question">
          {hidden}
          <input type="hidden" name="op" value="add" />
          <div class="fr-select-group">
            <label class="fr-label" for="add-section">
              Section
            </label>
            <select class="fr-select" id="add-section" name="section">
              {q.sections.map((s, i) => (
                <option value={s.id} selected={i === q.sections.length - 1}>
                  {s.title ?? `Section ${i + 1}`}
                </option>
              ))}
            </select>
          </div>
          <div class="fr-input-group">
            <label class="fr-label" for="add-newSection">
              Ou nouvelle section
              <span class="fr-hint-text">Son titre ; laissez vide pour ajouter à la section choisie.</span>
            </label>
            <input class="fr-input" id="add-newSection" name="newSection" />
          </div>
          <QuestionFields prefix="add" questionnaire={q} />
          <SubmitButton label="Ajouter la question" />
        </Form>
      </section>
      <details class="fr-mb-4w">
        <summary>Modifier la définition complète (JSON)</summary>
        <Form action={action} csrf={props.csrf} label="Définition JSON">
          {hidden}
          <input type="hidden" name="op" value="json" />
          <TextArea
            name="definition"
            label="Définition"
            form={{ values: { definition: JSON.stringify(q, null, 2) }, errors: props.form.errors }}
            rows={20}
          />
          <SubmitButton label="Enregistrer la définition" secondary />
        </Form>
      </details>
    </div>
  );
}

const STATUS_LABELS: Record<string, string> = { pending: "À modérer", published: "Publié", hidden: "Masqué" };

export function CommentsView(props: {
  survey: Survey;
  orgId: string;
  comments: CommentRow[];
  labels: Record<string, string>;
  sites: Record<string, string>;
  filter: { status?: string | undefined; theme?: string | undefined };
  canModerate: boolean;
  csrf: string;
  suggest: (text: string) => string;
}): SafeHtml {
  const { survey, orgId } = props;
  const base = `/organisations/${orgId}/surveys/${survey.id}`;
  return (
    <div>
      <h1>{`Commentaires — ${survey.title}`}</h1>
      <SurveyTabs orgId={orgId} surveyId={survey.id} current={`${base}/commentaires`} />
      <p>
        Un commentaire n'est publié qu'après relecture : retirez du texte à publier tout nom, adresse, numéro ou détail qui permettrait de
        reconnaître une personne. Les adresses électroniques et numéros de téléphone sont déjà masqués dans la proposition.
      </p>
      <form method="get" action={`${base}/commentaires`} class="fr-mb-4w" aria-label="Filtrer les commentaires">
        <div class="fr-grid-row fr-grid-row--gutters">
          <div class="fr-col-6">
            <div class="fr-select-group">
              <label class="fr-label" for="status">
                État
              </label>
              <select class="fr-select" id="status" name="status">
                <option value="">Tous</option>
                {Object.entries(STATUS_LABELS).map(([v, l]) => (
                  <option value={v} selected={props.filter.status === v}>
                    {l}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div class="fr-col-6">
            <div class="fr-select-group">
              <label class="fr-label" for="theme">
                Thème
              </label>
              <select class="fr-select" id="theme" name="theme">
                <option value="">Tous</option>
                {Object.entries(COMMENT_THEMES).map(([v, l]) => (
                  <option value={v} selected={props.filter.theme === v}>
                    {l}
                  </option>
                ))}
              </select>
            </div>
          </div>
        </div>
        <button class="fr-btn fr-btn--secondary fr-mt-2w" type="submit">
          Filtrer
        </button>
      </form>
      {props.comments.length === 0 ? <p>Aucun commentaire.</p> : null}
      {props.comments.map((c, i) => (
        <article class="fr-card fr-card--no-arrow fr-mb-3w">
          <div class="fr-card__body">
            <div class="fr-card__content">
              <h2 class="fr-card__title fr-h6">{`${props.labels[c.questionId] ?? c.questionId} — ${c.answeredOn}, ${props.sites[c.siteId] ?? ""}, ${CHANNEL_LABELS[c.channel as Channel] ?? c.channel}`}</h2>
              <p class="fr-badge fr-badge--sm">{STATUS_LABELS[c.status] ?? c.status}</p>
              <blockquote class="fr-mt-2w">{c.text}</blockquote>
              {props.canModerate ? (
                <Form action={`${base}/commentaires`} csrf={props.csrf} label={`Modérer le commentaire ${i + 1}`}>
                  <input type="hidden" name="responseId" value={c.responseId} />
                  <input type="hidden" name="questionId" value={c.questionId} />
                  <input type="hidden" name="version" value={String(c.version)} />
                  <div class="fr-input-group">
                    <label class="fr-label" for={`published-${i}`}>
                      Texte à publier, sans donnée personnelle
                    </label>
                    <textarea class="fr-input" id={`published-${i}`} name="publishedText" rows={3}>
                      {c.publishedText ?? props.suggest(c.text)}
                    </textarea>
                  </div>
                  <fieldset class="fr-fieldset">
                    <legend class="fr-fieldset__legend fr-text--regular">Thèmes</legend>
                    {Object.entries(COMMENT_THEMES).map(([v, l]) => (
                      <div class="fr-fieldset__element fr-fieldset__element--inline">
                        <div class="fr-checkbox-group">
                          <input type="checkbox" id={`theme-${i}-${v}`} name="themes" value={v} checked={c.themes.includes(v)} />
                          <label class="fr-label" for={`theme-${i}-${v}`}>
                            {l}
                          </label>
                        </div>
                      </div>
                    ))}
                  </fieldset>
                  <ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
                    <li>
                      <button class="fr-btn fr-btn--sm" type="submit" name="status" value="published">
                        Publier
                      </button>
                    </li>
                    <li>
                      <button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit" name="status" value="hidden">
                        Ne pas publier
                      </button>
                    </li>
                    <li>
                      <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" name="status" value="pending">
                        Remettre à modérer
                      </button>
                    </li>
                  </ul>
                </Form>
              ) : null}
            </div>
          </div>
        </article>
      ))}
    </div>
  );
}

export const channelsForLinks = (survey: Survey): Channel[] =>
  survey.channel ? [survey.channel as Channel] : ["counter", "web", "phone", "email", "letter"];
