import { formatNumber, NBSP, pluralWord } from "../../ui/format.ts";
import { CsrfField, ErrorSummary, type FormState, SelectField, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import type { Organisation } from "../organisations/organisation.ts";
import { DEFAULT_ESCALATION_DAYS, type EscalationSettings } from "./escalation.service.ts";

const days = (n: number) => `${formatNumber(n)}${NBSP}${pluralWord(n, "jour ouvré", "jours ouvrés")}`;

/** The rules of escalation of a site: after how long, and to whom in each of its services. */
export function EscalationPage({
  org,
  settings,
  form,
  csrf,
}: {
  org: Organisation;
  settings: EscalationSettings;
  form: FormState;
  csrf: string;
}): SafeHtml {
  const inherited = settings.inheritedFrom
    ? `Laissé vide, le délai de ${settings.inheritedFrom.name} s'applique.`
    : `Laissé vide, ${days(DEFAULT_ESCALATION_DAYS)} s'appliquent.`;
  const people = settings.candidates.map((c) => ({ value: c.id, label: `${c.displayName} (${c.email})` }));
  return (
    <div>
      <h1>{`Demandes en retard — ${org.name}`}</h1>
      <p>
        {`Chaque matin, une demande encore ouverte ${days(settings.effective)} après son échéance est transmise au référent de son service ; `}
        {`${days(settings.effective)} plus tard, au correspondant du site (le rôle « Correspondant réseau » sur le site, ou sur le nœud le plus proche au-dessus). `}
        Chaque transmission est écrite dans l'historique de la demande et la personne est prévenue par courriel.
      </p>
      <ErrorSummary form={form} />
      <form method="post" action={`/organisations/${org.id}/escalation`} novalidate>
        <CsrfField token={csrf} />
        <TextField
          name="workingDays"
          label="Délai avant transmission (jours ouvrés après l'échéance)"
          hint={`Un nombre entier de 1 à 60. ${inherited}`}
          type="number"
          form={form}
        />
        <h2 class="fr-h4">Référents</h2>
        <p class="fr-hint-text">
          Le référent d'un service reçoit ses demandes en retard ; celui du site reçoit celles qui ne sont confiées à aucun service. Sans
          référent, la demande attend l'étape du correspondant.
        </p>
        {settings.units.map((u) => (
          <SelectField
            name={`referent_${u.id}`}
            label={u.id === org.id ? `${u.name} (le site lui-même)` : u.name}
            placeholder="Aucun référent"
            options={people}
            form={form}
          />
        ))}
        <button class="fr-btn" type="submit">
          Enregistrer
        </button>
      </form>
    </div>
  );
}
