import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { type AuditActor, auditActor, recordAudit } from "../audit/audit.service.ts";
import { type EffectiveCommitment, organisationCommitments } from "../frameworks/frameworks.service.ts";
import * as repo from "./calls.repository.ts";
import type { CallMapping } from "./mapped.ts";

/** The telephone settings of an organisation: rings promised, seconds per ring, inbound contexts, column mapping. */

export const DEFAULT_RINGS = 5;
export const DEFAULT_SECONDS_PER_RING = 5;
/** Commitments the phone figures measure (Services Publics+ 2, Marianne 2016 engagement 8, Marianne 2008 engagement 12). */
export const PHONE_COMMITMENTS = ["sp+2023/2", "sp+2021/2", "marianne-2016/8", "marianne-2008/12"];

export interface CallSettings {
  /** Rings set by the organisation, or null to follow the commitment in force. */
  rings: number | null;
  secondsPerRing: number;
  inboundContexts: string[];
  mapping: CallMapping | null;
  version: number;
}

function asMapping(value: unknown): CallMapping | null {
  if (typeof value !== "object" || value === null || !("wait" in value) || typeof value.wait !== "string") return null;
  return value as CallMapping;
}

export async function getCallSettings(db: Kysely<DB>, orgId: string): Promise<CallSettings> {
  const row = await repo.findSettings(db, orgId);
  if (!row) return { rings: null, secondsPerRing: DEFAULT_SECONDS_PER_RING, inboundContexts: [], mapping: null, version: 0 };
  return { ...row, mapping: asMapping(row.mapping) };
}

/** The rings promised: the organisation's own setting, else the commitment in force, else 5. */
export async function ringsTarget(db: Kysely<DB>, orgId: string, settings: CallSettings): Promise<{ rings: number; from: string }> {
  if (settings.rings !== null) return { rings: settings.rings, from: "réglage de l'organisation" };
  return ringsOfCommitments((await organisationCommitments(db, orgId)).commitments);
}

export function ringsOfCommitments(commitments: EffectiveCommitment[]): { rings: number; from: string } {
  for (const c of commitments) {
    const target = c.targets.find((t) => t.metric === "call_pickup_rings");
    if (target) return { rings: target.value, from: `engagement ${c.id}` };
  }
  return { rings: DEFAULT_RINGS, from: "valeur par défaut" };
}

export async function saveCallSettings(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  input: { rings: number | null; secondsPerRing: number; inboundContexts: string[]; version: number },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await getCallSettings(trx, orgId);
    const values = {
      rings: input.rings,
      secondsPerRing: input.secondsPerRing,
      inboundContexts: input.inboundContexts,
      mapping: before.mapping,
    };
    if (!(await repo.saveSettings(trx, orgId, input.version, values))) throw new AppError("calls.stale");
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "update",
      entity: "call_settings",
      entityId: orgId,
      before: { rings: before.rings, secondsPerRing: before.secondsPerRing, inboundContexts: before.inboundContexts },
      after: { rings: input.rings, secondsPerRing: input.secondsPerRing, inboundContexts: input.inboundContexts },
    });
  });
}

export async function saveMapping(db: Kysely<DB>, author: AuditActor, orgId: string, mapping: CallMapping): Promise<void> {
  const before = await getCallSettings(db, orgId);
  const values = { rings: before.rings, secondsPerRing: before.secondsPerRing, inboundContexts: before.inboundContexts, mapping };
  if (!(await repo.saveSettings(db, orgId, before.version, values))) throw new AppError("calls.stale");
  await recordAudit(db, author, {
    orgId,
    action: "update",
    entity: "call_mapping",
    entityId: orgId,
    before: before.mapping,
    after: mapping,
  });
}
