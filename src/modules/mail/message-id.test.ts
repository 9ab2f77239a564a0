import { describe, expect, it } from "vitest";
import { messageIdFor, senderDomain } from "./message-id.ts";

describe("messageIdFor", () => {
  it("is the outbox id at the sender's domain, the same every time", () => {
    const id = "0b9f2f6e-3c1d-4c55-9d1e-7a3c2f1b8e40";
    expect(messageIdFor(id, "Mairie de Besançon <Accueil@Besancon.example>")).toBe(`<${id}@besancon.example>`);
    expect(messageIdFor(id, "Mairie de Besançon <Accueil@Besancon.example>")).toBe(messageIdFor(id, "accueil@besancon.example"));
  });
});

describe("senderDomain", () => {
  it("reads a bare address or a named one", () => {
    expect(senderDomain("no-reply@service-public.example")).toBe("service-public.example");
    expect(senderDomain("Vigie <no-reply@localhost>")).toBe("localhost");
  });

  it("falls back to localhost rather than put junk in a header", () => {
    expect(senderDomain("Vigie")).toBe("localhost");
    expect(senderDomain("x@exa mple>")).toBe("localhost");
  });
});
