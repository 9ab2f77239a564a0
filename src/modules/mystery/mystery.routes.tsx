import type { FastifyReply, FastifyRequest } from "fastify";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { refusedForm, submittedValues } from "../../kernel/forms.ts";
import { can } from "../../kernel/roles.ts";
import { todayOfRequest } from "../../kernel/time.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import { CHANNEL_LABELS, type Channel } from "../frameworks/channels.ts";
import { getOrganisation, subtree } from "../organisations/organisations.service.ts";
import { gridFor } from "./grids.ts";
import { campaignForm, campaignParams, compareQuery, orgParams, testForm, testQuery } from "./mystery.schema.ts";
import { campaignResults, createCampaign, getCampaign, listCampaigns, loadGrids, recordTest } from "./mystery.service.ts";
import { CampaignList, CompareView, ResultsView, TestForm } from "./mystery.views.tsx";

/** Pages of mystery-shopper campaigns: list and creation, results, tester's form, comparison. */
export async function mysteryRoutes(app: App, deps: AppDeps): Promise<void> {
  campaignPages(app, deps);
  testPages(app, deps);
}

/** The breadcrumbs of a mystery page: the organisation, « Tests mystère », and the page's own label if any. */
async function trail(deps: AppDeps, orgId: string, last?: string) {
  const org = await getOrganisation(deps.db, orgId);
  return [
    { label: org.name, href: `/organisations/${orgId}` },
    last ? { label: "Tests mystère", href: `/organisations/${orgId}/mystery` } : { label: "Tests mystère" },
    ...(last ? [{ label: last }] : []),
  ];
}

/** The campaigns: list and creation, a campaign's results, the comparison of two. */
function campaignPages(app: App, deps: AppDeps): void {
  const { db } = deps;
  const read = { config: { access: onOrg("request.read") }, schema: { hide: true } };
  const manage = { config: { access: onOrg("commitment.manage") }, schema: { hide: true } };

  const showList = async (request: FastifyRequest, reply: FastifyReply, orgId: string, form: FormState, status = 200) => {
    const org = await getOrganisation(db, orgId);
    const sites = (await subtree(db, orgId)).filter((o) => o.kind === "site" || o.kind === "service" || o.id === orgId);
    const view = (
      <CampaignList
        orgId={orgId}
        campaigns={await listCampaigns(db, orgId)}
        sites={sites.map((s) => ({ id: s.id, name: s.name }))}
        canManage={can(actorOf(request), "commitment.manage", org.path)}
        form={form}
        csrf={request.csrfToken}
      />
    );
    return sendPage(
      reply,
      request,
      { title: `Tests mystère — ${org.name}`, breadcrumbs: await trail(deps, orgId), children: view },
      status,
    );
  };

  app.get("/organisations/:orgId/mystery", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return showList(request, reply, orgId, emptyForm());
  });

  app.post("/organisations/:orgId/mystery", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      const id = await createCampaign(db, actorOf(request), orgId, parseInput(campaignForm, request.body));
      return reply.redirect(`/organisations/${orgId}/mystery/${id}?ok=mystery.created`, 303);
    } catch (error) {
      const { form, status } = refusedForm(error, submittedValues(request.body));
      return showList(request, reply, orgId, form, status);
    }
  });

  app.get("/organisations/:orgId/mystery/compare", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const { a, b } = parseInput(compareQuery, request.query);
    if (!a || !b) throw new AppError("http.not_found", { message: "Choisissez deux campagnes à comparer." });
    const view = <CompareView a={await campaignResults(db, orgId, a)} b={await campaignResults(db, orgId, b)} grids={loadGrids()} />;
    return sendPage(reply, request, {
      title: "Comparaison de campagnes",
      breadcrumbs: await trail(deps, orgId, "Comparaison"),
      children: view,
    });
  });

  app.get("/organisations/:orgId/mystery/:campaignId", read, async (request, reply) => {
    const { orgId, campaignId } = parseInput(campaignParams, request.params);
    const results = await campaignResults(db, orgId, campaignId);
    return sendPage(reply, request, {
      title: results.campaign.title,
      breadcrumbs: await trail(deps, orgId, results.campaign.title),
      children: <ResultsView orgId={orgId} results={results} grids={loadGrids()} />,
    });
  });
}

/** The tester's form: the channel chosen, then the grid's answers. */
function testPages(app: App, deps: AppDeps): void {
  const { db } = deps;
  const write = { config: { access: onOrg("request.write") }, schema: { hide: true } };

  const showTestForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    orgId: string,
    campaignId: string,
    channel: Channel | undefined,
    form: FormState,
    status = 200,
  ) => {
    const campaign = await getCampaign(db, orgId, campaignId);
    const base = `/organisations/${orgId}/mystery/${campaignId}/tests/new`;
    const chosen =
      channel && campaign.channels.includes(channel)
        ? channel
        : campaign.channels.length === 1
          ? (campaign.channels[0] as Channel)
          : undefined;
    const children = chosen ? (
      <TestForm action={base} csrf={request.csrfToken} campaign={campaign} grid={gridFor(chosen)} form={form} />
    ) : (
      <div>
        <h1>Quel canal testez-vous ?</h1>
        <ul>
          {campaign.channels.map((c) => (
            <li>
              <a href={`${base}?channel=${c}`}>{CHANNEL_LABELS[c as Channel] ?? c}</a>
            </li>
          ))}
        </ul>
      </div>
    );
    return sendPage(
      reply,
      request,
      { title: `Saisie d'un test — ${campaign.title}`, breadcrumbs: await trail(deps, orgId, "Saisie d'un test"), children },
      status,
    );
  };

  app.get("/organisations/:orgId/mystery/:campaignId/tests/new", write, async (request, reply) => {
    const { orgId, campaignId } = parseInput(campaignParams, request.params);
    const { channel, site } = parseInput(testQuery, request.query);
    const campaign = await getCampaign(db, orgId, campaignId);
    // Today (the organisation's), unless the campaign is over or not begun: then its nearest day.
    const today = todayOfRequest(request);
    const testedOn = today < campaign.starts_on ? campaign.starts_on : today > campaign.ends_on ? campaign.ends_on : today;
    return showTestForm(request, reply, orgId, campaignId, channel, emptyForm({ site, testedOn }));
  });

  app.post("/organisations/:orgId/mystery/:campaignId/tests/new", write, async (request, reply) => {
    const { orgId, campaignId } = parseInput(campaignParams, request.params);
    const body = (typeof request.body === "object" && request.body !== null ? request.body : {}) as Record<string, unknown>;
    const channel = typeof body.channel === "string" ? (body.channel as Channel) : undefined;
    try {
      const input = parseInput(testForm, body);
      await recordTest(db, actorOf(request), orgId, campaignId, { ...input, answers: body });
      return reply.redirect(`/organisations/${orgId}/mystery/${campaignId}?ok=mystery.test`, 303);
    } catch (error) {
      const { form, status } = refusedForm(error, submittedValues(body));
      return showTestForm(request, reply, orgId, campaignId, channel, form, status);
    }
  });
}
