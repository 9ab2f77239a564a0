import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import { type SettingsEpoch, settingsCache, settingsEpoch } from "../../kernel/settings-epoch.ts";
import { notify } from "../alerts/alerts.service.ts";
import { type DelayPlanner, delayPlanner } from "../announced-delays/announced-delays.service.ts";
import type { AuditActor } from "../audit/audit.service.ts";
import { getOrganisation, type Organisation } from "../organisations/organisations.service.ts";
import { owesAcknowledgement } from "./acknowledgement-delay.ts";
import { type Delay, dueDate } from "./due-date.ts";
import * as repo from "./requests.repository.ts";
import type { RequestCreateInput } from "./requests.schema.ts";
import { codeFromSecret, trackingSecret } from "./tracking-code.ts";

/*
 * Registration, in two halves: what only reads (the announced delays, the calendar, the services)
 * is worked out first, outside any transaction; the writes then run on the executor the caller
 * gives, so one request (registerRequest) or a whole register (the import) share the same code and
 * the caller's transaction.
 */

export interface Registered {
  request: repo.RequestRecord;
  /** Given once, in the acknowledgement: with the receipt number it opens the public tracking page. */
  trackingToken: string;
  /** The short code typed on /track with the number (derived, see tracking-code.ts), without dash. */
  trackingCode: string;
}

export function hashTrackingToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export interface RegisterOptions {
  source: "agent" | "public" | "import";
  author: AuditActor;
}

/** One request with its deadline worked out, ready to be written. */
export interface PlannedRequest {
  input: RequestCreateInput;
  target: Delay | undefined;
  commitmentId: string | null;
  dueOn: string | null;
}

export interface RegistrationPlan {
  orgId: string;
  /** The organisation, as read with its delays. */
  org: Organisation;
  /** The settings epoch the plan was made at: the writes' webhooks read their endpoints at the same one. */
  epoch: SettingsEpoch;
  /**
   * Whether the write checks that epoch is still the current one (one request; see `StaleSettings`): the plan
   * was made at an epoch given by the caller, which may be older than the settings' last change.
   */
  checked: boolean;
  /** The organisation and its ancestors, whose rollups count the requests. */
  path: string[];
  requests: PlannedRequest[];
  /** The instance key of the tracking codes, read before the transaction (kept in memory once read). */
  secret: Buffer;
}

/** The first day of a date's month: the key of its rollup row. */
export const monthOf = (date: string) => `${date.slice(0, 7)}-01`;

/*
 * What a registration reads of the organisation — itself, its framework's delays and commitments, the
 * delays announced on its path, its closures: nine statements, the same for every request of the site until
 * someone changes a setting. Kept per organisation while the settings epoch stays (kernel/settings-epoch.ts):
 * a registration then reads one row before its writes, on any of several servers.
 */
const planners = settingsCache<{ org: Organisation; planner: DelayPlanner }>();

/**
 * A setting changed between the plan and the write (a delay, a closure, a webhook endpoint…): nothing was
 * written. Thrown by a checked write, inside its transaction, which it undoes; the caller plans again at the
 * current epoch (`settingsEpoch`) and writes again.
 */
export class StaleSettings extends Error {
  constructor() {
    super("Un réglage a changé pendant l'enregistrement : il est repris avec les réglages du moment.");
  }
}

/**
 * The reads of registration: delays per channel and kind (asked once each), calendar, services. At the epoch
 * `at` when given — the last this process saw (`lastSettingsEpoch`), which spares reading it — and the write then
 * checks it is still current (`StaleSettings` otherwise); else at the epoch read now, unchecked.
 */
