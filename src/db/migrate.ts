import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import * as m0001 from "./migrations/0001_foundation.ts";
import * as m0002 from "./migrations/0002_frameworks.ts";
import * as m0003 from "./migrations/0003_requests.ts";
import * as m0004 from "./migrations/0004_rate_limits.ts";
import * as m0005 from "./migrations/0005_closures.ts";
import * as m0006 from "./migrations/0006_surveys.ts";
import * as m0007 from "./migrations/0007_survey_distribution.ts";
import * as m0008 from "./migrations/0008_calls.ts";
import * as m0009 from "./migrations/0009_improvement.ts";
import * as m0010 from "./migrations/0010_publication.ts";
import * as m0011 from "./migrations/0011_announced_delays.ts";
import * as m0012 from "./migrations/0012_mail_status.ts";
import * as m0013 from "./migrations/0013_tracking_code.ts";
import * as m0014 from "./migrations/0014_account_security.ts";
import * as m0015 from "./migrations/0015_organisation_logos.ts";
import * as m0016 from "./migrations/0016_list_indexes.ts";
import * as m0018 from "./migrations/0018_call_rollups_by_level.ts";
import * as m0019 from "./migrations/0019_publication_chunks.ts";
import * as m0020 from "./migrations/0020_oidc.ts";
import * as m0021 from "./migrations/0021_integrations.ts";
import * as m0022 from "./migrations/0022_mailboxes.ts";
import * as m0024 from "./migrations/0024_label_files.ts";
import * as m0025 from "./migrations/0025_obligations.ts";
import * as m0026 from "./migrations/0026_service_accounts.ts";
import * as m0027 from "./migrations/0027_alerts.ts";
import * as m0028 from "./migrations/0028_escalation.ts";
import * as m0029 from "./migrations/0029_privacy.ts";
import * as m0030 from "./migrations/0030_crash_recovery.ts";
import * as m0031 from "./migrations/0031_call_commit_slices.ts";
import * as m0032 from "./migrations/0032_jdma_statistics.ts";
import * as m0033 from "./migrations/0033_publication_marks_appended.ts";
import * as m0034 from "./migrations/0034_request_imports.ts";
import * as m0035 from "./migrations/0035_settings_epoch.ts";
import * as m0036 from "./migrations/0036_request_register_function.ts";
import * as m0037 from "./migrations/0037_survey_answer_cost.ts";
import * as m0038 from "./migrations/0038_request_register_epoch.ts";
import * as m0039 from "./migrations/0039_survey_rollup_levels.ts";
import * as m0040 from "./migrations/0040_survey_response_counts.ts";

/** Migrations are listed here, in order, so a bundle or a test runner needs no file-system scan. */
const migrations: Record<string, Migration> = {
  "0001_foundation": m0001,
  "0002_frameworks": m0002,
  "0003_requests": m0003,
  "0004_rate_limits": m0004,
  "0005_closures": m0005,
  "0006_surveys": m0006,
  "0007_survey_distribution": m0007,
  "0008_calls": m0008,
  "0009_improvement": m0009,
  "0010_publication": m0010,
  "0011_announced_delays": m0011,
  "0012_mail_status": m0012,
  "0013_tracking_code": m0013,
  "0014_account_security": m0014,
  "0015_organisation_logos": m0015,
  "0016_list_indexes": m0016,
  "0018_call_rollups_by_level": m0018,
  "0019_publication_chunks": m0019,
  "0020_oidc": m0020,
  "0021_integrations": m0021,
  "0022_mailboxes": m0022,
  "0024_label_files": m0024,
  "0025_obligations": m0025,
  "0026_service_accounts": m0026,
  "0027_alerts": m0027,
  "0028_escalation": m0028,
  "0029_privacy": m0029,
  "0030_crash_recovery": m0030,
  "0031_call_commit_slices": m0031,
  "0032_jdma_statistics": m0032,
  "0033_publication_marks_appended": m0033,
  "0034_request_imports": m0034,
  "0035_settings_epoch": m0035,
  "0036_request_register_function": m0036,
  "0037_survey_answer_cost": m0037,
  "0038_request_register_epoch": m0038,
  "0039_survey_rollup_levels": m0039,
  "0040_survey_response_counts": m0040,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

export async function migrateToLatest<T>(db: Kysely<T>, schema?: string): Promise<string[]> {
  if (await upToDate(db as Kysely<unknown>, schema)) return [];
  // Migrations see the database as it was when they were written, not as the current table types say.
  // With a schema of its own, the migrator must be told: it otherwise finds another schema's
  // bookkeeping tables in the same database and believes they are its own.
  const migrator = new Migrator({
    db: db as Kysely<unknown>,
    provider: new StaticProvider(),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/**
 * Whether every migration of this version is applied, and no other: one read of the migrator's own
 * table. The migrator first introspects the whole catalogue and takes its lock, about 0.35 s of
 * every restart of the embedded engine for nothing to do; anything else (a new database, a
 * migration to apply, one this version does not know) goes through it as before.
 */
async function upToDate(db: Kysely<unknown>, schema?: string): Promise<boolean> {
  try {
    const table = schema ? sql.id(schema, "kysely_migration") : sql.id("kysely_migration");
    const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(db);
    const names = Object.keys(migrations);
    const applied = new Set(rows.map((r) => r.name));
    return applied.size === names.length && names.every((name) => applied.has(name));
  } catch {
    // No such table yet: a new database.
    return false;
  }
}

/** Up to a given migration and no further: for the tests of a migration's own data changes. */
export async function migrateTo<T>(db: Kysely<T>, name: string, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db: db as Kysely<unknown>,
    provider: new StaticProvider(),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
