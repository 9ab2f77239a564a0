import { describe, expect, it } from "vitest";
import { classify, type MessageHeaders, receiptNumberIn } from "./classify.ts";

const headers = (fields: Record<string, string>, extra: Partial<MessageHeaders> = {}): MessageHeaders => ({
  get: (name) => fields[name],
  from: "usager@example.org",
  subject: "Demande d'acte",
  contentType: "text/plain",
  ...extra,
});

describe("what a collected message is", () => {
  it("registers a person's message", () => {
    expect(classify(headers({}))).toBeNull();
    expect(classify(headers({ "auto-submitted": "no" }))).toBeNull();
  });
  it("recognises automatic replies by their headers and their subjects", () => {
    expect(classify(headers({ "auto-submitted": "auto-replied" }))).toBe("auto-reply");
    expect(classify(headers({ "x-autoreply": "yes" }))).toBe("auto-reply");
    expect(classify(headers({ "x-autorespond": "1" }))).toBe("auto-reply");
    expect(classify(headers({}, { subject: "Réponse automatique : Demande d'acte" }))).toBe("auto-reply");
    expect(classify(headers({}, { subject: "Out of Office: demande" }))).toBe("auto-reply");
  });
  it("recognises bounces and lists", () => {
    expect(classify(headers({}, { contentType: 'multipart/report; report-type="delivery-status"; boundary="x"' }))).toBe("bounce");
    expect(classify(headers({}, { from: "MAILER-DAEMON@mx.example.org" }))).toBe("bounce");
    expect(classify(headers({}, { from: "postmaster@example.org" }))).toBe("bounce");
    expect(classify(headers({ "list-id": "<infos.example.org>" }))).toBe("list");
    expect(classify(headers({ precedence: "bulk" }))).toBe("list");
  });
  it("finds a receipt number in a reply's subject", () => {
    expect(receiptNumberIn("Re: Mairie — accusé de réception n° 2026-000042")).toBe("2026-000042");
    expect(receiptNumberIn("Demande d'acte de naissance 2026")).toBeUndefined();
  });
});
