import type { FieldErrors } from "../../../kernel/errors.ts";
import { MAX_FILE_BYTES } from "../../../kernel/uploads/multipart.ts";
import { formatNumber, plural as formatPlural, NBSP } from "../../../ui/format.ts";
import { CsrfField, ErrorSummary, type FormState, formatDateTime, SelectField, SubmitButton, UploadField } from "../../../ui/forms.tsx";
import type { SafeHtml } from "../../../ui/jsx/jsx-runtime.ts";
import { RefreshNote } from "../../../ui/refresh.tsx";
import { TableFrame } from "../../../ui/table.tsx";
import { CHANNEL_LABELS, CHANNELS, REQUEST_KIND_LABELS, REQUEST_KINDS } from "../../frameworks/channels.ts";
import { formatDate } from "../requests.views.tsx";
import { constName, mapName } from "./import.schema.ts";
import type { ImportReport, QueuedImport, QueuedImportReport } from "./import.service.ts";
import { type ColumnMapping, type Constants, columnLabel, FIELD_LABELS, IMPORT_FIELDS, REQUIRED_FIELDS } from "./mapping.ts";
import { MAX_ROWS, type Sheet } from "./sheet.ts";

const plural = (n: number, one: string, many: string) => formatPlural(n, one, many);

export function UploadForm({ action, csrf, error }: { action: string; csrf: string; error?: string | undefined }): SafeHtml {
  return (
    <div class="fr-col-12 fr-col-md-8">
      <h1>Importer un registre de demandes</h1>
      <p>
        Reprenez dans Vigie le registre que le service tient dans un tableur : chaque ligne devient une demande, avec son échéance calculée
        selon les délais annoncés par l'organisation.
      </p>
      <ul>
        <li>Un fichier CSV (séparateur point-virgule ou virgule) ou un classeur Excel .xlsx (sa première feuille).</li>
        <li>La première ligne donne le titre des colonnes : vous direz à l'étape suivante ce que contient chacune.</li>
        <li>Les dates peuvent être écrites 30/04/2027 ou 2027-04-30.</li>
        <li>{`${formatNumber(MAX_ROWS)} lignes et ${MAX_FILE_BYTES / 1024 / 1024} Mo au plus.`}</li>
        <li>Rien n'est enregistré avant votre confirmation, et un fichier importé deux fois ne crée pas de doublon.</li>
      </ul>
      {error ? (
        <div class="fr-alert fr-alert--error fr-mb-3w" role="alert" id="error-summary">
          <h2 class="fr-alert__title">Le fichier n'a pas pu être lu</h2>
          <p>{error}</p>
        </div>
      ) : null}
      <form method="post" action={action} enctype="multipart/form-data" novalidate>
        <CsrfField token={csrf} />
        <UploadField
          label="Fichier du registre"
          hint="Formats acceptés : .csv, .xlsx. Taille maximale : 10 Mo."
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          error={error}
        />
        <button class="fr-btn" type="submit">
          Lire le fichier
        </button>
      </form>
    </div>
  );
}

/** The choices made so far, carried as hidden fields by the forms of the next step. */
function CarriedChoices({ payload, mapping, constants }: { payload: string; mapping: ColumnMapping; constants: Constants }): SafeHtml {
  return (
    <>
      <input type="hidden" name="payload" value={payload} />
      {IMPORT_FIELDS.map((f) => (
        <>
          <input type="hidden" name={mapName(f)} value={mapping[f] === undefined ? "" : String(mapping[f])} />
          <input type="hidden" name={constName(f)} value={constants[f] ?? ""} />
        </>
      ))}
    </>
  );
}

