import { formatDateShort, formatDateTime, formatDelay, formatNumber, formatDate as longDate, NBSP, plural } from "../../ui/format.ts";
import { Checkbox, CsrfField, ErrorSummary, type FormState, SelectField, TextArea, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { CHANNEL_LABELS, CHANNELS, REQUEST_KIND_LABELS, REQUEST_KINDS } from "../frameworks/channels.ts";
import type { MailState } from "../mail/mail.service.ts";
import { MAIL_KIND_LABELS, MailStatusBadge, RetryButton } from "../mail/mail.views.tsx";
import type { RequestAttachment } from "./request-attachments.ts";
import { nextStatuses, STATUS_LABELS, STATUSES } from "./request-status.ts";
import type { Queue, RequestEvent, RequestListPage, RequestRecord, RequestSort } from "./requests.service.ts";

export const QUEUE_LABELS: Record<Queue, string> = {
  mine: "Mes demandes",
  service: "Mon service",
  "due-soon": "Échéance sous 2 jours ouvrés",
  overdue: "En retard",
  all: "Toutes",
};

export function formatDate(iso: string | null): string {
  return iso ? formatDateShort(iso) : "—";
}

function RadioGroup(props: { name: string; legend: string; options: Array<[string, string]>; form: FormState }): SafeHtml {
  const error = props.form.errors[props.name];
  return (
    <fieldset class={`fr-fieldset${error ? " fr-fieldset--error" : ""}`} id={props.name} aria-labelledby={`${props.name}-legend`}>
      <legend class="fr-fieldset__legend" id={`${props.name}-legend`}>
        {props.legend}
      </legend>
      {props.options.map(([value, label]) => (
        <div class="fr-fieldset__element fr-fieldset__element--inline">
          <div class="fr-radio-group">
            <input
              type="radio"
              id={`${props.name}-${value}`}
              name={props.name}
              value={value}
              checked={props.form.values[props.name] === value}
            />
            <label class="fr-label" for={`${props.name}-${value}`}>
              {label}
            </label>
          </div>
        </div>
      ))}
      {error ? <p class="fr-message fr-message--error fr-ml-2w">{error}</p> : null}
    </fieldset>
  );
}

export function RequestForm({
  form,
  csrf,
  action,
  services,
}: {
  form: FormState;
  csrf: string;
  action: string;
  services: Array<{ id: string; name: string }>;
}): SafeHtml {
  return (
    <form method="post" action={action} novalidate>
      <CsrfField token={csrf} />
      <ErrorSummary form={form} />
      <RadioGroup name="kind" legend="Type" options={REQUEST_KINDS.map((k) => [k, REQUEST_KIND_LABELS[k]])} form={form} />
      <RadioGroup name="channel" legend="Reçue par" options={CHANNELS.map((c) => [c, CHANNEL_LABELS[c]])} form={form} />
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-4">
          <TextField name="receivedOn" label="Reçue le" type="date" required form={form} />
        </div>
        <div class="fr-col-12 fr-col-md-8">
          <TextField name="subject" label="Objet" required form={form} autofocus maxlength={300} />
        </div>
      </div>
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-4">
          <TextField name="requesterName" label="Nom de l'usager" form={form} autocomplete="off" />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <TextField
            name="requesterEmail"
            label="Courriel de l'usager"
            type="email"
            form={form}
            hint="Pour l'accusé de réception et la réponse."
            autocomplete="off"
          />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <TextField name="requesterPhone" label="Téléphone" type="tel" form={form} autocomplete="off" />
        </div>
      </div>
      <TextField name="requesterAddress" label="Adresse postale" form={form} autocomplete="off" />
      <TextArea name="body" label="Texte ou résumé" rows={4} form={form} />
      {services.length ? (
        <SelectField
          name="serviceId"
          label="Service chargé"
          form={form}
          placeholder="L'organisation elle-même"
          options={services.map((s) => ({ value: s.id, label: s.name }))}
        />
      ) : null}
      <button class="fr-btn" type="submit" accesskey="s">
        Enregistrer
      </button>
    </form>
  );
}

const SORT_LABELS: Record<RequestSort, string> = {
  due: "Échéance (la plus proche d'abord)",
  received: "Date de réception (la plus récente d'abord)",
  number: "Numéro",
};

/** The labels of the list's filters, for the error summary. */
const FILTER_LABELS: Record<string, string> = {
  q: "Recherche",
  site: "Site",
  status: "Statut",
  channel: "Canal",
  kind: "Type",
  from: "Reçue du",
  to: "Reçue au",
  sort: "Trier par",
  after: "Page",
  before: "Page",
};

/** The filters as a form's values, to show them again and carry them in the page links. */
export type ListValues = Partial<Record<"queue" | "q" | "site" | "status" | "channel" | "kind" | "late" | "from" | "to" | "sort", string>>;

function pageLink(base: string, values: ListValues, cursor: { after?: string; before?: string }): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...values, ...cursor })) if (v) params.set(k, v);
  return `${base}?${params}`;
}

