import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { queueEmail } from "../mail/mail.service.ts";
import type { EscalatedRequest } from "./escalation.repository.ts";

/**
 * Tells the new holder of an escalated request. The one place escalation speaks to people: for now an
 * e-mail through the outbox (in the job's transaction, so it goes out if and only if the step is recorded);
 * the alerts module's notify() is meant to take its place.
 */
export async function tellNewHolder(db: Kysely<DB>, step: EscalatedRequest): Promise<void> {
  const days = step.lateDays > 1 ? `${step.lateDays} jours ouvrés` : "1 jour ouvré";
  const role = step.level === 1 ? "en tant que référent du service" : "en tant que correspondant du site";
  await queueEmail(db, {
    orgId: step.orgId,
    // Not tied to the request: its page lists the e-mails to the requester, and this one is for staff (like the digest).
    requestId: null,
    kind: "escalation",
    to: step.holderEmail,
    subject: `Vigie — demande ${step.number} en retard, transmise à vous`,
    text: [
      `Bonjour ${step.holderName},`,
      "",
      `La demande ${step.number} (« ${step.subject} ») a dépassé son échéance de ${days}. Elle vous est transmise ${role}.`,
      "Vous la trouverez dans la file « Mes demandes » de Vigie.",
      "",
      "Vigie",
    ].join("\n"),
  });
}
