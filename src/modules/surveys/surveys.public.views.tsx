import { CsrfField, ErrorSummary, type FormState } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
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

export function SurveyForm({
  orgName,
  questionnaire,
  action,
  csrf,
  formToken,
  form,
  submitted,
}: {
  orgName: string;
  questionnaire: Questionnaire;
  action: string;
  csrf: string;
  formToken: string;
  form: FormState;
  submitted: Submitted;
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
        {questionnaire.sections.map((section) => (
          <section class="fr-mb-4w">
            {section.title ? <h2 class="fr-h4">{section.title}</h2> : null}
            {section.questions.map((q) => (
              <QuestionField question={q} questionnaire={questionnaire} submitted={submitted} error={form.errors[q.id]} />
            ))}
          </section>
        ))}
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
