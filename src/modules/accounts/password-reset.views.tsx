import { CsrfField, ErrorSummary, type FormState, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";

export const NEW_PASSWORD_HINT =
  "12 caractères au moins, ni un mot de passe courant, ni une suite de caractères, ni votre nom. Une phrase de plusieurs mots est plus sûre et plus facile à retenir.";

function Column({ children }: { children: SafeHtml | SafeHtml[] }): SafeHtml {
  return (
    <div class="fr-grid-row fr-grid-row--center">
      <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">{children}</div>
    </div>
  );
}

export function ForgotView({ form, csrf }: { form: FormState; csrf: string }): SafeHtml {
  return (
    <Column>
      <h1>Mot de passe oublié</h1>
      <p>
        Indiquez l'adresse électronique de votre compte : vous recevrez un lien pour choisir un nouveau mot de passe. Le lien est valable
        une heure et ne sert qu'une fois.
      </p>
      <ErrorSummary form={form} />
      <form method="post" action="/password/forgot" novalidate>
        <CsrfField token={csrf} />
        <TextField name="email" label="Adresse électronique" type="email" autocomplete="username" required form={form} autofocus />
        <button class="fr-btn" type="submit">
          Recevoir un lien
        </button>
      </form>
      <p class="fr-mt-4w">
        <a class="fr-link" href="/login">
          Retour à la connexion
        </a>
      </p>
    </Column>
  );
}

export function ForgotSentView(): SafeHtml {
  return (
    <Column>
      <h1>Vérifiez votre messagerie</h1>
      <div class="fr-alert fr-alert--info fr-mb-4w">
        <p>
          Si un compte correspond à cette adresse, un message contenant un lien pour choisir un nouveau mot de passe est en cours d'envoi.
          Le lien est valable une heure.
        </p>
      </div>
      <p>
        Rien reçu après quelques minutes ? Regardez dans les courriers indésirables, ou{" "}
        <a class="fr-link" href="/password/forgot">
          demandez un nouveau lien
        </a>
        .
      </p>
      <p>
        <a class="fr-link" href="/login">
          Retour à la connexion
        </a>
      </p>
    </Column>
  );
}

export function ResetView({ form, csrf, token }: { form: FormState; csrf: string; token: string }): SafeHtml {
  return (
    <Column>
      <h1>Choisir un nouveau mot de passe</h1>
      <ErrorSummary form={form} />
      <form method="post" action="/password/reset" novalidate>
        <CsrfField token={csrf} />
        <input type="hidden" name="token" value={token} />
        <TextField
          name="password"
          label="Nouveau mot de passe"
          type="password"
          autocomplete="new-password"
          hint={NEW_PASSWORD_HINT}
          required
          form={form}
          autofocus
        />
        <button class="fr-btn" type="submit">
          Enregistrer le mot de passe
        </button>
      </form>
    </Column>
  );
}

export function ResetInvalidView({ message }: { message: string }): SafeHtml {
  return (
    <Column>
      <h1>Lien expiré ou déjà utilisé</h1>
      <div class="fr-alert fr-alert--error fr-mb-4w">
        <p>{message}</p>
      </div>
      <p>
        <a class="fr-btn" href="/password/forgot">
          Demander un nouveau lien
        </a>
      </p>
    </Column>
  );
}
