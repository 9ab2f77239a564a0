import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { refusedForm } from "../../kernel/forms.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { auditActor } from "../audit/audit.service.ts";
import { enqueue } from "../jobs/jobs.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { provideRequestAttachments } from "../requests/request-attachments.ts";
import { mailboxSchema } from "./mailboxes.schema.ts";
import {
  attachmentFile,
  attachmentsOf,
  COLLECT_JOB,
  createMailbox,
  deleteMailbox,
  listMailboxes,
  recentIgnored,
  testMailbox,
} from "./mailboxes.service.ts";
import { MailboxesPage } from "./mailboxes.views.tsx";

const orgParams = z.object({ orgId: z.uuid({ error: "Organisation introuvable." }) });
const boxParams = orgParams.extend({ mailboxId: z.uuid({ error: "Boîte aux lettres introuvable." }) });

/** The form as typed, without the secret: a page never sends a password back. */
function typedValues(body: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries((body ?? {}) as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === "string" && e[0] !== "secret",
    ),
  );
}

/** The mailboxes an organisation's administrator connects (issue #15): pages only, under org.update. */
export async function mailboxesRoutes(app: App, deps: AppDeps): Promise<void> {
  mailboxFormRoutes(app, deps);
  mailboxActionRoutes(app, deps);
  attachmentRoutes(app, deps);
}

/** The mailboxes page of an organisation, with the connection form in the state given. */
async function mailboxesPage(
  deps: AppDeps,
  request: FastifyRequest,
  orgId: string,
  form: FormState,
  tested: "ok" | null = null,
): Promise<PageOptions> {
  const { db } = deps;
  const org = await getOrganisation(db, orgId);
  const list = await listMailboxes(db, orgId);
  const boxes = await Promise.all(list.map(async (box) => ({ box, ignored: await recentIgnored(db, orgId, box.id) })));
  return {
    title: `Boîtes aux lettres — ${org.name}`,
    breadcrumbs: [
      { label: "Organisations", href: "/organisations" },
      { label: org.name, href: `/organisations/${org.id}` },
      { label: "Boîtes aux lettres" },
    ],
    children: <MailboxesPage org={org} boxes={boxes} form={form} csrf={request.csrfToken} tested={tested} />,
  };
}

/** The list of mailboxes and the connection form: tested, then saved. */
function mailboxFormRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
  const access = { access: onOrg("org.update") };
  const page = (request: FastifyRequest, orgId: string, form: FormState, tested: "ok" | null = null) =>
    mailboxesPage(deps, request, orgId, form, tested);

  app.get("/organisations/:orgId/mailboxes", { config: access, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(
      reply,
      request,
      await page(request, orgId, emptyForm({ port: "993", security: "tls", auth: "password", folder: "INBOX" })),
    );
  });

  const failed = async (request: FastifyRequest, orgId: string, error: unknown) => {
    const { form, status } = refusedForm(error, typedValues(request.body));
    return { status, page: await page(request, orgId, form) };
  };

  app.post("/organisations/:orgId/mailboxes/test", { config: access, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      await getOrganisation(db, orgId);
      const input = parseInput(mailboxSchema, request.body);
      const problem = await testMailbox(input);
      if (problem) throw new AppError("validation", { fields: { _: problem } });
    } catch (error) {
      const f = await failed(request, orgId, error);
      return sendPage(reply, request, f.page, f.status);
    }
    return sendPage(reply, request, await page(request, orgId, emptyForm(typedValues(request.body)), "ok"));
  });

  app.post("/organisations/:orgId/mailboxes", { config: access, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      await getOrganisation(db, orgId);
      const input = parseInput(mailboxSchema, request.body);
      // A mailbox that cannot be read is not saved: the administrator sees why at once, not a minute later.
      const problem = await testMailbox(input);
      if (problem) throw new AppError("validation", { fields: { _: problem } });
      await createMailbox(db, auditActor(actorOf(request)), orgId, input);
    } catch (error) {
      const f = await failed(request, orgId, error);
      return sendPage(reply, request, f.page, f.status);
    }
    return reply.redirect(`/organisations/${orgId}/mailboxes?ok=mailbox.saved`, 303);
  });
}

/** A mailbox's buttons: collect now, remove. */
function mailboxActionRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
  const access = { access: onOrg("org.update") };

  app.post("/organisations/:orgId/mailboxes/:mailboxId/collect", { config: access, schema: { hide: true } }, async (request, reply) => {
    const { orgId, mailboxId } = parseInput(boxParams, request.params);
    if (!(await listMailboxes(db, orgId)).some((b) => b.id === mailboxId)) throw new AppError("mailbox.not_found");
    await enqueue(db, {
      name: COLLECT_JOB,
      payload: { orgId, mailboxId, manual: true },
      dedupeKey: `${COLLECT_JOB}:${mailboxId}:manual:${new Date().toISOString().slice(0, 19)}`,
    });
    return reply.redirect(`/organisations/${orgId}/mailboxes?ok=mailbox.collecting`, 303);
  });

  app.post("/organisations/:orgId/mailboxes/:mailboxId/delete", { config: access, schema: { hide: true } }, async (request, reply) => {
    const { orgId, mailboxId } = parseInput(boxParams, request.params);
    // The button sends the confirmation: a bare POST (a stray form, a script) removes nothing.
    if ((request.body as Record<string, unknown> | undefined)?.confirm !== "oui") {
      throw new AppError("validation", { fields: { _: "Confirmez le retrait de la boîte aux lettres avec son bouton." } });
    }
    await deleteMailbox(db, auditActor(actorOf(request)), orgId, mailboxId);
    return reply.redirect(`/organisations/${orgId}/mailboxes?ok=mailbox.deleted`, 303);
  });
}

/** The files of e-mailed requests. */
function attachmentRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
  // The files of e-mailed requests, listed on the request's page and downloaded by whoever may read the
  // organisation's requests. Always as a download, under a type that cannot run in the page: a message's
  // HTML or SVG attachment is the sender's, not ours.
  provideRequestAttachments("mailboxes", attachmentsOf);
  app.get(
    "/organisations/:orgId/requests/:requestId/attachments/:attachmentId",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, requestId, attachmentId } = parseInput(attachmentParams, request.params);
      const file = await attachmentFile(db, orgId, requestId, attachmentId);
      const type = SAFE_TYPES.has(file.contentType.toLowerCase()) ? file.contentType.toLowerCase() : "application/octet-stream";
      return reply
        .header("content-type", type)
        .header(
          "content-disposition",
          `attachment; filename="${asciiName(file.fileName)}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
        )
        .header("cache-control", "private, no-store")
        .send(file.data);
    },
  );
}

const attachmentParams = orgParams.extend({
  requestId: z.uuid({ error: "Demande introuvable." }),
  attachmentId: z.uuid({ error: "Pièce jointe introuvable." }),
});

/** Types a browser shows without running anything; the others are sent as bytes. */
const SAFE_TYPES = new Set(["application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain", "text/csv"]);

/** The name for old clients: ASCII, no quote or backslash (the UTF-8 name follows in filename*). */
function asciiName(name: string): string {
  return (
    name
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\x20-\x7e]|["\\]/g, "_") || "piece-jointe"
  );
}
