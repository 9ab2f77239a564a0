import type { ColumnType, Generated } from "kysely";

/** The tables of the requests module: their owner alone names them in its queries (test/architecture.test.ts). */
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string | null, string | null>;

export interface RequestCountersTable {
  org_id: string;
  year: number;
  last: number;
}

export interface RequestsTable {
  org_id: string;
  id: Generated<string>;
  number: string;
  kind: string;
  channel: string;
  status: string;
  source: string;
  subject: string;
  body: Generated<string>;
  requester_name: string | null;
  requester_email: string | null;
  requester_phone: string | null;
  requester_address: string | null;
  received_on: string;
  target_value: number | null;
  target_unit: string | null;
  commitment_id: string | null;
  due_on: string | null;
  announced_on: string | null;
  paused_since: string | null;
  service_id: string | null;
  assignee_id: string | null;
  answered_on: string | null;
  response_days: number | null;
  closed_on: string | null;
  /** Migration 0026: when the webhook event `request.overdue` was recorded (once per request). */
  overdue_event_at: Generated<Date | null>;
  /** Migration 0028: 0, 1 (sent to the service's referent), 2 (to the site's correspondent). */
  escalation_level: Generated<number>;
  /** Migration 0028: local day of the first acknowledgement, of the first holding reply. */
  acknowledged_on: Generated<string | null>;
  holding_on: Generated<string | null>;
  /** Migration 0028: counted once among the late requests of the rollup. */
  late_counted: Generated<boolean>;
  /** Migration 0029: when the requester was removed (retention period passed, or erasure on request). */
  anonymised_at: Generated<Date | null>;
  tracking_token_hash: string;
  version: Generated<number>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface RequestEventsTable {
  org_id: string;
  request_id: string;
  id: Generated<string>;
  at: TimestampDefault;
  actor_id: string | null;
  actor_label: string;
  type: string;
  from_status: string | null;
  to_status: string | null;
  note: string | null;
  data: Json;
}

export interface LetterTemplatesTable {
  org_id: string;
  kind: string;
  subject: string;
  body: string;
  version: Generated<number>;
  updated_at: TimestampDefault;
}

export interface RequestRollupTable {
  org_id: string;
  month: string;
  channel: string;
  kind: string;
  received: Generated<number>;
  answered: Generated<number>;
  answered_with_target: Generated<number>;
  answered_in_time: Generated<number>;
  received_without_target: Generated<number>;
  /** Migration 0028: acknowledgements sent within their delay (a week by e-mail or web, two weeks by letter). */
  acknowledged_in_time: Generated<number>;
  /** Migration 0028: requests registered in Vigie (not imported) on a channel that owes an acknowledgement. */
  acknowledgement_owed: Generated<number>;
  /** Migration 0028: requests answered past their deadline or still open past it, and those of them with a holding reply sent by the deadline. */
  late: Generated<number>;
  late_with_holding: Generated<number>;
  delay_histogram: ColumnType<number[], number[] | undefined, number[]>;
}

/** Migration 0036: a registration's count, waiting for the next read of the rollups to be added to them. */
export interface RequestRollupPendingTable {
  org_id: string;
  id: Generated<string>;
  path: string[];
  month: string;
  channel: string;
  kind: string;
  received: number;
  received_without_target: number;
  acknowledgement_owed: number;
}

/** Migration 0028: working days past the deadline before a request goes up a step. */
export interface EscalationSettingsTable {
  org_id: string;
  working_days: number;
  updated_at: TimestampDefault;
}

/** Migration 0028: the account a service (or a site) names to receive its overdue requests. */
export interface ServiceReferentsTable {
  org_id: string;
  account_id: string;
  updated_at: TimestampDefault;
}

/** Migration 0034: a register import committed by the job queue, its progress and its report. */
export interface RequestImportsTable {
  org_id: string;
  id: Generated<string>;
  file_name: string;
  status: string;
  plan: Json;
  row_count: number;
  rows_valid: ColumnType<number | null, number | null | undefined, number | null>;
  report: ColumnType<unknown, string | null | undefined, string | null>;
  message: ColumnType<string | null, string | null | undefined, string | null>;
  runner: ColumnType<string | null, string | null | undefined, string | null>;
  created_by: string | null;
  created_by_label: string;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export type RequestTables = {
  request_counters: RequestCountersTable;
  requests: RequestsTable;
  request_events: RequestEventsTable;
  letter_templates: LetterTemplatesTable;
  request_rollup: RequestRollupTable;
  request_rollup_pending: RequestRollupPendingTable;
  escalation_settings: EscalationSettingsTable;
  service_referents: ServiceReferentsTable;
  request_imports: RequestImportsTable;
};
