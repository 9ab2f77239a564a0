import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { actorOf } from "../../kernel/access.ts";
import { refusedForm, submittedValues } from "../../kernel/forms.ts";
import type { Actor } from "../../kernel/roles.ts";
import { localDay } from "../../kernel/time.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { equivalentIn, organisationCommitments } from "../frameworks/frameworks.service.ts";
import { mailStatesForRequest } from "../mail/mail.service.ts";
import { getOrganisation, listVisible } from "../organisations/organisations.service.ts";
import { LetterPreview } from "./letters.views.tsx";
import { attachmentsOfRequest } from "./request-attachments.ts";
import { queueQuerySchema } from "./requests.schema.ts";
import {
  canWrite,
  getRequest,
  listRequestPage,
  previewLetter,
  type Queue,
  type RequestListPage,
  requestHistory,
} from "./requests.service.ts";
import { type ListValues, QUEUE_LABELS, QueueView, RequestForm, RequestPage } from "./requests.views.tsx";

/** The services of an organisation, where a request may be sent. */
async function servicesOf(db: Kysely<DB>, actor: Actor, orgId: string) {
  return (await listVisible(db, actor, "request.read"))
    .filter((o) => o.path.includes(orgId) && o.id !== orgId)
    .map((o) => ({ id: o.id, name: o.name }));
}

/** The queue of requests, filtered as asked; a refused filter is shown on the form with what was typed. */
export async function queuePage(db: Kysely<DB>, request: FastifyRequest, orgId: string): Promise<{ page: PageOptions; status: number }> {
  const actor = actorOf(request);
  const org = await getOrganisation(db, orgId);
  const raw = (request.query ?? {}) as Record<string, unknown>;
  // The form shows again what was typed, even when it is refused.
  const values: ListValues = {};
  for (const k of ["queue", "q", "site", "status", "channel", "kind", "late", "from", "to", "sort"] as const) {
    if (typeof raw[k] === "string" && raw[k] !== "") values[k] = raw[k];
  }
  let page: RequestListPage | null = null;
  let errors: Record<string, string> = {};
  let status = 200;
  try {
    const input = parseInput(queueQuerySchema, raw);
    if (input.late) values.late = "true";
    page = await listRequestPage(db, actor, orgId, input);
  } catch (error) {
    ({
      form: { errors },
      status,
    } = refusedForm(error, values));
  }
  const queue: Queue = values.queue && values.queue in QUEUE_LABELS ? (values.queue as Queue) : "all";
  return {
    page: {
      title: `Demandes — ${org.name}`,
      breadcrumbs: [
        { label: "Organisations", href: "/organisations" },
        { label: org.name, href: `/organisations/${orgId}` },
        { label: "Demandes" },
      ],
      children: (
        <QueueView
          orgId={orgId}
          orgName={org.name}
          queue={queue}
          values={values}
          errors={errors}
          page={page}
          canWrite={canWrite(actor, org.path)}
        />
      ),
    },
    status,
  };
}

/** The form of a new request. */
export async function newPage(db: Kysely<DB>, request: FastifyRequest, orgId: string, form: FormState): Promise<PageOptions> {
  const org = await getOrganisation(db, orgId);
  return {
    title: "Enregistrer une demande",
    breadcrumbs: [
      { label: org.name, href: `/organisations/${orgId}` },
      { label: "Demandes", href: `/organisations/${orgId}/requests` },
      { label: "Nouvelle" },
    ],
    children: (
      <div>
        <h1>Enregistrer une demande</h1>
        <RequestForm
          form={form}
          csrf={request.csrfToken}
          action={`/organisations/${orgId}/requests/new`}
          services={await servicesOf(db, actorOf(request), orgId)}
        />
      </div>
    ),
  };
}

/** One request, with its status and holding reply forms (the one that failed, if any). */
export async function detailPage(
  db: Kysely<DB>,
  request: FastifyRequest,
  orgId: string,
  requestId: string,
  failed?: { which: "status" | "holding"; form: FormState },
) {
  const actor = actorOf(request);
  const org = await getOrganisation(db, orgId);
  const r = await getRequest(db, orgId, requestId);
  const [events, services, inForce, mails, attachments] = await Promise.all([
    requestHistory(db, orgId, requestId),
    servicesOf(db, actor, orgId),
    organisationCommitments(db, orgId),
    mailStatesForRequest(db, orgId, requestId),
    attachmentsOfRequest(db, orgId, requestId),
  ]);
  // A request registered under an older framework still reads under the one in force, through the links.
  const frameworkNow = inForce.framework?.id;
  const equivalents =
    r.commitmentId && frameworkNow && !r.commitmentId.startsWith(`${frameworkNow}/`)
      ? await equivalentIn(db, r.commitmentId, frameworkNow)
      : [];
  return {
    title: `Demande ${r.number}`,
    breadcrumbs: [
      { label: org.name, href: `/organisations/${orgId}` },
      { label: "Demandes", href: `/organisations/${orgId}/requests` },
      { label: r.number },
    ],
    children: (
      <RequestPage
        r={r}
        events={events}
        csrf={request.csrfToken}
        canWrite={canWrite(actor, org.path)}
        statusForm={failed?.which === "status" ? failed.form : emptyForm()}
        holdingForm={failed?.which === "holding" ? failed.form : emptyForm()}
        services={services}
        today={localDay(org.timeZone)}
        currentAccountId={actor.accountId}
        equivalents={equivalents}
        mails={mails}
        attachments={attachments}
        timeZone={org.timeZone}
      />
    ),
  };
}

/**
 * A letter that goes to the requester by e-mail is read before it leaves: the first press shows it
 * (nothing written), « Envoyer » on that page posts the same fields again with step=send.
 */
export async function previewFirst(
  db: Kysely<DB>,
  baseUrl: string,
  request: FastifyRequest,
  orgId: string,
  requestId: string,
  kind: "holding" | "answer",
  extra: { message?: string | undefined; announcedOn?: string | undefined },
  keys: string[],
): Promise<PageOptions | null> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const r = await getRequest(db, orgId, requestId);
  if (body.step === "send" || !r.requester.email) return null;
  const letter = await previewLetter(db, orgId, requestId, kind, extra, baseUrl);
  const submitted = submittedValues(body);
  const fields = Object.fromEntries(keys.flatMap((k) => (submitted[k] !== undefined ? [[k, String(submitted[k])]] : [])));
  const base = `/organisations/${orgId}/requests/${requestId}`;
  const pdfQuery = new URLSearchParams(Object.entries(extra).flatMap(([k, v]) => (v ? [[k, v]] : [])));
  return {
    title: `Aperçu — demande ${r.number}`,
    breadcrumbs: [{ label: "Demandes", href: `/organisations/${orgId}/requests` }, { label: r.number, href: base }, { label: "Aperçu" }],
    children: (
      <LetterPreview
        kind={kind}
        letter={letter}
        back={base}
        pdfHref={`${base}/letters/${kind}?${pdfQuery}`}
        action={request.url.split("?")[0] ?? base}
        fields={fields}
        csrf={request.csrfToken}
      />
    ),
  };
}
