import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { localDay } from "../../kernel/time.ts";
import { getOrganisation, subtreeIds } from "../organisations/organisations.service.ts";
import { HISTOGRAM_SIZE, percentile } from "./due-date.ts";
import * as repo from "./requests.repository.ts";

/** Reply-time indicators of an organisation's subtree, read from the rollup, never from the requests. */
export interface DelayFigures {
  received: number;
  /** Received with no announced delay for their channel and kind: no due date, never late. */
  receivedWithoutTarget: number;
  answered: number;
  /** Answers to requests that had an announced delay: requests at the counter or on the phone often have none. */
  answeredWithTarget: number;
  answeredInTime: number;
  /** Share of those answered within the announced delay, null when there is none. */
  inTimeRate: number | null;
  medianDays: number | null;
  p90Days: number | null;
  /** Received by e-mail, web form or letter: owed an acknowledgement (Services Publics+). */
  acknowledgementOwed: number;
  /** Of those, acknowledged within a week (e-mail, web) or two weeks (letter) of their reception. */
  acknowledgedInTime: number;
  acknowledgedInTimeRate: number | null;
  /** Answered past their due date, or still open past it (counted the day after the deadline). */
  late: number;
  /** Of those, with a holding reply sent by the due date. */
  lateWithHolding: number;
  holdingRate: number | null;
}

export interface RequestIndicators {
  from: string;
  to: string;
  total: DelayFigures;
  byMonth: Array<{ month: string } & DelayFigures>;
  byChannel: Array<{ channel: string } & DelayFigures>;
  byKind: Array<{ kind: string } & DelayFigures>;
  backlog: { open: number; overdue: number; asOf: string };
}

interface Acc {
  received: number;
  receivedWithoutTarget: number;
  answered: number;
  answeredWithTarget: number;
  answeredInTime: number;
  histogram: number[];
  acknowledgementOwed: number;
  acknowledgedInTime: number;
  late: number;
  lateWithHolding: number;
}

const empty = (): Acc => ({
  received: 0,
  receivedWithoutTarget: 0,
  answered: 0,
  answeredWithTarget: 0,
  answeredInTime: 0,
  histogram: Array(HISTOGRAM_SIZE).fill(0),
  acknowledgementOwed: 0,
  acknowledgedInTime: 0,
  late: 0,
  lateWithHolding: 0,
});

function add(
  acc: Acc,
  row: {
    channel: string;
    acknowledged_in_time: number;
    acknowledgement_owed: number;
    late: number;
    late_with_holding: number;
    received: number;
    received_without_target: number;
    answered: number;
    answered_with_target: number;
    answered_in_time: number;
    delay_histogram: number[];
  },
) {
  acc.received += row.received;
  acc.receivedWithoutTarget += row.received_without_target;
  acc.answered += row.answered;
  acc.answeredWithTarget += row.answered_with_target;
  acc.answeredInTime += row.answered_in_time;
  acc.acknowledgementOwed += row.acknowledgement_owed;
  acc.acknowledgedInTime += row.acknowledged_in_time;
  acc.late += row.late;
  acc.lateWithHolding += row.late_with_holding;
  row.delay_histogram.forEach((n, i) => {
    acc.histogram[i] = (acc.histogram[i] ?? 0) + n;
  });
}

function figures(acc: Acc): DelayFigures {
  return {
    received: acc.received,
    receivedWithoutTarget: acc.receivedWithoutTarget,
    answered: acc.answered,
    answeredWithTarget: acc.answeredWithTarget,
    answeredInTime: acc.answeredInTime,
    inTimeRate: acc.answeredWithTarget ? acc.answeredInTime / acc.answeredWithTarget : null,
    medianDays: percentile(acc.histogram, 50),
    p90Days: percentile(acc.histogram, 90),
    acknowledgementOwed: acc.acknowledgementOwed,
    acknowledgedInTime: acc.acknowledgedInTime,
    acknowledgedInTimeRate: acc.acknowledgementOwed ? acc.acknowledgedInTime / acc.acknowledgementOwed : null,
    late: acc.late,
    lateWithHolding: acc.lateWithHolding,
    holdingRate: acc.late ? acc.lateWithHolding / acc.late : null,
  };
}

function group<K extends string>(rows: Awaited<ReturnType<typeof repo.rollupRows>>, key: (r: (typeof rows)[number]) => K) {
  const groups = new Map<K, Acc>();
  for (const r of rows) {
    const k = key(r);
    const acc = groups.get(k) ?? empty();
    add(acc, r);
    groups.set(k, acc);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

/** Totals, per channel and per kind, of some rollup rows (one organisation's, whatever the source of the rows). */
export function delayFiguresOf(rows: Awaited<ReturnType<typeof repo.rollupRows>>) {
  const total = empty();
  for (const r of rows) add(total, r);
  return {
    total: figures(total),
    byChannel: group(rows, (r) => r.channel).map(([channel, acc]) => ({ channel, ...figures(acc) })),
    byKind: group(rows, (r) => r.kind).map(([kind, acc]) => ({ kind, ...figures(acc) })),
  };
}

export async function requestIndicators(db: Kysely<DB>, orgId: string, from: string, to: string): Promise<RequestIndicators> {
  const org = await getOrganisation(db, orgId);
  const rows = await repo.rollupRows(db, orgId, `${from.slice(0, 7)}-01`, `${to.slice(0, 7)}-01`);
  const total = empty();
  for (const r of rows) add(total, r);
  const today = localDay(org.timeZone);

  return {
    from,
    to,
    total: figures(total),
    byMonth: group(rows, (r) => r.month.slice(0, 7)).map(([month, acc]) => ({ month, ...figures(acc) })),
    byChannel: group(rows, (r) => r.channel).map(([channel, acc]) => ({ channel, ...figures(acc) })),
    byKind: group(rows, (r) => r.kind).map(([kind, acc]) => ({ kind, ...figures(acc) })),
    backlog: { ...(await repo.backlog(db, subtreeIds(db, orgId), today)), asOf: today },
  };
}
