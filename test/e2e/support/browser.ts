/// <reference lib="dom" />
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { type Browser, chromium, type Page } from "playwright-core";
import { buildServer } from "../../../src/app/server.ts";
import { loadConfig } from "../../../src/kernel/config.ts";
import type { App } from "../../../src/kernel/context.ts";
import { silentLogger, startWorker } from "../../../src/modules/jobs/jobs.service.ts";
import { openTestDatabase, type TestDatabase } from "../../support/database.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Without Debian's chromium the browser tests are skipped, unless CI says they must run. */
export const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable && process.env.VIGIE_REQUIRE_BROWSER) {
  throw new Error(`Chromium est introuvable (${CHROMIUM}) : apt-get install chromium`);
}

/**
 * JavaScript errors thrown in any page of any browser launched here. Every page is watched from
 * the moment it opens (launchBrowser wraps newContext and newPage), and signIn, axeViolations and
 * browser.close() fail the test when one was thrown: a journey with a broken script never passes.
 * A Content-Security-Policy violation counts as such an error.
 */
const pageErrors: string[] = [];
const watched = new WeakSet<Page>();

export function watchPageErrors(page: Page): void {
  if (watched.has(page)) return;
  watched.add(page);
  page.on("pageerror", (error) => pageErrors.push(`${page.url()} : ${error.message}`));
  // A style or script the Content-Security-Policy refused is a broken page too (Chromium says so in the console).
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) pageErrors.push(`${page.url()} : ${message.text()}`);
  });
}

/** Throws if a page threw a JavaScript error since the last check (and forgets them, so one error fails once). */
export function assertNoPageErrors(): void {
  if (pageErrors.length === 0) return;
  const errors = pageErrors.splice(0);
  throw new Error(`Erreur JavaScript ou violation de la CSP dans la page :\n${errors.join("\n")}`);
}

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    for (const page of context.pages()) watchPageErrors(page);
    context.on("page", watchPageErrors);
    return context;
  };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (options) => {
    const page = await newPage(options);
    watchPageErrors(page);
    return page;
  };
  const close = browser.close.bind(browser);
  browser.close = async (options) => {
    await close(options);
    assertNoPageErrors();
  };
  return browser;
}

export interface LiveServer {
  url: string;
  app: App;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * The real server on a loopback port, over a fresh database.
 * `port`: a chosen port, for a server whose BASE_URL must be known before it starts (OpenID redirect URIs).
 * `worker`: runs the job queue's worker beside it, as `npm start` does, for the jobs its pages enqueue
 * (reading an import); without the daily schedules, so a test decides when a night's work runs.
 */
export async function startLiveServer(env: Record<string, string> = {}, port = 0, options: { worker?: boolean } = {}): Promise<LiveServer> {
  const database = await openTestDatabase();
  // Chromium keeps Secure cookies on http://127.0.0.1 as on localhost.
  const config = loadConfig({ DATA_DIR: "/nonexistent", ...env });
  const app = await buildServer({ db: database.db, config });
  await app.listen({ host: "127.0.0.1", port });
  const bound = (app.server.address() as AddressInfo).port;
  const worker = options.worker ? startWorker({ db: database.db, log: silentLogger, intervalMs: 1_000, schedules: false }) : undefined;
  return {
    url: `http://localhost:${bound}`,
    app,
    database,
    close: async () => {
      await app.close();
      await worker?.stop();
      await database.close();
    },
  };
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core in the page (WCAG 2.1 A and AA rules, as the RGAA asks) and returns what it finds. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  assertNoPageErrors();
  // Evaluated through the DevTools protocol, not as an inline <script>: the page's CSP (rightly) refuses those.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type Result = { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> };
    // axe is injected into the page at run time, with no type of its own there.
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<Result> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
}

/** Signs in through the login page, as a person would, and waits for the welcome page. */
/**
 * The accessibility log of a journey: `audit(page)` runs axe on the page as it stands and keeps what it
 * finds under the page's path; the journey's last test expects `violations` to be empty, so the
 * failure names every page at once.
 */
export function axeLog(): { violations: Record<string, AxeViolation[]>; audit(page: Page): Promise<void> } {
  const violations: Record<string, AxeViolation[]> = {};
  return {
    violations,
    async audit(page: Page) {
      const found = await axeViolations(page);
      if (found.length) violations[new URL(page.url()).pathname] = found;
    },
  };
}

export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(/welcome/);
  assertNoPageErrors();
}

/** Creates a site through the organisation form (signed in as someone allowed to) and returns its id. */
export async function createSiteThroughPages(page: Page, baseUrl: string, name: string, holidayZone?: string): Promise<string> {
  await page.goto(`${baseUrl}/organisations/new`);
  await page.fill("#name", name);
  await page.selectOption("#kind", "site");
  if (holidayZone) await page.selectOption("#holidayZone", holidayZone);
  await page.getByRole("button", { name: "Créer l'organisation" }).click();
  await page.waitForURL(/ok=org\.created/);
  return new URL(page.url()).pathname.split("/")[2] ?? "";
}

/**
 * Types into the field the page focused on load, as a person does without
 * clicking. Chromium applies `autofocus` at its next rendering step, which can
 * come after `goto` resolves under load: keys typed before it are lost (CI once
 * saw « nscription »). Waiting for the focus also asserts the page gives it.
 */
export async function typeInAutofocused(page: Page, fieldId: string, text: string): Promise<void> {
  await page.waitForFunction((id) => document.activeElement?.id === id, fieldId, { timeout: 5000 });
  await page.keyboard.type(text);
  const value = await page.inputValue(`#${fieldId}`);
  if (value !== text) throw new Error(`#${fieldId} holds « ${value} » after typing « ${text} »`);
}
