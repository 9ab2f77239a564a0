import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { notify } from "../alerts/alerts.service.ts";
import type { EscalatedRequest } from "./escalation.repository.ts";

/**
 * Tells the new holder of an escalated request: an alert `request_escalated` to that person alone, in the
 * job's transaction (so it is announced if and only if the step is recorded). The alert goes to their
 * notifications and, as they chose, by e-mail at once or in the daily digest; the key (request and step)
 * makes it once per step.
 */
export async function tellNewHolder(db: Kysely<DB>, step: EscalatedRequest): Promise<void> {
  const days = step.lateDays > 1 ? `${step.lateDays} jours ouvrés` : "1 jour ouvré";
  const role = step.level === 1 ? "en tant que référent du service" : "en tant que correspondant du site";
  await notify(db, {
    orgId: step.orgId,
    kind: "request_escalated",
    key: `${step.requestId}:${step.level}`,
    subject: { type: "request", id: step.requestId },
    recipients: [step.holderId],
    title: `Demande ${step.number} en retard, transmise à vous`,
    // No subject: see registration.ts (an alert never carries what the requester wrote).
    text: `La demande ${step.number} a dépassé son échéance de ${days}. Elle vous est transmise ${role} ; vous la trouverez dans la file « Mes demandes ».`,
    link: `/organisations/${step.orgId}/requests/${step.requestId}`,
  });
}
