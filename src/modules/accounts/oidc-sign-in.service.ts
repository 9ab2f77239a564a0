import type { Kysely } from "kysely";
import * as client from "openid-client";
import type { DB } from "../../db/schema.ts";
import { AppError, isAppError } from "../../kernel/errors.ts";
import { recordAudit, SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { findByEmail, findRowById, insertAccount, insertGrant } from "./accounts.repository.ts";
import * as repo from "./oidc.repository.ts";
import { configurationOf, PROCONNECT_ACR } from "./oidc-client.ts";
import { unseal } from "./oidc-secret.ts";
import { type LoginContext, openSession, type Session } from "./sessions.service.ts";

/** An attempt must come back within 10 minutes: long enough for a slow login page, short for a stolen state. */
const ATTEMPT_MS = 10 * 60_000;

/** Accounts created at first sign-in have no password: this is no argon2 hash, so nothing verifies against it. */
const NO_PASSWORD = "!oidc";

async function loadProvider(db: Kysely<DB>, providerId: string) {
  const provider = await repo.findProvider(db, providerId);
  if (!provider) throw new AppError("oidc.provider_not_found");
  return { provider, config: configurationOf(provider, await unseal(db, provider.clientSecretSealed)) };
}

/**
 * Starts an authorization code flow with PKCE, state and nonce. The state, nonce and code verifier are
 * kept in the database (any app server can finish the flow); the browser keeps the state in a cookie
 * too, so a callback started in another browser (login CSRF) is refused.
 */
export async function startSignIn(db: Kysely<DB>, providerId: string, redirectUri: string, next: string, now = new Date()) {
  const { provider, config } = await loadProvider(db, providerId);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  await repo.purgeAttempts(db, new Date(now.getTime() - ATTEMPT_MS));
  await repo.insertAttempt(db, { state, providerId, nonce, codeVerifier, next });
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: provider.scopes,
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    ...(provider.proconnect ? { acr_values: PROCONNECT_ACR.join(" ") } : {}),
  });
  return { url: url.toString(), state };
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() ? value.trim() : undefined);

/** Whether a claim matches a rule's value: a string equal to it, or a list holding it (groups, roles). */
function claimMatches(claim: unknown, value: string): boolean {
  if (Array.isArray(claim)) return claim.some((c) => String(c) === value);
  return claim !== undefined && claim !== null && String(claim) === value;
}

export interface CallbackInput {
  /** The full callback address as the provider sent the browser to it. */
  currentUrl: URL;
  redirectUri: string;
  /** The state the browser kept in its cookie. */
  cookieState: string | undefined;
}

/** Finishes the flow: every check openid-client makes, ProConnect's acr, then the account. */
export async function finishSignIn(
  db: Kysely<DB>,
  input: CallbackInput,
  context: LoginContext,
  now = new Date(),
): Promise<Session & { next: string }> {
  const params = input.currentUrl.searchParams;
  const state = params.get("state") ?? "";
  if (!state || state !== input.cookieState) throw new AppError("oidc.expired");
  const attempt = await repo.takeAttempt(db, state, new Date(now.getTime() - ATTEMPT_MS));
  if (!attempt) throw new AppError("oidc.expired");
  if (params.get("error") === "access_denied") throw new AppError("oidc.refused");
  if (params.has("error")) throw new AppError("oidc.failed");
  const { provider, config } = await loadProvider(db, attempt.provider_id);
  let claims: Record<string, unknown>;
  let idToken: string;
  try {
    const callbackUrl = new URL(input.redirectUri);
    callbackUrl.search = input.currentUrl.search;
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: attempt.code_verifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims || !tokens.id_token) throw new AppError("oidc.failed");
    if (provider.proconnect && !PROCONNECT_ACR.includes(String(idClaims.acr ?? ""))) throw new AppError("oidc.acr");
    idToken = tokens.id_token;
    // The claims come from userinfo (ProConnect sends them only there, signed); openid-client checks its sub.
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    claims = { ...idClaims, ...userinfo };
  } catch (error) {
    if (isAppError(error)) throw error;
    throw new AppError("oidc.failed");
  }
  const account = await resolveAccount(db, provider, claims);
  const session = await openSession(
    db,
    account,
    {
      ...context,
      via: {
        method: "oidc",
        provider: provider.label,
        ...(text(claims.idp_id) ? { idp_id: text(claims.idp_id) } : {}),
        ...(text(claims.siret) ? { siret: text(claims.siret) } : {}),
      },
    },
    now,
  );
  await repo.setSessionOrigin(db, session.tokenHash, provider.id, idToken);
  return { ...session, next: attempt.next };
}

