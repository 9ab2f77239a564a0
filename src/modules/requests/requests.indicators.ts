import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Channel } from "../frameworks/channels.ts";
import { byOrg, mapGroups } from "../indicators/by-org.ts";
import type { IndicatorBatchSource, IndicatorSource, IndicatorValue, Period } from "../indicators/indicator.ts";
import { type DelayFigures, delayFiguresOf } from "./indicators.ts";
import * as repo from "./requests.repository.ts";

/** The commitments a reply delay answers to, all channels together, then per channel. */
const IN_TIME_COMMITMENTS = ["sp+2023/4", "sp+2021/5", "marianne-2016/7", "marianne-2008/10", "marianne-2008/11", "marianne-2008/13"];
const CHANNEL_COMMITMENTS: Record<Channel, string[]> = {
  letter: ["sp+2021/5", "marianne-2016/7", "marianne-2008/10"],
  email: ["sp+2021/5", "marianne-2016/7", "marianne-2008/11"],
  web: ["sp+2021/5", "marianne-2016/7"],
  counter: ["sp+2021/5"],
  phone: ["sp+2021/5"],
};

function inTime(f: DelayFigures, commitments: string[], channel: Channel | null): IndicatorValue {
  return {
    key: "requests.answered_in_time",
    label: "Demandes traitées dans le délai annoncé",
    unit: "share",
    value: f.inTimeRate,
    // Each request carries its own announced delay: the promise is that all are answered in time.
    target: 1,
    better: "higher",
    sample: f.answeredWithTarget,
    commitments,
    channel,
  };
}

const SUGGESTION_COMMITMENTS = ["marianne-2008/13", "sp+2021/7", "sp+2023/7"];

const monthsOf = (period: Period) => [`${period.from.slice(0, 7)}-01`, `${period.to.slice(0, 7)}-01`] as const;

/** Requests, complaints and suggestions: share answered in time, overall and per channel, and the median delay. */
export const requestIndicatorSource: IndicatorSource = async (db: Kysely<DB>, orgId: string, period: Period) =>
  requestValues(delayFiguresOf(await repo.rollupRows(db, orgId, ...monthsOf(period))));

/** The same for every organisation of a scope: one read of their rollup rows, grouped here. */
export const requestIndicatorBatch: IndicatorBatchSource = async (db, scope, period) => {
  const rows = await repo.rollupRowsInScope(db, scope, ...monthsOf(period));
  return mapGroups(
    byOrg(rows, (r) => r.org_id),
    (list) => requestValues(delayFiguresOf(list)),
  );
};

function requestValues(figures: ReturnType<typeof delayFiguresOf>): IndicatorValue[] {
  const out: IndicatorValue[] = [inTime(figures.total, IN_TIME_COMMITMENTS, null)];
  for (const row of figures.byChannel) {
    const channel = row.channel as Channel;
    out.push(inTime(row, CHANNEL_COMMITMENTS[channel] ?? ["sp+2021/5"], channel));
  }
  const complaints = figures.byKind.find((k) => k.kind === "complaint");
  if (complaints)
    out.push({
      ...inTime(complaints, ["marianne-2008/13", "sp+2021/5"], null),
      key: "requests.complaints_in_time",
      label: "Réclamations traitées dans le délai annoncé",
    });
  // Suggestions: Marianne answered them within 15 working days (2008, n° 13); Services Publics+ asks that
  // users' opinions be answered and feed the action plan (engagement 7).
  const suggestions = figures.byKind.find((k) => k.kind === "suggestion");
  if (suggestions)
    out.push(
      {
        ...inTime(suggestions, SUGGESTION_COMMITMENTS, null),
        key: "requests.suggestions_in_time",
        label: "Suggestions ayant reçu une réponse dans le délai annoncé",
      },
      {
        key: "requests.suggestions_received",
        label: "Suggestions reçues",
        unit: "count",
        value: suggestions.received,
        target: null,
        better: "higher",
        sample: suggestions.received,
        commitments: SUGGESTION_COMMITMENTS,
        channel: null,
      },
    );
  out.push({
    key: "requests.median_delay",
    label: "Délai médian de réponse (jours ouvrés)",
    unit: "days",
    value: figures.total.medianDays,
    target: null,
    better: "lower",
    sample: figures.total.answered,
    commitments: IN_TIME_COMMITMENTS,
    channel: null,
  });
  out.push({
    key: "requests.received_without_delay",
    label: "Demandes reçues sans délai annoncé",
    unit: "count",
    value: figures.total.receivedWithoutTarget,
    // Services Publics+ asks each service to announce a delay on every channel: none should lack one.
    target: 0,
    better: "lower",
    sample: figures.total.received,
    commitments: IN_TIME_COMMITMENTS,
    channel: null,
  });
  const acknowledgementCommitments = ["sp+2023/4", "sp+2021/5", "marianne-2016/7"];
  out.push({
    key: "requests.acknowledged_in_time",
    // Services Publics+: a week for an e-mail or a web form, two weeks for a letter (calendar days from reception).
    label: "Accusés de réception envoyés dans leur délai",
    unit: "share",
    value: figures.total.acknowledgedInTimeRate,
    target: 1,
    better: "higher",
    sample: figures.total.acknowledgementOwed,
    commitments: acknowledgementCommitments,
    channel: null,
  });
  out.push({
    key: "requests.holding_reply_before_deadline",
    // Among the requests answered after their due date or still open past it: a holding reply sent by the due date.
    label: "Demandes en retard ayant reçu une réponse d'attente avant l'échéance",
    unit: "share",
    value: figures.total.holdingRate,
    target: 1,
    better: "higher",
    sample: figures.total.late,
    commitments: acknowledgementCommitments,
    channel: null,
  });
  out.push({
    key: "requests.received",
    label: "Demandes reçues",
    unit: "count",
    value: figures.total.received,
    target: null,
    better: "higher",
    sample: figures.total.received,
    commitments: [],
    channel: null,
  });
  return out;
}
