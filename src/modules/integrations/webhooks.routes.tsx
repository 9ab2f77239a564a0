import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { refusedForm, submittedValues } from "../../kernel/forms.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { endpointParams, endpointSchema, orgParams } from "./webhooks.schema.ts";
import { createEndpoint, deleteEndpoint, endpointWithLog, listEndpoints } from "./webhooks.service.ts";
import { EndpointPage, WebhooksPage } from "./webhooks.views.tsx";

const MANAGE = { access: onOrg("webhook.manage") };

async function listPage(
  db: Kysely<DB>,
  orgId: string,
  form: FormState,
  csrf: string,
  created?: { url: string; secret: string },
): Promise<PageOptions> {
  const [org, endpoints] = await Promise.all([getOrganisation(db, orgId), listEndpoints(db, orgId)]);
  return {
    title: `Webhooks — ${org.name}`,
    breadcrumbs: [
      { label: "Organisations", href: "/organisations" },
      { label: org.name, href: `/organisations/${org.id}` },
      { label: "Webhooks" },
    ],
    children: <WebhooksPage orgId={orgId} orgName={org.name} endpoints={endpoints} form={form} csrf={csrf} created={created} />,
  };
}

/** An organisation's webhook endpoints, managed by its administrators and correspondents. */
export async function webhooksRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  app.get("/organisations/:orgId/webhooks", { config: MANAGE, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await listPage(db, orgId, emptyForm(), request.csrfToken));
  });

  // The answer to a success is the page with the secret, shown once: no redirect carries it.
  app.post("/organisations/:orgId/webhooks", { config: MANAGE, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      const input = parseInput(endpointSchema, request.body);
      const { endpoint, secret } = await createEndpoint(db, actorOf(request), orgId, input);
      reply.header("cache-control", "no-store");
      return sendPage(reply, request, await listPage(db, orgId, emptyForm(), request.csrfToken, { url: endpoint.url, secret }), 201);
    } catch (error) {
      const { form, status } = refusedForm(error, submittedValues(request.body));
      return sendPage(reply, request, await listPage(db, orgId, form, request.csrfToken), status);
    }
  });

  app.get("/organisations/:orgId/webhooks/:endpointId", { config: MANAGE, schema: { hide: true } }, async (request, reply) => {
    const { orgId, endpointId } = parseInput(endpointParams, request.params);
    const [org, { endpoint, deliveries }] = await Promise.all([getOrganisation(db, orgId), endpointWithLog(db, orgId, endpointId)]);
    return sendPage(reply, request, {
      title: `Point de réception — ${org.name}`,
      breadcrumbs: [
        { label: "Organisations", href: "/organisations" },
        { label: org.name, href: `/organisations/${org.id}` },
        { label: "Webhooks", href: `/organisations/${org.id}/webhooks` },
        { label: "Point de réception" },
      ],
      children: <EndpointPage orgId={orgId} endpoint={endpoint} deliveries={deliveries} csrf={request.csrfToken} />,
    });
  });

  app.post("/organisations/:orgId/webhooks/:endpointId/delete", { config: MANAGE, schema: { hide: true } }, async (request, reply) => {
    const { orgId, endpointId } = parseInput(endpointParams, request.params);
    await deleteEndpoint(db, actorOf(request), orgId, endpointId);
    return reply.redirect(`/organisations/${orgId}/webhooks?ok=webhook.deleted`, 303);
  });
}
