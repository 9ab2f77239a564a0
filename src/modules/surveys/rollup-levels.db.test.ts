import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createOrg } from "../../../test/support/factories.ts";
import { openDatabase } from "../../db/database.ts";
import { migrateTo, migrateToLatest } from "../../db/migrate.ts";
import type { Answers } from "./answers.ts";
import { allQuestions, type Questionnaire, sentimentOf } from "./questionnaire.ts";
import { countsOf, headlineQuestion } from "./rollup.ts";
import { satisfactionRate } from "./statistics.ts";
import { insertSurvey } from "./surveys.repository.ts";
import { getSurvey, surveyResults, surveyTemplates } from "./surveys.service.ts";

/** A small deterministic generator: the same answers at every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

const PERIOD = { from: "2026-01-01", to: "2026-03-31" };
const DAYS = ["2026-01-12", "2026-02-03", "2026-03-20"];
const CHANNELS = ["counter", "web"];

/** Answers to every question a person may give: a value of each question's choices, sometimes none. */
function answersTo(q: Questionnaire, next: () => number): Answers {
  const out: Answers = {};
  for (const question of allQuestions(q)) {
    if (next() < 0.15) continue;
    switch (question.type) {
      case "scale":
        out[question.id] = String(1 + Math.floor(next() * 5));
        break;
      case "smiley":
        out[question.id] = String(1 + Math.floor(next() * question.levels));
        break;
      case "recommendation":
        out[question.id] = String(Math.floor(next() * 11));
        break;
      case "yes_no":
        out[question.id] = next() < 0.6 ? "yes" : "no";
        break;
      case "single_choice":
        out[question.id] = question.options[Math.floor(next() * question.options.length)]?.value ?? "";
        break;
      case "multiple_choice":
        out[question.id] = question.options.filter(() => next() < 0.5).map((o) => o.value);
        break;
      case "text":
        out[question.id] = "Merci";
        break;
    }
  }
  return out;
}

