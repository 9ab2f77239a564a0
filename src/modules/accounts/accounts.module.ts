/** Comptes, rôles, connexion (mot de passe et OpenID Connect), « Mon compte ». */
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { accountsRoutes } from "./accounts.routes.tsx";
import { authRoutes } from "./auth.routes.tsx";
import { myAccountRoutes } from "./my-account.routes.tsx";
import { oidcRoutes } from "./oidc.routes.tsx";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "auth.invalid_credentials": [401, "Adresse électronique ou mot de passe incorrect."],
  "auth.rate_limited": [429, "Trop de tentatives de connexion. Réessayez dans quelques minutes."],
  "auth.locked": [
    429,
    "Trop de tentatives de connexion à ce compte : par sécurité, il refuse pendant 15 minutes toute connexion depuis un appareil inconnu. Depuis un navigateur où vous vous êtes déjà connecté, la connexion reste possible ; sinon, utilisez « Mot de passe oublié ? ».",
  ],
  "auth.demo_account": [403, "Ce compte de démonstration ne peut se connecter que sur une instance de démonstration."],
  "auth.reset_invalid": [
    400,
    "Ce lien de réinitialisation n'est plus valable (il sert une seule fois, pendant une heure). Demandez-en un nouveau.",
  ],
  "auth.setup_done": [403, "Le premier compte administrateur existe déjà."],
  "account.not_found": [404, "Compte introuvable."],
  "account.stale": [409, "Ce compte a été modifié par quelqu'un d'autre pendant votre saisie. Rechargez la page."],
  "account.email_taken": [409, "Un compte existe déjà avec cette adresse électronique."],
  "account.last_admin": [409, "Impossible : ce compte est le dernier administrateur de l'instance."],
  "auth.password_disabled": [
    403,
    "La connexion par mot de passe est désactivée sur cette instance : utilisez le bouton de votre fournisseur d'identité.",
  ],
  "oidc.provider_not_found": [404, "Fournisseur d'identité introuvable."],
  "oidc.stale": [409, "Ce fournisseur d'identité a été modifié par quelqu'un d'autre entre-temps : rechargez la page."],
  "oidc.discovery_failed": [400, "Le fournisseur d'identité ne répond pas à cette adresse."],
  "oidc.insecure_issuer": [
    400,
    "L'adresse de l'émetteur doit commencer par « https:// » (« http:// » n'est accepté que pour un fournisseur sur cette machine).",
  ],
  "oidc.secret_required": [400, "Le secret client est obligatoire."],
  "oidc.refused": [403, "Vous avez refusé la connexion chez le fournisseur d'identité : vous n'êtes pas connecté à Vigie."],
  "oidc.expired": [400, "Cette tentative de connexion a expiré ou a déjà servi : recommencez en choisissant votre fournisseur ci-dessous."],
  "oidc.failed": [
    400,
    "La connexion par le fournisseur d'identité n'a pas abouti (réponse invalide ou fournisseur injoignable). Réessayez ; si le problème persiste, prévenez l'administrateur de Vigie.",
  ],
  "oidc.acr": [403, "Le niveau d'authentification transmis par le fournisseur d'identité est insuffisant pour Vigie."],
  "oidc.no_email": [
    403,
    "Le fournisseur d'identité n'a pas transmis d'adresse électronique vérifiée : Vigie ne peut pas vous reconnaître.",
  ],
  "oidc.no_account": [
    403,
    "Aucun compte Vigie ne correspond à votre identité, et aucune règle ne permet d'en créer un pour votre organisation. Demandez à l'administrateur de Vigie de vous créer un compte.",
  ],
  "oidc.account_inactive": [403, "Votre compte Vigie est désactivé : adressez-vous à l'administrateur de Vigie."],
  "oidc.no_provider": [
    409,
    "Impossible de désactiver les mots de passe : aucun fournisseur d'identité n'est configuré, plus personne ne pourrait se connecter.",
  ],
  "oidc.admin_not_linked": [
    409,
    "Impossible de désactiver les mots de passe : votre compte n'est relié à aucun fournisseur d'identité. Connectez-vous une fois par un fournisseur, puis recommencez.",
  ],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "accounts",
  errors,
  prefixes: ["account", "auth", "display", "grant", "logout", "oidc", "password", "passwords", "welcome"],
  routes: [authRoutes, oidcRoutes, accountsRoutes, myAccountRoutes],
  flash: {
    "account.created": "Le compte a été créé.",
    "account.updated": "Le compte a été mis à jour.",
    "account.password": "Le mot de passe a été changé ; les sessions ouvertes du compte ont été fermées.",
    "grant.added": "Le rôle a été attribué.",
    "grant.removed": "Le rôle a été retiré.",
    "oidc.provider_saved": "Le fournisseur d'identité a été enregistré : sa configuration a été lue à l'adresse de l'émetteur.",
    "oidc.provider_deleted": "Le fournisseur d'identité a été supprimé.",
    "oidc.rule_added": "La règle a été ajoutée : elle vaut pour les prochains comptes créés à la première connexion.",
    "oidc.rule_removed": "La règle a été supprimée.",
    "passwords.on": "La connexion par mot de passe est autorisée.",
    "passwords.off": "La connexion par mot de passe est désactivée : seuls les fournisseurs d'identité permettent de se connecter.",
    "logout.provider": "Vous êtes déconnecté de Vigie et de votre fournisseur d'identité.",
    "display.updated": "Vos paramètres d'affichage ont été enregistrés.",
    "account.own_password": "Votre mot de passe a été changé ; vos autres sessions ont été fermées.",
    welcome: "Bienvenue ! Vous êtes connecté.",
    "password.reset": "Votre mot de passe est changé et vos autres sessions sont fermées. Connectez-vous avec le nouveau mot de passe.",
  },
});
