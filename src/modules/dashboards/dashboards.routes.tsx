import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { can } from "../../kernel/roles.ts";
import { CSV_TYPE, downloadName } from "../../kernel/spreadsheet.ts";
import { todayOfRequest } from "../../kernel/time.ts";
import { blankAsAbsent, isoDate, parseInput } from "../../kernel/validation.ts";
import { sendPage } from "../../ui/page.tsx";
import type { Period } from "../indicators/indicator.ts";
import { presets } from "../indicators/period.ts";
import { comparisonCsv } from "./compare-csv.ts";
import { compareScope, dashboard } from "./dashboards.service.ts";
import { ComparisonView, DashboardView } from "./dashboards.views.tsx";

const orgParams = z.object({ orgId: z.string().uuid() });
const periodQuery = z.object({
  from: blankAsAbsent(isoDate.optional()),
  to: blankAsAbsent(isoDate.optional()),
  indicator: blankAsAbsent(z.string().max(100).optional()),
});
/** « structures rattachées » (the level below) or « tous les sites » (every site of the subtree). */
const compareQuery = periodQuery.extend({
  depth: blankAsAbsent(z.enum(["children", "sites"], { message: "Choisissez les structures rattachées ou tous les sites." }).optional()),
});
const TAG = ["tableau de bord"];

/** The period asked for, or the last twelve whole months. */
function periodOf(query: z.infer<typeof periodQuery>, today: string): Period {
  const fallback = presets(today)[0]?.period ?? { from: today, to: today };
  const period = { from: query.from ?? fallback.from, to: query.to ?? fallback.to };
  if (period.from > period.to) throw new AppError("validation", { fields: { to: "La fin de la période précède son début." } });
  return period;
}

const figureOut = z.object({
  key: z.string(),
  label: z.string(),
  unit: z.string(),
  channel: z.string().nullable(),
  value: z.number().nullable(),
  target: z.number().nullable(),
  sample: z.number(),
  light: z.enum(["green", "amber", "red", "none"]),
  previous: z.number().nullable(),
  trend: z.enum(["up", "down", "flat", "none"]),
});

// Dashboards and comparison only read: the replica when there is one (docs/architecture.md).
export async function dashboardsRoutes(app: App, deps: AppDeps): Promise<void> {
  dashboardPage(app, deps);
  comparisonPages(app, deps);
  dashboardApi(app, deps);
}

/** An organisation's dashboard page. */
function dashboardPage(app: App, deps: AppDeps): void {
  const { readDb } = deps;
  app.get("/organisations/:orgId/dashboard", { config: { access: onOrg("org.read") }, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const today = todayOfRequest(request);
    const data = await dashboard(readDb, orgId, periodOf(parseInput(periodQuery, request.query), today));
    const actor = actorOf(request);
    return sendPage(reply, request, {
      title: `Tableau de bord — ${data.org.name}`,
      breadcrumbs: [{ label: data.org.name, href: `/organisations/${orgId}` }, { label: "Tableau de bord" }],
      children: (
        <DashboardView data={data} today={today} csrf={request.csrfToken} canPublish={can(actor, "commitment.manage", data.org.path)} />
      ),
    });
  });
}

/** The comparison of the structures (or sites) below an organisation: the page and its CSV. */
function comparisonPages(app: App, deps: AppDeps): void {
  const { readDb } = deps;
  app.get(
    "/organisations/:orgId/dashboard/compare",
    { config: { access: onOrg("org.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const query = parseInput(compareQuery, request.query);
      const today = todayOfRequest(request);
      const data = await compareScope(readDb, orgId, periodOf(query, today), query.depth ?? "children", query.indicator);
      return sendPage(reply, request, {
        title: `${data.depth === "sites" ? "Comparaison des sites" : "Comparaison des structures"} — ${data.org.name}`,
        breadcrumbs: [
          { label: data.org.name, href: `/organisations/${orgId}` },
          { label: "Tableau de bord", href: `/organisations/${orgId}/dashboard` },
          { label: "Comparaison" },
        ],
        children: <ComparisonView data={data} today={today} />,
      });
    },
  );

  app.get(
    "/organisations/:orgId/dashboard/compare.csv",
    { config: { access: onOrg("org.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const query = parseInput(compareQuery, request.query);
      const data = await compareScope(readDb, orgId, periodOf(query, todayOfRequest(request)), query.depth ?? "children", query.indicator);
      const what = data.depth === "sites" ? "sites" : "structures";
      return reply
        .header("content-type", CSV_TYPE)
        .header("content-disposition", downloadName(`comparaison-${what}-${data.org.name}-${data.period.from}-${data.period.to}`, "csv"))
        .send(comparisonCsv(data));
    },
  );
}

/** The dashboard's figures as JSON. */
function dashboardApi(app: App, deps: AppDeps): void {
  const { readDb } = deps;
  app.get(
    "/api/v1/organisations/:orgId/dashboard",
    {
      config: { access: onOrg("org.read") },
      schema: {
        tags: TAG,
        summary: "Les indicateurs de l'organisation et de tout ce qui lui est rattaché, par engagement, avec feu et tendance",
        params: orgParams,
        querystring: periodQuery,
        response: {
          200: z.object({
            from: z.string(),
            to: z.string(),
            previous: z.object({ from: z.string(), to: z.string() }),
            framework: z.string().nullable(),
            lines: z.array(z.object({ commitment: z.string().nullable(), title: z.string(), figures: z.array(figureOut) })),
          }),
        },
      },
    },
    async (request) => {
      const data = await dashboard(readDb, request.params.orgId, periodOf(request.query, todayOfRequest(request)));
      return {
        from: data.period.from,
        to: data.period.to,
        previous: data.previous,
        framework: data.framework?.id ?? null,
        lines: data.lines.map((l) => ({
          commitment: l.commitment?.id ?? null,
          title: l.commitment?.title ?? "Autres indicateurs",
          figures: l.figures.map((f) => ({
            key: f.key,
            label: f.label,
            unit: f.unit,
            channel: f.channel ?? null,
            value: f.value,
            target: f.target,
            sample: f.sample,
            light: f.light,
            previous: f.previous,
            trend: f.trend.direction,
          })),
        })),
      };
    },
  );
}
