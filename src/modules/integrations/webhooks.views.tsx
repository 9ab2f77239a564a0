import { formatDateTimeShort, plural } from "../../ui/format.ts";
import { Checkbox, CsrfField, ErrorSummary, type FormState, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { type DeliveryRow, type EndpointRow, EVENT_LABELS, WEBHOOK_EVENTS, type WebhookEvent } from "./webhooks.service.ts";

const LABELS = { url: "Adresse de réception", events: "Événements" };
const STATUS_LABELS: Record<DeliveryRow["status"], string> = { queued: "En attente", delivered: "Remis", failed: "Abandonné" };
const eventLabel = (e: string) => EVENT_LABELS[e as WebhookEvent] ?? e;

export function WebhooksPage(props: {
  orgId: string;
  orgName: string;
  endpoints: EndpointRow[];
  form: FormState;
  csrf: string;
  created?: { url: string; secret: string } | undefined;
}): SafeHtml {
  const chosen = new Set((props.form.values.events ?? "").split(",").filter(Boolean));
  return (
    <div>
      <h1>Webhooks — {props.orgName}</h1>
      <p>
        Vigie envoie à chaque adresse ci-dessous, en JSON signé, les événements de cette organisation et de tout ce qui lui est rattaché. Un
        envoi refusé est retenté (6 essais, de plus en plus espacés). Chaque envoi porte l'en-tête <code>Vigie-Signature: t=…,v1=…</code> :
        le HMAC-SHA256 de « t.corps » avec le secret du point de réception.
      </p>
      {props.created ? (
        <div class="fr-alert fr-alert--success fr-mb-4w" role="status">
          <h2 class="fr-alert__title">Point de réception ajouté</h2>
          <p>Secret de signature de {props.created.url}, à copier maintenant : il ne sera plus affiché.</p>
          <p>
            <code id="new-secret">{props.created.secret}</code>
          </p>
        </div>
      ) : null}
      <h2>Points de réception</h2>
      {props.endpoints.length === 0 ? (
        <p>Aucun point de réception pour l'instant.</p>
      ) : (
        <ul>
          {props.endpoints.map((e) => (
            <li>
              <a href={`/organisations/${props.orgId}/webhooks/${e.id}`}>{e.url}</a> : {e.events.map(eventLabel).join(", ")}
            </li>
          ))}
        </ul>
      )}
      <h2 class="fr-mt-4w">Ajouter un point de réception</h2>
      <ErrorSummary form={props.form} labels={LABELS} />
      <form method="post" action={`/organisations/${props.orgId}/webhooks`} novalidate class="vigie-narrow-form">
        <CsrfField token={props.csrf} />
        <TextField name="url" label={LABELS.url} type="url" hint="Par exemple https://outil.exemple.fr/vigie" required form={props.form} />
        <fieldset class={`fr-fieldset${props.form.errors.events ? " fr-fieldset--error" : ""}`} aria-labelledby="events-legend">
          <legend class="fr-fieldset__legend" id="events-legend">
            {LABELS.events} (obligatoire)
          </legend>
          {WEBHOOK_EVENTS.map((e) => (
            <div class="fr-fieldset__element">
              <Checkbox name="events" id={`event-${e}`} value={e} label={`${EVENT_LABELS[e]} (${e})`} checked={chosen.has(e)} />
            </div>
          ))}
          {props.form.errors.events ? (
            <div class="fr-messages-group" id="events-messages">
              <p class="fr-message fr-message--error">{props.form.errors.events}</p>
            </div>
          ) : null}
        </fieldset>
        <button class="fr-btn" type="submit">
          Ajouter
        </button>
      </form>
    </div>
  );
}

export function EndpointPage(props: { orgId: string; endpoint: EndpointRow; deliveries: DeliveryRow[]; csrf: string }): SafeHtml {
  const { endpoint, deliveries } = props;
  return (
    <div>
      <h1>Point de réception</h1>
      <dl class="fr-mb-4w">
        <dt>Adresse</dt>
        <dd>
          <code>{endpoint.url}</code>
        </dd>
        <dt>Événements</dt>
        <dd>{endpoint.events.map(eventLabel).join(", ")}</dd>
        <dt>Ajouté</dt>
        <dd>
          le {formatDateTimeShort(endpoint.created_at)} par {endpoint.created_by}
        </dd>
      </dl>
      <h2>Journal des envois</h2>
      {deliveries.length === 0 ? (
        <p>Aucun envoi pour l'instant.</p>
      ) : (
        <TableFrame>
          <table id="deliveries">
            <caption>{plural(deliveries.length, "envoi")} (les 100 derniers au plus)</caption>
            <thead>
              <tr>
                <th scope="col">Événement</th>
                <th scope="col">Créé</th>
                <th scope="col">État</th>
                <th scope="col">Code HTTP</th>
                <th scope="col">Essais</th>
                <th scope="col">Prochain essai</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr>
                  <td>
                    {eventLabel(d.event_type)}
                    <br />
                    <small>
                      <code>{d.event_id}</code>
                    </small>
                  </td>
                  <td>{formatDateTimeShort(d.created_at)}</td>
                  <td>
                    {STATUS_LABELS[d.status]}
                    {d.last_error && d.status !== "delivered" ? (
                      <>
                        <br />
                        <small>{d.last_error}</small>
                      </>
                    ) : null}
                  </td>
                  <td>{d.http_status ?? "—"}</td>
                  <td>{d.attempts}</td>
                  <td>
                    {d.status === "queued" && d.next_attempt_at
                      ? formatDateTimeShort(d.next_attempt_at)
                      : d.status === "queued"
                        ? "Dès que possible"
                        : "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      <form method="post" action={`/organisations/${props.orgId}/webhooks/${endpoint.id}/delete`} class="fr-mt-4w">
        <CsrfField token={props.csrf} />
        <button type="submit" class="fr-btn fr-btn--secondary">
          Supprimer ce point de réception
        </button>
      </form>
    </div>
  );
}
