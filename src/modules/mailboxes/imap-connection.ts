import { createRequire } from "node:module";
import type { ImapFlow, ImapFlowOptions } from "imapflow";

// Required on the first collection, not at start (issue #17, point 6): ~35 MB and ~0.35 s to load.
let imapflow: typeof import("imapflow") | undefined;

export interface ImapSettings {
  host: string;
  port: number;
  security: "tls" | "starttls" | "none";
  username: string;
  auth: "password" | "oauth2";
  secret: string;
}

export function imapClient(s: ImapSettings): ImapFlow {
  const options: ImapFlowOptions = {
    host: s.host,
    port: s.port,
    secure: s.security === "tls",
    // STARTTLS required when asked for: never fall back to a clear connection that would carry the password.
    doSTARTTLS: s.security === "starttls" ? true : s.security === "none" ? false : undefined,
    auth: s.auth === "oauth2" ? { user: s.username, accessToken: s.secret } : { user: s.username, pass: s.secret },
    logger: false,
    connectionTimeout: 15_000,
    greetingTimeout: 10_000,
    socketTimeout: 120_000,
    disableAutoIdle: true,
  };
  imapflow ??= createRequire(import.meta.url)("imapflow") as typeof import("imapflow");
  return new imapflow.ImapFlow(options);
}

interface ImapLikeError {
  code?: string;
  authenticationFailed?: boolean;
  responseText?: string;
  serverResponseCode?: string;
  mailboxMissing?: boolean;
  message?: string;
}

/** The reason a mailbox cannot be read, in French, with the server's own words when it gave some. */
export function imapErrorText(error: unknown, folder?: string): string {
  const e = (typeof error === "object" && error !== null ? error : {}) as ImapLikeError;
  const server = e.responseText ? ` (réponse du serveur : « ${e.responseText} »)` : "";
  if (e.authenticationFailed || e.serverResponseCode === "AUTHENTICATIONFAILED") {
    return `Identifiant ou mot de passe refusé par le serveur${server}.`;
  }
  if (e.mailboxMissing || e.serverResponseCode === "NONEXISTENT")
    return `Le dossier « ${folder ?? "?"} » n'existe pas dans cette boîte${server}.`;
  switch (e.code) {
    case "ECONNREFUSED":
      return "Connexion refusée : aucun serveur IMAP n'écoute à cette adresse et ce port.";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "Serveur introuvable : vérifiez le nom du serveur.";
    case "ETIMEDOUT":
    case "CONNECT_TIMEOUT":
    case "GREETING_TIMEOUT":
      return "Le serveur ne répond pas dans le délai (pare-feu, port ou adresse erronés ?).";
    case "ECONNRESET":
      return "Le serveur a coupé la connexion (chiffrement TLS attendu sur ce port ?).";
    case "NoConnection":
      return "La connexion au serveur a été perdue.";
  }
  if (/certificate|self[- ]signed|CERT_|unable to verify/i.test(e.message ?? "")) {
    return `Le certificat TLS du serveur n'est pas reconnu : ${e.message}.`;
  }
  if (/STARTTLS/i.test(e.message ?? "")) return "Le serveur ne propose pas STARTTLS : choisissez TLS direct ou un autre port.";
  return `Échec de la connexion IMAP : ${e.responseText ?? e.message ?? String(error)}.`;
}

/** « Tester la connexion » : logs in and opens the folder; null when it works, else the reason in French. */
export async function testImap(s: ImapSettings, folder: string): Promise<string | null> {
  const client = imapClient(s);
  client.on("error", () => {});
  try {
    await client.connect();
    const lock = await client.getMailboxLock(folder, { readOnly: true });
    lock.release();
    await client.logout();
    return null;
  } catch (error) {
    client.close();
    return imapErrorText(error, folder);
  }
}
