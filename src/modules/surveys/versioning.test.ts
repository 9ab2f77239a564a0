import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { type Questionnaire, type QuestionnaireInput, questionnaireSchema, type questionSchema } from "./questionnaire.ts";
import { comparableQuestions, decideVersion } from "./versioning.ts";

type QuestionInput = z.input<typeof questionSchema>;

/** A fresh copy each time, for an edit to change. */
const input = (): QuestionnaireInput => ({
  title: "Votre avis sur notre accueil",
  sections: [
    {
      id: "s1",
      questions: [
        { id: "overall", type: "scale", label: "Êtes-vous satisfait de l'accueil ?", required: true, commitments: ["marianne-2008/14"] },
        {
          id: "channel",
          type: "single_choice",
          label: "Par quel moyen ?",
          options: [
            { value: "phone", label: "Téléphone" },
            { value: "counter", label: "Sur place" },
          ],
        },
      ],
    },
  ],
});

const v1 = questionnaireSchema.parse(input());
/** The questionnaire after an edit of its first section's questions. */
function edit(change: (questions: QuestionInput[]) => void, title = v1.title): Questionnaire {
  const copy = input();
  change(copy.sections[0]?.questions ?? []);
  return questionnaireSchema.parse({ ...copy, title });
}
const answered = { number: 3, questionnaire: v1, responseCount: 120 };
const draft = { number: 1, questionnaire: v1, responseCount: 0 };

describe("whether an edit needs a new version", () => {
  it("does nothing when nothing changed", () => {
    expect(decideVersion(answered, questionnaireSchema.parse(input()))).toEqual({ action: "none" });
  });

  it("edits a questionnaire without answers in place, whatever the change", () => {
    const edited = edit((qs) => {
      qs.pop();
    });
    expect(decideVersion(draft, edited)).toMatchObject({ action: "update", number: 1 });
  });

  it("makes a new version when answers exist and the structure changes", () => {
    const cases: ((qs: QuestionInput[]) => void)[] = [
      (qs) => qs.push({ id: "comment", type: "text", label: "Un mot ?" }),
      (qs) => qs.pop(),
      (qs) => qs.reverse(),
      (qs) => Object.assign(qs[0] ?? {}, { type: "smiley", levels: 5 }),
      (qs) => Object.assign(qs[0] ?? {}, { required: false }),
      (qs) => Object.assign(qs[1] ?? {}, { showIf: { question: "overall", anyOf: ["1"] } }),
      (qs) =>
        Object.assign(qs[1] ?? {}, {
          options: [
            { value: "phone", label: "Téléphone" },
            { value: "web", label: "Sur place" },
          ],
        }),
    ];
    for (const change of cases) {
      const decision = decideVersion(answered, edit(change), { correction: true });
      expect(decision).toMatchObject({ action: "new_version", number: 4 });
    }
  });

  it("makes a new version for a change of wording, since a typo and a change of meaning look alike", () => {
    const edited = edit((qs) => Object.assign(qs[0] ?? {}, { label: "Êtes-vous insatisfait de l'accueil ?" }));
    expect(decideVersion(answered, edited)).toEqual({
      action: "new_version",
      number: 4,
      changes: [
        {
          kind: "wording",
          message: "Libellé de « overall » : « Êtes-vous satisfait de l'accueil ? » devient « Êtes-vous insatisfait de l'accueil ? ».",
        },
      ],
    });
  });

  it("keeps the version for a wording change the editor declares a correction", () => {
    const edited = edit((qs) =>
      Object.assign(qs[1] ?? {}, {
        options: [
          { value: "phone", label: "Télépone" },
          { value: "counter", label: "Sur place" },
        ],
      }),
    );
    expect(decideVersion(answered, edited, { correction: true })).toMatchObject({
      action: "update",
      number: 3,
      changes: [{ kind: "wording" }],
    });
  });

  it("keeps the version for cosmetic changes: case, accents, spaces, apostrophes", () => {
    const edited = edit(
      (qs) => Object.assign(qs[0] ?? {}, { label: "Etes-vous  satisfait de l’accueil ?" }),
      "Votre Avis sur notre accueil",
    );
    const decision = decideVersion(answered, edited);
    expect(decision).toMatchObject({ action: "update", number: 3 });
    expect(decision.action !== "none" && decision.changes.map((c) => c.kind)).toEqual(["cosmetic", "cosmetic"]);
  });

  it("keeps the version when only the commitments measured change: they say how answers are read", () => {
    const edited = edit((qs) => Object.assign(qs[0] ?? {}, { commitments: ["marianne-2008/14", "sp+2021/6"] }));
    expect(decideVersion(answered, edited)).toMatchObject({ action: "update", number: 3, changes: [{ kind: "tags" }] });
  });

  it("counts help text added as wording", () => {
    const edited = edit((qs) => Object.assign(qs[0] ?? {}, { help: "Pensez à votre dernière visite." }));
    expect(decideVersion(answered, edited)).toMatchObject({
      action: "new_version",
      changes: [{ kind: "wording", message: "Ajout : Aide de « overall »." }],
    });
  });
});

describe("questions comparable across versions", () => {
  it("pools a question whose wording and answers are the same, not one that changed", () => {
    const v2 = edit((qs) => {
      Object.assign(qs[0] ?? {}, { label: "Êtes-vous  satisfait de l’accueil ?" });
      Object.assign(qs[1] ?? {}, {
        options: [
          { value: "phone", label: "Téléphone" },
          { value: "web", label: "Internet" },
        ],
      });
    });
    expect(comparableQuestions(v1, v2)).toEqual(["overall"]);
  });
});
