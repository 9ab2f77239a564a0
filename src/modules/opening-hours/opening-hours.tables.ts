import type { ColumnType, Generated } from "kysely";

/** The tables of migration 0010 this module owns, kept beside it (as surveys.tables.ts). */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
/** A date column: read as YYYY-MM-DD text (both engines are set up so), written as text. */
type DateText = ColumnType<string, string, string>;

export interface OrgPublicInfoTable {
  org_id: string;
  accessibility: string | null;
  step_free: boolean | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  closes_deadlines: Generated<boolean>;
  annuaire_id: string | null;
  version: Generated<number>;
  updated_at: TimestampDefault;
}

export interface OrgOpeningHoursTable {
  org_id: string;
  valid_from: DateText;
  hours: string;
  note: string | null;
  recorded_at: TimestampDefault;
}

export type OpeningHoursTables = {
  org_public_info: OrgPublicInfoTable;
  org_opening_hours: OrgOpeningHoursTable;
};
