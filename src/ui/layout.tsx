import type { Theme } from "../kernel/config.ts";
import type { Actor } from "../kernel/roles.ts";
import { canSomewhere } from "../kernel/roles.ts";
import { formatNumber, NBSP } from "./format.ts";
import type { Child, SafeHtml } from "./jsx/jsx-runtime.ts";

export type Scheme = "system" | "light" | "dark";

export interface LayoutContext {
  theme: Theme;
  brandName: string;
  stylesheet: string;
  actor: Actor | undefined;
  /** Unread notifications of the signed-in person (absent: not counted for this page). */
  unreadAlerts?: number | undefined;
  csrfToken: string;
  scheme: Scheme;
  currentPath: string;
  /** The RGAA compliance level, stated in every footer as the law requires. */
  accessibility: string;
}

export interface PageOptions {
  title: string;
  /** Breadcrumb trail above the title, last item being the current page. */
  breadcrumbs?: Array<{ label: string; href?: string }>;
  flash?: string | undefined;
  /** A notice above the content of staff pages (the mail banner), set by a hook. */
  notice?: Child;
  /** A page of the public's own (form, receipt, tracking, survey): the light stylesheet is enough. */
  light?: boolean;
  /**
   * An address to go to at once (meta refresh): used where a form's answer must lead to another site,
   * which the Content-Security-Policy's form-action 'self' forbids as a redirect.
   */
  refresh?: string;
  children: Child;
}

/** The burger: a button the DSFR script drives, and a link to the menu for when the script does not run. */
function Navbar(): SafeHtml {
  return (
    <div class="fr-header__navbar">
      <button
        class="fr-btn--menu fr-btn vigie-js-only"
        type="button"
        data-fr-opened="false"
        aria-controls="header-menu"
        aria-haspopup="dialog"
        id="header-menu-button"
        title="Menu"
      >
        Menu
      </button>
      <a class="fr-btn--menu fr-btn vigie-no-js" href="#header-menu" title="Menu">
        Menu
      </a>
    </div>
  );
}

function Brand({ ctx, withMenu }: { ctx: LayoutContext; withMenu: boolean }): SafeHtml {
  const service = (
    <div class="fr-header__service">
      <a href="/" title={`Accueil — ${ctx.brandName}`}>
        <p class="fr-header__service-title">{ctx.brandName}</p>
      </a>
      <p class="fr-header__service-tagline">Qualité de l'accueil et engagements de service</p>
    </div>
  );
  if (ctx.theme === "etat") {
    return (
      <div class="fr-header__brand fr-enlarge-link">
        <div class="fr-header__brand-top">
          <div class="fr-header__logo">
            <p class="fr-logo">
              République
              <br />
              Française
            </p>
          </div>
          {withMenu ? <Navbar /> : null}
        </div>
        {service}
      </div>
    );
  }
  // Without the State's logo, the service name leads the row and the burger sits at its end.
  return (
    <div class="fr-header__brand fr-enlarge-link vigie-brand--neutral">
      <div class="fr-header__brand-top">
        {service}
        {withMenu ? <Navbar /> : null}
      </div>
    </div>
  );
}

function navigation(actor: Actor | undefined): Array<{ href: string; label: string }> {
  if (!actor) return [];
  const items = [
    { href: "/", label: "Tableau de bord" },
    { href: "/organisations", label: "Organisations" },
    { href: "/frameworks", label: "Référentiels" },
    { href: "/levers", label: "Leviers" },
  ];
  if (canSomewhere(actor, "account.manage")) items.push({ href: "/accounts", label: "Comptes" });
  if (canSomewhere(actor, "audit.read")) items.push({ href: "/audit", label: "Journal d'audit" });
  if (actor.instanceAdmin) items.push({ href: "/legal", label: "Pages légales" });
  if (actor.instanceAdmin) items.push({ href: "/admin/sign-in", label: "Modes de connexion" });
  if (actor.instanceAdmin) items.push({ href: "/admin/service-accounts", label: "Comptes de service" });
  items.push({ href: "/api/docs", label: "API" });
  return items;
}

function isCurrent(currentPath: string, href: string): boolean {
  return href === "/" ? currentPath === "/" : currentPath === href || currentPath.startsWith(`${href}/`);
}

