import type { FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/schema.ts";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { handleForm } from "../../kernel/forms.ts";
import { localDay } from "../../kernel/time.ts";
import { blankAsAbsent, isoDate, parseInput, requiredText } from "../../kernel/validation.ts";
import { CsrfField, ErrorSummary, emptyForm, type FormState, TextArea, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { letterPdf } from "./letter-pdf.ts";
import { composeLetter, saveTemplate, templateFor } from "./letters.service.ts";
import { frenchDate, LETTER_KINDS, LETTER_LABELS, type LetterKind, PLACEHOLDERS } from "./letters.ts";
import { LetterPreview } from "./letters.views.tsx";
import {
  getRequest,
  letterFacts,
  notePrintedAcknowledgement,
  previewLetter,
  type RequestRecord,
  sendAcknowledgement,
} from "./requests.service.ts";
import { formatTrackingCode, trackingCodeFor } from "./tracking-code.ts";

const orgParams = z.object({ orgId: z.string().uuid() });
const kindParams = z.object({ orgId: z.string().uuid(), kind: z.enum(LETTER_KINDS, { error: "Modèle inconnu." }) });
const pdfQuery = z.object({
  message: blankAsAbsent(z.string().max(20_000).optional()),
  announcedOn: blankAsAbsent(isoDate.optional()),
});
const templateSchema = z.object({
  subject: requiredText(300, "L'objet"),
  body: requiredText(20_000, "Le texte"),
  version: z.coerce.number().int().min(0),
});

function TemplateForm({
  orgId,
  kind,
  form,
  csrf,
  inherited,
}: {
  orgId: string;
  kind: LetterKind;
  form: FormState;
  csrf: string;
  inherited: boolean;
}): SafeHtml {
  return (
    <section class="fr-mb-6w" id={kind}>
      <h2>{LETTER_LABELS[kind]}</h2>
      {inherited ? (
        <p class="fr-text--sm">
          Modèle par défaut ou hérité d'une organisation parente : l'enregistrer en fait celui de cette organisation.
        </p>
      ) : null}
      <ErrorSummary form={form} />
      <form method="post" action={`/organisations/${orgId}/letters/${kind}`} novalidate>
        <CsrfField token={csrf} />
        <input type="hidden" name="version" value={form.values.version} />
        <TextField name="subject" label="Objet" required form={form} />
        <TextArea name="body" label="Texte" rows={14} required form={form} />
        <button class="fr-btn" type="submit">
          {`Enregistrer le modèle « ${LETTER_LABELS[kind]} »`}
        </button>
      </form>
    </section>
  );
}

/** Loads what the templates page shows, then builds it with the failed form, if any, in place of its template. */
async function letterTemplatesPage(db: Kysely<DB>, request: FastifyRequest, orgId: string) {
  const org = await getOrganisation(db, orgId);
  const templates = await Promise.all(LETTER_KINDS.map((k) => templateFor(db, org.path, k)));
  return (failed?: { kind: LetterKind; form: FormState }): PageOptions => ({
    title: `Modèles de lettres — ${org.name}`,
    breadcrumbs: [{ label: org.name, href: `/organisations/${orgId}` }, { label: "Modèles de lettres" }],
    children: (
      <div class="fr-col-12 fr-col-md-10">
        <h1>{`Modèles de lettres — ${org.name}`}</h1>
        <p>
          {"Champs disponibles, remplacés à l'envoi : "}
          {PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}. Chaque lettre rappelle le délai annoncé : {"{phrase_delai}"} le fait avec ou sans
          délai ; {"{delai}"} et {"{echeance}"} n'ont de valeur que si un délai est annoncé, et une lettre qui emploie un champ sans valeur
          n'est pas envoyée.
        </p>
        {templates.map((t) => (
          <TemplateForm
            orgId={orgId}
            kind={t.kind}
            csrf={request.csrfToken}
            inherited={t.ownerId !== orgId}
            form={
              failed?.kind === t.kind
                ? failed.form
                : emptyForm({ subject: t.subject, body: t.body, version: String(t.ownerId === orgId ? t.version : 0) })
            }
          />
        ))}
      </div>
    ),
  });
}

const letterParams = z.object({
  orgId: z.string().uuid(),
  requestId: z.string().uuid(),
  kind: z.enum(LETTER_KINDS, { error: "Lettre inconnue." }),
});

const requestOnly = letterParams.omit({ kind: true });

/**
 * The letter as a PDF for the post. An acknowledgement carries how to follow the request: the short
 * address, the number and the code in words, and a QR code opening the form with the number filled
 * in (never the code). The code is derived (tracking-code.ts): the letter can be printed again.
 */
async function sendLetterPdf(
  deps: AppDeps,
  reply: FastifyReply,
  orgId: string,
  r: RequestRecord,
  kind: LetterKind,
  extra: { message?: string | undefined; announcedOn?: string | undefined } = {},
) {
  const { db } = deps;
  const org = await getOrganisation(db, orgId);
  const trackingAddress = `${deps.config.baseUrl}/track`;
  const trackingCode = formatTrackingCode(await trackingCodeFor(db, r.id));
  const qrUrl = `${trackingAddress}?${new URLSearchParams({ number: r.number })}`;
  const facts = letterFacts(org.name, r, {
    trackingUrl: qrUrl,
    trackingAddress,
    trackingCode,
    message: extra.message ?? (kind === "answer" ? "Notre réponse vous est adressée par courrier." : null),
    ...(extra.announcedOn ? { announcedOn: extra.announcedOn } : {}),
  });
  const letter = await composeLetter(db, org.path, kind, facts);
  const pdf = await letterPdf({
    sender: org.name,
    senderAddress: [org.address.street ?? "", [org.address.postcode, org.address.city].filter(Boolean).join(" ")].filter(Boolean),
    recipient: [r.requester.name ?? "", ...(r.requester.address ?? "").split(/,\s*|\n/)].filter(Boolean),
    place: org.address.city ?? "",
    date: frenchDate(localDay(org.timeZone)),
    subject: letter.subject,
    body: letter.body,
    tracking:
      kind === "acknowledgement"
        ? { qrUrl, text: `Suivez votre demande sur ${trackingAddress} avec le numéro ${r.number} et le code ${trackingCode}.` }
        : undefined,
  });
  return reply
    .header("content-type", "application/pdf")
    .header("content-disposition", `inline; filename="${kind}-${r.number}.pdf"`)
    .send(pdf);
}

/** The letter templates of an organisation, and (below) the letters of a request. */
export async function lettersRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  app.get(
    "/organisations/:orgId/letters",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      return sendPage(reply, request, (await letterTemplatesPage(db, request, orgId))());
    },
  );

  app.post(
    "/organisations/:orgId/letters/:kind",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, kind } = parseInput(kindParams, request.params);
      const build = await letterTemplatesPage(db, request, orgId);
      return handleForm(
        request,
        reply,
        async () => {
          await saveTemplate(db, actorOf(request), orgId, kind, parseInput(templateSchema, request.body));
          return `/organisations/${orgId}/letters?ok=template.saved#${kind}`;
        },
        (form) => build({ kind, form }),
      );
    },
  );

  requestLetterRoutes(app, deps);
}

