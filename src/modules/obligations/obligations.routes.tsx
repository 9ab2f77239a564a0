import type { FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { can } from "../../kernel/roles.ts";
import { CSV_TYPE, downloadName } from "../../kernel/spreadsheet.ts";
import { acceptUploads, isUploadedFile } from "../../kernel/uploads/multipart.ts";
import { parseInput } from "../../kernel/validation.ts";
import { sendPage } from "../../ui/page.tsx";
import { mailStatesByIds } from "../mail/mail.service.ts";
import { getOrganisation, organisationsById } from "../organisations/organisations.service.ts";
import { INDICATOR_COLUMNS, nationalCsv, RESULT_COLUMNS } from "./national.ts";
import {
  effectiveTargets,
  feedbackIndicator,
  type ImportReport,
  importExperiences,
  importJdmaStatistics,
  type JdmaReport,
  jdmaProducts,
  listFeedback,
  nationalIndicators,
  nationalResults,
  OBLIGATIONS,
  type Obligation,
  type ReminderResult,
  remindersOf,
  replyToFeedback,
  sendReminders,
  setTargets,
  signAnnualReview,
  TARGET_KEYS,
  turnIntoAction,
  yearlyObligations,
} from "./obligations.service.ts";
import { FeedbackPage, ObligationsPage } from "./obligations.views.tsx";

const orgParams = z.object({ orgId: z.string().uuid() });
const feedbackParams = z.object({ orgId: z.string().uuid(), feedbackId: z.string().uuid() });
const thisYear = () => new Date().getFullYear();
const yearQuery = z.object({
  year: z.coerce
    .number()
    .int()
    .min(2000)
    .max(2100)
    .catch(() => thisYear()),
});
const remindBody = z.object({
  year: z.coerce.number({ error: "Année invalide." }).int().min(2000).max(2100),
  obligation: z.enum(OBLIGATIONS, { error: "Choisissez une obligation." }),
});
const reviewBody = z.object({ year: z.coerce.number({ error: "Année invalide." }).int().min(2000).max(2100) });

/** Yearly obligations (« Qui n'a pas encore… »), network targets, the national export, user feedback (issue #14). */
/** Yearly obligations (« Qui n'a pas encore… »), network targets, the national export, user feedback (issue #14). */
export async function obligationsRoutes(app: App, deps: AppDeps): Promise<void> {
  obligationsPages(app, deps);
  nationalExports(app, deps);
  feedbackPages(app, deps);
  await feedbackImports(app, deps);
}

/** The obligations page of a year, with the reminders just sent if any. */
async function obligationsPage(
  deps: AppDeps,
  request: FastifyRequest,
  orgId: string,
  year: number,
  sent: (ReminderResult & { obligation: Obligation }) | null,
) {
  const { db } = deps;
  const org = await getOrganisation(db, orgId);
  const data = await yearlyObligations(db, orgId, year);
  const reminders = await remindersOf(db, orgId, year);
  const states = await mailStatesByIds(
    db,
    reminders.flatMap((r) => r.outbox_ids),
  );
  const targets = await effectiveTargets(db, orgId);
  const names = new Map([...(await organisationsById(db, org.path)).values()].map((o) => [o.id, o.name]));
  return {
    title: `Obligations annuelles ${year} — ${org.name}`,
    breadcrumbs: [{ label: org.name, href: `/organisations/${orgId}` }, { label: "Obligations annuelles" }],
    children: (
      <ObligationsPage
        orgId={orgId}
        orgName={org.name}
        isSite={org.kind === "site"}
        data={data}
        reminders={reminders.map((r) => ({
          obligation: r.obligation,
          sentAt: r.sent_at,
          states: states.filter((s) => r.outbox_ids.includes(s.id)),
        }))}
        sent={sent}
        targets={targets}
        names={names}
        canManage={can(actorOf(request), "org.update", org.path)}
        csrf={request.csrfToken}
      />
    ),
  };
}

/** The yearly obligations: the page, reminders, the annual review signed, the network's targets. */
function obligationsPages(app: App, deps: AppDeps): void {
  const { db } = deps;
  const read = { config: { access: onOrg("org.read") }, schema: { hide: true } };
  const manage = { config: { access: onOrg("org.update") }, schema: { hide: true } };
  app.get("/organisations/:orgId/obligations", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const { year } = yearQuery.parse(request.query ?? {});
    return sendPage(reply, request, await obligationsPage(deps, request, orgId, year, null));
  });

  app.post("/organisations/:orgId/obligations/remind", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const { year, obligation } = parseInput(remindBody, request.body);
    const result = await sendReminders(db, actorOf(request), orgId, year, obligation);
    return sendPage(reply, request, await obligationsPage(deps, request, orgId, year, { ...result, obligation }));
  });

  app.post("/organisations/:orgId/obligations/review", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const { year } = parseInput(reviewBody, request.body);
    await signAnnualReview(db, actorOf(request), orgId, year);
    return reply.redirect(`/organisations/${orgId}/obligations?year=${year}`, 303);
  });

  app.post("/organisations/:orgId/targets", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values: Record<string, number | null> = {};
    const fields: Record<string, string> = {};
    for (const key of Object.keys(TARGET_KEYS)) {
      const raw = typeof body[key] === "string" ? (body[key] as string).trim().replace(",", ".") : "";
      if (raw === "") values[key] = null;
      else {
        const n = Number(raw);
        if (!Number.isFinite(n) || n < 0 || n > 100) fields[`target-${key}`] = "Un pourcentage entre 0 et 100.";
        else values[key] = n / 100;
      }
    }
    if (Object.keys(fields).length) throw new AppError("validation", { fields });
    await setTargets(db, actorOf(request), orgId, values);
    return reply.redirect(`/organisations/${orgId}/obligations`, 303);
  });
}

