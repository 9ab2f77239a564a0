import { describe, expect, it } from "vitest";
import { CHANNELS } from "../frameworks/channels.ts";
import { loadReferenceData } from "../frameworks/reference-data.ts";
import { checkResponse } from "./answers.ts";
import { allQuestions, measuresSatisfaction, unknownCommitments } from "./questionnaire.ts";
import { loadSurveyTemplates } from "./templates.ts";

const templates = loadSurveyTemplates();
const byId = new Map(templates.map((t) => [t.id, t]));
const commitmentIds = new Set(loadReferenceData().frameworks.flatMap((f) => f.commitments.map((c) => c.id)));

describe("the ready-made questionnaires", () => {
  it("load through the schema and name only commitments that exist", () => {
    expect(templates.map((t) => t.kind)).toEqual(["annual", "on_the_spot", "label_users", "label_agents"]);
    for (const t of templates) expect(unknownCommitments(t.questionnaire, commitmentIds)).toEqual([]);
  });

  it("ask the annual survey's themes, each opinion tagged in all three frameworks where one applies", () => {
    const annual = byId.get("annual")?.questionnaire;
    if (!annual) throw new Error("annual template expected");
    const questions = new Map(allQuestions(annual).map((q) => [q.id, q]));
    for (const id of ["courtesy", "phone-reachability", "orientation", "delay", "clarity", "overall", "recommendation", "comment"]) {
      expect(questions.has(id), id).toBe(true);
    }
    const frameworksOf = (id: string) => new Set(questions.get(id)?.commitments.map((c) => c.split("/")[0]));
    for (const id of ["courtesy", "phone-reachability", "orientation", "delay", "overall", "recommendation"]) {
      expect(frameworksOf(id), id).toEqual(new Set(["marianne-2008", "marianne-2016", "sp+2021"]));
    }
    expect(questions.get("recommendation")?.type).toBe("recommendation");
    expect(questions.get("comment")?.type).toBe("text");
    expect(questions.get("overall")?.required).toBe(true);
    // The channel answer lets results be compared by channel with the codes the rest of Vigie uses.
    const channel = questions.get("channel");
    expect(channel && "options" in channel ? channel.options.map((o) => o.value) : []).toEqual([...CHANNELS]);
  });

  it("ask the phone question only of those who called, and the preferred hours only of those unhappy with them", () => {
    const annual = byId.get("annual")?.questionnaire;
    if (!annual) throw new Error("annual template expected");
    const r = checkResponse(
      annual,
      new URLSearchParams("channel=counter&phone-reachability=2&overall=4&opening-hours=no&preferred-hours=saturday"),
    );
    expect(r).toEqual({ ok: true, answers: { channel: "counter", overall: "4", "opening-hours": "no", "preferred-hours": ["saturday"] } });
  });

  it("make the on-the-spot survey one required question with three smileys", () => {
    const spot = byId.get("on-the-spot")?.questionnaire;
    const questions = spot ? allQuestions(spot) : [];
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatchObject({ type: "smiley", levels: 3, required: true });
    expect(questions.every(measuresSatisfaction)).toBe(true);
    expect(new Set(questions[0]?.commitments.map((c) => c.split("/")[0]))).toEqual(new Set(["marianne-2008", "marianne-2016", "sp+2021"]));
  });

  it("give the label's user survey the Services Publics + themes, each tagged in SP+ 2020 and 2023 where one applies", () => {
    const users = byId.get("label-users")?.questionnaire;
    if (!users) throw new Error("label-users template expected");
    const questions = new Map(allQuestions(users).map((q) => [q.id, q]));
    for (const id of ["overall", "contact-ease", "clarity", "delay", "courtesy", "recommendation", "comment"]) {
      expect(questions.has(id), id).toBe(true);
    }
    expect(questions.get("overall")).toMatchObject({ type: "scale", required: true });
    expect(questions.get("overall")?.label).toBe("Globalement, êtes-vous satisfait de la qualité de service ?");
    for (const id of ["contact-ease", "delay", "courtesy", "overall"]) {
      expect(new Set(questions.get(id)?.commitments.map((c) => c.split("/")[0])), id).toEqual(new Set(["sp+2021", "sp+2023"]));
    }
    expect(questions.get("clarity")?.commitments).toEqual(["sp+2023/5"]);
  });

  it("keep the agents' survey out of the users' satisfaction: no question of it is an opinion", () => {
    const agents = byId.get("label-agents")?.questionnaire;
    if (!agents) throw new Error("label-agents template expected");
    const questions = allQuestions(agents);
    for (const id of ["trained", "tools-suited", "commitments-known", "commitments-useful", "commitments-means"]) {
      expect(
        questions.some((q) => q.id === id),
        id,
      ).toBe(true);
    }
    expect(questions.filter(measuresSatisfaction)).toEqual([]);
  });
});
