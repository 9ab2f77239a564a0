import { formatDateTime, formatNumber, plural } from "../../ui/format.ts";
import { CsrfField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import type { MailHealth, MailState, MailStatus } from "./mail.service.ts";

export const MAIL_STATUS_LABELS: Record<MailStatus, string> = { queued: "en file", sent: "envoyé", failed: "échec" };

const BADGE_CLASS: Record<MailStatus, string> = { queued: "fr-badge--info", sent: "fr-badge--success", failed: "fr-badge--error" };

/** What each message is, for the lists; a kind this module does not know reads « Courriel ». */
export const MAIL_KIND_LABELS: Record<string, string> = {
  acknowledgement: "Accusé de réception",
  holding: "Réponse d'attente",
  answer: "Réponse",
  digest: "Rappel quotidien",
  escalation: "Demande en retard transmise",
};

/** « le 4 décembre 2026 à 14 h 05 », « prochain essai le … », « SMTP non configuré »: the detail after the badge. */
export function mailStateDetail(state: MailState, timeZone: string): string {
  switch (state.status) {
    case "sent":
      return state.sentAt ? `le ${formatDateTime(state.sentAt, timeZone)}` : "";
    case "failed":
      return state.reason ?? "";
    default: {
      const next = state.nextAttemptAt ? `prochain essai le ${formatDateTime(state.nextAttemptAt, timeZone)}` : "en attente d'envoi";
      return state.reason ? `${next} (dernier essai : ${state.reason})` : next;
    }
  }
}

/**
 * The state of one message, true to its outbox row: « EN FILE prochain essai le … », « ENVOYÉ le … »,
 * « ÉCHEC SMTP non configuré ». Used on the request page, its history and the public tracking page.
 */
export function MailStatusBadge({ state, timeZone }: { state: MailState; timeZone: string }): SafeHtml {
  const detail = mailStateDetail(state, timeZone);
  return (
    <span class="vigie-mail-state" data-mail-status={state.status}>
      <span class={`fr-badge fr-badge--sm fr-badge--no-icon ${BADGE_CLASS[state.status]}`}>{MAIL_STATUS_LABELS[state.status]}</span>
      {detail ? ` ${state.status === "failed" ? ": " : ""}${detail}` : ""}
    </span>
  );
}

/** The « Renvoyer » button of a failed message; `back` is the page to return to. */
export function RetryButton({ state, csrf, back }: { state: MailState; csrf: string; back: string }): SafeHtml {
  return (
    <form method="post" action={`/organisations/${state.orgId}/mail/${state.id}/retry`} class="vigie-inline-form">
      <CsrfField token={csrf} />
      <input type="hidden" name="back" value={back} />
      <button class="fr-btn fr-btn--sm fr-btn--secondary fr-ml-1w" type="submit" title={`Renvoyer le courriel à ${state.to}`}>
        Renvoyer
      </button>
    </form>
  );
}

/**
 * The banner on staff pages while mail does not leave: nobody set SMTP_URL, or messages failed.
 * Whoever handles requests gets the count over what they see, and the page listing them.
 */
export function MailBanner({ health, canList }: { health: MailHealth; canList: boolean }): SafeHtml | null {
  const unsent = health.failed + health.queued;
  if (health.configured && health.failed === 0) return null;
  const link =
    canList && unsent > 0 ? (
      <a class="fr-link" href="/mail">
        {health.failed ? "Voir et renvoyer les courriels en échec" : "Voir les courriels en attente"}
      </a>
    ) : null;
  if (!health.configured) {
    return (
      <div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-3w" role="alert" id="mail-banner">
        <p>
          {"Les courriels ne partent pas\u00a0: aucun serveur d'envoi (SMTP_URL) n'est configuré."}
          {canList && unsent ? ` ${plural(unsent, "courriel")} non ${unsent > 1 ? "envoyés" : "envoyé"}. ` : " "}
          {link}
        </p>
      </div>
    );
  }
  return (
    <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-3w" role="alert" id="mail-banner">
      <p>
        {`Les derniers envois ont échoué\u00a0: ${plural(health.failed, "courriel")} en échec. `}
        {link}
      </p>
    </div>
  );
}

export function UnsentMailPage({
  messages,
  health,
  csrf,
  timeZone,
  admin,
  canRetry,
}: {
  messages: MailState[];
  health: MailHealth;
  csrf: string;
  timeZone: string;
  /** The instance administrator sees every organisation's mail and can set SMTP_URL; others their subtrees. */
  admin: boolean;
  canRetry: boolean;
}): SafeHtml {
  return (
    <div>
      <h1>Courriels non envoyés</h1>
      <p>
        {health.configured
          ? "Un serveur d'envoi (SMTP_URL) est configuré."
          : admin
            ? "Aucun serveur d'envoi (SMTP_URL) n'est configuré\u00a0: indiquez-le dans la configuration et redémarrez Vigie, puis renvoyez les courriels en échec."
            : "Aucun serveur d'envoi (SMTP_URL) n'est configuré\u00a0: l'administrateur de Vigie doit l'indiquer\u00a0; les courriels en échec pourront ensuite être renvoyés."}
        {admin ? "" : " Courriels des organisations dont vous suivez les demandes."}
        {` ${formatNumber(health.failed)} en échec, ${formatNumber(health.queued)} en file.`}
      </p>
      {canRetry && health.failed > 0 ? (
        <form method="post" action="/mail/retry-failed" class="fr-mb-3w">
          <CsrfField token={csrf} />
          <button class="fr-btn" type="submit">
            {`Renvoyer ${health.failed > 1 ? `les ${formatNumber(health.failed)} courriels` : "le courriel"} en échec`}
          </button>
        </form>
      ) : null}
      <TableFrame>
        <table>
          <caption>{`Courriels en échec ou en file : ${formatNumber(messages.length)}`}</caption>
          <thead>
            <tr>
              <th scope="col">Créé le</th>
              <th scope="col">Courriel</th>
              <th scope="col">Destinataire</th>
              <th scope="col">État</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr>
                <td>{formatDateTime(m.createdAt, timeZone)}</td>
                <td>
                  {m.requestId ? (
                    <a href={`/organisations/${m.orgId}/requests/${m.requestId}`}>{m.subject}</a>
                  ) : (
                    `${MAIL_KIND_LABELS[m.kind] ?? "Courriel"} — ${m.subject}`
                  )}
                </td>
                <td>{m.to}</td>
                <td>
                  <MailStatusBadge state={m} timeZone={timeZone} />
                  {canRetry && m.status === "failed" ? <RetryButton state={m} csrf={csrf} back="/mail" /> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
    </div>
  );
}