function SampleTable({ sheet }: { sheet: Sheet }): SafeHtml {
  const sample = sheet.rows.slice(0, 3);
  return (
    <TableFrame>
      <table>
        <caption>Les premières lignes du fichier</caption>
        <thead>
          <tr>
            <th scope="col">Ligne</th>
            {sheet.columns.map((_, i) => (
              <th scope="col">{columnLabel(sheet.columns, i)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sample.map((row) => (
            <tr>
              <td>{String(row.line)}</td>
              {row.cells.map((c) => (
                <td>{c.length > 80 ? `${c.slice(0, 77)}…` : c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

export interface MappingProps {
  action: string;
  csrf: string;
  fileName: string;
  sheet: Sheet;
  payload: string;
  mapping: ColumnMapping;
  constants: Constants;
  errors: FieldErrors;
}

export function MappingForm(p: MappingProps): SafeHtml {
  const values: Record<string, string | undefined> = {};
  for (const f of IMPORT_FIELDS) {
    values[mapName(f)] = p.mapping[f] === undefined ? "" : String(p.mapping[f]);
    values[constName(f)] = p.constants[f] ?? "";
  }
  const errors: FieldErrors = {};
  for (const [field, message] of Object.entries(p.errors)) errors[mapName(field)] = message;
  const form: FormState = { values, errors };
  const columns = p.sheet.columns.map((_, i) => ({ value: String(i), label: columnLabel(p.sheet.columns, i) }));
  const fallback = (field: "kind" | "channel") => (
    <SelectField
      name={constName(field)}
      label={`${FIELD_LABELS[field]} pour tout le fichier`}
      hint="Utilisé quand la colonne n'existe pas ou que la case est vide."
      placeholder="Aucun"
      form={form}
      options={
        field === "kind"
          ? REQUEST_KINDS.map((k) => ({ value: k, label: REQUEST_KIND_LABELS[k] }))
          : CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))
      }
    />
  );
  return (
    <div>
      <h1>Correspondance des colonnes</h1>
      <p class="fr-text--lead">{`« ${p.fileName} » : ${plural(p.sheet.rows.length, "ligne", "lignes")} à importer, ${plural(p.sheet.columns.length, "colonne", "colonnes")}.`}</p>
      <p>
        Pour chaque information de Vigie, choisissez la colonne du fichier qui la contient. Une première proposition a été faite d'après le
        titre des colonnes : vérifiez-la. Les types et canaux peuvent être écrits en toutes lettres (« réclamation », « courriel »…).
      </p>
      <SampleTable sheet={p.sheet} />
      <ErrorSummary form={form} labels={Object.fromEntries(IMPORT_FIELDS.map((f) => [mapName(f), FIELD_LABELS[f]]))} />
      <form method="post" action={p.action} novalidate>
        <CsrfField token={p.csrf} />
        <input type="hidden" name="payload" value={p.payload} />
        <div class="fr-grid-row fr-grid-row--gutters">
          {IMPORT_FIELDS.map((field) => (
            <div class="fr-col-12 fr-col-md-6">
              <SelectField
                name={mapName(field)}
                label={FIELD_LABELS[field]}
                required={REQUIRED_FIELDS.includes(field) && field !== "kind" && field !== "channel"}
                placeholder="— Absent du fichier —"
                form={form}
                options={columns}
              />
              {field === "kind" || field === "channel" ? fallback(field) : null}
            </div>
          ))}
        </div>
        <button class="fr-btn" type="submit">
          Vérifier le fichier
        </button>
      </form>
    </div>
  );
}

function ErrorsTable({ report }: { report: Pick<ImportReport, "invalid"> }): SafeHtml {
  return (
    <TableFrame>
      <table>
        <caption>{`Lignes à corriger : ${report.invalid.length}`}</caption>
        <thead>
          <tr>
            <th scope="col">Ligne</th>
            <th scope="col">Ce qui ne va pas</th>
          </tr>
        </thead>
        <tbody>
          {report.invalid.map((row) => (
            <tr>
              <td>{String(row.line)}</td>
              <td>
                <ul class="fr-mb-0">
                  {IMPORT_FIELDS.filter((f) => row.errors[f]).map((f) => (
                    <li>{`${FIELD_LABELS[f]} : ${row.errors[f] ?? ""}`}</li>
                  ))}
                  {Object.entries(row.errors)
                    .filter(([k]) => !(IMPORT_FIELDS as readonly string[]).includes(k))
                    .map(([, message]) => (
                      <li>{message}</li>
                    ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

function DuplicatesTable({ report }: { report: ImportReport }): SafeHtml {
  return (
    <TableFrame>
      <table>
        <caption>{`Lignes déjà importées, qui seront ignorées : ${report.duplicates.length}`}</caption>
        <thead>
          <tr>
            <th scope="col">Ligne</th>
            <th scope="col">État</th>
          </tr>
        </thead>
        <tbody>
          {report.duplicates.map((d) => (
            <tr>
              <td>{String(d.line)}</td>
              <td>{`déjà importée (demande n° ${d.number})`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

const SHOWN_GOOD_ROWS = 20;

function GoodRowsTable({ report }: { report: ImportReport }): SafeHtml {
  const shown = report.fresh.slice(0, SHOWN_GOOD_ROWS);
  return (
    <TableFrame>
      <table>
        <caption>
          {report.fresh.length > shown.length
            ? `Les ${shown.length} premières des ${report.fresh.length} demandes à enregistrer`
            : `Demandes à enregistrer : ${report.fresh.length}`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Ligne</th>
            <th scope="col">Type</th>
            <th scope="col">Canal</th>
            <th scope="col">Reçue le</th>
            <th scope="col">Objet</th>
            <th scope="col">Usager</th>
          </tr>
        </thead>
        <tbody>
          {shown.map(({ line, input }) => (
            <tr>
              <td>{String(line)}</td>
              <td>{REQUEST_KIND_LABELS[input.kind]}</td>
              <td>{CHANNEL_LABELS[input.channel]}</td>
              <td>{formatDate(input.receivedOn)}</td>
              <td>{input.subject}</td>
              <td>{input.requesterName ?? input.requesterEmail ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

export interface PreviewProps {
  base: string;
  csrf: string;
  fileName: string;
  payload: string;
  mapping: ColumnMapping;
  constants: Constants;
  report: ImportReport;
}

export function PreviewPage(p: PreviewProps): SafeHtml {
  const { report } = p;
  const valid = report.fresh.length + report.duplicates.length;
  return (
    <div>
      <h1>Vérification du fichier</h1>
      <p class="fr-text--lead">{`« ${p.fileName} » : ${plural(report.rowCount, "ligne lue", "lignes lues")}.`}</p>
      <ul>
        <li>{plural(valid, "ligne correcte", "lignes correctes")}</li>
        <li>{plural(report.invalid.length, "ligne à corriger", "lignes à corriger")}</li>
        <li>{plural(report.duplicates.length, "ligne déjà importée", "lignes déjà importées")}</li>
      </ul>
      {report.invalid.length > 0 ? (
        <div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
          <h2 class="fr-alert__title">{`${plural(report.invalid.length, "ligne est", "lignes sont")} à corriger : rien n'a été importé`}</h2>
          <p>Corrigez le fichier dans votre tableur, puis déposez-le de nouveau. Le numéro de ligne est celui du tableur.</p>
        </div>
      ) : report.fresh.length === 0 ? (
        <div class="fr-alert fr-alert--info fr-mb-3w" role="status">
          <h2 class="fr-alert__title">Rien de nouveau à importer</h2>
          <p>Toutes les lignes du fichier sont déjà enregistrées dans Vigie.</p>
        </div>
      ) : (
        <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
          <h2 class="fr-alert__title">Le fichier est prêt</h2>
          <p>{`${plural(report.fresh.length, "demande sera enregistrée", "demandes seront enregistrées")} en une fois ; rien n'est encore écrit.`}</p>
        </div>
      )}
      {report.invalid.length > 0 ? <ErrorsTable report={report} /> : null}
      {report.duplicates.length > 0 ? <DuplicatesTable report={report} /> : null}
      {report.fresh.length > 0 ? <GoodRowsTable report={report} /> : null}
      <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-3w">
        {report.invalid.length === 0 && report.fresh.length > 0 ? (
          <li>
            <form method="post" action={`${p.base}/commit`}>
              <CsrfField token={p.csrf} />
              <CarriedChoices payload={p.payload} mapping={p.mapping} constants={p.constants} />
              <button class="fr-btn" type="submit">
                {`Importer ${plural(report.fresh.length, "demande", "demandes")}`}
              </button>
            </form>
          </li>
        ) : null}
        <li>
          <form method="post" action={`${p.base}/mapping`}>
            <CsrfField token={p.csrf} />
            <CarriedChoices payload={p.payload} mapping={p.mapping} constants={p.constants} />
            <button class="fr-btn fr-btn--secondary" type="submit">
              Modifier la correspondance des colonnes
            </button>
          </form>
        </li>
        <li>
          <a class="fr-btn fr-btn--tertiary" href={p.base}>
            Déposer un autre fichier
          </a>
        </li>
      </ul>
    </div>
  );
}

const STATUS_LABELS: Record<QueuedImport["status"], string> = {
  queued: "en file",
  running: "en cours",
  done: "terminé",
  failed: "échec",
};

/** « n° 2027-000004 » or « n° 2027-000004 à 2027-000012 »: the receipt numbers an import took. */
function numbersOf(created: QueuedImportReport["created"]): string {
  const numbers = created.map((c) => c.number).sort();
  const first = numbers[0] ?? "";
  const last = numbers.at(-1) ?? "";
  return first === last ? `n°${NBSP}${first}` : `n°${NBSP}${first} à ${last}`;
}

/** What happens while the import is queued or running, and the link that stops the page's reloads. */
function ImportProgress({ item, auto, self }: { item: QueuedImport; auto: boolean; self: string }): SafeHtml {
  const rows = plural(item.rowCount, "ligne", "lignes");
  return (
    <div class="fr-mb-3w">
      <p>
        {item.status === "queued"
          ? `L'import attend son tour${NBSP}: aucune demande de ce fichier n'est encore enregistrée.`
          : item.rowsValid === null
            ? `En cours${NBSP}: vérification des ${rows} du fichier.`
            : `En cours${NBSP}: enregistrement de ${plural(item.rowsValid, "ligne", "lignes")} sur ${formatNumber(item.rowCount)}, toutes ensemble${NBSP}: aucune demande n'est enregistrée avant la fin.`}
      </p>
      {item.message ? (
        <div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w">
          <p>{item.message}</p>
        </div>
      ) : null}
      <RefreshNote url={self} auto={auto} />
    </div>
  );
}

const SHOWN_CREATED = 20;

function ImportReportView({ orgId, report }: { orgId: string; report: QueuedImportReport }): SafeHtml {
  const { created, duplicates } = report;
  const shown = created.slice(0, SHOWN_CREATED);
  return (
    <div>
      <div class={`fr-alert ${created.length > 0 ? "fr-alert--success" : "fr-alert--info"} fr-mb-3w`} role="status">
        <h2 class="fr-alert__title">
          {created.length > 0
            ? `${plural(created.length, "demande enregistrée", "demandes enregistrées")} (${numbersOf(created)})`
            : "Aucune demande nouvelle"}
        </h2>
        <p>
          {duplicates.length > 0
            ? `${plural(duplicates.length, "ligne était déjà importée", "lignes étaient déjà importées")}${NBSP}: ${duplicates.length < 2 ? "elle a été ignorée" : "elles ont été ignorées"}.`
            : "Aucune ligne n'était déjà importée."}
        </p>
      </div>
      {created.length > 0 ? (
        <TableFrame>
          <table>
            <caption>
              {created.length > shown.length
                ? `Les ${shown.length} premières des ${formatNumber(created.length)} demandes enregistrées`
                : "Demandes enregistrées"}
            </caption>
            <thead>
              <tr>
                <th scope="col">Ligne</th>
                <th scope="col">Demande</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => (
                <tr>
                  <td>{String(c.line)}</td>
                  <td>
                    <a href={`/organisations/${orgId}/requests/${c.id}`}>{`n°${NBSP}${c.number}`}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : null}
      {duplicates.length > 0 ? (
        <TableFrame>
          <table>
            <caption>Lignes déjà importées, ignorées</caption>
            <thead>
              <tr>
                <th scope="col">Ligne</th>
                <th scope="col">État</th>
              </tr>
            </thead>
            <tbody>
              {duplicates.map((d) => (
                <tr>
                  <td>{String(d.line)}</td>
                  <td>{`déjà importée (demande n°${NBSP}${d.number})`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : null}
    </div>
  );
}

export interface ImportStatusProps {
  orgId: string;
  item: QueuedImport;
  csrf: string;
  /** The page reloads itself (Refresh header) while the import is queued or running. */
  auto: boolean;
}

/** A committed import: queued, running, its report, or its failure with the button that drops it. */
export function ImportStatusPage({ orgId, item, csrf, auto }: ImportStatusProps): SafeHtml {
  const self = `/organisations/${orgId}/requests/imports/${item.id}`;
  return (
    <div>
      <h1>{`Import de « ${item.fileName} »`}</h1>
      <p>{`État${NBSP}: ${STATUS_LABELS[item.status]}. ${plural(item.rowCount, "ligne", "lignes")}, envoyé par ${item.createdByLabel} le ${formatDateTime(item.createdAt)}.`}</p>
      {item.status === "queued" || item.status === "running" ? <ImportProgress item={item} auto={auto} self={self} /> : null}
      {item.status === "done" && item.report ? <ImportReportView orgId={orgId} report={item.report} /> : null}
      {item.status === "failed" ? (
        <div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
          <h2 class="fr-alert__title">L'import a échoué</h2>
          <p>{item.message ?? "Aucune demande de ce fichier n'a été enregistrée."}</p>
          <form method="post" action={`${self}/discard`} class="fr-mt-2w">
            <CsrfField token={csrf} />
            <SubmitButton label="Abandonner cet import" secondary />
          </form>
        </div>
      ) : null}
      {item.status === "failed" && item.report && item.report.invalid.length > 0 ? (
        <ErrorsTable report={{ invalid: item.report.invalid }} />
      ) : null}
      <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-3w">
        <li>
          <a class="fr-btn fr-btn--secondary" href={`/organisations/${orgId}/requests`}>
            Voir les demandes
          </a>
        </li>
        <li>
          <a class="fr-btn fr-btn--tertiary" href={`/organisations/${orgId}/requests/import`}>
            Importer un autre registre
          </a>
        </li>
      </ul>
    </div>
  );
}
