import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { refusedForm, submittedValues } from "../../kernel/forms.ts";
import { can } from "../../kernel/roles.ts";
import { todayOfRequest } from "../../kernel/time.ts";
import { parseInput } from "../../kernel/validation.ts";
import { sendPage } from "../../ui/page.tsx";
import { auditActor } from "../audit/audit.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { showImport, showMapping, showSettings, showUpload } from "./calls.pages.tsx";
import { formatField, importParams, mappingForm, orgParams, periodQuery, settingsForm } from "./calls.schema.ts";
import {
  callFigures,
  createImport,
  discardImport,
  queueCommit,
  queueReading,
  resumeImport,
  saveCallSettings,
  setImportMapping,
  settledWithin,
} from "./calls.service.ts";
import { CallsView } from "./calls.views.tsx";
import { type CallMapping, MAPPING_FIELDS } from "./mapped.ts";
import { acceptCallUploads, claimUpload, importFilePath, MAX_CALL_FILE_BYTES, removeFile, storedUpload } from "./upload.ts";
import { quotaRefusal } from "./upload-sweep.ts";

/** A year back from today (the organisation's), as the default period of the figures. */
function defaultPeriod(request: FastifyRequest): { from: string; to: string } {
  const today = todayOfRequest(request);
  const year = Number(today.slice(0, 4));
  return { from: `${year - 1}${today.slice(4, 7)}-01`, to: today };
}
/** The telephone figures, the settings, and (below) the imports of call logs. */
export async function callsRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const read = { config: { access: onOrg("request.read") }, schema: { hide: true } };
  const manage = { config: { access: onOrg("commitment.manage") }, schema: { hide: true } };

  app.get("/organisations/:orgId/calls", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const query = parseInput(periodQuery, request.query);
    const fallback = defaultPeriod(request);
    const period = { from: query.from ?? fallback.from, to: query.to ?? fallback.to };
    const org = await getOrganisation(db, orgId);
    const data = await callFigures(db, orgId, period);
    return sendPage(reply, request, {
      title: `Accueil téléphonique — ${org.name}`,
      breadcrumbs: [{ label: org.name, href: `/organisations/${orgId}` }, { label: "Téléphone" }],
      children: <CallsView orgId={orgId} orgName={org.name} data={data} canImport={can(actorOf(request), "request.write", org.path)} />,
    });
  });

  app.get("/organisations/:orgId/calls/settings", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return showSettings(db, request, reply, orgId);
  });

  app.post("/organisations/:orgId/calls/settings", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      const input = parseInput(settingsForm, request.body);
      await saveCallSettings(db, actorOf(request), orgId, input);
    } catch (error) {
      const { form, status } = refusedForm(error, submittedValues(request.body));
      return showSettings(db, request, reply, orgId, form, status);
    }
    return reply.redirect(`/organisations/${orgId}/calls?ok=calls.settings`, 303);
  });

  await app.register(async (scope) => callsImportRoutes(scope, deps));
}

/** The imports of call logs: upload, the import's page, column mapping, recording, resuming, dropping. */
function callsImportRoutes(scope: App, deps: AppDeps): void {
  const { db } = deps;
  const write = { config: { access: onOrg("request.write") }, schema: { hide: true } };
  const base = (orgId: string) => `/organisations/${orgId}/calls`;
  acceptCallUploads(scope);

  scope.get("/organisations/:orgId/calls/import", write, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return showUpload(db, request, reply, orgId);
  });

  scope.post("/organisations/:orgId/calls/import", write, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const upload = storedUpload(request.body);
    if (!upload || (upload.bytes === 0 && upload.fileName === ""))
      return showUpload(db, request, reply, orgId, "Choisissez le fichier du journal d'appels.");
    if (upload.tooLarge)
      return showUpload(
        db,
        request,
        reply,
        orgId,
        `Le fichier dépasse ${MAX_CALL_FILE_BYTES / 1024 ** 3} Go : découpez-le, ou importez-le en ligne de commande.`,
      );
    if (upload.bytes === 0) return showUpload(db, request, reply, orgId, "Le fichier est vide.");
    const body = request.body as Record<string, unknown>;
    const format = formatField.safeParse(body.format);
    if (!format.success) return showUpload(db, request, reply, orgId, "Choisissez le format du fichier.");
    const refusal = await quotaRefusal(db, orgId, upload.bytes);
    if (refusal) return showUpload(db, request, reply, orgId, refusal);
    const importId = await createImport(db, auditActor(actorOf(request)), orgId, {
      fileName: upload.fileName || "journal.csv",
      format: format.data,
      bytes: upload.bytes,
    });
    await claimUpload(upload, importId);
    // The reading is a job of the queue: the page it lands on follows it (« en file », then « lecture en cours »).
    if (format.data === "asterisk") await queueReading(db, auditActor(actorOf(request)), orgId, importId);
    return reply.redirect(`${base(orgId)}/imports/${importId}`, 303);
  });

  scope.get("/organisations/:orgId/calls/imports/:importId", write, async (request, reply) => {
    const { orgId, importId } = parseInput(importParams, request.params);
    return showImport(db, request, reply, orgId, importId);
  });

  scope.post("/organisations/:orgId/calls/imports/:importId/mapping", write, async (request, reply) => {
    const { orgId, importId } = parseInput(importParams, request.params);
    try {
      await setImportMapping(db, actorOf(request), orgId, importId, mappingOf(request.body));
      await queueReading(db, auditActor(actorOf(request)), orgId, importId);
    } catch (error) {
      const { form, status } = refusedForm(error, submittedValues(request.body));
      return showMapping(db, request, reply, orgId, importId, form, status);
    }
    return reply.redirect(`${base(orgId)}/imports/${importId}`, 303);
  });

  callsDecisionRoutes(scope, deps);
}

