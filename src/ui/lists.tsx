import type { SafeHtml } from "./jsx/jsx-runtime.ts";

/**
 * « Première page » and « Suivant » under a list read by keyset (a cursor only goes forward, so there are
 * no page numbers). Nothing at all when the list fits in one page.
 */
export function KeysetPager({
  label,
  first,
  next,
  spacing = "fr-mb-3w",
}: {
  /** The navigation's accessible name, « Pages de la liste des … ». */
  label: string;
  /** The first page's link, when the reader is past it. */
  first: string | null;
  /** The next page's link, when there is one. */
  next: string | null;
  spacing?: string;
}): SafeHtml | null {
  if (!first && !next) return null;
  return (
    <nav role="navigation" class={`fr-pagination ${spacing}`} aria-label={label}>
      <ul class="fr-pagination__list">
        {first ? (
          <li>
            <a class="fr-pagination__link fr-pagination__link--first" href={first}>
              Première page
            </a>
          </li>
        ) : null}
        {next ? (
          <li>
            <a class="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" rel="next" href={next}>
              Suivant
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

/** The site filter of a network's list: part of a site's name, accents and case ignored by the query. */
export function SiteFilterForm({ action, label, site }: { action: string; label: string; site: string | undefined }): SafeHtml {
  return (
    <form method="get" action={action} class="fr-mb-2w" aria-label={label}>
      {/* biome-ignore lint/a11y/useSemanticElements: the DSFR search bar is a div with the search role. */}
      <div class="fr-search-bar" role="search">
        <label class="fr-label" for="site">
          Site (tout ou partie de son nom)
        </label>
        <input
          class="fr-input"
          type="search"
          id="site"
          name="site"
          value={site ?? ""}
          maxlength={200}
          placeholder="Site (tout ou partie de son nom)"
        />
        <button class="fr-btn" type="submit" title="Filtrer par site">
          Filtrer par site
        </button>
      </div>
    </form>
  );
}
