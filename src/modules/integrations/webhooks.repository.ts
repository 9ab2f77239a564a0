import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

export interface EndpointRow {
  id: string;
  org_id: string;
  url: string;
  events: string[];
  created_at: Date;
  created_by: string;
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: "queued" | "delivered" | "failed";
  http_status: number | null;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

const ENDPOINT = ["id", "org_id", "url", "events", "created_at", "created_by"] as const;
const DELIVERY = [
  "id",
  "endpoint_id",
  "event_id",
  "event_type",
  "status",
  "http_status",
  "attempts",
  "next_attempt_at",
  "last_error",
  "created_at",
  "delivered_at",
] as const;

export async function insertEndpoint(
  db: Kysely<DB>,
  values: { orgId: string; url: string; events: string[]; secret: string; createdBy: string },
): Promise<EndpointRow> {
  return db
    .insertInto("webhook_endpoints")
    .values({ org_id: values.orgId, url: values.url, events: values.events, secret: values.secret, created_by: values.createdBy })
    .returning(ENDPOINT)
    .executeTakeFirstOrThrow();
}

export function endpointsOf(db: Kysely<DB>, orgId: string): Promise<EndpointRow[]> {
  return db.selectFrom("webhook_endpoints").select(ENDPOINT).where("org_id", "=", orgId).orderBy("created_at").orderBy("id").execute();
}

export function findEndpoint(db: Kysely<DB>, orgId: string, endpointId: string): Promise<EndpointRow | undefined> {
  return db.selectFrom("webhook_endpoints").select(ENDPOINT).where("org_id", "=", orgId).where("id", "=", endpointId).executeTakeFirst();
}

export async function deleteEndpoint(db: Kysely<DB>, orgId: string, endpointId: string): Promise<boolean> {
  const result = await db.deleteFrom("webhook_endpoints").where("org_id", "=", orgId).where("id", "=", endpointId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The endpoints of the organisation's ancestors (itself included) that listen to `type`. */
export function listeners(db: Kysely<DB>, orgPath: string[], type: string): Promise<Array<{ id: string }>> {
  return db
    .selectFrom("webhook_endpoints")
    .select("id")
    .where("org_id", "in", orgPath)
    .where((eb) => eb(eb.val(type), "=", eb.fn.any("events")))
    .orderBy("id")
    .execute();
}

/** Every endpoint that listens to `type`, with its organisation. */
export function listenersOfType(db: Kysely<DB>, type: string): Promise<Array<{ id: string; orgId: string }>> {
  return db
    .selectFrom("webhook_endpoints")
    .select(["id", "org_id as orgId"])
    .where((eb) => eb(eb.val(type), "=", eb.fn.any("events")))
    .orderBy("id")
    .execute();
}

export async function insertDelivery(
  db: Kysely<DB>,
  values: { endpointId: string; eventId: string; type: string; body: string },
): Promise<string> {
  const row = await db
    .insertInto("webhook_deliveries")
    .values({ endpoint_id: values.endpointId, event_id: values.eventId, event_type: values.type, body: values.body })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export function deliveriesOf(db: Kysely<DB>, endpointId: string, limit: number): Promise<DeliveryRow[]> {
  return db
    .selectFrom("webhook_deliveries")
    .select(DELIVERY)
    .where("endpoint_id", "=", endpointId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/** A delivery with what sending it needs. */
export function deliveryToSend(db: Kysely<DB>, deliveryId: string) {
  return db
    .selectFrom("webhook_deliveries as d")
    .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
    .select(["d.id", "d.status", "d.body", "d.attempts", "e.url", "e.secret"])
    .where("d.id", "=", deliveryId)
    .executeTakeFirst();
}

export async function recordAttempt(
  db: Kysely<DB>,
  deliveryId: string,
  outcome: {
    status: "queued" | "delivered" | "failed";
    httpStatus: number | null;
    error: string | null;
    nextAttemptAt: Date | null;
    at: Date;
  },
): Promise<void> {
  await db
    .updateTable("webhook_deliveries")
    .set((eb) => ({
      status: outcome.status,
      http_status: outcome.httpStatus,
      last_error: outcome.error,
      next_attempt_at: outcome.nextAttemptAt,
      attempts: eb("attempts", "+", 1),
      delivered_at: outcome.status === "delivered" ? outcome.at : null,
    }))
    .where("id", "=", deliveryId)
    .execute();
}
