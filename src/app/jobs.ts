/**
 * Every job definition of the application, registered by importing its module. The worker only
 * claims jobs whose names this process knows, so a job module missing here is never run.
 */
import "../modules/mail/mail.jobs.ts";
import "../modules/requests/requests.jobs.ts";
import "../modules/alerts/alerts.jobs.ts";
import "../modules/publication/publication.jobs.ts";
import "../modules/actions/actions.jobs.ts";
import "../modules/backup/backup.jobs.ts";
import "../modules/jobs/partitions.jobs.ts";
import "../modules/mailboxes/mailboxes.jobs.ts";
import "../modules/integrations/webhooks.jobs.ts";
import "../modules/calls/calls.jobs.ts";
import "../modules/privacy/privacy.jobs.ts";
