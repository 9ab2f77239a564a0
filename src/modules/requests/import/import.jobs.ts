import { defineJob } from "../../jobs/registry.ts";
import { IMPORT_JOB, importJobPayload, runQueuedImport } from "./import.service.ts";

/** The commit of a register import, enqueued by its « Importer » button (import.service.ts, queueImport). */
export const registerImportJob = defineJob(IMPORT_JOB, importJobPayload, runQueuedImport);
