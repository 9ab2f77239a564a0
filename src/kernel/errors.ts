/**
 * One error type with stable codes. The code decides the HTTP status and the French message;
 * anything else thrown is a bug and becomes a bare 500 with a log line.
 */
/**
 * The kernel's own codes: what any route can answer (bad input, missing page, database down, sign-in
 * required, refused, expired form, too many posts). A module's codes live in its description
 * (`errors` in `<module>.module.ts`), under its own prefixes, merged here at start by the assembly.
 */
const KERNEL_ERRORS = {
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
  "rate.limited": [429, "Trop d'envois depuis votre connexion. Réessayez dans une heure."],
  "csrf.invalid": [403, "Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page et réessayez."],
} as const satisfies ErrorEntries;

/** Each code's HTTP status and French message. */
export type ErrorEntries = Readonly<Record<string, readonly [number, string]>>;

/**
 * The modules' codes, for the compiler: each `<module>.module.ts` adds its own to this interface
 * (declaration merging), so `new AppError("action.stale")` is checked at compile time while the
 * catalogue itself stays with the module.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the modules' declarations
export interface ModuleErrorCodes {}

export type ErrorCode = keyof typeof KERNEL_ERRORS | keyof ModuleErrorCodes;

const CATALOG = new Map<string, readonly [number, string]>(Object.entries(KERNEL_ERRORS));

/** Adds a module's codes (the assembly, src/app/modules.ts); a code declared twice is refused at start. */
export function addErrorCodes(entries: ErrorEntries): void {
  for (const [code, entry] of Object.entries(entries)) {
    const known = CATALOG.get(code);
    if (known && (known[0] !== entry[0] || known[1] !== entry[1])) throw new Error(`Code d'erreur déclaré deux fois : ${code}`);
    CATALOG.set(code, entry);
  }
}
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly status: number;
  readonly fields: FieldErrors | undefined;

  constructor(
    readonly code: ErrorCode,
    options: { fields?: FieldErrors; message?: string } = {},
  ) {
    const entry = CATALOG.get(code);
    // A module's code before the assembly ran: a wiring bug, never a user's error.
    if (!entry) throw new Error(`Code d'erreur inconnu (module non assemblé ?) : ${code}`);
    const [status, message] = entry;
    super(options.message ?? message);
    this.status = status;
    this.fields = options.fields;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
