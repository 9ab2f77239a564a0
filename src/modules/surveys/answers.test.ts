import { describe, expect, it } from "vitest";
import { checkResponse, EMPTY_RESPONSE_MESSAGE, REQUIRED_MESSAGE } from "./answers.ts";
import { questionnaireSchema } from "./questionnaire.ts";

const questionnaire = questionnaireSchema.parse({
  title: "Votre avis",
  sections: [
    {
      id: "s1",
      questions: [
        {
          id: "channel",
          type: "single_choice",
          label: "Canal",
          required: true,
          options: [
            { value: "phone", label: "Téléphone" },
            { value: "counter", label: "Sur place" },
          ],
        },
        { id: "rings", type: "scale", label: "Attente", required: true, showIf: { question: "channel", anyOf: ["phone"] } },
        { id: "again", type: "yes_no", label: "Rappel ?", showIf: { question: "rings", anyOf: ["1", "2"] } },
      ],
    },
    {
      id: "s2",
      questions: [
        { id: "mood", type: "smiley", levels: 3, label: "Humeur" },
        { id: "nps", type: "recommendation", label: "Recommandation" },
        {
          id: "hours",
          type: "multiple_choice",
          label: "Horaires",
          options: [
            { value: "early", label: "Tôt" },
            { value: "late", label: "Tard" },
            { value: "saturday", label: "Samedi" },
          ],
        },
        { id: "comment", type: "text", label: "Commentaire", maxLength: 20 },
      ],
    },
  ],
});

const form = (body: string) => checkResponse(questionnaire, new URLSearchParams(body));

describe("checking a submitted response", () => {
  it("keeps clean answers from a form, repeated keys giving a multiple choice in option order", () => {
    const r = form("channel=phone&rings=4&mood=3&nps=10&hours=saturday&hours=early&hours=early&comment=+Très+bien+&_csrf=x");
    expect(r).toEqual({
      ok: true,
      answers: { channel: "phone", rings: "4", mood: "3", nps: "10", hours: ["early", "saturday"], comment: "Très bien" },
    });
  });

  it("asks for a required question only when it is shown", () => {
    expect(form("channel=counter")).toEqual({ ok: true, answers: { channel: "counter" } });
    expect(form("channel=phone")).toMatchObject({ ok: false, errors: [{ questionId: "rings", message: REQUIRED_MESSAGE }] });
    expect(form("rings=3")).toMatchObject({ ok: false, errors: [{ questionId: "channel", message: REQUIRED_MESSAGE }] });
  });

  it("drops the answer to a hidden question, and so hides what depends on it", () => {
    // Without JavaScript every question is on the page: "rings" was filled, then the channel changed.
    expect(form("channel=counter&rings=1&again=yes")).toEqual({ ok: true, answers: { channel: "counter" } });
    expect(form("channel=phone&rings=2&again=yes")).toEqual({ ok: true, answers: { channel: "phone", rings: "2", again: "yes" } });
    expect(form("channel=phone&rings=5&again=yes")).toEqual({ ok: true, answers: { channel: "phone", rings: "5" } });
  });

  it("treats blank fields as unanswered", () => {
    expect(form("channel=counter&mood=&comment=+++&nps=")).toEqual({ ok: true, answers: { channel: "counter" } });
  });

  it("says in French, question by question, what is out of range", () => {
    const r = form("channel=fax&mood=4&nps=11&hours=sunday&comment=".concat("x".repeat(21)));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      { questionId: "channel", message: "Choisissez une des réponses proposées." },
      { questionId: "mood", message: "Choisissez un des 3 visages." },
      { questionId: "nps", message: "Choisissez une note de 0 à 10." },
      { questionId: "hours", message: "Choisissez parmi les réponses proposées." },
      { questionId: "comment", message: "Votre réponse dépasse 20\u00a0caractères." },
    ]);
    expect(form("channel=phone&rings=4.5").ok).toBe(false);
    expect(form("channel=phone&rings=0").ok).toBe(false);
  });

  it("refuses two values for a one-answer question, and keeps the valid answers to refill the form", () => {
    const r = form("channel=phone&channel=counter&nps=7");
    expect(r).toEqual({
      ok: false,
      errors: [{ questionId: "channel", message: "Une seule réponse est attendue." }],
      answers: { nps: "7" },
    });
  });

  it("accepts the same answers as JSON, numbers included, and refuses what cannot be read", () => {
    expect(checkResponse(questionnaire, { channel: "phone", rings: 5, hours: ["late"] })).toEqual({
      ok: true,
      answers: { channel: "phone", rings: "5", hours: ["late"] },
    });
    expect(checkResponse(questionnaire, { channel: { value: "phone" } })).toMatchObject({
      ok: false,
      errors: [{ questionId: "channel", message: "Réponse illisible." }],
    });
  });

  it("refuses a response with no answer at all", () => {
    const optional = questionnaireSchema.parse({
      title: "T",
      sections: [{ id: "s", questions: [{ id: "a", type: "scale", label: "A" }] }],
    });
    expect(checkResponse(optional, new URLSearchParams(""))).toEqual({
      ok: false,
      errors: [{ questionId: null, message: EMPTY_RESPONSE_MESSAGE }],
      answers: {},
    });
  });
});
