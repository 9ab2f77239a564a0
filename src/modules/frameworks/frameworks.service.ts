import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { organisationPath, subtreeIds } from "../organisations/organisations.service.ts";
import { CHANNELS, REQUEST_KINDS } from "./channels.ts";
import { type EffectiveCommitment, effectiveCommitments, replyDelayTarget } from "./effective.ts";
import * as repo from "./frameworks.repository.ts";
import type { LocalCommitmentInput, LocalCommitmentUpdateInput } from "./frameworks.schema.ts";
import * as leverRepo from "./levers.repository.ts";
import { loadReferenceData } from "./reference-data.ts";
import { syncReferenceData } from "./reference-sync.ts";

export type { CommitmentRow, FrameworkSummary, LocalCommitmentRow } from "./frameworks.repository.ts";
export type { Lever, LeverQuery } from "./levers.repository.ts";
export type { EffectiveCommitment };

/** The lever bank is reference data like the frameworks: synced with them, read by the levers module through here. */
export const searchLevers = leverRepo.findLevers;
export const leverCategories = leverRepo.categories;
export const countLevers = leverRepo.countLevers;

/** Loads the reference files into the database if they changed. Called at start-up. */
export async function syncFrameworks(db: Kysely<DB>): Promise<boolean> {
  return syncReferenceData(db, loadReferenceData());
}

export const listFrameworks = repo.listFrameworks;

export interface CommitmentDetails extends repo.CommitmentRow {
  requirements: Array<{ id: string; text: string }>;
  /** The commitments of the other frameworks that carry the same promise. */
  links: Array<{ id: string; relation: string }>;
}

async function withDetails(db: Kysely<DB>, rows: repo.CommitmentRow[]): Promise<CommitmentDetails[]> {
  const ids = rows.map((r) => r.id);
  const [requirements, links] = await Promise.all([repo.requirementsOf(db, ids), repo.linksOf(db, ids)]);
  return rows.map((c) => ({
    ...c,
    requirements: requirements.filter((r) => r.commitment_id === c.id).map((r) => ({ id: r.id, text: r.text })),
    links: links
      .filter((l) => l.from_id === c.id || l.to_id === c.id)
      .map((l) => ({ id: l.from_id === c.id ? l.to_id : l.from_id, relation: l.relation })),
  }));
}

export async function getFramework(db: Kysely<DB>, frameworkId: string) {
  const framework = await repo.findFramework(db, frameworkId);
  if (!framework) throw new AppError("framework.not_found");
  const [themes, commitments] = await Promise.all([repo.themesOf(db, frameworkId), repo.findCommitments(db, { frameworkId })]);
  return { ...framework, themes, commitments: await withDetails(db, commitments) };
}

export async function searchCommitments(db: Kysely<DB>, query: repo.CommitmentQuery): Promise<CommitmentDetails[]> {
  return withDetails(db, await repo.findCommitments(db, query));
}

export async function getCommitment(db: Kysely<DB>, commitmentId: string): Promise<CommitmentDetails> {
  const [row] = await repo.findCommitments(db, { ids: [commitmentId] });
  if (!row) throw new AppError("commitment.not_found");
  const [details] = await withDetails(db, [row]);
  if (!details) throw new AppError("commitment.not_found");
  return details;
}

/**
 * The commitments of `frameworkId` that carry the same promise as `commitmentId` (directly or
 * through a middle version), so data recorded under an older framework reads under the new one.
 */
export async function equivalentIn(db: Kysely<DB>, commitmentId: string, frameworkId: string): Promise<string[]> {
  const seen = new Set([commitmentId]);
  let frontier = [commitmentId];
  for (let step = 0; step < 3 && frontier.length; step++) {
    const links = await repo.linksOf(db, frontier);
    frontier = links.flatMap((l) => [l.from_id, l.to_id]).filter((id) => !seen.has(id));
    for (const id of frontier) seen.add(id);
  }
  return [...seen].filter((id) => id.startsWith(`${frameworkId}/`));
}

/**
 * Like equivalentIn, but only the closest ones: the commitments of `frameworkId` reached in the fewest
 * steps. Comparing a score with last year's under another framework reads these, not every cousin.
 */
