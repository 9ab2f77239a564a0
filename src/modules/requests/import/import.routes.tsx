import type { FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { actorOf, onOrg } from "../../../kernel/access.ts";
import type { App, AppDeps } from "../../../kernel/context.ts";
import { AppError, type FieldErrors } from "../../../kernel/errors.ts";
import { acceptUploads, isUploadedFile } from "../../../kernel/uploads/multipart.ts";
import { parseInput } from "../../../kernel/validation.ts";
import { auditActor } from "../../audit/audit.service.ts";
import { type CarriedState, importBase, importPath, showImport, showMapping, showReport, showUpload } from "./import.pages.tsx";
import {
  choicesFromForm,
  formFields,
  importApiBody,
  importApiQuery,
  importApiReport,
  importParams,
  importStatusQuery,
  orgParams,
} from "./import.schema.ts";
import { checkImport, commitImport, discardQueuedImport, isClean, previewImport, queueImport } from "./import.service.ts";
import { type ColumnMapping, columnIndex, IMPORT_FIELDS, proposeMapping } from "./mapping.ts";
import { parseRegister, SheetError } from "./parse-file.ts";
import { importSecret, seal, unseal } from "./payload.ts";
import { toSheet } from "./sheet.ts";

/**
 * The pages after the upload carry the whole parsed file in a hidden field (see payload.ts): up to
 * 10,000 rows, several megabytes, more than the server-wide 1 MB body limit.
 */
const CARRIED_BODY_LIMIT = 16 * 1024 * 1024;
const TAG = ["demandes"];
const write = { config: { access: onOrg("request.write") }, schema: { hide: true } };
const carried = { ...write, bodyLimit: CARRIED_BODY_LIMIT };

export async function requestImportRoutes(app: App, deps: AppDeps): Promise<void> {
  const secret = await importSecret(deps.db);
  // A scope of its own, so the multipart parser serves the upload routes and nothing else.
  await app.register(async (plugin) => {
    acceptUploads(plugin);
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    importStepRoutes(scope, deps, secret);
    importCommitRoutes(scope, deps, secret);
    importApiRoutes(scope, deps);
  });
}

/** The file and the choices a step's form carries. */
function carriedState(secret: Buffer, request: FastifyRequest, orgId: string): CarriedState {
  const fields = formFields(request.body);
  const payload = fields.payload ?? "";
  const file = unseal(secret, payload, orgId);
  return { file, payload, ...choicesFromForm(fields, file.sheet.columns.length) };
}

/** Upload, column mapping and dry run: nothing is written before the commit. */
function importStepRoutes(scope: App, deps: AppDeps, secret: Buffer): void {
  const { db } = deps;

  scope.get("/organisations/:orgId/requests/import", write, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return showUpload(db, request, reply, orgId);
  });

  scope.post("/organisations/:orgId/requests/import", write, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const body: unknown = request.body;
    const file = typeof body === "object" && body !== null && "file" in body ? body.file : undefined;
    if (!isUploadedFile(file) || (file.data.length === 0 && file.fileName === "")) {
      return showUpload(db, request, reply, orgId, "Choisissez le fichier du registre.");
    }
    if (file.tooLarge) return showUpload(db, request, reply, orgId, "Le fichier dépasse 10 Mo : découpez-le en plusieurs fichiers.");
    try {
      const sheet = await parseRegister(file.data);
      const fileName = file.fileName || "registre";
      const payload = seal(secret, orgId, fileName, sheet);
      const state = { file: { orgId, fileName, issuedAt: Date.now(), sheet }, payload };
      return showMapping(db, request, reply, orgId, { ...state, mapping: proposeMapping(sheet.columns), constants: {} });
    } catch (error) {
      if (error instanceof SheetError) return showUpload(db, request, reply, orgId, error.message);
      throw error;
    }
  });

  scope.post("/organisations/:orgId/requests/import/mapping", carried, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return showMapping(db, request, reply, orgId, carriedState(secret, request, orgId));
  });

  scope.post("/organisations/:orgId/requests/import/preview", carried, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const state = carriedState(secret, request, orgId);
    const { file, mapping, constants } = state;
    return showReport(db, request, reply, orgId, state, await previewImport(db, orgId, { sheet: file.sheet, mapping, constants }));
  });
}

