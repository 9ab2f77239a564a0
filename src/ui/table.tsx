import type { Child, SafeHtml } from "./jsx/jsx-runtime.ts";

/**
 * The DSFR frame around a data table. Its container scrolls sideways on a narrow screen, so it
 * takes the keyboard focus: without a script to do it, arrow keys could not reach the hidden columns.
 */
export function TableFrame({ children, noCaption }: { children: Child; noCaption?: boolean }): SafeHtml {
  return (
    <div class={`fr-table${noCaption ? " fr-table--no-caption" : ""}`}>
      <div class="fr-table__wrapper">
        <div class="fr-table__container" tabindex="0">
          <div class="fr-table__content">{children}</div>
        </div>
      </div>
    </div>
  );
}