/**
 * The header's tools: the account menu (the person's name, « Mon compte », « Se déconnecter ») or
 * « Se connecter ». The DSFR script copies them into the mobile menu with « -mobile » added to ids;
 * rendering that copy on the server (`suffix`) gives the same menu when the script does not run, and
 * the script, finding the copy identical, leaves it alone.
 */
/** « Notifications (3 non lues) »: the count is in the text, so a screen reader says it too. */
function notificationsLabel(unread: number | undefined): string {
  if (!unread) return "Notifications";
  return `Notifications (${formatNumber(unread)}${NBSP}${unread > 1 ? "non lues" : "non lue"})`;
}

function ToolsLinks({ ctx, suffix }: { ctx: LayoutContext; suffix: string }): SafeHtml {
  if (!ctx.actor) {
    return (
      <ul class="fr-btns-group">
        <li>
          <a class="fr-btn fr-icon-lock-line" href="/login">
            Se connecter
          </a>
        </li>
      </ul>
    );
  }
  return (
    <div class="fr-translate fr-nav vigie-account" id={`account${suffix}`}>
      <div class="fr-nav__item">
        <button class="fr-translate__btn fr-btn" type="button" aria-controls={`account-menu${suffix}`} aria-expanded="false">
          {ctx.actor.displayName}
          {ctx.unreadAlerts ? (
            <span class="fr-badge fr-badge--sm fr-badge--new fr-ml-1w vigie-unread" title={notificationsLabel(ctx.unreadAlerts)}>
              {formatNumber(ctx.unreadAlerts)}
              <span class="fr-sr-only">{`\u00a0${ctx.unreadAlerts > 1 ? "notifications non lues" : "notification non lue"}`}</span>
            </span>
          ) : null}
          <span class="fr-sr-only">{"\u00a0: menu du compte"}</span>
        </button>
        <div class="fr-collapse fr-translate__menu fr-menu" id={`account-menu${suffix}`}>
          <ul class="fr-menu__list">
            <li>
              <a class="fr-nav__link" href="/notifications" aria-current={ctx.currentPath === "/notifications" ? "page" : undefined}>
                {notificationsLabel(ctx.unreadAlerts)}
              </a>
            </li>
            <li>
              <a class="fr-nav__link" href="/compte" aria-current={ctx.currentPath === "/compte" ? "page" : undefined}>
                Mon compte
              </a>
            </li>
            <li>
              <form method="post" action="/logout">
                <input type="hidden" name="_csrf" value={ctx.csrfToken} />
                <button type="submit" class="fr-nav__link">
                  Se déconnecter
                </button>
              </form>
            </li>
          </ul>
        </div>
      </div>
    </div>
  );
}

/**
 * The DSFR header as its documentation draws it: on a phone, the burger opens the menu (a modal
 * dialog holding the tools and the navigation); from 62em, both show in the header. The public's
 * light pages run no script and show no menu.
 */
