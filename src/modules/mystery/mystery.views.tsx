import { Checkbox, ErrorSummary, Form, type FormState, SubmitButton, TextArea, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { CHANNEL_LABELS, type Channel } from "../frameworks/channels.ts";
import type { Grid, Score } from "./grids.ts";
import type { Campaign, CampaignResults } from "./mystery.service.ts";

const fmt = (s: Score | undefined) => (s?.score == null ? "—" : `${Math.round(s.score)} / 100`);
const channelLabel = (c: string) => CHANNEL_LABELS[c as Channel] ?? c;

export function CampaignList(props: {
  orgId: string;
  campaigns: Array<{ id: string; title: string; starts_on: string; ends_on: string; channels: string[]; tests: number | null }>;
  sites: Array<{ id: string; name: string }>;
  canManage: boolean;
  form: FormState;
  csrf: string;
}): SafeHtml {
  const base = `/organisations/${props.orgId}/mystery`;
  const chosen = (name: string, value: string) => (props.form.values[name] ?? "").split(",").includes(value);
  return (
    <div>
      <h1>Tests mystère</h1>
      {props.campaigns.length ? (
        <TableFrame>
          <table>
            <caption>Campagnes</caption>
            <thead>
              <tr>
                <th scope="col">Campagne</th>
                <th scope="col">Période</th>
                <th scope="col">Canaux</th>
                <th scope="col">Tests saisis</th>
              </tr>
            </thead>
            <tbody>
              {props.campaigns.map((c) => (
                <tr>
                  <th scope="row">
                    <a href={`${base}/${c.id}`}>{c.title}</a>
                  </th>
                  <td>{`${c.starts_on} → ${c.ends_on}`}</td>
                  <td>{c.channels.map(channelLabel).join(", ")}</td>
                  <td>{String(c.tests ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : (
        <p>Aucune campagne pour l'instant.</p>
      )}
      {props.campaigns.length >= 2 ? (
        <form method="get" action={`${base}/compare`} class="fr-mb-4w">
          <h2>Comparer deux campagnes</h2>
          {(["a", "b"] as const).map((k) => (
            <div class="fr-select-group">
              <label class="fr-label" for={`cmp-${k}`}>
                {k === "a" ? "Campagne de référence" : "Campagne comparée"}
              </label>
              <select class="fr-select" id={`cmp-${k}`} name={k}>
                {props.campaigns.map((c, i) => (
                  <option value={c.id} selected={(k === "a" && i === 1) || (k === "b" && i === 0)}>
                    {c.title}
                  </option>
                ))}
              </select>
            </div>
          ))}
          <SubmitButton label="Comparer" secondary />
        </form>
      ) : null}
      {props.canManage ? (
        <div>
          <h2>Nouvelle campagne</h2>
          <ErrorSummary form={props.form} />
          <Form action={base} csrf={props.csrf} label="Nouvelle campagne de tests mystère">
            <TextField name="title" label="Titre" form={props.form} required />
            <TextField name="startsOn" label="Début" type="date" form={props.form} required />
            <TextField name="endsOn" label="Fin" type="date" form={props.form} required />
            <fieldset class="fr-fieldset" id="channels" aria-labelledby="channels-legend">
              <legend class="fr-fieldset__legend" id="channels-legend">
                Canaux testés
              </legend>
              {(["phone", "counter", "email", "letter", "web"] as const).map((c) => (
                <div class="fr-fieldset__element">
                  <Checkbox name="channels" id={`channel-${c}`} value={c} label={channelLabel(c)} checked={chosen("channels", c)} />
                </div>
              ))}
            </fieldset>
            <fieldset class="fr-fieldset" id="sites" aria-labelledby="sites-legend">
              <legend class="fr-fieldset__legend" id="sites-legend">
                Sites testés
              </legend>
              {props.sites.map((s) => (
                <div class="fr-fieldset__element">
                  <Checkbox name="sites" id={`site-${s.id}`} value={s.id} label={s.name} checked={chosen("sites", s.id)} />
                </div>
              ))}
            </fieldset>
            <SubmitButton label="Créer la campagne" />
          </Form>
        </div>
      ) : null}
    </div>
  );
}

function ScoreTable({
  caption,
  header,
  rows,
}: {
  caption: string;
  header: string;
  rows: Array<{ label: string; score: Score | undefined; other?: Score | undefined }>;
}): SafeHtml {
  const comparing = rows.some((r) => "other" in r);
  return (
    <TableFrame>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{header}</th>
            <th scope="col">{comparing ? "Référence" : "Score"}</th>
            {comparing ? <th scope="col">Comparée</th> : <th scope="col">Critères respectés / observés</th>}
            {comparing ? <th scope="col">Écart</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const diff = r.score?.score != null && r.other?.score != null ? Math.round(r.other.score - r.score.score) : null;
            return (
              <tr>
                <th scope="row">{r.label}</th>
                <td>{fmt(r.score)}</td>
                {comparing ? <td>{fmt(r.other)}</td> : <td>{r.score ? `${r.score.passed} / ${r.score.passed + r.score.failed}` : "—"}</td>}
                {comparing ? <td>{diff === null ? "—" : `${diff > 0 ? "+" : ""}${diff}`}</td> : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableFrame>
  );
}

export function ResultsView({ orgId, results, grids }: { orgId: string; results: CampaignResults; grids: Grid[] }): SafeHtml {
  const { campaign, scores } = results;
  const criteria = grids
    .filter((g) => campaign.channels.includes(g.channel))
    .flatMap((g) => g.criteria.map((c) => ({ ...c, channel: g.channel })));
  const commitments = [...new Set(criteria.flatMap((c) => c.commitments))].sort();
  return (
    <div>
      <h1>{campaign.title}</h1>
      <p>{`Du ${campaign.starts_on} au ${campaign.ends_on} — ${results.tests} tests saisis — score global : ${fmt(scores.total)}.`}</p>
      <p>
        <a class="fr-btn" href={`/organisations/${orgId}/mystery/${campaign.id}/tests/new`}>
          Saisir un test
        </a>
      </p>
      <ScoreTable
        caption="Par canal"
        header="Canal"
        rows={campaign.channels.map((c) => ({ label: channelLabel(c), score: scores.byChannel.get(c) }))}
      />
      <ScoreTable caption="Par site" header="Site" rows={campaign.sites.map((s) => ({ label: s.name, score: scores.bySite.get(s.id) }))} />
      <ScoreTable
        caption="Par engagement"
        header="Engagement"
        rows={commitments.map((c) => ({ label: c, score: scores.byCommitment.get(c) }))}
      />
      <ScoreTable
        caption="Par critère"
        header="Critère"
        rows={criteria.map((c) => ({ label: `${channelLabel(c.channel)} — ${c.label}`, score: scores.byCriterion.get(c.id) }))}
      />
    </div>
  );
}

export function CompareView({ a, b, grids }: { a: CampaignResults; b: CampaignResults; grids: Grid[] }): SafeHtml {
  const channels = [...new Set([...a.campaign.channels, ...b.campaign.channels])];
  const criteria = grids.filter((g) => channels.includes(g.channel)).flatMap((g) => g.criteria.map((c) => ({ ...c, channel: g.channel })));
  const commitments = [...new Set(criteria.flatMap((c) => c.commitments))].sort();
  const sites = [...new Map([...a.campaign.sites, ...b.campaign.sites].map((s) => [s.id, s])).values()];
  const pair = (get: (r: CampaignResults) => Score | undefined) => ({ score: get(a), other: get(b) });
  return (
    <div>
      <h1>{`Comparaison : « ${a.campaign.title} » et « ${b.campaign.title} »`}</h1>
      <ScoreTable caption="Score global" header="Ensemble" rows={[{ label: "Tous critères", ...pair((r) => r.scores.total) }]} />
      <ScoreTable
        caption="Par canal"
        header="Canal"
        rows={channels.map((c) => ({ label: channelLabel(c), ...pair((r) => r.scores.byChannel.get(c)) }))}
      />
      <ScoreTable
        caption="Par site"
        header="Site"
        rows={sites.map((s) => ({ label: s.name, ...pair((r) => r.scores.bySite.get(s.id)) }))}
      />
      <ScoreTable
        caption="Par engagement"
        header="Engagement"
        rows={commitments.map((c) => ({ label: c, ...pair((r) => r.scores.byCommitment.get(c)) }))}
      />
      <ScoreTable
        caption="Par critère"
        header="Critère"
        rows={criteria.map((c) => ({ label: `${channelLabel(c.channel)} — ${c.label}`, ...pair((r) => r.scores.byCriterion.get(c.id)) }))}
      />
    </div>
  );
}

/** The tester's form: one radio group per criterion, stacked, usable on a 375 px phone without script. */
export function TestForm({
  action,
  csrf,
  campaign,
  grid,
  form,
}: {
  action: string;
  csrf: string;
  campaign: Campaign;
  grid: Grid;
  form: FormState;
}): SafeHtml {
  return (
    <div>
      <h1>{`${grid.title} — ${campaign.title}`}</h1>
      <ErrorSummary form={form} />
      <Form action={action} csrf={csrf} label={`Saisie d'un test : ${grid.title}`}>
        <input type="hidden" name="channel" value={grid.channel} />
        <div class={`fr-select-group${form.errors.site ? " fr-select-group--error" : ""}`}>
          <label class="fr-label" for="site">
            Site testé (obligatoire)
          </label>
          <select class="fr-select" id="site" name="site">
            {campaign.sites.map((s) => (
              <option value={s.id} selected={form.values.site === s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <TextField name="testedOn" label="Date du test" type="date" form={form} required />
        <TextField name="tester" label="Testeur" autocomplete="name" form={form} required />
        {grid.criteria.map((c) => {
          const name = `c_${c.id}`;
          const error = form.errors[name];
          return (
            <fieldset class={`fr-fieldset${error ? " fr-fieldset--error" : ""}`} id={name} aria-labelledby={`${name}-legend`}>
              <legend class="fr-fieldset__legend" id={`${name}-legend`}>
                {c.label}
              </legend>
              {(
                [
                  ["yes", "Oui"],
                  ["no", "Non"],
                  ["na", "Sans objet"],
                ] as const
              ).map(([value, label]) => (
                <div class="fr-fieldset__element fr-fieldset__element--inline">
                  <div class="fr-radio-group">
                    <input type="radio" id={`${name}-${value}`} name={name} value={value} checked={form.values[name] === value} />
                    <label class="fr-label" for={`${name}-${value}`}>
                      {label}
                    </label>
                  </div>
                </div>
              ))}
              {error ? (
                <div class="fr-messages-group">
                  <p class="fr-message fr-message--error">{error}</p>
                </div>
              ) : null}
            </fieldset>
          );
        })}
        <TextArea name="comment" label="Remarques" form={form} rows={3} maxlength={2000} />
        <SubmitButton label="Enregistrer le test" />
      </Form>
    </div>
  );
}
