import { PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { ROLE_LABELS } from "../../kernel/roles.ts";
import { sendPage } from "../../ui/page.tsx";
import { needsSetup } from "../accounts/accounts.service.ts";
import { listVisible } from "../organisations/organisations.service.ts";

export async function homeRoutes(app: App, deps: AppDeps): Promise<void> {
  app.get("/", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const actor = request.actor;
    if (!actor) {
      if (await needsSetup(deps.db)) return reply.redirect("/setup");
      return sendPage(reply, request, {
        title: "Accueil",
        children: (
          <div class="fr-col-12 fr-col-md-8">
            <h1>Vigie</h1>
            <p class="fr-text--lead">
              Vigie aide les services publics à tenir les engagements pris envers le public — délais de réponse, accueil, joignabilité,
              satisfaction — et à publier leurs résultats.
            </p>
            <p>
              <a class="fr-btn" href="/login">
                Se connecter
              </a>
            </p>
          </div>
        ),
      });
    }
    const orgs = await listVisible(deps.db, actor);
    const names = new Map(orgs.map((o) => [o.id, o.name]));
    return sendPage(reply, request, {
      title: "Tableau de bord",
      children: (
        <div>
          <h1>Bonjour {actor.displayName}</h1>
          <h2>Vos rôles</h2>
          {actor.instanceAdmin ? <p>Vous administrez cette instance de Vigie.</p> : null}
          {actor.grants.length === 0 && !actor.instanceAdmin ? <p>Aucun rôle ne vous est attribué pour l'instant.</p> : null}
          <ul>
            {actor.grants.map((g) => (
              <li>
                {ROLE_LABELS[g.role]} — <a href={`/organisations/${g.orgId}`}>{names.get(g.orgId) ?? "organisation"}</a>
              </li>
            ))}
          </ul>
          <p>
            {orgs.length === 0 ? (
              <a class="fr-btn" href="/organisations/new">
                Créer la première organisation
              </a>
            ) : (
              <a class="fr-link" href="/organisations">
                {`${orgs.length} organisation${orgs.length > 1 ? "s" : ""} à votre portée`}
              </a>
            )}
          </p>
        </div>
      ),
    });
  });
}