/** What becomes of a read import: recorded, read again after a crash, or dropped. */
function callsDecisionRoutes(scope: App, deps: AppDeps): void {
  const { db } = deps;
  const write = { config: { access: onOrg("request.write") }, schema: { hide: true } };
  const base = (orgId: string) => `/organisations/${orgId}/calls`;

  scope.post("/organisations/:orgId/calls/imports/:importId/commit", write, async (request, reply) => {
    const { orgId, importId } = parseInput(importParams, request.params);
    await queueCommit(db, auditActor(actorOf(request)), orgId, importId);
    // A file of a few thousand calls is recorded within the click; a larger one goes on, and its page follows it.
    const result = await settledWithin(db, orgId, importId, "committing", PATIENCE_MS);
    // Still going, or staged calls lost to a crash (nothing more recorded): the page says where it stands rather than « enregistrés ».
    if (result.status !== "done") return reply.redirect(`${base(orgId)}/imports/${importId}`, 303);
    return reply.redirect(`${base(orgId)}/imports/${importId}?ok=calls.imported`, 303);
  });

  scope.post("/organisations/:orgId/calls/imports/:importId/resume", write, async (request, reply) => {
    const { orgId, importId } = parseInput(importParams, request.params);
    await resumeImport(db, auditActor(actorOf(request)), orgId, importId, { queue: true });
    return reply.redirect(`${base(orgId)}/imports/${importId}`, 303);
  });

  scope.post("/organisations/:orgId/calls/imports/:importId/discard", write, async (request, reply) => {
    const { orgId, importId } = parseInput(importParams, request.params);
    await discardImport(db, auditActor(actorOf(request)), orgId, importId, { queue: true });
    // Calls already recorded by an interrupted recording take a while to leave: a job does it, the page follows it.
    const result = await settledWithin(db, orgId, importId, "discarding", PATIENCE_MS);
    if (result.status !== "discarded") return reply.redirect(`${base(orgId)}/imports/${importId}`, 303);
    await removeFile(importFilePath(importId));
    return reply.redirect(`${base(orgId)}/import?ok=calls.discarded`, 303);
  });
}

/** The column mapping typed in the form, refused with a message per field when it cannot be read. */
function mappingOf(body: unknown): CallMapping {
  const fields = parseInput(mappingForm, body);
  const mapping: CallMapping = { wait: fields.map_wait ?? "", answeredValues: fields.answeredValues };
  for (const f of MAPPING_FIELDS) if (f !== "wait") mapping[f] = fields[`map_${f}`];
  const errors: Record<string, string> = {};
  if (!mapping.wait) errors.map_wait = "Indiquez la colonne de la durée de sonnerie ou d'attente.";
  if (!mapping.dateTime && !(mapping.date && mapping.time))
    errors.map_dateTime = "Indiquez la colonne de la date et de l'heure, ou les deux colonnes séparées.";
  if (Object.keys(errors).length) throw new AppError("validation", { fields: errors });
  return mapping;
}

/** How long a click on « Enregistrer » or « Abandonner » waits for the end before showing the import's progress. */
const PATIENCE_MS = 2_000;
