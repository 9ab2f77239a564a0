import { formatDate, formatNumber, plural } from "../../ui/format.ts";
import { Checkbox, CsrfField, ErrorSummary, type FormState, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { REQUEST_KIND_LABELS } from "../frameworks/channels.ts";
import type { Organisation } from "../organisations/organisation.ts";
import { PublicOrgHeading } from "../organisations/organisations.views.tsx";
import type { PersonData, PrivacyContact, RetentionPeriods } from "./privacy.service.ts";
import { monthsLabel, RETENTION_KINDS, RETENTION_RULES, type RetentionKind, UNDECIDED_IMPORT_DAYS } from "./retention.ts";

const SEARCH_LABELS = { email: "Adresse électronique", name: "Nom" };

function query(data: PersonData): string {
  const p = new URLSearchParams();
  if (data.query.email) p.set("email", data.query.email);
  if (data.query.name) p.set("name", data.query.name);
  return p.toString();
}

export function PrivacyPage(props: { org: Organisation; csrf: string; settings: FormState; search: FormState; found: PersonData | null }) {
  const base = `/organisations/${props.org.id}/privacy`;
  const { found } = props;
  return (
    <div class="fr-col-12 fr-col-lg-10">
      <h1>Données personnelles</h1>
      <p>
        Les durées de conservation, la recherche des données d'une personne, leur export et leur effacement.{" "}
        <a href={`${base}/register`}>Registre des activités de traitement</a>
      </p>

      <h2>Rechercher une personne</h2>
      <ErrorSummary form={props.search} labels={SEARCH_LABELS} />
      <form method="get" action={base}>
        <div class="fr-grid-row fr-grid-row--gutters">
          <div class="fr-col-12 fr-col-md-6">
            <TextField name="email" type="email" label="Adresse électronique" autocomplete="off" form={props.search} />
          </div>
          <div class="fr-col-12 fr-col-md-6">
            <TextField name="name" label="Nom" hint="Une partie du nom suffit." autocomplete="off" form={props.search} />
          </div>
        </div>
        <button class="fr-btn" type="submit">
          Rechercher
        </button>
      </form>

      {found ? (
        <section class="fr-mt-4w">
          <h3>Résultat</h3>
          <p>
            {plural(found.requests.length, "demande trouvée", "demandes trouvées")},{" "}
            {plural(found.outbox.length, "courriel envoyé", "courriels envoyés")},{" "}
            {plural(found.collected.length, "courriel reçu", "courriels reçus")}.
          </p>
          {found.requests.length ? (
            <TableFrame noCaption>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Numéro</th>
                    <th scope="col">Type</th>
                    <th scope="col">Reçue le</th>
                    <th scope="col">Nom</th>
                    <th scope="col">Adresse électronique</th>
                  </tr>
                </thead>
                <tbody>
                  {found.requests.map((r) => (
                    <tr>
                      <td>
                        <a href={`/organisations/${props.org.id}/requests/${r.id}`}>{r.number}</a>
                      </td>
                      <td>{REQUEST_KIND_LABELS[r.kind]}</td>
                      <td>{formatDate(r.receivedOn)}</td>
                      <td>{r.requester.name ?? "—"}</td>
                      <td>{r.requester.email ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableFrame>
          ) : null}
          <p>
            <a class="fr-link fr-icon-download-line fr-link--icon-left" href={`${base}/export?${query(found)}`} download>
              Exporter ses données (JSON)
            </a>
          </p>
          {found.requests.length || found.outbox.length || found.collected.length ? (
            <form method="post" action={`${base}/erase`} class="fr-mt-2w">
              <CsrfField token={props.csrf} />
              <input type="hidden" name="email" value={found.query.email ?? ""} />
              <input type="hidden" name="name" value={found.query.name ?? ""} />
              <Checkbox
                name="confirm"
                checked={false}
                label="Je confirme l'effacement des données de cette personne"
                hint="Ses demandes restent comptées, mais son nom, ses coordonnées, ses lettres et ses messages sont effacés définitivement."
              />
              <button class="fr-btn fr-btn--secondary" type="submit">
                Effacer ses données
              </button>
            </form>
          ) : null}
        </section>
      ) : null}

      <h2 class="fr-mt-6w">Durées de conservation et contacts</h2>
      <ErrorSummary form={props.settings} />
      <form method="post" action={`${base}/settings`} novalidate>
        <CsrfField token={props.csrf} />
        <p class="fr-hint-text">
          En mois, comptés depuis la réponse ou la clôture (depuis la réponse à l'enquête pour un commentaire). Passé ce délai, les
          demandes, réclamations et suggestions sont anonymisées chaque nuit, le texte des commentaires d'enquête est effacé (les notes
          restent) et les lignes du journal d'audit sont supprimées (de 6 à 36 mois, recommandation de la CNIL) ; les autres durées figurent
          au registre des traitements.
        </p>
        <div class="fr-grid-row fr-grid-row--gutters">
          {RETENTION_KINDS.map((kind) => (
            <div class="fr-col-12 fr-col-md-4">
              <TextField
                name={`months_${kind}`}
                type="number"
                inputmode="numeric"
                label={RETENTION_RULES[kind].label}
                hint={`Par défaut : ${monthsLabel(RETENTION_RULES[kind].months)}`}
                required
                form={props.settings}
              />
            </div>
          ))}
        </div>
        <TextField name="contactEmail" type="email" label="Adresse de contact pour les données personnelles" form={props.settings} />
        <TextField name="dpoName" label="Délégué à la protection des données (nom ou organisme)" form={props.settings} />
        <TextField name="dpoEmail" type="email" label="Adresse du délégué à la protection des données" form={props.settings} />
        <button class="fr-btn" type="submit">
          Enregistrer
        </button>
      </form>
    </div>
  );
}

export function settingsValues(periods: RetentionPeriods, contact: PrivacyContact): Record<string, string> {
  return {
    ...Object.fromEntries(RETENTION_KINDS.map((k) => [`months_${k}`, String(periods[k])])),
    contactEmail: contact.contactEmail,
    dpoName: contact.dpoName,
    dpoEmail: contact.dpoEmail,
  };
}

/** What happens at the end of a kind's period, as the record and the public page say it. */
export function atEnd(kind: RetentionKind): string {
  if (kind === "audit") return "lignes supprimées";
  if (kind === "survey_comments") return "texte effacé, notes conservées";
  return RETENTION_RULES[kind].applied ? "anonymisation automatique, chiffres conservés" : "revue par l'organisme";
}

/** The record of processing activities (RGPD art. 30), generated from the organisation's settings. */
/** The retention periods in force, kind by kind: the staff's register and the public notice show the same table. */
function RetentionTable(props: { kinds: readonly RetentionKind[]; periods: RetentionPeriods; caption?: string }): SafeHtml {
  return (
    <TableFrame noCaption={!props.caption}>
      <table>
        {props.caption ? <caption>{props.caption}</caption> : null}
        <thead>
          <tr>
            <th scope="col">Données</th>
            <th scope="col">Durée</th>
            <th scope="col">Au terme</th>
          </tr>
        </thead>
        <tbody>
          {props.kinds.map((kind) => (
            <tr>
              <td>{RETENTION_RULES[kind].label}</td>
              <td>{monthsLabel(props.periods[kind])}</td>
              <td>{atEnd(kind)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

export function RegisterPage(props: { org: Organisation; periods: RetentionPeriods; contact: PrivacyContact }) {
  const { org, periods, contact } = props;
  const address = [org.address.street, org.address.postcode, org.address.city].filter(Boolean).join(", ");
  const missing = "à compléter dans « Données personnelles »";
  return (
    <div class="fr-col-12 fr-col-lg-10">
      <h1>Registre des activités de traitement</h1>
      <p>Article 30 du règlement général sur la protection des données. Fiche générée à partir des réglages de Vigie.</p>
      <h2>Responsable du traitement</h2>
      <ul>
        <li>Organisme : {org.name}</li>
        <li>Adresse : {address || missing}</li>
        <li>Contact : {contact.contactEmail || missing}</li>
        <li>
          Délégué à la protection des données : {contact.dpoName || missing}
          {contact.dpoEmail ? ` (${contact.dpoEmail})` : ""}
        </li>
      </ul>
      <h2>Traitement : suivi des demandes, réclamations et suggestions du public</h2>
      <ul>
        <li>Finalité : répondre aux usagers dans les délais annoncés et mesurer la qualité du service.</li>
        <li>Base légale : mission d'intérêt public (article 6, paragraphe 1, point e, du RGPD).</li>
        <li>Personnes concernées : les usagers qui écrivent, appellent ou se présentent ; les agents qui traitent.</li>
        <li>
          Données : nom, adresse électronique, adresse postale, téléphone, objet et texte des courriers, messages échangés, pièces jointes.
        </li>
        <li>Destinataires : les agents habilités de l'organisme ; aucun transfert hors de l'Union européenne.</li>
        <li>Sécurité : comptes nominatifs, rôles par organisation, journal d'audit, sauvegardes chiffrées par l'hébergeur.</li>
      </ul>
      <h2>Durées de conservation</h2>
      <RetentionTable kinds={RETENTION_KINDS} periods={periods} />
      <p>Les imports de journaux d'appels non validés sont supprimés au bout de {formatNumber(UNDECIDED_IMPORT_DAYS)}&nbsp;jours.</p>
    </div>
  );
}

/**
 * What a member of the public is told about their data (RGPD art. 13), generated from the same settings as
 * the record: the controller, the contact and the data protection officer, and the periods in force today.
 * A missing contact is said plainly rather than left blank.
 */
export function PublicPrivacyPage(props: { org: Organisation; logo: boolean; periods: RetentionPeriods; contact: PrivacyContact }) {
  const { org, periods, contact } = props;
  const address = [org.address.street, [org.address.postcode, org.address.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
  const writeTo = contact.contactEmail || contact.dpoEmail;
  const publicKinds: RetentionKind[] = ["requests", "complaints", "suggestions", "survey_comments"];
  return (
    <div class="fr-col-12 fr-col-md-10">
      <PublicOrgHeading org={org} logo={props.logo} />
      <h1>Vos données personnelles</h1>
      <p>
        Quand vous écrivez à {org.name}, répondez à une enquête de satisfaction ou déposez une réclamation, vos données sont traitées comme
        suit. Cette page suit les réglages de l'organisme&nbsp;: les durées indiquées sont celles en vigueur aujourd'hui.
      </p>
      <h2>Qui traite vos données</h2>
      <ul>
        <li>
          {"Responsable du traitement\u00a0: "}
          {org.name}
          {address ? `, ${address}` : ""}
        </li>
        <li>
          {"Délégué à la protection des données\u00a0: "}
          {contact.dpoName || contact.dpoEmail ? (
            <>
              {contact.dpoName}
              {contact.dpoEmail ? (
                <>
                  {contact.dpoName ? ", " : ""}
                  <a href={`mailto:${contact.dpoEmail}`}>{contact.dpoEmail}</a>
                </>
              ) : null}
            </>
          ) : (
            "non renseigné par l'organisme"
          )}
        </li>
      </ul>
      <h2>Pourquoi, et sur quelle base</h2>
      <p>
        Pour enregistrer votre demande, vous répondre dans les délais annoncés et mesurer la qualité du service. Base légale&nbsp;:
        l'exécution d'une mission d'intérêt public (article 6, paragraphe 1, point e, du règlement général sur la protection des données).
      </p>
      <p>
        Seuls les agents habilités de l'organisme lisent vos données. Elles ne sont ni vendues ni transférées hors de l'Union européenne.
        Les réponses aux enquêtes sont enregistrées sans votre nom ni votre adresse IP.
      </p>
      <h2>Combien de temps</h2>
      <RetentionTable kinds={publicKinds} periods={periods} caption="Durées de conservation en vigueur" />
      <p class="fr-text--sm">
        La durée court depuis la réponse ou la clôture du dossier (depuis la réponse pour un commentaire d'enquête). Un dossier encore
        ouvert n'est jamais effacé.
      </p>
      <h2>Vos droits</h2>
      <p>
        Vous pouvez demander à consulter vos données, à les faire corriger ou effacer, ou vous opposer à leur traitement
        {writeTo ? (
          <>
            {"\u00a0: écrivez à "}
            <a href={`mailto:${writeTo}`}>{writeTo}</a>.
          </>
        ) : (
          " en écrivant à l'organisme."
        )}
      </p>
      <p>
        Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la Commission nationale de
        l'informatique et des libertés (<a href="https://www.cnil.fr/fr/plaintes">CNIL</a>).
      </p>
    </div>
  );
}
