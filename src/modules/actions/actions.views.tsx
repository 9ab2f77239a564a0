import { formatDateTimeShort, formatNumber, NBSP } from "../../ui/format.ts";
import { CsrfField, ErrorSummary, type FormState, SelectField, TextArea, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { KeysetPager } from "../../ui/lists.tsx";
import { TableFrame } from "../../ui/table.tsx";
import { CHANNEL_LABELS, CHANNELS, type Channel } from "../frameworks/channels.ts";
import type { Lever } from "../levers/levers.service.ts";
import { ACTION_STATUS_LABELS, ACTION_STATUSES, type ActionStatus, isOverdue } from "./action-status.ts";
import type { PlanImportReport } from "./actions.import.ts";
import type { ListQuery } from "./actions.schema.ts";
import type { Action, ActionEvent, PlanCounts, Suggestions } from "./actions.service.ts";

const base = (orgId: string) => `/organisations/${orgId}/actions`;
export const formatDay = (iso: string | null) => (iso ? iso.split("-").reverse().join("/") : "—");
const channelLabel = (c: Channel | "all" | null) => (c && c !== "all" ? CHANNEL_LABELS[c] : "Tous canaux");
const BADGE: Record<ActionStatus, string> = { todo: "fr-badge--info", doing: "fr-badge--new", done: "fr-badge--success", dropped: "" };

export function StatusBadge({ status }: { status: ActionStatus }): SafeHtml {
  return <p class={`fr-badge fr-badge--sm ${BADGE[status]}`}>{ACTION_STATUS_LABELS[status]}</p>;
}

export type CommitmentOption = { value: string; label: string };

function Tabs({ orgId, current }: { orgId: string; current: "list" | "board" | "new" | "suggestions" | "import" }): SafeHtml {
  const items: Array<[typeof current, string, string]> = [
    ["list", "Liste", base(orgId)],
    ["board", "Tableau", `${base(orgId)}/board`],
    ["suggestions", "Leviers suggérés", `${base(orgId)}/suggestions`],
    ["new", "Nouvelle action", `${base(orgId)}/new`],
    ["import", "Import / export", `${base(orgId)}/import`],
  ];
  return (
    <nav class="fr-mb-3w" aria-label="Vues du plan d'actions">
      <ul class="fr-btns-group fr-btns-group--inline-md fr-btns-group--sm">
        {items.map(([key, label, href]) => (
          <li>
            <a
              class={`fr-btn fr-btn--sm${key === current ? "" : " fr-btn--secondary"}`}
              href={href}
              aria-current={key === current ? "page" : undefined}
            >
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function CountsTable({ counts, commitmentLabel }: { counts: PlanCounts; commitmentLabel: (id: string | null) => string }): SafeHtml {
  return (
    <TableFrame>
      <table>
        <caption>Actions par statut et par engagement</caption>
        <thead>
          <tr>
            <th scope="col">Engagement</th>
            {ACTION_STATUSES.map((s) => (
              <th scope="col">{ACTION_STATUS_LABELS[s]}</th>
            ))}
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {counts.byCommitment.map((c) => (
            <tr>
              <td>{commitmentLabel(c.commitmentId)}</td>
              {ACTION_STATUSES.map((s) => (
                <td>{c.counts[s]}</td>
              ))}
              <td>{c.total}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">Ensemble du plan</th>
            {ACTION_STATUSES.map((s) => (
              <td class="fr-text--bold">{counts.byStatus[s]}</td>
            ))}
            <td class="fr-text--bold">{counts.total}</td>
          </tr>
        </tbody>
      </table>
    </TableFrame>
  );
}

function Filters(props: { orgId: string; query: ListQuery; commitments: CommitmentOption[]; action: string }): SafeHtml {
  const q = props.query;
  const form: FormState = {
    values: {
      status: q.status,
      commitment: q.commitment,
      channel: q.channel,
      owner: q.owner,
      year: q.year ? String(q.year) : undefined,
      q: q.q,
      site: q.site,
    },
    errors: {},
  };
  return (
    <form method="get" action={props.action} aria-label="Filtrer les actions" class="fr-mb-3w">
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-4">
          <TextField name="q" label="Mots de l'intitulé" form={form} />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <SelectField
            name="status"
            label="Statut"
            form={form}
            placeholder="Tous"
            options={ACTION_STATUSES.map((s) => ({ value: s, label: ACTION_STATUS_LABELS[s] }))}
          />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <SelectField name="commitment" label="Engagement" form={form} placeholder="Tous" options={props.commitments} />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <SelectField
            name="channel"
            label="Canal"
            form={form}
            placeholder="Tous"
            options={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))}
          />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <TextField name="owner" label="Responsable" form={form} />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <TextField name="year" label="Année du plan" type="number" inputmode="numeric" form={form} />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <TextField name="site" label="Site" hint="Tout ou partie de son nom" form={form} />
        </div>
      </div>
      <div class="fr-checkbox-group fr-mb-2w">
        <input type="checkbox" id="overdue" name="overdue" value="1" checked={q.overdue === "1"} />
        <label class="fr-label" for="overdue">
          En retard seulement
        </label>
      </div>
      <button class="fr-btn fr-btn--secondary" type="submit">
        Filtrer
      </button>
    </form>
  );
}

/** The list's address with its filters, on the page after `after` (the first page without it). */
function listLink(orgId: string, query: ListQuery, after: string | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, after })) if (v !== undefined && v !== "") params.set(k, String(v));
  return `${base(orgId)}?${params}`;
}

export function PlanList(props: {
  orgId: string;
  orgName: string;
  actions: Action[];
  /** All the actions the filters keep, every page together. */
  total: number;
  /** The cursor of the next page, if there is one. */
  next: string | undefined;
  counts: PlanCounts;
  query: ListQuery;
  commitments: CommitmentOption[];
  commitmentLabel: (id: string | null) => string;
  today: string;
  canManage: boolean;
  form: FormState;
  csrf: string;
}): SafeHtml {
  return (
    <div>
      <h1>Plan d'actions — {props.orgName}</h1>
      <Tabs orgId={props.orgId} current="list" />
      <CountsTable counts={props.counts} commitmentLabel={props.commitmentLabel} />
      <Filters orgId={props.orgId} query={props.query} commitments={props.commitments} action={base(props.orgId)} />
      <ErrorSummary form={props.form} />
      <form method="post" action={`${base(props.orgId)}/bulk`} novalidate aria-label="Changer le statut des actions cochées">
        <CsrfField token={props.csrf} />
        <TableFrame>
          <table>
            <caption>{`Actions (${props.total})`}</caption>
            <thead>
              <tr>
                {props.canManage ? <th scope="col">Choisir</th> : null}
                <th scope="col">N°</th>
                <th scope="col">Site</th>
                <th scope="col">Intitulé</th>
                <th scope="col">Engagement</th>
                <th scope="col">Canal</th>
                <th scope="col">Responsable</th>
                <th scope="col">Échéance</th>
                <th scope="col">Statut</th>
              </tr>
            </thead>
            <tbody>
              {props.actions.map((a) => (
                <tr>
                  {props.canManage ? (
                    <td>
                      <div class="fr-checkbox-group fr-checkbox-group--sm">
                        <input type="checkbox" id={`pick-${a.id}`} name="ids" value={a.id} />
                        <label class="fr-label" for={`pick-${a.id}`}>
                          <span class="fr-sr-only">{`Choisir l'action ${a.number}`}</span>
                        </label>
                      </div>
                    </td>
                  ) : null}
                  <td>{String(a.number)}</td>
                  <td>
                    <a href={`/organisations/${a.orgId}`}>{a.orgName}</a>
                  </td>
                  <td>
                    <a href={`${base(a.orgId)}/${a.id}`}>{a.title}</a>
                  </td>
                  <td>{props.commitmentLabel(a.commitmentId)}</td>
                  <td>{channelLabel(a.channel)}</td>
                  <td>{a.owner ?? "—"}</td>
                  <td>
                    {formatDay(a.dueOn)}
                    {isOverdue(a, props.today) ? <p class="fr-badge fr-badge--error fr-badge--sm">En retard</p> : null}
                  </td>
                  <td>
                    <StatusBadge status={a.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
        <KeysetPager
          label="Pages de la liste des actions"
          spacing="fr-mb-2w"
          first={props.query.after ? listLink(props.orgId, props.query, undefined) : null}
          next={props.next ? listLink(props.orgId, props.query, props.next) : null}
        />
        {props.canManage && props.actions.length ? (
          <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
            <div class="fr-col-12 fr-col-md-4">
              <SelectField
                name="status"
                label="Nouveau statut des actions cochées"
                form={props.form}
                options={ACTION_STATUSES.map((s) => ({ value: s, label: ACTION_STATUS_LABELS[s] }))}
              />
            </div>
            <div class="fr-col-12 fr-col-md-4 fr-mb-3w">
              <button class="fr-btn" type="submit">
                Appliquer aux actions cochées
              </button>
            </div>
          </div>
        ) : null}
      </form>
    </div>
  );
}

/** The board: one column per status, a card per action with its own small form (no script needed). */
export function PlanBoard(props: {
  orgId: string;
  orgName: string;
  actions: Action[];
  commitmentLabel: (id: string | null) => string;
  today: string;
  canManage: boolean;
  csrf: string;
}): SafeHtml {
  return (
    <div>
      <h1>Plan d'actions — {props.orgName}</h1>
      <Tabs orgId={props.orgId} current="board" />
      <div class="fr-grid-row fr-grid-row--gutters">
        {ACTION_STATUSES.map((s) => {
          const cards = props.actions.filter((a) => a.status === s);
          return (
            <section class="fr-col-12 fr-col-md-3" aria-labelledby={`col-${s}`}>
              <h2 class="fr-h5" id={`col-${s}`}>{`${ACTION_STATUS_LABELS[s]} (${cards.length})`}</h2>
              <ul class="vigie-board">
                {cards.map((a) => (
                  <li class="fr-card fr-card--sm fr-mb-2w">
                    <div class="fr-card__body">
                      <div class="fr-card__content">
                        <h3 class="fr-card__title fr-text--md">
                          <a href={`${base(a.orgId)}/${a.id}`}>{`${a.number}. ${a.title}`}</a>
                        </h3>
                        <p class="fr-card__desc fr-text--sm">
                          {`${props.commitmentLabel(a.commitmentId)} · ${a.owner ?? "sans responsable"} · échéance ${formatDay(a.dueOn)}`}
                          {isOverdue(a, props.today) ? " · en retard" : ""}
                        </p>
                        {props.canManage ? (
                          <form
                            method="post"
                            action={`${base(a.orgId)}/${a.id}/status`}
                            class="fr-mt-1w"
                            aria-label={`Statut de l'action ${a.number}`}
                          >
                            <CsrfField token={props.csrf} />
                            <input type="hidden" name="version" value={String(a.version)} />
                            <input type="hidden" name="back" value="board" />
                            <label class="fr-label" for={`status-${a.id}`}>
                              {`Statut de l'action ${a.number}`}
                            </label>
                            <select class="fr-select" id={`status-${a.id}`} name="status">
                              {ACTION_STATUSES.map((o) => (
                                <option value={o} selected={o === a.status}>
                                  {ACTION_STATUS_LABELS[o]}
                                </option>
                              ))}
                            </select>
                            <button class="fr-btn fr-btn--sm fr-btn--secondary fr-mt-1w" type="submit">
                              Déplacer
                            </button>
                          </form>
                        ) : null}
                      </div>
                    </div>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </div>
    </div>
  );
}

export function ActionFields({ form, commitments }: { form: FormState; commitments: CommitmentOption[] }): SafeHtml {
  return (
    <div>
      <TextArea name="title" label="Intitulé de l'action" form={form} rows={3} maxlength={1000} required />
      <SelectField name="commitmentId" label="Engagement" form={form} placeholder="Aucun" options={commitments} />
      <SelectField
        name="channel"
        label="Canal"
        form={form}
        placeholder="Tous canaux"
        options={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))}
      />
      <TextField name="owner" label="Responsable" form={form} maxlength={200} />
      <TextField name="service" label="Service" form={form} maxlength={200} />
      <TextField name="dueOn" label="Échéance" type="date" form={form} hint="Format AAAA-MM-JJ" />
      <TextField name="planYear" label="Année du plan" type="number" inputmode="numeric" form={form} required />
      <SelectField
        name="status"
        label="Statut"
        form={form}
        options={ACTION_STATUSES.map((s) => ({ value: s, label: ACTION_STATUS_LABELS[s] }))}
      />
    </div>
  );
}

const FIELD_LABELS = {
  title: "Intitulé",
  commitmentId: "Engagement",
  channel: "Canal",
  owner: "Responsable",
  service: "Service",
  dueOn: "Échéance",
  planYear: "Année du plan",
  status: "Statut",
  note: "Note",
};

export function NewAction(props: {
  orgId: string;
  orgName: string;
  form: FormState;
  commitments: CommitmentOption[];
  csrf: string;
}): SafeHtml {
  return (
    <div>
      <h1>Plan d'actions — {props.orgName}</h1>
      <Tabs orgId={props.orgId} current="new" />
      <h2>Nouvelle action</h2>
      <ErrorSummary form={props.form} labels={FIELD_LABELS} />
      <form method="post" action={`${base(props.orgId)}/new`} novalidate aria-label="Nouvelle action">
        <CsrfField token={props.csrf} />
        <ActionFields form={props.form} commitments={props.commitments} />
        <button class="fr-btn" type="submit">
          Ajouter l'action
        </button>
      </form>
    </div>
  );
}

const EVENT_TEXT = (e: ActionEvent) =>
  e.kind === "created"
    ? `Création (${e.toStatus ? ACTION_STATUS_LABELS[e.toStatus] : ""})`
    : e.kind === "status"
      ? `Statut : ${e.fromStatus ? ACTION_STATUS_LABELS[e.fromStatus] : "?"} → ${e.toStatus ? ACTION_STATUS_LABELS[e.toStatus] : "?"}`
      : e.kind === "edit"
        ? "Modification de l'action"
        : "Note d'avancement";

export function ActionPage(props: {
  orgId: string;
  action: Action;
  history: ActionEvent[];
  form: FormState;
  commitments: CommitmentOption[];
  canManage: boolean;
  csrf: string;
}): SafeHtml {
  const a = props.action;
  return (
    <div>
      <h1>{`Action ${a.number}`}</h1>
      <p class="fr-text--lead">{a.title}</p>
      <StatusBadge status={a.status} />
      {a.leverId ? <p class="fr-text--sm">{`Issue du levier ${a.leverId} de la banque de leviers.`}</p> : null}
      {props.canManage ? (
        <form method="post" action={`${base(props.orgId)}/${a.id}`} novalidate aria-label="Modifier l'action">
          <CsrfField token={props.csrf} />
          <input type="hidden" name="version" value={props.form.values.version ?? String(a.version)} />
          <ErrorSummary form={props.form} labels={FIELD_LABELS} />
          <ActionFields form={props.form} commitments={props.commitments} />
          <TextArea
            name="note"
            label="Note d'avancement"
            hint="Ce qui a été fait, ce qui bloque : la note rejoint l'historique."
            form={props.form}
            rows={3}
            maxlength={5000}
          />
          <button class="fr-btn" type="submit">
            Enregistrer
          </button>
        </form>
      ) : null}
      <h2 class="fr-h4 fr-mt-4w">Historique</h2>
      <ol>
        {props.history.map((e) => (
          <li>
            {`${formatDateTimeShort(e.at)} — ${e.actorLabel} — ${EVENT_TEXT(e)}`}
            {e.note ? <blockquote class="fr-text--sm">{e.note}</blockquote> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function SuggestionsPage(props: {
  orgId: string;
  orgName: string;
  suggestions: Suggestions;
  assessmentYear: number | null;
  existingLevers: string[];
  form: FormState;
  canManage: boolean;
  csrf: string;
}): SafeHtml {
  const s = props.suggestions;
  return (
    <div>
      <h1>Plan d'actions — {props.orgName}</h1>
      <Tabs orgId={props.orgId} current="suggestions" />
      <h2>Leviers suggérés</h2>
      {props.assessmentYear === null ? (
        <p>
          Aucune auto-évaluation encore : les suggestions viennent des indicateurs seuls. Renseignez une auto-évaluation pour les affiner.
        </p>
      ) : (
        <p>{`D'après l'auto-évaluation ${props.assessmentYear} et les indicateurs de l'année.`}</p>
      )}
      <h3 class="fr-h6">Engagements les moins bien notés</h3>
      {s.commitments.length ? (
        <ul>
          {s.commitments.map((c) => (
            <li>{`${c.title} — ${c.score === null ? "non noté" : `${formatNumber(c.score, 1)}${NBSP}/${NBSP}100`}`}</li>
          ))}
        </ul>
      ) : (
        <p>Aucun engagement sous 100 / 100.</p>
      )}
      <h3 class="fr-h6">Canaux sous leur cible</h3>
      <p>{s.channels.length ? s.channels.map((c) => CHANNEL_LABELS[c]).join(", ") : "Aucun canal sous sa cible."}</p>
      {s.levers.length && props.canManage ? (
        <form method="post" action={`${base(props.orgId)}/levers`} novalidate aria-label="Ajouter les leviers au plan">
          <CsrfField token={props.csrf} />
          <ErrorSummary form={props.form} labels={{ leverIds: "Leviers", planYear: "Année du plan", dueOn: "Échéance" }} />
          <LeverChoices levers={s.levers} existing={props.existingLevers} />
          <div class="fr-grid-row fr-grid-row--gutters">
            <div class="fr-col-12 fr-col-md-4">
              <TextField name="planYear" label="Année du plan" type="number" inputmode="numeric" form={props.form} required />
            </div>
            <div class="fr-col-12 fr-col-md-4">
              <TextField name="dueOn" label="Échéance" type="date" form={props.form} />
            </div>
            <div class="fr-col-12 fr-col-md-4">
              <TextField name="owner" label="Responsable" form={props.form} />
            </div>
          </div>
          <button class="fr-btn" type="submit">
            Ajouter les leviers cochés au plan
          </button>
        </form>
      ) : s.levers.length ? (
        <LeverChoices levers={s.levers} existing={props.existingLevers} readOnly />
      ) : (
        <p>Aucun levier à suggérer.</p>
      )}
    </div>
  );
}

function LeverChoices({ levers, existing, readOnly }: { levers: Lever[]; existing: string[]; readOnly?: boolean }): SafeHtml {
  return (
    <fieldset class="fr-fieldset" id="leverIds" aria-labelledby="levers-legend">
      <legend class="fr-fieldset__legend" id="levers-legend">
        {`Leviers de la banque (${levers.length})`}
      </legend>
      {levers.map((l) => (
        <div class="fr-fieldset__element">
          <div class="fr-checkbox-group">
            <input type="checkbox" id={`lever-${l.id}`} name="leverIds" value={l.id} disabled={readOnly || existing.includes(l.id)} />
            <label class="fr-label" for={`lever-${l.id}`}>
              {l.text}
              <span class="fr-hint-text">{`${l.category} · ${l.channel === "all" ? "Tous canaux" : channelLabel(l.channel)}${existing.includes(l.id) ? " · déjà au plan" : ""}`}</span>
            </label>
          </div>
        </div>
      ))}
    </fieldset>
  );
}

export function ImportPage(props: { orgId: string; orgName: string; report?: PlanImportReport; error?: string; csrf: string }): SafeHtml {
  const r = props.report;
  return (
    <div>
      <h1>Plan d'actions — {props.orgName}</h1>
      <Tabs orgId={props.orgId} current="import" />
      <h2>Exporter</h2>
      <p>
        <a class="fr-link" href={`${base(props.orgId)}/export.xlsx`}>
          Télécharger le plan (Excel .xlsx)
        </a>
      </p>
      <h2>Importer</h2>
      <p>
        Les colonnes sont celles de l'export : N°, Intitulé, Engagement, Canal, Responsable, Service, Échéance, Année du plan, Statut. Une
        ligne avec un N° met à jour cette action ; une ligne sans N° ajoute une action. Vérifiez d'abord : rien n'est écrit tant qu'une
        ligne est fautive.
      </p>
      {props.error ? (
        <div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
          <p>{props.error}</p>
        </div>
      ) : null}
      {r ? <ImportReportView report={r} /> : null}
      <form method="post" action={`${base(props.orgId)}/import`} enctype="multipart/form-data" novalidate aria-label="Importer un plan">
        <CsrfField token={props.csrf} />
        <div class="fr-upload-group fr-mb-3w">
          <label class="fr-label" for="file">
            Classeur du plan (.xlsx)
            <span class="fr-hint-text">10 Mo au plus.</span>
          </label>
          <input class="fr-upload" type="file" id="file" name="file" accept=".xlsx" />
        </div>
        <ul class="fr-btns-group fr-btns-group--inline-md">
          <li>
            <button class="fr-btn fr-btn--secondary" type="submit" name="mode" value="check">
              Vérifier le fichier
            </button>
          </li>
          <li>
            <button class="fr-btn" type="submit" name="mode" value="commit">
              Importer
            </button>
          </li>
        </ul>
      </form>
    </div>
  );
}

function ImportReportView({ report }: { report: PlanImportReport }): SafeHtml {
  const errors = report.sheet.errors;
  return (
    <div class="fr-mb-3w">
      {report.committed ? (
        <div class="fr-alert fr-alert--success fr-mb-2w">
          <p>{`Import terminé : ${report.added} action(s) ajoutée(s), ${report.updated} mise(s) à jour.`}</p>
        </div>
      ) : errors.length ? (
        <div class="fr-alert fr-alert--error fr-mb-2w" role="alert">
          <p>{`Lignes à corriger : ${errors.length}. Rien n'a été importé.`}</p>
        </div>
      ) : (
        <div class="fr-alert fr-alert--info fr-mb-2w">
          <p>{`Fichier correct : ${report.added} action(s) à ajouter, ${report.updated} à mettre à jour. Choisissez de nouveau le fichier et cliquez sur « Importer ».`}</p>
        </div>
      )}
      {errors.length ? (
        <TableFrame>
          <table>
            <caption>Lignes à corriger</caption>
            <thead>
              <tr>
                <th scope="col">Ligne</th>
                <th scope="col">Raison</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((e) => (
                <tr>
                  <td>{String(e.line)}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : null}
    </div>
  );
}
