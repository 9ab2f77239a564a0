import type { FastifyReply, FastifyRequest } from "fastify";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { submittedValues } from "../../kernel/forms.ts";
import { can } from "../../kernel/roles.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { auditActor } from "../audit/audit.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { formatField, importParams, mappingForm, orgParams, periodQuery, settingsForm } from "./calls.schema.ts";
import {
  callFigures,
  claimImport,
  commitImport,
  createImport,
  discardImport,
  fileKept,
  getCallSettings,
  getImport,
  isInterrupted,
  listImports,
  resumeImport,
  ringsTarget,
  runImport,
  saveCallSettings,
  setImportMapping,
  stagedLost,
} from "./calls.service.ts";
import { CallsView, ImportStatusPage, MappingPage, SettingsPage, UploadPage } from "./calls.views.tsx";
import { type CallMapping, MAPPING_FIELDS } from "./mapped.ts";
import { readHeader } from "./read-file.ts";
import { acceptCallUploads, claimUpload, importFilePath, MAX_CALL_FILE_BYTES, removeFile, storedUpload } from "./upload.ts";
import { quotaRefusal } from "./upload-sweep.ts";

/** A year back from today, as the default period of the figures. */
function defaultPeriod(): { from: string; to: string } {
  const today = new Date().toISOString().slice(0, 10);
  const year = Number(today.slice(0, 4));
  return { from: `${year - 1}${today.slice(4, 7)}-01`, to: today };
}

