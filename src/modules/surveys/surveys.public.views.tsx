import { CsrfField, ErrorSummary, type FormState } from "../../ui/forms.tsx";
import { render, SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { allQuestions, choicesOf, type Question, type Questionnaire } from "./questionnaire.ts";

/** What the respondent sent, by field name, to show the form again with every answer kept. */
export type Submitted = Map<string, string[]>;

export function submittedAnswers(body: unknown): Submitted {
  const out: Submitted = new Map();
  if (typeof body !== "object" || body === null) return out;
  for (const [key, value] of Object.entries(body)) {
    const list = Array.isArray(value) ? value : [value];
    out.set(
      key,
      list.filter((v): v is string => typeof v === "string"),
    );
  }
  return out;
}

const SMILEY_FACES: Record<string, string> = { "Très mécontent": "😠", Mécontent: "🙁", Neutre: "😐", Content: "🙂", "Très content": "😄" };

/** Where a show-if question's condition is told in words: the form shows every question, no script needed. */
function conditionHint(question: Question, questionnaire: Questionnaire): string | undefined {
  if (!question.showIf || question.help) return question.help;
  const target = allQuestions(questionnaire).find((q) => q.id === question.showIf?.question);
  if (!target) return undefined;
  const labels = (choicesOf(target) ?? []).filter((c) => question.showIf?.anyOf.includes(c.value)).map((c) => `« ${c.label} »`);
  return `Répondez si vous avez répondu ${labels.join(" ou ")} à la question « ${target.label} ».`;
}

function QuestionField({
  question,
  questionnaire,
  submitted,
  error,
}: {
  question: Question;
  questionnaire: Questionnaire;
  submitted: Submitted;
  error: string | undefined;
}): SafeHtml {
  const id = `q-${question.id}`;
  const hint = conditionHint(question, questionnaire);
  const given = submitted.get(question.id) ?? [];
  const messages = (
    <div class="fr-messages-group" id={`${id}-messages`} aria-live="polite">
      {error ? (
        <p class="fr-message fr-message--error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
  const title = `${question.label}${question.required ? " (obligatoire)" : ""}`;
  if (question.type === "text") {
    return (
      <div class={`fr-input-group${error ? " fr-input-group--error" : ""}`}>
        <label class="fr-label" for={id}>
          {title}
          {hint ? <span class="fr-hint-text">{hint}</span> : null}
        </label>
        <textarea
          class={`fr-input${error ? " fr-input--error" : ""}`}
          id={id}
          name={question.id}
          rows={5}
          maxlength={question.maxLength}
          aria-describedby={`${id}-messages`}
          aria-invalid={error ? "true" : undefined}
        >
          {given[0] ?? ""}
        </textarea>
        {messages}
      </div>
    );
  }
  const multiple = question.type === "multiple_choice";
  const inline =
    question.type === "scale" || question.type === "recommendation" || question.type === "smiley" || question.type === "yes_no";
  return (
    <fieldset class={`fr-fieldset${error ? " fr-fieldset--error" : ""}`} id={id} aria-labelledby={`${id}-legend ${id}-messages`}>
      <legend class="fr-fieldset__legend fr-fieldset__legend--regular" id={`${id}-legend`}>
        {title}
        {hint ? <span class="fr-hint-text">{hint}</span> : null}
      </legend>
      {(choicesOf(question) ?? []).map((c) => {
        const optionId = `${id}-${c.value}`;
        const face = question.type === "smiley" ? SMILEY_FACES[c.label] : undefined;
        return (
          <div class={`fr-fieldset__element${inline ? " fr-fieldset__element--inline" : ""}`}>
            <div class={multiple ? "fr-checkbox-group" : "fr-radio-group"}>
              <input
                type={multiple ? "checkbox" : "radio"}
                id={optionId}
                name={question.id}
                value={c.value}
                checked={given.includes(c.value)}
              />
              <label class="fr-label" for={optionId}>
                {face ? <span aria-hidden="true">{`${face} `}</span> : null}
                {c.label}
              </label>
            </div>
          </div>
        );
      })}
      {messages}
    </fieldset>
  );
}

/**
 * The questions of a blank form are the same for every visitor of the same questionnaire: rendered once
 * per questionnaire object (the public survey is reread every few seconds, a new object each time, and
 * the old one's entry goes with it), not at every opening of the form (issue #13: the render was the
 * largest part of answering a survey). A form shown again with its answers or errors is rendered anew.
 */
const blankQuestions = new WeakMap<Questionnaire, SafeHtml>();

function QuestionSections({
  questionnaire,
  submitted,
  errors,
}: {
  questionnaire: Questionnaire;
  submitted: Submitted;
  errors: FormState["errors"];
}): SafeHtml {
  const blank = submitted.size === 0 && Object.keys(errors).length === 0;
  const kept = blank ? blankQuestions.get(questionnaire) : undefined;
  if (kept) return kept;
  const html = (
    <>
      {questionnaire.sections.map((section) => (
        <section class="fr-mb-4w">
          {section.title ? <h2 class="fr-h4">{section.title}</h2> : null}
          {section.questions.map((q) => (
            <QuestionField question={q} questionnaire={questionnaire} submitted={submitted} error={errors[q.id]} />
          ))}
        </section>
      ))}
    </>
  );
  if (blank) blankQuestions.set(questionnaire, html);
  return html;
}

export function SurveyForm({
  orgName,
  questionnaire,
  action,
  csrf,
  formToken,
  form,
  submitted,
  hidden = {},
}: {
  orgName: string;
  questionnaire: Questionnaire;
  action: string;
  csrf: string;
  formToken: string;
  form: FormState;
  submitted: Submitted;
  /** Where the link came from (site, channel, invitation), carried to the post; or those fields already drawn. */
  hidden?: Record<string, string> | SafeHtml;
}): SafeHtml {
  const labels = Object.fromEntries(allQuestions(questionnaire).map((q) => [`q-${q.id}`, q.label]));
  // The summary links to each question's fieldset, whose id is q-<question id>.
  const summary: FormState = {
    values: form.values,
    errors: Object.fromEntries(Object.entries(form.errors).map(([k, v]) => [k === "_" ? "_" : `q-${k}`, v])),
  };
  return (
    <div class="fr-col-12 fr-col-md-8">
      <p class="fr-text--sm fr-mb-1w">{orgName}</p>
      <h1>{questionnaire.title}</h1>
      {questionnaire.introduction ? <p>{questionnaire.introduction}</p> : null}
      <ErrorSummary form={summary} labels={labels} />
      <form method="post" action={action} novalidate>
        <CsrfField token={csrf} />
        <input type="hidden" name="_form" value={formToken} />
        {hidden instanceof SafeHtml ? hidden : <HiddenFields fields={hidden} />}
        <QuestionSections questionnaire={questionnaire} submitted={submitted} errors={form.errors} />
        {/* A field people do not see: robots that fill every field give themselves away. */}
        <div class="vigie-honeypot" aria-hidden="true">
          <label for="_website">Ne pas remplir</label>
          <input type="text" id="_website" name="_website" tabindex="-1" autocomplete="off" />
        </div>
        <button class="fr-btn" type="submit">
          Envoyer mon avis
        </button>
      </form>
    </div>
  );
}

/** The hidden fields a link carries to the post. */
export function HiddenFields({ fields }: { fields: Record<string, string> }): SafeHtml {
  return (
    <>
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

export function SurveyThanks({ orgName, title, thanks }: { orgName: string; title: string; thanks: string | undefined }): SafeHtml {
  return (
    <div class="fr-col-12 fr-col-md-8">
      <p class="fr-text--sm fr-mb-1w">{orgName}</p>
      <h1>Merci pour votre avis</h1>
      <div class="fr-callout">
        <p class="fr-callout__title">{title}</p>
        <p class="fr-callout__text">{thanks ?? "Votre réponse est enregistrée. Elle nous aide à améliorer nos services."}</p>
      </div>
    </div>
  );
}

/**
 * The counter kiosk: its own full-screen page, no header or footer to tap by mistake. One question
 * (the headline one), its answers as large buttons; each button posts the form without JavaScript,
 * and the script turns a tap into a stored answer sent when the network allows.
 */
export function KioskPage(props: {
  stylesheet: string;
  orgName: string;
  question: Question;
  action: string;
  endpoint: string;
  site: string | undefined;
  csrf: string;
  answerId: string;
  thanks: string;
}): string {
  const faces: Record<string, string> = SMILEY_FACES;
  const body = (
    <html lang="fr" data-fr-scheme="light">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`Votre avis — ${props.orgName}`}</title>
        <link rel="stylesheet" href={props.stylesheet} />
      </head>
      <body>
        <main class="vigie-kiosk" data-kiosk="" data-endpoint={props.endpoint} data-site={props.site ?? ""} data-reset-ms="4000">
          <p class="fr-text--lg fr-mb-1w">{props.orgName}</p>
          <form method="post" action={props.action}>
            <input type="hidden" name="_csrf" value={props.csrf} />
            <input type="hidden" name="_id" value={props.answerId} />
            {props.site ? <input type="hidden" name="site" value={props.site} /> : null}
            <fieldset class="fr-fieldset">
              <legend class="fr-fieldset__legend">
                <h1>{props.question.label}</h1>
              </legend>
              <ul class="vigie-kiosk__choices">
                {(choicesOf(props.question) ?? []).map((c) => (
                  <li>
                    <button class="fr-btn fr-btn--secondary vigie-kiosk__choice" type="submit" name={props.question.id} value={c.value}>
                      {faces[c.label] ? (
                        <span class="vigie-kiosk__face" aria-hidden="true">
                          {faces[c.label] ?? ""}
                        </span>
                      ) : null}
                      <span>{c.label}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </fieldset>
          </form>
          <div data-thanks="" hidden tabindex="-1" role="status">
            <p class="fr-h1">Merci pour votre avis !</p>
            <p>{props.thanks}</p>
          </div>
          <p class="fr-text--sm fr-mt-4w" data-pending="" aria-live="polite"></p>
          <p class="fr-text--xs">Avis anonyme : nous n'enregistrons rien qui permette de vous reconnaître.</p>
        </main>
        <script src="/assets/vigie-kiosk.js" defer></script>
      </body>
    </html>
  );
  return `<!doctype html>${render(body)}`;
}

/** After a tap without JavaScript: thanks, then back to the question by itself. */
export function KioskThanksPage(props: { stylesheet: string; orgName: string; back: string; thanks: string }): string {
  const body = (
    <html lang="fr" data-fr-scheme="light">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <meta http-equiv="refresh" content={`4;url=${props.back}`} />
        <title>{`Merci — ${props.orgName}`}</title>
        <link rel="stylesheet" href={props.stylesheet} />
      </head>
      <body>
        <main class="vigie-kiosk">
          <p class="fr-text--lg">{props.orgName}</p>
          <h1>Merci pour votre avis !</h1>
          <p>{props.thanks}</p>
          <p>
            <a href={props.back}>Donner un autre avis</a>
          </p>
        </main>
      </body>
    </html>
  );
  return `<!doctype html>${render(body)}`;
}