/** A CSV download, never kept by a cache. */
function csv(reply: FastifyReply, name: string, body: string) {
  return reply
    .header("content-type", CSV_TYPE)
    .header("content-disposition", downloadName(name, "csv"))
    .header("cache-control", "no-store")
    .send(body);
}

/** The two national data sets: the results of a year (the last whole one by default), and the definitions. */
function nationalExports(app: App, deps: AppDeps): void {
  const { db } = deps;
  const read = { config: { access: onOrg("org.read") }, schema: { hide: true } };
  app.get("/organisations/:orgId/export-resultats.csv", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const { year } = z
      .object({
        year: z.coerce
          .number()
          .int()
          .min(2000)
          .max(2100)
          .catch(() => thisYear() - 1),
      })
      .parse(request.query ?? {});
    return csv(reply, `export-resultats-${year}`, nationalCsv(RESULT_COLUMNS, await nationalResults(db, orgId, year)));
  });

  app.get("/organisations/:orgId/export-indicateurs.csv", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return csv(reply, "export-indicateurs", nationalCsv(INDICATOR_COLUMNS, await nationalIndicators(db, orgId)));
  });
}

/** The feedback page, with what an import just did or a reply's error, if any. */
async function feedbackPage(
  deps: AppDeps,
  request: FastifyRequest,
  orgId: string,
  shown: { report?: ImportReport; jdmaReport?: JdmaReport; errors?: Record<string, string> } = {},
) {
  const { db } = deps;
  const org = await getOrganisation(db, orgId);
  const year = thisYear();
  return {
    title: `Avis des usagers — ${org.name}`,
    breadcrumbs: [{ label: org.name, href: `/organisations/${orgId}` }, { label: "Avis des usagers" }],
    children: (
      <FeedbackPage
        orgId={orgId}
        orgName={org.name}
        rows={await listFeedback(db, orgId)}
        report={shown.report ?? null}
        counts={await feedbackIndicator(db, orgId, year)}
        jdma={await jdmaProducts(db, orgId, year)}
        jdmaReport={shown.jdmaReport ?? null}
        year={year}
        canWrite={can(actorOf(request), "request.write", org.path)}
        canPlan={can(actorOf(request), "commitment.manage", org.path)}
        csrf={request.csrfToken}
        {...(shown.errors ? { errors: shown.errors } : {})}
      />
    ),
  };
}

