import { formatDate, formatDelay } from "../../ui/format.ts";
import { CsrfField, ErrorSummary, type FormState, TextArea, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import type { DelayUnit } from "../announced-delays/announced-delays.ts";
import { CHANNEL_LABELS, REQUEST_KIND_LABELS } from "../frameworks/channels.ts";
import type { MailState } from "../mail/mail.service.ts";
import { MAIL_KIND_LABELS, MailStatusBadge } from "../mail/mail.views.tsx";
import { PublicOrgHeading } from "../organisations/organisations.views.tsx";
import { STATUS_LABELS } from "./request-status.ts";
import type { TrackedRequest } from "./requests.service.ts";

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
        répondre dans ces délais&nbsp;:
      </p>
      <ul>
        {PUBLIC_KINDS.map((k) => {
          const d = delays.find((x) => x.kind === k)?.delay;
          return (
            <li>
              {`${REQUEST_KIND_LABELS[k]}\u00a0: ${d ? `réponse sous ${formatDelay(d.value, d.unit)}` : "réponse dans les meilleurs délais"}`}
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
        <p class="fr-text--sm">
          Vos coordonnées servent seulement à vous répondre et sont effacées au terme de la durée de conservation&nbsp;:{" "}
          <a href={`/public/organisations/${orgId}/donnees-personnelles`}>vos données personnelles et vos droits</a>.
        </p>
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
  code,
  trackUrl,
  kind,
  acknowledgement,
}: {
  number: string;
  code: string | null;
  trackUrl: string | null;
  kind: string;
  acknowledgement: MailState | null;
}): SafeHtml {
  return (
    <div class="fr-col-12 fr-col-md-8">
      <h1>Votre message est enregistré</h1>
      <div class="fr-callout">
        <p class="fr-callout__title">
          {"Numéro de dossier : "}
          <span class="vigie-nowrap">{number}</span>
        </p>
        {code ? (
          <p class="fr-callout__title">
            {"Code de suivi : "}
            <span class="vigie-nowrap">{code}</span>
          </p>
        ) : null}
        <p class="fr-callout__text">
          {code
            ? `Votre ${kind === "complaint" ? "réclamation" : kind === "request" ? "demande" : "suggestion"} a bien été reçue. Notez-les pour suivre votre demande sur la page « Suivre une demande ».`
            : `Votre ${kind === "complaint" ? "réclamation" : kind === "request" ? "demande" : "suggestion"} a bien été reçue. Gardez ce numéro : il vous sera demandé si vous nous contactez.`}
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
          (ou, plus tard, sur{" "}
          <a class="fr-link" href={`/track?${new URLSearchParams({ number })}`}>
            la page de suivi
          </a>{" "}
          avec le numéro et le code).
        </p>
      ) : null}
    </div>
  );
}

/** The tracking form: the number and the code as printed on the acknowledgement. A GET-less POST keeps the code out of addresses and logs. */
export function TrackingForm({ form, csrf }: { form: FormState; csrf: string }): SafeHtml {
  return (
    <div class="fr-col-12 fr-col-md-8">
      <h1>Suivre une demande</h1>
      <p>Saisissez le numéro de dossier et le code de suivi indiqués sur votre accusé de réception.</p>
      <ErrorSummary form={form} />
      <form method="post" action="/track" novalidate>
        <CsrfField token={csrf} />
        <TextField
          name="number"
          label="Numéro de dossier"
          required
          form={form}
          maxlength={20}
          autocomplete="off"
          hint="Par exemple : 2026-000123"
        />
        <TextField
          name="code"
          label="Code de suivi"
          required
          form={form}
          maxlength={20}
          autocomplete="off"
          hint="Huit caractères, par exemple : ABCD-EFGH"
        />
        <button class="fr-btn" type="submit">
          Voir l'avancement
        </button>
      </form>
    </div>
  );
}

export function TrackingView({ t, mails }: { t: TrackedRequest; mails: MailState[] }): SafeHtml {
  const kind = REQUEST_KIND_LABELS[t.kind] ?? "Demande";
  const promise = t.answeredOn
    ? `Réponse envoyée le ${formatDate(t.answeredOn)}`
    : t.dueOn
      ? `Réponse attendue au plus tard le ${formatDate(t.dueOn)}`
      : null;
  return (
    <div class="fr-col-12 fr-col-md-8">
      <h1>{`${kind} n° ${t.number}`}</h1>
      <p class="fr-text--lead">{t.organisation}</p>
      <div class="fr-callout">
        <p class="fr-callout__title">{`Où en est-elle ? ${STATUS_LABELS[t.status]}`}</p>
        {promise ? <p class="fr-callout__text">{promise}</p> : null}
      </div>
      <dl class="vigie-facts">
        <dt class="fr-text--bold">Type</dt>
        <dd>{kind}</dd>
        <dt class="fr-text--bold">Reçue par</dt>
        <dd>{CHANNEL_LABELS[t.channel] ?? t.channel}</dd>
        <dt class="fr-text--bold">Reçue le</dt>
        <dd>{formatDate(t.receivedOn)}</dd>
        <dt class="fr-text--bold">Délai de réponse annoncé</dt>
        <dd>{t.delay ? formatDelay(t.delay.value, t.delay.unit) : "Aucun délai annoncé pour ce type de demande"}</dd>
      </dl>
      <h2 class="fr-h4 fr-mt-4w">Étapes</h2>
      <ol class="vigie-timeline">
        {t.steps.map((s) => (
          <li>
            <span class="fr-text--bold">{formatDate(s.on)}</span>
            {` — ${s.label}`}
          </li>
        ))}
      </ol>
      {/* ---- mail states (module mail): the e-mails sent to the requester, as their outbox rows say ---- */}
      {mails.length ? (
        <section id="mails">
          <h2 class="fr-h5">Courriels</h2>
          <ul>
            {mails.map((m) => (
              <li>
                {`${MAIL_KIND_LABELS[m.kind] ?? "Courriel"} : `}
                <MailStatusBadge state={m} timeZone={t.timeZone} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {/* ---- end of mail states ---- */}
      <p class="fr-mt-4w">
        <a class="fr-link" href="/track">
          Suivre une autre demande
        </a>
      </p>
    </div>
  );
}
