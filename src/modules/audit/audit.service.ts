import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import { type Actor, canSomewhere, reachRoots } from "../../kernel/roles.ts";
import { INSTANCE_SCOPE, insertEntry, listEntries } from "./audit.repository.ts";

/** The point the organisations module lends its expressions to (see audit.repository.ts). */
export { type AuditOrganisations, auditOrganisationsPoint } from "./audit.repository.ts";

export { INSTANCE_SCOPE };

/** Who wrote: an account, or the system itself (command line, first-run set-up). */
export interface AuditActor {
  accountId: string | null;
  label: string;
}

export function auditActor(actor: Actor): AuditActor {
  return { accountId: actor.accountId, label: `${actor.displayName} <${actor.email}>` };
}

export const SYSTEM_ACTOR: AuditActor = { accountId: null, label: "système" };

export interface AuditRecord {
  /** The organisation concerned; null for instance-wide events (accounts, legal pages). */
  orgId: string | null;
  action: "create" | "update" | "delete" | "grant" | "revoke" | "login" | "password" | "link" | "use" | "export" | "anonymise";
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/** Records a write. Call it inside the transaction of the write, so both land or neither does. */
export async function recordAudit(db: Kysely<DB>, actor: AuditActor, record: AuditRecord): Promise<void> {
  await insertEntry(db, record.orgId ?? INSTANCE_SCOPE, {
    actorId: actor.accountId,
    actorLabel: actor.label,
    action: record.action,
    entity: record.entity,
    entityId: record.entityId,
    before: record.before,
    after: record.after,
  });
}

export interface AuditFilters {
  entity?: string | undefined;
  entityId?: string | undefined;
  actor?: string | undefined;
  beforeId?: string | undefined;
}

export interface AuditEntryView {
  id: string;
  at: Date;
  orgId: string | null;
  orgName: string | null;
  actorLabel: string;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

export const AUDIT_PAGE_SIZE = 50;

export async function browseAudit(db: Kysely<DB>, actor: Actor, filters: AuditFilters): Promise<AuditEntryView[]> {
  if (!canSomewhere(actor, "audit.read")) throw new AppError("auth.forbidden");
  const rows = await listEntries(db, {
    reachRoots: actor.instanceAdmin ? null : reachRoots(actor, "audit.read"),
    ...filters,
    limit: AUDIT_PAGE_SIZE,
  });
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    orgId: r.org_id === INSTANCE_SCOPE ? null : r.org_id,
    orgName: r.org_name,
    actorLabel: r.actor_label,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    before: r.before,
    after: r.after,
  }));
}
