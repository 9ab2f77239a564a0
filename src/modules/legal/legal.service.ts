import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";

/** The three pages every public website in France must publish. */
export const LEGAL_SLUGS = ["mentions-legales", "donnees-personnelles", "accessibilite"] as const;
export type LegalSlug = (typeof LEGAL_SLUGS)[number];
export const COMPLIANCE = ["totale", "partielle", "non-conforme"] as const;
export type Compliance = (typeof COMPLIANCE)[number];

export const COMPLIANCE_LABELS: Record<Compliance, string> = {
  totale: "totalement conforme",
  partielle: "partiellement conforme",
  "non-conforme": "non conforme",
};

export interface LegalPage {
  slug: LegalSlug;
  title: string;
  body: string;
  compliance: Compliance | null;
  version: number;
  updatedAt: Date | null;
}

const DEFAULTS: Record<LegalSlug, Omit<LegalPage, "slug" | "version" | "updatedAt">> = {
  "mentions-legales": {
    title: "Mentions légales",
    body: "Éditeur du site : à compléter par l'administrateur (nom de l'organisme, adresse, directeur ou directrice de la publication).\n\nHébergement : à compléter (nom, adresse et téléphone de l'hébergeur).\n\nLogiciel : Vigie, logiciel libre sous licence MIT.",
    compliance: null,
  },
  "donnees-personnelles": {
    title: "Données personnelles",
    body: "Responsable de traitement : à compléter par l'administrateur.\n\nFinalité : suivre les demandes, réclamations et avis du public et mesurer la qualité de service.\n\nLes réponses aux enquêtes de satisfaction sont enregistrées sans adresse IP ni autre donnée d'identification.\n\nVous disposez d'un droit d'accès, de rectification et d'effacement de vos données : écrivez au délégué à la protection des données (adresse à compléter).\n\nChaque organisme qui utilise Vigie publie sa propre page, tenue à jour à partir de ses réglages (responsable, délégué, durées de conservation en vigueur) : suivez le lien « Vos données personnelles » de ses pages publiques ou de son formulaire de réclamation.",
    compliance: null,
  },
  accessibilite: {
    title: "Déclaration d'accessibilité",
    body: "L'organisme s'engage à rendre ses sites internet accessibles conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005.\n\nÉtat de conformité : ce site est en conformité partielle avec le référentiel général d'amélioration de l'accessibilité (RGAA) ; l'audit reste à mener.\n\nRetour d'information et contact : si vous n'arrivez pas à accéder à un contenu ou à un service, contactez le responsable du site (adresse à compléter).\n\nVoies de recours : vous pouvez saisir le Défenseur des droits.",
    compliance: "partielle",
  },
};

export function isLegalSlug(value: string): value is LegalSlug {
  return (LEGAL_SLUGS as readonly string[]).includes(value);
}

export async function getLegalPage(db: Kysely<DB>, slug: string): Promise<LegalPage> {
  if (!isLegalSlug(slug)) throw new AppError("legal.not_found");
  const row = await db.selectFrom("legal_pages").selectAll().where("slug", "=", slug).executeTakeFirst();
  if (!row) return { slug, ...DEFAULTS[slug], version: 0, updatedAt: null };
  return {
    slug,
    title: row.title,
    body: row.body,
    compliance: (row.compliance as Compliance | null) ?? null,
    version: row.version,
    updatedAt: row.updated_at,
  };
}

// The footer of every page states the compliance level. It changes rarely, so pages read a copy
// that is refreshed in the background at most once a minute (other app servers catch up within that).
let complianceCache: { value: Compliance; at: number; db: Kysely<DB> } | undefined;

export async function refreshCompliance(db: Kysely<DB>): Promise<Compliance> {
  const page = await getLegalPage(db, "accessibilite");
  complianceCache = { value: page.compliance ?? "non-conforme", at: Date.now(), db };
  return complianceCache.value;
}

export function currentCompliance(): Compliance {
  if (!complianceCache) return "non-conforme";
  if (Date.now() - complianceCache.at > 60_000) {
    complianceCache.at = Date.now();
    refreshCompliance(complianceCache.db).catch(() => {});
  }
  return complianceCache.value;
}

export interface LegalUpdate {
  title: string;
  body: string;
  compliance?: Compliance | undefined;
  version: number;
}

export async function updateLegalPage(db: Kysely<DB>, actor: Actor, slug: string, input: LegalUpdate): Promise<LegalPage> {
  const before = await getLegalPage(db, slug);
  const compliance = before.slug === "accessibilite" ? (input.compliance ?? before.compliance) : null;
  const after = await db.transaction().execute(async (trx) => {
    // Version 0 is the built-in text: the first save inserts, later saves must match the stored version.
    const row =
      input.version === 0
        ? await trx
            .insertInto("legal_pages")
            .values({ slug: before.slug, title: input.title, body: input.body, compliance })
            .onConflict((oc) => oc.column("slug").doNothing())
            .returningAll()
            .executeTakeFirst()
        : await trx
            .updateTable("legal_pages")
            .set({ title: input.title, body: input.body, compliance, version: input.version + 1, updated_at: new Date() })
            .where("slug", "=", before.slug)
            .where("version", "=", input.version)
            .returningAll()
            .executeTakeFirst();
    if (!row) throw new AppError("legal.stale");
    await recordAudit(trx, auditActor(actor), {
      orgId: null,
      action: "update",
      entity: "legal_page",
      entityId: before.slug,
      before,
      after: row,
    });
    return row;
  });
  await refreshCompliance(db);
  return getLegalPage(db, after.slug);
}
