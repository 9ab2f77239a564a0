import type { ColumnType } from "kysely";
import type { ModuleScopes } from "./api-modules.ts";

/** The tables of migration 0021, typed beside the module (as publication.tables.ts). */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Generated<T> = ColumnType<T, T | undefined, T>;

export interface ApiTokensTable {
  id: Generated<string>;
  account_id: string;
  name: string;
  prefix: string;
  token_hash: string;
  scope: "read" | "write";
  /** Migration 0026: per-module scopes, or null for `scope` on every module. */
  modules: ColumnType<ModuleScopes | null, string | null | undefined, string | null>;
  org_id: string | null;
  created_at: TimestampDefault;
  expires_at: ColumnType<Date, Date, Date>;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
}

export interface WebhookEndpointsTable {
  id: Generated<string>;
  org_id: string;
  url: string;
  events: string[];
  secret: string;
  created_at: TimestampDefault;
  created_by: string;
}

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  body: string;
  status: Generated<"queued" | "delivered" | "failed">;
  http_status: number | null;
  attempts: Generated<number>;
  next_attempt_at: NullableTimestamp;
  last_error: string | null;
  created_at: TimestampDefault;
  delivered_at: NullableTimestamp;
}

export type IntegrationsTables = {
  api_tokens: ApiTokensTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
};
