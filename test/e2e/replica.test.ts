import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../src/app/server.ts";
import { openMigratedDatabase, openReadDatabase } from "../../src/app/start.ts";
import type { Database } from "../../src/db/database.ts";
import { loadConfig } from "../../src/kernel/config.ts";
import type { App } from "../../src/kernel/context.ts";
import {
  type PostgresInstance,
  pauseReplay,
  postgresBinaries,
  startPostgresInstance,
  startStandby,
  untilReplayed,
  untilStreaming,
} from "../support/postgres-instance.ts";
import { axeLog, browserAvailable, createSiteThroughPages, launchBrowser, typeInAutofocused } from "./support/browser.ts";

const why = !browserAvailable ? "Chromium absent" : !postgresBinaries() ? "aucun PostgreSQL sous /usr/lib/postgresql/*/bin" : undefined;
if (why) console.log(`test/e2e/replica.test.ts ignoré : ${why}.`);

/**
 * A blank instance on a PostgreSQL primary with a streaming replica, as an operator deploys it with DATABASE_READ_URL:
 * the first administrator, a site, a request entered on its form and the results published, then the public page
 * read on a phone once the replica has replayed them. With the replay paused, the public page keeps the figures it
 * had while the staff's list already shows the new request: the page a visitor reads comes from the replica.
 */
describe.skipIf(why !== undefined)("public results read from a replica, in Chromium", () => {
  let primary: PostgresInstance;
  let standby: PostgresInstance;
  let database: Database;
  let reads: ReturnType<typeof openReadDatabase>;
  let app: App;
  let url = "";
  let browser: Browser;
  let page: Page;
  let site = "";
  const { violations, audit } = axeLog();
  const PASSWORD = "une phrase de passe solide";

  beforeAll(async () => {
    primary = await startPostgresInstance();
    standby = await startStandby(primary);
    await untilStreaming(primary);
    const config = loadConfig({ DATABASE_URL: primary.url, DATABASE_READ_URL: standby.url, DATA_DIR: "/nonexistent" });
    database = await openMigratedDatabase(config, "test");
    reads = openReadDatabase(config, database);
    app = await buildServer({ db: database.db, readDb: reads.readDb, config });
    await app.listen({ host: "127.0.0.1", port: 0 });
    url = `http://localhost:${(app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await reads?.close();
    await database?.close();
    await standby?.destroy();
    await primary?.destroy();
  });

  /** A request entered on the site's form, then « Publier les résultats maintenant » on its dashboard. */
  async function enterAndPublish(subject: string) {
    await page.goto(`${url}/organisations/${site}/requests/new`);
    await typeInAutofocused(page, "subject", subject);
    await page.keyboard.press("Enter");
    await page.waitForURL(/ok=request\.created/);
    await page.goto(`${url}/organisations/${site}/dashboard`);
    await page.getByRole("button", { name: "Publier les résultats maintenant" }).click();
    await page.waitForURL(/ok=publication\.refreshed/);
  }

  /** The public page as a visitor reads it on a phone, no account: what « Demandes reçues » says. */
  async function publicReceived(screenshot?: string): Promise<string> {
    const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 390, height: 844 } });
    const visitor = await context.newPage();
    const response = await visitor.goto(`${url}/public/organisations/${site}/results`);
    expect(response?.status()).toBe(200);
    await expect(visitor.locator("h1").textContent()).resolves.toContain("Mairie de Saint-Dié");
    // Nothing wider than the phone's screen.
    await expect(visitor.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    const line = (await visitor.locator("li", { hasText: "Demandes reçues" }).first().textContent()) ?? "";
    if (screenshot) {
      await audit(visitor);
      await visitor.screenshot({ path: screenshot, fullPage: true });
    }
    await context.close();
    return line.replace(/\s+/g, " ").trim();
  }

  it("starts blank: the first administrator, then a site", async () => {
    await page.goto(url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("#displayName", "Alice Martin");
    await page.fill("#email", "alice@saint-die.fr");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    site = await createSiteThroughPages(page, url, "Mairie de Saint-Dié");
    await expect(page.locator("h1").textContent()).resolves.toContain("Mairie de Saint-Dié");
  });

  it("shows a request entered on the primary on the public page read from the replica, once replayed", async () => {
    await enterAndPublish("Demande d'acte de naissance");
    await untilReplayed(primary, standby);
    expect(await publicReceived("docs/screenshots/replique-resultats-publics-390.png")).toBe("Demandes reçues : 1");
  });

  it("keeps the replica's figures while its replay is paused, and catches up when it resumes", async () => {
    await pauseReplay(standby, true);
    try {
      await enterAndPublish("Demande de passeport");
      // The staff's list reads the primary: the new request is there at once.
      await page.goto(`${url}/organisations/${site}/requests?queue=all`);
      await expect(page.locator("table").textContent()).resolves.toContain("Demande de passeport");
      // The visitor's page reads the replica, which has not replayed it yet.
      expect(await publicReceived()).toBe("Demandes reçues : 1");
    } finally {
      await pauseReplay(standby, false);
    }
    await untilReplayed(primary, standby);
    expect(await publicReceived()).toBe("Demandes reçues : 2");
    expect(violations).toEqual({});
  });
});
