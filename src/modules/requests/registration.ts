import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import { notify } from "../alerts/alerts.service.ts";
import { delayPlanner } from "../announced-delays/announced-delays.service.ts";
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
  /** The organisation and its ancestors, whose rollups count the requests. */
  path: string[];
  requests: PlannedRequest[];
}

/** The first day of a date's month: the key of its rollup row. */
export const monthOf = (date: string) => `${date.slice(0, 7)}-01`;

/** The reads of registration: delays per channel and kind (asked once each), calendar, services. */
export async function planRegistrations(
  db: Kysely<DB>,
  orgId: string,
  inputs: RequestCreateInput[],
  /** The organisation, when the caller has just read it. */
  known?: Organisation,
): Promise<RegistrationPlan> {
  const org = known?.id === orgId ? known : await getOrganisation(db, orgId);
  const planner = await delayPlanner(db, org);
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
  return { orgId, path: org.path, requests };
}

/**
 * The writes of registration. Give it a transaction: each request takes its receipt number, its
 * "created" event, and the rollups get one change per month, channel and kind.
 */
export async function writeRegistrations(trx: Kysely<DB>, plan: RegistrationPlan, options: RegisterOptions): Promise<Registered[]> {
  const { orgId } = plan;
  const registered: Registered[] = [];
  const rollup = new Map<
    string,
    { month: string; channel: string; kind: string; received: number; receivedWithoutTarget: number; acknowledgementOwed: number }
  >();
  // An imported register is history: Vigie sent none of its acknowledgements and raises no alert for it.
  const imported = options.source === "import";
  const secret = await trackingSecret(trx);
  for (const { input, target, commitmentId, dueOn } of plan.requests) {
    const trackingToken = randomBytes(18).toString("base64url");
    const number = await repo.nextNumber(trx, orgId, Number(input.receivedOn.slice(0, 4)));
    const request = await repo.insertRequest(trx, orgId, {
      number,
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
      tracking_token_hash: hashTrackingToken(trackingToken),
    });
    await repo.insertEvent(trx, orgId, request.id, {
      actorId: options.author.accountId,
      actorLabel: options.author.label,
      type: "created",
      toStatus: "received",
      data: { source: options.source, dueOn },
    });
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
    if (input.kind === "complaint" && !imported) {
      // In the registration's transaction: the correspondents hear of a complaint that is really recorded.
      await notify(trx, {
        orgId,
        kind: "complaint_received",
        key: request.id,
        subject: { type: "request", id: request.id },
        title: `Réclamation reçue : demande ${number}`,
        // No subject or name in the alert: it leaves by e-mail and stays in the notifications, out of
        // reach of the retention job and of an erasure request (data minimisation). The link opens it.
        text: `Une réclamation a été enregistrée sous le numéro ${number}.`,
        link: `/organisations/${orgId}/requests/${request.id}`,
      });
    }
    registered.push({ request, trackingToken, trackingCode: codeFromSecret(secret, request.id) });
  }
  for (const delta of rollup.values()) await repo.applyRollup(trx, plan.path, delta);
  return registered;
}

/** Registers every input or none, in one transaction. */
export async function registerRequests(
  db: Kysely<DB>,
  orgId: string,
  inputs: RequestCreateInput[],
  options: RegisterOptions,
): Promise<Registered[]> {
  const plan = await planRegistrations(db, orgId, inputs);
  return db.transaction().execute((trx) => writeRegistrations(trx, plan, options));
}
