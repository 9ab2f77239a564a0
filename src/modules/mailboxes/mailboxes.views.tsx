import { formatDateTime, formatNumber, plural } from "../../ui/format.ts";
import { CsrfField, ErrorSummary, type FormState, SelectField, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import type { Organisation } from "../organisations/organisations.service.ts";
import type { IgnoredMessage, Mailbox } from "./mailboxes.service.ts";

const SECURITY_LABELS = { tls: "TLS (port 993 en général)", starttls: "STARTTLS (port 143)", none: "Aucun (réseau local de confiance)" };

function MailboxCard({
  box,
  ignored,
  orgId,
  timeZone,
  csrf,
}: {
  box: Mailbox;
  ignored: IgnoredMessage[];
  orgId: string;
  timeZone: string;
  csrf: string;
}) {
  return (
    <section class="fr-mb-6w" aria-labelledby={`box-${box.id}`}>
      <h2 id={`box-${box.id}`}>{box.label}</h2>
      <p>
        {box.username} sur {box.host}:{String(box.port)} — {SECURITY_LABELS[box.security]} — dossier « {box.folder} »
      </p>
      {box.lastError ? (
        <div class="fr-alert fr-alert--error fr-mb-2w" role="alert">
          <h3 class="fr-alert__title">
            Relève en échec{box.failingSince ? ` depuis le ${formatDateTime(box.failingSince, timeZone)}` : ""}
          </h3>
          <p>{box.lastError}</p>
        </div>
      ) : null}
      <ul>
        <li>
          Dernière relève : {box.lastRunAt ? formatDateTime(box.lastRunAt, timeZone) : "pas encore faite"}
          {box.lastSuccessAt && box.lastError ? ` (dernière réussie : ${formatDateTime(box.lastSuccessAt, timeZone)})` : ""}
        </li>
        <li>{plural(box.registered, "demande enregistrée", "demandes enregistrées")}</li>
        <li>{plural(box.joined, "réponse d'usager jointe à sa demande", "réponses d'usagers jointes à leur demande")}</li>
        <li>
          {plural(box.ignored, "message ignoré", "messages ignorés")} (réponses automatiques, avis de non-remise, listes de diffusion)
        </li>
      </ul>
      {ignored.length ? (
        <TableFrame>
          <table>
            <caption>Derniers messages ignorés</caption>
            <thead>
              <tr>
                <th scope="col">Reçu le</th>
                <th scope="col">Expéditeur</th>
                <th scope="col">Objet</th>
                <th scope="col">Motif</th>
              </tr>
            </thead>
            <tbody>
              {ignored.map((m) => (
                <tr>
                  <td>{m.arrivedAt ? formatDateTime(m.arrivedAt, timeZone) : ""}</td>
                  <td>{m.sender ?? "(aucun)"}</td>
                  <td>{m.subject || "(sans objet)"}</td>
                  <td>{m.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : null}
      <div class="fr-btns-group fr-btns-group--inline-md">
        <form method="post" action={`/organisations/${orgId}/mailboxes/${box.id}/collect`}>
          <CsrfField token={csrf} />
          <button type="submit" class="fr-btn fr-btn--secondary">
            Relever maintenant
          </button>
        </form>
        <form method="post" action={`/organisations/${orgId}/mailboxes/${box.id}/delete`}>
          <CsrfField token={csrf} />
          <input type="hidden" name="confirm" value="oui" />
          <button type="submit" class="fr-btn fr-btn--tertiary">
            Retirer cette boîte
          </button>
        </form>
      </div>
    </section>
  );
}

export function MailboxesPage(props: {
  org: Organisation;
  boxes: Array<{ box: Mailbox; ignored: IgnoredMessage[] }>;
  form: FormState;
  csrf: string;
  tested: "ok" | null;
}): SafeHtml {
  const { org, form, csrf } = props;
  const total = props.boxes.reduce((n, b) => n + b.box.registered, 0);
  return (
    <div>
      <h1>Boîtes aux lettres relevées — {org.name}</h1>
      <p>
        Vigie relève chaque minute les boîtes aux lettres du service : chaque nouveau courriel devient une demande reçue par courriel, datée
        de son arrivée, et l'accusé de réception part avec le délai annoncé. La réponse d'un usager rejoint sa demande.{" "}
        {props.boxes.length ? `${formatNumber(total)} ${total > 1 ? "demandes enregistrées" : "demande enregistrée"} à ce jour.` : ""}
      </p>
      {props.boxes.length === 0 ? <p>Aucune boîte aux lettres n'est encore relevée.</p> : null}
      {props.boxes.map(({ box, ignored }) => (
        <MailboxCard box={box} ignored={ignored} orgId={org.id} timeZone={org.timeZone} csrf={csrf} />
      ))}
      <h2 id="ajout">Relever une boîte aux lettres</h2>
      {props.tested === "ok" ? (
        <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
          <p>Connexion réussie : le dossier s'ouvre. Saisissez à nouveau le mot de passe pour enregistrer la boîte.</p>
        </div>
      ) : null}
      <ErrorSummary form={form} />
      <form method="post" action={`/organisations/${org.id}/mailboxes`} novalidate aria-labelledby="ajout">
        <CsrfField token={csrf} />
        <TextField name="label" label="Nom de la boîte" hint="Par exemple : Accueil, État civil" form={form} required maxlength={100} />
        <TextField name="host" label="Serveur IMAP" hint="Par exemple : imap.mairie.fr" form={form} required autocomplete="off" />
        <TextField name="port" label="Port" form={form} required inputmode="numeric" />
        <SelectField
          name="security"
          label="Chiffrement"
          form={form}
          required
          options={Object.entries(SECURITY_LABELS).map(([value, label]) => ({ value, label }))}
        />
        <TextField name="username" label="Identifiant" form={form} required autocomplete="off" />
        <SelectField
          name="auth"
          label="Authentification"
          form={form}
          required
          options={[
            { value: "password", label: "Mot de passe" },
            { value: "oauth2", label: "Jeton d'accès OAuth2 (XOAUTH2)" },
          ]}
        />
        <TextField
          name="secret"
          label="Mot de passe ou jeton"
          type="password"
          hint="Conservé chiffré, jamais réaffiché."
          form={form}
          required
          autocomplete="new-password"
        />
        <TextField name="folder" label="Dossier relevé" hint="INBOX si vide" form={form} />
        <div class="fr-btns-group fr-btns-group--inline-md">
          <button type="submit" class="fr-btn fr-btn--secondary" formaction={`/organisations/${org.id}/mailboxes/test`}>
            Tester la connexion
          </button>
          <button type="submit" class="fr-btn">
            Enregistrer
          </button>
        </div>
      </form>
    </div>
  );
}
