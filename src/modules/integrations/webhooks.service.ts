import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { type SettingsEpoch, settingsCache } from "../../kernel/settings-epoch.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { enqueue } from "../jobs/jobs.service.ts";
import { organisationPath } from "../organisations/organisations.service.ts";
import * as repo from "./webhooks.repository.ts";

export type { DeliveryRow, EndpointRow } from "./webhooks.repository.ts";

export const WEBHOOK_EVENTS = ["request.registered", "request.answered", "request.overdue", "survey.answered", "import.finished"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const EVENT_LABELS: Record<WebhookEvent, string> = {
  "request.registered": "Demande enregistrée",
  "request.answered": "Demande répondue",
  "request.overdue": "Demande en retard (échéance passée sans réponse)",
  "survey.answered": "Réponse à une enquête",
  "import.finished": "Import du registre terminé",
};
/** Six tries over about half an hour (30 s, 1, 2, 4, 8 min between them): a receiver down for a deploy gets everything. */
export const DELIVERY_ATTEMPTS = 6;
export const DELIVER_JOB = "webhook.deliver";

export interface EndpointInput {
  url: string;
  events: WebhookEvent[];
}

export async function createEndpoint(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  input: EndpointInput,
): Promise<{ endpoint: repo.EndpointRow; secret: string }> {
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const endpoint = await db.transaction().execute(async (trx) => {
    const row = await repo.insertEndpoint(trx, { orgId, url: input.url, events: input.events, secret, createdBy: auditActor(actor).label });
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "create",
      entity: "webhook_endpoint",
      entityId: row.id,
      after: { url: row.url, events: row.events },
    });
    return row;
  });
  return { endpoint, secret };
}

export function listEndpoints(db: Kysely<DB>, orgId: string): Promise<repo.EndpointRow[]> {
  return repo.endpointsOf(db, orgId);
}

export async function endpointWithLog(
  db: Kysely<DB>,
  orgId: string,
  endpointId: string,
): Promise<{ endpoint: repo.EndpointRow; deliveries: repo.DeliveryRow[] }> {
  const endpoint = await repo.findEndpoint(db, orgId, endpointId);
  if (!endpoint) throw new AppError("webhook.not_found");
  return { endpoint, deliveries: await repo.deliveriesOf(db, endpointId, 100) };
}

export async function deleteEndpoint(db: Kysely<DB>, actor: Actor, orgId: string, endpointId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await repo.findEndpoint(trx, orgId, endpointId);
    if (!before || !(await repo.deleteEndpoint(trx, orgId, endpointId))) throw new AppError("webhook.not_found");
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "delete",
      entity: "webhook_endpoint",
      entityId: endpointId,
      before: { url: before.url, events: before.events },
    });
  });
}

/**
 * Every endpoint listening to an event type, by organisation, at a settings epoch (webhook_endpoints moves it).
 * Read whole rather than per path: an instance has few endpoints, and a cache per path stayed cold on a
 * network of thousands of sites, one read per site before it served anything.
 */
const listening = settingsCache<Map<string, string[]>>();

/**
 * The endpoints of an organisation's path that listen to an event type, read before a transaction that will
 * emit it (given to emitEvent as `listeners`): from memory while the settings epoch stays.
 */
export async function eventListeners(db: Kysely<DB>, epoch: SettingsEpoch, path: string[], type: WebhookEvent) {
  const byOrg = await listening.get(db, epoch, type, async () => {
    const map = new Map<string, string[]>();
    for (const { id, orgId } of await repo.listenersOfType(db, type)) {
      const ids = map.get(orgId);
      if (ids) ids.push(id);
      else map.set(orgId, [id]);
    }
    return map;
  });
  // In the order emitEvent's own read gives them (by id).
  return path
    .flatMap((org) => byOrg.get(org) ?? [])
    .sort()
    .map((id) => ({ id }));
}

/**
 * Records an event for every endpoint of the organisation or one of its ancestors that listens to it.
 * Call it with the transaction of the change: the deliveries and their jobs exist exactly when the
 * change does, and a restart loses none of them (they wait in the queue).
 */
export async function emitEvent(
  trx: Kysely<DB>,
  /**
   * `path`: the organisation's path, when the caller holds it (saves a read on the hottest writes).
   * `listeners`: the endpoints listening, when the caller read them before its transaction (eventListeners).
   */
  event: { type: WebhookEvent; orgId: string; data: unknown; path?: string[]; listeners?: Array<{ id: string }> },
  now = new Date(),
): Promise<void> {
  const path = event.path ?? (await organisationPath(trx, event.orgId));
  if (!path) return;
  const endpoints = event.listeners ?? (await repo.listeners(trx, path, event.type));
  if (endpoints.length === 0) return;
  const id = randomUUID();
  const body = JSON.stringify({ id, type: event.type, occurredAt: now.toISOString(), orgId: event.orgId, data: event.data });
  for (const endpoint of endpoints) {
    const deliveryId = await repo.insertDelivery(trx, { endpointId: endpoint.id, eventId: id, type: event.type, body });
    await enqueue(trx, { name: DELIVER_JOB, payload: { deliveryId }, dedupeKey: `webhook:${deliveryId}`, maxAttempts: DELIVERY_ATTEMPTS });
  }
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as the receiver checks it. */
export function signature(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}
