import { Checkbox, CsrfField, ErrorSummary, type FormState, SubmitButton, TextArea, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { frenchWeek } from "./hours.ts";
import type { PublicInfo } from "./opening-hours.service.ts";

const LABELS: Record<string, string> = {
  hours: "Horaires",
  validFrom: "À partir du",
  phone: "Téléphone",
  email: "Courriel",
  website: "Site internet",
  record: "Fiche de l'Annuaire",
};

/** The form values of the information as saved. */
export function infoValues(p: PublicInfo): Record<string, string | undefined> {
  return {
    hours: p.upcoming?.hours ?? p.current?.hours ?? "",
    note: p.current?.note ?? "",
    accessibility: p.info.accessibility ?? "",
    stepFree: p.info.stepFree === null ? "" : p.info.stepFree ? "yes" : "no",
    phone: p.info.phone ?? "",
    email: p.info.email ?? "",
    website: p.info.website ?? "",
    closesDeadlines: p.info.closesDeadlines ? "true" : "",
    version: String(p.info.version),
  };
}

export function PublicInfoView(props: {
  orgId: string;
  orgName: string;
  info: PublicInfo;
  form: FormState;
  importForm: FormState;
  csrf: string;
}): SafeHtml {
  const { info, form } = props;
  const base = `/organisations/${props.orgId}/public-info`;
  return (
    <div>
      <h1>{`Horaires et accès — ${props.orgName}`}</h1>
      <p>
        Ces informations sont publiées sur <a href={`/public/organisations/${props.orgId}/results`}>la page publique des résultats</a>, dans
        l'API et au format schema.org. Un changement d'horaires y est annoncé avec sa date.
      </p>
      {info.week ? (
        <TableFrame>
          <table>
            <caption>{`Horaires en vigueur${info.current ? ` depuis le ${info.current.validFrom}` : ""}`}</caption>
            <thead>
              <tr>
                <th scope="col">Jour</th>
                <th scope="col">Ouverture</th>
              </tr>
            </thead>
            <tbody>
              {frenchWeek(info.week).map((d) => (
                <tr>
                  <th scope="row">{d.day}</th>
                  <td>{d.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : (
        <p>Aucun horaire n'est encore enregistré.</p>
      )}
      {info.upcoming ? <p>{`Changement annoncé à partir du ${info.upcoming.validFrom} : ${info.upcoming.hours}`}</p> : null}
      <ErrorSummary form={form} labels={LABELS} />
      <form method="post" action={base} novalidate aria-label="Horaires, accessibilité et contacts">
        <CsrfField token={props.csrf} />
        <input type="hidden" name="version" value={form.values.version ?? "0"} />
        <TextArea
          name="hours"
          label="Horaires d'ouverture"
          hint="Syntaxe OpenStreetMap : jours en anglais abrégés, heures sur 24 h. Exemple : Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off"
          rows={3}
          form={form}
        />
        <TextField
          name="validFrom"
          type="date"
          label="À partir du"
          hint="Laissez vide pour aujourd'hui ; une date future annonce le changement."
          form={form}
        />
        <TextField name="note" label="Précision sur les horaires (facultatif)" form={form} maxlength={500} />
        <fieldset class="fr-fieldset" aria-labelledby="stepFree-legend">
          <legend class="fr-fieldset__legend" id="stepFree-legend">
            Locaux accessibles en fauteuil roulant
          </legend>
          {[
            ["yes", "Oui"],
            ["no", "Non"],
            ["", "Non renseigné"],
          ].map(([value, label]) => (
            <div class="fr-fieldset__element">
              <div class="fr-radio-group">
                <input
                  type="radio"
                  id={`stepFree-${value || "unknown"}`}
                  name="stepFree"
                  value={value}
                  checked={(form.values.stepFree ?? "") === value}
                />
                <label class="fr-label" for={`stepFree-${value || "unknown"}`}>
                  {label}
                </label>
              </div>
            </div>
          ))}
        </fieldset>
        <TextArea name="accessibility" label="Accessibilité des locaux (facultatif)" rows={3} form={form} maxlength={1000} />
        <TextField name="phone" label="Téléphone" type="tel" form={form} autocomplete="off" />
        <TextField name="email" label="Courriel" type="email" form={form} autocomplete="off" />
        <TextField name="website" label="Site internet" type="url" form={form} autocomplete="off" />
        <Checkbox
          name="closesDeadlines"
          label="Les jours sans aucune ouverture ne comptent pas dans les délais"
          hint="Cochez si le service ne travaille pas ces jours-là : les échéances des nouvelles demandes en tiennent compte."
          checked={form.values.closesDeadlines === "true"}
        />
        <SubmitButton label="Enregistrer" />
      </form>
      <h2 class="fr-mt-6w">Importer depuis l'Annuaire de l'administration</h2>
      <p>
        Collez la fiche JSON du lieu telle que la renvoie l'API de l'Annuaire (api-lannuaire.service-public.fr) : ses plages d'ouverture,
        ses contacts et son accessibilité sont repris.
      </p>
      <ErrorSummary form={props.importForm} labels={LABELS} />
      <form method="post" action={`${base}/annuaire`} novalidate aria-label="Import depuis l'Annuaire">
        <CsrfField token={props.csrf} />
        <input type="hidden" name="version" value={String(info.info.version)} />
        <TextArea name="record" label="Fiche de l'Annuaire (JSON)" rows={6} form={props.importForm} />
        <TextField name="validFrom" type="date" label="Horaires applicables à partir du" form={props.importForm} />
        <SubmitButton label="Importer la fiche" secondary />
      </form>
      {info.history.length > 1 ? (
        <TableFrame>
          <table>
            <caption>Historique des horaires</caption>
            <thead>
              <tr>
                <th scope="col">À partir du</th>
                <th scope="col">Horaires</th>
              </tr>
            </thead>
            <tbody>
              {info.history.map((h) => (
                <tr>
                  <td>{h.validFrom}</td>
                  <td>{h.hours}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      ) : null}
    </div>
  );
}
