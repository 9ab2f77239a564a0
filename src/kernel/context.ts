import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { SafeHtml } from "../ui/jsx/jsx-runtime.ts";
import type { Scheme } from "../ui/layout.tsx";
import type { Config } from "./config.ts";
import type { Actor } from "./roles.ts";

/** What every module receives when it registers its routes. */
export interface AppDeps {
  /** The primary: every write, and every read that must see its own write (forms, tracking, lists after an edit). */
  db: Kysely<DB>;
  /**
   * For the pages that only read and may show figures a few seconds old (docs/architecture.md lists them): the
   * replica of DATABASE_READ_URL, which falls back to the primary by itself, or the primary itself.
   */
  readDb: Kysely<DB>;
  config: Config;
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

declare module "fastify" {
  interface FastifyRequest {
    actor: Actor | undefined;
    sessionTokenHash: string | undefined;
    csrfToken: string;
    scheme: Scheme;
    /** The ancestry of the organisation named in the path, once the access check has loaded it. */
    orgPath: string[] | undefined;
    /** The time zone of the path's organisation (`:orgId`), set with `orgPath` by the access check. */
    orgTimeZone: string | undefined;
    /** A notice for every staff page (the mail banner), set by a module's hook before the page is drawn. */
    pageNotice: SafeHtml | undefined;
    /** The signed-in person's unread notifications, counted by the alerts module for the header. */
    unreadAlerts: number | undefined;
  }
}
