import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../kernel/config.ts";
import { contributionPoint } from "../kernel/contributions.ts";
import { render } from "./jsx/jsx-runtime.ts";
import { Layout, type PageOptions } from "./layout.tsx";

let stylesheets = { full: "", public: "" };
let settings: Pick<Config, "theme" | "brandName"> = { theme: "neutre", brandName: "Vigie" };
/**
 * The accessibility statement's compliance, in words, for every page's footer (« Accessibilité :
 * partiellement conforme »): the legal module, which holds the statement, hands in its reader.
 */
export const accessibilityStatusPoint = contributionPoint<() => string>("page.accessibilityStatus");

export function configurePages(config: Config, urls: { full: string; public: string }): void {
  settings = { theme: config.theme, brandName: config.brandName };
  stylesheets = urls;
}

/**
 * Messages shown once after a redirect, named in the query string (?ok=…) so no state is kept. Each
 * module brings its own (`flash` in its description); the assembly merges them here at start.
 */
const FLASH = new Map<string, string>();

export function addFlashMessages(messages: Readonly<Record<string, string>>): void {
  for (const [code, text] of Object.entries(messages)) {
    if (FLASH.has(code) && FLASH.get(code) !== text) throw new Error(`Message après redirection déclaré deux fois : ${code}`);
    FLASH.set(code, text);
  }
}

/** The merged catalogue, for the test that checks every `?ok=` code the routes use has its message. */
export const flashCodes = (): string[] => [...FLASH.keys()];

/** The light stylesheet's address, for pages that draw their own frame (the counter kiosk). */
export const publicStylesheetUrl = () => stylesheets.public;

export function renderPage(request: FastifyRequest, page: PageOptions): string {
  const query = request.query as { ok?: unknown } | undefined;
  const ok = query?.ok;
  const flash = page.flash ?? (typeof ok === "string" ? FLASH.get(ok) : undefined);
  const ctx = {
    theme: settings.theme,
    brandName: settings.brandName,
    stylesheet: page.light ? stylesheets.public : stylesheets.full,
    actor: request.actor,
    unreadAlerts: request.unreadAlerts,
    csrfToken: request.csrfToken,
    scheme: request.scheme,
    currentPath: request.url.split("?")[0] ?? "/",
    accessibility: accessibilityStatusPoint.items()[0]?.() ?? "non conforme",
  };
  return `<!doctype html>${render(<Layout ctx={ctx} page={{ ...page, flash, notice: page.notice ?? request.pageNotice }} />)}`;
}

export function sendPage(reply: FastifyReply, request: FastifyRequest, page: PageOptions, status = 200): FastifyReply {
  return reply
    .status(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .send(renderPage(request, page));
}

/** Wants HTML rather than JSON: pages, not the /api routes. */
export function wantsHtml(request: FastifyRequest): boolean {
  return !request.url.startsWith("/api/");
}