/**
 * The requests of a node and of its whole subtree: the « Site » column tells apart « 2025-000001 » of
 * two sites. Filters are a GET form (no script needed), pages follow by keyset links.
 */
export function QueueView({
  orgId,
  orgName,
  queue,
  values,
  errors,
  page,
  canWrite,
}: {
  orgId: string;
  orgName: string;
  queue: Queue;
  values: ListValues;
  errors: FormState["errors"];
  page: RequestListPage | null;
  canWrite: boolean;
}): SafeHtml {
  const base = `/organisations/${orgId}/requests`;
  const form: FormState = { values, errors };
  const rows = page?.rows ?? [];
  const filtered = Object.entries(values).some(([k, v]) => k !== "queue" && k !== "sort" && v);
  const more =
    ["status", "channel", "kind", "from", "to", "sort", "late"].some((k) => values[k as keyof ListValues]) ||
    Object.keys(errors).length > 0;
  return (
    <div>
      <h1>{`Demandes — ${orgName}`}</h1>
      <p>
        {canWrite ? (
          <a class="fr-btn fr-icon-add-line fr-btn--icon-left fr-mr-2w" href={`${base}/new`} accesskey="n">
            Enregistrer une demande
          </a>
        ) : null}
        {canWrite ? (
          <a class="fr-link fr-mr-2w" href={`${base}/import`}>
            Importer un registre (CSV, Excel)
          </a>
        ) : null}
        <a class="fr-link" href={`${base}/indicators`}>
          Indicateurs de délais
        </a>
      </p>
      <nav class="fr-mb-2w" aria-label="Files de travail">
        <ul class="fr-tags-group">
          {(Object.keys(QUEUE_LABELS) as Queue[]).map((k) => (
            <li>
              <a class="fr-tag" href={`${base}?queue=${k}`} aria-current={k === queue ? "page" : undefined}>
                {QUEUE_LABELS[k]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorSummary form={form} labels={FILTER_LABELS} />
      <form method="get" action={base} class="fr-mb-3w" aria-label="Filtrer les demandes">
        <input type="hidden" name="queue" value={queue} />
        <div class="fr-grid-row fr-grid-row--gutters">
          <div class="fr-col-12 fr-col-md-6">
            <TextField name="q" label="Rechercher (numéro, objet, nom de l'usager)" type="search" form={form} maxlength={200} />
          </div>
          <div class="fr-col-12 fr-col-md-6">
            <TextField name="site" label="Site" hint="Tout ou partie de son nom" form={form} maxlength={200} />
          </div>
        </div>
        {/* The other filters fold away (no script: a native disclosure), so a phone reaches the list sooner. */}
        <details class="vigie-filters fr-mb-2w" open={more}>
          <summary>Plus de filtres : statut, canal, type, dates, retard, ordre</summary>
          <div class="fr-grid-row fr-grid-row--gutters fr-mt-1w">
            <div class="fr-col-12 fr-col-md-4">
              <SelectField
                name="status"
                label="Statut"
                form={form}
                placeholder="Tous"
                options={STATUSES.map((k) => ({ value: k, label: STATUS_LABELS[k] }))}
              />
            </div>
            <div class="fr-col-12 fr-col-md-4">
              <SelectField
                name="channel"
                label="Canal"
                form={form}
                placeholder="Tous"
                options={CHANNELS.map((k) => ({ value: k, label: CHANNEL_LABELS[k] }))}
              />
            </div>
            <div class="fr-col-12 fr-col-md-4">
              <SelectField
                name="kind"
                label="Type"
                form={form}
                placeholder="Tous"
                options={REQUEST_KINDS.map((k) => ({ value: k, label: REQUEST_KIND_LABELS[k] }))}
              />
            </div>
            <div class="fr-col-6 fr-col-md-3">
              <TextField name="from" label="Reçue du" type="date" form={form} />
            </div>
            <div class="fr-col-6 fr-col-md-3">
              <TextField name="to" label="Reçue au" type="date" form={form} />
            </div>
            <div class="fr-col-12 fr-col-md-6">
              <SelectField
                name="sort"
                label="Trier par"
                form={{ values: { ...values, sort: values.sort ?? "due" }, errors }}
                options={(Object.keys(SORT_LABELS) as RequestSort[]).map((k) => ({ value: k, label: SORT_LABELS[k] }))}
              />
            </div>
            <div class="fr-col-12">
              <Checkbox
                name="late"
                label="En retard seulement"
                hint="Ouvertes et dont l'échéance est passée"
                checked={values.late === "true"}
              />
            </div>
          </div>
        </details>
        <ul class="fr-btns-group fr-btns-group--inline-sm">
          <li>
            <button class="fr-btn" type="submit">
              Filtrer
            </button>
          </li>
          {filtered ? (
            <li>
              <a class="fr-btn fr-btn--secondary" href={`${base}?queue=${queue}`}>
                Effacer les filtres
              </a>
            </li>
          ) : null}
        </ul>
      </form>
      {page ? (
        <>
          <TableFrame>
            <table>
              <caption>{`${QUEUE_LABELS[queue]} : ${plural(page.total, "demande")}`}</caption>
              <thead>
                <tr>
                  <th scope="col">N°</th>
                  <th scope="col">Site</th>
                  <th scope="col">Objet</th>
                  <th scope="col">Type</th>
                  <th scope="col">Canal</th>
                  <th scope="col">Reçue le</th>
                  <th scope="col">Échéance</th>
                  <th scope="col">Statut</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => {
                  const late = r.dueOn !== null && r.dueOn < page.today && !r.answeredOn && !r.closedOn;
                  return (
                    <tr>
                      <td>
                        <a href={`/organisations/${r.orgId}/requests/${r.id}`}>{r.number}</a>
                      </td>
                      <td>
                        <a href={`/organisations/${r.orgId}`}>{r.orgName}</a>
                      </td>
                      <td>{r.subject}</td>
                      <td>{REQUEST_KIND_LABELS[r.kind]}</td>
                      <td>{CHANNEL_LABELS[r.channel]}</td>
                      <td>{formatDate(r.receivedOn)}</td>
                      <td>
                        {formatDate(r.dueOn)}
                        {late ? <span class="fr-badge fr-badge--error fr-badge--sm fr-ml-1w">en retard</span> : null}
                      </td>
                      <td>
                        {STATUS_LABELS[r.status]}
                        {r.escalationLevel > 0 && !r.answeredOn ? (
                          <span class="fr-badge fr-badge--warning fr-badge--sm fr-ml-1w">
                            {ESCALATION_BADGES[r.escalationLevel === 1 ? 1 : 2]}
                          </span>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableFrame>
          {rows.length === 0 ? <p>{filtered ? "Aucune demande ne répond à ces critères." : "Aucune demande."}</p> : null}
          {page.previous || page.next ? (
            <nav role="navigation" class="fr-pagination" aria-label="Pages de la liste">
              <ul class="fr-pagination__list">
                <li>
                  {page.previous ? (
                    <a
                      class="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label"
                      href={pageLink(base, values, { before: page.previous })}
                      rel="prev"
                    >
                      Précédent
                    </a>
                  ) : (
                    <a class="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label" aria-disabled="true" role="link">
                      Précédent
                    </a>
                  )}
                </li>
                <li>
                  {page.next ? (
                    <a
                      class="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label"
                      href={pageLink(base, values, { after: page.next })}
                      rel="next"
                    >
                      Suivant
                    </a>
                  ) : (
                    <a class="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" aria-disabled="true" role="link">
                      Suivant
                    </a>
                  )}
                </li>
              </ul>
            </nav>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

type HistoryEvent = RequestEvent;

/** The e-mail the status stands on: the last acknowledgement while acknowledged, the last answer once answered. */
function statusMail(status: RequestRecord["status"], mails: MailState[]): MailState | undefined {
  const kind = status === "acknowledged" ? "acknowledgement" : status === "answered" ? "answer" : null;
  return kind ? mails.filter((m) => m.kind === kind).at(-1) : undefined;
}

const STATUS_BADGE_CLASS = { queued: "fr-badge--info", sent: "fr-badge--success", failed: "fr-badge--error" } as const;

/**
 * The status badge, true to the e-mail behind it: « Réception accusée » alone would not say whether
 * the acknowledgement left, so the state of its last e-mail completes it.
 */
export function statusBadgeText(status: RequestRecord["status"], mails: MailState[]): string {
  const mail = statusMail(status, mails);
  const kind = mail?.kind;
  if (!mail) return STATUS_LABELS[status];
  const what = kind === "acknowledgement" ? "Accusé de réception" : "Réponse";
  if (mail.status === "sent") return `${what} ${kind === "acknowledgement" ? "envoyé" : "envoyée"}`;
  if (mail.status === "failed") return `${what} : échec de l'envoi`;
  return `${what} : courriel en file`;
}

/** The state of the e-mail an event queued, if it did. */
function MailOf({ state, timeZone, prefix }: { state: MailState | undefined; timeZone: string; prefix: string }): SafeHtml | null {
  if (!state) return null;
  return (
    <>
      {prefix}
      <MailStatusBadge state={state} timeZone={timeZone} />
    </>
  );
}

/** What the badge says once the daily job has passed a late request up (see escalation.repository.ts). */
export const ESCALATION_BADGES = { 1: "Transmise au référent", 2: "Transmise au correspondant" } as const;

/** A file size as a French reader writes it: « 820 octets », « 12,5 ko », « 1,2 Mo ». */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${formatNumber(bytes)}${NBSP}${bytes < 2 ? "octet" : "octets"}`;
  if (bytes < 1_000_000) return `${formatNumber(bytes / 1000, 1)}${NBSP}ko`;
  return `${formatNumber(bytes / 1_000_000, 1)}${NBSP}Mo`;
}

function describeEvent(e: HistoryEvent): string {
  const label = (s: string | null) => (s && s in STATUS_LABELS ? STATUS_LABELS[s as keyof typeof STATUS_LABELS] : (s ?? ""));
  switch (e.type) {
    case "created":
      return "Enregistrée";
    case "status":
      return `${label(e.fromStatus)} → ${label(e.toStatus)}`;
    case "holding":
      return "Réponse d'attente";
    case "letter":
      return e.toStatus ? `${label(e.fromStatus)} → ${label(e.toStatus)}` : "Lettre";
    case "answer":
      return "Réponse à l'usager";
    case "reassigned":
      return "Réaffectée";
    case "message":
      return "Message reçu de l'usager";
    case "escalated":
      return "Retard";
    default:
      return e.type;
  }
}

export function RequestPage({
  r,
  events,
  csrf,
  canWrite,
  statusForm,
  holdingForm,
  services,
  today,
  currentAccountId,
  equivalents,
  mails,
  attachments,
  timeZone,
}: {
  /** Every e-mail about the request, with its true state (one query). */
  mails: MailState[];
  /** The files that came with it (an e-mail's attachments). */
  attachments: RequestAttachment[];
  timeZone: string;
  currentAccountId: string;
  /** The commitments of the framework now in force that carry the promise the request was registered under. */
  equivalents: string[];
  r: RequestRecord;
  events: HistoryEvent[];
  csrf: string;
  canWrite: boolean;
  statusForm: FormState;
  holdingForm: FormState;
  services: Array<{ id: string; name: string }>;
  today: string;
}): SafeHtml {
  const base = `/organisations/${r.orgId}/requests/${r.id}`;
  const late = r.dueOn !== null && r.dueOn < today && !r.answeredOn;
  const mailById = new Map(mails.map((m) => [m.id, m]));
  const answer = events.filter((e) => e.type === "answer" && e.message).at(-1);
  const acknowledged = mails.some((m) => m.kind === "acknowledgement");
  return (
    <div>
      <h1>{`${REQUEST_KIND_LABELS[r.kind]} ${r.number}`}</h1>
      <p class="fr-text--lead">{r.subject}</p>
      <ul class="fr-badges-group">
        <li>
          <p class={`fr-badge ${STATUS_BADGE_CLASS[statusMail(r.status, mails)?.status ?? "queued"]}`} id="status-badge">
            {statusBadgeText(r.status, mails)}
          </p>
        </li>
        {late ? (
          <li>
            <p class="fr-badge fr-badge--error">En retard</p>
          </li>
        ) : null}
        {r.escalationLevel > 0 && !r.answeredOn ? (
          <li>
            <p class="fr-badge fr-badge--warning" id="escalation-badge">
              {ESCALATION_BADGES[r.escalationLevel === 1 ? 1 : 2]}
            </p>
          </li>
        ) : null}
      </ul>
      <dl>
        <dt class="fr-text--bold">Canal</dt>
        <dd>{CHANNEL_LABELS[r.channel]}</dd>
        <dt class="fr-text--bold">Reçue le</dt>
        <dd>{longDate(r.receivedOn)}</dd>
        <dt class="fr-text--bold">Délai annoncé</dt>
        <dd>
          {r.target
            ? `${formatDelay(r.target.value, r.target.unit)} (engagement ${r.commitmentId ?? ""}${equivalents.length ? `, aujourd'hui ${equivalents.join(", ")}` : ""})${r.dueOn ? ` — échéance le ${longDate(r.dueOn)}` : ""}`
            : "Aucun délai annoncé pour ce canal"}
        </dd>
        {r.announcedOn ? (
          <>
            <dt class="fr-text--bold">Nouvelle date annoncée</dt>
            <dd>{longDate(r.announcedOn)}</dd>
          </>
        ) : null}
        {r.pausedSince ? (
          <>
            <dt class="fr-text--bold">Délai suspendu depuis</dt>
            <dd>{longDate(r.pausedSince)}</dd>
          </>
        ) : null}
        <dt class="fr-text--bold">Usager</dt>
        <dd>
          {r.anonymisedAt ? (
            // Retention period passed or erasure on request: the figures stay, the person is gone.
            <p class="fr-badge fr-badge--info fr-badge--no-icon">Anonymisée</p>
          ) : (
            [r.requester.name, r.requester.email, r.requester.phone, r.requester.address].filter(Boolean).join(" — ") || "Non renseigné"
          )}
        </dd>
        <dt class="fr-text--bold">Service</dt>
        <dd>{services.find((s) => s.id === r.serviceId)?.name ?? "L'organisation elle-même"}</dd>
      </dl>
      {r.body ? <p class="vigie-pre">{r.body}</p> : null}
      {attachments.length ? (
        <section class="fr-my-3w" id="attachments">
          <h2 class="fr-h4">{attachments.length > 1 ? "Pièces jointes" : "Pièce jointe"}</h2>
          <ul>
            {attachments.map((a) => (
              <li>
                <a class="fr-link fr-link--download" href={a.href} download={a.fileName}>
                  {a.fileName}
                  <span class="fr-link__detail">{formatSize(a.size)}</span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {answer ? (
        <section class="fr-my-3w" id="answer">
          <h2 class="fr-h4">Réponse à l'usager</h2>
          <p class="fr-text--sm">
            {`${formatDateTime(answer.at, timeZone)} — ${answer.actorLabel}`}
            <MailOf state={answer.outboxId ? mailById.get(answer.outboxId) : undefined} timeZone={timeZone} prefix=" — courriel " />
          </p>
          <div class="vigie-letter fr-p-2w fr-background-alt--grey">{answer.message}</div>
        </section>
      ) : null}
      <section class="fr-my-3w" id="mails">
        <h2 class="fr-h4">Courriels à l'usager</h2>
        {mails.length ? (
          <ul>
            {mails.map((m) => (
              <li>
                {`${MAIL_KIND_LABELS[m.kind] ?? "Courriel"} à ${m.to} — `}
                <MailStatusBadge state={m} timeZone={timeZone} />
                {m.status === "failed" && canWrite ? <RetryButton state={m} csrf={csrf} back={base} /> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p>
            {r.anonymisedAt
              ? "Demande anonymisée : l'usager n'y figure plus, aucun courrier ne peut lui être adressé."
              : r.requester.email
                ? "Aucun courriel pour l'instant."
                : "Pas d'adresse électronique : les lettres partent par la poste."}
          </p>
        )}
        {canWrite &&
        r.requester.email &&
        !acknowledged &&
        (r.status === "received" || r.status === "in_progress" || r.status === "waiting") ? (
          <p>
            <a class="fr-btn fr-btn--sm" href={`${base}/letters/acknowledgement/preview`}>
              Préparer l'accusé de réception
            </a>
          </p>
        ) : null}
      </section>
      {r.anonymisedAt ? null : (
        <p>
          {"Lettres à imprimer pour un envoi par la poste : "}
          {canWrite ? (
            <form method="post" action={`${base}/letters/acknowledgement/print`} class="vigie-inline-form">
              <CsrfField token={csrf} />
              <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">
                accusé de réception avec lien de suivi (PDF)
              </button>
            </form>
          ) : (
            "accusé de réception"
          )}
          {" — "}
          <a class="fr-link" href={`${base}/letters/holding`}>
            réponse d'attente (PDF)
          </a>
          {" — "}
          <a class="fr-link" href={`${base}/letters/answer`}>
            réponse (PDF)
          </a>
        </p>
      )}
      {canWrite ? (
        <div class="fr-grid-row fr-grid-row--gutters fr-mt-2w">
          <div class="fr-col-12 fr-col-md-6">
            <h2 class="fr-h4">Changer le statut</h2>
            <ErrorSummary form={statusForm} />
            <form method="post" action={`${base}/status`} novalidate>
              <CsrfField token={csrf} />
              <input type="hidden" name="version" value={String(r.version)} />
              <SelectField
                name="status"
                label="Nouveau statut"
                required
                form={statusForm}
                options={nextStatuses(r.status).map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
              />
              <TextField
                name="on"
                label="Date"
                type="date"
                hint="Si ce n'est pas aujourd'hui, par exemple une réponse postée hier."
                form={statusForm}
              />
              <div class="fr-checkbox-group fr-mb-2w">
                <input type="checkbox" id="pauseClock" name="pauseClock" value="true" />
                <label class="fr-label" for="pauseClock">
                  Suspendre le délai pendant l'attente de l'usager
                </label>
              </div>
              <TextArea
                name="note"
                label="Note interne"
                hint="Gardée dans l'historique, jamais envoyée à l'usager."
                rows={2}
                form={statusForm}
              />
              <TextArea
                name="message"
                label="Message à l'usager"
                hint="Envoyé par courriel avec la réponse quand le statut passe à « Répondue » : vous le relirez avant l'envoi."
                rows={4}
                form={statusForm}
              />
              <button class="fr-btn" type="submit">
                Enregistrer le statut
              </button>
            </form>
          </div>
          <div class="fr-col-12 fr-col-md-6">
            <h2 class="fr-h4">Réponse d'attente</h2>
            <p class="fr-text--sm">Quand le délai ne pourra pas être tenu, annoncez une nouvelle date à l'usager.</p>
            <ErrorSummary form={holdingForm} />
            <form method="post" action={`${base}/holding`} novalidate>
              <CsrfField token={csrf} />
              <input type="hidden" name="version" value={String(r.version)} />
              <TextField name="announcedOn" label="Nouvelle date de réponse" type="date" required form={holdingForm} />
              <TextArea name="note" label="Message à l'usager" rows={3} required form={holdingForm} />
              <button class="fr-btn fr-btn--secondary" type="submit">
                Envoyer la réponse d'attente
              </button>
            </form>
          </div>
        </div>
      ) : null}
      {canWrite ? (
        <div class="fr-mt-2w">
          <h2 class="fr-h4">Affectation</h2>
          <form method="post" action={`${base}/assignment`} class="fr-mb-2w">
            <CsrfField token={csrf} />
            <input type="hidden" name="version" value={String(r.version)} />
            <SelectField
              name="serviceId"
              label="Service chargé"
              form={{ values: { serviceId: r.serviceId ?? undefined }, errors: {} }}
              placeholder="L'organisation elle-même"
              options={services.map((s) => ({ value: s.id, label: s.name }))}
            />
            <fieldset class="fr-fieldset" aria-labelledby="assignee-legend">
              <legend class="fr-fieldset__legend" id="assignee-legend">
                {r.assigneeId
                  ? r.assigneeId === currentAccountId
                    ? "Traitée par vous"
                    : "Traitée par un autre agent"
                  : "Personne ne la traite encore"}
              </legend>
              {[
                ["keep", "Ne rien changer"],
                ["me", "Je m'en charge"],
                ["nobody", "Personne en particulier"],
              ].map(([value, label]) => (
                <div class="fr-fieldset__element">
                  <div class="fr-radio-group">
                    <input type="radio" id={`assignee-${value}`} name="assignee" value={value} checked={value === "keep"} />
                    <label class="fr-label" for={`assignee-${value}`}>
                      {label}
                    </label>
                  </div>
                </div>
              ))}
            </fieldset>
            <button class="fr-btn fr-btn--secondary" type="submit">
              Réaffecter
            </button>
          </form>
        </div>
      ) : null}
      <h2 class="fr-mt-4w">Historique</h2>
      <ol id="history">
        {events.map((e) => (
          <li>
            {`${formatDateTime(e.at, timeZone)} — ${describeEvent(e)} — ${e.actorLabel}`}
            {e.note ? ` : ${e.note}` : ""}
            <MailOf state={e.outboxId ? mailById.get(e.outboxId) : undefined} timeZone={timeZone} prefix=" — " />
          </li>
        ))}
      </ol>
    </div>
  );
}