export async function closestIn(db: Kysely<DB>, commitmentId: string, frameworkId: string): Promise<string[]> {
  const seen = new Set([commitmentId]);
  let frontier = [commitmentId];
  for (let step = 0; step < 3 && frontier.length; step++) {
    const links = await repo.linksOf(db, frontier);
    frontier = links.flatMap((l) => [l.from_id, l.to_id]).filter((id) => !seen.has(id));
    for (const id of frontier) seen.add(id);
    const found = frontier.filter((id) => id.startsWith(`${frameworkId}/`));
    if (found.length) return [...new Set(found)].sort();
  }
  return [];
}

export interface OrganisationCommitments {
  /** The framework in force, and the organisation that chose it (itself or an ancestor). */
  framework: { id: string; name: string; edition: string; adoptedBy: string; adoptedAt: Date } | null;
  commitments: EffectiveCommitment[];
  /** The organisation's own local commitments, which it may edit. */
  own: repo.LocalCommitmentRow[];
}

async function pathOf(db: Kysely<DB>, orgId: string): Promise<string[]> {
  const path = await organisationPath(db, orgId);
  if (!path) throw new AppError("organisation.not_found");
  return path;
}

export async function organisationCommitments(db: Kysely<DB>, orgId: string, knownPath?: string[]): Promise<OrganisationCommitments> {
  const path = knownPath ?? (await pathOf(db, orgId));
  // The local commitments do not wait for the framework: two chains side by side.
  const [framework, locals] = await Promise.all([
    repo.adoptionOnPath(db, path).then(async (adoption) => {
      const found = adoption ? await repo.findFramework(db, adoption.framework_id) : undefined;
      return found && adoption ? { adoption, found, commitments: await repo.findCommitments(db, { frameworkId: found.id }) } : undefined;
    }),
    repo.localCommitmentsOnPath(db, path),
  ]);
  const distance = (id: string) => path.length - 1 - path.indexOf(id);
  return {
    framework: framework
      ? {
          id: framework.found.id,
          name: framework.found.name,
          edition: framework.found.edition,
          adoptedBy: framework.adoption.org_id,
          adoptedAt: framework.adoption.adopted_at,
        }
      : null,
    commitments: effectiveCommitments(
      framework?.commitments ?? [],
      locals.map((l) => ({ ...l, distance: distance(l.orgId) })),
    ),
    own: locals.filter((l) => l.orgId === orgId),
  };
}

/**
 * The commitments in force for each organisation of a set below `root` (its children, or the sites of
 * its subtree), as `organisationCommitments` gives them one by one, in a number of reads that does not
 * grow with the set: adoptions and local commitments on the root's path and in its subtree, then each
 * framework adopted there once.
 */
export async function commitmentsInScope(
  db: Kysely<DB>,
  root: { id: string; path: string[] },
  orgs: Array<{ id: string; path: string[] }>,
): Promise<Map<string, EffectiveCommitment[]>> {
  const subtree = subtreeIds(db, root.id);
  const [adoptions, locals] = await Promise.all([
    repo.adoptionsAround(db, root.path, subtree),
    repo.localCommitmentsAround(db, root.path, subtree),
  ]);
  const frameworks = new Map<string, repo.CommitmentRow[]>();
  for (const id of new Set(adoptions.map((a) => a.framework_id))) frameworks.set(id, await repo.findCommitments(db, { frameworkId: id }));
  const out = new Map<string, EffectiveCommitment[]>();
  for (const org of orgs) {
    const path = org.path;
    const adoption = [...path]
      .reverse()
      .map((id) => adoptions.find((a) => a.org_id === id))
      .find((a) => a !== undefined);
    const distance = (id: string) => path.length - 1 - path.indexOf(id);
    const mine = locals.filter((l) => path.includes(l.orgId));
    out.set(
      org.id,
      effectiveCommitments(
        adoption ? (frameworks.get(adoption.framework_id) ?? []) : [],
        mine.map((l) => ({ ...l, distance: distance(l.orgId) })),
      ),
    );
  }
  return out;
}

/**
 * The reply delays an organisation's framework states, per channel and kind (« letter|request »), with
 * the commitment that states each: what an organisation inherits where neither it nor an ancestor has
 * announced its own (see the announced-delays module).
 */
