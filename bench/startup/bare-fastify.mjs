// The ceiling of bench/startup/startup.ts: a bare Fastify answering one route, nothing else loaded.
import Fastify from "fastify";

const app = Fastify();
app.get("/health/live", async () => ({ status: "ok" }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
