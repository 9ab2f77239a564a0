import { formatDelay, plural } from "../../ui/format.ts";
import { CsrfField, ErrorSummary, type FormState } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { CHANNEL_LABELS, CHANNELS, REQUEST_KIND_LABELS, REQUEST_KINDS } from "../frameworks/channels.ts";
import type { Organisation } from "../organisations/organisations.service.ts";
import { type AnnouncedDelay, cellKey, DELAY_UNIT_LABELS, DELAY_UNITS, type DelaySource } from "./announced-delays.ts";

function sourceText(source: DelaySource): string {
  switch (source.kind) {
    case "own":
      return "fixé ici";
    case "parent":
      return `hérité de ${source.orgName}`;
    case "framework":
      return `texte du référentiel (engagement ${source.commitmentId.split("/")[1] ?? source.commitmentId})`;
    case "none":
      return "aucun délai annoncé";
  }
}

/** A delay as it reads in the table: « 15 jours ouvrés », or a warning when none applies. */
export function DelayCell({ delay }: { delay: AnnouncedDelay }): SafeHtml {
  return delay.delay ? (
    <span>{formatDelay(delay.delay.value, delay.delay.unit)}</span>
  ) : (
    <span class="fr-badge fr-badge--warning fr-badge--sm">Aucun délai annoncé</span>
  );
}

/**
 * The whole table at once: each channel a fieldset, each kind of request a line with its value and
 * unit; an empty value means « inherit ». Usable without JavaScript and on a phone (one column).
 */
export function AnnouncedDelaysPage({
  org,
  delays,
  inherited,
  canEdit,
  form,
  csrf,
}: {
  org: Organisation;
  delays: AnnouncedDelay[];
  /** What each cell would be without the organisation's own value. */
  inherited: AnnouncedDelay[];
  canEdit: boolean;
  form: FormState;
  csrf: string;
}): SafeHtml {
  const byKey = new Map(delays.map((d) => [cellKey(d.channel, d.kind), d]));
  const inheritedByKey = new Map(inherited.map((d) => [cellKey(d.channel, d.kind), d]));
  const empty = delays.filter((d) => !d.delay).length;
  const value = (key: string, fallback: string) => form.values[`value-${key}`] ?? fallback;
  return (
    <div>
      <h1>Délais de réponse annoncés — {org.name}</h1>
      <p>
        Le délai annoncé au public pour chaque canal et chaque type de demande fixe l'échéance de chaque demande enregistrée. Une case vide
        reprend le délai de l'organisation de rattachement, sinon celui du texte du référentiel adopté. Un changement vaut pour les demandes
        reçues ensuite : les échéances déjà calculées ne bougent pas.
      </p>
      {empty ? (
        <div class="fr-alert fr-alert--warning fr-mb-3w">
          <h2 class="fr-alert__title">{`${plural(empty, "case")} sans délai annoncé`}</h2>
          <p>
            Services Publics+ demande à chaque service d'annoncer ses propres délais. Les demandes reçues sur ces canaux n'ont pas
            d'échéance et ne comptent pas dans la part traitée dans les délais.
          </p>
        </div>
      ) : null}
      <TableFrame>
        <table>
          <caption>Délais en vigueur</caption>
          <thead>
            <tr>
              <th scope="col">Canal</th>
              {REQUEST_KINDS.map((k) => (
                <th scope="col">{REQUEST_KIND_LABELS[k]}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {CHANNELS.map((ch) => (
              <tr>
                <th scope="row">{CHANNEL_LABELS[ch]}</th>
                {REQUEST_KINDS.map((k) => {
                  const d = byKey.get(cellKey(ch, k));
                  return d ? (
                    <td>
                      <DelayCell delay={d} />
                      {d.delay ? (
                        <>
                          <br />
                          <span class="fr-hint-text">{sourceText(d.source)}</span>
                        </>
                      ) : null}
                    </td>
                  ) : (
                    <td>—</td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
      {canEdit ? (
        <form method="post" action={`/organisations/${org.id}/delays`} novalidate>
          <h2>Modifier les délais de {org.name}</h2>
          <ErrorSummary form={form} />
          <CsrfField token={csrf} />
          {CHANNELS.map((ch) => (
            <fieldset class="fr-fieldset" aria-labelledby={`legend-${ch}`}>
              <legend class="fr-fieldset__legend fr-h6" id={`legend-${ch}`}>
                {CHANNEL_LABELS[ch]}
              </legend>
              {REQUEST_KINDS.map((k) => {
                const key = `${ch}-${k}`;
                const own = byKey.get(cellKey(ch, k));
                const ownDelay = own?.source.kind === "own" ? own.delay : null;
                const fallback = inheritedByKey.get(cellKey(ch, k));
                const error = form.errors[`value-${key}`];
                return (
                  <div class="fr-fieldset__element">
                    <div class="fr-grid-row fr-grid-row--gutters">
                      <div class="fr-col-12 fr-col-md-4">
                        <div class={`fr-input-group${error ? " fr-input-group--error" : ""}`}>
                          <label class="fr-label" for={`value-${key}`}>
                            {`${REQUEST_KIND_LABELS[k]} : nombre de jours`}
                            <span class="fr-hint-text">
                              {`Vide : ${fallback?.delay ? `${formatDelay(fallback.delay.value, fallback.delay.unit)} (${sourceText(fallback.source)})` : "aucun délai"}`}
                            </span>
                          </label>
                          <input
                            class={`fr-input${error ? " fr-input--error" : ""}`}
                            type="text"
                            inputmode="numeric"
                            id={`value-${key}`}
                            name={`value-${key}`}
                            value={value(key, ownDelay ? String(ownDelay.value) : "")}
                            aria-describedby={error ? `value-${key}-error` : undefined}
                          />
                          {error ? (
                            <p class="fr-error-text" id={`value-${key}-error`}>
                              {error}
                            </p>
                          ) : null}
                        </div>
                      </div>
                      <div class="fr-col-12 fr-col-md-8">
                        <div class="fr-select-group">
                          <label class="fr-label" for={`unit-${key}`}>
                            {`${REQUEST_KIND_LABELS[k]} : unité`}
                          </label>
                          <select class="fr-select" id={`unit-${key}`} name={`unit-${key}`}>
                            {DELAY_UNITS.map((u) => (
                              <option value={u} selected={(form.values[`unit-${key}`] ?? ownDelay?.unit ?? "working_days") === u}>
                                {DELAY_UNIT_LABELS[u]}
                              </option>
                            ))}
                          </select>
                        </div>
                      </div>
                    </div>
                  </div>
                );
              })}
            </fieldset>
          ))}
          <button class="fr-btn" type="submit">
            Enregistrer les délais
          </button>
        </form>
      ) : null}
    </div>
  );
}
