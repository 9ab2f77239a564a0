import { ROLE_LABELS } from "../../kernel/roles.ts";
import { CsrfField, ErrorSummary, type FormState, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import type { MyAccount } from "./my-account.service.ts";

const FIELD_LABELS = {
  currentPassword: "Mot de passe actuel",
  password: "Nouveau mot de passe",
  confirmation: "Confirmation",
};

export function MyAccountPage({ account, form, csrf }: { account: MyAccount; form: FormState; csrf: string }): SafeHtml {
  return (
    <div>
      <h1>Mon compte</h1>
      <dl class="fr-mb-4w">
        <dt>Nom</dt>
        <dd>{account.displayName}</dd>
        <dt>Adresse électronique</dt>
        <dd>{account.email}</dd>
      </dl>
      <h2>Mes rôles</h2>
      {account.instanceAdmin ? <p>Administrateur de l'instance : comptes, pages légales et réglages de tout Vigie.</p> : null}
      {account.grants.length === 0 ? (
        <p>Aucun rôle sur une organisation.</p>
      ) : (
        <ul>
          {account.grants.map((g) => (
            <li>
              <a href={`/organisations/${g.orgId}`}>{g.orgName}</a> : {ROLE_LABELS[g.role]}
            </li>
          ))}
        </ul>
      )}
      <h2 class="fr-mt-4w">Alertes</h2>
      <p>
        <a href="/compte/alertes">Mes alertes</a> : les alertes que vous recevez (échéances, réclamations, enquêtes, imports), par courriel
        immédiat ou dans le récapitulatif quotidien ; vos <a href="/notifications">notifications</a>.
      </p>
      <h2 class="fr-mt-4w">Intégrations</h2>
      <p>
        <a href="/compte/jetons">Jetons d'API</a> : pour qu'un programme appelle l'API de Vigie avec vos droits.
      </p>
      <h2 class="fr-mt-4w">Changer mon mot de passe</h2>
      <p>Vos autres sessions ouvertes (sur un autre poste ou un autre navigateur) seront fermées ; celle-ci reste ouverte.</p>
      <ErrorSummary form={form} labels={FIELD_LABELS} />
      <form method="post" action="/compte/password" novalidate class="vigie-narrow-form">
        <CsrfField token={csrf} />
        <TextField
          name="currentPassword"
          label={FIELD_LABELS.currentPassword}
          type="password"
          autocomplete="current-password"
          required
          form={form}
        />
        <TextField
          name="password"
          label={FIELD_LABELS.password}
          type="password"
          autocomplete="new-password"
          hint="12 caractères au moins ; une phrase de plusieurs mots se retient mieux."
          required
          form={form}
        />
        <TextField
          name="confirmation"
          label="Confirmation du nouveau mot de passe"
          type="password"
          autocomplete="new-password"
          required
          form={form}
        />
        <button class="fr-btn" type="submit">
          Changer le mot de passe
        </button>
      </form>
    </div>
  );
}
