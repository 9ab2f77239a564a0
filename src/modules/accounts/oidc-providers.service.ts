import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor, recordAudit, SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import * as repo from "./oidc.repository.ts";
import type { ProviderInput, RuleInput } from "./oidc.schema.ts";
import { discover } from "./oidc-client.ts";
import { seal } from "./oidc-secret.ts";

/** What the pages show of a provider: never its secret, not even encrypted. */
export interface ProviderView {
  id: string;
  label: string;
  issuer: string;
  clientId: string;
  scopes: string;
  emailClaim: string;
  givenNameClaim: string;
  familyNameClaim: string;
  usualNameClaim: string;
  proconnect: boolean;
  endSession: boolean;
  version: number;
}

const toView = (p: repo.ProviderRow): ProviderView => ({
  id: p.id,
  label: p.label,
  issuer: p.issuer,
  clientId: p.clientId,
  scopes: p.scopes,
  emailClaim: p.emailClaim,
  givenNameClaim: p.givenNameClaim,
  familyNameClaim: p.familyNameClaim,
  usualNameClaim: p.usualNameClaim,
  proconnect: p.proconnect,
  endSession: typeof p.metadata.end_session_endpoint === "string",
  version: p.version,
});

/** The providers offered on the sign-in page: a label and an id, nothing more. */
export async function signInButtons(db: Kysely<DB>): Promise<Array<{ id: string; label: string; proconnect: boolean }>> {
  return (await repo.listProviders(db)).map((p) => ({ id: p.id, label: p.label, proconnect: p.proconnect }));
}

export async function listProviders(db: Kysely<DB>): Promise<ProviderView[]> {
  return (await repo.listProviders(db)).map(toView);
}

export async function getProvider(db: Kysely<DB>, id: string) {
  const provider = await repo.findProvider(db, id);
  if (!provider) throw new AppError("oidc.provider_not_found");
  return { provider: toView(provider), rules: await repo.listRules(db, id) };
}

export async function createProvider(db: Kysely<DB>, actor: Actor, input: ProviderInput): Promise<ProviderView> {
  if (!input.clientSecret) throw new AppError("oidc.secret_required", { fields: { clientSecret: "Le secret client est obligatoire." } });
  const metadata = await discover(input.issuer, input.clientId, input.clientSecret);
  const provider = await repo.insertProvider(db, { ...input, clientSecretSealed: await seal(db, input.clientSecret), metadata });
  await recordAudit(db, auditActor(actor), {
    orgId: null,
    action: "create",
    entity: "oidc_provider",
    entityId: provider.id,
    after: { label: input.label, issuer: input.issuer, clientId: input.clientId, proconnect: input.proconnect },
  });
  return toView(provider);
}

/** Discovery runs again on every save: the issuer or the provider's endpoints may have changed. */
export async function updateProvider(db: Kysely<DB>, actor: Actor, id: string, input: ProviderInput): Promise<void> {
  const current = await repo.findProvider(db, id);
  if (!current) throw new AppError("oidc.provider_not_found");
  const secret = input.clientSecret;
  const metadata = await discover(input.issuer, input.clientId, secret || "unused-for-discovery");
  const clientSecretSealed = secret ? await seal(db, secret) : current.clientSecretSealed;
  await repo.updateProvider(db, id, { ...input, clientSecretSealed, metadata });
  await recordAudit(db, auditActor(actor), {
    orgId: null,
    action: "update",
    entity: "oidc_provider",
    entityId: id,
    before: { label: current.label, issuer: current.issuer, clientId: current.clientId },
    after: { label: input.label, issuer: input.issuer, clientId: input.clientId, secretChanged: secret !== "" },
  });
}

export async function deleteProvider(db: Kysely<DB>, actor: Actor, id: string, version: number): Promise<void> {
  const current = await repo.findProvider(db, id);
  if (!current) throw new AppError("oidc.provider_not_found");
  if (current.version !== version) throw new AppError("oidc.stale");
  if (!(await repo.passwordsEnabled(db)) && (await repo.countProviders(db)) <= 1) throw new AppError("oidc.no_provider");
  if (!(await repo.deleteProvider(db, id))) throw new AppError("oidc.provider_not_found");
  await recordAudit(db, auditActor(actor), { orgId: null, action: "delete", entity: "oidc_provider", entityId: id });
}

export async function addRule(db: Kysely<DB>, actor: Actor, providerId: string, input: RuleInput): Promise<void> {
  if (!(await repo.findProvider(db, providerId))) throw new AppError("oidc.provider_not_found");
  await getOrganisation(db, input.orgId);
  await repo.insertRule(db, providerId, input);
  await recordAudit(db, auditActor(actor), {
    orgId: input.orgId,
    action: "create",
    entity: "oidc_rule",
    entityId: providerId,
    after: input,
  });
}

export async function removeRule(db: Kysely<DB>, actor: Actor, providerId: string, ruleId: string): Promise<void> {
  if (!(await repo.deleteRule(db, providerId, ruleId))) throw new AppError("oidc.provider_not_found");
  await recordAudit(db, auditActor(actor), { orgId: null, action: "delete", entity: "oidc_rule", entityId: ruleId });
}

export const passwordsEnabled = repo.passwordsEnabled;

/**
 * Turning passwords off must not lock everyone out: it needs a provider, and the administrator doing it
 * must already be linked to one (they have just proved it works for them). Break-glass:
 * `npm run create-admin` on the server creates an administrator and turns passwords back on (below).
 */
export async function setPasswords(db: Kysely<DB>, actor: Actor, enabled: boolean): Promise<void> {
  if (!enabled) {
    if ((await repo.countProviders(db)) === 0) throw new AppError("oidc.no_provider");
    if (!(await repo.isLinked(db, actor.accountId))) throw new AppError("oidc.admin_not_linked");
  }
  await repo.setPasswordsEnabled(db, enabled);
  await recordAudit(db, auditActor(actor), {
    orgId: null,
    action: "update",
    entity: "setting",
    entityId: "password_sign_in",
    after: { enabled },
  });
}

/**
 * The way back in when every provider fails: run on the server by whoever can run `npm run create-admin`,
 * so the new administrator can sign in with the password just given. Returns whether passwords were off.
 */
export async function enablePasswordsBreakGlass(db: Kysely<DB>): Promise<boolean> {
  if (await repo.passwordsEnabled(db)) return false;
  await repo.setPasswordsEnabled(db, true);
  await recordAudit(db, SYSTEM_ACTOR, {
    orgId: null,
    action: "update",
    entity: "setting",
    entityId: "password_sign_in",
    after: { enabled: true },
  });
  return true;
}
