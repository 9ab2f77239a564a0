import { describe, expect, it } from "vitest";
import {
  choicesOf,
  measuresSatisfaction,
  parseQuestionnaire,
  type Question,
  type QuestionnaireInput,
  questionnaireSchema,
  sentimentOf,
} from "./questionnaire.ts";

const valid: QuestionnaireInput = {
  title: "Votre avis",
  sections: [
    {
      id: "s1",
      questions: [
        {
          id: "channel",
          type: "single_choice",
          label: "Canal ?",
          options: [
            { value: "phone", label: "Téléphone" },
            { value: "counter", label: "Sur place" },
          ],
        },
        {
          id: "rings",
          type: "scale",
          label: "Attente au téléphone ?",
          showIf: { question: "channel", anyOf: ["phone"] },
          commitments: ["marianne-2008/12"],
        },
      ],
    },
  ],
};

function errorsOf(input: unknown): string[] {
  const result = parseQuestionnaire(input);
  return result.ok ? [] : result.errors.map((e) => `${e.where} : ${e.message}`);
}

const withQuestions = (...questions: unknown[]) => ({ title: "T", sections: [{ id: "s", questions }] });
const scale = (id: string, extra: object = {}) => ({ id, type: "scale", label: `Question ${id}`, ...extra });

describe("a questionnaire definition", () => {
  it("accepts sections of typed questions, with defaults filled in", () => {
    const q = questionnaireSchema.parse(valid);
    expect(q.sections[0]?.questions[1]).toMatchObject({ required: false, commitments: ["marianne-2008/12"] });
    expect(
      questionnaireSchema.parse(withQuestions({ id: "c", type: "text", label: "Commentaire" })).sections[0]?.questions[0],
    ).toMatchObject({
      maxLength: 2000,
    });
  });

  it("needs at least one question", () => {
    expect(errorsOf({ title: "T", sections: [] })).toEqual(["Questionnaire : Le questionnaire contient au moins une question."]);
    expect(errorsOf({ title: "T", sections: [{ id: "s", questions: [] }] })).toEqual([
      "Section 1 : Une section contient au moins une question.",
    ]);
  });

  it("refuses a question id used twice, even in another section", () => {
    const input = {
      title: "T",
      sections: [
        { id: "a", questions: [scale("q1")] },
        { id: "b", questions: [scale("q1")] },
      ],
    };
    expect(errorsOf(input)).toEqual(["Section 2, question 1 : La question « q1 » existe déjà."]);
  });

  it("refuses ids that would need escaping in a form field", () => {
    expect(errorsOf(withQuestions(scale("Q 1")))[0]).toContain("lettres minuscules, chiffres et tirets");
  });

  it("refuses a show-if on a later question, on itself, or on an unknown one: no cycle can be written", () => {
    expect(errorsOf(withQuestions(scale("a", { showIf: { question: "b", anyOf: ["1"] } }), scale("b")))).toEqual([
      "Section 1, question 1 : La condition porte sur « b », qui n'est pas une question précédente.",
    ]);
    expect(errorsOf(withQuestions(scale("a", { showIf: { question: "a", anyOf: ["1"] } })))).toEqual([
      "Section 1, question 1 : Une question ne peut pas dépendre d'elle-même.",
    ]);
  });

  it("refuses a show-if value the earlier question cannot take, and a show-if on free text", () => {
    expect(errorsOf(withQuestions(scale("a"), scale("b", { showIf: { question: "a", anyOf: [6, "1"] } })))).toEqual([
      "Section 1, question 2 : Réponse inconnue pour la question « a » : 6.",
    ]);
    expect(
      errorsOf(withQuestions({ id: "t", type: "text", label: "Texte" }, scale("b", { showIf: { question: "t", anyOf: ["x"] } }))),
    ).toEqual(["Section 1, question 2 : Une condition ne peut pas porter sur une question à texte libre."]);
  });

  it("refuses choices with fewer than two options or a value twice", () => {
    const one = { id: "c", type: "single_choice", label: "C", options: [{ value: "a", label: "A" }] };
    const twice = {
      ...one,
      options: [
        { value: "a", label: "A" },
        { value: "a", label: "B" },
      ],
    };
    expect(errorsOf(withQuestions(one))).toEqual(["Section 1, question 1 : Proposez au moins deux réponses."]);
    expect(errorsOf(withQuestions(twice))).toEqual(["Section 1, question 1 : Valeur d'option en double : a."]);
  });

  it("speaks French about unknown types, smiley levels, keys and commitment ids", () => {
    expect(errorsOf(withQuestions({ id: "a", type: "stars", label: "A" }))[0]).toContain("Type de question inconnu");
    expect(errorsOf(withQuestions({ id: "a", type: "smiley", levels: 4, label: "A" }))[0]).toContain("Les smileys ont 3 ou 5 niveaux.");
    expect(errorsOf(withQuestions(scale("a", { colour: "bleu" })))[0]).toContain("Clé non reconnue");
    expect(errorsOf(withQuestions(scale("a", { commitments: ["marianne 14"] })))[0]).toContain("référentiel/numéro");
    expect(errorsOf(withQuestions({ id: "a", type: "scale", label: "  " }))[0]).toContain("Le libellé de la question est obligatoire.");
  });
});

const q = (input: unknown): Question => {
  const parsed = questionnaireSchema.parse(withQuestions(input)).sections[0]?.questions[0];
  if (!parsed) throw new Error("question expected");
  return parsed;
};

describe("which answers count as satisfied", () => {
  const sentiments = (question: Question) =>
    choicesOf(question)
      ?.map((c) => sentimentOf(question, c.value)?.[0] ?? "-")
      .join("");

  it("on a 1–5 scale and 5 smileys: 4–5 satisfied, 3 neutral, 1–2 dissatisfied", () => {
    expect(sentiments(q(scale("a")))).toBe("ddnss");
    expect(sentiments(q({ id: "a", type: "smiley", levels: 5, label: "A" }))).toBe("ddnss");
  });

  it("on 3 smileys: happy or sad, the middle one neutral", () => {
    expect(sentiments(q({ id: "a", type: "smiley", levels: 3, label: "A" }))).toBe("dns");
  });

  it("on 0–10: promoters 9–10, detractors 0–6", () => {
    expect(sentiments(q({ id: "a", type: "recommendation", label: "A" }))).toBe("dddddddnnss");
  });

  it("on yes/no: as the question says, or not at all for a factual question", () => {
    expect(sentiments(q({ id: "a", type: "yes_no", label: "A" }))).toBe("sd");
    expect(sentiments(q({ id: "a", type: "yes_no", label: "Avez-vous dû revenir ?", satisfiedWhen: "no" }))).toBe("ds");
    const factual = q({ id: "a", type: "yes_no", label: "Première visite ?", satisfiedWhen: "none" });
    expect(sentiments(factual)).toBe("--");
    expect(measuresSatisfaction(factual)).toBe(false);
  });

  it("never on choices or free text", () => {
    expect(measuresSatisfaction(q({ id: "a", type: "text", label: "A" }))).toBe(false);
    expect(
      measuresSatisfaction(
        q({
          id: "a",
          type: "multiple_choice",
          label: "A",
          options: [
            { value: "x", label: "X" },
            { value: "y", label: "Y" },
          ],
        }),
      ),
    ).toBe(false);
    expect(measuresSatisfaction(q(scale("a")))).toBe(true);
  });
});
