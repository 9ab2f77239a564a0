import { sql } from "kysely";
import { readReplicaOf } from "../../db/read-replica.ts";
import { PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";

/** How long readiness waits for `select 1`: a probe must answer quickly, even when the database hangs. */
export const READY_TIMEOUT_MS = 2_000;

/**
 * For a load balancer or an orchestrator. Liveness says the process serves (restart it only if this
 * fails); readiness says it can also reach its database (send it no traffic while this fails).
 * Neither touches the session or writes anything. With a read replica (DATABASE_READ_URL), readiness also says
 * whether it answers and how far behind its replay is; a replica down leaves the server ready, its pages reading
 * the primary.
 */
export async function healthRoutes(app: App, deps: AppDeps) {
  app.get("/health/live", { config: { access: PUBLIC }, schema: { hide: true } }, async (_request, reply) => {
    return reply.header("cache-control", "no-store").send({ status: "ok" });
  });

  app.get("/health/ready", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    reply.header("cache-control", "no-store");
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`pas de réponse en ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([sql`select 1`.execute(deps.db), late]);
      const replica = readReplicaOf(deps.readDb);
      if (!replica) return reply.send({ status: "ok" });
      const lagSeconds = await replica.lagSeconds(READY_TIMEOUT_MS);
      return reply.send({
        status: "ok",
        replica: lagSeconds === undefined ? { status: "injoignable" } : { status: "ok", lagSeconds: Math.round(lagSeconds * 10) / 10 },
      });
    } catch (error) {
      request.log.warn({ err: error }, "base de données injoignable : pas prêt");
      return reply.status(503).send({ status: "indisponible" });
    } finally {
      clearTimeout(timer);
    }
  });
}
