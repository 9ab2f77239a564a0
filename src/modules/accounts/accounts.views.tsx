import { ROLE_LABELS, ROLES } from "../../kernel/roles.ts";
import { Checkbox, CsrfField, ErrorSummary, type FormState, formatDateTime, SelectField, TextField } from "../../ui/forms.tsx";
import type { SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { TableFrame } from "../../ui/table.tsx";
import { asTree, ORG_KIND_LABELS, type Organisation } from "../organisations/organisation.ts";
import type { Account, AccountDetails } from "./accounts.service.ts";

const roleOptions = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }));
export const orgOptions = (orgs: Organisation[]) =>
  asTree(orgs).map((o) => ({ value: o.id, label: `${o.name} (${ORG_KIND_LABELS[o.kind]})`, depth: o.depth }));

export function AccountList({ accounts }: { accounts: Account[] }): SafeHtml {
  return (
    <div>
      <h1>Comptes</h1>
      <p>
        <a class="fr-btn fr-icon-add-line fr-btn--icon-left" href="/accounts/new">
          Nouveau compte
        </a>
      </p>
      <TableFrame>
        <table>
          <caption>Comptes que vous gérez</caption>
          <thead>
            <tr>
              <th scope="col">Nom</th>
              <th scope="col">Adresse électronique</th>
              <th scope="col">État</th>
              <th scope="col">Dernière connexion</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr>
                <td>
                  <a href={`/accounts/${a.id}`}>{a.displayName}</a>
                  {a.instanceAdmin ? " (administrateur de l'instance)" : ""}
                </td>
                <td>{a.email}</td>
                <td>{a.active ? "Actif" : "Désactivé"}</td>
                <td>{a.lastLoginAt ? formatDateTime(a.lastLoginAt) : "Jamais"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
    </div>
  );
}

export function AccountCreateForm({ form, csrf, orgs }: { form: FormState; csrf: string; orgs: Organisation[] }): SafeHtml {
  return (
    <div class="fr-col-12 fr-col-md-8">
      <h1>Nouveau compte</h1>
      <ErrorSummary form={form} />
      <form method="post" action="/accounts/new" novalidate>
        <CsrfField token={csrf} />
        <TextField name="displayName" label="Nom et prénom" required form={form} />
        <TextField name="email" label="Adresse électronique" type="email" required form={form} />
        <TextField
          name="password"
          label="Mot de passe initial"
          type="password"
          autocomplete="new-password"
          hint="12 caractères au moins ; à transmettre à la personne par un autre canal."
          required
          form={form}
        />
        <SelectField name="role" label="Rôle" required form={form} placeholder="Choisir un rôle" options={roleOptions} />
        <SelectField
          name="orgId"
          label="Sur l'organisation"
          hint="Le rôle vaut pour l'organisation choisie et tout ce qui lui est rattaché."
          required
          form={form}
          placeholder="Choisir une organisation"
          options={orgOptions(orgs)}
        />
        <button class="fr-btn" type="submit">
          Créer le compte
        </button>
      </form>
    </div>
  );
}

export function AccountPage({
  details,
  csrf,
  orgs,
  profileForm,
  passwordForm,
  grantForm,
}: {
  details: AccountDetails;
  csrf: string;
  orgs: Organisation[];
  profileForm: FormState;
  passwordForm: FormState;
  grantForm: FormState;
}): SafeHtml {
  const { account, grants, editable } = details;
  const base = `/accounts/${account.id}`;
  return (
    <div>
      <h1>{account.displayName}</h1>
      <p>
        {account.email} — {account.active ? "compte actif" : "compte désactivé"}
        {account.instanceAdmin ? " — administrateur de l'instance" : ""}
      </p>
      <h2>Rôles</h2>
      {grants.length === 0 ? <p>Aucun rôle.</p> : null}
      {details.hiddenGrants ? <p class="fr-text--sm">{`Et ${details.hiddenGrants} rôle(s) hors de votre périmètre.`}</p> : null}
      <ul>
        {grants.map((g) => (
          <li>
            {ROLE_LABELS[g.role]} sur <a href={`/organisations/${g.orgId}`}>{g.orgName}</a>{" "}
            <form method="post" action={`${base}/grants/remove`} class="vigie-inline-form">
              <CsrfField token={csrf} />
              <input type="hidden" name="orgId" value={g.orgId} />
              <input type="hidden" name="role" value={g.role} />
              <button
                class="fr-btn fr-btn--sm fr-btn--tertiary"
                type="submit"
                title={`Retirer le rôle ${ROLE_LABELS[g.role]} sur ${g.orgName}`}
              >
                Retirer
              </button>
            </form>
          </li>
        ))}
      </ul>
      <h3>Attribuer un rôle</h3>
      <ErrorSummary form={grantForm} />
      <form method="post" action={`${base}/grants`} novalidate>
        <CsrfField token={csrf} />
        <div class="fr-grid-row fr-grid-row--gutters">
          <div class="fr-col-12 fr-col-md-4">
            <SelectField name="role" label="Rôle" required form={grantForm} placeholder="Choisir un rôle" options={roleOptions} />
          </div>
          <div class="fr-col-12 fr-col-md-8">
            <SelectField
              name="orgId"
              label="Sur l'organisation"
              required
              form={grantForm}
              placeholder="Choisir une organisation"
              options={orgOptions(orgs)}
            />
          </div>
        </div>
        <button class="fr-btn fr-btn--secondary" type="submit">
          Attribuer
        </button>
      </form>
      {editable ? (
        <div>
          <h2 class="fr-mt-4w">Profil</h2>
          <ErrorSummary form={profileForm} />
          <form method="post" action={base} novalidate>
            <CsrfField token={csrf} />
            <input type="hidden" name="version" value={String(account.version)} />
            <TextField name="displayName" label="Nom et prénom" required form={profileForm} />
            <Checkbox
              name="active"
              label="Compte actif"
              hint="Un compte désactivé ne peut plus se connecter ; ses sessions sont fermées."
              checked={profileForm.values.active === "true"}
            />
            <button class="fr-btn" type="submit">
              Enregistrer
            </button>
          </form>
          <h2 class="fr-mt-4w">Nouveau mot de passe</h2>
          <ErrorSummary form={passwordForm} />
          <form method="post" action={`${base}/password`} novalidate>
            <CsrfField token={csrf} />
            <input type="hidden" name="version" value={String(account.version)} />
            <TextField
              name="password"
              label="Nouveau mot de passe"
              type="password"
              autocomplete="new-password"
              hint="12 caractères au moins."
              required
              form={passwordForm}
            />
            <button class="fr-btn fr-btn--secondary" type="submit">
              Changer le mot de passe
            </button>
          </form>
        </div>
      ) : (
        <p class="fr-mt-4w">
          Ce compte a aussi des rôles hors de votre périmètre : seul un administrateur de tout son périmètre peut modifier son profil.
        </p>
      )}
    </div>
  );
}
