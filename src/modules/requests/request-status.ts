/** The life of a request: statuses, the moves allowed between them, and their French names. Pure. */
export const STATUSES = ["received", "acknowledged", "in_progress", "waiting", "answered", "closed"] as const;
export type RequestStatus = (typeof STATUSES)[number];

export const STATUS_LABELS: Record<RequestStatus, string> = {
  received: "Reçue",
  // Whether the e-mail of the acknowledgement or the answer actually left is the outbox's to say, shown beside.
  acknowledged: "Réception accusée",
  in_progress: "En cours de traitement",
  waiting: "En attente de l'usager",
  answered: "Répondue",
  closed: "Clôturée",
};

const MOVES: Record<RequestStatus, readonly RequestStatus[]> = {
  received: ["acknowledged", "in_progress", "waiting", "answered", "closed"],
  acknowledged: ["in_progress", "waiting", "answered", "closed"],
  in_progress: ["waiting", "answered", "closed"],
  waiting: ["in_progress", "answered", "closed"],
  // Reopening is allowed: a requester may come back on an answer.
  answered: ["closed", "in_progress"],
  closed: ["in_progress"],
};

export function canMove(from: RequestStatus, to: RequestStatus): boolean {
  return MOVES[from].includes(to);
}

export function nextStatuses(from: RequestStatus): readonly RequestStatus[] {
  return MOVES[from];
}

export const OPEN_STATUSES: readonly RequestStatus[] = ["received", "acknowledged", "in_progress", "waiting"];

export function isOpen(status: RequestStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

export function isStatus(value: string): value is RequestStatus {
  return (STATUSES as readonly string[]).includes(value);
}
