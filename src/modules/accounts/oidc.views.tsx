import { ROLE_LABELS } from "../../kernel/roles.ts";
import { Checkbox, CsrfField, ErrorSummary, type FormState, SelectField, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import type { ProviderView } from "./oidc-providers.service.ts";

export interface SignInButton {
  id: string;
  label: string;
  proconnect: boolean;
}

/**
 * The providers' buttons on the sign-in page: plain forms, so they work without JavaScript. ProConnect
 * gets the DSFR « connect » button as ProConnect's own guidelines draw it (brand name, « Qu'est-ce
 * que ProConnect ? » link); the others a DSFR secondary button with the administrator's label.
 */
export function ProviderButtons({ buttons, next }: { buttons: SignInButton[]; next: string }): SafeHtml | null {
  if (buttons.length === 0) return null;
  // Links, not forms: the answer leads to the provider's site, which the CSP's form-action 'self' forbids to a form.
  const href = (b: SignInButton) => `/oidc/${b.id}/start${next === "/" ? "" : `?next=${encodeURIComponent(next)}`}`;
  return (
    <div class="fr-mb-4w">
      {buttons.map((b) =>
        b.proconnect ? (
          <div class="fr-connect-group">
            <a class="fr-connect vigie-proconnect" href={href(b)}>
              <span class="fr-connect__login">S'identifier avec</span>
              <span class="fr-connect__brand">ProConnect</span>
            </a>
            <p>
              <a
                href="https://www.proconnect.gouv.fr/"
                target="_blank"
                rel="noopener"
                title="Qu'est-ce que ProConnect ? - nouvelle fenêtre"
              >
                Qu'est-ce que ProConnect ?
              </a>
            </p>
          </div>
        ) : (
          <p>
            <a class="fr-btn fr-btn--secondary" href={href(b)}>
              {`Se connecter avec ${b.label}`}
            </a>
          </p>
        ),
      )}
    </div>
  );
}

export interface SignInAdminData {
  providers: ProviderView[];
  passwordsEnabled: boolean;
  callbackUrl: string;
  logoutUrl: string;
}

export function SignInAdminView({ data, csrf, form }: { data: SignInAdminData; csrf: string; form: FormState }): SafeHtml {
  return (
    <div class="fr-col-12 fr-col-md-10">
      <h1>Modes de connexion</h1>
      <ErrorSummary form={form} />
      <h2>Fournisseurs d'identité (OpenID Connect)</h2>
      <p>
        Déclarez chez le fournisseur (ProConnect, Keycloak, Microsoft Entra ID…) l'adresse de retour <code>{data.callbackUrl}</code> et
        l'adresse après déconnexion <code>{data.logoutUrl}</code>.
      </p>
      {data.providers.length === 0 ? (
        <p>Aucun fournisseur n'est configuré : la connexion se fait par mot de passe.</p>
      ) : (
        <ul>
          {data.providers.map((p) => (
            <li>
              <a href={`/admin/sign-in/providers/${p.id}`}>{p.label}</a> — {p.issuer}
              {p.proconnect ? " (mode ProConnect)" : ""}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a class="fr-btn fr-btn--secondary" href="/admin/sign-in/providers/new">
          Ajouter un fournisseur
        </a>
      </p>
      <h2>Mots de passe</h2>
      <form method="post" action="/admin/sign-in/passwords" novalidate>
        <CsrfField token={csrf} />
        <fieldset class="fr-fieldset" aria-labelledby="passwords-legend">
          <legend class="fr-fieldset__legend" id="passwords-legend">
            Connexion par mot de passe
            <span class="fr-hint-text">
              Pour la désactiver, au moins un fournisseur doit exister et votre compte doit y être relié. En cas de blocage, la commande «
              npm run create-admin » sur le serveur crée un administrateur et réactive les mots de passe.
            </span>
          </legend>
          {[
            ["on", "Autorisée (formulaire affiché sur la page de connexion)"],
            ["off", "Désactivée : seuls les fournisseurs d'identité permettent de se connecter"],
          ].map(([value, label]) => (
            <div class="fr-fieldset__element">
              <div class="fr-radio-group">
                <input
                  type="radio"
                  id={`passwords-${value}`}
                  name="passwords"
                  value={value}
                  checked={(value === "on") === data.passwordsEnabled}
                />
                <label class="fr-label" for={`passwords-${value}`}>
                  {label}
                </label>
              </div>
            </div>
          ))}
        </fieldset>
        <button type="submit" class="fr-btn">
          Enregistrer
        </button>
      </form>
    </div>
  );
}

/** The provider's form. The client secret is never shown back: left blank when editing, it is kept. */
export function ProviderForm({
  form,
  csrf,
  action,
  editing,
}: {
  form: FormState;
  csrf: string;
  action: string;
  editing: boolean;
}): SafeHtml {
  return (
    <form method="post" action={action} novalidate>
      <ErrorSummary form={form} />
      <CsrfField token={csrf} />
      <TextField name="label" label="Libellé du bouton" hint="Par exemple : ProConnect, Annuaire de la mairie." required form={form} />
      <TextField
        name="issuer"
        label="Adresse de l'émetteur (issuer)"
        hint="Par exemple : https://auth.agentconnect.gouv.fr/api/v2 ou https://sso.mairie.fr/realms/agents. Vigie lit sa configuration à l'enregistrement."
        type="url"
        required
        form={form}
      />
      <TextField name="clientId" label="Identifiant client (client_id)" required form={form} />
      <div class={`fr-input-group${form.errors.clientSecret ? " fr-input-group--error" : ""}`}>
        <label class="fr-label" for="clientSecret">
          {`Secret client (client_secret)${editing ? "" : " (obligatoire)"}`}
          <span class="fr-hint-text">
            {editing
              ? "Enregistré chiffré et jamais réaffiché : laissez vide pour garder le secret actuel."
              : "Enregistré chiffré et jamais réaffiché."}
          </span>
        </label>
        <input
          class="fr-input"
          type="password"
          id="clientSecret"
          name="clientSecret"
          autocomplete="off"
          aria-describedby="clientSecret-messages"
        />
        <div class="fr-messages-group" id="clientSecret-messages" aria-live="polite">
          {form.errors.clientSecret ? <p class="fr-message fr-message--error">{form.errors.clientSecret}</p> : null}
        </div>
      </div>
      <TextField name="scopes" label="Portées (scopes), séparées par des espaces" required form={form} />
      <fieldset class="fr-fieldset" aria-labelledby="claims-legend">
        <legend class="fr-fieldset__legend" id="claims-legend">
          Attributs transmis par le fournisseur
        </legend>
        <div class="fr-fieldset__element">
          <TextField name="emailClaim" label="Adresse électronique" required form={form} />
          <TextField name="givenNameClaim" label="Prénom" required form={form} />
          <TextField name="familyNameClaim" label="Nom de naissance" required form={form} />
          <TextField name="usualNameClaim" label="Nom d'usage" required form={form} />
        </div>
      </fieldset>
      <Checkbox
        name="proconnect"
        label="Mode ProConnect"
        hint="Réponse userinfo signée exigée, niveau eidas1 demandé et vérifié, bouton ProConnect sur la page de connexion."
        checked={form.values.proconnect === "true" || form.values.proconnect === "on"}
      />
      <button type="submit" class="fr-btn">
        Enregistrer le fournisseur
      </button>
    </form>
  );
}

export interface RuleView {
  id: string;
  claim: string;
  value: string;
  orgName: string;
  role: string;
}

export function RulesSection(props: {
  providerId: string;
  rules: RuleView[];
  orgs: Array<{ value: string; label: string; depth?: number }>;
  csrf: string;
  form: FormState;
}): SafeHtml {
  return (
    <section class="fr-mt-6w">
      <h2>Comptes créés à la première connexion</h2>
      <p>
        Une personne inconnue de Vigie obtient un compte si un attribut transmis par le fournisseur a la valeur d'une règle : elle reçoit
        alors le rôle de la règle. Sans règle correspondante, la connexion est refusée. Une personne dont l'adresse électronique est déjà
        celle d'un compte est reliée à ce compte.
      </p>
      {props.rules.length === 0 ? (
        <p>Aucune règle : seules les personnes qui ont déjà un compte peuvent se connecter par ce fournisseur.</p>
      ) : (
        <div class="fr-table">
          <table>
            <caption>Règles d'attribution des rôles</caption>
            <thead>
              <tr>
                <th scope="col">Attribut</th>
                <th scope="col">Valeur</th>
                <th scope="col">Organisation</th>
                <th scope="col">Rôle</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {props.rules.map((r) => (
                <tr>
                  <td>{r.claim}</td>
                  <td>{r.value}</td>
                  <td>{r.orgName}</td>
                  <td>{ROLE_LABELS[r.role as keyof typeof ROLE_LABELS] ?? r.role}</td>
                  <td>
                    <form method="post" action={`/admin/sign-in/providers/${props.providerId}/rules/${r.id}/delete`}>
                      <CsrfField token={props.csrf} />
                      <button type="submit" class="fr-btn fr-btn--sm fr-btn--tertiary">
                        Supprimer
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Ajouter une règle</h3>
      <ErrorSummary form={props.form} />
      <form method="post" action={`/admin/sign-in/providers/${props.providerId}/rules`} novalidate>
        <CsrfField token={props.csrf} />
        <TextField name="claim" label="Attribut" hint="Par exemple : siret, groups, idp_id." required form={props.form} />
        <TextField name="value" label="Valeur" hint="Par exemple : 21780498600018." required form={props.form} />
        <SelectField name="orgId" label="Organisation" required placeholder="Choisir" options={props.orgs} form={props.form} />
        <SelectField
          name="role"
          label="Rôle"
          required
          placeholder="Choisir"
          options={Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }))}
          form={props.form}
        />
        <button type="submit" class="fr-btn">
          Ajouter la règle
        </button>
      </form>
    </section>
  );
}
