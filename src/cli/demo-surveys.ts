import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { Actor } from "../kernel/roles.ts";
import type { Organisation } from "../modules/organisations/organisation.ts";
import { issueFormToken } from "../modules/surveys/form-token.ts";
import {
  createSurvey,
  kioskKey,
  listComments,
  recordKioskAnswer,
  recordResponse,
  reviewComment,
  surveySettings,
  updateSurveySettings,
} from "../modules/surveys/surveys.service.ts";

/** A year of survey answers for the demo: numbers a newcomer can read, made the way the public would give them. */

/** A small deterministic generator: the demo is the same on every machine. */
function generator(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const COMMENTS = [
  "Très bon accueil, merci à l'agent du guichet.",
  "Attente trop longue le samedi matin.",
  "Impossible de joindre le standard entre midi et deux.",
  "Explications claires, dossier réglé en une fois.",
  "Les horaires ne conviennent pas quand on travaille. Contactez-moi au 06 11 22 33 44.",
  "Le formulaire en ligne est simple à remplir.",
];

/** A day `daysAgo` before now, at 10:00 UTC. */
const daysAgo = (n: number) => new Date(Date.now() - n * 86400_000);

async function answerAnnual(
  db: Kysely<DB>,
  survey: { orgId: string; id: string },
  site: string | undefined,
  count: number,
  seed: number,
  mood: number,
) {
  const random = generator(seed);
  const channels = ["counter", "counter", "web", "phone", "email"];
  for (let i = 0; i < count; i++) {
    const now = daysAgo(Math.floor(random() * 330) + 1);
    const pick = (weights: number[]) => {
      let r = random() * weights.reduce((a, b) => a + b, 0);
      for (const [k, w] of weights.entries()) {
        r -= w;
        if (r < 0) return k;
      }
      return weights.length - 1;
    };
    const score = () => String(1 + pick([1, 2, 4, 10 * mood, 8 * mood]));
    const channel = channels[Math.floor(random() * channels.length)] ?? "counter";
    const answers: Record<string, string | string[]> = {
      channel,
      courtesy: score(),
      orientation: random() < 0.85 ? "yes" : "no",
      delay: score(),
      clarity: score(),
      "opening-hours": random() < 0.8 ? "yes" : "no",
      overall: score(),
      recommendation: String(Math.min(10, Math.floor(random() * 6) + (mood > 1 ? 5 : 4))),
    };
    if (channel === "phone") answers["phone-reachability"] = score();
    if (answers["opening-hours"] === "no") answers["preferred-hours"] = random() < 0.5 ? ["early"] : ["evening", "saturday"];
    if (random() < 0.15) answers.comment = COMMENTS[Math.floor(random() * COMMENTS.length)] ?? "";
    await recordResponse(
      db,
      survey.orgId,
      survey.id,
      {
        answers,
        formToken: await issueFormToken(db, survey.orgId, survey.id, now),
        honeypot: "",
        source: `demo-${seed}-${i}`,
        site,
        channel,
      },
      now,
    );
  }
}

export async function loadDemoSurveys(db: Kysely<DB>, actor: Actor, orgs: Organisation[]): Promise<void> {
  const byName = (name: string) => orgs.find((o) => o.name === name);
  const poissy = byName("Ville de Poissy");
  if (poissy) {
    const annual = await createSurvey(db, actor, poissy.id, { template: "annual" });
    await answerAnnual(db, annual, undefined, 260, 7, 1.2);
    const settings = await surveySettings(db, poissy.id, annual.id);
    await updateSurveySettings(db, actor, poissy.id, annual.id, { version: settings.version, status: "open", inviteAfterAnswer: true });
    // Two comments moderated and published, the rest waiting for the referent.
    const comments = await listComments(db, poissy.id, annual.id, { status: "pending" });
    for (const c of comments.slice(0, 2)) {
      await reviewComment(db, actor, poissy.id, {
        responseId: c.responseId,
        questionId: c.questionId,
        version: c.version,
        status: "published",
        publishedText: c.text.replace(/Contactez-moi.*$/, "").trim(),
        themes: /attente|horaires/i.test(c.text) ? ["attente"] : ["accueil"],
      });
    }
    // The counter tablet: one tap a visitor, three faces.
    const spot = await createSurvey(db, actor, poissy.id, { template: "on-the-spot", channel: "counter" });
    const key = await kioskKey(db, {
      orgId: poissy.id,
      id: spot.id,
      kioskNonce: (await surveySettings(db, poissy.id, spot.id)).kioskNonce,
    });
    const random = generator(11);
    for (let i = 0; i < 180; i++) {
      const now = daysAgo(Math.floor(random() * 200));
      const face = random() < 0.72 ? "3" : random() < 0.6 ? "2" : "1";
      await recordKioskAnswer(db, poissy.id, spot.id, key, undefined, { id: `demo-borne-${i}`, answers: { overall: face } }, now);
    }
  }
  // The network's annual survey, answered on each site's own link.
  const network = byName("Réseau des maisons France services de l'Est");
  if (network) {
    const survey = await createSurvey(db, actor, network.id, { template: "annual" });
    const sites = orgs.filter((o) => o.kind === "site" && o.path.includes(network.id));
    for (const [i, site] of sites.entries()) await answerAnnual(db, survey, site.id, 120, 100 + i, i % 2 ? 0.8 : 1.4);
  }
}
