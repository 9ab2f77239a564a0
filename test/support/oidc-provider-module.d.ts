/**
 * oidc-provider v9 ships no type declarations: the little of it the test provider uses, typed here.
 */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  interface KoaContext {
    body: unknown;
  }
  interface InteractionDetails {
    uid: string;
    params: Record<string, unknown>;
    prompt: { name: string };
  }
  interface Grant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }
  export default class Provider {
    constructor(
      issuer: string,
      configuration: Record<string, unknown> & {
        features?: Record<string, unknown> & {
          rpInitiatedLogout?: { enabled: boolean; logoutSource?: (ctx: KoaContext, form: string) => Promise<void> };
        };
        interactions?: { url: (ctx: KoaContext, interaction: { uid: string }) => string };
        findAccount?: (
          ctx: KoaContext,
          sub: string,
        ) => Promise<{ accountId: string; claims: () => Promise<Record<string, unknown>> } | undefined>;
      },
    );
    Grant: new (init: {
      accountId: string;
      clientId: string;
    }) => Grant;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: Record<string, unknown>,
    ): Promise<void>;
  }
}
