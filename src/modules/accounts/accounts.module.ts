/** Comptes, rôles, connexion (mot de passe et OpenID Connect), « Mon compte ». */
import { defineModule } from "../../kernel/module.ts";
import { accountsRoutes } from "./accounts.routes.tsx";
import { authRoutes } from "./auth.routes.tsx";
import { myAccountRoutes } from "./my-account.routes.tsx";
import { oidcRoutes } from "./oidc.routes.tsx";

export const module = defineModule({
  name: "accounts",
  prefixes: ["account", "display", "grant", "logout", "oidc", "password", "passwords", "welcome"],
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
