import type { Theme } from "../app/config.ts";
import type { Actor } from "../modules/accounts/roles.ts";
import { canSomewhere } from "../modules/accounts/roles.ts";
import type { Child, SafeHtml } from "./jsx/jsx-runtime.ts";

export type Scheme = "system" | "light" | "dark";

export interface LayoutContext {
  theme: Theme;
  brandName: string;
  stylesheet: string;
  actor: Actor | undefined;
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
  /** A page of the public's own (form, receipt, tracking, survey): the light stylesheet is enough. */
  light?: boolean;
  children: Child;
}

function Brand({ ctx }: { ctx: LayoutContext }): SafeHtml {
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
        </div>
        <div class="fr-header__service">
          <a href="/" title={`Accueil — ${ctx.brandName}`}>
            <p class="fr-header__service-title">{ctx.brandName}</p>
          </a>
          <p class="fr-header__service-tagline">Qualité de l'accueil et engagements de service</p>
        </div>
      </div>
    );
  }
  return (
    <div class="fr-header__brand fr-enlarge-link">
      <div class="fr-header__service">
        <a href="/" title={`Accueil — ${ctx.brandName}`}>
          <p class="fr-header__service-title">{ctx.brandName}</p>
        </a>
        <p class="fr-header__service-tagline">Qualité de l'accueil et engagements de service</p>
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
  items.push({ href: "/api/docs", label: "API" });
  return items;
}

function isCurrent(currentPath: string, href: string): boolean {
  return href === "/" ? currentPath === "/" : currentPath === href || currentPath.startsWith(`${href}/`);
}

function Header({ ctx }: { ctx: LayoutContext }): SafeHtml {
  const items = navigation(ctx.actor);
  return (
    <header role="banner" class="fr-header">
      <div class="fr-header__body">
        <div class="fr-container">
          <div class="fr-header__body-row">
            <Brand ctx={ctx} />
            <div class="fr-header__tools">
              <div class="fr-header__tools-links">
                <ul class="fr-btns-group">
                  {ctx.actor ? (
                    [
                      <li>
                        <span class="fr-btn fr-icon-account-circle-line" aria-hidden="false">
                          {ctx.actor.displayName}
                        </span>
                      </li>,
                      <li>
                        <form method="post" action="/logout" class="vigie-inline-form">
                          <input type="hidden" name="_csrf" value={ctx.csrfToken} />
                          <button type="submit" class="fr-btn fr-icon-logout-box-r-line">
                            Se déconnecter
                          </button>
                        </form>
                      </li>,
                    ]
                  ) : (
                    <li>
                      <a class="fr-btn fr-icon-lock-line" href="/login">
                        Se connecter
                      </a>
                    </li>
                  )}
                </ul>
              </div>
            </div>
          </div>
        </div>
      </div>
      {items.length > 0 ? (
        <div class="fr-header__menu" id="header-menu">
          <div class="fr-container">
            <nav class="fr-nav" id="navigation" aria-label="Menu principal">
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
          </div>
        </div>
      ) : null}
      {/* DSFR's header script copies the tool links here for small screens and throws on every page
          when it finds no such element; the full mobile menu is not built yet, so it stays hidden. */}
      <div class="fr-header__menu-links" hidden></div>
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
                {`Accessibilité : ${ctx.accessibility}`}
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
        <Header ctx={ctx} />
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
