import { formatDate, formatDelay } from "../../ui/format.ts";
import { CsrfField, ErrorSummary, type FormState, TextArea, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import type { DelayUnit } from "../announced-delays/announced-delays.ts";
import { REQUEST_KIND_LABELS } from "../frameworks/channels.ts";
import type { MailState } from "../mail/mail.service.ts";
import { MAIL_KIND_LABELS, MailStatusBadge } from "../mail/mail.views.tsx";
import { PublicOrgHeading } from "../organisations/organisations.views.tsx";
import { STATUS_LABELS } from "./request-status.ts";
import type { RequestStatus } from "./requests.service.ts";

const PUBLIC_KINDS = ["request", "complaint", "suggestion"] as const;
const KIND_CHOICES: Record<(typeof PUBLIC_KINDS)[number], string> = {
  request: "Une demande (une information, une démarche)",
  complaint: "Une réclamation",
  suggestion: "Une suggestion",
};

export function PublicRequestForm({
  orgId,
  orgName,
  logo,
  delays,
  action,
  form,
  csrf,
}: {
  orgId: string;
  orgName: string;
  /** Whether to show the organisation's logo (it has one, and the theme is the neutral one). */
  logo: boolean;
  /** The delays announced on the web channel, per kind. */
  delays: Array<{ kind: string; delay: { value: number; unit: DelayUnit } | null }>;
  action: string;
  form: FormState;
  csrf: string;
}): SafeHtml {
  return (
    <div class="fr-col-12 fr-col-md-8">
      <PublicOrgHeading org={{ id: orgId, name: orgName }} logo={logo} />
      <h1>Écrire au service</h1>
      <p>
        Votre message est enregistré avec un numéro de dossier, et vous pourrez suivre son avancement en ligne. Nous nous engageons à
        répondre dans ces délais :
      </p>
      <ul>
        {PUBLIC_KINDS.map((k) => {
          const d = delays.find((x) => x.kind === k)?.delay;
          return (
            <li>
              {`${REQUEST_KIND_LABELS[k]} : ${d ? `réponse sous ${formatDelay(d.value, d.unit)}` : "réponse dans les meilleurs délais"}`}
            </li>
          );
        })}
      </ul>
      <ErrorSummary form={form} />
      <form method="post" action={action} novalidate>
        <CsrfField token={csrf} />
        <fieldset class="fr-fieldset" id="kind" aria-labelledby="kind-legend">
          <legend class="fr-fieldset__legend" id="kind-legend">
            Vous souhaitez faire (obligatoire)
          </legend>
          {PUBLIC_KINDS.map((k) => (
            <div class="fr-fieldset__element">
              <div class="fr-radio-group">
                <input type="radio" id={`kind-${k}`} name="kind" value={k} checked={form.values.kind === k} />
                <label class="fr-label" for={`kind-${k}`}>
                  {KIND_CHOICES[k]}
                </label>
              </div>
            </div>
          ))}
          {form.errors.kind ? <p class="fr-message fr-message--error fr-ml-2w">{form.errors.kind}</p> : null}
        </fieldset>
        <TextField name="subject" label="Objet" required form={form} maxlength={300} />
        <TextArea name="body" label="Votre message" required rows={8} form={form} />
        <TextField name="requesterName" label="Votre nom" required form={form} autocomplete="name" />
        <TextField
          name="requesterEmail"
          label="Votre adresse électronique"
          type="email"
          form={form}
          autocomplete="email"
          hint="Pour recevoir l'accusé de réception et la réponse."
        />
        <TextField name="requesterAddress" label="Ou votre adresse postale" form={form} autocomplete="street-address" />
        {/* A field people do not see: robots that fill every field give themselves away. */}
        <div class="vigie-honeypot" aria-hidden="true">
          <label for="website">Ne pas remplir</label>
          <input type="text" id="website" name="website" tabindex="-1" autocomplete="off" />
        </div>
        <button class="fr-btn" type="submit">
          Envoyer
        </button>
      </form>
    </div>
  );
}

/** What the receipt says of the acknowledgement: never « envoyé » before its outbox row says so. */
function acknowledgementSentence(m: MailState | null): string {
  if (!m) return "Aucun accusé de réception ne vous sera envoyé par courriel : gardez ce numéro.";
  if (m.status === "sent") return `Un accusé de réception vous a été envoyé à ${m.to}.`;
  if (m.status === "failed") {
    return `L'accusé de réception n'a pas pu être envoyé à ${m.to} : gardez ce numéro et l'adresse de suivi ci-dessous.`;
  }
  return `Un accusé de réception vous sera envoyé à ${m.to}.`;
}

export function PublicReceipt({
  number,
  trackUrl,
  kind,
  acknowledgement,
}: {
  number: string;
  trackUrl: string | null;
  kind: string;
  acknowledgement: MailState | null;
}): SafeHtml {
  return (
    <div class="fr-col-12 fr-col-md-8">
      <h1>Votre message est enregistré</h1>
      <div class="fr-callout">
        <p class="fr-callout__title">{`Numéro de dossier : ${number}`}</p>
        <p class="fr-callout__text">
          {`Votre ${kind === "complaint" ? "réclamation" : kind === "request" ? "demande" : "suggestion"} a bien été reçue. Gardez ce numéro : il vous sera demandé si vous nous contactez.`}
        </p>
        {number !== "0" ? (
          <p class="fr-callout__text" id="acknowledgement">
            {acknowledgementSentence(acknowledgement)}
          </p>
        ) : null}
      </div>
      {trackUrl ? (
        <p class="fr-mt-2w">
          <a class="fr-link" href={trackUrl}>
            Suivre l'avancement de votre dossier
          </a>{" "}
          (adresse personnelle : conservez-la, elle est aussi dans l'accusé de réception).
        </p>
      ) : null}
    </div>
  );
}

export function TrackingView({
  t,
  mails,
  timeZone,
}: {
  mails: MailState[];
  timeZone: string;
  t: {
    number: string;
    kind: string;
    status: RequestStatus;
    receivedOn: string;
    dueOn: string | null;
    answeredOn: string | null;
    steps: Array<{ at: Date; toStatus: string | null; type: string }>;
  };
}): SafeHtml {
  const kind = REQUEST_KIND_LABELS[t.kind as keyof typeof REQUEST_KIND_LABELS] ?? "Demande";
  return (
    <div class="fr-col-12 fr-col-md-8">
      <h1>{`${kind} n° ${t.number}`}</h1>
      <p class="fr-text--lead">{`Où en est-elle ? ${STATUS_LABELS[t.status]}.`}</p>
      <dl>
        <dt class="fr-text--bold">Reçue le</dt>
        <dd>{formatDate(t.receivedOn)}</dd>
        {t.answeredOn ? (
          <>
            <dt class="fr-text--bold">Répondue le</dt>
            <dd>{formatDate(t.answeredOn)}</dd>
          </>
        ) : t.dueOn ? (
          <>
            <dt class="fr-text--bold">Réponse attendue au plus tard le</dt>
            <dd>{formatDate(t.dueOn)}</dd>
          </>
        ) : null}
      </dl>
      {/* ---- mail states (module mail): the e-mails sent to the requester, as their outbox rows say ---- */}
      {mails.length ? (
        <section id="mails">
          <h2 class="fr-h5">Courriels</h2>
          <ul>
            {mails.map((m) => (
              <li>
                {`${MAIL_KIND_LABELS[m.kind] ?? "Courriel"} : `}
                <MailStatusBadge state={m} timeZone={timeZone} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {/* ---- end of mail states ---- */}
    </div>
  );
}
