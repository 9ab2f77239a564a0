import { ROLE_LABELS, ROLES } from "../../kernel/roles.ts";
import { formatDateTimeShort } from "../../ui/format.ts";
import { CsrfField, ErrorSummary, type FormState, SelectField, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { API_MODULE_KEYS, API_MODULES } from "./api-modules.ts";
import type { TokenRow } from "./tokens.service.ts";
import { DURATIONS, ScopeText } from "./tokens.views.tsx";

const ACCOUNT_LABELS = { name: "Nom du compte de service", orgId: "Organisation", role: "Rôle" };
const TOKEN_LABELS: Record<string, string> = {
  name: "Nom du jeton",
  orgId: "Organisation",
  days: "Durée de validité",
  modules: "Accès par module",
  ...Object.fromEntries(API_MODULE_KEYS.map((m) => [`access_${m}`, API_MODULES[m]])),
};

export interface ServiceAccountView {
  id: string;
  displayName: string;
  active: boolean;
  grants: Array<{ orgId: string; role: keyof typeof ROLE_LABELS }>;
  tokens: TokenRow[];
}

export interface ServiceAccountsPageProps {
  accounts: ServiceAccountView[];
  orgs: Array<{ id: string; name: string; depth: number }>;
  orgNames: Map<string, string>;
  accountForm: FormState;
  csrf: string;
  created?: { account: string; name: string; secret: string } | undefined;
  now: Date;
}

function state(t: TokenRow, now: Date): string {
  if (t.revoked_at) return `Révoqué le ${formatDateTimeShort(t.revoked_at)}`;
  if (t.expires_at <= now) return `Expiré le ${formatDateTimeShort(t.expires_at)}`;
  return `Valable jusqu'au ${formatDateTimeShort(t.expires_at)}`;
}

const ACCESS_OPTIONS = [
  { value: "", label: "Aucun accès" },
  { value: "read", label: "Lecture" },
  { value: "write", label: "Lecture et écriture" },
];

export function ServiceAccountsPage(props: ServiceAccountsPageProps): SafeHtml {
  const { now } = props;
  return (
    <div>
      <h1>Comptes de service</h1>
      <p>
        Un compte de service représente un autre système (plateforme téléphonique, outil décisionnel, système d'un réseau), jamais une
        personne : il ne se connecte ni par mot de passe ni par un fournisseur d'identité. Il reçoit des rôles comme tout compte et n'agit
        que par les jetons d'API donnés ici, chacun limité à certains modules et, s'il le faut, à une organisation et à ce qui lui est
        rattaché. Chaque appel est inscrit au journal d'audit.
      </p>
      {props.created ? (
        <div class="fr-alert fr-alert--success fr-mb-4w" role="status">
          <h2 class="fr-alert__title">
            Jeton « {props.created.name} » créé pour « {props.created.account} »
          </h2>
          <p>Copiez-le maintenant : il ne sera plus jamais affiché. Vigie n'en garde qu'une empreinte.</p>
          <p>
            <code id="new-token" class="vigie-secret">
              {props.created.secret}
            </code>
          </p>
        </div>
      ) : null}
      {props.accounts.length === 0 ? <p>Aucun compte de service pour l'instant.</p> : null}
      {props.accounts.map((a) => (
        <section class="fr-mb-6w" aria-labelledby={`service-${a.id}`}>
          <h2 id={`service-${a.id}`}>{a.displayName}</h2>
          <p>
            {a.active ? "" : "Compte désactivé. "}
            Rôles :{" "}
            {a.grants.length === 0
              ? "aucun"
              : a.grants.map((g) => `${ROLE_LABELS[g.role]} sur ${props.orgNames.get(g.orgId) ?? "une organisation"}`).join(", ")}{" "}
            — <a href={`/accounts/${a.id}`}>gérer ses rôles</a>
          </p>
          {a.tokens.length === 0 ? (
            <p>Aucun jeton.</p>
          ) : (
            <TableFrame noCaption>
              <table>
                <caption>Jetons de « {a.displayName} »</caption>
                <thead>
                  <tr>
                    <th scope="col">Nom</th>
                    <th scope="col">Début du jeton</th>
                    <th scope="col">Accès</th>
                    <th scope="col">Organisation</th>
                    <th scope="col">État</th>
                    <th scope="col">Dernière utilisation</th>
                    <th scope="col">Action</th>
                  </tr>
                </thead>
                <tbody>
                  {a.tokens.map((t) => (
                    <tr>
                      <td>{t.name}</td>
                      <td>
                        <code>{t.prefix}…</code>
                      </td>
                      <td>
                        <ScopeText token={t} />
                      </td>
                      <td>{t.org_id ? (props.orgNames.get(t.org_id) ?? "—") : "Toutes celles de ses rôles"}</td>
                      <td>{state(t, now)}</td>
                      <td>{t.last_used_at ? formatDateTimeShort(t.last_used_at) : "Jamais"}</td>
                      <td>
                        {t.revoked_at || t.expires_at <= now ? null : (
                          <form method="post" action={`/admin/service-accounts/${a.id}/tokens/${t.id}/revoke`}>
                            <CsrfField token={props.csrf} />
                            <button
                              type="submit"
                              class="fr-btn fr-btn--sm fr-btn--secondary"
                              aria-label={`Révoquer le jeton « ${t.name} »`}
                            >
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
          <p>
            <a class="fr-link" href={`/admin/service-accounts/${a.id}/tokens/new`}>
              Créer un jeton pour « {a.displayName} »
            </a>
          </p>
        </section>
      ))}
      <h2 class="fr-mt-4w">Créer un compte de service</h2>
      <ErrorSummary form={props.accountForm} labels={ACCOUNT_LABELS} />
      <form method="post" action="/admin/service-accounts" novalidate class="vigie-narrow-form">
        <CsrfField token={props.csrf} />
        <TextField
          name="name"
          label={ACCOUNT_LABELS.name}
          hint="Le système qu'il représente : « Plateforme téléphonique », « Outil décisionnel du réseau »…"
          required
          form={props.accountForm}
          maxlength={100}
        />
        <SelectField
          name="orgId"
          label={ACCOUNT_LABELS.orgId}
          hint="Son premier rôle vaut sur cette organisation et ce qui lui est rattaché."
          placeholder="Choisissez une organisation"
          required
          form={props.accountForm}
          options={props.orgs.map((o) => ({ value: o.id, label: o.name, depth: o.depth }))}
        />
        <SelectField
          name="role"
          label={ACCOUNT_LABELS.role}
          required
          form={props.accountForm}
          options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
        />
        <button class="fr-btn" type="submit">
          Créer le compte de service
        </button>
      </form>
    </div>
  );
}

export interface ServiceTokenPageProps {
  account: { id: string; displayName: string };
  orgs: Array<{ id: string; name: string; depth: number }>;
  form: FormState;
  csrf: string;
}

/** The form of a service account's new token: an access per module, an organisation, a duration. */
export function ServiceTokenPage(props: ServiceTokenPageProps): SafeHtml {
  const { form } = props;
  return (
    <div>
      <h1>Nouveau jeton pour « {props.account.displayName} »</h1>
      <ErrorSummary form={form} labels={TOKEN_LABELS} />
      <form method="post" action={`/admin/service-accounts/${props.account.id}/tokens`} novalidate class="vigie-narrow-form">
        <CsrfField token={props.csrf} />
        <TextField
          name="name"
          label={TOKEN_LABELS.name ?? ""}
          hint="Pour le reconnaître : « Poussée des appels », « Lecture des indicateurs »…"
          required
          form={form}
          maxlength={100}
        />
        <fieldset class={`fr-fieldset${form.errors.modules ? " fr-fieldset--error" : ""}`} aria-labelledby="modules-legend">
          <legend class="fr-fieldset__legend" id="modules-legend">
            {TOKEN_LABELS.modules}
            <span class="fr-hint-text">Ce que le jeton peut faire dans chaque module, dans la limite des rôles du compte.</span>
          </legend>
          {API_MODULE_KEYS.map((m) => (
            <div class="fr-fieldset__element">
              <SelectField name={`access_${m}`} label={API_MODULES[m]} form={form} options={ACCESS_OPTIONS} />
            </div>
          ))}
          {form.errors.modules ? (
            <div class="fr-messages-group" id="modules-messages">
              <p class="fr-message fr-message--error">{form.errors.modules}</p>
            </div>
          ) : null}
        </fieldset>
        <SelectField
          name="orgId"
          label={TOKEN_LABELS.orgId ?? ""}
          hint="Le jeton n'agit que sur cette organisation et ce qui lui est rattaché, dans la limite des rôles du compte."
          placeholder="Toutes celles de ses rôles"
          form={form}
          options={props.orgs.map((o) => ({ value: o.id, label: o.name, depth: o.depth }))}
        />
        <SelectField name="days" label={TOKEN_LABELS.days ?? ""} required form={form} options={DURATIONS} />
        <button class="fr-btn" type="submit">
          Créer le jeton
        </button>
      </form>
    </div>
  );
}
