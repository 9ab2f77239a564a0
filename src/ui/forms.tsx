import type { FieldErrors } from "../kernel/errors.ts";
import type { Child, SafeHtml } from "./jsx/jsx-runtime.ts";

/** Values a form shows again after a failed submission: what the person typed, never lost. */
export type FormValues = Record<string, string | undefined>;

export interface FormState {
  values: FormValues;
  errors: FieldErrors;
}

export const emptyForm = (values: FormValues = {}): FormState => ({ values, errors: {} });

export function CsrfField({ token }: { token: string }): SafeHtml {
  return <input type="hidden" name="_csrf" value={token} />;
}

interface FieldProps {
  name: string;
  label: string;
  form: FormState;
  hint?: string;
  required?: boolean;
}

function messages(name: string, error: string | undefined): SafeHtml {
  return (
    <div class="fr-messages-group" id={`${name}-messages`} aria-live="polite">
      {error ? (
        <p class="fr-message fr-message--error" id={`${name}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function Label({ name, label, hint, required }: Omit<FieldProps, "form">): SafeHtml {
  return (
    <label class="fr-label" for={name}>
      {label}
      {required ? " (obligatoire)" : null}
      {hint ? <span class="fr-hint-text">{hint}</span> : null}
    </label>
  );
}

export function TextField(
  props: FieldProps & { type?: string; autocomplete?: string; inputmode?: string; maxlength?: number; autofocus?: boolean },
): SafeHtml {
  const error = props.form.errors[props.name];
  return (
    <div class={`fr-input-group${error ? " fr-input-group--error" : ""}`}>
      <Label name={props.name} label={props.label} hint={props.hint} required={props.required} />
      <input
        class={`fr-input${error ? " fr-input--error" : ""}`}
        type={props.type ?? "text"}
        id={props.name}
        name={props.name}
        value={props.type === "password" ? undefined : props.form.values[props.name]}
        required={props.required}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        maxlength={props.maxlength}
        autofocus={props.autofocus}
        aria-describedby={`${props.name}-messages`}
        aria-invalid={error ? "true" : undefined}
      />
      {messages(props.name, error)}
    </div>
  );
}

export function TextArea(props: FieldProps & { rows?: number; maxlength?: number }): SafeHtml {
  const error = props.form.errors[props.name];
  return (
    <div class={`fr-input-group${error ? " fr-input-group--error" : ""}`}>
      <Label name={props.name} label={props.label} hint={props.hint} required={props.required} />
      <textarea
        class={`fr-input${error ? " fr-input--error" : ""}`}
        id={props.name}
        name={props.name}
        rows={props.rows ?? 6}
        required={props.required}
        maxlength={props.maxlength}
        aria-describedby={`${props.name}-messages`}
        aria-invalid={error ? "true" : undefined}
      >
        {props.form.values[props.name] ?? ""}
      </textarea>
      {messages(props.name, error)}
    </div>
  );
}

export function SelectField(
  props: FieldProps & { options: Array<{ value: string; label: string; depth?: number }>; placeholder?: string },
): SafeHtml {
  const error = props.form.errors[props.name];
  const selected = props.form.values[props.name];
  return (
    <div class={`fr-select-group${error ? " fr-select-group--error" : ""}`}>
      <Label name={props.name} label={props.label} hint={props.hint} required={props.required} />
      <select
        class={`fr-select${error ? " fr-select--error" : ""}`}
        id={props.name}
        name={props.name}
        required={props.required}
        aria-describedby={`${props.name}-messages`}
        aria-invalid={error ? "true" : undefined}
      >
        {props.placeholder !== undefined ? (
          <option value="" selected={!selected} disabled={props.required}>
            {props.placeholder}
          </option>
        ) : null}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === selected}>
            {`${"\u00a0\u00a0".repeat(o.depth ?? 0)}${o.label}`}
          </option>
        ))}
      </select>
      {messages(props.name, error)}
    </div>
  );
}

export function Checkbox(props: { name: string; label: string; checked: boolean; hint?: string; id?: string; value?: string }): SafeHtml {
  const id = props.id ?? props.name;
  return (
    <div class="fr-checkbox-group fr-mb-3w">
      <input type="checkbox" id={id} name={props.name} value={props.value ?? "true"} checked={props.checked} />
      <label class="fr-label" for={id}>
        {props.label}
        {props.hint ? <span class="fr-hint-text">{props.hint}</span> : null}
      </label>
    </div>
  );
}

/** The summary at the top of a failed form, each message linking to its field. */
export function ErrorSummary({ form, labels }: { form: FormState; labels?: Record<string, string> }): SafeHtml | null {
  const entries = Object.entries(form.errors);
  if (entries.length === 0) return null;
  return (
    <div class="fr-alert fr-alert--error fr-mb-3w" role="alert" tabindex="-1" id="error-summary">
      <h2 class="fr-alert__title">Le formulaire contient {entries.length === 1 ? "une erreur" : `${entries.length} erreurs`}</h2>
      <ul>
        {entries.map(([field, message]) => (
          <li>{field === "_" ? message : <a href={`#${field}`}>{labels?.[field] ? `${labels[field]} : ${message}` : message}</a>}</li>
        ))}
      </ul>
    </div>
  );
}