export async function frameworkReplyDelays(
  db: Kysely<DB>,
  orgId: string,
  /** The organisation's path, when the caller holds it. */
  path?: string[],
): Promise<Map<string, { value: number; unit: "working_days" | "calendar_days"; commitmentId: string }>> {
  const commitments = (await organisationCommitments(db, orgId, path)).commitments
    .filter((c) => c.source === "framework")
    .map(({ local: _local, ...c }) => ({ ...c, targets: c.frameworkTargets ?? c.targets }));
  const out = new Map<string, { value: number; unit: "working_days" | "calendar_days"; commitmentId: string }>();
  for (const channel of CHANNELS) {
    for (const kind of REQUEST_KINDS) {
      const found = replyDelayTarget(commitments, channel, kind);
      const unit = found?.target.unit;
      if (found && (unit === "working_days" || unit === "calendar_days")) {
        out.set(`${channel}|${kind}`, { value: found.target.value, unit, commitmentId: found.commitmentId });
      }
    }
  }
  return out;
}

export async function adoptFramework(db: Kysely<DB>, actor: Actor, orgId: string, frameworkId: string | undefined): Promise<void> {
  if (frameworkId && !(await repo.findFramework(db, frameworkId))) {
    throw new AppError("validation", { fields: { frameworkId: "Référentiel inconnu." } });
  }
  await db.transaction().execute(async (trx) => {
    const before = await repo.adoptionOnPath(trx, [orgId]);
    const after = frameworkId ? await repo.upsertAdoption(trx, orgId, frameworkId) : await repo.deleteAdoption(trx, orgId);
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: frameworkId ? "update" : "delete",
      entity: "framework_adoption",
      entityId: orgId,
      before: before ?? null,
      after: frameworkId ? after : null,
    });
  });
}

/**
 * A local commitment adds or tightens, never loosens: a tightened target may be no looser than the one
 * it tightens. (Reply delays are the announced-delays module's, which holds them to the framework's.)
 */
async function checkLocal(db: Kysely<DB>, _orgId: string, input: LocalCommitmentInput): Promise<void> {
  if (!input.baseCommitmentId) return;
  const [commitment] = await repo.findCommitments(db, { ids: [input.baseCommitmentId] });
  if (!commitment) throw new AppError("validation", { fields: { baseCommitmentId: "Engagement du référentiel inconnu." } });
  for (const t of input.targets) {
    const same = commitment.targets.find((f) => f.metric === t.metric);
    if (same && t.value > same.value) {
      throw new AppError("validation", {
        fields: { value: `Un engagement local resserre la cible du référentiel (${same.value}) : indiquez une valeur plus exigeante.` },
      });
    }
  }
}

function localValues(input: LocalCommitmentInput): repo.LocalValues {
  return {
    baseCommitmentId: input.baseCommitmentId ?? null,
    title: input.title,
    channels: input.channels,
    targets: input.targets.map((t) => ({ ...t, kinds: t.kinds.length ? t.kinds : undefined })),
  };
}

export async function createLocalCommitment(db: Kysely<DB>, actor: Actor, orgId: string, input: LocalCommitmentInput) {
  await checkLocal(db, orgId, input);
  return db.transaction().execute(async (trx) => {
    const created = await repo.insertLocalCommitment(trx, orgId, localValues(input));
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "create",
      entity: "local_commitment",
      entityId: created.id,
      after: created,
    });
    return created;
  });
}

export async function updateLocalCommitment(db: Kysely<DB>, actor: Actor, orgId: string, id: string, input: LocalCommitmentUpdateInput) {
  await checkLocal(db, orgId, input);
  return db.transaction().execute(async (trx) => {
    const before = await repo.findLocalCommitment(trx, orgId, id);
    if (!before) throw new AppError("local_commitment.not_found");
    const after = await repo.updateLocalCommitment(trx, orgId, id, input.version, localValues(input));
    if (!after) throw new AppError("local_commitment.stale");
    await recordAudit(trx, auditActor(actor), { orgId, action: "update", entity: "local_commitment", entityId: id, before, after });
    return after;
  });
}

export async function deleteLocalCommitment(db: Kysely<DB>, actor: Actor, orgId: string, id: string, version: number) {
  await db.transaction().execute(async (trx) => {
    const before = await repo.findLocalCommitment(trx, orgId, id);
    if (!before) throw new AppError("local_commitment.not_found");
    if (!(await repo.deleteLocalCommitment(trx, orgId, id, version))) throw new AppError("local_commitment.stale");
    await recordAudit(trx, auditActor(actor), { orgId, action: "delete", entity: "local_commitment", entityId: id, before });
  });
}
