import { z } from "zod";
import { optionalText, requiredText } from "../../kernel/validation.ts";

/** A mailbox as its administrator types it; the secret is never sent back to the page. */
export const mailboxSchema = z.object({
  label: requiredText(100, "Le nom de la boîte"),
  host: requiredText(253, "Le serveur").pipe(
    z.string().regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/, "Le serveur : un nom ou une adresse, sans espace ni protocole."),
  ),
  port: z.coerce
    .number({ error: "Le port est un nombre." })
    .int("Le port est un nombre entier.")
    .min(1, "Le port va de 1 à 65535.")
    .max(65535, "Le port va de 1 à 65535."),
  security: z.enum(["tls", "starttls", "none"], { error: "Choisissez le chiffrement : TLS, STARTTLS ou aucun." }),
  username: requiredText(254, "L'identifiant"),
  auth: z.enum(["password", "oauth2"], { error: "Choisissez : mot de passe ou jeton OAuth2." }),
  secret: requiredText(4096, "Le mot de passe ou le jeton"),
  folder: optionalText(200, "Le dossier").transform((v) => v ?? "INBOX"),
});
export type MailboxInput = z.output<typeof mailboxSchema>;
