import { plural } from "../../ui/format.ts";
import { Checkbox, CsrfField, ErrorSummary, type FormState, formatDateTime, SelectField, TextField, UploadField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import {
  asTree,
  FRENCH_TIME_ZONES,
  HOLIDAY_ZONE_LABELS,
  HOLIDAY_ZONES,
  ORG_KIND_LABELS,
  ORG_KINDS,
  type Organisation,
} from "./organisation.ts";

export function organisationFormValues(org: Organisation): Record<string, string | undefined> {
  return {
    name: org.name,
    kind: org.kind,
    addressStreet: org.address.street ?? undefined,
    addressPostcode: org.address.postcode ?? undefined,
    addressCity: org.address.city ?? undefined,
    siret: org.siret ?? undefined,
    timeZone: org.timeZone,
    holidayZone: org.holidayZone,
    version: String(org.version),
    parentId: org.parentId ?? undefined,
  };
}

export interface TreeCounts {
  sitesBelow: Map<string, number>;
  /** What other modules count below each node (open requests…), with their wording: `treeCountPoint`. */
  others: Array<{ values: Map<string, number>; label: (count: number) => string }>;
}

/** The counts beside a node: the sites it holds (not for a site itself), and what other modules count (its open requests). */
function NodeCounts({ org, counts }: { org: Organisation; counts: TreeCounts }): SafeHtml {
  const parts: string[] = [];
  if (org.kind !== "site" && org.kind !== "service") parts.push(plural(counts.sitesBelow.get(org.id) ?? 0, "site"));
  for (const other of counts.others) parts.push(other.label(other.values.get(org.id) ?? 0));
  return <span class="vigie-tree__counts">{parts.join(" · ")}</span>;
}

/**
 * The tree as nested lists: each level is a list inside its parent's item, so a screen reader says
 * the level and the number of items where a table would need a tree grid and a script to be read.
 * The indentation is the lists' own; it holds at 390 px where a wide table would scroll sideways.
 */
function TreeLevel({
  parent,
  children,
  counts,
  matches,
}: {
  parent: string | null;
  children: Map<string | null, Organisation[]>;
  counts: TreeCounts;
  matches: Set<string>;
}): SafeHtml | null {
  const level = children.get(parent);
  if (!level?.length) return null;
  return (
    <ul class={parent === null ? "vigie-tree" : undefined}>
      {level.map((o) => (
        <li>
          <a href={`/organisations/${o.id}`} class={matches.has(o.id) ? "vigie-tree__match" : undefined}>
            {o.name}
          </a>{" "}
          <span class="fr-badge fr-badge--sm fr-badge--no-icon">{ORG_KIND_LABELS[o.kind]}</span>
          {o.address.city ? <span class="vigie-tree__city">{o.address.city}</span> : null}
          <NodeCounts org={o} counts={counts} />
          <TreeLevel parent={o.id} children={children} counts={counts} matches={matches} />
        </li>
      ))}
    </ul>
  );
}

export function OrganisationList({
  orgs,
  canCreate,
  search,
  matches,
  counts,
  truncated,
}: {
  orgs: Organisation[];
  canCreate: boolean;
  search?: string | undefined;
  matches?: Set<string>;
  counts: TreeCounts;
  truncated?: boolean;
}): SafeHtml {
  const ids = new Set(orgs.map((o) => o.id));
  const children = new Map<string | null, Organisation[]>();
  for (const o of [...orgs].sort((a, b) => a.name.localeCompare(b.name, "fr"))) {
    const key = o.parentId !== null && ids.has(o.parentId) ? o.parentId : null;
    children.set(key, [...(children.get(key) ?? []), o]);
  }
  const found = matches?.size ?? 0;
  return (
    <div>
      <h1>Organisations</h1>
      {canCreate ? (
        <p>
          <a class="fr-btn fr-icon-add-line fr-btn--icon-left" href="/organisations/new">
            Nouvelle organisation
          </a>
        </p>
      ) : null}
      <form method="get" action="/organisations" class="fr-mb-3w">
        {/* biome-ignore lint/a11y/useSemanticElements: the DSFR search bar is a div with the search role. */}
        <div class="fr-search-bar" role="search">
          <label class="fr-label" for="q">
            Rechercher une organisation par son nom
          </label>
          <input class="fr-input" type="search" id="q" name="q" value={search ?? ""} maxlength={200} placeholder="Nom de l'organisation" />
          <button class="fr-btn" type="submit" title="Rechercher">
            Rechercher
          </button>
        </div>
      </form>
      {search ? (
        <p>
          {found === 0
            ? `Aucune organisation dont le nom contient « ${search} ».`
            : `${plural(found, "organisation trouvée", "organisations trouvées")} pour « ${search} »${truncated ? " (les premières par ordre alphabétique : précisez la recherche)" : ""}, avec leurs rattachements.`}{" "}
          <a class="fr-link" href="/organisations">
            Voir tout l'arbre
          </a>
        </p>
      ) : null}
      {!search && orgs.length === 0 ? <p>Aucune organisation pour l'instant.</p> : null}
      <TreeLevel parent={null} children={children} counts={counts} matches={matches ?? new Set()} />
    </div>
  );
}

const LABELS: Record<string, string> = {
  name: "Nom",
  kind: "Type",
  parentId: "Rattachement",
  addressStreet: "Adresse",
  addressPostcode: "Code postal",
  addressCity: "Commune",
  siret: "SIRET",
  timeZone: "Fuseau horaire",
  holidayZone: "Jours fériés",
  version: "Version",
};

export function OrganisationForm({
  form,
  csrf,
  action,
  parents,
  editing,
}: {
  form: FormState;
  csrf: string;
  action: string;
  parents: Organisation[] | null;
  editing: boolean;
}): SafeHtml {
  const zoneOptions = Object.entries(FRENCH_TIME_ZONES).map(([value, label]) => ({ value, label: `${label} (${value})` }));
  const current = form.values.timeZone;
  if (current && !(current in FRENCH_TIME_ZONES)) zoneOptions.push({ value: current, label: current });
  return (
    <form method="post" action={action} novalidate>
      <CsrfField token={csrf} />
      <ErrorSummary form={form} labels={LABELS} />
      {editing ? <input type="hidden" name="version" value={form.values.version} /> : null}
      <TextField name="name" label="Nom" required form={form} maxlength={200} hint="Par exemple : Mairie de Poissy — guichet unique" />
      <SelectField
        name="kind"
        label="Type"
        required
        form={form}
        placeholder="Choisir un type"
        options={ORG_KINDS.map((k) => ({ value: k, label: ORG_KIND_LABELS[k] }))}
      />
      {parents ? (
        <SelectField
          name="parentId"
          label="Rattachée à"
          form={form}
          placeholder="Aucune (nouvelle racine)"
          hint="Réseau → région ou département → site → service"
          options={asTree(parents).map((p) => ({ value: p.id, label: `${p.name} (${ORG_KIND_LABELS[p.kind]})`, depth: p.depth }))}
        />
      ) : null}
      <TextField name="addressStreet" label="Adresse" form={form} autocomplete="street-address" />
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-4">
          <TextField name="addressPostcode" label="Code postal" form={form} inputmode="numeric" autocomplete="postal-code" />
        </div>
        <div class="fr-col-12 fr-col-md-8">
          <TextField name="addressCity" label="Commune" form={form} autocomplete="address-level2" />
        </div>
      </div>
      <TextField name="siret" label="SIRET" form={form} inputmode="numeric" hint="Facultatif. 14 chiffres, espaces permis." />
      <SelectField name="timeZone" label="Fuseau horaire" required form={form} options={zoneOptions} />
      <SelectField
        name="holidayZone"
        label="Jours fériés applicables"
        required
        form={form}
        hint="L'Alsace-Moselle et les départements d'outre-mer ont des jours fériés propres."
        options={HOLIDAY_ZONES.map((z) => ({ value: z, label: HOLIDAY_ZONE_LABELS[z] }))}
      />
      <button class="fr-btn" type="submit">
        {editing ? "Enregistrer les modifications" : "Créer l'organisation"}
      </button>
    </form>
  );
}

export function OrganisationDetails({
  org,
  ancestors,
  children,
  canUpdate,
  canDelete,
  canCreate,
  canWebhooks,
  csrf,
}: {
  org: Organisation;
  ancestors: Organisation[];
  children: Organisation[];
  canUpdate: boolean;
  canDelete: boolean;
  canCreate: boolean;
  canWebhooks?: boolean;
  csrf: string;
}): SafeHtml {
  const address = [org.address.street, [org.address.postcode, org.address.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
  return (
    <div>
      <h1>{org.name}</h1>
      <p>
        <span class="fr-badge fr-badge--info fr-badge--no-icon">{ORG_KIND_LABELS[org.kind]}</span>
      </p>
      <dl>
        <dt class="fr-text--bold">Rattachement</dt>
        <dd>
          {ancestors.length > 1
            ? ancestors
                .slice(0, -1)
                .map((a) => a.name)
                .join(" › ")
            : "Racine de l'arbre"}
        </dd>
        <dt class="fr-text--bold">Adresse</dt>
        <dd>{address || "Non renseignée"}</dd>
        <dt class="fr-text--bold">SIRET</dt>
        <dd>{org.siret ?? "Non renseigné"}</dd>
        <dt class="fr-text--bold">Fuseau horaire</dt>
        <dd>{org.timeZone}</dd>
        <dt class="fr-text--bold">Jours fériés</dt>
        <dd>{HOLIDAY_ZONE_LABELS[org.holidayZone]}</dd>
        <dt class="fr-text--bold">Dernière modification</dt>
        <dd>{formatDateTime(org.updatedAt, org.timeZone)}</dd>
      </dl>
      <ul class="fr-btns-group fr-btns-group--inline-md">
        <li>
          <a class="fr-btn" href={`/organisations/${org.id}/dashboard`}>
            Tableau de bord
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/requests`}>
            Demandes
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/surveys`}>
            Enquêtes
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/closures`}>
            Calendrier
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/commitments`}>
            Engagements
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/delays`}>
            Délais annoncés
          </a>
        </li>
        {canWebhooks ? (
          <li>
            <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/webhooks`}>
              Webhooks
            </a>
          </li>
        ) : null}
        {canUpdate ? (
          <li>
            <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/logo`}>
              Logo
            </a>
          </li>
        ) : null}
        {canUpdate ? (
          <li>
            <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/mailboxes`}>
              Boîtes aux lettres
            </a>
          </li>
        ) : null}
        {canUpdate ? (
          <li>
            <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/escalation`}>
              Demandes en retard
            </a>
          </li>
        ) : null}
        {canUpdate ? (
          <li>
            <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/privacy`}>
              Données personnelles
            </a>
          </li>
        ) : null}
        {canUpdate ? (
          <li>
            <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/alerts`}>
              Alertes
            </a>
          </li>
        ) : null}
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/public-info`}>
            Horaires et accès
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/public/organisations/${org.id}/results`}>
            Résultats publiés
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/review`}>
            Amélioration continue et bilan annuel
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/obligations`}>
            Obligations annuelles et objectifs
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/label`}>
            Dossier de label
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/feedback`}>
            Avis des usagers
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/calls`}>
            Téléphone
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/mystery`}>
            Tests mystère
          </a>
        </li>
        {canUpdate ? (
          <li>
            <a class="fr-btn fr-btn--secondary" href={`/organisations/${org.id}/letters`}>
              Modèles de lettres
            </a>
          </li>
        ) : null}
        {canUpdate ? (
          <li>
            <a class="fr-btn" href={`/organisations/${org.id}/edit`}>
              Modifier
            </a>
          </li>
        ) : null}
        {canCreate ? (
          <li>
            <a class="fr-btn fr-btn--secondary" href={`/organisations/new?parentId=${org.id}`}>
              Ajouter une organisation rattachée
            </a>
          </li>
        ) : null}
      </ul>
      <h2>Organisations rattachées</h2>
      {children.length === 0 ? (
        <p>Aucune.</p>
      ) : (
        <ul>
          {children.map((c) => (
            <li>
              <a href={`/organisations/${c.id}`}>{c.name}</a> ({ORG_KIND_LABELS[c.kind]})
            </li>
          ))}
        </ul>
      )}
      {canDelete && children.length === 0 ? (
        <form method="post" action={`/organisations/${org.id}/delete`} class="fr-mt-4w">
          <CsrfField token={csrf} />
          <input type="hidden" name="version" value={String(org.version)} />
          <Checkbox name="confirm" label="Je confirme la suppression de cette organisation" checked={false} />
          <button class="fr-btn fr-btn--tertiary fr-icon-delete-line fr-btn--icon-left" type="submit">
            Supprimer l'organisation
          </button>
        </form>
      ) : null}
    </div>
  );
}

/** The logo page: the current logo, a form to replace it, a button to remove it. */
export function LogoPage({
  org,
  hasLogo,
  shownToPublic,
  form,
  csrf,
}: {
  org: Organisation;
  hasLogo: boolean;
  shownToPublic: boolean;
  form: FormState;
  csrf: string;
}): SafeHtml {
  const error = form.errors.file ?? form.errors._;
  return (
    <div class="fr-col-12 fr-col-md-8">
      <h1>Logo de {org.name}</h1>
      <p>
        Le logo figure en tête des pages de l'organisation destinées au public (formulaire de demande, suivi d'une demande, résultats
        publiés), à côté de son nom.
      </p>
      {shownToPublic ? null : (
        <div class="fr-alert fr-alert--info fr-mb-3w">
          <p>
            Cette instance utilise la marque de l'État : le logo enregistré ici n'est pas affiché au public, le bloc « République française
            » en tient lieu.
          </p>
        </div>
      )}
      <h2 class="fr-h4">Logo actuel</h2>
      {hasLogo ? (
        <div class="fr-mb-3w">
          <img class="vigie-org-logo" src={`/public/organisations/${org.id}/logo`} alt={`Logo de ${org.name}`} />
          <form method="post" action={`/organisations/${org.id}/logo/delete`} class="fr-mt-2w">
            <CsrfField token={csrf} />
            <button class="fr-btn fr-btn--secondary" type="submit">
              Retirer le logo
            </button>
          </form>
        </div>
      ) : (
        <p>Aucun logo : les pages publiques montrent le nom de l'organisation seul.</p>
      )}
      <h2 class="fr-h4">{hasLogo ? "Remplacer le logo" : "Ajouter un logo"}</h2>
      <form method="post" action={`/organisations/${org.id}/logo`} enctype="multipart/form-data">
        <CsrfField token={csrf} />
        <UploadField
          label="Image du logo"
          hint="Formats acceptés : PNG, JPEG, WebP. Taille maximale : 200 Ko."
          accept="image/png,image/jpeg,image/webp"
          error={error}
        />
        <button class="fr-btn" type="submit">
          Enregistrer le logo
        </button>
      </form>
    </div>
  );
}

/**
 * The organisation's name at the head of its public pages, with its logo when it has one and the
 * instance is in the neutral theme (the State's pages carry the « République française » block instead).
 */
export function PublicOrgHeading({ org, logo }: { org: Pick<Organisation, "id" | "name">; logo: boolean }): SafeHtml {
  return (
    <p class="vigie-public-org fr-mb-2w">
      {logo ? <img class="vigie-org-logo" src={`/public/organisations/${org.id}/logo`} alt="" /> : null}
      <span class="fr-text--lead fr-text--bold">{org.name}</span>
    </p>
  );
}
