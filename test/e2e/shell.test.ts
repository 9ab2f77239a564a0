import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertNoPageErrors,
  axeLog,
  browserAvailable,
  type LiveServer,
  launchBrowser,
  signIn,
  startLiveServer,
} from "./support/browser.ts";

/**
 * Staff pages on a phone, from a blank install: the first administrator reaches every menu item,
 * « Mon compte » and « Se déconnecter » through the DSFR header's burger at 390 px, changes the
 * password (which ends the account's other sessions), signs out and back in with the new one.
 * The same header is then used with JavaScript turned off. Any page error fails the test.
 */

/**
 * Opens a DSFR disclosure. While the menu dialog is still fading in, the DSFR script can take the
 * first click for the dialog's own focus handling; a person clicks again, and so does this.
 */
async function openDisclosure(button: Locator): Promise<void> {
  for (let attempt = 0; attempt < 5 && (await button.getAttribute("aria-expanded")) !== "true"; attempt++) {
    await button.click();
    await button.page().waitForTimeout(300);
  }
}

describe.skipIf(!browserAvailable)("staff header on a phone", () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  const { violations, audit } = axeLog();
  const PHONE = { width: 390, height: 844 };
  const FIRST = "quatre chevaux galopent au matin";
  const SECOND = "le phare veille sur la baie de Morlaix";
  const MENU_ITEMS = [
    "Tableau de bord",
    "Organisations",
    "Référentiels",
    "Leviers",
    "Comptes",
    "Journal d'audit",
    "Pages légales",
    "Modes de connexion",
    "Comptes de service",
    "API",
  ];

  beforeAll(async () => {
    server = await startLiveServer();
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR", viewport: PHONE })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("sets up the first administrator on a phone", async () => {
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await audit(page);
    await page.fill("#displayName", "Alice Martin");
    await page.fill("#email", "alice@mairie.fr");
    await page.fill("#password", FIRST);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    await expect(page.getByText("Bienvenue").first().isVisible()).resolves.toBe(true);
  });

  it("shows a closed header with a burger, and opens the menu with each of its items", async () => {
    await page.goto(`${server.url}/organisations`);
    await page.waitForSelector("html[data-fr-js='true']");
    const burger = page.locator(".fr-header__navbar button.fr-btn--menu");
    await expect(burger.isVisible()).resolves.toBe(true);
    await expect(page.locator("#navigation").isVisible()).resolves.toBe(false);
    await expect(page.getByRole("button", { name: "Se déconnecter" }).first().isVisible()).resolves.toBe(false);
    await page.screenshot({ path: "docs/screenshots/shell-header-ferme.png" });
    await audit(page);

    await burger.click();
    const menu = page.locator("#header-menu");
    await expect(menu.getAttribute("class")).resolves.toContain("fr-modal--opened");
    await page.waitForTimeout(400); // the DSFR fades the dialog in
    const links = page.locator("#navigation .fr-nav__link");
    await expect(links.allTextContents()).resolves.toEqual(MENU_ITEMS);
    for (const label of MENU_ITEMS) await expect(menu.getByRole("link", { name: label, exact: true }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: "docs/screenshots/shell-menu-ouvert.png" });
    await audit(page);

    // The account menu, copied into the mobile menu: the person's name opens « Mon compte » and « Se déconnecter ».
    const account = menu.getByRole("button", { name: /Alice Martin/ });
    await expect(account.getAttribute("aria-expanded")).resolves.toBe("false");
    await openDisclosure(account);
    await expect(account.getAttribute("aria-expanded")).resolves.toBe("true");
    await page.waitForTimeout(400);
    await expect(menu.getByRole("button", { name: "Se déconnecter" }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: "docs/screenshots/shell-menu-compte.png" });
    await menu.getByRole("link", { name: "Mon compte" }).click();
    await page.waitForURL(/\/compte$/);
  });

  it("changes the password on « Mon compte », which ends the other sessions", async () => {
    const otherDevice = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    await signIn(otherDevice, server.url, "alice@mairie.fr", FIRST);

    await expect(page.locator("h1").textContent()).resolves.toBe("Mon compte");
    await expect(page.locator("main").textContent()).resolves.toContain("alice@mairie.fr");
    await expect(page.locator("main").textContent()).resolves.toContain("Administrateur de l'instance");
    await audit(page);

    await page.fill("#currentPassword", "pas le bon mot de passe");
    await page.fill("#password", SECOND);
    await page.fill("#confirmation", SECOND);
    await page.getByRole("button", { name: "Changer le mot de passe" }).click();
    await expect(page.locator("#currentPassword-error").textContent()).resolves.toContain("Le mot de passe actuel est incorrect");
    await audit(page);

    await page.fill("#currentPassword", FIRST);
    await page.fill("#password", SECOND);
    await page.fill("#confirmation", `${SECOND}.`);
    await page.getByRole("button", { name: "Changer le mot de passe" }).click();
    await expect(page.locator("#confirmation-error").textContent()).resolves.toContain("La confirmation ne reprend pas");

    await page.fill("#currentPassword", FIRST);
    await page.fill("#password", SECOND);
    await page.fill("#confirmation", SECOND);
    await page.getByRole("button", { name: "Changer le mot de passe" }).click();
    await page.waitForURL(/ok=account\.own_password/);
    await expect(page.locator(".fr-alert--success").textContent()).resolves.toContain(
      "Votre mot de passe a été changé ; vos autres sessions ont été fermées.",
    );
    await page.screenshot({ path: "docs/screenshots/shell-mon-compte.png", fullPage: true });
    await audit(page);

    // The other browser was signed in with the old password: it is now asked to sign in again.
    await otherDevice.goto(`${server.url}/organisations`);
    expect(new URL(otherDevice.url()).pathname).toBe("/login");
    await otherDevice.context().close();
  });

  it("signs out through the burger menu, and back in with the new password only", async () => {
    await page.locator(".fr-header__navbar button.fr-btn--menu").click();
    const menu = page.locator("#header-menu");
    await openDisclosure(menu.getByRole("button", { name: /Alice Martin/ }));
    await page.waitForTimeout(400);
    await menu.getByRole("button", { name: "Se déconnecter" }).click();
    await page.waitForURL(/\/login$/);
    await audit(page);

    await page.fill("#email", "alice@mairie.fr");
    await page.fill("#password", FIRST);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await expect(page.locator("main").textContent()).resolves.toContain("Adresse électronique ou mot de passe incorrect");
    await signIn(page, server.url, "alice@mairie.fr", SECOND);
    await expect(page.locator(".fr-alert--success").textContent()).resolves.toContain("Vous êtes connecté");
  });

  it("keeps the menu and « Se déconnecter » reachable without JavaScript", async () => {
    const noJs = await (await browser.newContext({ locale: "fr-FR", viewport: PHONE, javaScriptEnabled: false })).newPage();
    await noJs.goto(`${server.url}/login`);
    await noJs.fill("#email", "alice@mairie.fr");
    await noJs.fill("#password", SECOND);
    await noJs.getByRole("button", { name: "Se connecter" }).click();
    await noJs.waitForURL(/welcome/);
    await expect(noJs.locator("#navigation").isVisible()).resolves.toBe(false);
    await noJs.locator(".fr-header__navbar a.fr-btn--menu").click();
    await expect(noJs.locator("#navigation").isVisible()).resolves.toBe(true);
    await expect(noJs.locator("#header-menu").getByRole("link", { name: "Mon compte" }).isVisible()).resolves.toBe(true);
    await noJs.screenshot({ path: "docs/screenshots/shell-menu-sans-js.png" });
    await noJs.locator("#header-menu").getByRole("button", { name: "Se déconnecter" }).click();
    await noJs.waitForURL(/\/login$/);
    await noJs.context().close();
  });

  it("met no accessibility violation and no page error", () => {
    assertNoPageErrors();
    expect(violations).toEqual({});
  });
});
