import { BarChartFigure } from "../../ui/charts.tsx";
import { formatMonth, formatNumber, formatPercentValue, formatRate, NBSP, plural } from "../../ui/format.ts";
import {
  CsrfField,
  ErrorSummary,
  Form,
  type FormState,
  formatDateTime,
  PeriodFields,
  SelectField,
  SubmitButton,
  TextField,
} from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { RefreshNote } from "../../ui/refresh.tsx";
import { TableFrame } from "../../ui/table.tsx";
import type { CallIndicators, CallSettings, Carrier, ImportView } from "./calls.service.ts";
import type { CallFigures } from "./figures.ts";
import { DAY_LABELS, HeatMapFigure } from "./heat-map.tsx";
import { MAPPING_FIELDS, MAPPING_LABELS } from "./mapped.ts";

const pct = (rate: number | null) => formatRate(rate);
const secs = (s: number | null) => (s === null ? "—" : `${formatNumber(s)}${NBSP}s`);
const int = (n: number) => formatNumber(n);

function Callout({ title, text, tone }: { title: string; text: string; tone?: string }): SafeHtml {
  return (
    <div class="fr-col-12 fr-col-sm-6 fr-col-md-4">
      <div class={`fr-callout${tone ? ` fr-callout--${tone}` : ""}`}>
        <p class="fr-callout__title">{title}</p>
        <p class="fr-callout__text">{text}</p>
      </div>
    </div>
  );
}

