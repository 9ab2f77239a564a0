import path from "node:path";
import { loadConfig } from "../kernel/config.ts";
import { scheduleNightlyBackup } from "../modules/backup/backup.jobs.ts";
import { sweepCallUploads } from "../modules/calls/upload-sweep.ts";
import { resumeInterruptedJobs, startWorker } from "../modules/jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "../modules/mail/mail.service.ts";
import { plural, pluralWord } from "../ui/format.ts";
import { assembleModules } from "./modules.ts";
import { buildServer } from "./server.ts";
import { openReadDatabase, openWhenReachable } from "./start.ts";

const config = loadConfig();
// Every module's routes, jobs, messages and contributions, before the server or the worker uses them.
assembleModules();
// With PostgreSQL down, the server waits (retrying, with a growing pause) rather than exits: a
// supervisor restarting it in a loop would only add noise. It listens once the schema is up to date,
// so nothing answers 503 to every page in the meantime and a health check sees the port closed.
// A fresh embedded folder starts from the dump the build left beside the compiled server (dist/), when
// there is one: the entry script's own folder (src/app under tsx, where there is none).
const database = await openWhenReachable(config, "serveur", { templateDir: path.dirname(process.argv[1] ?? ".") });
if (process.argv.includes("--demo")) {
  const { DemoRefusedError, loadDemo } = await import("../cli/demo-data.ts");
  try {
    await loadDemo(database.db, { force: process.argv.includes("--force") });
  } catch (error) {
    if (!(error instanceof DemoRefusedError)) throw error;
    console.error(error.message);
    await database.close();
    process.exit(1);
  }
}
if (database.engine === "pglite") scheduleNightlyBackup(config.backupDir, config.backupKeep);
let reads: ReturnType<typeof openReadDatabase>;
try {
  reads = openReadDatabase(config, database);
} catch (error) {
  console.error((error as Error).message);
  await database.close();
  process.exit(1);
}
// What a killed server left in the upload folder goes now, not at the next night's sweep.
await sweepCallUploads(database.db).catch((error: unknown) => console.error("Nettoyage des fichiers d'import impossible :", error));
const app = await buildServer({ db: database.db, readDb: reads.readDb, config }, { logger: true });
useMailTransport(createMailTransport(process.env));
let worker: ReturnType<typeof startWorker> | undefined;

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info(`${signal} reçu : arrêt propre`);
  await app.close();
  // Let the batch under way finish before the database closes under it.
  await worker?.stop();
  await reads.close();
  // The embedded engine writes its files on close: stopping without it could lose the last writes.
  await database.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

await app.listen({ host: config.host, port: config.port });
// Every app server polls the queue; claims skip each other's rows. Its first pass comes one interval after the
// port opens: that pass runs every daily job due (on a first start all of them: escalation and deadlines load
// the holiday calendars, publication, retention), 2 to 3 s of work on the embedded engine, whose single
// connection would make the first pages wait behind it (measured 5 December 2026).
// The embedded folder is this server's alone (its lock): a job still claimed there was a previous server's, killed
// before it finished. Claimed again at the first pass, rather than once its lock runs out five minutes later.
if (database.engine === "pglite" && database.lock) {
  const resumed = await resumeInterruptedJobs(database.db);
  if (resumed > 0)
    app.log.warn(
      `${plural(resumed, "tâche interrompue", "tâches interrompues")} par l'arrêt précédent : ${pluralWord(resumed, "reprise")} maintenant`,
    );
}
worker = startWorker({ db: database.db, log: app.log, intervalMs: 5_000, firstPassAfterMs: 5_000 });
database.lock?.describe({ port: config.port });
const where =
  database.engine === "pglite"
    ? `base embarquée PGlite (${config.dataDir}/pglite)`
    : config.databaseReadUrl
      ? "PostgreSQL, tableaux de bord et pages publiques sur la réplique de lecture"
      : "PostgreSQL";
if (database.engine === "pglite" && !database.durable) {
  app.log.warn(
    "Base embarquée : cette version de PGlite ne permet pas d'écrire chaque validation sur le disque ; une panne de la machine peut perdre les dernières écritures (les sauvegardes nocturnes restent faites).",
  );
}
app.log.info(`Vigie écoute sur http://${config.host}:${config.port} — ${where}`);
