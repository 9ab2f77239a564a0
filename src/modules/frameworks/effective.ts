import type { Channel, RequestKind, Target } from "./channels.ts";

/** A commitment as an organisation holds it, after its own and its ancestors' local commitments. Pure. */
export interface FrameworkCommitment {
  id: string;
  number: number;
  title: string;
  channels: Channel[];
  targets: Target[];
}

export interface LocalCommitment {
  id: string;
  orgId: string;
  /** Distance from the organisation looked at: 0 its own, 1 its parent's… */
  distance: number;
  baseCommitmentId: string | null;
  title: string;
  channels: Channel[];
  targets: Target[];
}

export interface EffectiveCommitment {
  id: string;
  number: number | null;
  title: string;
  channels: Channel[];
  targets: Target[];
  source: "framework" | "local";
  /** The framework's own targets, when a local commitment tightened them. */
  frameworkTargets?: Target[];
  /** The local commitment that defines or tightens this one, and the organisation that holds it. */
  local?: { id: string; orgId: string };
}

const sameSlot = (a: Target, b: Target) =>
  a.metric === b.metric && (a.channels ?? []).join() === (b.channels ?? []).join() && (a.kinds ?? []).join() === (b.kinds ?? []).join();

export function effectiveCommitments(framework: FrameworkCommitment[], locals: LocalCommitment[]): EffectiveCommitment[] {
  const nearestFirst = [...locals].sort((a, b) => a.distance - b.distance);
  const out: EffectiveCommitment[] = framework.map((c) => {
    const tightening = nearestFirst.find((l) => l.baseCommitmentId === c.id);
    if (!tightening) return { ...c, source: "framework" };
    const targets = c.targets.map((t) => tightening.targets.find((l) => sameSlot(l, t)) ?? t);
    const added = tightening.targets.filter((l) => !c.targets.some((t) => sameSlot(l, t)));
    return {
      ...c,
      title: tightening.title || c.title,
      targets: [...targets, ...added],
      source: "framework",
      frameworkTargets: c.targets,
      local: { id: tightening.id, orgId: tightening.orgId },
    };
  });
  for (const l of nearestFirst) {
    if (l.baseCommitmentId) continue;
    out.push({
      id: l.id,
      number: null,
      title: l.title,
      channels: l.channels,
      targets: l.targets,
      source: "local",
      local: { id: l.id, orgId: l.orgId },
    });
  }
  return out;
}

/**
 * The reply delay promised for a channel and kind of request. A local commitment wins over the
 * framework (the organisation's own promise is what the public was told); among several that
 * apply, the shortest delay.
 */
export function replyDelayTarget(
  commitments: EffectiveCommitment[],
  channel: Channel,
  kind: RequestKind,
): { target: Target; commitmentId: string } | undefined {
  const matches = (t: Target) =>
    t.metric === "reply_delay" && (!t.channels?.length || t.channels.includes(channel)) && (!t.kinds?.length || t.kinds.includes(kind));
  const candidates = (list: EffectiveCommitment[]) =>
    list.flatMap((c) => c.targets.filter(matches).map((target) => ({ target, commitmentId: c.id })));
  const local = candidates(commitments.filter((c) => c.local));
  const pool = local.length ? local : candidates(commitments);
  return pool.reduce<(typeof pool)[number] | undefined>(
    (best, t) => (best && delayDays(best.target) <= delayDays(t.target) ? best : t),
    undefined,
  );
}

/** A rough common scale to compare delays in different units (5 working days ≈ 7 days). */
export function delayDays(t: Target): number {
  return t.unit === "working_days" ? (t.value * 7) / 5 : t.value;
}
