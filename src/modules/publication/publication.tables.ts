import type { ColumnType } from "kysely";

/** The published figures table of migration 0010, typed beside the module (as surveys.tables.ts). */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: written as JSON text, read back parsed by both engines. */
type Jsonb = ColumnType<unknown, string, string>;

export interface PublishedFiguresTable {
  org_id: string;
  period_from: string;
  period_to: string;
  indicator_key: string;
  channel: string;
  label: string;
  unit: string;
  better: string;
  value: number | null;
  low: number | null;
  high: number | null;
  target: number | null;
  sample: number;
  commitments: Jsonb;
  computed_at: TimestampDefault;
}

/** Migration 0019: what changed since the last publication, when each organisation was published, the runs. */
export interface PublicationDirtyTable {
  org_id: string;
  mark: ColumnType<string, string | undefined, string>;
}

export interface PublicationStateTable {
  org_id: string;
  published_at: ColumnType<Date, Date, Date>;
  published_month: string;
}

export interface PublicationRunsTable {
  id: ColumnType<string, string | undefined, string>;
  started_at: ColumnType<Date, Date | undefined, Date>;
  root_id: string | null;
  month: string;
  reason: "changes" | "month" | "asked";
  organisations: number;
  chunks: number;
}

export type PublicationTables = {
  published_figures: PublishedFiguresTable;
  publication_dirty: PublicationDirtyTable;
  publication_state: PublicationStateTable;
  publication_runs: PublicationRunsTable;
};
