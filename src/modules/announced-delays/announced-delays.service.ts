import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { formatDelay } from "../../ui/format.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { organisationCalendars, type WorkingDayCalendar } from "../calendar/calendar.service.ts";
import type { Channel, RequestKind } from "../frameworks/channels.ts";
import { frameworkReplyDelays } from "../frameworks/frameworks.service.ts";
import { getOrganisation, type Organisation, organisationsById } from "../organisations/organisations.service.ts";
import * as repo from "./announced-delays.repository.ts";
import type { DelayCellInput } from "./announced-delays.schema.ts";
import { type AnnouncedDelay, cellKey, type Delay, delayInDays, resolveDelays } from "./announced-delays.ts";

export type { AnnouncedDelay, Delay };

/** The fifteen delays an organisation announces, each with where it comes from. A fixed number of queries, whatever the tree. */
export async function announcedDelays(db: Kysely<DB>, orgId: string): Promise<AnnouncedDelay[]> {
  const org = await getOrganisation(db, orgId);
  return resolveFor(db, org);
}

type FrameworkDelays = Awaited<ReturnType<typeof frameworkReplyDelays>>;

/** `framework`: the framework's delays when the caller reads them too (registration needs them for each cell's commitment). */
async function resolveFor(db: Kysely<DB>, org: Organisation, framework?: Promise<FrameworkDelays>): Promise<AnnouncedDelay[]> {
  const [rows, frameworkDelays, nodes] = await Promise.all([
    repo.rowsOnPath(db, org.path),
    framework ?? frameworkReplyDelays(db, org.id, org.path),
    organisationsById(db, org.path),
  ]);
  const path = org.path.map((id) => ({ id, name: nodes.get(id)?.name ?? "" }));
  const fromFramework = new Map(
    [...frameworkDelays].map(([key, f]) => [key, { delay: { value: f.value, unit: f.unit }, commitmentId: f.commitmentId }]),
  );
  return resolveDelays(path, rows, fromFramework);
}

/** Sets an organisation's own delays: the cells given with a value; every other cell inherits again. */
export async function setAnnouncedDelays(db: Kysely<DB>, actor: Actor, orgId: string, cells: DelayCellInput[]): Promise<AnnouncedDelay[]> {
  const own = cells.flatMap((c) =>
    c.value !== null && c.unit ? [{ channel: c.channel, kind: c.kind, value: c.value, unit: c.unit }] : [],
  );
  // The framework's text is a promise to the public: an organisation may announce shorter, never longer
  // (compared on a common scale, so a change of unit is no way round it).
  const framework = await frameworkReplyDelays(db, orgId);
  const errors: Record<string, string> = {};
  for (const c of own) {
    const text = framework.get(cellKey(c.channel, c.kind));
    if (text && delayInDays(c) > delayInDays(text)) {
      errors[`value-${c.channel}-${c.kind}`] =
        `Le référentiel promet ${formatDelay(text.value, text.unit)} : le délai annoncé ne peut être plus long.`;
    }
  }
  if (Object.keys(errors).length) throw new AppError("validation", { fields: errors });
  await db.transaction().execute(async (trx) => {
    const before = (await repo.rowsOnPath(trx, [orgId])).map(({ orgId: _o, ...r }) => r);
    await repo.replaceOwn(trx, orgId, own);
    await recordAudit(trx, auditActor(actor), { orgId, action: "update", entity: "announced_delays", entityId: orgId, before, after: own });
  });
  return announcedDelays(db, orgId);
}

/** What registration needs: the delay of each cell, the commitment it answers to, and the calendars to count it in. */
export interface DelayPlanner {
  delayFor(channel: Channel, kind: RequestKind): { delay: Delay; commitmentId: string | null } | undefined;
  /** Monday to Friday (ouvrés) and Monday to Saturday (ouvrables), without holidays and closures. */
  calendars: { working: WorkingDayCalendar; business: WorkingDayCalendar };
}

/** Read once for a request or a whole register: the organisation's delays and its two calendars. */
export async function delayPlanner(db: Kysely<DB>, org: Organisation): Promise<DelayPlanner> {
  // Each read once: the framework's delays serve both the resolution and the commitment of each cell, and
  // the two calendars share their closures (a registration is the hottest write; issue #13).
  const reading = frameworkReplyDelays(db, org.id, org.path);
  const [framework, delays, { working, business }] = await Promise.all([
    reading,
    resolveFor(db, org, reading),
    organisationCalendars(db, org),
  ]);
  const cells = new Map(delays.map((d) => [cellKey(d.channel, d.kind), d]));
  return {
    delayFor(channel, kind) {
      const cell = cells.get(cellKey(channel, kind));
      if (!cell?.delay) return undefined;
      // The commitment a delay answers to: the framework's for that cell, whoever set the value.
      return { delay: cell.delay, commitmentId: framework.get(cellKey(channel, kind))?.commitmentId ?? null };
    },
    calendars: { working, business },
  };
}

/** What each cell would be if the organisation set none itself: its ancestors', else its framework's. */
export async function inheritedDelays(db: Kysely<DB>, orgId: string): Promise<AnnouncedDelay[]> {
  const org = await getOrganisation(db, orgId);
  const all = await resolveFor(db, org);
  const parent = org.path.length > 1 ? await getOrganisation(db, org.path[org.path.length - 2] ?? "") : undefined;
  if (!parent) {
    const framework = await frameworkReplyDelays(db, orgId);
    return all.map((d) => {
      const f = framework.get(cellKey(d.channel, d.kind));
      return f
        ? { ...d, delay: { value: f.value, unit: f.unit }, source: { kind: "framework", commitmentId: f.commitmentId } }
        : { ...d, delay: null, source: { kind: "none" } };
    });
  }
  // The parent's own resolution, read as inherited: its own values become « hérité de … ».
  return (await resolveFor(db, parent)).map((d) =>
    d.source.kind === "own" ? { ...d, source: { kind: "parent", orgId: parent.id, orgName: parent.name } } : d,
  );
}
