import type { FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError, type FieldErrors } from "../../kernel/errors.ts";
import { formRoute, isFormError } from "../../kernel/forms.ts";
import { acceptUploads, isUploadedFile } from "../../kernel/uploads/multipart.ts";
import { fieldErrors, parseInput } from "../../kernel/validation.ts";
import { emptyForm } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { assessmentsApiRoutes } from "./assessments.api.ts";
import { campaignWorkbook } from "./assessments.export.ts";
import { assessmentsBase as base, commitmentPage, listPage, overviewPage } from "./assessments.pages.tsx";
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
  MAX_EVIDENCE_BYTES,
  removeEvidence,
  saveCommitmentAnswers,
  signCampaign,
} from "./assessments.service.ts";

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
  const manage = onOrg("commitment.manage");

  app.get("/organisations/:orgId/assessments", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await listPage(db, request, orgId, emptyForm()));
  });

  formRoute(app, {
    url: "/organisations/:orgId/assessments",
    access: manage,
    params: orgParams,
    body: campaignCreateSchema,
    run: async ({ request, params: { orgId }, body: { year } }) => {
      const campaign = await createCampaign(db, actorOf(request), orgId, year);
      return `${base(orgId)}/${campaign.id}?ok=assessment.created`;
    },
    page: (form, { request, params }) => listPage(db, request, params.orgId, form),
  });

  app.get("/organisations/:orgId/assessments/:assessmentId", read, async (request, reply) => {
    const { orgId, assessmentId } = parseInput(campaignParams, request.params);
    return sendPage(reply, request, await overviewPage(db, request, orgId, assessmentId, emptyForm()));
  });

  formRoute(app, {
    url: "/organisations/:orgId/assessments/:assessmentId/sign",
    access: manage,
    params: campaignParams,
    body: signSchema,
    run: async ({ request, params: { orgId, assessmentId }, body: { version } }) => {
      await signCampaign(db, actorOf(request), orgId, assessmentId, version);
      return `${base(orgId)}/${assessmentId}?ok=assessment.signed`;
    },
    page: (form, { request, params }) => overviewPage(db, request, params.orgId, params.assessmentId, form),
  });

  app.get("/organisations/:orgId/assessments/:assessmentId/commitments/:index", read, async (request, reply) => {
    const { orgId, assessmentId, index } = parseInput(commitmentParams, request.params);
    return sendPage(reply, request, await commitmentPage(db, request, orgId, assessmentId, index, emptyForm()));
  });

  formRoute(app, {
    url: "/organisations/:orgId/assessments/:assessmentId/commitments/:index",
    access: manage,
    params: commitmentParams,
    run: async ({ request, params: { orgId, assessmentId, index }, body }) => {
      await saveCommitmentAnswers(db, actorOf(request), orgId, assessmentId, index, parseAnswers(body));
      return `${base(orgId)}/${assessmentId}/commitments/${index}?ok=assessment.saved`;
    },
    page: (form, { request, params }) => commitmentPage(db, request, params.orgId, params.assessmentId, params.index, form),
  });

  await assessmentsFileRoutes(app, deps);
  assessmentsApiRoutes(app, deps);
}

/** The campaign's workbook, and its evidence: download, removal, upload. */
async function assessmentsFileRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const read = { config: { access: onOrg("request.read") }, schema: { hide: true } };
  const manage = { config: { access: onOrg("commitment.manage") }, schema: { hide: true } };

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
        sendPage(reply, request, await commitmentPage(db, request, orgId, assessmentId, index, emptyForm(), message), status);
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
}
