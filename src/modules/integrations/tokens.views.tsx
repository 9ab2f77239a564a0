import { formatDateTimeShort } from "../../ui/format.ts";
import { Checkbox, CsrfField, ErrorSummary, type FormState, SelectField, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { API_MODULE_KEYS, API_MODULES } from "./api-modules.ts";
import type { TokenRow } from "./tokens.service.ts";

const LABELS = { name: "Nom du jeton", scope: "Portée", modules: "Modules de l'API", orgId: "Organisation", days: "Durée de validité" };
export const SCOPE_LABELS: Record<TokenRow["scope"], string> = { read: "Lecture", write: "Lecture et écriture" };

/** « Lecture et écriture » or, per module, « Accueil téléphonique : lecture et écriture ; … ». */
export function ScopeText({ token }: { token: Pick<TokenRow, "scope" | "modules"> }): SafeHtml {
  if (!token.modules) return <>{`${SCOPE_LABELS[token.scope]}, tous les modules`}</>;
  return (
    <ul class="fr-m-0">
      {API_MODULE_KEYS.filter((m) => token.modules?.[m]).map((m) => {
        const level = token.modules?.[m] ?? "read";
        return <li>{`${API_MODULES[m]}\u00a0: ${SCOPE_LABELS[level].toLowerCase()}`}</li>;
      })}
    </ul>
  );
}

export const DURATIONS = [
  { value: "30", label: "30 jours" },
  { value: "90", label: "90 jours" },
  { value: "180", label: "180 jours" },
  { value: "365", label: "1 an" },
];

export interface TokensPageProps {
  tokens: TokenRow[];
  orgs: Array<{ id: string; name: string; depth: number }>;
  orgNames: Map<string, string>;
  form: FormState;
  csrf: string;
  /** The secret just created: shown on this answer only. */
  created?: { name: string; secret: string } | undefined;
  now: Date;
}

function state(t: TokenRow, now: Date): string {
  if (t.revoked_at) return `Révoqué le ${formatDateTimeShort(t.revoked_at)}`;
  if (t.expires_at <= now) return `Expiré le ${formatDateTimeShort(t.expires_at)}`;
  return `Valable jusqu'au ${formatDateTimeShort(t.expires_at)}`;
}

export function TokensPage(props: TokensPageProps): SafeHtml {
  const { tokens, now } = props;
  return (
    <div>
      <h1>Jetons d'API</h1>
      <p>
        Un jeton permet à un programme (téléphonie, outil décisionnel, système d'un réseau) d'appeler l'API de Vigie (
        <a href="/api/docs">documentation</a>) en votre nom, avec l'en-tête <code>Authorization: Bearer</code>. Il n'a jamais plus de droits
        que vous : si l'un de vos rôles vous est retiré, il le perd aussi. Chaque appel est inscrit au journal d'audit.
      </p>
      {props.created ? (
        <div class="fr-alert fr-alert--success fr-mb-4w" role="status">
          <h2 class="fr-alert__title">Jeton « {props.created.name} » créé</h2>
          <p>Copiez-le maintenant : il ne sera plus jamais affiché. Vigie n'en garde qu'une empreinte.</p>
          <p>
            <code id="new-token" class="vigie-secret">
              {props.created.secret}
            </code>
          </p>
        </div>
      ) : null}
      <h2>Mes jetons</h2>
      {tokens.length === 0 ? (
        <p>Aucun jeton pour l'instant.</p>
      ) : (
        <TableFrame noCaption>
          <table>
            <caption>Mes jetons d'API</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Début du jeton</th>
                <th scope="col">Portée</th>
                <th scope="col">Organisation</th>
                <th scope="col">État</th>
                <th scope="col">Dernière utilisation</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>
                    <ScopeText token={t} />
                  </td>
                  <td>{t.org_id ? (props.orgNames.get(t.org_id) ?? "—") : "Toutes mes organisations"}</td>
                  <td>{state(t, now)}</td>
                  <td>{t.last_used_at ? formatDateTimeShort(t.last_used_at) : "Jamais"}</td>
                  <td>
                    {t.revoked_at || t.expires_at <= now ? null : (
                      <form method="post" action={`/compte/jetons/${t.id}/revoke`}>
                        <CsrfField token={props.csrf} />
                        <button type="submit" class="fr-btn fr-btn--sm fr-btn--secondary" aria-label={`Révoquer le jeton « ${t.name} »`}>
                          Révoquer
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      <h2 class="fr-mt-4w">Créer un jeton</h2>
      <ErrorSummary form={props.form} labels={LABELS} />
      <form method="post" action="/compte/jetons" novalidate class="vigie-narrow-form">
        <CsrfField token={props.csrf} />
        <TextField
          name="name"
          label={LABELS.name}
          hint="Pour le reconnaître : « Téléphonie », « Tableau de bord régional »…"
          required
          form={props.form}
          maxlength={100}
        />
        <SelectField
          name="scope"
          label={LABELS.scope}
          required
          form={props.form}
          options={[
            { value: "read", label: "Lecture seule" },
            { value: "write", label: "Lecture et écriture" },
          ]}
        />
        <ModuleChoice form={props.form} />
        <SelectField
          name="orgId"
          label={LABELS.orgId}
          hint="Le jeton n'agit que sur cette organisation et ce qui lui est rattaché, dans la limite de vos rôles."
          placeholder="Toutes mes organisations"
          form={props.form}
          options={props.orgs.map((o) => ({ value: o.id, label: o.name, depth: o.depth }))}
        />
        <SelectField
          name="days"
          label={LABELS.days}
          hint="Un an au plus : un jeton oublié finit par expirer."
          required
          form={props.form}
          options={DURATIONS}
        />
        <button class="fr-btn" type="submit">
          Créer le jeton
        </button>
      </form>
    </div>
  );
}

/** The modules a person's token opens, all ticked at first; the empty value first tells « none ticked ». */
function ModuleChoice({ form }: { form: FormState }): SafeHtml {
  const sent = form.values.modules;
  const chosen = new Set(sent === undefined ? API_MODULE_KEYS : sent.split(","));
  const error = form.errors.modules;
  return (
    <fieldset class={`fr-fieldset${error ? " fr-fieldset--error" : ""}`} aria-labelledby="modules-legend">
      <legend class="fr-fieldset__legend" id="modules-legend">
        {LABELS.modules}
        <span class="fr-hint-text">Le jeton n'ouvre que les modules cochés ; tous cochés, il ouvre aussi ceux qui viendront.</span>
      </legend>
      <input type="hidden" name="modules" value="" />
      {API_MODULE_KEYS.map((m) => (
        <div class="fr-fieldset__element">
          <Checkbox name="modules" id={`module-${m}`} value={m} label={API_MODULES[m]} checked={chosen.has(m)} />
        </div>
      ))}
      {error ? (
        <div class="fr-messages-group" id="modules-messages">
          <p class="fr-message fr-message--error">{error}</p>
        </div>
      ) : null}
    </fieldset>
  );
}
