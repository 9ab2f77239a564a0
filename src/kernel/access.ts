import type { FastifyRequest } from "fastify";
import { AppError } from "./errors.ts";
import type { Actor, Permission } from "./roles.ts";

/**
 * Every route declares who may call it, in its `config.access`. The server refuses to start
 * with a route that declares nothing, and the access-matrix test calls every route with every role.
 */
export type Access =
  | { kind: "public" }
  | { kind: "session" }
  /** The permission on the organisation named by the `orgId` path parameter. */
  | { kind: "org"; permission: Permission }
  /** The permission somewhere; the service narrows what is shown to the actor's reach. */
  | { kind: "any"; permission: Permission }
  | { kind: "instance-admin" }
  /** The permission on at least one organisation where the account named by `accountId` holds a role. */
  | { kind: "account"; permission: Permission };

export const PUBLIC: Access = { kind: "public" };
export const SESSION: Access = { kind: "session" };
export const onOrg = (permission: Permission): Access => ({ kind: "org", permission });
export const anywhere = (permission: Permission): Access => ({ kind: "any", permission });
export const INSTANCE_ADMIN: Access = { kind: "instance-admin" };
export const onAccount = (permission: Permission): Access => ({ kind: "account", permission });

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
  }
}

/** The actor of a request that passed an access check other than "public". */
export function actorOf(request: Pick<FastifyRequest, "actor">): Actor {
  if (!request.actor) throw new AppError("auth.required");
  return request.actor;
}
