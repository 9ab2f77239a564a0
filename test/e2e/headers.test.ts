import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/kernel/roles.ts";
import { createInstanceAdmin } from "../../src/modules/accounts/accounts.service.ts";
import { createOrganisation } from "../../src/modules/organisations/organisations.service.ts";
import {
  type AxeViolation,
  assertNoPageErrors,
  axeViolations,
  browserAvailable,
  type LiveServer,
  launchBrowser,
  signIn,
  startLiveServer,
} from "./support/browser.ts";

const PASSWORD = "un mot de passe solide";

describe.skipIf(!browserAvailable)("security headers in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let site = "";
  const violations: Record<string, AxeViolation[]> = {};

  beforeAll(async () => {
    server = await startLiveServer();
    const db = server.database.db;
    const admin = await createInstanceAdmin(db, { email: "admin@mairie.fr", displayName: "Admin", password: PASSWORD });
    const actor: Actor = { accountId: admin.id, email: admin.email, displayName: "Admin", instanceAdmin: true, grants: [] };
    const org = await createOrganisation(db, actor, {
      name: "France services Épinal",
      kind: "site",
      parentId: undefined,
      timeZone: "Europe/Paris",
      holidayZone: "metropole",
      addressStreet: undefined,
      addressPostcode: "88000",
      addressCity: "Épinal",
      siret: undefined,
    });
    site = org.id;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("lets another site frame the results widget, and refuses it the login page", async () => {
    const page = await browser.newPage({ locale: "fr-FR" });
    // Another site, as a town hall's, that embeds Vigie pages: a server of its own on another origin.
    // (A page the browser made up would be « public » to Chromium, which then refuses any loopback frame.)
    const html = `<!doctype html><html lang="fr"><head><title>Mairie</title></head><body><h1>Mairie d'Épinal</h1>
<iframe id="widget" title="Résultats" width="320" height="360" src="${server.url}/public/organisations/${site}/widget"></iframe>
<iframe id="login" title="Connexion" width="320" height="360" src="${server.url}/login"></iframe></body></html>`;
    const other = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    const widget = page.frameLocator("#widget");
    await expect(widget.getByRole("heading", { level: 1 }).textContent()).resolves.toContain("France services Épinal");
    // Its own style block is allowed by hash: the title is in the widget's blue, not the browser's black.
    await expect(widget.getByRole("heading", { level: 1 }).evaluate((h) => getComputedStyle(h).color)).resolves.toBe("rgb(0, 0, 145)");
    // The login page stays empty in the frame: Chromium refused it (frame-ancestors 'none').
    await page.waitForTimeout(300);
    const login = page.frames().find((f) => f.url().endsWith("/login"));
    const loginButtons = login ? await login.locator("button").count() : 0;
    expect(loginButtons).toBe(0);
    await page.screenshot({ path: "docs/screenshots/headers-widget-framed.png" });
    // The refusal is reported as a CSP violation, which the journey helpers count as an error.
    expect(() => assertNoPageErrors()).toThrow(/frame-ancestors/);
    await page.close();
    other.close();
  });

  it("shows staff pages and public forms with no Content-Security-Policy violation", async () => {
    const page = await browser.newPage({ locale: "fr-FR", viewport: { width: 1280, height: 900 } });
    const served = await page.goto(`${server.url}/login`);
    const headers = served?.headers() ?? {};
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"]).not.toContain("unsafe-inline");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["strict-transport-security"]).toBeUndefined();
    await signIn(page, server.url, "admin@mairie.fr", PASSWORD);
    for (const url of [
      `/organisations/${site}`,
      `/organisations/${site}/dashboard`,
      `/public/organisations/${site}/results`,
      `/organisations/${site}/calls`,
    ]) {
      const response = await page.goto(`${server.url}${url}`);
      expect(response?.status(), url).toBeLessThan(400);
      await expect(page.locator("h1").first().textContent()).resolves.toBeTruthy();
      // Whatever the page draws as SVG carries no style attribute the policy would refuse.
      await expect(page.locator("svg [style]").count()).resolves.toBe(0);
      const found = await axeViolations(page);
      if (found.length) violations[url] = found;
      // Styles from the stylesheet did apply (the DSFR header is laid out, not raw HTML).
      await expect(page.locator("header.fr-header").evaluate((h) => getComputedStyle(h).display)).resolves.not.toBe("inline");
    }
    await page.screenshot({ path: "docs/screenshots/headers-calls.png" });
    const reset = await page.goto(`${server.url}/password/reset?token=abc`);
    expect(reset?.headers()["referrer-policy"]).toBe("no-referrer");
    assertNoPageErrors();
    await page.close();
  });

  it("met no accessibility violation", () => {
    expect(violations).toEqual({});
  });
});
