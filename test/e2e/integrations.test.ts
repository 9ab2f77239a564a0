import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../src/app/modules.ts";
import { startWorker, type Worker } from "../../src/modules/jobs/jobs.service.ts";
import {
  browserAvailable,
  createSiteThroughPages,
  type LiveServer,
  launchBrowser,
  startLiveServer,
  watchPageErrors,
} from "./support/browser.ts";

/**
 * From a blank install: the administrator creates an API token (seen once, then only its beginning),
 * a program uses it to register a request and read indicators, a webhook endpoint receives the
 * event and its log shows the receiver's 200; the token is revoked and the next call is refused.
 */
describe.skipIf(!browserAvailable)("integrations: API token and webhook, in Chromium", () => {
  let server: LiveServer;
  let worker: Worker;
  let browser: Browser;
  let page: Page;
  let receiver: Server;
  let receiverUrl = "";
  const received: Array<{ type: string; signature: string }> = [];
  let site = "";
  let secret = "";
  const PASSWORD = "un héron sur la Loire au matin";

  const shot = (name: string) => page.screenshot({ path: `docs/screenshots/integrations-${name}.png`, fullPage: true });
  const mainText = async () => ((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        received.push({ type: JSON.parse(body).type, signature: String(req.headers["vigie-signature"] ?? "") });
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/vigie`;
    server = await startLiveServer();
    worker = startWorker({ db: server.database.db, log: server.app.log, intervalMs: 200 });
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    watchPageErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await server?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it("sets up the instance and a site", async () => {
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("#displayName", "Hélène Garnier");
    await page.fill("#email", "helene.garnier@mairie.fr");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    site = await createSiteThroughPages(page, server.url, "Mairie de Dole");
    const adopted = await page.request.put(`${server.url}/api/v1/organisations/${site}/framework`, {
      data: { frameworkId: "marianne-2008" },
    });
    expect(adopted.status()).toBe(204);
  });

  it("creates a token, sees it once, then only its beginning", async () => {
    await page.goto(`${server.url}/compte`);
    await page.getByRole("link", { name: "Jetons d'API" }).click();
    await page.waitForURL(/\/compte\/jetons/);
    expect(await mainText()).toContain("Aucun jeton pour l'instant.");
    await page.fill("#name", "Téléphonie");
    await page.selectOption("#scope", "write");
    await page.selectOption("#orgId", site);
    await expect(page.locator("#days").inputValue()).resolves.toBe("90");
    await page.getByRole("button", { name: "Créer le jeton" }).click();
    await expect(page.locator(".fr-alert--success").textContent()).resolves.toContain(
      "Copiez-le maintenant : il ne sera plus jamais affiché.",
    );
    secret = ((await page.locator("#new-token").textContent()) ?? "").trim();
    expect(secret).toMatch(/^vig_[A-Za-z0-9_-]{43}$/);
    await shot("jeton-cree");
    await page.goto(`${server.url}/compte/jetons`);
    const text = await mainText();
    expect(text).not.toContain(secret);
    expect(text).toContain(`${secret.slice(0, 10)}…`);
    expect(text).toContain("Lecture et écriture");
    expect(text).toContain("Mairie de Dole");
    expect(text).toContain("Jamais");
  });

  it("adds a webhook endpoint for the site", async () => {
    await page.goto(`${server.url}/organisations/${site}`);
    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.waitForURL(/\/webhooks$/);
    await page.fill("#url", receiverUrl);
    // DSFR draws the box on the label: a person clicks the label.
    await page.locator('label[for="event-request.registered"]').click();
    await expect(page.locator("#event-request\\.registered").isChecked()).resolves.toBe(true);
    await page.getByRole("button", { name: "Ajouter" }).click();
    await expect(page.locator(".fr-alert--success").textContent()).resolves.toContain("il ne sera plus affiché");
    await expect(page.locator("#new-secret").textContent()).resolves.toMatch(/^whsec_/);
  });

  it("a program registers a request and reads indicators with the token; the endpoint's log shows the receiver's 200", async () => {
    const headers = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
    const registered = await fetch(`${server.url}/api/v1/organisations/${site}/requests`, {
      method: "POST",
      headers,
      body: JSON.stringify({ kind: "request", channel: "phone", receivedOn: "2026-12-01", subject: "Carte d'identité" }),
    });
    expect(registered.status).toBe(201);
    const indicators = await fetch(`${server.url}/api/v1/organisations/${site}/request-indicators?from=2026-01-01&to=2026-12-31`, {
      headers,
    });
    expect(indicators.status).toBe(200);
    expect(JSON.stringify(await indicators.json())).toContain("received");
    for (let i = 0; i < 100 && received.length === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(1);
    expect(received[0]?.type).toBe("request.registered");
    expect(received[0]?.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    await page.goto(`${server.url}/organisations/${site}/webhooks`);
    await page.getByRole("link", { name: receiverUrl }).click();
    const row = page.locator("#deliveries tbody tr").first();
    await expect(row.textContent()).resolves.toMatch(/Demande enregistrée[\s\S]*Remis[\s\S]*200[\s\S]*1/);
    await shot("journal-webhook");
    await page.goto(`${server.url}/compte/jetons`);
    expect(await mainText()).not.toContain("Jamais");
  });

  it("revokes the token; the next call gets 401 with a French message", async () => {
    await page.goto(`${server.url}/compte/jetons`);
    await page.getByRole("button", { name: "Révoquer le jeton « Téléphonie »" }).click();
    await page.waitForURL(/ok=token\.revoked/);
    expect(await mainText()).toContain("Le jeton a été révoqué");
    expect(await mainText()).toContain("Révoqué le");
    await shot("jeton-revoque");
    const refused = await fetch(`${server.url}/api/v1/organisations/${site}/request-indicators`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(refused.status).toBe(401);
    expect((await refused.json()).error).toContain("Jeton d'API inconnu, expiré ou révoqué");
  });
});
