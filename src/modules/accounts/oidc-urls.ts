import type { AppDeps } from "../../kernel/context.ts";

/** The codes a failed sign-in may show on the sign-in page (?error=…): only these, so the page says nothing false. */
export const SIGN_IN_ERRORS = [
  "oidc.refused",
  "oidc.expired",
  "oidc.failed",
  "oidc.acr",
  "oidc.no_email",
  "oidc.no_account",
  "oidc.account_inactive",
  "oidc.provider_not_found",
  "auth.demo_account",
] as const;

/** The addresses to register at the provider. */
export function callbackUrl(deps: AppDeps): string {
  return `${deps.config.baseUrl}/oidc/callback`;
}
export function postLogoutUrl(deps: AppDeps): string {
  return `${deps.config.baseUrl}/login?ok=logout.provider`;
}
