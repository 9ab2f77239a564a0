import { formatNumber, formatRate, plural } from "../../ui/format.ts";
import { CsrfField, ErrorSummary, type FormState, SelectField, TextArea, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { KeysetPager, SiteFilterForm } from "../../ui/lists.tsx";
import { TableFrame } from "../../ui/table.tsx";
import { CHANNEL_LABELS, CHANNELS } from "../frameworks/channels.ts";
import type { ListedIncident, ListedStaffMember, StaffMember, TrainingTable } from "./staff.service.ts";
import { TRAINING_THEME_LABELS, TRAINING_THEMES } from "./themes.ts";

const pct = (x: number | null) => formatRate(x, 0);
const day = (iso: string) => iso.split("-").reverse().join("/");

export function TrainingShares({ table }: { table: TrainingTable }): SafeHtml {
  return (
    <TableFrame>
      <table>
        <caption>Part des agents formés, par thème et par site</caption>
        <thead>
          <tr>
            <th scope="col">Thème</th>
            {table.sites.map((s) => (
              <th scope="col">{`${s.name} (${s.staff})`}</th>
            ))}
            <th scope="col">{`Ensemble (${table.total.staff})`}</th>
          </tr>
        </thead>
        <tbody>
          {TRAINING_THEMES.map((t) => (
            <tr>
              <th scope="row">{TRAINING_THEME_LABELS[t]}</th>
              {table.sites.map((s) => (
                <td>{pct(s.shares[t])}</td>
              ))}
              <td class="fr-text--bold">{pct(table.total.shares[t])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

export function StaffPage(props: {
  orgId: string;
  orgName: string;
  /** The site's own agents, for the training form. */
  staff: StaffMember[];
  /** The agents of the whole subtree, a page of them. */
  list: { members: ListedStaffMember[]; total: number; next: string | undefined };
  site?: string | undefined;
  after?: string | undefined;
  pageError?: string | undefined;
  table: TrainingTable;
  canManage: boolean;
  staffForm: FormState;
  trainingForm: FormState;
  csrf: string;
}): SafeHtml {
  const base = `/organisations/${props.orgId}/staff`;
  return (
    <div>
      <h1>Agents en contact avec le public — {props.orgName}</h1>
      <p>
        Les agents sont formés sur les sept thèmes de l'engagement 8 de Services Publics+. Un agent parti est gardé, inactif, pour
        l'historique.
      </p>
      <TrainingShares table={props.table} />
      <SiteFilterForm action={base} label="Filtrer les agents par site" site={props.site} />
      {props.pageError ? (
        <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert">
          <p>{props.pageError}</p>
        </div>
      ) : null}
      <TableFrame>
        <table>
          <caption>{`Agents du site et de ce qui lui est rattaché : ${props.list.total}`}</caption>
          <thead>
            <tr>
              <th scope="col">Nom</th>
              <th scope="col">Site</th>
              <th scope="col">Fonction</th>
              <th scope="col">Formations suivies</th>
              <th scope="col">Statut</th>
            </tr>
          </thead>
          <tbody>
            {props.list.members.map((m) => (
              <tr>
                <td>{m.name}</td>
                <td>
                  <a href={`/organisations/${m.orgId}/staff`}>{m.orgName}</a>
                </td>
                <td>{m.job ?? "—"}</td>
                <td>
                  {m.trainings.length
                    ? m.trainings.map((t) => `${TRAINING_THEME_LABELS[t.theme]} (${day(t.completedOn)})`).join(" ; ")
                    : "Aucune"}
                </td>
                <td>
                  {m.active ? "En poste" : "Parti"}
                  {props.canManage ? (
                    <form method="post" action={`/organisations/${m.orgId}/staff/${m.id}/active`} class="vigie-inline-form">
                      <CsrfField token={props.csrf} />
                      <input type="hidden" name="version" value={String(m.version)} />
                      <input type="hidden" name="active" value={m.active ? "false" : "true"} />
                      <button
                        class="fr-btn fr-btn--sm fr-btn--tertiary fr-ml-1w"
                        type="submit"
                        aria-label={`${m.active ? "Marquer parti" : "Remettre en poste"} : ${m.name}`}
                      >
                        {m.active ? "Marquer parti" : "Remettre en poste"}
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
      {props.list.members.length === 0 ? <p>Aucun agent{props.site ? " sur les sites de ce nom" : ""}.</p> : null}
      <KeysetPager
        label="Pages de la liste des agents"
        first={props.after ? `${base}?${new URLSearchParams(props.site ? { site: props.site } : {})}` : null}
        next={
          props.list.next ? `${base}?${new URLSearchParams({ ...(props.site ? { site: props.site } : {}), after: props.list.next })}` : null
        }
      />
      {props.canManage ? (
        <div class="fr-grid-row fr-grid-row--gutters">
          <div class="fr-col-12 fr-col-md-6">
            <form method="post" action={base} novalidate aria-label="Ajouter un agent">
              <CsrfField token={props.csrf} />
              <h2 class="fr-h4">Ajouter un agent</h2>
              <ErrorSummary form={props.staffForm} />
              <TextField name="name" label="Nom" form={props.staffForm} required maxlength={200} />
              <TextField name="job" label="Fonction" form={props.staffForm} maxlength={200} />
              <button class="fr-btn" type="submit">
                Ajouter l'agent
              </button>
            </form>
          </div>
          <div class="fr-col-12 fr-col-md-6">
            <form method="post" action={`${base}/trainings`} novalidate aria-label="Enregistrer une formation">
              <CsrfField token={props.csrf} />
              <h2 class="fr-h4">Enregistrer une formation</h2>
              <ErrorSummary form={props.trainingForm} />
              <SelectField
                name="staffId"
                label="Agent"
                form={props.trainingForm}
                required
                placeholder="Choisir"
                options={props.staff.filter((m) => m.active).map((m) => ({ value: m.id, label: m.name }))}
              />
              <SelectField
                name="theme"
                label="Thème"
                form={props.trainingForm}
                required
                placeholder="Choisir"
                options={TRAINING_THEMES.map((t) => ({ value: t, label: TRAINING_THEME_LABELS[t] }))}
              />
              <TextField name="completedOn" label="Date de la formation" type="date" form={props.trainingForm} required />
              <button class="fr-btn" type="submit">
                Enregistrer la formation
              </button>
            </form>
          </div>
        </div>
      ) : null}
    </div>
  );
}

const STATUS = { new: "À traiter", action: "Action créée", dismissed: "Classé" } as const;

export function IncidentsPage(props: {
  orgId: string;
  orgName: string;
  list: { incidents: ListedIncident[]; total: number; fresh: number; next: string | undefined };
  site: string | undefined;
  after: string | undefined;
  pageError: string | undefined;
  canFile: boolean;
  canTriage: boolean;
  commitments: Array<{ value: string; label: string }>;
  form: FormState;
  triageErrors: { id: string; form: FormState } | null;
  csrf: string;
}): SafeHtml {
  const base = `/organisations/${props.orgId}/incidents`;
  return (
    <div>
      <h1>Dysfonctionnements signalés — {props.orgName}</h1>
      {props.canFile ? (
        <form method="post" action={base} novalidate aria-label="Signaler un dysfonctionnement" class="fr-mb-4w">
          <CsrfField token={props.csrf} />
          <h2 class="fr-h4">Signaler un dysfonctionnement</h2>
          <p>
            Ce qui a empêché de bien servir un usager : outil en panne, information fausse, attente, orientation impossible… Le référent
            qualité le traite.
          </p>
          <ErrorSummary form={props.form} />
          <TextArea name="description" label="Ce qui s'est passé" form={props.form} rows={4} required maxlength={5000} />
          <div class="fr-grid-row fr-grid-row--gutters">
            <div class="fr-col-12 fr-col-md-6">
              <TextField name="occurredOn" label="Date" type="date" form={props.form} required />
            </div>
            <div class="fr-col-12 fr-col-md-6">
              <SelectField
                name="channel"
                label="Canal"
                form={props.form}
                placeholder="Sans objet"
                options={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))}
              />
            </div>
          </div>
          <button class="fr-btn" type="submit">
            Envoyer le signalement
          </button>
        </form>
      ) : null}
      <h2 class="fr-h4">{`Signalements du site et de ce qui lui est rattaché\u00a0: ${formatNumber(props.list.total, 0)}${
        props.list.fresh ? ` (dont ${plural(props.list.fresh, "nouveau", "nouveaux")})` : ""
      }`}</h2>
      <SiteFilterForm action={base} label="Filtrer les signalements par site" site={props.site} />
      {props.pageError ? (
        <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert">
          <p>{props.pageError}</p>
        </div>
      ) : null}
      {props.list.incidents.length === 0 ? <p>{`Aucun signalement${props.site ? " sur les sites de ce nom" : ""}.`}</p> : null}
      {props.list.incidents.map((i) => {
        const own = i.orgId === props.orgId;
        const form =
          props.triageErrors?.id === i.id ? props.triageErrors.form : { values: { title: i.description.slice(0, 200) }, errors: {} };
        return (
          <article class="fr-mb-3w fr-p-2w vigie-box" aria-labelledby={`incident-${i.id}`}>
            <h3 class="fr-h6" id={`incident-${i.id}`}>{`${day(i.occurredOn)} — ${STATUS[i.status]}`}</h3>
            <p>{i.description}</p>
            <p class="fr-text--sm">
              {`Signalé par ${i.reporterLabel}${i.channel ? ` · ${CHANNEL_LABELS[i.channel]}` : ""} · `}
              <a href={`/organisations/${i.orgId}/incidents`}>{i.orgName}</a>
            </p>
            {i.actionId ? <a href={`/organisations/${i.orgId}/actions/${i.actionId}`}>Voir l'action créée</a> : null}
            {i.triageNote ? <p class="fr-text--sm">{`Note : ${i.triageNote}`}</p> : null}
            {props.canTriage && i.status === "new" && !own ? (
              // The action goes to the site's own plan, under its own commitments: triage happens on its page.
              <a class="fr-link" href={`/organisations/${i.orgId}/incidents`}>{`Traiter ce signalement sur la page de ${i.orgName}`}</a>
            ) : null}
            {props.canTriage && i.status === "new" && own ? (
              <form method="post" action={`${base}/${i.id}/triage`} novalidate aria-label="Traiter le signalement">
                <CsrfField token={props.csrf} />
                <input type="hidden" name="version" value={String(i.version)} />
                <ErrorSummary form={form} />
                <div class="fr-input-group">
                  <label class="fr-label" for={`title-${i.id}`}>
                    Intitulé de l'action
                  </label>
                  <input class="fr-input" id={`title-${i.id}`} name="title" value={form.values.title} maxlength={1000} />
                </div>
                <div class="fr-select-group">
                  <label class="fr-label" for={`commitment-${i.id}`}>
                    Engagement
                  </label>
                  <select class="fr-select" id={`commitment-${i.id}`} name="commitmentId">
                    <option value="">Aucun</option>
                    {props.commitments.map((o) => (
                      <option value={o.value} selected={o.value === form.values.commitmentId}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                </div>
                <div class="fr-input-group">
                  <label class="fr-label" for={`note-${i.id}`}>
                    Note
                  </label>
                  <input class="fr-input" id={`note-${i.id}`} name="note" value={form.values.note} maxlength={2000} />
                </div>
                <ul class="fr-btns-group fr-btns-group--inline-md">
                  <li>
                    <button class="fr-btn" type="submit" name="decision" value="action">
                      Créer une action
                    </button>
                  </li>
                  <li>
                    <button class="fr-btn fr-btn--secondary" type="submit" name="decision" value="dismiss">
                      Classer sans suite
                    </button>
                  </li>
                </ul>
              </form>
            ) : null}
          </article>
        );
      })}
      <KeysetPager
        label="Pages de la liste des signalements"
        first={props.after ? `${base}?${new URLSearchParams(props.site ? { site: props.site } : {})}` : null}
        next={
          props.list.next ? `${base}?${new URLSearchParams({ ...(props.site ? { site: props.site } : {}), after: props.list.next })}` : null
        }
      />
    </div>
  );
}
