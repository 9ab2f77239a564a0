import type { FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { periodQuery } from "./calls.schema.ts";
import { carrierOf, fileKept, getCallSettings, getImport, isInterrupted, listImports, ringsTarget, stagedLost } from "./calls.service.ts";
import { ImportStatusPage, MappingPage, SettingsPage, UploadPage } from "./calls.views.tsx";
import { MAPPING_FIELDS } from "./mapped.ts";
import { readHeader } from "./read-file.ts";
import { importFilePath } from "./upload.ts";

const base = (orgId: string) => `/organisations/${orgId}/calls`;

/** A page of the telephone section, under the organisation and « Téléphone ». */
export async function callsPage(
  db: Kysely<DB>,
  orgId: string,
  title: string,
  trail: Array<{ label: string; href?: string }>,
  children: PageOptions["children"],
) {
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
}

/** The settings form (the one typed when it was refused). */
export async function showSettings(
  db: Kysely<DB>,
  request: FastifyRequest,
  reply: FastifyReply,
  orgId: string,
  form?: FormState,
  status = 200,
) {
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
  return sendPage(reply, request, await callsPage(db, orgId, "Réglages de l'accueil téléphonique", [{ label: "Réglages" }], view), status);
}

/** The upload form, with the imports so far and what was wrong with the last file sent. */
export async function showUpload(db: Kysely<DB>, request: FastifyRequest, reply: FastifyReply, orgId: string, error?: string) {
  const view = (
    <UploadPage
      action={`${base(orgId)}/import`}
      csrf={request.csrfToken}
      error={error}
      imports={(await listImports(db, orgId)).map((i) => (isInterrupted(i) ? { ...i, status: "interrupted" } : i))}
      orgId={orgId}
    />
  );
  return sendPage(
    reply,
    request,
    await callsPage(db, orgId, "Importer un journal d'appels", [{ label: "Import" }], view),
    error ? 400 : 200,
  );
}

/** Where an import stands; the page follows it while it reads, records or drops. */
export async function showImport(db: Kysely<DB>, request: FastifyRequest, reply: FastifyReply, orgId: string, importId: string) {
  const { auto } = parseInput(periodQuery, request.query);
  const item = await getImport(db, orgId, importId);
  if (item.format === "mapped" && item.status === "uploaded") return showMapping(db, request, reply, orgId, importId);
  const carrier = await carrierOf(db, item);
  // Cut by a stopped server, or given up by the queue: « Reprendre » and « Abandonner » are offered.
  const interrupted = isInterrupted(item) || carrier.kind === "failed";
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
      carrier={carrier}
    />
  );
  return sendPage(
    reply,
    request,
    await callsPage(
      db,
      orgId,
      `Import de « ${item.fileName} »`,
      [{ label: "Import", href: `${base(orgId)}/import` }, { label: item.fileName }],
      view,
    ),
  );
}

/** The column mapping of a spreadsheet import (back to the upload form when the file is gone). */
export async function showMapping(
  db: Kysely<DB>,
  request: FastifyRequest,
  reply: FastifyReply,
  orgId: string,
  importId: string,
  form?: FormState,
  status = 200,
) {
  const item = await getImport(db, orgId, importId);
  const header = await readHeader(importFilePath(importId)).catch(() => null);
  if (!header) return showUpload(db, request, reply, orgId, "Le fichier de cet import n'est plus disponible : envoyez-le de nouveau.");
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
    await callsPage(
      db,
      orgId,
      "Correspondance des colonnes",
      [{ label: "Import", href: `${base(orgId)}/import` }, { label: "Colonnes" }],
      view,
    ),
    status,
  );
}

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