export async function callsRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const read = { config: { access: onOrg("request.read") }, schema: { hide: true } };
  const write = { config: { access: onOrg("request.write") }, schema: { hide: true } };
  const manage = { config: { access: onOrg("commitment.manage") }, schema: { hide: true } };

  const page = async (orgId: string, title: string, trail: Array<{ label: string; href?: string }>, children: PageOptions["children"]) => {
    const org = await getOrganisation(db, orgId);
    return {
      title,
      breadcrumbs: [
        { label: org.name, href: `/organisations/${orgId}` },
        { label: "Téléphone", href: `/organisations/${orgId}/calls` },
        ...trail,
      ],
      children,
    } satisfies PageOptions;
  };

  app.get("/organisations/:orgId/calls", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const query = parseInput(periodQuery, request.query);
    const fallback = defaultPeriod();
    const period = { from: query.from ?? fallback.from, to: query.to ?? fallback.to };
    const org = await getOrganisation(db, orgId);
    const data = await callFigures(db, orgId, period);
    return sendPage(reply, request, {
      title: `Accueil téléphonique — ${org.name}`,
      breadcrumbs: [{ label: org.name, href: `/organisations/${orgId}` }, { label: "Téléphone" }],
      children: <CallsView orgId={orgId} orgName={org.name} data={data} canImport={can(actorOf(request), "request.write", org.path)} />,
    });
  });

  // ---- Settings ----
  const showSettings = async (request: FastifyRequest, reply: FastifyReply, orgId: string, form?: FormState, status = 200) => {
    const settings = await getCallSettings(db, orgId);
    const rings = await ringsTarget(db, orgId, { ...settings, rings: null });
    const state =
      form ??
      emptyForm({
        rings: settings.rings === null ? "" : String(settings.rings),
        secondsPerRing: String(settings.secondsPerRing),
        inboundContexts: settings.inboundContexts.join(", "),
      });
    const view = (
      <SettingsPage
        action={`/organisations/${orgId}/calls/settings`}
        csrf={request.csrfToken}
        form={state}
        settings={settings}
        rings={rings}
      />
    );
    return sendPage(reply, request, await page(orgId, "Réglages de l'accueil téléphonique", [{ label: "Réglages" }], view), status);
  };

  app.get("/organisations/:orgId/calls/settings", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return showSettings(request, reply, orgId);
  });

  app.post("/organisations/:orgId/calls/settings", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      const input = parseInput(settingsForm, request.body);
      await saveCallSettings(db, actorOf(request), orgId, input);
      return reply.redirect(`/organisations/${orgId}/calls?ok=calls.settings`, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
      return showSettings(
        request,
        reply,
        orgId,
        { values: submittedValues(request.body), errors: error.fields ?? { _: error.message } },
        error.status,
      );
    }
  });

  // ---- Imports ----
  await app.register(async (scope) => {
    acceptCallUploads(scope);
    const base = (orgId: string) => `/organisations/${orgId}/calls`;

    const showUpload = async (request: FastifyRequest, reply: FastifyReply, orgId: string, error?: string) => {
      const view = (
        <UploadPage
          action={`${base(orgId)}/import`}
          csrf={request.csrfToken}
          error={error}
          imports={(await listImports(db, orgId)).map((i) => (isInterrupted(i) ? { ...i, status: "interrupted" } : i))}
          orgId={orgId}
        />
      );
      return sendPage(reply, request, await page(orgId, "Importer un journal d'appels", [{ label: "Import" }], view), error ? 400 : 200);
    };

    /**
     * Reads the file in the background; the status page follows it. The file stays while the import waits
     * for a decision (« Reprendre » after a crash reads it again) and goes once it is recorded or failed.
     */
    const readInBackground = (request: FastifyRequest, orgId: string, importId: string) => {
      const file = importFilePath(importId);
      runImport(db, auditActor(actorOf(request)), orgId, importId, file, { commitWhenClean: true })
        .then(async (result) => {
          if (result.status === "done" || result.status === "failed") await removeFile(file);
        })
        .catch(async (error: unknown) => {
          request.log.error({ err: error, importId }, "échec de la lecture d'un journal d'appels");
          await removeFile(file);
        });
    };

    const startReading = async (request: FastifyRequest, orgId: string, importId: string) => {
      await claimImport(db, orgId, importId);
      readInBackground(request, orgId, importId);
    };

    scope.get("/organisations/:orgId/calls/import", write, async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      return showUpload(request, reply, orgId);
    });

    scope.post("/organisations/:orgId/calls/import", write, async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const upload = storedUpload(request.body);
      if (!upload || (upload.bytes === 0 && upload.fileName === ""))
        return showUpload(request, reply, orgId, "Choisissez le fichier du journal d'appels.");
      if (upload.tooLarge)
        return showUpload(
          request,
          reply,
          orgId,
          `Le fichier dépasse ${MAX_CALL_FILE_BYTES / 1024 ** 3} Go : découpez-le, ou importez-le en ligne de commande.`,
        );
      if (upload.bytes === 0) return showUpload(request, reply, orgId, "Le fichier est vide.");
      const body = request.body as Record<string, unknown>;
      const format = formatField.safeParse(body.format);
      if (!format.success) return showUpload(request, reply, orgId, "Choisissez le format du fichier.");
      const refusal = await quotaRefusal(db, orgId, upload.bytes);
      if (refusal) return showUpload(request, reply, orgId, refusal);
      const importId = await createImport(db, auditActor(actorOf(request)), orgId, {
        fileName: upload.fileName || "journal.csv",
        format: format.data,
        bytes: upload.bytes,
      });
      await claimUpload(upload, importId);
      if (format.data === "asterisk") await startReading(request, orgId, importId);
      return reply.redirect(`${base(orgId)}/imports/${importId}`, 303);
    });

    scope.get("/organisations/:orgId/calls/imports/:importId", write, async (request, reply) => {
      const { orgId, importId } = parseInput(importParams, request.params);
      const { auto } = parseInput(periodQuery, request.query);
      const item = await getImport(db, orgId, importId);
      if (item.format === "mapped" && item.status === "uploaded") return showMapping(request, reply, orgId, importId);
      const interrupted = isInterrupted(item);
      const lost = await stagedLost(db, item);
      const following =
        (item.status === "reading" || item.status === "committing" || item.status === "discarding") && !interrupted && auto !== "0";
      // A Refresh header rather than a meta tag: the page follows the import without a script, and a
      // link on the page stops it for whoever the reloads disturb (WCAG 2.2.1).
      if (following) reply.header("refresh", "2");
      const view = (
        <ImportStatusPage
          orgId={orgId}
          item={item}
          csrf={request.csrfToken}
          auto={following}
          interrupted={interrupted}
          lost={lost}
          resumable={(interrupted || lost) && item.status !== "discarding" && fileKept(importId)}
        />
      );
      return sendPage(
        reply,
        request,
        await page(
          orgId,
          `Import de « ${item.fileName} »`,
          [{ label: "Import", href: `${base(orgId)}/import` }, { label: item.fileName }],
          view,
        ),
      );
    });

    const showMapping = async (
      request: FastifyRequest,
      reply: FastifyReply,
      orgId: string,
      importId: string,
      form?: FormState,
      status = 200,
    ) => {
      const item = await getImport(db, orgId, importId);
      const header = await readHeader(importFilePath(importId)).catch(() => null);
      if (!header) return showUpload(request, reply, orgId, "Le fichier de cet import n'est plus disponible : envoyez-le de nouveau.");
      const saved = (await getCallSettings(db, orgId)).mapping;
      const state: FormState = form ?? {
        values: Object.fromEntries([
          ...MAPPING_FIELDS.map((f) => [`map_${f}`, saved?.[f] ?? guessColumn(f, header)]),
          ["answeredValues", saved?.answeredValues ?? ""],
        ]),
        errors: item.message ? { _: item.message } : ({} as Record<string, string>),
      };
      const view = (
        <MappingPage
          action={`${base(orgId)}/imports/${importId}/mapping`}
          discardAction={`${base(orgId)}/imports/${importId}/discard`}
          csrf={request.csrfToken}
          header={header}
          form={state}
          fileName={item.fileName}
        />
      );
      return sendPage(
        reply,
        request,
        await page(orgId, "Correspondance des colonnes", [{ label: "Import", href: `${base(orgId)}/import` }, { label: "Colonnes" }], view),
        status,
      );
    };

    scope.post("/organisations/:orgId/calls/imports/:importId/mapping", write, async (request, reply) => {
      const { orgId, importId } = parseInput(importParams, request.params);
      try {
        const fields = parseInput(mappingForm, request.body);
        const mapping: CallMapping = { wait: fields.map_wait ?? "", answeredValues: fields.answeredValues };
        for (const f of MAPPING_FIELDS) if (f !== "wait") mapping[f] = fields[`map_${f}`];
        const errors: Record<string, string> = {};
        if (!mapping.wait) errors.map_wait = "Indiquez la colonne de la durée de sonnerie ou d'attente.";
        if (!mapping.dateTime && !(mapping.date && mapping.time))
          errors.map_dateTime = "Indiquez la colonne de la date et de l'heure, ou les deux colonnes séparées.";
        if (Object.keys(errors).length) throw new AppError("validation", { fields: errors });
        await setImportMapping(db, actorOf(request), orgId, importId, mapping);
        await startReading(request, orgId, importId);
        return reply.redirect(`${base(orgId)}/imports/${importId}`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
        return showMapping(
          request,
          reply,
          orgId,
          importId,
          { values: submittedValues(request.body), errors: error.fields ?? { _: error.message } },
          error.status,
        );
      }
    });

    /**
     * Waits for a recording or a dropping up to `PATIENCE_MS`: a file of a few thousand calls ends in
     * the click; a larger one goes on in the background (in slices on the embedded engine) and the
     * person lands on the import's page, which follows its progress. An error in that time (the
     * import in another state) is the click's answer.
     */
    const within = async <T,>(request: FastifyRequest, work: Promise<T>, what: string): Promise<T | undefined> => {
      const slow = Symbol("slow");
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        work,
        new Promise<typeof slow>((resolve) => {
          timer = setTimeout(() => resolve(slow), PATIENCE_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      if (result !== slow) return result as T;
      work.catch((error: unknown) => request.log.error({ err: error }, what));
      return undefined;
    };

    scope.post("/organisations/:orgId/calls/imports/:importId/commit", write, async (request, reply) => {
      const { orgId, importId } = parseInput(importParams, request.params);
      const recording = commitImport(db, auditActor(actorOf(request)), orgId, importId).then(async (result) => {
        if (result.status === "done") await removeFile(importFilePath(importId));
        return result;
      });
      const result = await within(request, recording, "échec de l'enregistrement d'un journal d'appels");
      // Still going, or staged calls lost to a crash (nothing more recorded): the page says where it stands rather than « enregistrés ».
      if (result?.status !== "done") return reply.redirect(`${base(orgId)}/imports/${importId}`, 303);
      return reply.redirect(`${base(orgId)}/imports/${importId}?ok=calls.imported`, 303);
    });

    scope.post("/organisations/:orgId/calls/imports/:importId/resume", write, async (request, reply) => {
      const { orgId, importId } = parseInput(importParams, request.params);
      await resumeImport(db, auditActor(actorOf(request)), orgId, importId);
      readInBackground(request, orgId, importId);
      return reply.redirect(`${base(orgId)}/imports/${importId}`, 303);
    });

    scope.post("/organisations/:orgId/calls/imports/:importId/discard", write, async (request, reply) => {
      const { orgId, importId } = parseInput(importParams, request.params);
      const dropping = discardImport(db, auditActor(actorOf(request)), orgId, importId).then(async () => {
        await removeFile(importFilePath(importId));
        return true;
      });
      // Calls already recorded by an interrupted recording take a while to leave: the page follows it.
      if (!(await within(request, dropping, "échec de l'abandon d'un import d'appels")))
        return reply.redirect(`${base(orgId)}/imports/${importId}`, 303);
      return reply.redirect(`${base(orgId)}/import?ok=calls.discarded`, 303);
    });
  });
}

/** How long a click on « Enregistrer » or « Abandonner » waits for the end before showing the import's progress. */
const PATIENCE_MS = 2_000;

const GUESSES: Record<string, RegExp> = {
  dateTime: /date.*heure|horodat|date_?time|^date$/i,
  date: /^date/i,
  time: /^heure|^time/i,
  line: /ligne|file|service|queue|num[ée]ro appel/i,
  wait: /attente|sonnerie|wait|ring/i,
  answered: /d[ée]croch|r[ée]pondu|statut|answered/i,
  talk: /conversation|communication|talk|dur[ée]e/i,
  id: /^id|identifiant|uniqueid/i,
};

function guessColumn(field: string, header: string[]): string {
  const pattern = GUESSES[field];
  if (!pattern || field === "date" || field === "time") return "";
  return header.find((h) => pattern.test(h)) ?? "";
}
