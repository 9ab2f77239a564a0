import { CsrfField, ErrorSummary, type FormState, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { ProviderButtons, type SignInButton } from "./oidc.views.tsx";
import { NEW_PASSWORD_HINT } from "./password-reset.views.tsx";

export interface SignInOptions {
  buttons: SignInButton[];
  /** Whether the instance accepts passwords: when it does not, the form is not drawn (and the server refuses it). */
  passwords: boolean;
}

export function LoginView({
  form,
  csrf,
  next,
  options,
}: {
  form: FormState;
  csrf: string;
  next: string;
  options: SignInOptions;
}): SafeHtml {
  return (
    <div class="fr-grid-row fr-grid-row--center">
      <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
        <h1>Connexion à Vigie</h1>
        <ErrorSummary form={form} />
        <ProviderButtons buttons={options.buttons} next={next} />
        {options.passwords ? <PasswordForm form={form} csrf={csrf} next={next} /> : null}
      </div>
    </div>
  );
}

function PasswordForm({ form, csrf, next }: { form: FormState; csrf: string; next: string }): SafeHtml {
  return (
    <form method="post" action="/login" novalidate>
      <CsrfField token={csrf} />
      <input type="hidden" name="next" value={next} />
      <fieldset class="fr-fieldset" aria-labelledby="login-legend">
        <legend class="fr-fieldset__legend" id="login-legend">
          Se connecter avec son compte
        </legend>
        <div class="fr-fieldset__element">
          <TextField name="email" label="Adresse électronique" type="email" autocomplete="username" required form={form} autofocus />
        </div>
        <div class="fr-fieldset__element">
          <TextField name="password" label="Mot de passe" type="password" autocomplete="current-password" required form={form} />
          <p>
            <a class="fr-link" href="/password/forgot">
              Mot de passe oublié ?
            </a>
          </p>
        </div>
        <div class="fr-fieldset__element">
          <button class="fr-btn" type="submit">
            Se connecter
          </button>
        </div>
      </fieldset>
    </form>
  );
}

export function SetupView({ form, csrf }: { form: FormState; csrf: string }): SafeHtml {
  return (
    <div class="fr-grid-row fr-grid-row--center">
      <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
        <h1>Premier démarrage</h1>
        <p>
          Aucun compte n'existe encore. Créez le compte de l'administrateur de cette instance : il pourra ensuite créer l'arbre des
          organisations et les comptes des agents. Cette page se ferme dès que le compte existe.
        </p>
        <ErrorSummary form={form} />
        <form method="post" action="/setup" novalidate>
          <CsrfField token={csrf} />
          <TextField name="displayName" label="Nom et prénom" autocomplete="name" required form={form} />
          <TextField name="email" label="Adresse électronique" type="email" autocomplete="username" required form={form} />
          <TextField
            name="password"
            label="Mot de passe"
            type="password"
            autocomplete="new-password"
            hint={NEW_PASSWORD_HINT}
            required
            form={form}
          />
          <button class="fr-btn" type="submit">
            Créer le compte administrateur
          </button>
        </form>
      </div>
    </div>
  );
}

export function DisplayView({ scheme, csrf }: { scheme: string; csrf: string }): SafeHtml {
  const options = [
    ["light", "Thème clair"],
    ["dark", "Thème sombre"],
    ["system", "Système : utilise les paramètres de votre appareil"],
  ];
  return (
    <div class="fr-col-12 fr-col-md-8">
      <h1>Paramètres d'affichage</h1>
      <form method="post" action="/display">
        <CsrfField token={csrf} />
        <fieldset class="fr-fieldset" aria-labelledby="scheme-legend">
          <legend class="fr-fieldset__legend" id="scheme-legend">
            Choisissez un thème pour personnaliser l'apparence du site.
          </legend>
          {options.map(([value, label]) => (
            <div class="fr-fieldset__element">
              <div class="fr-radio-group">
                <input type="radio" id={`scheme-${value}`} name="scheme" value={value} checked={scheme === value} />
                <label class="fr-label" for={`scheme-${value}`}>
                  {label}
                </label>
              </div>
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

export function ProviderLogoutView({ url }: { url: string }): SafeHtml {
  return (
    <div class="fr-col-12 fr-col-md-8">
      <h1>Vous êtes déconnecté de Vigie</h1>
      <p>Votre navigateur va maintenant chez votre fournisseur d'identité, pour fermer aussi la session ouverte chez lui.</p>
      <p>
        <a class="fr-btn" href={url}>
          Se déconnecter aussi du fournisseur d'identité
        </a>
      </p>
    </div>
  );
}