/**
 * The account behind an identity: the one linked to (provider, subject); else the one with the same
 * verified e-mail, then linked; else one created now with the roles the administrator's rules give;
 * else a refusal. ProConnect's e-mails are verified by the administrations that issue them, and it
 * sends no email_verified: in ProConnect mode the e-mail counts as verified.
 */
async function resolveAccount(db: Kysely<DB>, provider: repo.ProviderRow, claims: Record<string, unknown>) {
  const subject = String(claims.sub);
  const linked = await repo.findLink(db, provider.id, subject);
  if (linked) {
    const row = await findRowById(db, linked);
    if (!row?.active) throw new AppError("oidc.account_inactive");
    return row;
  }
  const email = text(claims[provider.emailClaim])?.toLowerCase();
  const verified = provider.proconnect || claims.email_verified === true;
  if (!email || !verified) throw new AppError("oidc.no_email");
  const usual = text(claims[provider.usualNameClaim]) ?? text(claims[provider.familyNameClaim]);
  const displayName = [text(claims[provider.givenNameClaim]), usual].filter(Boolean).join(" ") || email;
  return db.transaction().execute(async (trx) => {
    const existing = await findByEmail(trx, email);
    if (existing) {
      // A service account is another system's, never a person's: no provider may sign into it.
      if (existing.service) throw new AppError("oidc.no_account");
      if (!existing.active) throw new AppError("oidc.account_inactive");
      await repo.insertLink(trx, provider.id, subject, existing.id);
      await recordAudit(
        trx,
        { accountId: existing.id, label: `${existing.display_name} <${existing.email}>` },
        {
          orgId: null,
          action: "link",
          entity: "account",
          entityId: existing.id,
          after: { provider: provider.label, subject },
        },
      );
      return existing;
    }
    const rules = (await repo.listRules(trx, provider.id)).filter((r) => claimMatches(claims[r.claim], r.value));
    if (rules.length === 0) throw new AppError("oidc.no_account");
    const account = await insertAccount(trx, { email, displayName, passwordHash: NO_PASSWORD, instanceAdmin: false });
    for (const rule of rules) await insertGrant(trx, rule.orgId, account.id, rule.role);
    await repo.insertLink(trx, provider.id, subject, account.id);
    await recordAudit(trx, SYSTEM_ACTOR, {
      orgId: null,
      action: "create",
      entity: "account",
      entityId: account.id,
      after: {
        email,
        displayName,
        via: provider.label,
        subject,
        grants: rules.map((r) => ({ org: r.orgName, role: r.role, rule: `${r.claim} = ${r.value}` })),
      },
    });
    const row = await findRowById(trx, account.id);
    if (!row) throw new AppError("oidc.failed");
    return row;
  });
}

/**
 * Where to send the browser to end the provider's session too, when this session came from a provider
 * that has an end_session_endpoint: with the ID token as hint and a registered return address.
 */
export async function providerLogoutUrl(db: Kysely<DB>, tokenHash: string, postLogoutRedirectUri: string): Promise<string | undefined> {
  const origin = await repo.sessionOrigin(db, tokenHash);
  if (!origin?.oidc_provider_id || !origin.id_token) return undefined;
  const provider = await repo.findProvider(db, origin.oidc_provider_id);
  if (!provider || typeof provider.metadata.end_session_endpoint !== "string") return undefined;
  const config = configurationOf(provider, await unseal(db, provider.clientSecretSealed));
  return client
    .buildEndSessionUrl(config, {
      id_token_hint: origin.id_token,
      post_logout_redirect_uri: postLogoutRedirectUri,
      state: client.randomState(),
    })
    .toString();
}
