import { type FormState, SelectField, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { CHANNEL_LABELS } from "../frameworks/channels.ts";
import type { FrameworkSummary } from "../frameworks/frameworks.service.ts";
import { commitmentHref, FrameworkSelect } from "../frameworks/frameworks.views.tsx";
import type { LeverChannel } from "../frameworks/reference-data.ts";
import { LEVER_CHANNELS } from "../frameworks/reference-data.ts";
import type { Lever } from "./levers.service.ts";

export const LEVER_CHANNEL_LABELS: Record<LeverChannel, string> = { ...CHANNEL_LABELS, all: "Tous canaux" };

export function LeverBank({
  levers,
  form,
  frameworks,
  commitments,
  categories,
  total,
}: {
  levers: Lever[];
  form: FormState;
  frameworks: FrameworkSummary[];
  commitments: Array<{ id: string; number: number; title: string }>;
  categories: string[];
  total: number;
}): SafeHtml {
  return (
    <div>
      <h1>Banque de leviers</h1>
      <p>
        {`${total} actions d'amélioration, tirées du kit de déploiement « Amélioration de l'accueil » de l'État, classées par engagement Marianne 2008, canal et type de levier, et rattachées aux engagements Marianne 2016 et Services Publics+.`}
      </p>
      <form method="get" action="/levers" class="fr-mb-4w">
        <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div class="fr-col-12 fr-col-md-4">
            <TextField name="q" label="Mots" hint="Les accents sont facultatifs : « equipe » trouve « équipe »." form={form} />
          </div>
          <div class="fr-col-12 fr-col-md-4">
            <FrameworkSelect form={form} frameworks={frameworks} />
          </div>
          <div class="fr-col-12 fr-col-md-4">
            <SelectField
              name="commitment"
              label="Engagement"
              hint="Choisissez d'abord un référentiel, puis filtrez."
              form={form}
              placeholder="Tous"
              options={commitments.map((c) => ({ value: c.id, label: `${c.number}. ${c.title}`.slice(0, 90) }))}
            />
          </div>
          <div class="fr-col-12 fr-col-md-4">
            <SelectField
              name="channel"
              label="Canal"
              form={form}
              placeholder="Tous"
              options={LEVER_CHANNELS.map((c) => ({ value: c, label: LEVER_CHANNEL_LABELS[c] }))}
            />
          </div>
          <div class="fr-col-12 fr-col-md-4">
            <SelectField
              name="category"
              label="Type de levier"
              form={form}
              placeholder="Tous"
              options={categories.map((c) => ({ value: c, label: c }))}
            />
          </div>
          <div class="fr-col-12 fr-col-md-4">
            <button class="fr-btn" type="submit">
              Filtrer
            </button>
          </div>
        </div>
      </form>
      <h2>{`${levers.length} action${levers.length > 1 ? "s" : ""}`}</h2>
      <TableFrame>
        <table>
          <caption>Actions de la banque de leviers</caption>
          <thead>
            <tr>
              <th scope="col">Action</th>
              <th scope="col">Canal</th>
              <th scope="col">Type de levier</th>
              <th scope="col">Engagements</th>
            </tr>
          </thead>
          <tbody>
            {levers.map((l) => (
              <tr id={l.id}>
                <td>{l.text}</td>
                <td>{LEVER_CHANNEL_LABELS[l.channel]}</td>
                <td>{l.category}</td>
                <td>{l.commitments.map((c, i) => [i ? ", " : "", <a href={commitmentHref(c)}>{c}</a>])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
    </div>
  );
}
