import { describe, expect, it } from "vitest";
import { effectiveCommitments, type FrameworkCommitment, replyDelayTarget } from "./effective.ts";

const framework: FrameworkCommitment[] = [
  {
    id: "marianne-2008/10",
    number: 10,
    title: "Nous traitons vos courriers dans un délai maximum de 15 jours ouvrés.",
    channels: ["letter"],
    targets: [{ metric: "reply_delay", value: 15, unit: "working_days", channels: ["letter"], kinds: ["request"] }],
  },
  {
    id: "marianne-2008/11",
    number: 11,
    title: "Nous traitons vos courriels dans un délai maximum de 5 jours ouvrés",
    channels: ["email"],
    targets: [{ metric: "reply_delay", value: 5, unit: "working_days", channels: ["email"], kinds: ["request"] }],
  },
];

describe("commitments in force for an organisation", () => {
  it("keeps the framework as it is when nothing is local", () => {
    const out = effectiveCommitments(framework, []);
    expect(out.map((c) => c.targets[0]?.value)).toEqual([15, 5]);
    expect(out.every((c) => c.source === "framework" && !c.local)).toBe(true);
  });

  it("lets the nearest organisation's tightening win, and keeps the framework's target for reference", () => {
    const out = effectiveCommitments(framework, [
      {
        id: "network",
        orgId: "n",
        distance: 2,
        baseCommitmentId: "marianne-2008/10",
        title: "",
        channels: ["letter"],
        targets: [{ metric: "reply_delay", value: 12, unit: "working_days", channels: ["letter"], kinds: ["request"] }],
      },
      {
        id: "site",
        orgId: "s",
        distance: 0,
        baseCommitmentId: "marianne-2008/10",
        title: "",
        channels: ["letter"],
        targets: [{ metric: "reply_delay", value: 10, unit: "working_days", channels: ["letter"], kinds: ["request"] }],
      },
    ]);
    expect(out[0]?.targets[0]?.value).toBe(10);
    expect(out[0]?.frameworkTargets?.[0]?.value).toBe(15);
    expect(out[0]?.local?.orgId).toBe("s");
  });

  it("adds local commitments after the framework's, and uses their delay for the channel", () => {
    const out = effectiveCommitments(framework, [
      {
        id: "poissy",
        orgId: "p",
        distance: 0,
        baseCommitmentId: null,
        title: "Des réponses aux demandes par mail dans les sept jours",
        channels: ["email"],
        targets: [{ metric: "reply_delay", value: 7, unit: "calendar_days", channels: ["email"] }],
      },
    ]);
    expect(out).toHaveLength(3);
    expect(out[2]?.source).toBe("local");
    expect(replyDelayTarget(out, "email", "request")).toMatchObject({
      target: { value: 7, unit: "calendar_days" },
      commitmentId: "poissy",
    });
    expect(replyDelayTarget(out, "letter", "request")).toMatchObject({
      target: { value: 15, unit: "working_days" },
      commitmentId: "marianne-2008/10",
    });
    expect(replyDelayTarget(out, "phone", "request")).toBeUndefined();
  });
});
