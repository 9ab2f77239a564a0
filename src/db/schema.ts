import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** Table types for the query layer. These never leave a repository: services speak in their own types. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<unknown, string | null, string | null>;

export interface OrganisationsTable {
  id: Generated<string>;
  parent_id: string | null;
  path: string[];
  kind: string;
  name: string;
  address_street: string | null;
  address_postcode: string | null;
  address_city: string | null;
  siret: string | null;
  time_zone: string;
  holiday_zone: string;
  version: Generated<number>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface AccountsTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string;
  instance_admin: Generated<boolean>;
  active: Generated<boolean>;
  version: Generated<number>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  last_login_at: NullableTimestamp;
  /** Made by the demo loader: signs in only while the instance is a demo instance. */
  demo: Generated<boolean>;
  /** A service account (migration 0026): acts through API tokens only, never signs in. */
  service: Generated<boolean>;
}

export interface RateCountersTable {
  bucket: string;
  key_hash: string;
  window_start: Date;
  hits: Generated<number>;
}

export interface PasswordResetsTable {
  token_hash: string;
  account_id: string;
  created_at: TimestampDefault;
  expires_at: Date;
  used_at: NullableTimestamp;
}

export interface GrantsTable {
  org_id: string;
  account_id: string;
  role: string;
  granted_at: TimestampDefault;
}

export interface SessionsTable {
  token_hash: string;
  account_id: string;
  created_at: TimestampDefault;
  last_seen_at: TimestampDefault;
  expires_at: Timestamp;
  /** Set when the session came from an OpenID provider: logging out ends the provider's session too. */
  oidc_provider_id: ColumnType<string | null, string | null | undefined, string | null>;
  id_token: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface LoginAttemptsTable {
  id: Generated<string>;
  email: string;
  source: string;
  at: TimestampDefault;
}

export interface AuditLogTable {
  org_id: string;
  id: Generated<string>;
  at: TimestampDefault;
  actor_id: string | null;
  actor_label: string;
  action: string;
  entity: string;
  entity_id: string;
  before: Json;
  after: Json;
}

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: TimestampDefault;
}

export interface LegalPagesTable {
  slug: string;
  title: string;
  body: string;
  compliance: string | null;
  version: Generated<number>;
  updated_at: TimestampDefault;
}

export interface FrameworksTable {
  id: string;
  name: string;
  edition: string;
  summary: string;
  position: number;
}

export interface FrameworkThemesTable {
  framework_id: string;
  id: string;
  title: string;
  position: number;
}

export interface CommitmentsTable {
  id: string;
  framework_id: string;
  number: number;
  title: string;
  details: string | null;
  theme_id: string;
  channels: string[];
  targets: Json;
  search: string;
}

export interface RequirementsTable {
  id: string;
  commitment_id: string;
  position: number;
  text: string;
}

export interface CommitmentLinksTable {
  from_id: string;
  to_id: string;
  relation: string;
}

export interface LeversTable {
  id: string;
  commitment_id: string;
  channel: string;
  category: string;
  text: string;
  search: string;
  position: number;
}

export interface LeverCommitmentsTable {
  lever_id: string;
  commitment_id: string;
}

export interface OrgFrameworksTable {
  org_id: string;
  framework_id: string;
  adopted_at: TimestampDefault;
  version: Generated<number>;
}

export interface LocalCommitmentsTable {
  org_id: string;
  id: Generated<string>;
  base_commitment_id: string | null;
  title: string;
  channels: string[];
  targets: Json;
  version: Generated<number>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface RateEventsTable {
  id: Generated<string>;
  bucket: string;
  key_hash: string;
  at: TimestampDefault;
}

export interface AnnouncedDelaysTable {
  org_id: string;
  channel: string;
  kind: string;
  value: number;
  unit: string;
  updated_at: TimestampDefault;
}

export interface OrganisationLogosTable {
  org_id: string;
  content_type: string;
  data: Buffer;
  updated_at: TimestampDefault;
}

export interface OrgClosuresTable {
  org_id: string;
  day: string;
  label: string;
  created_at: TimestampDefault;
}

export interface DB {
  announced_delays: AnnouncedDelaysTable;
  organisation_logos: OrganisationLogosTable;
  org_closures: OrgClosuresTable;
  rate_events: RateEventsTable;
  request_counters: RequestCountersTable;
  requests: RequestsTable;
  request_events: RequestEventsTable;
  jobs: JobsTable;
  outbox: OutboxTable;
  letter_templates: LetterTemplatesTable;
  request_rollup: RequestRollupTable;
  escalation_settings: EscalationSettingsTable;
  service_referents: ServiceReferentsTable;
  alert_settings: AlertSettingsTable;
  alert_preferences: AlertPreferencesTable;
  notifications: NotificationsTable;
  frameworks: FrameworksTable;
  framework_themes: FrameworkThemesTable;
  commitments: CommitmentsTable;
  requirements: RequirementsTable;
  commitment_links: CommitmentLinksTable;
  levers: LeversTable;
  lever_commitments: LeverCommitmentsTable;
  org_frameworks: OrgFrameworksTable;
  local_commitments: LocalCommitmentsTable;
  organisations: OrganisationsTable;
  accounts: AccountsTable;
  grants: GrantsTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  rate_counters: RateCountersTable;
  password_resets: PasswordResetsTable;
  legal_pages: LegalPagesTable;
}

export type OrganisationRow = Selectable<OrganisationsTable>;
export type NewOrganisationRow = Insertable<OrganisationsTable>;
export type OrganisationUpdate = Updateable<OrganisationsTable>;
export type AccountRow = Selectable<AccountsTable>;

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

export interface JobsTable {
  id: Generated<string>;
  name: string;
  payload: Json;
  dedupe_key: string | null;
  run_at: TimestampDefault;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  locked_until: NullableTimestamp;
  done_at: NullableTimestamp;
  last_error: string | null;
  created_at: TimestampDefault;
}

export interface OutboxTable {
  org_id: string;
  id: Generated<string>;
  request_id: string | null;
  kind: string;
  recipient: string;
  subject: string;
  body: string;
  created_at: TimestampDefault;
  sent_at: NullableTimestamp;
  message_id: string | null;
  error: string | null;
  status: ColumnType<"queued" | "sent" | "failed", "queued" | "sent" | "failed" | undefined, "queued" | "sent" | "failed">;
  next_attempt_at: NullableTimestamp;
  failed_at: NullableTimestamp;
  error_code: string | null;
  round: Generated<number>;
}

export interface LetterTemplatesTable {
  org_id: string;
  kind: string;
  subject: string;
  body: string;
  version: Generated<number>;
  updated_at: TimestampDefault;
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

/** Migration 0027: an organisation's alert settings (N working days, kinds turned off). */
export interface AlertSettingsTable {
  org_id: string;
  deadline_days: number;
  disabled_kinds: string[];
  updated_at: TimestampDefault;
}

/** Migration 0027: how a person receives each kind of alert. */
export interface AlertPreferencesTable {
  account_id: string;
  kind: string;
  mode: string;
}

/** Migration 0027: one alert for one recipient. */
export interface NotificationsTable {
  org_id: string;
  id: Generated<string>;
  kind: string;
  key: string;
  recipient_id: string;
  subject_type: string | null;
  subject_id: string | null;
  title: string;
  body: string;
  link: string;
  mode: string;
  created_at: TimestampDefault;
  read_at: Timestamp | null;
  digested_on: string | null;
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
