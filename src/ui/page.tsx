import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../kernel/config.ts";
import { COMPLIANCE_LABELS, currentCompliance } from "../modules/legal/legal.service.ts";
import { render } from "./jsx/jsx-runtime.ts";
import { Layout, type PageOptions } from "./layout.tsx";

let stylesheets = { full: "", public: "" };
let settings: Pick<Config, "theme" | "brandName"> = { theme: "neutre", brandName: "Vigie" };

export function configurePages(config: Config, urls: { full: string; public: string }): void {
  settings = { theme: config.theme, brandName: config.brandName };
  stylesheets = urls;
}

/** Messages shown once after a redirect, named in the query string (?ok=…) so no state is kept. */
const FLASH: Record<string, string> = {
  "org.created": "L'organisation a été créée.",
  "org.updated": "Les modifications ont été enregistrées.",
  "org.deleted": "L'organisation a été supprimée.",
  "org.logo_set": "Le logo a été enregistré.",
  "mailbox.saved": "La boîte aux lettres est enregistrée : sa première relève est en file et a lieu dans la minute.",
  "mailbox.collecting": "Relève demandée : elle a lieu dans la minute, rechargez la page pour voir son résultat.",
  "escalation.saved": "Les règles de transmission des demandes en retard sont enregistrées.",
  "mailbox.deleted": "La boîte aux lettres n'est plus relevée. Les demandes déjà enregistrées restent.",
  "privacy.saved": "Les durées de conservation et les contacts sont enregistrés ; l'anonymisation suit chaque nuit.",
  "privacy.erased": "Les données de la personne ont été effacées : ses demandes sont anonymisées, leurs chiffres restent.",
  "delays.saved": "Les délais annoncés ont été enregistrés : ils valent pour les demandes reçues à partir de maintenant.",
  "org.logo_removed": "Le logo a été retiré.",
  "account.created": "Le compte a été créé.",
  "notification.read": "La notification est marquée comme lue.",
  "notifications.read": "Toutes vos notifications sont marquées comme lues.",
  "alerts.preferences": "Vos choix d'alertes ont été enregistrés.",
  "alerts.saved": "Les alertes de l'organisation ont été enregistrées.",
  "service_account.created": "Compte de service créé. Donnez-lui un jeton pour que le système qu'il représente appelle l'API.",
  "token.revoked": "Le jeton a été révoqué : les programmes qui s'en servent reçoivent désormais un refus.",
  "webhook.created": "Le point de réception a été ajouté.",
  "webhook.deleted": "Le point de réception a été supprimé : plus rien ne lui est envoyé.",
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
  "framework.adopted": "Le référentiel de l'organisation a été enregistré.",
  "local.created": "L'engagement local a été ajouté.",
  "local.deleted": "L'engagement local a été supprimé.",
  "request.created": "La demande est enregistrée.",
  "request.updated": "Le statut a été enregistré.",
  "request.reassigned": "L'affectation a été enregistrée.",
  "request.holding": "La réponse d'attente est enregistrée.",
  "requests.imported": "Le registre a été importé : les demandes sont enregistrées, les lignes déjà importées ont été ignorées.",
  "mail.retried": "Le courriel est remis en file d'envoi : son état se met à jour au prochain essai.",
  "mail.retried_all": "Les courriels en échec sont remis en file d'envoi.",
  "letter.sent": "La lettre est mise en file d'envoi : son état (en file, envoyé, échec) est indiqué ci-dessous.",
  "template.saved": "Le modèle de lettre a été enregistré.",
  "closure.added": "Le jour de fermeture a été ajouté : les échéances des nouvelles demandes en tiennent compte.",
  "closure.removed": "Le jour de fermeture a été retiré.",
  "survey.created": "L'enquête est créée : diffusez le lien public du questionnaire pour recueillir les réponses.",
  "survey.settings": "Les réglages de l'enquête ont été enregistrés.",
  "survey.draft": "Le brouillon est enregistré : le questionnaire public ne change qu'à la publication.",
  "survey.published": "Le questionnaire est publié.",
  "survey.new_version": "Le questionnaire est publié dans une nouvelle version : les réponses déjà reçues gardent la leur.",
  "comment.reviewed": "La modération du commentaire est enregistrée.",
  "assessment.created": "La campagne d'auto-évaluation est ouverte : renseignez chaque engagement.",
  "assessment.saved": "Les réponses sont enregistrées.",
  "assessment.signed": "La campagne est signée et verrouillée.",
  "assessment.evidence_added": "La pièce justificative est jointe.",
  "assessment.evidence_removed": "La pièce justificative est retirée.",
  "action.created": "L'action est ajoutée au plan.",
  "action.updated": "L'action est enregistrée.",
  "actions.bulk": "Le statut des actions cochées est enregistré.",
  "actions.levers": "Les leviers choisis sont ajoutés au plan, à lancer.",
  "staff.added": "L'agent est ajouté.",
  "staff.training": "La formation est enregistrée.",
  "staff.updated": "La fiche de l'agent est mise à jour.",
  "incident.filed": "Merci : le signalement est transmis au référent qualité.",
  "incident.action": "Le signalement est traduit en action du plan : complétez-la.",
  "incident.dismissed": "Le signalement est classé.",
  "calls.settings": "Les réglages de l'accueil téléphonique sont enregistrés.",
  "calls.imported": "Les appels valides sont enregistrés ; ceux déjà importés ont été ignorés.",
  "calls.discarded": "L'import a été abandonné : rien n'a été enregistré.",
  "mystery.created": "La campagne est créée : les testeurs peuvent saisir leurs résultats.",
  "mystery.test": "Le test est enregistré.",
  "legal.updated": "La page a été mise à jour.",
  "public_info.saved": "Les horaires et informations d'accès ont été enregistrés ; la page publique les montre dès maintenant.",
  "public_info.imported": "La fiche de l'Annuaire a été importée : vérifiez les horaires et les contacts repris.",
  "publication.refreshed": "Les résultats publiés ont été recalculés.",
  "publication.queued": "La publication est lancée : elle se poursuit en arrière-plan, lot par lot.",
  "display.updated": "Vos paramètres d'affichage ont été enregistrés.",
  "account.own_password": "Votre mot de passe a été changé ; vos autres sessions ont été fermées.",
  welcome: "Bienvenue ! Vous êtes connecté.",
  "password.reset": "Votre mot de passe est changé et vos autres sessions sont fermées. Connectez-vous avec le nouveau mot de passe.",
};