export async function planRegistrations(
  db: Kysely<DB>,
  orgId: string,
  inputs: RequestCreateInput[],
  at?: SettingsEpoch,
): Promise<RegistrationPlan> {
  // Only one request's write checks the epoch (request_register, migration 0038); a register's reads it first.
  if (at !== undefined && inputs.length !== 1) throw new Error("une seule demande s'écrit à une époque vérifiée");
  const epoch = at ?? (await settingsEpoch(db));
  const { org, planner } = await planners.get(db, epoch, orgId, async () => {
    const org = await getOrganisation(db, orgId);
    return { org, planner: await delayPlanner(db, org) };
  });
  const services = new Set<string>();
  const requests: PlannedRequest[] = [];
  for (const input of inputs) {
    if (input.serviceId && !services.has(input.serviceId)) {
      const service = await getOrganisation(db, input.serviceId).catch(() => undefined);
      if (!service?.path.includes(orgId)) {
        throw new AppError("validation", { fields: { serviceId: "Ce service n'appartient pas à l'organisation." } });
      }
      services.add(input.serviceId);
    }
    const announced = planner.delayFor(input.channel, input.kind);
    requests.push({
      input,
      target: announced?.delay,
      commitmentId: announced?.commitmentId ?? null,
      dueOn: announced ? dueDate(input.receivedOn, announced.delay, planner.calendars) : null,
    });
  }
  return { orgId, org, epoch, checked: at !== undefined, path: org.path, requests, secret: await trackingSecret(db) };
}

/** Requests written; their rollups not yet counted. */
export interface Written {
  registered: Registered[];
  /**
   * Counts the requests in the rollups of the site and of every ancestor up to the network. Call it as
   * the transaction's last write: it locks the network's rollup row until the commit, and every other
   * registration of the network for the same month, channel and kind waits on that lock (issue #13,
   * 16 clients registering at once), so the less comes after it, the shorter the wait.
   */
  countInRollups(): Promise<void>;
}

/**
 * The writes of registration. Give it a transaction: the requests take their receipt numbers (one
 * reservation per year), are written with their "created" events a thousand per statement, and the
 * rollups get one change per month, channel and kind — a register of 10,000 rows costs a few dozen
 * statements, not 30,000 (issue #13: the import ran at 3 % of a COPY of the same rows).
 */
export async function writeRegistrations(trx: Kysely<DB>, plan: RegistrationPlan, options: RegisterOptions): Promise<Written> {
  const { orgId, secret } = plan;
  // An imported register is history: Vigie sent none of its acknowledgements and raises no alert for it.
  const imported = options.source === "import";
  const tokens = plan.requests.map(() => randomBytes(18).toString("base64url"));
  const values = plan.requests.map(({ input, target, commitmentId, dueOn }, i) => ({
    kind: input.kind,
    channel: input.channel,
    status: "received",
    source: options.source,
    subject: input.subject,
    body: input.body ?? "",
    requester_name: input.requesterName ?? null,
    requester_email: input.requesterEmail ?? null,
    requester_phone: input.requesterPhone ?? null,
    requester_address: input.requesterAddress ?? null,
    received_on: input.receivedOn,
    target_value: target?.value ?? null,
    target_unit: target?.unit ?? null,
    commitment_id: commitmentId,
    due_on: dueOn,
    announced_on: null,
    paused_since: null,
    service_id: input.serviceId ?? null,
    assignee_id: null,
    answered_on: null,
    response_days: null,
    closed_on: null,
    tracking_token_hash: hashTrackingToken(tokens[i] ?? ""),
  }));
  const created = { actorId: options.author.accountId, actorLabel: options.author.label };
  // One request (a form, the API, a mail): one statement. A register: numbers reserved a year at a time,
  // then a thousand rows per statement.
  const one = values.length === 1 ? values[0] : undefined;
  const requests = one
    ? [
        await repo
          .insertCreatedRequest(
            trx,
            orgId,
            one,
            created,
            { path: plan.path, acknowledgementOwed: !imported && owesAcknowledgement(one.channel) },
            plan.checked ? plan.epoch : null,
          )
          .then((written) => {
            if (written) return written;
            if (plan.checked) throw new StaleSettings();
            throw new Error("Demande non relue après son écriture.");
          }),
      ]
    : await numbersFor(trx, orgId, plan.requests).then((numbers) =>
        repo.insertCreatedRequests(
          trx,
          orgId,
          values.map((v, i) => ({ ...v, number: numbers[i] ?? "" })),
          created,
        ),
      );
  for (const request of requests) {
    if (request.kind !== "complaint" || imported) continue;
    // In the registration's transaction: the correspondents hear of a complaint that is really recorded.
    await notify(trx, {
      orgId,
      kind: "complaint_received",
      key: request.id,
      subject: { type: "request", id: request.id },
      title: `Réclamation reçue : demande ${request.number}`,
      // No subject or name in the alert: it leaves by e-mail and stays in the notifications, out of
      // reach of the retention job and of an erasure request (data minimisation). The link opens it.
      text: `Une réclamation a été enregistrée sous le numéro ${request.number}.`,
      link: `/organisations/${orgId}/requests/${request.id}`,
    });
  }
  return {
    registered: requests.map((request, i) => ({
      request,
      trackingToken: tokens[i] ?? "",
      trackingCode: codeFromSecret(secret, request.id),
    })),
    countInRollups: async () => {
      // One request's count already waits for the next read (request_register): nothing locked here.
      if (one) return;
      // In the rollup's lock order (byRollupLockOrder), as every other writer of these rows.
      const deltas = [...rollupDeltas(plan.requests, imported)].sort(repo.byRollupLockOrder);
      for (const delta of deltas) await repo.applyRollup(trx, plan.path, delta);
    },
  };
}

