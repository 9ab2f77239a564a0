import { formatDate, NBSP } from "../../ui/format.ts";
import { ErrorSummary, Form, type FormState, SelectField, SubmitButton, TextArea, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import type { Organisation } from "../organisations/organisations.service.ts";
import { FINDING_KINDS, KIND_LABELS, LABEL_LEVELS, LEVEL_LABELS } from "./label.schema.ts";
import type { ChecklistItem, EvidenceState, Finding, LabelFile } from "./label.service.ts";

const STATE: Record<EvidenceState, { label: string; badge: string }> = {
  present: { label: "Présent", badge: "success" },
  missing: { label: "Manquant", badge: "error" },
  out_of_date: { label: "À mettre à jour", badge: "warning" },
};

const date = (d: string | null) => (d ? formatDate(d, { year: true }) : "non renseignée");

/**
 * The label file of an organisation: what the correspondent records of the candidacy and the audit,
 * the findings as actions of the plan, and the checklist of the evidence the audit will ask for.
 */
export function LabelPage(props: {
  org: Organisation;
  file: LabelFile;
  findings: Finding[];
  checklist: ChecklistItem[];
  canEdit: boolean;
  form: FormState;
  csrf: string;
}): SafeHtml {
  const { org, file, findings, checklist, canEdit, form, csrf } = props;
  const base = `/organisations/${org.id}/label`;
  return (
    <div>
      <h1>Dossier de label Services Publics + — {org.name}</h1>
      <ErrorSummary form={form} />
      <h2>Label</h2>
      <dl>
        <dt>Candidature</dt>
        <dd>{date(file.candidacyOn)}</dd>
        <dt>Audit</dt>
        <dd>
          {date(file.auditOn)}
          {file.body ? `, par ${file.body}` : ""}
        </dd>
        <dt>Niveau</dt>
        <dd>{file.level ? LEVEL_LABELS[file.level as keyof typeof LEVEL_LABELS] : "non attribué"}</dd>
        <dt>Validité</dt>
        <dd>
          {file.certifiedOn && file.validUntil
            ? `du ${formatDate(file.certifiedOn, { year: true })} au ${formatDate(file.validUntil, { year: true })} (3 ans)`
            : "pas de label attribué"}
        </dd>
        <dt>Audit de suivi</dt>
        <dd>{date(file.followUpOn)}</dd>
      </dl>

      <h2>Ce que l'audit demande</h2>
      <TableFrame>
        <table>
          <caption>Pièces attendues par l'audit et ce que Vigie en contient</caption>
          <thead>
            <tr>
              <th scope="col">Pièce</th>
              <th scope="col">État</th>
              <th scope="col">Dans Vigie</th>
            </tr>
          </thead>
          <tbody>
            {checklist.map((c) => (
              <tr id={`check-${c.key}`}>
                <td>
                  <a href={c.href}>{c.label}</a>
                </td>
                <td>
                  <span class={`fr-badge fr-badge--sm fr-badge--${STATE[c.state].badge}`}>{STATE[c.state].label}</span>
                </td>
                <td>
                  {c.detail}
                  {c.createFrom && canEdit ? (
                    // The surveys module's own creation form: the survey is made there, from the label's template.
                    <Form action={`/organisations/${org.id}/surveys`} csrf={csrf} label={`Créer l'enquête depuis le modèle — ${c.label}`}>
                      <input type="hidden" name="template" value={c.createFrom} />
                      <button type="submit" class="fr-btn fr-btn--sm fr-btn--secondary fr-mt-1w">
                        Créer l'enquête depuis le modèle
                      </button>
                    </Form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>

      <h2>Constats de l'audit</h2>
      {findings.length ? (
        <ul id="findings">
          {findings.map((f) => (
            <li>
              {`${KIND_LABELS[f.kind]}${NBSP}: ${f.text} — échéance ${formatDate(f.dueOn, { year: true })}`}
              {f.action ? (
                <>
                  {" — "}
                  <a href={`/organisations/${org.id}/actions/${f.action.id}`}>{`action n°${NBSP}${f.action.number}`}</a>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p>Aucun constat enregistré.</p>
      )}

      {canEdit ? (
        <>
          <h2>Enregistrer un constat</h2>
          <p class="fr-hint-text">Chaque constat devient une action du plan, avec son échéance.</p>
          <Form action={`${base}/findings`} csrf={csrf} label="Enregistrer un constat">
            <SelectField
              name="kind"
              label="Nature"
              required
              form={form}
              placeholder="Choisir"
              options={FINDING_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
            />
            <TextArea name="text" label="Constat" required rows={3} maxlength={1000} form={form} />
            <TextField name="dueOn" type="date" label="Échéance" required form={form} />
            <SubmitButton label="Enregistrer le constat" />
          </Form>

          <h2>Modifier le dossier</h2>
          <Form action={base} csrf={csrf} label="Modifier le dossier de label">
            <TextField name="candidacyOn" type="date" label="Date de candidature" form={form} />
            <TextField name="auditOn" type="date" label="Date de l'audit" form={form} />
            <TextField name="body" label="Organisme certificateur" maxlength={200} form={form} />
            <SelectField
              name="level"
              label="Niveau attribué"
              form={form}
              placeholder="Aucun"
              options={LABEL_LEVELS.map((l) => ({ value: l, label: LEVEL_LABELS[l] }))}
            />
            <TextField
              name="certifiedOn"
              type="date"
              label="Date d'attribution"
              hint="Le label vaut 3 ans à partir de cette date."
              form={form}
            />
            <TextField name="followUpOn" type="date" label="Date de l'audit de suivi" form={form} />
            <SubmitButton label="Enregistrer le dossier" />
          </Form>
        </>
      ) : null}
    </div>
  );
}
