import { describe, expect, it } from "vitest";
import { plainSpaces } from "../../../test/support/typography.ts";
import { AppError } from "../../kernel/errors.ts";
import { DEFAULT_TEMPLATES, frenchDate, missingValues, renderLetter, unknownPlaceholders } from "./letters.ts";

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
  trackingAddress: "https://vigie.example/track",
  trackingCode: "ABCD-EFGH",
};

/** The letters use French no-break spaces (« 30 avril », « : »): compared here as plain spaces. */
const plain = plainSpaces;

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("la lettre aurait dû être refusée");
}

describe("letters to the requester", () => {
  it("state the announced delay and the deadline in the acknowledgement", () => {
    const letter = renderLetter(DEFAULT_TEMPLATES.acknowledgement, facts);
    expect(plain(letter.subject)).toBe("Mairie de Lyon — accusé de réception de votre réclamation n° 2027-000042");
    expect(plain(letter.body)).toContain("le 30 avril 2027 votre réclamation « Attente au guichet »");
    expect(plain(letter.body)).toContain("dans un délai de 15 jours ouvrés, c'est-à-dire au plus tard le 25 mai 2027.");
    expect(letter.body).toContain(facts.trackingUrl);
    expect(plain(letter.body)).toContain("sur https://vigie.example/track avec le numéro 2027-000042 et le code ABCD-EFGH");
  });

  it("acknowledge without promising a date when no delay applies, never « au plus tard le dès que possible »", () => {
    const letter = renderLetter(DEFAULT_TEMPLATES.acknowledgement, { ...facts, delay: null, dueOn: null });
    expect(plain(letter.body)).toContain("Votre dossier est transmis au service concerné, qui vous répondra dans les meilleurs délais.");
    expect(letter.body).not.toContain("au plus tard");
    expect(letter.body).not.toContain("dès que possible");
  });

  it("refuse a template whose blank has no value for the request, and say which", () => {
    const template = { subject: "{organisation}", body: "Réponse au plus tard le {echeance}. {message}" };
    expect(missingValues(template, { ...facts, dueOn: null, delay: null })).toEqual(["echeance", "message"]);
    const error = refusal(() => renderLetter(template, { ...facts, dueOn: null, delay: null }));
    expect(error.code).toBe("letter.incomplete");
    expect(error.status).toBe(422);
    expect(error.message).toContain("{echeance} (date limite de réponse — aucun délai n'est annoncé pour cette demande)");
    expect(error.message).toContain("{message} (message à l'usager)");
    expect(error.message).toContain("{phrase_delai}");
    // With the values, the same template renders.
    expect(plain(renderLetter(template, { ...facts, message: "Voici." }).body)).toBe("Réponse au plus tard le 25 mai 2027. Voici.");
  });

  it("announce the new date in a holding reply", () => {
    const letter = renderLetter(DEFAULT_TEMPLATES.holding, {
      ...facts,
      announcedOn: "2027-06-30",
      message: "Nous attendons l'avis d'un autre service.",
    });
    expect(plain(letter.body)).toContain("au plus tard le 30 juin 2027");
    expect(letter.body).toContain("Nous attendons l'avis d'un autre service.");
    expect(refusal(() => renderLetter(DEFAULT_TEMPLATES.holding, { ...facts, message: "x" })).message).toContain("{nouvelle_date}");
  });

  it("keep an unknown blank visible and report it", () => {
    expect(renderLetter({ subject: "{numeros}", body: "" }, facts).subject).toBe("{numeros}");
    expect(unknownPlaceholders("Bonjour {nom} {numero}")).toEqual(["nom"]);
  });

  it("write dates the French way", () => {
    expect(plain(frenchDate("2027-05-01"))).toBe("1er mai 2027");
    expect(plain(frenchDate("2026-12-09"))).toBe("9 décembre 2026");
  });
});
