/**
 * One error type with stable codes. The code decides the HTTP status and the French message;
 * anything else thrown is a bug and becomes a bare 500 with a log line.
 */
const CATALOG = {
  validation: [400, "Certaines informations sont à corriger."],
  "http.bad_request": [400, "La requête est mal formée."],
  "http.not_found": [404, "Page introuvable."],
  "http.null_character": [400, "Le texte envoyé contient un caractère nul, qui n'est pas accepté : retirez-le et réessayez."],
  "http.payload_too_large": [413, "Le contenu envoyé est trop volumineux."],
  "http.unsupported_media_type": [415, "Ce type de contenu n'est pas accepté."],
  "db.unavailable": [
    503,
    "Service momentanément indisponible : la base de données ne répond pas. Rien n'a été perdu ; réessayez dans quelques instants.",
  ],
  "auth.required": [401, "Vous devez vous connecter pour accéder à cette page."],
  "auth.forbidden": [403, "Vous n'avez pas les droits nécessaires pour cette action."],
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
  "rate.limited": [429, "Trop d'envois depuis votre connexion. Réessayez dans une heure."],
  "track.mismatch": [404, "Numéro ou code incorrect. Vérifiez-les sur votre accusé de réception."],
  "track.rate_limited": [429, "Trop d'essais depuis votre connexion. Réessayez dans une heure."],
  "csrf.invalid": [403, "Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page et réessayez."],
  "organisation.not_found": [404, "Organisation introuvable."],
  "organisation.stale": [
    409,
    "Cette organisation a été modifiée par quelqu'un d'autre pendant votre saisie. Rechargez la page pour voir la dernière version.",
  ],
  "organisation.has_children": [409, "Cette organisation a des organisations rattachées : supprimez-les ou déplacez-les d'abord."],
  "organisation.has_data": [409, "Cette organisation a des données (demandes, comptes…) : elle ne peut pas être supprimée."],
  "organisation.invalid_parent": [400, "Ce rattachement n'est pas possible."],
  "account.not_found": [404, "Compte introuvable."],
  "notification.not_found": [404, "Notification introuvable (ou déjà lue)."],
  "token.invalid": [401, "Jeton d'API inconnu, expiré ou révoqué. Créez-en un nouveau depuis « Mon compte », rubrique « Jetons d'API »."],
  "token.not_found": [404, "Jeton d'API introuvable (ou déjà révoqué)."],
  "token.service_not_found": [404, "Compte de service introuvable."],
  "webhook.not_found": [404, "Point de réception introuvable."],
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
  "framework.not_found": [404, "Référentiel introuvable."],
  "commitment.not_found": [404, "Engagement introuvable."],
  "feedback.not_found": [404, "Avis introuvable."],
  "obligations.not_a_site": [400, "Le bilan annuel se valide sur un site : cette organisation n'en est pas un."],
  "local_commitment.not_found": [404, "Engagement local introuvable."],
  "local_commitment.stale": [409, "Cet engagement local a été modifié par quelqu'un d'autre pendant votre saisie. Rechargez la page."],
  "request.not_found": [404, "Demande introuvable."],
  "mailbox.not_found": [404, "Boîte aux lettres introuvable."],
  "attachment.not_found": [404, "Pièce jointe introuvable."],
  "request.stale": [
    409,
    "Cette demande a été modifiée par quelqu'un d'autre pendant votre saisie. Rechargez la page : rien n'a été écrasé.",
  ],
  "mail.not_found": [404, "Courriel introuvable."],
  "mail.not_failed": [409, "Ce courriel n'est pas en échec (déjà envoyé, en file ou déjà renvoyé) : rechargez la page."],
  "letter.incomplete": [422, "La lettre ne peut pas être envoyée : il manque des valeurs."],
  "template.stale": [409, "Ce modèle a été modifié par quelqu'un d'autre pendant votre saisie. Rechargez la page."],
  "survey.stale": [409, "Cette enquête a été modifiée par quelqu'un d'autre pendant votre saisie. Rechargez la page."],
  "survey_comment.stale": [409, "Ce commentaire a été modéré par quelqu'un d'autre pendant votre saisie. Rechargez la page."],
  "assessment.not_found": [404, "Auto-évaluation introuvable."],
  "assessment.locked": [409, "Cette auto-évaluation est signée : elle ne peut plus être modifiée. Elle reste consultable et exportable."],
  "assessment.stale": [
    409,
    "Cette auto-évaluation a été modifiée par quelqu'un d'autre pendant votre saisie : rien n'a été enregistré. Rechargez la page pour voir la dernière version.",
  ],
  "action.not_found": [404, "Action introuvable."],
  "action.stale": [
    409,
    "Cette action a été modifiée par quelqu'un d'autre pendant votre saisie : rien n'a été enregistré. Rechargez la page.",
  ],
  "staff.not_found": [404, "Agent introuvable."],
  "staff.stale": [409, "Cette fiche a été modifiée entre-temps : rechargez la page."],
  "incident.not_found": [404, "Signalement introuvable."],
  "incident.stale": [409, "Ce signalement a déjà été traité par quelqu'un d'autre : rechargez la page."],
  "legal.not_found": [404, "Page introuvable."],
  "legal.stale": [409, "Cette page a été modifiée par quelqu'un d'autre pendant votre saisie. Rechargez la page."],
  "public_info.stale": [
    409,
    "Ces informations ont été modifiées par quelqu'un d'autre pendant votre saisie. Rechargez la page : rien n'a été écrasé.",
  ],
  "calls.stale": [
    409,
    "Ces réglages ont été modifiés par quelqu'un d'autre pendant votre saisie. Rechargez la page : rien n'a été écrasé.",
  ],
  "calls.import_state": [409, "Cet import n'en est plus à cette étape : rechargez la page pour voir où il en est."],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof CATALOG;
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly status: number;
  readonly fields: FieldErrors | undefined;

  constructor(
    readonly code: ErrorCode,
    options: { fields?: FieldErrors; message?: string } = {},
  ) {
    const [status, message] = CATALOG[code];
    super(options.message ?? message);
    this.status = status;
    this.fields = options.fields;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
