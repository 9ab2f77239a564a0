import { formatDateTime } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import type { AuditEntryView, AuditFilters } from "./audit.service.ts";

const ACTIONS: Record<string, string> = {
  create: "Création",
  update: "Modification",
  delete: "Suppression",
  grant: "Attribution de rôle",
  revoke: "Retrait de rôle",
  login: "Connexion",
  password: "Changement de mot de passe",
  link: "Liaison à un fournisseur d'identité",
  use: "Appel avec un jeton d'API",
  export: "Export de données personnelles",
  anonymise: "Anonymisation",
};

const ENTITIES: Record<string, string> = {
  organisation: "Organisation",
  account: "Compte",
  api_token: "Jeton d'API",
  webhook_endpoint: "Point de réception webhook",
  legal_page: "Page légale",
  framework_adoption: "Référentiel adopté",
  local_commitment: "Engagement local",
  letter_template: "Modèle de lettre",
  request: "Demande",
  closure: "Jour de fermeture",
  outbox: "Courriel (renvoi)",
  personal_data: "Données personnelles",
  retention_period: "Durée de conservation",
  audit_log: "Journal d’audit (conservation)",
};

function json(value: unknown): string {
  return value === null || value === undefined ? "" : JSON.stringify(value, null, 1);
}

export function AuditView({
  entries,
  filters,
  nextPage,
}: {
  entries: AuditEntryView[];
  filters: AuditFilters;
  nextPage: string | null;
}): SafeHtml {
  return (
    <div>
      <h1>Journal d'audit</h1>
      <p>Chaque écriture y est inscrite : qui, quand, quoi, avant et après. Le journal ne se modifie pas.</p>
      <form method="get" action="/audit" class="fr-mb-3w">
        <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div class="fr-col-12 fr-col-md-4">
            <div class="fr-select-group">
              <label class="fr-label" for="entity">
                Objet
              </label>
              <select class="fr-select" id="entity" name="entity">
                <option value="">Tous</option>
                {Object.entries(ENTITIES).map(([value, label]) => (
                  <option value={value} selected={filters.entity === value}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div class="fr-col-12 fr-col-md-4">
            <div class="fr-input-group">
              <label class="fr-label" for="actor">
                Auteur
              </label>
              <input class="fr-input" id="actor" name="actor" value={filters.actor ?? ""} />
            </div>
          </div>
          <div class="fr-col-12 fr-col-md-4">
            <button class="fr-btn fr-btn--secondary" type="submit">
              Filtrer
            </button>
          </div>
        </div>
      </form>
      <TableFrame>
        <table>
          <caption>Écritures, de la plus récente à la plus ancienne</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Auteur</th>
              <th scope="col">Action</th>
              <th scope="col">Objet</th>
              <th scope="col">Organisation</th>
              <th scope="col">Avant</th>
              <th scope="col">Après</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr>
                <td>{formatDateTime(e.at)}</td>
                <td>{e.actorLabel}</td>
                <td>{ACTIONS[e.action] ?? e.action}</td>
                <td>
                  {ENTITIES[e.entity] ?? e.entity} <span class="fr-text--xs">{e.entityId}</span>
                </td>
                <td>{e.orgId ? (e.orgName ?? "organisation supprimée") : "Instance"}</td>
                <td>
                  <pre class="vigie-pre">{json(e.before)}</pre>
                </td>
                <td>
                  <pre class="vigie-pre">{json(e.after)}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
      {entries.length === 0 ? <p>Aucune écriture ne correspond.</p> : null}
      {nextPage ? (
        <p>
          <a class="fr-link" href={nextPage}>
            Écritures plus anciennes
          </a>
        </p>
      ) : null}
    </div>
  );
}
