/** The servers the HTTP benches load: the whole application, and a bare Fastify with the same compression. */

import type { AddressInfo } from "node:net";
import fastifyCompress from "@fastify/compress";
import fastifyFormbody from "@fastify/formbody";
import Fastify, { type FastifyInstance } from "fastify";
import { buildServer } from "../../src/app/server.ts";
import { loadConfig } from "../../src/kernel/config.ts";
import type { Network } from "./dataset.ts";

export const baseOf = (app: FastifyInstance) => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

/** The application as it runs, every plugin; it trusts the load generator's forwarded addresses (many phones). */
export async function startVigie(network: Network): Promise<FastifyInstance> {
  const app = await buildServer({ db: network.db, config: loadConfig({ DATA_DIR: "/nonexistent", TRUST_PROXY: "true" }) });
  await app.listen({ host: "127.0.0.1", port: 0 });
  return app as unknown as FastifyInstance;
}

/** A bare Fastify: no session, no access check, no validation; the same compression as the application. */
export async function startBare(routes: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(fastifyCompress, { global: true, threshold: 1024, encodings: ["br", "gzip"] });
  await app.register(fastifyFormbody);
  routes(app);
  await app.listen({ host: "127.0.0.1", port: 0 });
  return app;
}