/** The receipt numbers of the planned requests, in their order: one reservation per year of reception. */
async function numbersFor(trx: Kysely<DB>, orgId: string, requests: PlannedRequest[]): Promise<string[]> {
  const perYear = new Map<number, number>();
  for (const { input } of requests) {
    const year = Number(input.receivedOn.slice(0, 4));
    perYear.set(year, (perYear.get(year) ?? 0) + 1);
  }
  const reserved = new Map<number, string[]>();
  // Years in order, so two imports reserving the same years take the counters' row locks in one order.
  for (const year of [...perYear.keys()].sort((a, b) => a - b)) {
    reserved.set(year, (await repo.reserveNumbers(trx, orgId, year, perYear.get(year) ?? 0)).reverse());
  }
  return requests.map(({ input }) => reserved.get(Number(input.receivedOn.slice(0, 4)))?.pop() ?? "");
}

/** One rollup change per month, channel and kind of the planned requests. */
function rollupDeltas(requests: PlannedRequest[], imported: boolean) {
  const rollup = new Map<
    string,
    { month: string; channel: string; kind: string; received: number; receivedWithoutTarget: number; acknowledgementOwed: number }
  >();
  for (const { input, target } of requests) {
    const month = monthOf(input.receivedOn);
    const key = `${month}|${input.channel}|${input.kind}`;
    const cell = rollup.get(key) ?? {
      month,
      channel: input.channel,
      kind: input.kind,
      received: 0,
      receivedWithoutTarget: 0,
      acknowledgementOwed: 0,
    };
    cell.received++;
    if (!target) cell.receivedWithoutTarget++;
    if (!imported && owesAcknowledgement(input.channel)) cell.acknowledgementOwed++;
    rollup.set(key, cell);
  }
  return rollup.values();
}

/** Registers every input or none, in one transaction. */
export async function registerRequests(
  db: Kysely<DB>,
  orgId: string,
  inputs: RequestCreateInput[],
  options: RegisterOptions,
): Promise<Registered[]> {
  const plan = await planRegistrations(db, orgId, inputs);
  return db.transaction().execute(async (trx) => {
    const { registered, countInRollups } = await writeRegistrations(trx, plan, options);
    await countInRollups();
    return registered;
  });
}
