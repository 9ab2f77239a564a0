import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { Actor } from "../kernel/roles.ts";
import { addLevers, bulkStatus, createAction, listPlan } from "../modules/actions/actions.service.ts";
import { campaignDetails, createCampaign, saveCommitmentAnswers, signCampaign } from "../modules/assessments/assessments.service.ts";
import type { ItemStatus } from "../modules/assessments/score.ts";
import { searchLevers } from "../modules/levers/levers.service.ts";
import type { Organisation } from "../modules/organisations/organisations.service.ts";
import { addStaff, addTraining, fileIncident, listIncidents, triageIncident } from "../modules/staff/staff.service.ts";
import { TRAINING_THEMES } from "../modules/staff/themes.ts";

/** The town hall's full loop, or a network site's lighter one (a few actions and agents). */
export interface DemoImprovementOptions {
  /** The framework whose levers fill the plan: the one the site follows. */
  leverFramework: string;
  size: "full" | "small";
}

/**
 * The loop of improvement for a demo site: last year's self-assessment (signed) and this year's
 * (filled in, better, left for the referent to sign), a plan from the lever bank in every state
 * (about thirty actions for the town hall, a handful for a network's site), the staff at the counter
 * and their trainings, a few incident reports. The network's sites get theirs so that its head sees
 * them add up on the network's plan, staff and annual review.
 */
export async function loadDemoImprovement(
  db: Kysely<DB>,
  actor: Actor,
  site: Organisation | undefined,
  options: DemoImprovementOptions = { leverFramework: "marianne-2016", size: "full" },
  now = new Date(),
): Promise<void> {
  if (!site) return;
  const small = options.size === "small";
  const year = now.getFullYear();
  const orgId = site.id;
  // A deterministic spread of answers: more "met" this year than last.
  const answer = (n: number, better: boolean): ItemStatus => {
    const r = (n * 37 + (better ? 11 : 0)) % 10;
    if (r < (better ? 6 : 4)) return "met";
    if (r < (better ? 8 : 7)) return "partly";
    if (r < 9) return "not_met";
    return "not_applicable";
  };
  for (const [campaignYear, better] of [
    [year - 1, false],
    [year, true],
  ] as const) {
    const campaign = await createCampaign(db, actor, orgId, campaignYear);
    const details = await campaignDetails(db, orgId, campaign.id);
    let n = 0;
    for (const c of details.commitments) {
      await saveCommitmentAnswers(
        db,
        actor,
        orgId,
        campaign.id,
        c.index,
        c.items.map((i) => ({
          requirementId: i.requirementId,
          status: answer(n++, better),
          comment: n % 4 === 0 ? "Constat fait lors de la visite de l'accueil." : undefined,
          links: [],
          version: i.version,
        })),
      );
    }
    // The town hall leaves this year's for its referent to sign; the network's sites have signed theirs.
    if (!better || small) {
      const fresh = await campaignDetails(db, orgId, campaign.id);
      await signCampaign(db, actor, orgId, campaign.id, fresh.campaign.version);
    }
  }

  // Levers of the bank for this year and the next, and a few free ones; each site draws its own.
  const levers = await searchLevers(db, { frameworkId: options.leverFramework, limit: 60 });
  const offset = small ? (Number.parseInt(orgId.slice(0, 4), 16) % 8) * 5 : 0;
  const pick = (from: number, count: number) => levers.slice(offset + from, offset + from + count).map((l) => l.id);
  const [thisYear, nextYear] = small ? [7, 2] : [22, 6];
  await addLevers(db, actor, orgId, { leverIds: pick(0, thisYear), planYear: year, dueOn: `${year}-06-30`, owner: "Sophie Référente" });
  await addLevers(db, actor, orgId, {
    leverIds: pick(thisYear, nextYear),
    planYear: year + 1,
    dueOn: `${year + 1}-06-30`,
    owner: "Accueil",
  });
  await createAction(db, actor, orgId, {
    title: "Refaire la signalétique du hall d'accueil",
    planYear: year,
    dueOn: `${year}-02-28`,
    owner: "Services techniques",
    channel: "counter",
    status: "doing",
  });
  await createAction(db, actor, orgId, {
    title: "Publier les résultats de l'enquête de satisfaction sur le site de la ville",
    planYear: year + 1,
    dueOn: `${year + 1}-03-31`,
    owner: "Communication",
    channel: "web",
  });
  const plan = (await listPlan(db, orgId, { planYear: year })).filter((a) => a.status === "todo");
  const ids = plan.map((a) => a.id);
  const [done, doing, dropped] = small ? [3, 2, 1] : [11, 5, 2];
  await bulkStatus(db, actor, orgId, ids.slice(0, done), "done");
  await bulkStatus(db, actor, orgId, ids.slice(done, done + doing), "doing");
  await bulkStatus(db, actor, orgId, ids.slice(done + doing, done + doing + dropped), "dropped");

  const names = [
    "Nadia Benali",
    "Julien Morel",
    "Claire Dubois",
    "Thomas Petit",
    "Inès Garcia",
    "Hugo Lambert",
    "Sarah Cohen",
    "Marc Leroy",
  ];
  const staff: string[] = [];
  for (const name of small ? names.slice(offset % 5, (offset % 5) + 3) : names)
    staff.push(await addStaff(db, actor, orgId, { name, job: "Agent d'accueil" }));
  for (const [i, id] of staff.entries()) {
    for (const [k, theme] of TRAINING_THEMES.entries()) {
      if ((i + k * 3) % 4 === 3) continue;
      if (k > 3 && i % 2 === 1) continue;
      await addTraining(db, actor, orgId, { staffId: id, theme, completedOn: `${year}-0${1 + ((i + k) % 9)}-15` });
    }
  }

  const reports = [
    ["counter", "La borne de ticket d'attente est tombée en panne deux fois dans la matinée."],
    ["phone", "Le message du standard annonce encore les horaires d'été."],
    ["web", "Le formulaire de rendez-vous en ligne refuse les numéros de téléphone étrangers."],
    ["letter", "Des courriers sont arrivés au mauvais service faute d'adresse de service sur le site."],
  ] as const;
  if (small) return;
  for (const [i, [channel, description]] of reports.entries()) {
    await fileIncident(db, actor, orgId, { occurredOn: `${year}-0${2 + i}-10`, channel, description });
  }
  const incidents = await listIncidents(db, orgId);
  const phone = incidents.find((i) => i.channel === "phone");
  if (phone)
    await triageIncident(db, actor, orgId, phone.id, {
      decision: "action",
      title: "Mettre à jour le message du standard à chaque changement d'horaires",
      version: phone.version,
    });
  const letter = incidents.find((i) => i.channel === "letter");
  if (letter)
    await triageIncident(db, actor, orgId, letter.id, {
      decision: "dismiss",
      note: "Déjà traité par l'action sur l'annuaire.",
      version: letter.version,
    });
}
