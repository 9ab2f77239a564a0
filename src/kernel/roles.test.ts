import { describe, expect, it } from "vitest";
import { type Actor, can, canSomewhere, reachRoots } from "./roles.ts";

const actor = (grants: Actor["grants"], instanceAdmin = false): Actor => ({
  accountId: "a",
  email: "a@b.fr",
  displayName: "A",
  instanceAdmin,
  grants,
});

describe("roles on a subtree", () => {
  const path = ["network", "region", "site"];

  it("holds on the organisation it is granted on and everything below", () => {
    expect(can(actor([{ orgId: "region", role: "referent" }]), "org.update", path)).toBe(true);
    expect(can(actor([{ orgId: "site", role: "referent" }]), "org.update", path)).toBe(true);
    expect(can(actor([{ orgId: "other", role: "referent" }]), "org.update", path)).toBe(false);
  });

  it("gives an auditor reading and never writing", () => {
    const auditor = actor([{ orgId: "network", role: "auditor" }]);
    expect(can(auditor, "org.read", path)).toBe(true);
    expect(can(auditor, "audit.read", path)).toBe(true);
    expect(can(auditor, "org.update", path)).toBe(false);
    expect(can(auditor, "account.manage", path)).toBe(false);
  });

  it("lets an agent read only", () => {
    const agent = actor([{ orgId: "site", role: "agent" }]);
    expect(can(agent, "org.read", path)).toBe(true);
    expect(canSomewhere(agent, "org.create")).toBe(false);
  });

  it("lists the roots of the actor's reach for a permission", () => {
    const a = actor([
      { orgId: "r1", role: "admin" },
      { orgId: "r2", role: "agent" },
    ]);
    expect(reachRoots(a, "account.manage")).toEqual(["r1"]);
    expect(reachRoots(a, "org.read").sort()).toEqual(["r1", "r2"]);
  });

  it("lets the instance administrator do everything", () => {
    expect(can(actor([], true), "org.delete", path)).toBe(true);
  });
});
