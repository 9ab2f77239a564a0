import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyReply, FastifyRequest } from "fastify";
import { PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { type Asset, buildStylesheet, DSFR_DIST, FONT_FILES_DIR } from "../../ui/assets.ts";

async function sendAsset(asset: Asset, request: FastifyRequest, reply: FastifyReply) {
  const accept = String(request.headers["accept-encoding"] ?? "");
  reply.header("content-type", asset.type).header("cache-control", "public, max-age=31536000, immutable").header("vary", "accept-encoding");
  if (/\bbr\b/.test(accept)) return reply.header("content-encoding", "br").send((await asset.compressed()).br);
  if (/\bgzip\b/.test(accept)) return reply.header("content-encoding", "gzip").send((await asset.compressed()).gzip);
  return reply.send(asset.body);
}

/** Serves the built stylesheets and the DSFR files they point at; returns their URLs. */
export async function assetsPlugin(app: App, deps: AppDeps): Promise<{ full: string; public: string }> {
  const stylesheet = buildStylesheet(deps.config.theme, "full");
  const publicStylesheet = buildStylesheet(deps.config.theme, "public");
  for (const asset of [stylesheet, publicStylesheet]) {
    app.get(asset.url, { config: { access: PUBLIC }, schema: { hide: true } }, (request, reply) => sendAsset(asset, request, reply));
  }
  await app.register(fastifyStatic, {
    root: DSFR_DIST,
    prefix: "/assets/dsfr/",
    maxAge: "7d",
    // The State typeface stays out of reach when the deployment is not a State service.
    allowedPath: (pathName) => deps.config.theme === "etat" || !pathName.startsWith("/fonts/Marianne"),
  });
  await app.register(fastifyStatic, {
    root: path.resolve(FONT_FILES_DIR),
    prefix: "/assets/fonts/",
    decorateReply: false,
    maxAge: "30d",
  });
  return { full: stylesheet.url, public: publicStylesheet.url };
}
