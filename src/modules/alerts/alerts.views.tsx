import { formatDateTimeShort, formatNumber, NBSP, pluralWord } from "../../ui/format.ts";
import { Checkbox, CsrfField, ErrorSummary, type FormState, SelectField, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import {
  ALERT_KIND_LABELS,
  ALERT_KINDS,
  ALERT_MODE_LABELS,
  type AlertMode,
  DEFAULT_DEADLINE_DAYS,
  type NotificationRecord,
} from "./alerts.service.ts";

/** The person's notifications, newest first, unread ones marked, each with its own « Marquer comme lue ». */
export function NotificationsPage({ items, unread, csrf }: { items: NotificationRecord[]; unread: number; csrf: string }): SafeHtml {
  return (
    <div>
      <h1>Notifications</h1>
      <p>
        {unread
          ? `${formatNumber(unread)}${NBSP}${pluralWord(unread, "notification non lue", "notifications non lues")}.`
          : "Aucune notification non lue."}{" "}
        <a href="/compte/alertes">Choisir les alertes que vous recevez</a>
      </p>
      {unread ? (
        <form method="post" action="/notifications/read-all">
          <CsrfField token={csrf} />
          <button class="fr-btn fr-btn--secondary fr-mb-3w" type="submit">
            Tout marquer comme lu
          </button>
        </form>
      ) : null}
      {items.length ? (
        <ul class="fr-raw-list vigie-notifications">
          {items.map((n) => (
            <li class="fr-mb-3w">
              <p class="fr-mb-1v">
                {n.read ? null : <span class="fr-badge fr-badge--sm fr-badge--new fr-mr-1w">Non lue</span>}
                <a href={n.link}>
                  <strong>{n.title}</strong>
                </a>
              </p>
              <p class="fr-mb-1v">{n.body}</p>
              <p class="fr-hint-text fr-mb-1v">{formatDateTimeShort(n.createdAt)}</p>
              {n.read ? null : (
                <form method="post" action={`/notifications/${n.id}/read`}>
                  <CsrfField token={csrf} />
                  <button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit">
                    Marquer comme lue
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p>Vous n'avez encore reçu aucune alerte.</p>
      )}
    </div>
  );
}

const MODES: AlertMode[] = ["immediate", "digest", "off"];

/** « Mon compte › Alertes »: for each kind, at once by e-mail, in the daily digest, or not at all. */
export function MyAlertsPage({ form, csrf }: { form: FormState; csrf: string }): SafeHtml {
  return (
    <div>
      <h1>Mes alertes</h1>
      <p>
        Chaque alerte s'affiche dans vos <a href="/notifications">notifications</a>. Choisissez pour chacune si elle vous est aussi envoyée
        par courriel dès qu'elle survient, ou dans le récapitulatif quotidien, ou pas du tout. L'organisation peut aussi en désactiver
        certaines pour tous.
      </p>
      <ErrorSummary form={form} />
      <form method="post" action="/compte/alertes" novalidate>
        <CsrfField token={csrf} />
        {ALERT_KINDS.map((kind) => (
          <SelectField
            name={kind}
            label={ALERT_KIND_LABELS[kind]}
            options={MODES.map((m) => ({ value: m, label: ALERT_MODE_LABELS[m] }))}
            form={form}
          />
        ))}
        <button class="fr-btn" type="submit">
          Enregistrer
        </button>
      </form>
    </div>
  );
}

/** An organisation's alerts: N, and which kinds are on for the organisation. */
export function OrgAlertsPage({ orgId, orgName, form, csrf }: { orgId: string; orgName: string; form: FormState; csrf: string }): SafeHtml {
  return (
    <div>
      <h1>{`Alertes — ${orgName}`}</h1>
      <p>
        Les alertes vont aux correspondants et aux administrateurs de l'organisation et des nœuds au-dessus ; une demande transmise en
        retard prévient la personne qui la reçoit. Chacun choisit ensuite comment il les reçoit, dans « Mon compte ».
      </p>
      <ErrorSummary form={form} />
      <form method="post" action={`/organisations/${orgId}/alerts`} novalidate>
        <CsrfField token={csrf} />
        <TextField
          name="deadlineDays"
          label="Prévenir avant une échéance (jours ouvrés)"
          hint={`Un nombre entier de 1 à 30 ; par défaut ${formatNumber(DEFAULT_DEADLINE_DAYS)}.`}
          type="number"
          form={form}
        />
        <fieldset class="fr-fieldset">
          <legend class="fr-fieldset__legend">Alertes actives pour l'organisation</legend>
          {ALERT_KINDS.map((kind) => (
            <div class="fr-fieldset__element">
              <Checkbox name={`kind_${kind}`} label={ALERT_KIND_LABELS[kind]} checked={form.values[`kind_${kind}`] === "true"} />
            </div>
          ))}
        </fieldset>
        <button class="fr-btn" type="submit">
          Enregistrer
        </button>
      </form>
    </div>
  );
}
