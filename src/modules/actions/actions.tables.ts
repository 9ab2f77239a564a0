import type { ColumnType, Generated } from "kysely";

/** The action plan tables (migration 0009), kept beside the module; only its repository sees them. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ActionsTable {
  org_id: string;
  id: Generated<string>;
  number: number;
  title: string;
  lever_id: string | null;
  commitment_id: string | null;
  channel: string | null;
  owner: string | null;
  service: string | null;
  due_on: string | null;
  plan_year: number;
  status: Generated<string>;
  origin: Generated<string>;
  version: Generated<number>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface ActionEventsTable {
  org_id: string;
  id: Generated<string>;
  action_id: string;
  at: TimestampDefault;
  actor_label: string;
  kind: string;
  from_status: string | null;
  to_status: string | null;
  note: string | null;
}

export interface ActionRollupTable {
  org_id: string;
  plan_year: number;
  commitment_id: string;
  status: string;
  actions: number;
}

export type ActionTables = { actions: ActionsTable; action_events: ActionEventsTable; action_rollup: ActionRollupTable };