function Header({ ctx, light }: { ctx: LayoutContext; light: boolean }): SafeHtml {
  const items = navigation(ctx.actor);
  const withMenu = !light;
  return (
    <header role="banner" class="fr-header">
      <div class="fr-header__body">
        <div class="fr-container">
          <div class="fr-header__body-row">
            <Brand ctx={ctx} withMenu={withMenu} />
            <div class="fr-header__tools">
              <div class="fr-header__tools-links">
                <ToolsLinks ctx={ctx} suffix="" />
              </div>
            </div>
          </div>
        </div>
      </div>
      {withMenu ? (
        // biome-ignore lint/a11y/useAriaPropsSupportedByRole: the DSFR script makes this a role="dialog" on phones, named by its burger.
        <div class="fr-header__menu fr-modal" id="header-menu" aria-labelledby="header-menu-button">
          <div class="fr-container">
            <button class="fr-btn--close fr-btn vigie-js-only" type="button" aria-controls="header-menu" title="Fermer">
              Fermer
            </button>
            <a class="fr-btn--close fr-btn vigie-no-js" href="#" title="Fermer le menu">
              Fermer
            </a>
            <div class="fr-header__menu-links">
              <ToolsLinks ctx={ctx} suffix="-mobile" />
            </div>
            {items.length > 0 ? (
              <nav class="fr-nav" id="navigation" role="navigation" aria-label="Menu principal">
                <ul class="fr-nav__list">
                  {items.map((item) => (
                    <li class="fr-nav__item">
                      <a class="fr-nav__link" href={item.href} aria-current={isCurrent(ctx.currentPath, item.href) ? "page" : undefined}>
                        {item.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            ) : null}
          </div>
        </div>
      ) : (
        // Signed out (login, first run): no menu, but DSFR's header script still looks for the place it
        // copies the tool links to on small screens, and throws without it. With a menu, the one inside
        // the menu is that place: a second one would take its copy and leave the account menu dead.
        <div class="fr-header__menu-links" hidden></div>
      )}
    </header>
  );
}

function Footer({ ctx }: { ctx: LayoutContext }): SafeHtml {
  return (
    <footer class="fr-footer" role="contentinfo" id="footer">
      <div class="fr-container">
        <div class="fr-footer__body">
          <div class="fr-footer__brand">
            {ctx.theme === "etat" ? (
              <p class="fr-logo">
                République
                <br />
                Française
              </p>
            ) : (
              <p class="fr-h5 fr-mb-0">{ctx.brandName}</p>
            )}
          </div>
          <div class="fr-footer__content">
            <p class="fr-footer__content-desc">
              {ctx.brandName} suit les engagements de qualité de service pris envers le public (référentiels Marianne et Services Publics+).
            </p>
          </div>
        </div>
        <div class="fr-footer__bottom">
          <ul class="fr-footer__bottom-list">
            <li class="fr-footer__bottom-item">
              <a class="fr-footer__bottom-link" href="/legal/accessibilite">
                {`Accessibilité\u00a0: ${ctx.accessibility}`}
              </a>
            </li>
            <li class="fr-footer__bottom-item">
              <a class="fr-footer__bottom-link" href="/legal/mentions-legales">
                Mentions légales
              </a>
            </li>
            <li class="fr-footer__bottom-item">
              <a class="fr-footer__bottom-link" href="/legal/donnees-personnelles">
                Données personnelles
              </a>
            </li>
            <li class="fr-footer__bottom-item">
              <a class="fr-footer__bottom-link" href="/display">
                Paramètres d'affichage
              </a>
            </li>
          </ul>
        </div>
      </div>
    </footer>
  );
}

export function Layout({ ctx, page }: { ctx: LayoutContext; page: PageOptions }): SafeHtml {
  const theme = ctx.scheme === "dark" ? "dark" : ctx.scheme === "light" ? "light" : undefined;
  return (
    <html lang="fr" data-fr-scheme={ctx.scheme} data-fr-theme={theme}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no" />
        <meta name="format-detection" content="telephone=no" />
        <title>{`${page.title} — ${ctx.brandName}`}</title>
        <link rel="stylesheet" href={ctx.stylesheet} />
        <link rel="icon" href="/assets/dsfr/favicon/favicon.svg" type="image/svg+xml" />
        {page.refresh ? <meta http-equiv="refresh" content={`0;url=${page.refresh}`} /> : null}
      </head>
      <body>
        <div class="fr-skiplinks">
          <nav class="fr-container" role="navigation" aria-label="Accès rapide">
            <ul class="fr-skiplinks__list">
              <li>
                <a class="fr-link" href="#content">
                  Contenu
                </a>
              </li>
              <li>
                <a class="fr-link" href="#footer">
                  Pied de page
                </a>
              </li>
            </ul>
          </nav>
        </div>
        <Header ctx={ctx} light={page.light === true} />
        <main role="main" id="content" class="fr-container fr-py-4w">
          {page.breadcrumbs && page.breadcrumbs.length > 0 ? (
            <nav role="navigation" class="fr-breadcrumb fr-mt-0" aria-label="vous êtes ici :">
              <ol class="fr-breadcrumb__list">
                {page.breadcrumbs.map((b) => (
                  <li>
                    {b.href ? (
                      <a class="fr-breadcrumb__link" href={b.href}>
                        {b.label}
                      </a>
                    ) : (
                      <a class="fr-breadcrumb__link" aria-current="page">
                        {b.label}
                      </a>
                    )}
                  </li>
                ))}
              </ol>
            </nav>
          ) : null}
          {page.light ? null : page.notice}
          {page.flash ? (
            <div class="fr-alert fr-alert--success fr-alert--sm fr-mb-3w" role="status">
              <p>{page.flash}</p>
            </div>
          ) : null}
          {page.children}
        </main>
        <Footer ctx={ctx} />
        {/* The public's own pages need no script: 30 KB less on a phone. */}
        {page.light ? null : <script type="module" src="/assets/dsfr/dsfr.module.min.js"></script>}
      </body>
    </html>
  );
}
