/** The statuses of an action, their French words, and what counts as late. Pure. */
export const ACTION_STATUSES = ["todo", "doing", "done", "dropped"] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  todo: "À lancer",
  doing: "En cours",
  done: "Aboutie",
  dropped: "Abandonnée",
};

export function isActionStatus(value: unknown): value is ActionStatus {
  return typeof value === "string" && (ACTION_STATUSES as readonly string[]).includes(value);
}

/** An action still to do whose due date has passed (the due day itself is not late). */
export function isOverdue(a: { status: ActionStatus; dueOn: string | null }, today: string): boolean {
  return (a.status === "todo" || a.status === "doing") && a.dueOn !== null && a.dueOn < today;
}

/** Share of the plan done, dropped actions left out: they were decided against, not failed. */
export function doneShare(counts: Partial<Record<ActionStatus, number>>): number | null {
  const kept = (counts.todo ?? 0) + (counts.doing ?? 0) + (counts.done ?? 0);
  return kept ? (counts.done ?? 0) / kept : null;
}