/** The commit, a job of the queue, and the import's own page, which follows it; a failed import can be dropped. */
function importCommitRoutes(scope: App, deps: AppDeps, secret: Buffer): void {
  const { db } = deps;

  scope.post("/organisations/:orgId/requests/import/commit", carried, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const state = carriedState(secret, request, orgId);
    const plan = { sheet: state.file.sheet, mapping: state.mapping, constants: state.constants };
    // A file with a bad row is refused here, as on the dry run; the job only ever receives a clean one.
    if (!isClean(checkImport(plan))) return showReport(db, request, reply, orgId, state, await previewImport(db, orgId, plan));
    const importId = await queueImport(db, orgId, state.file.fileName, plan, auditActor(actorOf(request)));
    return reply.redirect(importPath(orgId, importId), 303);
  });

  scope.get("/organisations/:orgId/requests/imports/:importId", write, async (request, reply) => {
    const { orgId, importId } = parseInput(importParams, request.params);
    const { auto } = parseInput(importStatusQuery, request.query);
    return showImport(db, request, reply, orgId, importId, auto === "0");
  });

  scope.post("/organisations/:orgId/requests/imports/:importId/discard", write, async (request, reply) => {
    const { orgId, importId } = parseInput(importParams, request.params);
    // Only a failed import goes; one that is still running or has ended well stays, and its page says so.
    if (!(await discardQueuedImport(db, orgId, importId))) return reply.redirect(importPath(orgId, importId), 303);
    return reply.redirect(`${importBase(orgId)}?ok=requests.import_discarded`, 303);
  });
}

/** The JSON import: a dry run, or the whole commit within the call (an API client waits for its report). */
function importApiRoutes(scope: App, deps: AppDeps): void {
  const { db } = deps;
  scope.post(
    "/api/v1/organisations/:orgId/requests/import",
    {
      config: { access: onOrg("request.write") },
      bodyLimit: CARRIED_BODY_LIMIT,
      schema: {
        tags: TAG,
        summary: "Importer un registre : vérification seule (dryRun=true, par défaut) ou enregistrement de toutes les lignes, ou d'aucune",
        description:
          "Les lignes sont numérotées comme dans le tableur (l'en-tête est la ligne 1). Une ligne déjà enregistrée (même date de réception, même objet, même courriel ou nom) est ignorée. Avec une seule ligne invalide, rien n'est écrit et la réponse (422) liste chaque ligne à corriger ; une correspondance impossible répond 400.",
        params: orgParams,
        querystring: importApiQuery,
        body: importApiBody,
        response: { 200: importApiReport, 422: importApiReport },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      const { columns, rows } = request.body;
      const sheet = sheetOf(columns, rows);
      const plan = { sheet, mapping: mappingByName(sheet.columns, request.body.mapping), constants: request.body.constants ?? {} };
      const report =
        request.query.dryRun === "false"
          ? await commitImport(db, orgId, plan, auditActor(actorOf(request)))
          : await previewImport(db, orgId, plan);
      if (Object.keys(report.mappingErrors).length > 0) {
        const fields = Object.fromEntries(Object.entries(report.mappingErrors).map(([f, m]) => [`mapping.${f}`, m]));
        throw new AppError("validation", { fields });
      }
      return reply.status(report.invalid.length ? 422 : 200).send({
        rows: report.rowCount,
        valid: report.fresh.length + report.duplicates.length,
        invalid: report.invalid,
        duplicates: report.duplicates,
        created: report.created,
      });
    },
  );
}

function sheetOf(columns: string[], rows: string[][]) {
  try {
    return toSheet([{ line: 1, cells: columns }, ...rows.map((cells, i) => ({ line: i + 2, cells }))]);
  } catch (error) {
    if (error instanceof SheetError) throw new AppError("validation", { fields: { rows: error.message } });
    throw error;
  }
}

/** The API names columns as in the header; the automatic proposal stands in for a missing mapping. */
function mappingByName(columns: string[], byName: Partial<Record<string, string>> | undefined): ColumnMapping {
  if (!byName) return proposeMapping(columns);
  const mapping: ColumnMapping = {};
  const unknown: FieldErrors = {};
  for (const field of IMPORT_FIELDS) {
    const name = byName[field];
    if (name === undefined || name === "") continue;
    const index = columnIndex(columns, name);
    if (index === undefined) unknown[`mapping.${field}`] = `La colonne « ${name} » n'est pas dans « columns ».`;
    else mapping[field] = index;
  }
  if (Object.keys(unknown).length > 0) throw new AppError("validation", { fields: unknown });
  return mapping;
}
