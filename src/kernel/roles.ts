/** Roles are granted on an organisation and hold on its whole subtree. */
export const ROLES = ["admin", "correspondent", "referent", "agent", "auditor"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Administrateur",
  correspondent: "Correspondant réseau",
  referent: "Référent qualité",
  agent: "Agent",
  auditor: "Auditeur (lecture seule)",
};

export const PERMISSIONS = [
  "org.read",
  "org.create",
  "org.update",
  "org.delete",
  "account.manage",
  "audit.read",
  "commitment.manage",
  "request.read",
  "request.write",
  "webhook.manage",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  // Every permission there is, including any added later.
  admin: PERMISSIONS,
  correspondent: ["org.read", "org.create", "org.update", "org.delete", "commitment.manage", "request.read", "webhook.manage"],
  referent: ["org.read", "org.update", "commitment.manage", "request.read", "request.write"],
  agent: ["org.read", "request.read", "request.write"],
  auditor: ["org.read", "audit.read", "request.read"],
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export interface Grant {
  orgId: string;
  role: Role;
}

/** Who is making the request, as the access checks see it. */
export interface Actor {
  accountId: string;
  email: string;
  displayName: string;
  instanceAdmin: boolean;
  grants: Grant[];
  /** Set when the request came with an API token: its scope narrows what the grants allow (read: GET only). */
  token?:
    | {
        id: string;
        scope: "read" | "write";
        /** Per-module scopes (`{ calls: "write" }`); absent or null: `scope` on every module. */
        modules?: Partial<Record<string, "read" | "write">> | null;
      }
    | undefined;
}

/**
 * Whether the actor holds `permission` on the organisation whose ancestry is `orgPath`
 * (root first, the organisation itself last).
 */
export function can(actor: Actor, permission: Permission, orgPath: readonly string[]): boolean {
  if (actor.instanceAdmin) return true;
  return actor.grants.some((g) => roleAllows(g.role, permission) && orgPath.includes(g.orgId));
}

/** Whether the actor holds `permission` somewhere (lists are then filtered to what it reaches). */
export function canSomewhere(actor: Actor, permission: Permission): boolean {
  return actor.instanceAdmin || actor.grants.some((g) => roleAllows(g.role, permission));
}

/** The organisations at the top of the subtrees where the actor holds `permission`. */
export function reachRoots(actor: Actor, permission: Permission): string[] {
  return [...new Set(actor.grants.filter((g) => roleAllows(g.role, permission)).map((g) => g.orgId))];
}
