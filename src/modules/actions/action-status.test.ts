import { describe, expect, it } from "vitest";
import { doneShare, isOverdue } from "./action-status.ts";

describe("action status", () => {
  it("is overdue the day after its due date, only while still to do", () => {
    expect(isOverdue({ status: "todo", dueOn: "2026-03-01" }, "2026-03-01")).toBe(false);
    expect(isOverdue({ status: "doing", dueOn: "2026-03-01" }, "2026-03-02")).toBe(true);
    expect(isOverdue({ status: "done", dueOn: "2026-03-01" }, "2026-04-01")).toBe(false);
    expect(isOverdue({ status: "dropped", dueOn: "2026-03-01" }, "2026-04-01")).toBe(false);
    expect(isOverdue({ status: "todo", dueOn: null }, "2026-04-01")).toBe(false);
  });

  it("counts the share done without the dropped actions", () => {
    // seed 001: 160 done, 65 in progress, out of a bit more than 300
    expect(doneShare({ done: 160, doing: 65, todo: 80, dropped: 20 })).toBeCloseTo(160 / 305);
    expect(doneShare({ dropped: 3 })).toBeNull();
  });
});
