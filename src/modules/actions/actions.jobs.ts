import type { DigestSection } from "../../kernel/digest.ts";
import { CHANNEL_LABELS } from "../frameworks/channels.ts";
import { ACTION_STATUS_LABELS } from "./action-status.ts";
import { overdueActions } from "./actions.service.ts";
import { formatDay } from "./actions.views.tsx";

/** The plan's part of the daily reminder: actions still to do whose due date has passed (handed in by actions.module.ts). */
export const actionsDigestSection: DigestSection = async (db, { orgIds, date }) => {
  const late = await overdueActions(db, orgIds, date);
  if (!late.length) return null;
  const line = (a: (typeof late)[number]) =>
    `- Action ${a.number} (${a.orgName}) — « ${a.title} » — ${ACTION_STATUS_LABELS[a.status].toLowerCase()}${a.channel ? `, ${CHANNEL_LABELS[a.channel].toLowerCase()}` : ""}${a.owner ? `, responsable : ${a.owner}` : ""} — échéance le ${formatDay(a.dueOn)}`;
  return `Actions du plan en retard (${late.length}) :\n${late.map(line).join("\n")}`;
};
