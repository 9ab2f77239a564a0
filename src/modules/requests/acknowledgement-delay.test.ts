import { describe, expect, it } from "vitest";
import { acknowledgedInTime } from "./acknowledgement-delay.ts";

describe("acknowledgement delay (Services Publics+)", () => {
  it("gives an e-mail or web request a week, counted in calendar days", () => {
    expect(acknowledgedInTime("email", "2026-03-02", "2026-03-09")).toBe(true);
    expect(acknowledgedInTime("email", "2026-03-02", "2026-03-10")).toBe(false);
    expect(acknowledgedInTime("web", "2026-02-26", "2026-03-05")).toBe(true);
  });
  it("gives a letter two weeks", () => {
    expect(acknowledgedInTime("letter", "2026-03-02", "2026-03-16")).toBe(true);
    expect(acknowledgedInTime("letter", "2026-03-02", "2026-03-17")).toBe(false);
  });
  it("owes nothing on the counter or the phone", () => {
    expect(acknowledgedInTime("counter", "2026-03-02", "2026-03-02")).toBe(false);
  });
});
