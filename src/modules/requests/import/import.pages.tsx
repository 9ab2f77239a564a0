import type { FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../../db/schema.ts";
import type { FieldErrors } from "../../../kernel/errors.ts";
import type { PageOptions } from "../../../ui/layout.tsx";
import { sendPage } from "../../../ui/page.tsx";
import { getOrganisation } from "../../organisations/organisations.service.ts";
import { getQueuedImport, type ImportReport } from "./import.service.ts";
import { ImportStatusPage, MappingForm, PreviewPage, UploadForm } from "./import.views.tsx";
import type { ColumnMapping, Constants } from "./mapping.ts";
import type { Carried } from "./payload.ts";

/** The steps of a register import, each a page under the organisation's requests. */

export const importBase = (orgId: string) => `/organisations/${orgId}/requests/import`;
export const importPath = (orgId: string, importId: string) => `/organisations/${orgId}/requests/imports/${importId}`;

async function importPage(
  db: Kysely<DB>,
  orgId: string,
  title: string,
  children: PageOptions["children"],
  last: PageOptions["breadcrumbs"] = [{ label: "Importer un registre" }],
): Promise<PageOptions> {
  const org = await getOrganisation(db, orgId);
  return {
    title,
    breadcrumbs: [
      { label: org.name, href: `/organisations/${orgId}` },
      { label: "Demandes", href: `/organisations/${orgId}/requests` },
      ...(last ?? []),
    ],
    children,
  };
}

export async function showUpload(db: Kysely<DB>, request: FastifyRequest, reply: FastifyReply, orgId: string, error?: string) {
  const form = <UploadForm action={importBase(orgId)} csrf={request.csrfToken} error={error} />;
  return sendPage(reply, request, await importPage(db, orgId, "Importer un registre de demandes", form), error ? 400 : 200);
}

/** The file and the choices a step's form carries. */
export interface CarriedState {
  file: Carried;
  payload: string;
  mapping: ColumnMapping;
  constants: Constants;
}

export async function showMapping(
  db: Kysely<DB>,
  request: FastifyRequest,
  reply: FastifyReply,
  orgId: string,
  state: CarriedState & { errors?: FieldErrors },
) {
  const errors = state.errors ?? {};
  const form = (
    <MappingForm
      action={`${importBase(orgId)}/preview`}
      csrf={request.csrfToken}
      fileName={state.file.fileName}
      sheet={state.file.sheet}
      payload={state.payload}
      mapping={state.mapping}
      constants={state.constants}
      errors={errors}
    />
  );
  const page = await importPage(db, orgId, "Correspondance des colonnes", form);
  return sendPage(reply, request, page, Object.keys(errors).length ? 400 : 200);
}

/** The dry run's report, or the mapping again when the mapping itself is wrong. */
export async function showReport(
  db: Kysely<DB>,
  request: FastifyRequest,
  reply: FastifyReply,
  orgId: string,
  state: CarriedState,
  report: ImportReport,
) {
  if (Object.keys(report.mappingErrors).length > 0)
    return showMapping(db, request, reply, orgId, { ...state, errors: report.mappingErrors });
  const preview = (
    <PreviewPage
      base={importBase(orgId)}
      csrf={request.csrfToken}
      fileName={state.file.fileName}
      payload={state.payload}
      mapping={state.mapping}
      constants={state.constants}
      report={report}
    />
  );
  const page = await importPage(db, orgId, "Vérification du fichier", preview);
  return sendPage(reply, request, page, report.invalid.length ? 400 : 200);
}

/** Where a committed import stands; the page follows it, without a script, until it has ended. */
export async function showImport(
  db: Kysely<DB>,
  request: FastifyRequest,
  reply: FastifyReply,
  orgId: string,
  importId: string,
  stopped: boolean,
) {
  const item = await getQueuedImport(db, orgId, importId);
  const following = (item.status === "queued" || item.status === "running") && !stopped;
  // A Refresh header, as on the call import's page: the page follows the import without a script, and
  // a link on the page stops it for whoever the reloads disturb (WCAG 2.2.1).
  if (following) reply.header("refresh", "2");
  const view = <ImportStatusPage orgId={orgId} item={item} csrf={request.csrfToken} auto={following} />;
  const crumbs = [{ label: "Importer un registre", href: importBase(orgId) }, { label: item.fileName }];
  return sendPage(reply, request, await importPage(db, orgId, `Import de « ${item.fileName} »`, view, crumbs));
}
