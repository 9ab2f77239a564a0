import { Checkbox, CsrfField, ErrorSummary, type FormState, SelectField, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import {
  CHANNEL_LABELS,
  CHANNELS,
  type Channel,
  describeTarget,
  REQUEST_KIND_LABELS,
  REQUEST_KINDS,
  type RequestKind,
} from "./channels.ts";
import type {
  CommitmentDetails,
  EffectiveCommitment,
  FrameworkSummary,
  LocalCommitmentRow,
  OrganisationCommitments,
} from "./frameworks.service.ts";

/** "sp+2021/5" → "/frameworks/sp+2021#c5": where a commitment is shown. */
export function commitmentHref(id: string): string {
  const [framework, number] = id.split("/");
  return `/frameworks/${encodeURIComponent(framework ?? "")}#c${number ?? ""}`;
}

/** The "Référentiel" filter of the search pages. */
export function FrameworkSelect({ form, frameworks }: { form: FormState; frameworks: FrameworkSummary[] }): SafeHtml {
  return (
    <SelectField
      name="framework"
      label="Référentiel"
      form={form}
      placeholder="Tous"
      options={frameworks.map((f) => ({ value: f.id, label: `${f.name} ${f.edition}` }))}
    />
  );
}

export function FrameworkList({ frameworks }: { frameworks: FrameworkSummary[] }): SafeHtml {
  return (
    <div>
      <h1>Référentiels</h1>
      <p>
        Les trois générations du référentiel de qualité de l'accueil. Un lien relie les engagements équivalents d'une version à l'autre,
        pour que l'historique survive à un changement de référentiel.
      </p>
      <div class="fr-grid-row fr-grid-row--gutters">
        {frameworks.map((f) => (
          <div class="fr-col-12 fr-col-md-4">
            <div class="fr-card fr-enlarge-link">
              <div class="fr-card__body">
                <div class="fr-card__content">
                  <h2 class="fr-card__title">
                    <a href={`/frameworks/${encodeURIComponent(f.id)}`}>{`${f.name} (${f.edition})`}</a>
                  </h2>
                  <p class="fr-card__desc">{f.summary}</p>
                  <p class="fr-card__detail">{`${f.commitmentCount} engagements`}</p>
                </div>
              </div>
            </div>
          </div>
        ))}
      </div>
      <p class="fr-mt-4w">
        <a class="fr-link" href="/commitments">
          Rechercher un engagement
        </a>{" "}
        —{" "}
        <a class="fr-link" href="/levers">
          Banque de leviers
        </a>
      </p>
    </div>
  );
}

function Targets({ targets }: { targets: EffectiveCommitment["targets"] }): SafeHtml | null {
  if (!targets.length) return null;
  return (
    <ul class="fr-tags-group">
      {targets.map((t) => (
        <li>
          <p class="fr-tag fr-tag--sm">{describeTarget(t)}</p>
        </li>
      ))}
    </ul>
  );
}

export function CommitmentCard({ c, heading = "h3" }: { c: CommitmentDetails; heading?: "h2" | "h3" }): SafeHtml {
  const title = `${c.number}. ${c.title}`;
  return (
    <section class="fr-mb-4w" id={`c${c.number}`}>
      {heading === "h2" ? <h2 class="fr-h5">{title}</h2> : <h3 class="fr-h5">{title}</h3>}
      {c.details ? <p>{c.details}</p> : null}
      <p class="fr-text--sm">{`Canaux : ${c.channels.map((ch) => CHANNEL_LABELS[ch]).join(", ")}`}</p>
      <Targets targets={c.targets} />
      <details>
        <summary>{`Exigences (${c.requirements.length})`}</summary>
        <ol>
          {c.requirements.map((r) => (
            <li>{r.text}</li>
          ))}
        </ol>
      </details>
      {c.links.length ? (
        <p class="fr-text--sm">
          Équivalences :{" "}
          {c.links.map((l, i) => [
            i ? ", " : "",
            <a href={commitmentHref(l.id)}>{l.id}</a>,
            l.relation === "partial" ? " (en partie)" : "",
          ])}
        </p>
      ) : null}
    </section>
  );
}

export function FrameworkPage({
  framework,
}: {
  framework: {
    name: string;
    edition: string;
    summary: string;
    themes: Array<{ id: string; title: string }>;
    commitments: CommitmentDetails[];
  };
}): SafeHtml {
  return (
    <div>
      <h1>{`${framework.name} (${framework.edition})`}</h1>
      <p class="fr-text--lead">{framework.summary}</p>
      {framework.themes.map((theme) => {
        const list = framework.commitments.filter((c) => c.themeId === theme.id);
        return list.length ? (
          <div>
            <h2>{theme.title}</h2>
            {list.map((c) => (
              <CommitmentCard c={c} />
            ))}
          </div>
        ) : null;
      })}
    </div>
  );
}

export function CommitmentSearch({
  frameworks,
  results,
  query,
}: {
  frameworks: FrameworkSummary[];
  results: CommitmentDetails[];
  query: { framework?: string | undefined; channel?: string | undefined; q?: string | undefined };
}): SafeHtml {
  const form: FormState = { values: { framework: query.framework, channel: query.channel, q: query.q }, errors: {} };
  return (
    <div>
      <h1>Rechercher un engagement</h1>
      <form method="get" action="/commitments" class="fr-mb-4w">
        <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div class="fr-col-12 fr-col-md-4">
            <TextField name="q" label="Mots" hint="Les accents sont facultatifs." form={form} />
          </div>
          <div class="fr-col-12 fr-col-md-3">
            <FrameworkSelect form={form} frameworks={frameworks} />
          </div>
          <div class="fr-col-12 fr-col-md-3">
            <SelectField
              name="channel"
              label="Canal"
              form={form}
              placeholder="Tous"
              options={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))}
            />
          </div>
          <div class="fr-col-12 fr-col-md-2">
            <button class="fr-btn" type="submit">
              Rechercher
            </button>
          </div>
        </div>
      </form>
      <h2>{`${results.length} engagement${results.length > 1 ? "s" : ""}`}</h2>
      {results.map((c) => (
        <div>
          <p class="fr-mb-0 fr-text--sm">
            <a href={commitmentHref(c.id)}>{c.id}</a>
          </p>
          <CommitmentCard c={c} />
        </div>
      ))}
    </div>
  );
}

