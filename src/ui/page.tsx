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
  return renderWith(request, page, request.csrfToken);
}

function renderWith(request: FastifyRequest, page: PageOptions, csrfToken: string): string {
  const query = request.query as { ok?: unknown } | undefined;
  const ok = query?.ok;
  const flash = page.flash ?? (typeof ok === "string" ? FLASH.get(ok) : undefined);
  const ctx = {
    theme: settings.theme,
    brandName: settings.brandName,
    stylesheet: page.light ? stylesheets.public : stylesheets.full,
    actor: request.actor,
    unreadAlerts: request.unreadAlerts,
    csrfToken,
    scheme: request.scheme,
    currentPath: request.url.split("?")[0] ?? "/",
    accessibility: accessibilityStatusPoint.items()[0]?.() ?? "non conforme",
  };
  return `<!doctype html>${render(<Layout ctx={ctx} page={{ ...page, flash, notice: page.notice ?? request.pageNotice }} />)}`;
}

/**
 * Page templates: a page drawn once and filled in per request, for a public page opened many times over with
 * only a few values changing (the survey form: its site, its hidden fields, its two tokens). A slot is a
 * marker no text can hold (NUL never reaches a page: the database refuses it, the forms reject it); the
 * template is the page cut at the markers, and filling it joins the parts back with the values, which must
 * already be HTML (escaped by the caller).
 */
export const slot = (name: string): string => `\u0000${name}\u0000`;
export type PageTemplate = readonly string[];

/**
 * What of the request a page template depends on, as a key; undefined when the page must be drawn for this
 * request alone (a person signed in, a message after a redirect).
 */
export function templateLook(request: FastifyRequest): string | undefined {
  if (request.actor || request.pageNotice || (request.query as { ok?: unknown } | undefined)?.ok !== undefined) return undefined;
  return [request.scheme, request.url.split("?")[0], accessibilityStatusPoint.items()[0]?.() ?? ""].join("\u0000");
}

/** The page cut at its slots; the CSRF token of every form on it is the slot `csrf`. */
export function pageTemplate(request: FastifyRequest, page: PageOptions): PageTemplate {
  return renderWith(request, page, slot("csrf")).split("\u0000");
}

/** The template filled in: `csrf` from the request, the other slots from `values`. */
export function sendTemplate(
  reply: FastifyReply,
  request: FastifyRequest,
  template: PageTemplate,
  values: Readonly<Record<string, string>>,
): FastifyReply {
  let html = "";
  for (let i = 0; i < template.length; i++) {
    const part = template[i] ?? "";
    if (i % 2 === 0) html += part;
    else if (part === "csrf") html += request.csrfToken;
    else if (part in values) html += values[part];
    else throw new Error(`Emplacement de gabarit sans valeur : ${part}`);
  }
  return sendHtml(reply, html, 200);
}

export function sendPage(reply: FastifyReply, request: FastifyRequest, page: PageOptions, status = 200): FastifyReply {
  return sendHtml(reply, renderPage(request, page), status);
}

/** A page as every page goes out: HTML, never kept by a cache (it carries the person's CSRF token). */
function sendHtml(reply: FastifyReply, html: string, status: number): FastifyReply {
  return reply.status(status).header("content-type", "text/html; charset=utf-8").header("cache-control", "no-store").send(html);
}

/** Wants HTML rather than JSON: pages, not the /api routes. */
export function wantsHtml(request: FastifyRequest): boolean {
  return !request.url.startsWith("/api/");
}