export function Form(props: { action: string; csrf: string; children: Child; label?: string }): SafeHtml {
  return (
    <form method="post" action={props.action} novalidate aria-label={props.label}>
      <CsrfField token={props.csrf} />
      {props.children}
    </form>
  );
}

export function SubmitButton({ label, secondary }: { label: string; secondary?: boolean }): SafeHtml {
  return (
    <button type="submit" class={`fr-btn${secondary ? " fr-btn--secondary" : ""}`}>
      {label}
    </button>
  );
}

/** Kept for the views that import it from here; the formatting itself lives in format.ts. */
export { formatDateTimeShort as formatDateTime } from "./format.ts";

/**
 * The « Du … Au … Afficher » row of every page that reads figures over a period (requests, calls,
 * surveys, dashboards), inside the page's own GET form. `children` adds filter columns before the button.
 */
export function PeriodFields({ from, to, children }: { from: string; to: string; children?: Child }): SafeHtml {
  return (
    <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
      <div class="fr-col-6 fr-col-md-3">
        <div class="fr-input-group">
          <label class="fr-label" for="from">
            Du
          </label>
          <input class="fr-input" type="date" id="from" name="from" value={from} />
        </div>
      </div>
      <div class="fr-col-6 fr-col-md-3">
        <div class="fr-input-group">
          <label class="fr-label" for="to">
            Au
          </label>
          <input class="fr-input" type="date" id="to" name="to" value={to} />
        </div>
      </div>
      {children ?? null}
      <div class="fr-col-12 fr-col-md-3">
        <button class="fr-btn" type="submit">
          Afficher
        </button>
      </div>
    </div>
  );
}

/** The DSFR file field of an upload form (always named `file`), with its error under it. */
export function UploadField({
  label,
  hint,
  accept,
  error,
  id = "file",
}: {
  label: string;
  hint: string;
  accept: string;
  error?: string | undefined;
  /** The field's id, when a page has more than one upload form. */
  id?: string;
}): SafeHtml {
  return (
    <div class={`fr-upload-group fr-mb-3w${error ? " fr-input-group--error" : ""}`}>
      <label class="fr-label" for={id}>
        {`${label} (obligatoire)`}
        <span class="fr-hint-text">{hint}</span>
      </label>
      <input
        class="fr-upload"
        type="file"
        id={id}
        name="file"
        accept={accept}
        required
        aria-describedby={`${id}-messages`}
        aria-invalid={error ? "true" : undefined}
      />
      <div class="fr-messages-group" id={`${id}-messages`} aria-live="polite">
        {error ? <p class="fr-message fr-message--error">{error}</p> : null}
      </div>
    </div>
  );
}