/** A request's letters: the PDF for the post, and the acknowledgement's preview, sending and printing. */
function requestLetterRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;

  app.get(
    "/organisations/:orgId/requests/:requestId/letters/:kind",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const params = parseInput(letterParams, request.params);
      // The preview's PDF carries what the agent typed (the message, the new date), not yet saved.
      const extra = parseInput(pdfQuery, request.query ?? {});
      return sendLetterPdf(deps, reply, params.orgId, await getRequest(db, params.orgId, params.requestId), params.kind, extra);
    },
  );

  app.get(
    "/organisations/:orgId/requests/:requestId/letters/acknowledgement/preview",
    { config: { access: onOrg("request.write") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, requestId } = parseInput(requestOnly, request.params);
      const r = await getRequest(db, orgId, requestId);
      const letter = await previewLetter(db, orgId, requestId, "acknowledgement", {}, deps.config.baseUrl);
      const base = `/organisations/${orgId}/requests/${requestId}`;
      return sendPage(reply, request, {
        title: `Accusé de réception — demande ${r.number}`,
        breadcrumbs: [
          { label: "Demandes", href: `/organisations/${orgId}/requests` },
          { label: r.number, href: base },
          { label: "Aperçu" },
        ],
        children: (
          <LetterPreview
            kind="acknowledgement"
            letter={letter}
            back={base}
            pdfHref={`${base}/letters/acknowledgement/print`}
            pdfPost
            action={`${base}/letters/acknowledgement/send`}
            fields={{}}
            csrf={request.csrfToken}
          />
        ),
      });
    },
  );

  app.post(
    "/organisations/:orgId/requests/:requestId/letters/acknowledgement/send",
    { config: { access: onOrg("request.write") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, requestId } = parseInput(requestOnly, request.params);
      await sendAcknowledgement(db, actorOf(request), orgId, requestId, deps.config.baseUrl);
      return reply.redirect(`/organisations/${orgId}/requests/${requestId}?ok=letter.sent#mails`, 303);
    },
  );

  // Printing for the post is recorded in the request's history, hence a form and not a link. The code
  // is derived (tracking-code.ts), so printing no longer renews anything: the e-mailed link keeps working.
  app.post(
    "/organisations/:orgId/requests/:requestId/letters/acknowledgement/print",
    { config: { access: onOrg("request.write") }, schema: { hide: true } },
    async (request, reply) => {
      const params = parseInput(letterParams.omit({ kind: true }), request.params);
      const { request: r } = await notePrintedAcknowledgement(db, actorOf(request), params.orgId, params.requestId);
      return sendLetterPdf(deps, reply, params.orgId, r, "acknowledgement");
    },
  );
}
