import type { InstanceTables } from "../kernel/instance.tables.ts";
import type { AccountTables } from "../modules/accounts/accounts.tables.ts";
import type { OidcTables } from "../modules/accounts/oidc.tables.ts";
import type { ActionTables } from "../modules/actions/actions.tables.ts";
import type { AlertTables } from "../modules/alerts/alerts.tables.ts";
import type { AnnouncedDelayTables } from "../modules/announced-delays/announced-delays.tables.ts";
import type { AssessmentTables } from "../modules/assessments/assessments.tables.ts";
import type { AuditTables } from "../modules/audit/audit.tables.ts";
import type { CalendarTables } from "../modules/calendar/calendar.tables.ts";
import type { CallTables } from "../modules/calls/calls.tables.ts";
import type { FrameworkTables } from "../modules/frameworks/frameworks.tables.ts";
import type { IntegrationsTables } from "../modules/integrations/integrations.tables.ts";
import type { JobTables } from "../modules/jobs/jobs.tables.ts";
import type { LabelTables } from "../modules/label/label.tables.ts";
import type { LegalTables } from "../modules/legal/legal.tables.ts";
import type { MailTables } from "../modules/mail/mail.tables.ts";
import type { MailboxTables } from "../modules/mailboxes/mailboxes.tables.ts";
import type { MysteryTables } from "../modules/mystery/mystery.tables.ts";
import type { ObligationTables } from "../modules/obligations/obligations.tables.ts";
import type { OpeningHoursTables } from "../modules/opening-hours/opening-hours.tables.ts";
import type { OrganisationTables } from "../modules/organisations/organisations.tables.ts";
import type { PrivacyTables } from "../modules/privacy/privacy.tables.ts";
import type { PublicationTables } from "../modules/publication/publication.tables.ts";
import type { RequestTables } from "../modules/requests/requests.tables.ts";
import type { StaffTables } from "../modules/staff/staff.tables.ts";
import type { SurveyTables } from "../modules/surveys/surveys.tables.ts";

/**
 * The query layer's view of the database: every table, each typed beside the module that owns it
 * (`src/modules/<module>/*.tables.ts`; the instance's settings and rate limits in src/kernel). A module
 * names only its own tables in its queries, and asks the owner's service for the rest:
 * test/architecture.test.ts fails otherwise. These types never leave a repository: services speak in
 * their own types.
 */
export type DB = InstanceTables &
  AccountTables &
  OidcTables &
  ActionTables &
  AlertTables &
  AnnouncedDelayTables &
  AssessmentTables &
  AuditTables &
  CalendarTables &
  CallTables &
  FrameworkTables &
  IntegrationsTables &
  JobTables &
  LabelTables &
  LegalTables &
  MailTables &
  MailboxTables &
  MysteryTables &
  ObligationTables &
  OpeningHoursTables &
  OrganisationTables &
  PrivacyTables &
  PublicationTables &
  RequestTables &
  StaffTables &
  SurveyTables;

/** Re-exported for the callers that took them from here. */
export type { AccountRow } from "../modules/accounts/accounts.tables.ts";
export type { OutboxTable } from "../modules/mail/mail.tables.ts";
export type { NewOrganisationRow, OrganisationRow, OrganisationUpdate } from "../modules/organisations/organisations.tables.ts";
export type { RequestsTable } from "../modules/requests/requests.tables.ts";
