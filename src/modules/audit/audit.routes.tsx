import { z } from "zod";
import { anywhere } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { blankAsAbsent, parseInput } from "../../kernel/validation.ts";
import { sendPage } from "../../ui/page.tsx";
import { AUDIT_PAGE_SIZE, browseAudit } from "./audit.service.ts";
import { AuditView } from "./audit.views.tsx";

const filtersSchema = z.object({
  entity: blankAsAbsent(z.string().max(40).optional()),
  entityId: blankAsAbsent(z.string().max(80).optional()),
  actor: blankAsAbsent(z.string().max(120).optional()),
  before: blankAsAbsent(
    z
      .string()
      .regex(/^\d{1,18}$/, "Curseur invalide.")
      .optional(),
  ),
});

const entryOut = z.object({
  id: z.string(),
  at: z.date(),
  orgId: z.string().nullable(),
  orgName: z.string().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

export async function auditRoutes(app: App, deps: AppDeps): Promise<void> {
  const read = async (actor: Parameters<typeof browseAudit>[1] | undefined, query: unknown) => {
    if (!actor) throw new AppError("auth.required");
    const filters = parseInput(filtersSchema, query);
    const entries = await browseAudit(deps.db, actor, { ...filters, beforeId: filters.before });
    return { filters, entries };
  };

  app.get("/audit", { config: { access: anywhere("audit.read") }, schema: { hide: true } }, async (request, reply) => {
    const { filters, entries } = await read(request.actor, request.query);
    const last = entries[entries.length - 1];
    const params = new URLSearchParams({
      ...(filters.entity ? { entity: filters.entity } : {}),
      ...(filters.actor ? { actor: filters.actor } : {}),
      ...(last ? { before: last.id } : {}),
    });
    const nextPage = entries.length === AUDIT_PAGE_SIZE ? `/audit?${params}` : null;
    return sendPage(reply, request, {
      title: "Journal d'audit",
      children: <AuditView entries={entries} filters={filters} nextPage={nextPage} />,
    });
  });

  app.get(
    "/api/v1/audit",
    {
      config: { access: anywhere("audit.read") },
      schema: {
        tags: ["audit"],
        summary: "Le journal d'audit, du plus récent au plus ancien (50 par page)",
        querystring: filtersSchema,
        response: { 200: z.array(entryOut) },
      },
    },
    async (request) => (await read(request.actor, request.query)).entries,
  );
}
