import * as client from "openid-client";
import { AppError } from "../../kernel/errors.ts";
import type { ProviderRow } from "./oidc.repository.ts";

/** `http://` is accepted only for a provider on this machine (tests, a local Keycloak); anywhere else, TLS. */
export function isLoopback(issuer: string): boolean {
  const host = new URL(issuer).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
}

/** The ACR values asked of ProConnect: « eidas1 » is the level it guarantees for every agent. */
export const PROCONNECT_ACR = ["eidas1"];

function checkScheme(issuer: string): void {
  if (new URL(issuer).protocol !== "https:" && !isLoopback(issuer)) throw new AppError("oidc.insecure_issuer", { fields: { issuer: "" } });
}

/**
 * Reads the provider's discovery document when the administrator saves it, so a wrong address or a
 * provider that is down is said at once, in French, and sign-in needs no discovery round trip later.
 */
export async function discover(issuer: string, clientId: string, clientSecret: string): Promise<Record<string, unknown>> {
  checkScheme(issuer);
  try {
    const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, {
      ...(isLoopback(issuer) ? { execute: [client.allowInsecureRequests] } : {}),
      timeout: 10,
    });
    return { ...config.serverMetadata() };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const message = `Le fournisseur d'identité ne répond pas à l'adresse « ${issuer} » (document /.well-known/openid-configuration introuvable ou invalide : ${detail}). Vérifiez l'adresse de l'émetteur et que le serveur de Vigie peut la joindre.`;
    throw new AppError("oidc.discovery_failed", { message, fields: { issuer: message } });
  }
}

/** A client configuration built from the stored discovery document: no network call here. */
export function configurationOf(provider: ProviderRow, clientSecret: string): client.Configuration {
  const metadata = provider.metadata as unknown as client.ServerMetadata;
  const methods = (metadata.token_endpoint_auth_methods_supported as string[] | undefined) ?? ["client_secret_basic"];
  const auth = methods.includes("client_secret_basic") ? client.ClientSecretBasic(clientSecret) : client.ClientSecretPost(clientSecret);
  const config = new client.Configuration(
    metadata,
    provider.clientId,
    // ProConnect answers userinfo as a signed JWT: say we expect one, so a plain JSON answer is refused.
    { client_secret: clientSecret, ...(provider.proconnect ? { userinfo_signed_response_alg: "RS256" } : {}) },
    auth,
  );
  if (isLoopback(provider.issuer)) client.allowInsecureRequests(config);
  // Signatures of the ID token and of a signed userinfo answer are checked against the provider's keys.
  client.enableNonRepudiationChecks(config);
  return config;
}
