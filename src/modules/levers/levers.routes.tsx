import { z } from "zod";
import { PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { blankAsAbsent, parseInput } from "../../kernel/validation.ts";
import { emptyForm } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import { listFrameworks, searchCommitments } from "../frameworks/frameworks.service.ts";
import { LEVER_CHANNELS } from "../frameworks/reference-data.ts";
import { countLevers, leverCategories, searchLevers } from "./levers.service.ts";
import { LeverBank } from "./levers.views.tsx";

const leverQuerySchema = z.object({
  framework: blankAsAbsent(z.string().max(40).optional()),
  commitment: blankAsAbsent(z.string().max(40).optional()),
  channel: blankAsAbsent(z.enum(LEVER_CHANNELS, { error: "Canal inconnu." }).optional()),
  category: blankAsAbsent(z.string().max(200).optional()),
  q: blankAsAbsent(z.string().max(200, "Recherche trop longue.").optional()),
});

const leverOut = z.object({
  id: z.string(),
  commitmentId: z.string(),
  channel: z.string(),
  category: z.string(),
  text: z.string(),
  commitments: z.array(z.string()),
});

export async function leversRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const search = (q: z.output<typeof leverQuerySchema>) =>
    searchLevers(db, { frameworkId: q.framework, commitmentId: q.commitment, channel: q.channel, category: q.category, q: q.q });

  app.get("/levers", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const query = parseInput(leverQuerySchema, request.query);
    const frameworkId = query.framework ?? (query.commitment ? query.commitment.split("/")[0] : undefined);
    const [levers, frameworks, commitments, categories, total] = await Promise.all([
      search(query),
      listFrameworks(db),
      frameworkId ? searchCommitments(db, { frameworkId }) : Promise.resolve([]),
      leverCategories(db),
      countLevers(db),
    ]);
    const form = emptyForm({ ...query, framework: frameworkId });
    return sendPage(reply, request, {
      title: "Banque de leviers",
      children: (
        <LeverBank levers={levers} form={form} frameworks={frameworks} commitments={commitments} categories={categories} total={total} />
      ),
    });
  });

  app.get(
    "/api/v1/levers",
    {
      config: { access: PUBLIC },
      schema: {
        tags: ["référentiels"],
        summary: "La banque de leviers, filtrée par référentiel, engagement, canal, type de levier ou mots",
        querystring: leverQuerySchema,
        response: { 200: z.array(leverOut) },
      },
    },
    async (request) => search(request.query),
  );
}