describe("migrations 0039 and 0040: a survey's counts by level (embedded engine)", () => {
  it("keeps every question's counts, and gives each site the headline question's sentiments of its last version", async () => {
    const database = await openDatabase({});
    const db = database.db;
    try {
      await migrateTo(db, "0038_request_register_epoch");
      const network = await createOrg(db, { name: "Réseau", kind: "network" });
      const sites = [
        await createOrg(db, { name: "Mairie A", kind: "site", parentId: network.id }),
        await createOrg(db, { name: "Mairie B", kind: "site", parentId: network.id }),
        await createOrg(db, { name: "Mairie C", kind: "site", parentId: network.id }),
      ];
      const quiet = await createOrg(db, { name: "Mairie sans réponse", kind: "site", parentId: network.id });
      const elsewhere = await createOrg(db, { name: "Réseau voisin", kind: "network" });
      // Written as the code of 0038 wrote them (the service reads columns that came later).
      const template = (id: string) => {
        const t = surveyTemplates().find((x) => x.id === id);
        if (!t) throw new Error(id);
        return t.questionnaire;
      };
      const create = async (id: string) => {
        const questionnaire = template(id);
        return {
          id: await insertSurvey(db, network.id, { title: id, channel: null, template: id, definition: questionnaire }),
          questionnaire,
        };
      };
      const annual = await create("annual");
      const smiley = await create("on-the-spot");
      // A third survey whose last version has no « overall »: its headline is its first opinion question, a yes/no.
      const yesNo = await create("annual");
      const v2: Questionnaire = {
        ...yesNo.questionnaire,
        sections: yesNo.questionnaire.sections
          .map((s) => ({ ...s, questions: s.questions.filter((q) => ["channel", "orientation", "recommendation"].includes(q.id)) }))
          .filter((s) => s.questions.length > 0),
      };
      await sql`insert into survey_versions (org_id, survey_id, version, definition) values (${network.id}, ${yesNo.id}, 2, ${JSON.stringify(v2)}::jsonb)`.execute(
        db,
      );
      await sql`update surveys set version = 2 where id = ${yesNo.id}`.execute(db);

      // Answers, and the per-site rollup rows as migration 0037's fold wrote them: every question, per site.
      const next = random(39);
      const stored: Array<{ survey: string; q: Questionnaire; site: string; day: string; channel: string; answers: Answers }> = [];
      for (const [survey, q] of [
        [annual.id, annual.questionnaire],
        [smiley.id, smiley.questionnaire],
        [yesNo.id, v2],
      ] as const) {
        for (let i = 0; i < 240; i++) {
          const site = sites[Math.floor(next() * sites.length)]?.id ?? "";
          const day = DAYS[Math.floor(next() * DAYS.length)] ?? "";
          const channel = CHANNELS[Math.floor(next() * CHANNELS.length)] ?? "";
          stored.push({ survey, q, site, day, channel, answers: answersTo(q, next) });
        }
      }
      const rollup = new Map<string, Record<string, number>>();
      for (const a of stored) {
        await sql`insert into survey_responses (org_id, survey_id, version, channel, answered_on, answers, form_token_hash, site_id)
          values (${network.id}, ${a.survey}, 1, ${a.channel}, ${a.day}, ${JSON.stringify(a.answers)}::jsonb, ${`t${stored.indexOf(a)}`}, ${a.site})`.execute(
          db,
        );
        const key = JSON.stringify([a.survey, `${a.day.slice(0, 7)}-01`, a.site, a.channel]);
        const counts = rollup.get(key) ?? {};
        for (const c of countsOf(a.q, a.answers).answers)
          counts[`${c.questionId} ${c.value}`] = (counts[`${c.questionId} ${c.value}`] ?? 0) + 1;
        rollup.set(key, counts);
      }
      for (const [key, counts] of rollup) {
        const [survey, month, site, channel] = JSON.parse(key) as string[];
        await sql`insert into survey_answer_rollup (org_id, survey_id, month, site_id, channel, counts)
          values (${network.id}, ${survey}, ${month}, ${site}, ${channel}, ${JSON.stringify(counts)}::jsonb)`.execute(db);
      }

      await migrateToLatest(db);

      for (const [survey, q] of [
        [annual.id, annual.questionnaire],
        [smiley.id, smiley.questionnaire],
        [yesNo.id, v2],
      ] as const) {
        const mine = stored.filter((a) => a.survey === survey);
        // Its number of responses, kept in the rollup since 0040.
        expect((await getSurvey(db, network.id, survey)).responses).toBe(mine.length);
        const results = await surveyResults(db, network.id, survey, PERIOD);
        // Every question of the network's results, value by value, as counted by hand.
        for (const r of results.questions) {
          const given = mine.map((a) => a.answers[r.question.id]).filter((v) => v !== undefined);
          expect(r.summary.answered, `${survey} ${r.question.id}`).toBe(given.length);
          for (const d of r.summary.distribution)
            expect(d.count, `${r.question.id} ${d.value}`).toBe(given.filter((v) => ([] as string[]).concat(v).includes(d.value)).length);
        }
        // Each site's headline: answered, and the satisfaction rate of its sentiments (questionnaire.ts sentimentOf).
        const headline = headlineQuestion(q);
        expect(headline?.id).toBe(survey === yesNo.id ? "orientation" : "overall");
        if (!headline) continue;
        expect(results.bySite.map((s) => s.label)).toEqual(["Mairie A", "Mairie B", "Mairie C"]);
        for (const group of results.bySite) {
          const values = mine.filter((a) => a.site === group.key).flatMap((a) => ([] as unknown[]).concat(a.answers[headline.id] ?? []));
          const felt = values.map((v) => sentimentOf(headline, String(v)));
          const counts = {
            satisfied: felt.filter((s) => s === "satisfied").length,
            neutral: felt.filter((s) => s === "neutral").length,
            dissatisfied: felt.filter((s) => s === "dissatisfied").length,
          };
          expect(group.summary.answered).toBe(values.length);
          expect(group.summary.satisfaction?.value).toBeCloseTo(satisfactionRate(counts)?.value ?? Number.NaN, 12);
        }
        // One site, one channel: read from its answers, the same as counted by hand.
        const site = sites[1]?.id ?? "";
        const one = await surveyResults(db, network.id, survey, { ...PERIOD, site, channel: "web" });
        const theirs = mine.filter((a) => a.site === site && a.channel === "web");
        for (const r of one.questions)
          expect(r.summary.answered, `site ${r.question.id}`).toBe(theirs.filter((a) => a.answers[r.question.id] !== undefined).length);
      }

      // The site filter keeps offering a site of the survey's without answers, never an organisation elsewhere.
      const none = await surveyResults(db, network.id, annual.id, { ...PERIOD, site: quiet.id });
      expect(none.responses).toBe(0);
      expect(none.sites.map((x) => x.name)).toContain("Mairie sans réponse");
      const outside = await surveyResults(db, network.id, annual.id, { ...PERIOD, site: elsewhere.id });
      expect(outside.sites.map((x) => x.name)).not.toContain("Réseau voisin");

      // A response that answered nothing (a questionnaire without required question), folded after the migration:
      // counted among the responses, in no question.
      const before = await surveyResults(db, network.id, annual.id, PERIOD);
      const [response] = (
        await sql<{
          id: string;
        }>`insert into survey_responses (org_id, survey_id, version, channel, answered_on, answers, form_token_hash, site_id)
          values (${network.id}, ${annual.id}, 1, 'web', '2026-02-10', '{}'::jsonb, 'empty', ${sites[0]?.id}) returning id`.execute(db)
      ).rows;
      await sql`insert into survey_pending_counts (org_id, response_id, survey_id, month, site_id, site_path, channel, question_ids, answer_values,
                                                   measures, satisfied, neutral, dissatisfied, rated_8)
        values (${network.id}, ${response?.id}, ${annual.id}, '2026-02-01', ${sites[0]?.id}, ${sites[0]?.path}::uuid[], 'web', '{}', '{}',
                '{}', '{}', '{}', '{}', '{}')`.execute(db);
      expect((await getSurvey(db, network.id, annual.id)).responses).toBe(241);
      const after = await surveyResults(db, network.id, annual.id, PERIOD);
      expect((await getSurvey(db, network.id, annual.id)).responses).toBe(241);
      expect(after.questions.map((q) => q.summary.answered)).toEqual(before.questions.map((q) => q.summary.answered));
    } finally {
      await database.close();
    }
  });
});
