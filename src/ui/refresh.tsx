import type { SafeHtml } from "./jsx/jsx-runtime.ts";

/**
 * Under a page that follows work in the queue (an import being read or registered) and reloads itself
 * (the route sends a `Refresh` header, no JavaScript needed): says so, and how to stop it, since a
 * page that changes under a screen reader must be stoppable (RGAA 13.1); once stopped, a link to reload.
 */
export function RefreshNote({ url, auto, class: className }: { url: string; auto: boolean; class?: string }): SafeHtml {
  return (
    <p class={className}>
      {auto ? (
        <span>
          {"La page se met à jour toute seule toutes les 2 secondes. "}
          <a href={`${url}?auto=0`}>Arrêter la mise à jour automatique</a>
        </span>
      ) : (
        <a href={url}>Actualiser</a>
      )}
    </p>
  );
}
