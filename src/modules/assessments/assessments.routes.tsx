import type { FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError, type FieldErrors } from "../../kernel/errors.ts";
import { submittedValues } from "../../kernel/forms.ts";
import { can } from "../../kernel/roles.ts";
import { acceptUploads, isUploadedFile } from "../../kernel/uploads/multipart.ts";
import { fieldErrors, parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { allIndicators } from "../indicators/sources.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { campaignWorkbook } from "./assessments.export.ts";
import {
  answerSchema,
  answersFromForm,
  type CommitmentAnswers,
  campaignCreateSchema,
  campaignParams,
  commitmentParams,
  evidenceParams,
  orgParams,
  signSchema,
} from "./assessments.schema.ts";
import {
  addEvidence,
  campaignDetails,
  createCampaign,
  evidenceFile,
  listSubtreeCampaigns,
  MAX_EVIDENCE_BYTES,
  removeEvidence,
  saveCommitmentAnswers,
  signCampaign,
} from "./assessments.service.ts";
import { CampaignList, CampaignOverview, CommitmentPage, commitmentLabel } from "./assessments.views.tsx";

/** A user error shown on the form it came from; anything else (404, 500) goes to the error handler. */
const isFormError = (error: unknown): error is AppError => error instanceof AppError && error.status < 500 && error.status !== 404;
const formOf = (request: FastifyRequest, error: AppError): FormState => ({
  values: submittedValues(request.body),
  errors: error.fields ?? { _: error.message },
});

/** Reads the commitment form: one schema per requirement, errors named after its fields. */
function parseAnswers(body: unknown): CommitmentAnswers {
  const out: CommitmentAnswers = [];
  const errors: FieldErrors = {};
  answersFromForm(body).forEach((raw, n) => {
    const parsed = answerSchema.safeParse(raw);
    if (parsed.success) out.push(parsed.data);
    else for (const [k, m] of Object.entries(fieldErrors(parsed.error))) errors[`r${n + 1}-${k.split(".")[0]}`] ??= m;
  });
  if (Object.keys(errors).length) throw new AppError("validation", { fields: errors });
  return out;
}

/** Self-assessment pages: campaigns, one page per commitment, evidence, sign-off, export. */
export async function assessmentsRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const read = { config: { access: onOrg("request.read") }, schema: { hide: true } };
  const manage = { config: { access: onOrg("commitment.manage") }, schema: { hide: true } };
  const base = (orgId: string) => `/organisations/${orgId}/assessments`;

  const crumbs = async (orgId: string, last: Array<{ label: string; href?: string }>) => {
    const org = await getOrganisation(db, orgId);
    return {
      org,
      breadcrumbs: [{ label: org.name, href: `/organisations/${orgId}` }, { label: "Auto-évaluations", href: base(orgId) }, ...last],
    };
  };

  const listPage = async (request: FastifyRequest, orgId: string, form: FormState): Promise<PageOptions> => {
    const { org, breadcrumbs } = await crumbs(orgId, []);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const text = (v: unknown, max: number) => (typeof v === "string" && v.trim() ? v.trim().slice(0, max) : undefined);
    const site = text(query.site, 200);
    // A page link edited by hand is refused by the service with a French message (400), never a 500.
    const after = text(query.after, 400);
    const list = await listSubtreeCampaigns(db, orgId, { site, after });
    return {
      title: `Auto-évaluations — ${org.name}`,
      breadcrumbs: breadcrumbs.slice(0, 1).concat({ label: "Auto-évaluations" }),
      children: (
        <CampaignList
          orgId={orgId}
          orgName={org.name}
          campaigns={list.campaigns}
          total={list.total}
          next={list.next}
          site={site}
          after={after}
          canManage={can(actorOf(request), "commitment.manage", org.path)}
          form={form.values.year !== undefined ? form : emptyForm({ year: String(new Date().getFullYear()) })}
          csrf={request.csrfToken}
        />
      ),
    };
  };

  const overviewPage = async (request: FastifyRequest, orgId: string, id: string, form: FormState): Promise<PageOptions> => {
    const details = await campaignDetails(db, orgId, id);
    const { org, breadcrumbs } = await crumbs(orgId, [{ label: String(details.campaign.year) }]);
    return {
      title: `Auto-évaluation ${details.campaign.year} — ${org.name}`,
      breadcrumbs,
      children: (
        <CampaignOverview
          orgId={orgId}
          details={details}
          canManage={can(actorOf(request), "commitment.manage", org.path)}
          form={form}
          csrf={request.csrfToken}
        />
      ),
    };
  };

  const commitmentPage = async (
    request: FastifyRequest,
    orgId: string,
    id: string,
    index: number,
    form: FormState,
    uploadError?: string,
  ): Promise<PageOptions> => {
    const details = await campaignDetails(db, orgId, id);
    const commitment = details.commitments.find((c) => c.index === index);
    if (!commitment) throw new AppError("assessment.not_found");
    const year = details.campaign.year;
    const indicators = (await allIndicators(db, orgId, { from: `${year}-01-01`, to: `${year}-12-31` })).filter(
      (i) => i.commitments.includes(commitment.id) && !i.key.startsWith("assessments."),
    );
    const { org, breadcrumbs } = await crumbs(orgId, [
      { label: String(year), href: `${base(orgId)}/${id}` },
      { label: commitment.number === null ? "Engagement local" : `Engagement ${commitment.number}` },
    ]);
    return {
      title: `${commitmentLabel(commitment)} — auto-évaluation ${year} — ${org.name}`,
      breadcrumbs,
      children: (
        <CommitmentPage
          orgId={orgId}
          campaign={details.campaign}
          commitment={commitment}
          count={details.commitments.length}
          indicators={indicators}
          evidence={details.evidence}
          canManage={can(actorOf(request), "commitment.manage", org.path)}
          form={form}
          uploadError={uploadError}
          csrf={request.csrfToken}
        />
      ),
    };
  };

  app.get("/organisations/:orgId/assessments", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await listPage(request, orgId, emptyForm()));
  });

  app.post("/organisations/:orgId/assessments", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      const { year } = parseInput(campaignCreateSchema, request.body);
      const campaign = await createCampaign(db, actorOf(request), orgId, year);
      return reply.redirect(`${base(orgId)}/${campaign.id}?ok=assessment.created`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(reply, request, await listPage(request, orgId, formOf(request, error)), error.status);
    }
  });

  app.get("/organisations/:orgId/assessments/:assessmentId", read, async (request, reply) => {
    const { orgId, assessmentId } = parseInput(campaignParams, request.params);
    return sendPage(reply, request, await overviewPage(request, orgId, assessmentId, emptyForm()));
  });

  app.post("/organisations/:orgId/assessments/:assessmentId/sign", manage, async (request, reply) => {
    const { orgId, assessmentId } = parseInput(campaignParams, request.params);
    try {
      const { version } = parseInput(signSchema, request.body);
      await signCampaign(db, actorOf(request), orgId, assessmentId, version);
      return reply.redirect(`${base(orgId)}/${assessmentId}?ok=assessment.signed`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(reply, request, await overviewPage(request, orgId, assessmentId, formOf(request, error)), error.status);
    }
  });

  app.get("/organisations/:orgId/assessments/:assessmentId/commitments/:index", read, async (request, reply) => {
    const { orgId, assessmentId, index } = parseInput(commitmentParams, request.params);
    return sendPage(reply, request, await commitmentPage(request, orgId, assessmentId, index, emptyForm()));
  });

  app.post("/organisations/:orgId/assessments/:assessmentId/commitments/:index", manage, async (request, reply) => {
    const { orgId, assessmentId, index } = parseInput(commitmentParams, request.params);
    try {
      await saveCommitmentAnswers(db, actorOf(request), orgId, assessmentId, index, parseAnswers(request.body));
      return reply.redirect(`${base(orgId)}/${assessmentId}/commitments/${index}?ok=assessment.saved`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(reply, request, await commitmentPage(request, orgId, assessmentId, index, formOf(request, error)), error.status);
    }
  });

  app.get("/organisations/:orgId/assessments/:assessmentId/export.xlsx", read, async (request, reply) => {
    const { orgId, assessmentId } = parseInput(campaignParams, request.params);
    const org = await getOrganisation(db, orgId);
    const details = await campaignDetails(db, orgId, assessmentId);
    return reply
      .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
      .header("content-disposition", `attachment; filename="auto-evaluation-${details.campaign.year}.xlsx"`)
      .header("cache-control", "no-store")
      .send(await campaignWorkbook(org.name, details));
  });

  app.get("/organisations/:orgId/assessments/:assessmentId/evidence/:evidenceId", read, async (request, reply) => {
    const { orgId, assessmentId, evidenceId } = parseInput(evidenceParams, request.params);
    const file = await evidenceFile(db, orgId, assessmentId, evidenceId);
    // Always a download, never shown in the page's origin: an uploaded HTML or SVG file cannot run there.
    return reply
      .header("content-type", file.contentType)
      .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
      .header("x-content-type-options", "nosniff")
      .header("content-security-policy", "sandbox")
      .header("cache-control", "private, no-store")
      .send(Buffer.from(file.data));
  });

  app.post("/organisations/:orgId/assessments/:assessmentId/evidence/:evidenceId/delete", manage, async (request, reply) => {
    const { orgId, assessmentId, evidenceId } = parseInput(evidenceParams, request.params);
    await removeEvidence(db, actorOf(request), orgId, assessmentId, evidenceId);
    const index = z.coerce
      .number()
      .int()
      .positive()
      .safeParse((request.body as { index?: unknown } | undefined)?.index);
    const to = index.success ? `/commitments/${index.data}` : "";
    return reply.redirect(`${base(orgId)}/${assessmentId}${to}?ok=assessment.evidence_removed`, 303);
  });

  // Uploads: a scope of its own, so the multipart parser serves this route only (see kernel/uploads/multipart.ts:
  // the body is read in the content-type parser, so the CSRF check still finds `_csrf`).
  await app.register(async (plugin) => {
    acceptUploads(plugin);
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.post("/organisations/:orgId/assessments/:assessmentId/evidence", manage, async (request, reply: FastifyReply) => {
      const { orgId, assessmentId } = parseInput(campaignParams, request.params);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const index = z.coerce.number().int().positive().catch(1).parse(body.index);
      const requirementId = typeof body.requirementId === "string" ? body.requirementId : "";
      const file = body.file;
      const refuse = async (message: string, status = 400) =>
        sendPage(reply, request, await commitmentPage(request, orgId, assessmentId, index, emptyForm(), message), status);
      if (!isUploadedFile(file) || file.data.length === 0) return refuse("Choisissez un fichier non vide.");
      if (file.tooLarge || file.data.length > MAX_EVIDENCE_BYTES)
        return refuse(`Le fichier dépasse ${MAX_EVIDENCE_BYTES / 1024 / 1024} Mo.`, 413);
      try {
        await addEvidence(db, actorOf(request), orgId, assessmentId, { requirementId, fileName: file.fileName, data: file.data });
      } catch (error) {
        if (!isFormError(error)) throw error;
        return refuse(error.fields?.file ?? error.message, error.status);
      }
      return reply.redirect(`${base(orgId)}/${assessmentId}/commitments/${index}?ok=assessment.evidence_added`, 303);
    });
  });

  app.get(
    "/api/v1/organisations/:orgId/assessments/:assessmentId",
    {
      config: { access: onOrg("request.read") },
      schema: {
        tags: ["auto-évaluation"],
        summary: "Une campagne d'auto-évaluation : réponses, scores par engagement et global, comparaison avec l'année précédente",
        params: campaignParams,
      },
    },
    async (request) => {
      const d = await campaignDetails(db, request.params.orgId, request.params.assessmentId);
      return {
        year: d.campaign.year,
        frameworkId: d.campaign.frameworkId,
        signed: d.campaign.signed,
        signedAt: d.campaign.signedAt,
        overall: d.overall,
        lastYearOverall: d.lastYear?.overall ?? null,
        commitments: d.commitments.map((c) => ({
          id: c.id,
          number: c.number,
          title: c.title,
          score: c.score.score,
          lastYear: c.lastYear,
          lastYearFrom: c.lastYearFrom,
          change: c.change,
          requirements: c.items.map((i) => ({
            id: i.requirementId,
            text: i.requirementText,
            status: i.status,
            comment: i.comment,
            links: i.links,
          })),
        })),
      };
    },
  );
}
