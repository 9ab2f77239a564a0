import { defineJob } from "../../jobs/registry.ts";
import { IMPORT_JOB, importJobPayload, runQueuedImport } from "./import.service.ts";

/** The commit of a register import, enqueued by its « Importer » button (import.service.ts, queueImport). */
// A person's file, which may be what killed the server: not resumed at once after a crash (see JobOptions).
export const registerImportJob = defineJob(IMPORT_JOB, importJobPayload, runQueuedImport, { afterCrash: "wait" });
