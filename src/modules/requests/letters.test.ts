import { describe, expect, it } from "vitest";
import { DEFAULT_TEMPLATES, frenchDate, renderLetter, unknownPlaceholders } from "./letters.ts";

const facts = {
  organisation: "Mairie de Lyon",
  number: "2027-000042",
  kind: "complaint" as const,
  channel: "letter" as const,
  subject: "Attente au guichet",
  receivedOn: "2027-04-30",
  delay: { value: 15, unit: "working_days" as const },
  dueOn: "2027-05-25",
  trackingUrl: "https://vigie.example/track?number=2027-000042&token=x",
};

describe("letters to the requester", () => {
  it("state the announced delay and the deadline in the acknowledgement", () => {
    const letter = renderLetter(DEFAULT_TEMPLATES.acknowledgement, facts);
    expect(letter.subject).toBe("Mairie de Lyon — accusé de réception de votre réclamation n° 2027-000042");
    expect(letter.body).toContain("le 30 avril 2027 votre réclamation « Attente au guichet »");
    expect(letter.body).toContain("dans un délai de 15\u00a0jours ouvrés, c'est-à-dire au plus tard le 25 mai 2027");
    expect(letter.body).toContain(facts.trackingUrl);
  });

  it("announce the new date in a holding reply", () => {
    const letter = renderLetter(DEFAULT_TEMPLATES.holding, {
      ...facts,
      announcedOn: "2027-06-30",
      message: "Nous attendons l'avis d'un autre service.",
    });
    expect(letter.body).toContain("au plus tard le 30 juin 2027");
    expect(letter.body).toContain("Nous attendons l'avis d'un autre service.");
  });

  it("keep an unknown blank visible and report it", () => {
    expect(renderLetter({ subject: "{numeros}", body: "" }, facts).subject).toBe("{numeros}");
    expect(unknownPlaceholders("Bonjour {nom} {numero}")).toEqual(["nom"]);
  });

  it("write dates the French way", () => {
    expect(frenchDate("2027-05-01")).toBe("1 mai 2027");
  });
});
