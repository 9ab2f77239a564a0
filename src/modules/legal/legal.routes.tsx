import { z } from "zod";
import { actorOf, INSTANCE_ADMIN, PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { handleForm } from "../../kernel/forms.ts";
import { blankAsAbsent, parseInput, requiredText } from "../../kernel/validation.ts";
import { CsrfField, ErrorSummary, emptyForm, type FormState, formatDateTime, SelectField, TextArea, TextField } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import {
  COMPLIANCE,
  COMPLIANCE_LABELS,
  getLegalPage,
  LEGAL_SLUGS,
  type LegalPage,
  type LegalSlug,
  refreshCompliance,
  updateLegalPage,
} from "./legal.service.ts";

/** An unknown page is a 404, not a form error. */
function slugOf(params: unknown): LegalSlug {
  const parsed = z.object({ slug: z.enum(LEGAL_SLUGS) }).safeParse(params);
  if (!parsed.success) throw new AppError("legal.not_found");
  return parsed.data.slug;
}
const legalUpdateSchema = z.object({
  title: requiredText(200, "Le titre"),
  body: requiredText(50_000, "Le texte"),
  compliance: blankAsAbsent(z.enum(COMPLIANCE, { error: "Choisissez un état de conformité." }).optional()),
  version: z.coerce.number().int().min(0),
});

/** Paragraphs separated by blank lines; the text is escaped like any other. */
function paragraphs(body: string) {
  return body.split(/\n\s*\n/).map((p) => <p>{p.trim()}</p>);
}

function editPage(csrf: string, page: LegalPage, form: FormState) {
  return {
    title: `Modifier : ${page.title}`,
    breadcrumbs: [{ label: "Pages légales", href: "/legal" }, { label: page.title }],
    children: (
      <div class="fr-col-12 fr-col-md-10">
        <h1>Modifier : {page.title}</h1>
        <ErrorSummary form={form} />
        <form method="post" action={`/legal/${page.slug}/edit`} novalidate>
          <CsrfField token={csrf} />
          <input type="hidden" name="version" value={form.values.version} />
          <TextField name="title" label="Titre" required form={form} />
          {page.slug === "accessibilite" ? (
            <SelectField
              name="compliance"
              label="État de conformité au RGAA"
              hint="Il s'affiche dans le pied de chaque page."
              required
              form={form}
              options={COMPLIANCE.map((c) => ({ value: c, label: COMPLIANCE_LABELS[c] }))}
            />
          ) : null}
          <TextArea name="body" label="Texte" hint="Séparez les paragraphes par une ligne vide." rows={16} required form={form} />
          <button class="fr-btn" type="submit">
            Enregistrer
          </button>
        </form>
      </div>
    ),
  };
}

export async function legalRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  await refreshCompliance(db);

  app.get("/legal", { config: { access: INSTANCE_ADMIN }, schema: { hide: true } }, async (request, reply) => {
    const pages = await Promise.all(LEGAL_SLUGS.map((s) => getLegalPage(db, s)));
    return sendPage(reply, request, {
      title: "Pages légales",
      children: (
        <div>
          <h1>Pages légales</h1>
          <p>Tout site public publie ses mentions légales, sa politique de données personnelles et sa déclaration d'accessibilité.</p>
          <ul>
            {pages.map((p) => (
              <li>
                <a href={`/legal/${p.slug}/edit`}>{p.title}</a>
                {p.updatedAt ? ` — modifiée le ${formatDateTime(p.updatedAt)}` : " — texte par défaut, à compléter"}
              </li>
            ))}
          </ul>
        </div>
      ),
    });
  });

  app.get("/legal/:slug", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const slug = slugOf(request.params);
    const page = await getLegalPage(db, slug);
    return sendPage(reply, request, {
      title: page.title,
      children: (
        <div class="fr-col-12 fr-col-md-8">
          <h1>{page.title}</h1>
          {page.compliance ? <p class="fr-text--lead">{`État de conformité : ${COMPLIANCE_LABELS[page.compliance]}.`}</p> : null}
          {paragraphs(page.body)}
          {page.updatedAt ? <p class="fr-text--sm">{`Mise à jour le ${formatDateTime(page.updatedAt)}.`}</p> : null}
        </div>
      ),
    });
  });

  app.get("/legal/:slug/edit", { config: { access: INSTANCE_ADMIN }, schema: { hide: true } }, async (request, reply) => {
    const slug = slugOf(request.params);
    const page = await getLegalPage(db, slug);
    const form = emptyForm({ title: page.title, body: page.body, compliance: page.compliance ?? undefined, version: String(page.version) });
    return sendPage(reply, request, editPage(request.csrfToken, page, form));
  });

  app.post("/legal/:slug/edit", { config: { access: INSTANCE_ADMIN }, schema: { hide: true } }, async (request, reply) => {
    const slug = slugOf(request.params);
    const page = await getLegalPage(db, slug);
    return handleForm(
      request,
      reply,
      async () => {
        await updateLegalPage(db, actorOf(request), slug, parseInput(legalUpdateSchema, request.body));
        return `/legal/${slug}?ok=legal.updated`;
      },
      (form) => editPage(request.csrfToken, page, form),
    );
  });
}