/** The light stylesheet's address, for pages that draw their own frame (the counter kiosk). */
export const publicStylesheetUrl = () => stylesheets.public;

export function renderPage(request: FastifyRequest, page: PageOptions): string {
  const query = request.query as { ok?: unknown } | undefined;
  const ok = query?.ok;
  const flash = page.flash ?? (typeof ok === "string" && Object.hasOwn(FLASH, ok) ? FLASH[ok] : undefined);
  const ctx = {
    theme: settings.theme,
    brandName: settings.brandName,
    stylesheet: page.light ? stylesheets.public : stylesheets.full,
    actor: request.actor,
    unreadAlerts: request.unreadAlerts,
    csrfToken: request.csrfToken,
    scheme: request.scheme,
    currentPath: request.url.split("?")[0] ?? "/",
    accessibility: COMPLIANCE_LABELS[currentCompliance()],
  };
  return `<!doctype html>${render(<Layout ctx={ctx} page={{ ...page, flash, notice: page.notice ?? request.pageNotice }} />)}`;
}

export function sendPage(reply: FastifyReply, request: FastifyRequest, page: PageOptions, status = 200): FastifyReply {
  return reply
    .status(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .send(renderPage(request, page));
}

/** Wants HTML rather than JSON: pages, not the /api routes. */
export function wantsHtml(request: FastifyRequest): boolean {
  return !request.url.startsWith("/api/");
}
