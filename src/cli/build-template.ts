/**
 * Run by scripts/build.mjs after compiling: writes beside the compiled server the data folder a fresh embedded
 * instance starts from (src/db/embedded-template.ts). `node dist/build-template.js <folder>`.
 */
import { writeEmbeddedTemplate } from "../db/embedded-template.ts";
import { syncFrameworks } from "../modules/frameworks/frameworks.service.ts";

const dir = process.argv[2];
if (!dir) throw new Error("dossier de destination attendu");
const started = performance.now();
await writeEmbeddedTemplate(dir, syncFrameworks);
console.error(`modèle de base embarquée écrit en ${Math.round(performance.now() - started)} ms`);
