import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { acknowledgedInTime } from "./acknowledgement-delay.ts";
import { monthOf } from "./registration.ts";
import * as repo from "./requests.repository.ts";

/**
 * The rollup changes behind the two indicators of issue #15 point 5, each made once per request by a
 * guarded update (see migration 0028), in the transaction of the write that causes it.
 */

/** The first acknowledgement of a request (e-mailed, or printed for the post): counted if within its delay. */
export async function countFirstAcknowledgement(db: Kysely<DB>, path: string[], request: repo.RequestRecord, day: string): Promise<void> {
  const first = await repo.setFirstDay(db, request.orgId, request.id, "acknowledged_on", day);
  // An imported request is not in the denominator (registration.ts): its late acknowledgement is not counted either.
  if (!first || request.source === "import" || !acknowledgedInTime(first.channel, first.receivedOn, day)) return;
  await repo.applyRollup(db, path, { month: monthOf(first.receivedOn), channel: first.channel, kind: first.kind, acknowledgedInTime: 1 });
}

/** The first holding reply: only its day is kept; it counts when the request turns out late. */
export async function noteFirstHolding(db: Kysely<DB>, request: repo.RequestRecord, day: string): Promise<void> {
  await repo.setFirstDay(db, request.orgId, request.id, "holding_on", day);
}

/**
 * An answer given past the deadline: the request joins the late ones (unless the daily job already counted
 * it, open past its deadline), with a holding reply if one went out by the deadline.
 */
export async function countLateAnswer(db: Kysely<DB>, path: string[], request: repo.RequestRecord, answeredOn: string): Promise<void> {
  if (request.dueOn === null || answeredOn <= request.dueOn) return;
  const marked = await repo.markLateCounted(db, request.orgId, request.id);
  if (!marked) return;
  const held = marked.holdingOn !== null && marked.dueOn !== null && marked.holdingOn <= marked.dueOn;
  await repo.applyRollup(db, path, {
    month: monthOf(marked.receivedOn),
    channel: marked.channel,
    kind: marked.kind,
    late: 1,
    lateWithHolding: held ? 1 : 0,
  });
}