function targetLines(c: EffectiveCommitment): SafeHtml {
  return (
    <div>
      <Targets targets={c.targets} />
      {c.frameworkTargets ? (
        <p class="fr-text--xs">{`Référentiel\u00a0: ${c.frameworkTargets.map(describeTarget).join(" ; ") || "aucune cible"}`}</p>
      ) : null}
    </div>
  );
}

export function OrganisationCommitmentsPage({
  orgId,
  orgName,
  data,
  frameworks,
  canManage,
  csrf,
  adoptForm,
  localForm,
}: {
  orgId: string;
  orgName: string;
  data: OrganisationCommitments;
  frameworks: FrameworkSummary[];
  canManage: boolean;
  csrf: string;
  adoptForm: FormState;
  localForm: FormState;
}): SafeHtml {
  const base = `/organisations/${orgId}/commitments`;
  const inherited = data.framework && data.framework.adoptedBy !== orgId;
  return (
    <div>
      <h1>{`Engagements — ${orgName}`}</h1>
      <p>
        {data.framework
          ? `Référentiel en vigueur : ${data.framework.name} (${data.framework.edition})${inherited ? ", hérité d'une organisation parente" : ""}.`
          : "Aucun référentiel adopté pour l'instant."}{" "}
        <a class="fr-link" href={`/public/organisations/${orgId}/commitments`}>
          Page publique imprimable
        </a>
      </p>
      {canManage ? (
        <form method="post" action={`${base}/framework`} class="fr-mb-4w">
          <CsrfField token={csrf} />
          <ErrorSummary form={adoptForm} />
          <SelectField
            name="frameworkId"
            label="Référentiel adopté par cette organisation"
            hint="Il vaut pour toutes les organisations rattachées qui n'en adoptent pas un autre. Changer de référentiel garde l'historique lisible grâce aux équivalences."
            form={adoptForm}
            placeholder={inherited ? "Hériter de l'organisation parente" : "Aucun"}
            options={frameworks.map((f) => ({ value: f.id, label: `${f.name} (${f.edition})` }))}
          />
          <button class="fr-btn fr-btn--secondary" type="submit">
            Enregistrer le référentiel
          </button>
        </form>
      ) : null}
      <TableFrame>
        <table>
          <caption>Engagements en vigueur</caption>
          <thead>
            <tr>
              <th scope="col">N°</th>
              <th scope="col">Engagement</th>
              <th scope="col">Cibles</th>
              <th scope="col">Origine</th>
            </tr>
          </thead>
          <tbody>
            {data.commitments.map((c) => (
              <tr>
                <td>{c.number ?? "—"}</td>
                <td>{c.title}</td>
                <td>{targetLines(c)}</td>
                <td>{c.source === "local" ? "Engagement local" : c.local ? "Référentiel, cible resserrée" : "Référentiel"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
      {canManage ? <LocalCommitments orgId={orgId} own={data.own} csrf={csrf} form={localForm} commitments={data.commitments} /> : null}
    </div>
  );
}

function LocalCommitments({
  orgId,
  own,
  csrf,
  form,
  commitments,
}: {
  orgId: string;
  own: LocalCommitmentRow[];
  csrf: string;
  form: FormState;
  commitments: EffectiveCommitment[];
}): SafeHtml {
  const base = `/organisations/${orgId}/commitments/local`;
  const checked = (name: string, value: string) => {
    const v = form.values[name];
    return v === value || (v ?? "").split(",").includes(value);
  };
  return (
    <div class="fr-mt-6w">
      <h2>Engagements locaux de cette organisation</h2>
      {own.length === 0 ? <p>Aucun.</p> : null}
      <ul>
        {own.map((l) => (
          <li>
            {l.title} — {l.targets.map(describeTarget).join(" ; ") || "sans cible mesurable"}{" "}
            <form method="post" action={`${base}/${l.id}/delete`} class="vigie-inline-form">
              <CsrfField token={csrf} />
              <input type="hidden" name="version" value={String(l.version)} />
              <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" title={`Supprimer l'engagement local ${l.title}`}>
                Supprimer
              </button>
            </form>
          </li>
        ))}
      </ul>
      <h3>Ajouter un engagement local</h3>
      <p>Un engagement local s'ajoute au référentiel (« réponse aux courriels sous 7 jours ») ou en resserre une cible pour vos sites.</p>
      <ErrorSummary form={form} />
      <form method="post" action={base} novalidate>
        <CsrfField token={csrf} />
        <TextField name="title" label="Intitulé" required form={form} hint="Par exemple : Rendez-vous CNI et passeport sous 30 jours" />
        <SelectField
          name="baseCommitmentId"
          label="Resserre l'engagement du référentiel"
          form={form}
          placeholder="Non : nouvel engagement"
          options={commitments
            .filter((c) => c.source === "framework")
            .map((c) => ({ value: c.id, label: `${c.number}. ${c.title}`.slice(0, 110) }))}
        />
        <fieldset class="fr-fieldset" id="channels" aria-labelledby="channels-legend">
          <legend class="fr-fieldset__legend" id="channels-legend">
            Canaux concernés (obligatoire)
          </legend>
          {CHANNELS.map((ch) => (
            <div class="fr-fieldset__element fr-fieldset__element--inline">
              <div class="fr-checkbox-group">
                <input type="checkbox" id={`channel-${ch}`} name="channels" value={ch} checked={checked("channels", ch)} />
                <label class="fr-label" for={`channel-${ch}`}>
                  {CHANNEL_LABELS[ch]}
                </label>
              </div>
            </div>
          ))}
          {form.errors.channels ? <p class="fr-message fr-message--error fr-ml-2w">{form.errors.channels}</p> : null}
        </fieldset>
        <div class="fr-grid-row fr-grid-row--gutters">
          <div class="fr-col-12 fr-col-md-4">
            <SelectField
              name="metric"
              label="Cible mesurable"
              form={form}
              placeholder="Aucune"
              hint="Les délais de réponse se règlent dans « Délais annoncés »."
              options={[{ value: "call_pickup_rings", label: "Sonneries avant décroché" }]}
            />
          </div>
          <div class="fr-col-12 fr-col-md-4">
            <TextField name="value" label="Valeur" inputmode="numeric" form={form} />
          </div>
          <div class="fr-col-12 fr-col-md-4">
            <SelectField name="unit" label="Unité" form={form} options={[{ value: "rings", label: "sonneries" }]} />
          </div>
        </div>
        <fieldset class="fr-fieldset" aria-labelledby="kinds-legend">
          <legend class="fr-fieldset__legend" id="kinds-legend">
            Pour quels types de demande (aucun coché : tous)
          </legend>
          {REQUEST_KINDS.map((k) => (
            <div class="fr-fieldset__element fr-fieldset__element--inline">
              <Checkbox name="kinds" id={`kind-${k}`} value={k} label={REQUEST_KIND_LABELS[k]} checked={checked("kinds", k)} />
            </div>
          ))}
        </fieldset>
        <button class="fr-btn" type="submit">
          Ajouter l'engagement local
        </button>
      </form>
    </div>
  );
}

/** One announced delay as the public reads it: « Courrier, demande : 10 jours ouvrés ». */
export interface PublicDelay {
  channel: Channel;
  kind: RequestKind;
  text: string;
}

/**
 * What the organisation displays to the public: printable, no login. Reply delays are the organisation's own
 * announced delays (set by it, an ancestor, or its framework), never the framework's text alone: a site that
 * promises 10 days for letters must not print the framework's 15.
 */
export function PublicCommitments({
  orgName,
  data,
  delays,
}: {
  orgName: string;
  data: OrganisationCommitments;
  delays: PublicDelay[];
}): SafeHtml {
  const shown = (t: { metric: string }) => t.metric === "call_pickup_rings";
  return (
    <div>
      <h1>{`Nos engagements — ${orgName}`}</h1>
      {data.framework ? (
        <p class="fr-text--lead">{`Nous appliquons le référentiel ${data.framework.name} (${data.framework.edition}).`}</p>
      ) : null}
      <ol class="fr-text--lg">
        {data.commitments.map((c) => (
          <li class="fr-mb-2w">
            {c.title}
            {c.targets.some(shown) ? (
              <ul class="fr-text--md">
                {c.targets.filter(shown).map((t) => (
                  <li>{describeTarget(t)}</li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
      <h2>Nos délais de réponse</h2>
      {delays.length ? (
        <ul class="fr-text--lg" id="delais-annonces">
          {delays.map((d) => (
            <li>{`${CHANNEL_LABELS[d.channel]}, ${REQUEST_KIND_LABELS[d.kind].toLowerCase()}\u00a0: ${d.text}`}</li>
          ))}
        </ul>
      ) : (
        <p>Aucun délai de réponse n'est annoncé pour le moment.</p>
      )}
    </div>
  );
}
