import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/kernel/roles.ts";
import { createInstanceAdmin } from "../../src/modules/accounts/accounts.service.ts";
import { adoptFramework } from "../../src/modules/frameworks/frameworks.service.ts";
import { createOrganisation } from "../../src/modules/organisations/organisations.service.ts";
import { refreshPublication } from "../../src/modules/publication/publication.service.ts";
import { changeStatus, registerRequest } from "../../src/modules/requests/requests.service.ts";
import { axeLog, browserAvailable, type LiveServer, launchBrowser, signIn, startLiveServer } from "./support/browser.ts";

/**
 * A network read from the top down in Chromium: the network's dashboard, the comparison of its sites,
 * one site's dashboard and its hours; then the site's public page as a member of the public reads it
 * (no account, no JavaScript) and its poster, read back with pdftotext. axe checks every page met.
 */
describe.skipIf(!browserAvailable)("dashboards and published results in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  let network = "";
  let site = "";
  let inTime = 0;
  let answered = 0;
  const { violations, audit } = axeLog();
  const PASSWORD = "une phrase de passe solide";

  beforeAll(async () => {
    server = await startLiveServer();
    const db = server.database.db;
    const admin = await createInstanceAdmin(db, { email: "admin@reseau.fr", displayName: "Admin", password: PASSWORD });
    const actor: Actor = { accountId: admin.id, email: admin.email, displayName: "Admin", instanceAdmin: true, grants: [] };
    const base = { timeZone: "Europe/Paris", holidayZone: "metropole" as const, addressStreet: undefined, siret: undefined };
    const n = await createOrganisation(db, actor, {
      ...base,
      name: "Réseau de l'Est",
      kind: "network",
      parentId: undefined,
      addressPostcode: undefined,
      addressCity: undefined,
    });
    const sites = [];
    for (const name of ["France services Nancy", "France services Metz"]) {
      sites.push(
        await createOrganisation(db, actor, {
          ...base,
          name,
          kind: "site",
          parentId: n.id,
          addressPostcode: "54000",
          addressCity: "Nancy",
        }),
      );
    }
    network = n.id;
    site = sites[0]?.id ?? "";
    await adoptFramework(db, actor, network, "marianne-2008");
    // A month of letters for each site: the first answers two in three in time, the second one in three.
    for (const [s, org] of sites.entries()) {
      for (let i = 0; i < 6; i++) {
        const { request } = await registerRequest(
          db,
          org.id,
          { kind: "request", channel: "letter", receivedOn: `2026-03-${String(2 + i).padStart(2, "0")}`, subject: `Demande ${i}` },
          { source: "agent", author: { accountId: null, label: "test" } },
        );
        const late = s === 0 ? i % 3 === 2 : i % 3 !== 0;
        const due = Date.parse(`${request.dueOn}T12:00:00Z`);
        const on = new Date(due + (late ? 2 : -1) * 86_400_000).toISOString().slice(0, 10);
        await changeStatus(db, actor, org.id, request.id, { status: "answered", pauseClock: false, version: request.version, on });
        if (s === 0) {
          answered++;
          if (on <= (request.dueOn ?? "")) inTime++;
        }
      }
    }
    await refreshPublication(db, network, new Date("2026-06-15T10:00:00Z"));
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    await signIn(page, server.url, "admin@reseau.fr", PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const pct = (v: number) => `${(Math.round(v * 1000) / 10).toLocaleString("fr-FR")}\u202f%`;

  it("reads the network's dashboard, compares its sites, then goes down to one site", async () => {
    await page.goto(`${server.url}/organisations/${network}/dashboard?from=2026-03-01&to=2026-03-31`);
    await audit(page);
    await expect(page.locator("h1").textContent()).resolves.toBe("Tableau de bord — Réseau de l'Est");
    // The dashboard names its comparison by what it ranks (the network's structures rattachées).
    await page.getByRole("link", { name: /^Classement (de la structure rattachée|des .+ structures rattachées)$/ }).click();
    await audit(page);
    const firstRow = page.locator("tbody tr").first();
    await expect(firstRow.textContent()).resolves.toContain("France services Nancy");
    await expect(firstRow.textContent()).resolves.toContain(pct(inTime / answered));
    await firstRow.getByRole("link").click();
    await audit(page);
    await expect(page.locator("h1").textContent()).resolves.toBe("Tableau de bord — France services Nancy");
  });

  it("sets the site's hours, refusing first what it cannot read", async () => {
    await page.goto(`${server.url}/organisations/${site}/public-info`);
    await audit(page);
    await page.fill("#hours", "Lundi à vendredi de 9 h à 17 h");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await expect(page.locator("#error-summary").textContent()).resolves.toContain("Horaires non reconnus");
    await audit(page);
    await page.fill("#hours", "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off");
    await page.locator('label[for="stepFree-yes"]').click();
    await page.fill("#phone", "03 83 00 00 00");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForURL(/ok=public_info\.saved/);
    await audit(page);
    await expect(page.locator("table").first().textContent()).resolves.toContain("08 h 30 – 12 h 00, 13 h 30 – 17 h 00");
  });

  it("shows the public page to anyone, without JavaScript, and its poster", async () => {
    const phone = await browser.newContext({ javaScriptEnabled: false, locale: "fr-FR", viewport: { width: 375, height: 740 } });
    const p = await phone.newPage();
    await p.goto(`${server.url}/public/organisations/${site}/results`);
    const main = (await p.locator("main").textContent()) ?? "";
    expect(main).toContain("Demandes traitées dans le délai annoncé");
    expect(main).toContain(pct(inTime / answered));
    expect(main).toContain("Pas encore de donnée");
    expect(main).toContain("Samedi\u00a0: 09 h 00 – 12 h 00");
    // axe needs a script: the same page is checked in a browser that has one, then the widget.
    const checker = await (await browser.newContext({ locale: "fr-FR", viewport: { width: 375, height: 740 } })).newPage();
    await checker.goto(p.url());
    await audit(checker);
    await checker.goto(`${server.url}/public/organisations/${site}/widget`);
    await audit(checker);
    await checker.goto(`${server.url}/public/organisations/${network}/results`);
    await audit(checker);

    const pdf = await p.request.get(`${server.url}/public/organisations/${site}/poster.pdf`);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    const dir = mkdtempSync(path.join(tmpdir(), "vigie-poster-"));
    const file = path.join(dir, "affiche.pdf");
    writeFileSync(file, await pdf.body());
    if (existsSync("/usr/bin/pdftotext") || process.env.VIGIE_REQUIRE_BROWSER) {
      const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
      expect(text).toContain("Nos résultats de qualité de service");
      expect(text).toContain("France services Nancy");
      expect(text).toContain(pct(inTime / answered).replace("\u202f", " "));
      expect(text).toContain(`sur ${answered} demandes traitées`);
      expect(text).toContain("Horaires d'ouverture");
    }
    await phone.close();
  });

  it("finds no accessibility violation on any page visited", () => {
    expect(violations).toEqual({});
  });
});
