import type { FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { actorOf, onOrg } from "../../../kernel/access.ts";
import type { App, AppDeps } from "../../../kernel/context.ts";
import { AppError, type FieldErrors } from "../../../kernel/errors.ts";
import { acceptUploads, isUploadedFile } from "../../../kernel/uploads/multipart.ts";
import { parseInput } from "../../../kernel/validation.ts";
import type { PageOptions } from "../../../ui/layout.tsx";
import { sendPage } from "../../../ui/page.tsx";
import { auditActor } from "../../audit/audit.service.ts";
import { getOrganisation } from "../../organisations/organisations.service.ts";
import { choicesFromForm, formFields, importApiBody, importApiQuery, importApiReport, orgParams } from "./import.schema.ts";
import { commitImport, type ImportReport, isClean, previewImport } from "./import.service.ts";
import { MappingForm, PreviewPage, UploadForm } from "./import.views.tsx";
import { type ColumnMapping, type Constants, columnIndex, IMPORT_FIELDS, proposeMapping } from "./mapping.ts";
import { parseRegister, SheetError } from "./parse-file.ts";
import { type Carried, importSecret, seal, unseal } from "./payload.ts";
import { toSheet } from "./sheet.ts";

/**
 * The pages after the upload carry the whole parsed file in a hidden field (see payload.ts): up to
 * 10,000 rows, several megabytes, more than the server-wide 1 MB body limit.
 */
const CARRIED_BODY_LIMIT = 16 * 1024 * 1024;
const TAG = ["demandes"];

export async function requestImportRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const secret = await importSecret(db);

  // A scope of its own, so the multipart parser serves the upload routes and nothing else.
  await app.register(async (plugin) => {
    acceptUploads(plugin);
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    const write = { config: { access: onOrg("request.write") }, schema: { hide: true } };
    const carried = { ...write, bodyLimit: CARRIED_BODY_LIMIT };

    const page = async (orgId: string, title: string, children: PageOptions["children"]): Promise<PageOptions> => {
      const org = await getOrganisation(db, orgId);
      return {
        title,
        breadcrumbs: [
          { label: org.name, href: `/organisations/${orgId}` },
          { label: "Demandes", href: `/organisations/${orgId}/requests` },
          { label: "Importer un registre" },
        ],
        children,
      };
    };
    const base = (orgId: string) => `/organisations/${orgId}/requests/import`;

    const showUpload = async (request: FastifyRequest, reply: FastifyReply, orgId: string, error?: string) =>
      sendPage(
        reply,
        request,
        await page(orgId, "Importer un registre de demandes", <UploadForm action={base(orgId)} csrf={request.csrfToken} error={error} />),
        error ? 400 : 200,
      );

    const showMapping = async (
      request: FastifyRequest,
      reply: FastifyReply,
      orgId: string,
      state: { file: Carried; payload: string; mapping: ColumnMapping; constants: Constants; errors?: FieldErrors },
    ) => {
      const errors = state.errors ?? {};
      const form = (
        <MappingForm
          action={`${base(orgId)}/preview`}
          csrf={request.csrfToken}
          fileName={state.file.fileName}
          sheet={state.file.sheet}
          payload={state.payload}
          mapping={state.mapping}
          constants={state.constants}
          errors={errors}
        />
      );
      return sendPage(reply, request, await page(orgId, "Correspondance des colonnes", form), Object.keys(errors).length ? 400 : 200);
    };

    /** The file and the choices a step's form carries. */
    const carriedState = (request: FastifyRequest, orgId: string) => {
      const fields = formFields(request.body);
      const payload = fields.payload ?? "";
      const file = unseal(secret, payload, orgId);
      return { file, payload, ...choicesFromForm(fields, file.sheet.columns.length) };
    };

    scope.get("/organisations/:orgId/requests/import", write, async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      return showUpload(request, reply, orgId);
    });

    scope.post("/organisations/:orgId/requests/import", write, async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const body: unknown = request.body;
      const file = typeof body === "object" && body !== null && "file" in body ? body.file : undefined;
      if (!isUploadedFile(file) || (file.data.length === 0 && file.fileName === "")) {
        return showUpload(request, reply, orgId, "Choisissez le fichier du registre.");
      }
      if (file.tooLarge) return showUpload(request, reply, orgId, "Le fichier dépasse 10 Mo : découpez-le en plusieurs fichiers.");
      try {
        const sheet = await parseRegister(file.data);
        const fileName = file.fileName || "registre";
        const payload = seal(secret, orgId, fileName, sheet);
        const state = { file: { orgId, fileName, issuedAt: Date.now(), sheet }, payload };
        return showMapping(request, reply, orgId, { ...state, mapping: proposeMapping(sheet.columns), constants: {} });
      } catch (error) {
        if (error instanceof SheetError) return showUpload(request, reply, orgId, error.message);
        throw error;
      }
    });

    scope.post("/organisations/:orgId/requests/import/mapping", carried, async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      return showMapping(request, reply, orgId, carriedState(request, orgId));
    });

    const showReport = async (
      request: FastifyRequest,
      reply: FastifyReply,
      orgId: string,
      state: ReturnType<typeof carriedState>,
      report: ImportReport,
    ) => {
      if (Object.keys(report.mappingErrors).length > 0)
        return showMapping(request, reply, orgId, { ...state, errors: report.mappingErrors });
      const preview = (
        <PreviewPage
          base={base(orgId)}
          csrf={request.csrfToken}
          fileName={state.file.fileName}
          payload={state.payload}
          mapping={state.mapping}
          constants={state.constants}
          report={report}
        />
      );
      return sendPage(reply, request, await page(orgId, "Vérification du fichier", preview), report.invalid.length ? 400 : 200);
    };

    scope.post("/organisations/:orgId/requests/import/preview", carried, async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const state = carriedState(request, orgId);
      const { file, mapping, constants } = state;
      return showReport(request, reply, orgId, state, await previewImport(db, orgId, { sheet: file.sheet, mapping, constants }));
    });

    scope.post("/organisations/:orgId/requests/import/commit", carried, async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const state = carriedState(request, orgId);
      const { file, mapping, constants } = state;
      const report = await commitImport(db, orgId, { sheet: file.sheet, mapping, constants }, auditActor(actorOf(request)));
      if (!isClean(report)) return showReport(request, reply, orgId, state, report);
      return reply.redirect(`/organisations/${orgId}/requests?ok=requests.imported`, 303);
    });

    // ---- JSON API ----
    scope.post(
      "/api/v1/organisations/:orgId/requests/import",
      {
        config: { access: onOrg("request.write") },
        bodyLimit: CARRIED_BODY_LIMIT,
        schema: {
          tags: TAG,
          summary:
            "Importer un registre : vérification seule (dryRun=true, par défaut) ou enregistrement de toutes les lignes, ou d'aucune",
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
  });
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
