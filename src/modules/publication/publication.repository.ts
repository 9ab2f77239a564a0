import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { IndicatorUnit, IndicatorValue } from "../indicators/indicator.ts";
import { publicationDb } from "./publication.tables.ts";

/** Kysely queries of published figures; every function takes the organisation id first. */
export interface PublishedFigure {
  orgId: string;
  periodFrom: string;
  periodTo: string;
  key: string;
  channel: string | null;
  label: string;
  unit: IndicatorUnit;
  better: "higher" | "lower";
  value: number | null;
  low: number | null;
  high: number | null;
  target: number | null;
  sample: number;
  commitments: string[];
  computedAt: Date;
}

type Row = {
  org_id: string;
  period_from: string;
  period_to: string;
  indicator_key: string;
  channel: string;
  label: string;
  unit: string;
  better: string;
  value: number | null;
  low: number | null;
  high: number | null;
  target: number | null;
  sample: number;
  commitments: unknown;
  computed_at: Date;
};

// Both engines hand double precision back as numbers; pg gives numeric/bigint as text, hence Number().
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toFigure(r: Row): PublishedFigure {
  return {
    orgId: r.org_id,
    periodFrom: r.period_from,
    periodTo: r.period_to,
    key: r.indicator_key,
    channel: r.channel === "" ? null : r.channel,
    label: r.label,
    unit: r.unit as IndicatorUnit,
    better: r.better === "lower" ? "lower" : "higher",
    value: num(r.value),
    low: num(r.low),
    high: num(r.high),
    target: num(r.target),
    sample: Number(r.sample),
    commitments: Array.isArray(r.commitments) ? r.commitments.map(String) : [],
    computedAt: r.computed_at,
  };
}

/** Replaces an organisation's figures for one period: a figure a source stopped giving disappears too. */
export async function replaceFigures(
  db: Kysely<DB>,
  orgId: string,
  period: { from: string; to: string },
  figures: IndicatorValue[],
  computedAt: Date,
): Promise<void> {
  const pdb = publicationDb(db);
  await pdb.deleteFrom("published_figures").where("org_id", "=", orgId).where("period_from", "=", period.from).execute();
  // One row per key and channel: a source listing the same pair twice keeps its first.
  const seen = new Set<string>();
  const rows = figures
    .filter((f) => {
      const k = `${f.key}|${f.channel ?? ""}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .map((f) => ({
      org_id: orgId,
      period_from: period.from,
      period_to: period.to,
      indicator_key: f.key,
      channel: f.channel ?? "",
      label: f.label,
      unit: f.unit,
      better: f.better,
      value: f.value,
      low: f.low ?? null,
      high: f.high ?? null,
      target: f.target,
      sample: f.sample,
      commitments: JSON.stringify(f.commitments),
      computed_at: computedAt,
    }));
  if (rows.length) await pdb.insertInto("published_figures").values(rows).execute();
}

/** An organisation's published figures, latest period first: a primary-key range read. */
export async function figuresOf(db: Kysely<DB>, orgId: string): Promise<PublishedFigure[]> {
  const rows = await publicationDb(db)
    .selectFrom("published_figures")
    .selectAll()
    .where("org_id", "=", orgId)
    .orderBy("period_from", "desc")
    .orderBy("indicator_key")
    .orderBy("channel")
    .execute();
  return rows.map(toFigure);
}

export interface OrgFigure extends PublishedFigure {
  orgName: string;
  orgKind: string;
  siret: string | null;
  parentId: string | null;
}

/**
 * Every published figure of a subtree, for open data: organisation by organisation (by name), latest
 * period first. Reads the tree (a small reference table) for names and SIRET.
 */
export async function* figuresOfSubtree(db: Kysely<DB>, rootId: string, batch = 500): AsyncGenerator<OrgFigure[]> {
  const pdb = publicationDb(db);
  const orgs = await pdb
    .selectFrom("organisations")
    .select(["id", "name", "kind", "siret", "parent_id"])
    .where(sql<boolean>`path && ${sql.val([rootId])}::uuid[]`)
    .orderBy("name")
    .orderBy("id")
    .execute();
  for (let i = 0; i < orgs.length; i += batch) {
    const slice = orgs.slice(i, i + batch);
    const rows = await pdb
      .selectFrom("published_figures")
      .selectAll()
      .where(
        "org_id",
        "in",
        slice.map((o) => o.id),
      )
      .orderBy("period_from", "desc")
      .orderBy("indicator_key")
      .orderBy("channel")
      .execute();
    const byOrg = new Map<string, PublishedFigure[]>();
    for (const f of rows.map(toFigure)) byOrg.set(f.orgId, [...(byOrg.get(f.orgId) ?? []), f]);
    const out: OrgFigure[] = [];
    for (const o of slice) {
      for (const f of byOrg.get(o.id) ?? []) out.push({ ...f, orgName: o.name, orgKind: o.kind, siret: o.siret, parentId: o.parent_id });
    }
    yield out;
  }
}

/** The direct children of an organisation, by name (the public page of a network links to them). */
export async function childrenOf(db: Kysely<DB>, orgId: string): Promise<Array<{ id: string; name: string; kind: string }>> {
  return publicationDb(db)
    .selectFrom("organisations")
    .select(["id", "name", "kind"])
    .where("parent_id", "=", orgId)
    .orderBy("name")
    .execute();
}
