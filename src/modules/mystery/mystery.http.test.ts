import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { prng } from "../../../test/support/call-logs.ts";
import { engineName } from "../../../test/support/database.ts";
import { gridFor } from "./grids.ts";
import { mysteryIndicators } from "./mystery.service.ts";

const text = (body: string) =>
  body
    .replace(/<[^>]+>/g, " ")
    .replaceAll("&#39;", "'")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&")
    .replace(/\s+/g, " ");

type Answers = Record<string, "yes" | "no" | "na">;

describe(`mystery-shopper campaigns through the pages, on ${engineName}`, () => {
  let t: TestApp;
  let c: Client;
  let network = "";
  const sites: Record<string, string> = {};
  const campaigns: string[] = [];
  /** Every test entered, kept here to compute the scores on our own. */
  const entered: Array<{ campaign: number; site: string; channel: "phone" | "counter"; answers: Answers }> = [];
  const random = prng(7);

  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    const create = async (name: string, kind: string, parentId?: string) =>
      (await c.api("POST", "/api/v1/organisations", { name, kind, parentId, timeZone: "Europe/Paris", holidayZone: "metropole" })).json()
        .id as string;
    network = await create("Réseau", "network");
    sites.nord = await create("Agence Nord", "site", network);
    sites.sud = await create("Agence Sud", "site", network);
  });
  afterAll(() => t.close());

  async function newCampaign(title: string, startsOn: string, endsOn: string) {
    await c.get(`/organisations/${network}/mystery`);
    const created = await c.post(`/organisations/${network}/mystery`, {
      title,
      startsOn,
      endsOn,
      channels: ["phone", "counter"],
      sites: [sites.nord ?? "", sites.sud ?? ""],
    });
    expect(created.statusCode, created.body).toBe(303);
    const id = /\/mystery\/([0-9a-f-]{36})\?ok=mystery\.created$/.exec(String(created.headers.location))?.[1] ?? "";
    campaigns.push(id);
    return id;
  }

  async function enterTest(campaign: number, site: string, channel: "phone" | "counter", testedOn: string, yesShare: number) {
    const id = campaigns[campaign] ?? "";
    const form = await c.get(`/organisations/${network}/mystery/${id}/tests/new?channel=${channel}`);
    expect(form.statusCode).toBe(200);
    const answers: Answers = Object.fromEntries(
      gridFor(channel).criteria.map((k) => [k.id, random() < 0.1 ? "na" : random() < yesShare ? "yes" : "no"]),
    );
    const sent = await c.post(`/organisations/${network}/mystery/${id}/tests/new`, {
      channel,
      site: sites[site] ?? "",
      testedOn,
      tester: "Testeur",
      comment: "",
      ...Object.fromEntries(Object.entries(answers).map(([k, v]) => [`c_${k}`, v])),
    });
    expect(sent.statusCode, text(sent.body)).toBe(303);
    entered.push({ campaign, site, channel, answers });
  }

  const expected = (filter: (e: (typeof entered)[number], criterion: string) => boolean) => {
    const raw = exact(filter);
    return raw === null ? null : Math.round(raw);
  };
  const exact = (filter: (e: (typeof entered)[number], criterion: string) => boolean) => {
    let yes = 0;
    let no = 0;
    for (const e of entered)
      for (const [k, v] of Object.entries(e.answers)) {
        if (v === "na" || !filter(e, k)) continue;
        if (v === "yes") yes++;
        else no++;
      }
    return yes + no ? (yes / (yes + no)) * 100 : null;
  };

  it("creates a campaign, refuses a form without a site, a channel or a period", async () => {
    await c.get(`/organisations/${network}/mystery`);
    const bad = await c.post(`/organisations/${network}/mystery`, { title: "X", startsOn: "2026-02-01", endsOn: "2026-01-01" });
    expect(bad.statusCode).toBe(400);
    const body = text(bad.body);
    expect(body).toContain("Choisissez au moins un canal.");
    expect(body).toContain("Choisissez au moins un site.");
    expect(body).toContain("La fin précède le début.");
    await newCampaign("Vague de janvier", "2026-01-01", "2026-01-31");
  });

  it("lets a tester enter results on the grid of the channel; an unanswered criterion or a date out of the campaign is refused", async () => {
    const id = campaigns[0] ?? "";
    const chooser = text((await c.get(`/organisations/${network}/mystery/${id}/tests/new`)).body);
    expect(chooser).toContain("Quel canal testez-vous ?");
    const form = await c.get(`/organisations/${network}/mystery/${id}/tests/new?channel=phone`);
    expect(text(form.body)).toContain("L'agent donne son nom");
    const refused = await c.post(`/organisations/${network}/mystery/${id}/tests/new`, {
      channel: "phone",
      site: sites.nord ?? "",
      testedOn: "2026-03-01",
      tester: "T",
    });
    expect(refused.statusCode).toBe(400);
    expect(text(refused.body)).toContain("La date doit être dans la période de la campagne");
    expect(text(refused.body)).toContain("Répondez oui, non ou sans objet.");
    for (let i = 0; i < 6; i++) {
      await enterTest(0, i % 2 ? "nord" : "sud", i % 3 ? "phone" : "counter", `2026-01-${String(10 + i).padStart(2, "0")}`, 0.5);
    }
  });

  it("scores by channel, site, commitment and criterion, as computed from the answers", async () => {
    const page = text((await c.get(`/organisations/${network}/mystery/${campaigns[0]}`)).body);
    const score = (v: number | null) => (v === null ? "—" : `${v} / 100`);
    expect(page).toContain(`score global : ${score(expected((e) => e.campaign === 0))}`);
    expect(page).toContain(`Téléphone ${score(expected((e) => e.campaign === 0 && e.channel === "phone"))}`);
    expect(page).toContain(`Agence Nord ${score(expected((e) => e.campaign === 0 && e.site === "nord"))}`);
    expect(page).toContain(`marianne-2008/12 ${score(expected((e, k) => e.campaign === 0 && k === "phone.pickup"))}`);
  });

  it("compares two campaigns, and gives the score per channel up the tree from the rollup", async () => {
    await newCampaign("Vague de mars", "2026-03-01", "2026-03-31");
    for (let i = 0; i < 4; i++) await enterTest(1, i % 2 ? "nord" : "sud", i % 2 ? "phone" : "counter", `2026-03-0${1 + i}`, 0.9);
    const page = text((await c.get(`/organisations/${network}/mystery/compare?a=${campaigns[0]}&b=${campaigns[1]}`)).body);
    const a = expected((e) => e.campaign === 0);
    const b = expected((e) => e.campaign === 1);
    const diff = Math.round((exact((e) => e.campaign === 1) ?? 0) - (exact((e) => e.campaign === 0) ?? 0));
    expect(page).toContain(`Tous critères ${a} / 100 ${b} / 100 ${diff > 0 ? "+" : ""}${diff}`);

    // The JSON API gives the same scores, and takes a test as JSON.
    const api = (await c.api("GET", `/api/v1/organisations/${network}/mystery-campaigns/${campaigns[1]}/results`)).json();
    expect(api.total.score).toBeCloseTo(exact((e) => e.campaign === 1) ?? -1, 9);
    const grid = gridFor("phone");
    const posted = await c.api("POST", `/api/v1/organisations/${network}/mystery-campaigns/${campaigns[1]}/tests`, {
      channel: "phone",
      site: sites.sud,
      testedOn: "2026-03-20",
      tester: "API",
      answers: Object.fromEntries(grid.criteria.map((k) => [k.id, "yes"])),
    });
    expect(posted.statusCode).toBe(201);
    entered.push({
      campaign: 1,
      site: "sud",
      channel: "phone",
      answers: Object.fromEntries(grid.criteria.map((k) => [k.id, "yes" as const])),
    });
    const missing = await c.api("POST", `/api/v1/organisations/${network}/mystery-campaigns/${campaigns[1]}/tests`, {
      channel: "phone",
      site: sites.sud,
      testedOn: "2026-03-20",
      tester: "API",
      answers: {},
    });
    expect(missing.statusCode).toBe(400);

    const values = await mysteryIndicators(t.database.db, network, { from: "2026-01-01", to: "2026-03-31" });
    const phone = values.find((v) => v.key === "mystery.score_phone");
    expect(phone?.value).toBeCloseTo(exact((e) => e.channel === "phone") ?? -1, 9);
    expect(phone?.commitments).toContain("marianne-2008/12");
    const nord = await mysteryIndicators(t.database.db, sites.nord ?? "", { from: "2026-03-01", to: "2026-03-31" });
    const counterNord = entered.filter((e) => e.campaign === 1 && e.site === "nord" && e.channel === "counter");
    expect(nord.find((v) => v.key === "mystery.score_counter")?.sample ?? 0).toBe(
      counterNord.flatMap((e) => Object.values(e.answers)).filter((v) => v !== "na").length,
    );
  });
});