/** The users' feedback: the page, a reply, an action made of an opinion. */
function feedbackPages(app: App, deps: AppDeps): void {
  const { db } = deps;
  const read = { config: { access: onOrg("org.read") }, schema: { hide: true } };
  const write = { config: { access: onOrg("request.write") }, schema: { hide: true } };
  app.get("/organisations/:orgId/feedback", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await feedbackPage(deps, request, orgId));
  });

  app.post(
    "/organisations/:orgId/feedback/:feedbackId/action",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, feedbackId } = parseInput(feedbackParams, request.params);
      const { actionId } = await turnIntoAction(db, actorOf(request), orgId, feedbackId);
      return reply.redirect(`/organisations/${orgId}/actions/${actionId}`, 303);
    },
  );

  app.post("/organisations/:orgId/feedback/:feedbackId/reply", write, async (request, reply) => {
    const { orgId, feedbackId } = parseInput(feedbackParams, request.params);
    const text = String(((request.body ?? {}) as Record<string, unknown>).reply ?? "");
    try {
      await replyToFeedback(db, actorOf(request), orgId, feedbackId, text);
    } catch (e) {
      if (e instanceof AppError && e.code === "validation")
        return sendPage(
          reply,
          request,
          await feedbackPage(deps, request, orgId, { errors: { [feedbackId]: e.fields?.reply ?? e.message } }),
          400,
        );
      throw e;
    }
    return reply.redirect(`/organisations/${orgId}/feedback`, 303);
  });
}

/** The feedback files sent: the experiences (CSV or JSON) and the statistics of « Je donne mon avis ». */
async function feedbackImports(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const write = { config: { access: onOrg("request.write") }, schema: { hide: true } };
  await app.register(async (plugin) => {
    acceptUploads(plugin);
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.post("/organisations/:orgId/feedback/import", write, async (request, reply: FastifyReply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const file = ((request.body ?? {}) as Record<string, unknown>).file;
      const fail = async (message: string, status: number) =>
        sendPage(reply, request, await feedbackPage(deps, request, orgId, { report: { read: 0, added: 0, errors: [message] } }), status);
      if (!isUploadedFile(file) || file.data.length === 0) return fail("Choisissez le fichier des expériences (CSV ou JSON).", 400);
      if (file.tooLarge) return fail("Le fichier dépasse 10 Mo.", 413);
      const report = await importExperiences(db, actorOf(request), orgId, file.data, file.fileName);
      return sendPage(reply, request, await feedbackPage(deps, request, orgId, { report }), report.errors.length ? 400 : 200);
    });
    scope.post("/organisations/:orgId/feedback/jdma", write, async (request, reply: FastifyReply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const file = ((request.body ?? {}) as Record<string, unknown>).file;
      const fail = async (message: string, status: number) =>
        sendPage(
          reply,
          request,
          await feedbackPage(deps, request, orgId, { jdmaReport: { counts: 0, products: 0, periods: 0, errors: [message] } }),
          status,
        );
      if (!isUploadedFile(file) || file.data.length === 0)
        return fail("Choisissez le fichier des statistiques de Je donne mon avis (JSON).", 400);
      if (file.tooLarge) return fail("Le fichier dépasse 10 Mo.", 413);
      const report = await importJdmaStatistics(db, actorOf(request), orgId, file.data);
      return sendPage(reply, request, await feedbackPage(deps, request, orgId, { jdmaReport: report }), report.errors.length ? 400 : 200);
    });
  });
}