function FiguresTable({
  caption,
  header,
  rows,
  outside,
}: {
  caption: string;
  header: string;
  rows: Array<{ label: string; f: CallFigures }>;
  outside: boolean;
}): SafeHtml {
  return (
    <TableFrame>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{header}</th>
            <th scope="col">Appels reçus</th>
            <th scope="col">Décrochés</th>
            <th scope="col">Taux de décroché</th>
            <th scope="col">Dans les sonneries promises</th>
            <th scope="col">Attente moyenne</th>
            <th scope="col">Attente (9 sur 10)</th>
            <th scope="col">Abandonnés</th>
            {outside ? <th scope="col">Hors horaires</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ label, f }) => (
            <tr>
              <th scope="row">{label}</th>
              <td>{int(f.offered)}</td>
              <td>{int(f.answered)}</td>
              <td>{pct(f.answerRate)}</td>
              <td>{pct(f.withinRate)}</td>
              <td>{secs(f.meanWait)}</td>
              <td>{secs(f.p90Wait)}</td>
              <td>{int(f.abandoned)}</td>
              {outside ? <td>{f.outsideHours === null ? "—" : int(f.outsideHours)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

export function CallsView({
  orgId,
  orgName,
  data,
  canImport,
}: {
  orgId: string;
  orgName: string;
  data: CallIndicators;
  canImport: boolean;
}): SafeHtml {
  const t = data.total;
  const outside = t.outsideHours !== null;
  const base = `/organisations/${orgId}/calls`;
  return (
    <div>
      <h1>{`Accueil téléphonique — ${orgName}`}</h1>
      <ul class="fr-btns-group fr-btns-group--inline-md fr-mb-3w">
        {canImport ? (
          <li>
            <a class="fr-btn" href={`${base}/import`}>
              Importer un journal d'appels
            </a>
          </li>
        ) : null}
        <li>
          <a class="fr-btn fr-btn--secondary" href={`${base}/settings`}>
            Réglages (sonneries, contextes)
          </a>
        </li>
      </ul>
      <form method="get" action={base} class="fr-mb-4w">
        <PeriodFields from={data.from} to={data.to} />
      </form>
      <p class="fr-text--sm">
        {`Les chiffres couvrent les mois entiers de la période, pour l'organisation et tout ce qui lui est rattaché. Promesse : décrocher en ${data.rings} sonneries au plus (${data.ringsFrom}), soit ${data.rings * data.secondsPerRing} secondes à ${data.secondsPerRing} s par sonnerie.`}
      </p>
      {t.offered === 0 ? (
        <p>Aucun appel sur cette période : importez un journal d'appels.</p>
      ) : (
        <div>
          <div class="fr-grid-row fr-grid-row--gutters fr-mb-4w">
            <Callout
              title={pct(t.answerRate)}
              text={`taux de décroché (${plural(t.answered, "appel décroché", "appels décrochés")} sur ${int(t.offered)})`}
            />
            <Callout title={pct(t.withinRate)} text={`des appels décrochés en ${data.rings} sonneries au plus`} />
            <Callout title={secs(t.meanWait)} text={`d'attente moyenne avant décroché (9 appels sur 10 : ${secs(t.p90Wait)} au plus)`} />
            <Callout title={int(t.abandoned)} text={`appels abandonnés avant décroché (${pct(t.abandonRate)})`} tone="pink-tuile" />
            {outside ? <Callout title={int(t.outsideHours ?? 0)} text="appels reçus en dehors des horaires d'ouverture" /> : null}
          </div>
          <BarChartFigure
            chart={{
              title: "Taux de décroché par mois",
              categories: data.byMonth.map((m) => formatMonth(m.month, { short: true })),
              series: [
                { name: "Décroché", values: data.byMonth.map((m) => (m.answerRate === null ? null : Math.round(m.answerRate * 100))) },
              ],
              max: 100,
              unit: "%",
            }}
          />
          <HeatMapFigure heat={data.heat} title="Taux de décroché (%) par jour et heure d'appel" />
          <FiguresTable
            caption="Par mois"
            header="Mois"
            rows={data.byMonth.map((m) => ({ label: formatMonth(m.month), f: m }))}
            outside={outside}
          />
          {data.byLine.length ? (
            <FiguresTable
              caption="Par ligne ou file d'attente"
              header="Ligne"
              rows={data.byLine.map((l) => ({ label: l.line || "(sans ligne)", f: l }))}
              outside={outside}
            />
          ) : null}
          <HeatTable heat={data.heat} />
          {data.byChild.length && !data.byLine.length ? (
            <p class="fr-text--sm">Le détail par ligne ou file d'attente se lit sur la page de chaque site.</p>
          ) : null}
          {data.byChild.length ? (
            <TableFrame>
              <table>
                <caption>Par organisation rattachée</caption>
                <thead>
                  <tr>
                    <th scope="col">Organisation</th>
                    <th scope="col">Appels reçus</th>
                    <th scope="col">Décrochés</th>
                    <th scope="col">Taux de décroché</th>
                  </tr>
                </thead>
                <tbody>
                  {data.byChild.map((c) => (
                    <tr>
                      <th scope="row">
                        <a href={`/organisations/${c.orgId}/calls?from=${data.from}&to=${data.to}`}>{c.name}</a>
                      </th>
                      <td>{int(c.offered)}</td>
                      <td>{int(c.answered)}</td>
                      <td>{pct(c.answerRate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableFrame>
          ) : null}
        </div>
      )}
    </div>
  );
}

function HeatTable({ heat }: { heat: CallIndicators["heat"] }): SafeHtml {
  const hours = [...Array(24).keys()].filter((h) => heat.some((d) => (d[h]?.offered ?? 0) > 0));
  return (
    <TableFrame>
      <table>
        <caption>Appels décrochés sur appels reçus, par jour et heure</caption>
        <thead>
          <tr>
            <th scope="col">Jour</th>
            {hours.map((h) => (
              <th scope="col">{`${h} h`}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {heat.map((day, d) => (
            <tr>
              <th scope="row">{DAY_LABELS[d] ?? ""}</th>
              {hours.map((h) => {
                const c = day[h];
                return <td>{c && c.offered > 0 ? `${c.answered}/${c.offered}` : "—"}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

/** « 1 appel de ce fichier est déjà enregistré. », « 12 000 appels de ce fichier sont déjà enregistrés. » */
function recordedOf(count: number, when = "déjà"): string {
  return count < 2
    ? `${formatNumber(count)} appel de ce fichier est ${when} enregistré.`
    : `${formatNumber(count)} appels de ce fichier sont ${when} enregistrés.`;
}

const STATUS_LABELS: Record<string, string> = {
  uploaded: "en attente de la correspondance des colonnes",
  reading: "lecture en cours",
  checked: "lu, en attente de décision",
  committing: "enregistrement en cours",
  discarding: "abandon en cours",
  done: "enregistré",
  failed: "échec",
  discarded: "abandonné",
  // Not stored: a reading or recording nobody carries on with (calls.import.ts, isInterrupted), a step
  // waiting in the queue, or one the queue gave up on (carrierOf).
  interrupted: "interrompu par un arrêt du serveur",
  queued: "en file d'attente",
  jobFailed: "échec",
};

export function UploadPage({
  action,
  csrf,
  error,
  imports,
  orgId,
}: {
  action: string;
  csrf: string;
  error?: string | undefined;
  imports: ImportView[];
  orgId: string;
}): SafeHtml {
  return (
    <div>
      <h1>Importer un journal d'appels</h1>
      <p>
        Le fichier est lu en entier avant tout enregistrement : une ligne fautive est signalée avec son numéro, et rien n'est enregistré
        tant que vous n'avez pas décidé. Importer deux fois le même fichier n'ajoute aucun appel.
      </p>
      {error ? (
        <div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
          <p>{error}</p>
        </div>
      ) : null}
      <form method="post" action={action} enctype="multipart/form-data" aria-label="Import d'un journal d'appels">
        <CsrfField token={csrf} />
        <fieldset class="fr-fieldset" id="format-fieldset" aria-labelledby="format-legend">
          <legend class="fr-fieldset__legend" id="format-legend">
            Format du fichier
          </legend>
          <div class="fr-fieldset__element">
            <div class="fr-radio-group">
              <input type="radio" id="format-asterisk" name="format" value="asterisk" checked />
              <label class="fr-label" for="format-asterisk">
                Asterisk (Master.csv)
                <span class="fr-hint-text">Journal CDR d'un autocommutateur Asterisk, sans ligne d'en-tête.</span>
              </label>
            </div>
          </div>
          <div class="fr-fieldset__element">
            <div class="fr-radio-group">
              <input type="radio" id="format-mapped" name="format" value="mapped" />
              <label class="fr-label" for="format-mapped">
                Autre fichier CSV
                <span class="fr-hint-text">
                  Avec une ligne d'en-tête ; vous indiquerez quelle colonne donne quoi (la correspondance est gardée).
                </span>
              </label>
            </div>
          </div>
        </fieldset>
        <div class="fr-upload-group fr-mb-3w">
          <label class="fr-label" for="file">
            Fichier CSV
            <span class="fr-hint-text">Heures lues dans le fuseau horaire de l'organisation. Taille maximale : 2 Go.</span>
          </label>
          <input class="fr-upload" type="file" id="file" name="file" accept=".csv,.txt,text/csv" />
        </div>
        <SubmitButton label="Envoyer le fichier" />
      </form>
      {imports.length ? (
        <TableFrame>
          <table>
            <caption>Derniers imports</caption>
            <thead>
              <tr>
                <th scope="col">Fichier</th>
                <th scope="col">Envoyé le</th>
                <th scope="col">Par</th>
                <th scope="col">État</th>
                <th scope="col">Appels ajoutés</th>
              </tr>
            </thead>
            <tbody>
              {imports.map((i) => (
                <tr>
                  <th scope="row">
                    <a href={`/organisations/${orgId}/calls/imports/${i.id}`}>{i.fileName}</a>
                  </th>
                  <td>{formatDateTime(i.createdAt)}</td>
                  <td>{i.createdByLabel}</td>
                  <td>{STATUS_LABELS[i.status] ?? i.status}</td>
                  <td>{i.status === "done" ? int(i.rowsCreated) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : null}
    </div>
  );
}

export function MappingPage({
  action,
  discardAction,
  csrf,
  header,
  form,
  fileName,
}: {
  action: string;
  discardAction: string;
  csrf: string;
  header: string[];
  form: FormState;
  fileName: string;
}): SafeHtml {
  const options = header.map((h) => ({ value: h, label: h }));
  return (
    <div>
      <h1>Correspondance des colonnes</h1>
      <p>{`Indiquez quelle colonne de « ${fileName} » donne chaque information. Elle sera proposée pour les prochains fichiers.`}</p>
      <ErrorSummary form={form} />
      <Form action={action} csrf={csrf} label="Correspondance des colonnes">
        {MAPPING_FIELDS.map((f) => (
          <SelectField
            name={`map_${f}`}
            label={MAPPING_LABELS[f]}
            form={form}
            options={options}
            placeholder="— Aucune —"
            required={f === "wait"}
          />
        ))}
        <TextField
          name="answeredValues"
          label="Valeurs qui signifient « décroché »"
          hint="Séparées par des virgules ; par défaut : oui, répondu, décroché, 1. Sans colonne « décroché », un appel avec une durée de conversation est décroché."
          form={form}
        />
        <SubmitButton label="Lire le fichier" />
      </Form>
      <form method="post" action={discardAction} class="fr-mt-3w">
        <CsrfField token={csrf} />
        <SubmitButton label="Abandonner cet import" secondary />
      </form>
    </div>
  );
}

export function ImportStatusPage({
  orgId,
  item,
  csrf,
  auto,
  interrupted,
  lost,
  resumable,
  carrier,
}: {
  orgId: string;
  item: ImportView;
  /** Who carries the step under way: a job waiting in the queue, running, stalled, or given up. */
  carrier: Carrier;
  csrf: string;
  auto: boolean;
  /** Reading or recording, and nobody carries on with it (server killed or restarted). */
  interrupted: boolean;
  /** Read, but its staged calls were lost to a crash: recording them would record nothing. */
  lost: boolean;
  /** The file is still on the server: « Reprendre » reads it again. */
  resumable: boolean;
}): SafeHtml {
  const base = `/organisations/${orgId}/calls/imports/${item.id}`;
  const refreshNote = <RefreshNote url={base} auto={auto} class="fr-mt-2w" />;
  const percent = item.bytesTotal ? Math.min(100, Math.floor((item.bytesRead / item.bytesTotal) * 100)) : 0;
  const valid = item.rowsRead - item.rowsInvalid - item.rowsSkipped;
  const recordedPercent = valid > 0 ? Math.min(100, Math.floor((item.rowsMoved / valid) * 100)) : 0;
  const queued = carrier.kind === "queued" && !interrupted;
  // The step under way, and how French says it goes on by itself (« l'enregistrement… de lui-même »).
  const [step, itself] =
    item.status === "discarding"
      ? ["L'abandon", "de lui-même"]
      : item.status === "committing"
        ? ["L'enregistrement", "de lui-même"]
        : ["La lecture", "d'elle-même"];
  return (
    <div>
      <h1>{`Import de « ${item.fileName} »`}</h1>
      <p>{`État${NBSP}: ${STATUS_LABELS[carrier.kind === "failed" ? "jobFailed" : interrupted ? "interrupted" : queued ? "queued" : item.status] ?? item.status}. Envoyé par ${item.createdByLabel} le ${formatDateTime(item.createdAt)}.`}</p>
      {item.message && !lost ? (
        <div class={`fr-alert ${item.status === "failed" ? "fr-alert--error" : "fr-alert--warning"} fr-mb-3w`}>
          <p>{item.message}</p>
        </div>
      ) : null}
      {interrupted || lost ? (
        <div class="fr-alert fr-alert--warning fr-mb-3w">
          <h2 class="fr-alert__title">
            {carrier.kind === "failed"
              ? `${step} n'a pas pu aboutir`
              : interrupted
                ? item.status === "discarding"
                  ? "L'abandon a été interrompu par un arrêt du serveur"
                  : item.status === "committing"
                    ? "L'enregistrement a été interrompu par un arrêt du serveur"
                    : "La lecture a été interrompue par un arrêt du serveur"
                : "Les lignes lues ont été perdues lors d'un arrêt du serveur"}
          </h2>
          {carrier.kind === "failed" ? <p>{`Échec${NBSP}: ${carrier.error}`}</p> : null}
          {carrier.kind === "stalled" ? (
            <p>
              {carrier.resumesAt
                ? `Sans rien faire, ${step.charAt(0).toLowerCase()}${step.slice(1)} reprendra ${itself} vers le ${formatDateTime(carrier.resumesAt)}, sur ce serveur ou un autre.`
                : `${step} reprendra ${itself} dès qu'un serveur sera libre.`}
            </p>
          ) : null}
          <p>
            {item.status === "discarding"
              ? `${recordedOf(item.rowsCreated, "encore")} Abandonnez l'import de nouveau pour les retirer.`
              : `${item.rowsCreated > 0 ? recordedOf(item.rowsCreated) : "Aucun appel de ce fichier n'a été enregistré."} ${
                  resumable
                    ? `Reprenez l'import : le fichier, toujours sur le serveur, sera lu de nouveau depuis le début, et les appels déjà ${
                        item.rowsCreated > 0 ? "enregistrés" : "connus"
                      } ne seront pas comptés deux fois. Ou abandonnez-le${item.rowsCreated > 0 ? " : les appels déjà enregistrés seront retirés" : ""}.`
                    : `Le fichier n'est plus sur le serveur : abandonnez cet import${
                        item.rowsCreated > 0 ? " (les appels déjà enregistrés seront retirés)" : ""
                      } et envoyez le fichier de nouveau ; les appels déjà connus ne seront pas comptés deux fois.`
                }`}
          </p>
          <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-2w">
            {resumable && item.status !== "discarding" ? (
              <li>
                <form method="post" action={`${base}/resume`}>
                  <CsrfField token={csrf} />
                  <SubmitButton label="Reprendre" />
                </form>
              </li>
            ) : null}
            <li>
              <form method="post" action={`${base}/discard`}>
                <CsrfField token={csrf} />
                <SubmitButton label="Abandonner" secondary />
              </form>
            </li>
          </ul>
        </div>
      ) : null}
      {item.status === "committing" && !interrupted && !queued ? (
        <div class="fr-mb-3w">
          {item.rowsMoved > 0 ? (
            <label for="progress">{`Enregistrement${NBSP}: ${formatPercentValue(recordedPercent)} (${formatNumber(item.rowsMoved)} ${
              item.rowsMoved < 2 ? "ligne traitée" : "lignes traitées"
            } sur ${formatNumber(valid)})`}</label>
          ) : (
            <p>Les appels sont en cours d'enregistrement.</p>
          )}
          {item.rowsMoved > 0 ? (
            <progress id="progress" class="vigie-progress" max="100" value={String(recordedPercent)}>
              {formatPercentValue(recordedPercent)}
            </progress>
          ) : null}
          {refreshNote}
        </div>
      ) : null}
      {item.status === "discarding" && !interrupted && !queued ? (
        <div class="fr-mb-3w">
          <p>{`L'import est en cours d'abandon${NBSP}: ${recordedOf(item.rowsCreated, "encore")} Ils sont retirés, avec les indicateurs qui les comptent.`}</p>
          {refreshNote}
        </div>
      ) : null}
      {queued ? (
        <div class="fr-mb-3w">
          <p>
            {carrier.retry
              ? `Un essai n'a pas abouti${NBSP}: la file des tâches le reprendra d'elle-même dans quelques instants.`
              : `Ce travail attend son tour dans la file des tâches${NBSP}: il commence dès qu'un serveur est libre.`}
          </p>
          {refreshNote}
        </div>
      ) : null}
      {item.status === "reading" && !interrupted && !queued ? (
        <div class="fr-mb-3w">
          <label for="progress">{`Lecture${NBSP}: ${formatPercentValue(percent)} (${plural(item.rowsRead, "ligne lue", "lignes lues")})`}</label>
          <progress id="progress" class="vigie-progress" max="100" value={String(percent)}>
            {formatPercentValue(percent)}
          </progress>
          {refreshNote}
        </div>
      ) : null}
      {item.status === "checked" || item.status === "done" ? (
        <ul>
          <li>{plural(item.rowsRead, "ligne lue", "lignes lues")}</li>
          <li>{plural(item.rowsInvalid, "ligne fautive", "lignes fautives")}</li>
          {item.rowsSkipped ? (
            <li>{`${plural(item.rowsSkipped, "ligne écartée", "lignes écartées")} (appels sortants ou internes, selon les réglages)`}</li>
          ) : null}
          {item.status === "done" ? (
            <li>{`${plural(item.rowsCreated, "appel ajouté", "appels ajoutés")}, ${int(item.rowsDuplicate)} déjà ${item.rowsDuplicate < 2 ? "connu (ignoré)" : "connus (ignorés)"}`}</li>
          ) : null}
        </ul>
      ) : null}
      {item.errors.length ? (
        <TableFrame>
          <table>
            <caption>
              {item.rowsInvalid > item.errors.length
                ? `Les ${item.errors.length} premières lignes fautives (sur ${int(item.rowsInvalid)})`
                : "Lignes fautives"}
            </caption>
            <thead>
              <tr>
                <th scope="col">Ligne</th>
                <th scope="col">Problème</th>
              </tr>
            </thead>
            <tbody>
              {item.errors.map((e) => (
                <tr>
                  <td>{String(e.line)}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : null}
      {item.status === "checked" && !lost ? (
        <div>
          <p>
            {item.rowsCreated > 0
              ? `L'enregistrement s'est arrêté en cours de route${NBSP}: ${recordedOf(item.rowsCreated)} Enregistrez les lignes restantes pour le terminer, ou abandonnez l'import pour retirer les appels déjà enregistrés.`
              : "Rien n'est encore enregistré. Corrigez le fichier et envoyez-le de nouveau, ou enregistrez seulement les lignes valides."}
          </p>
          <ul class="fr-btns-group fr-btns-group--inline-md">
            <li>
              <form method="post" action={`${base}/commit`}>
                <CsrfField token={csrf} />
                <SubmitButton
                  label={
                    item.rowsMoved > 0
                      ? `Enregistrer les ${int(valid - item.rowsMoved)} lignes restantes`
                      : `Enregistrer les ${int(valid)} lignes valides`
                  }
                />
              </form>
            </li>
            <li>
              <form method="post" action={`${base}/discard`}>
                <CsrfField token={csrf} />
                <SubmitButton label="Abandonner cet import" secondary />
              </form>
            </li>
          </ul>
        </div>
      ) : null}
      {item.status === "done" ? (
        <p>
          <a class="fr-link" href={`/organisations/${orgId}/calls`}>
            Voir les indicateurs d'accueil téléphonique
          </a>
        </p>
      ) : null}
      <p>
        <a class="fr-link" href={`/organisations/${orgId}/calls/import`}>
          Retour aux imports
        </a>
      </p>
    </div>
  );
}

export function SettingsPage({
  action,
  csrf,
  form,
  settings,
  rings,
}: {
  action: string;
  csrf: string;
  form: FormState;
  settings: CallSettings;
  rings: { rings: number; from: string };
}): SafeHtml {
  return (
    <div>
      <h1>Réglages de l'accueil téléphonique</h1>
      <ErrorSummary form={form} />
      <Form action={action} csrf={csrf} label="Réglages de l'accueil téléphonique">
        <input type="hidden" name="version" value={String(settings.version)} />
        <TextField
          name="rings"
          label="Nombre de sonneries promis"
          hint={`Laissez vide pour suivre l'engagement en vigueur (aujourd'hui : ${rings.rings} sonneries, ${rings.from}).`}
          inputmode="numeric"
          form={form}
        />
        <TextField
          name="secondsPerRing"
          label="Durée d'une sonnerie, en secondes"
          hint="En France, une sonnerie et son silence durent 5 secondes."
          inputmode="numeric"
          form={form}
          required
        />
        <TextField
          name="inboundContexts"
          label="Contextes des appels entrants (Asterisk)"
          hint="Séparés par des virgules, par exemple from-trunk. Vide : toutes les lignes du fichier sont des appels reçus."
          form={form}
        />
        <SubmitButton label="Enregistrer" />
      </Form>
    </div>
  );
}
