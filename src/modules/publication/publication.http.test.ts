import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { typographyProblems } from "../../../test/support/typography.ts";
import type { Actor } from "../../kernel/roles.ts";
import { isOpenAt, organisationCalendar } from "../calendar/calendar.service.ts";
import { adoptFramework } from "../frameworks/frameworks.service.ts";
import { ANNUAIRE_RECORD } from "../opening-hours/annuaire.fixture.ts";
import { weeklyOpenSlots } from "../opening-hours/opening-hours.service.ts";
import { createOrganisation, getOrganisation } from "../organisations/organisations.service.ts";
import { changeStatus, registerRequest } from "../requests/requests.service.ts";
import { refreshPublication } from "./publication.service.ts";

/**
 * The dashboard, the public results page and open data, through HTTP as people use them. Expected
 * figures are counted here from the requests the test itself registers and answers, never read back
 * from the code under test.
 */
const ROOT: Actor = { accountId: "00000000-0000-0000-0000-000000000000", email: "x", displayName: "Test", instanceAdmin: true, grants: [] };
const BASE = { timeZone: "Europe/Paris", holidayZone: "metropole" as const, addressStreet: undefined, siret: undefined };
const PERIOD = { from: "2026-03-01", to: "2026-03-31" };

describe("dashboards, published results and open data", () => {
  let t: TestApp;
  let admin: Client;
  let network = "";
  let s1 = "";
  let s2 = "";
  /** Per site: answered with a target, and answered in time — counted as the test answers them. */
  const expected = new Map<string, { answered: number; inTime: number }>();

  async function answerRequests(orgId: string, plan: Array<"early" | "late">) {
    const counts = { answered: 0, inTime: 0 };
    for (const [i, when] of plan.entries()) {
      const receivedOn = `2026-03-${String(2 + i).padStart(2, "0")}`;
      const { request } = await registerRequest(
        t.database.db,
        orgId,
        { kind: "request", channel: "letter", receivedOn, subject: `Demande ${i}` },
        { source: "agent", author: { accountId: null, label: "test" } },
      );
      expect(request.dueOn).not.toBeNull();
      const due = new Date(`${request.dueOn}T12:00:00Z`);
      const on = new Date(due.getTime() + (when === "early" ? -1 : 3) * 86_400_000).toISOString().slice(0, 10);
      await changeStatus(t.database.db, ROOT, orgId, request.id, { status: "answered", pauseClock: false, version: request.version, on });
      counts.answered++;
      if (on <= (request.dueOn ?? "")) counts.inTime++;
    }
    expected.set(orgId, counts);
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await adminClient(t);
    const db = t.database.db;
    const n = await createOrganisation(db, ROOT, {
      ...BASE,
      name: "Réseau Test",
      kind: "network",
      parentId: undefined,
      addressPostcode: undefined,
      addressCity: undefined,
    });
    const a = await createOrganisation(db, ROOT, {
      ...BASE,
      name: "Site Alpha",
      kind: "site",
      parentId: n.id,
      addressPostcode: "78300",
      addressCity: "Poissy",
    });
    const b = await createOrganisation(db, ROOT, {
      ...BASE,
      name: "Site Bêta",
      kind: "site",
      parentId: n.id,
      addressPostcode: undefined,
      addressCity: undefined,
    });
    network = n.id;
    s1 = a.id;
    s2 = b.id;
    await adoptFramework(db, ROOT, network, "marianne-2008");
    await answerRequests(s1, ["early", "early", "late", "early", "late", "early"]);
    await answerRequests(s2, ["late", "early", "late", "late"]);
    await refreshPublication(db, network, new Date("2026-06-15T10:00:00Z"));
  });
  afterAll(() => t.close());

  const share = (orgIds: string[]) => {
    const sum = orgIds
      .map((id) => expected.get(id) ?? { answered: 0, inTime: 0 })
      .reduce((x, y) => ({ answered: x.answered + y.answered, inTime: x.inTime + y.inTime }));
    return sum.inTime / sum.answered;
  };
  const pct = (v: number) => `${(Math.round(v * 1000) / 10).toLocaleString("fr-FR")}\u202f%`;

  it("shows the network's figures by commitment, with light and trend, and ranks its sites", async () => {
    const api = await admin.get(`/api/v1/organisations/${network}/dashboard?from=${PERIOD.from}&to=${PERIOD.to}`);
    expect(api.statusCode).toBe(200);
    const body = api.json() as { framework: string; lines: Array<{ commitment: string | null; figures: Array<Record<string, unknown>> }> };
    expect(body.framework).toBe("marianne-2008");
    const line = body.lines.find((l) => l.commitment === "marianne-2008/10");
    const inTime = line?.figures.find((f) => f.key === "requests.answered_in_time" && f.channel === null);
    expect(inTime?.value).toBeCloseTo(share([s1, s2]), 10);
    expect(inTime?.sample).toBe(10);
    // 50 % against a target of 100 %: red; nothing the month before, so no trend.
    expect(inTime?.light).toBe("red");
    expect(inTime?.trend).toBe("none");

    const page = await admin.get(`/organisations/${network}/dashboard?from=${PERIOD.from}&to=${PERIOD.to}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(pct(share([s1, s2])));
    expect(page.body).toContain("Objectif manqué");

    const compare = await admin.get(
      `/organisations/${network}/dashboard/compare?from=${PERIOD.from}&to=${PERIOD.to}&indicator=requests.answered_in_time`,
    );
    expect(compare.statusCode).toBe(200);
    const rows = [...compare.body.matchAll(/<tr><td>(\d+|—)<\/td><th scope="row"><a [^>]*>([^<]+)<\/a><\/th><td>([^<]+)<\/td>/g)].map(
      (m) => [m[1], m[2], m[3]],
    );
    const [first, second] =
      share([s1]) >= share([s2])
        ? [
            ["Site Alpha", s1],
            ["Site Bêta", s2],
          ]
        : [
            ["Site Bêta", s2],
            ["Site Alpha", s1],
          ];
    expect(rows).toEqual([
      ["1", first?.[0], pct(share([first?.[1] ?? ""]))],
      ["2", second?.[0], pct(share([second?.[1] ?? ""]))],
    ]);
    expect(compare.body).toContain("<svg");
  });

  it("refuses a period that ends before it starts, in French", async () => {
    const r = await admin.get(`/api/v1/organisations/${network}/dashboard?from=2026-03-31&to=2026-03-01`);
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain("La fin de la période précède son début.");
  });

  it("serves the public page without login, with the SP+ set in order and no script, under 50 KB compressed", async () => {
    const anonymous = new Client(t.app);
    const r = await t.app.inject({ method: "GET", url: `/public/organisations/${s1}/results`, headers: { "accept-encoding": "br" } });
    expect(r.statusCode).toBe(200);
    const html = (await anonymous.get(`/public/organisations/${s1}/results`)).body;
    expect(html).not.toMatch(/<script(?![^>]*application\/ld\+json)/);
    const order = [
      "Appels décrochés par un agent",
      "Demandes traitées dans le délai annoncé",
      "Démarches en ligne notées 8/10 ou plus",
      "Usagers satisfaits",
      "Satisfaction nette",
    ];
    const positions = order.map((label) => html.indexOf(label));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(html).toContain(pct(share([s1])));
    expect(html).toContain(`sur ${expected.get(s1)?.answered}\u00a0demandes traitées`);
    // Calls and surveys have no source yet.
    expect(html.match(/Pas encore de donnée/g)?.length).toBe(4);
    expect(html).toContain("Résultats du 1er\u00a0janvier 2026 au 15\u00a0juin 2026");

    const css = /<link[^>]+href="(\/assets\/vigie-public\.[^"]+\.css)"/.exec(html)?.[1] ?? "";
    const stylesheet = await t.app.inject({ method: "GET", url: css, headers: { "accept-encoding": "br" } });
    expect(stylesheet.statusCode).toBe(200);
    const total = r.rawPayload.length + stylesheet.rawPayload.length;
    expect(total).toBeLessThan(50 * 1024);
  });

  it("gives a network's public page with links to each site, and 404 for an unknown organisation", async () => {
    const page = await new Client(t.app).get(`/public/organisations/${network}/results`);
    expect(page.body).toContain(pct(share([s1, s2])));
    expect(page.body).toContain(`/public/organisations/${s1}/results`);
    expect((await new Client(t.app).get("/public/organisations/00000000-0000-4000-8000-000000000000/results")).statusCode).toBe(404);
    expect((await new Client(t.app).get("/public/organisations/pas-un-id/results")).statusCode).toBe(404);
  });

  it("writes open data as CSV (one row per site × indicator × period) and JSON with the same columns", async () => {
    const csv = await new Client(t.app).get(`/public/organisations/${network}/results.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    const rows = parse(csv.body, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0] ?? {})).toEqual([
      "organisation_id",
      "organisation_siret",
      "organisation_name",
      "organisation_kind",
      "parent_id",
      "indicator_key",
      "indicator_label",
      "sp_indicator",
      "channel",
      "period_start",
      "period_end",
      "value",
      "unit",
      "sample_size",
      "ci_low",
      "ci_high",
      "target",
      "commitments",
      "computed_on",
    ]);
    const row = rows.find(
      (r) =>
        r.organisation_id === s2 && r.indicator_key === "requests.answered_in_time" && r.channel === "" && r.period_start === "2026-01-01",
    );
    expect(Number(row?.value)).toBeCloseTo(share([s2]), 6);
    expect(row?.period_end).toBe("2026-06-15");
    expect(row?.sample_size).toBe(String(expected.get(s2)?.answered));
    expect(row?.sp_indicator).toBe("Respect du délai de traitement annoncé");
    expect(row?.organisation_name).toBe("Site Bêta");
    // No duplicate site × indicator × channel × period.
    const keys = rows.map((r) => `${r.organisation_id}|${r.indicator_key}|${r.channel}|${r.period_start}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(rows.map((r) => r.organisation_id))).toEqual(new Set([network, s1, s2]));

    const json = await new Client(t.app).get(`/api/v1/public/organisations/${network}/published-figures`);
    const body = json.json() as { figures: Array<Record<string, unknown>> };
    expect(body.figures).toHaveLength(rows.length);
    expect(Object.keys(body.figures[0] ?? {})).toEqual(Object.keys(rows[0] ?? {}));
  });

  it("gives an SVG badge and a widget page for an iframe", async () => {
    const badge = await new Client(t.app).get(`/public/organisations/${s1}/badge.svg`);
    expect(badge.headers["content-type"]).toContain("image/svg+xml");
    expect(badge.body).toContain(
      `<title>Site Alpha — Demandes traitées dans le délai (2026) : ${pct(share([s1])).replace("\u202f", " ")}</title>`,
    );
    const widget = await new Client(t.app).get(`/public/organisations/${s1}/widget`);
    expect(widget.body).toContain('<html lang="fr">');
    expect(widget.body).toContain(pct(share([s1])));
    expect(widget.body).not.toContain("<script");
  });

  it("refuses opening hours it cannot read, in French, and saves nothing", async () => {
    await admin.get(`/organisations/${s1}/public-info`);
    const bad = await admin.post(`/organisations/${s1}/public-info`, { hours: "Mo-Fr 25:00-12:00", version: "0", phone: "01 39 22 55 00" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Horaires non reconnus : La plage horaire commence en dehors du jour");
    // The input is shown again.
    expect(bad.body).toContain("Mo-Fr 25:00-12:00");
    const api = (await admin.get(`/api/v1/organisations/${s1}/public-info`)).json() as {
      openingHours: string | null;
      version: number;
      phone: string | null;
    };
    expect(api).toMatchObject({ openingHours: null, version: 0, phone: null });
  });

  it("saves hours and a change announced with its date, refuses a stale version, publishes JSON-LD", async () => {
    const saved = await admin.api("PUT", `/api/v1/organisations/${s1}/public-info`, {
      hours: "mo-fr 08:30-12:00,13:30-17:00; we 08:30-12:00",
      validFrom: "2026-01-05",
      stepFree: true,
      accessibility: "Rampe d'accès et boucle magnétique à l'accueil.",
      phone: "01 39 22 55 00",
      version: 0,
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ openingHours: "Mo-Fr 08:30-12:00,13:30-17:00; We 08:30-12:00", version: 1 });
    const stale = await admin.api("PUT", `/api/v1/organisations/${s1}/public-info`, { hours: "Mo-Fr 09:00-12:00", version: 0 });
    expect(stale.statusCode).toBe(409);
    const future = await admin.api("PUT", `/api/v1/organisations/${s1}/public-info`, {
      hours: "Mo-Fr 09:00-12:00",
      validFrom: "2099-01-05",
      stepFree: true,
      phone: "01 39 22 55 00",
      version: 1,
    });
    expect(future.statusCode).toBe(200);

    const html = (await new Client(t.app).get(`/public/organisations/${s1}/results`)).body;
    expect(html).toContain("Nouveaux horaires à partir du lundi 5\u00a0janvier 2099");
    expect(html).toContain("<strong>Mercredi</strong>\u00a0: 08 h 30 – 12 h 00");
    expect(html).toContain("Locaux accessibles aux personnes en fauteuil roulant.");
    const jsonLd = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)?.[1] ?? "{}") as {
      "@type": string;
      openingHoursSpecification: Array<{ dayOfWeek: string[]; opens: string; closes: string }>;
    };
    expect(jsonLd["@type"]).toBe("GovernmentOffice");
    expect(jsonLd.openingHoursSpecification).toContainEqual({
      "@type": "OpeningHoursSpecification",
      dayOfWeek: ["https://schema.org/Monday", "https://schema.org/Tuesday", "https://schema.org/Thursday", "https://schema.org/Friday"],
      opens: "13:30",
      closes: "17:00",
      validFrom: "2026-01-05",
    });
    const publicApi = (await new Client(t.app).get(`/api/v1/public/organisations/${s1}/public-info`)).json() as Record<string, unknown>;
    expect(publicApi).toMatchObject({
      openingHours: "Mo-Fr 08:30-12:00,13:30-17:00; We 08:30-12:00",
      upcomingOpeningHours: { validFrom: "2099-01-05" },
    });
  });

  it("imports an Annuaire record and answers « is it open? » for the calls figures", async () => {
    await admin.get(`/organisations/${s2}/public-info`);
    const imported = await admin.post(`/organisations/${s2}/public-info/annuaire`, {
      record: JSON.stringify(ANNUAIRE_RECORD),
      validFrom: "2026-01-01",
      version: "0",
    });
    expect(imported.statusCode).toBe(303);
    const info = (await admin.get(`/api/v1/organisations/${s2}/public-info`)).json() as Record<string, unknown>;
    expect(info).toMatchObject({
      openingHours: "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00",
      email: "accueil@ville-poissy.fr",
      stepFree: true,
    });
    const db = t.database.db;
    // Tuesday 17 November 2026, 10:15 in Paris (09:15 UTC); the same day at 12:30 is the lunch break.
    expect(await isOpenAt(db, s2, new Date("2026-11-17T09:15:00Z"))).toBe(true);
    expect(await isOpenAt(db, s2, new Date("2026-11-17T11:30:00Z"))).toBe(false);
    const slots = await weeklyOpenSlots(db, s2, "2026-11-17");
    // Monday 08:30 is slot 34, Sunday has none.
    expect(slots?.[34]).toBe(1);
    expect(slots?.[33]).toBe(0);
    expect(slots?.slice(6 * 96).every((s) => s === 0)).toBe(true);
    expect(await isOpenAt(db, network, new Date())).toBeNull();

    const bad = await admin.post(`/organisations/${s2}/public-info/annuaire`, { record: "{ pas du json", version: "1" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Ce n&#39;est pas du JSON");
  });

  it("counts days without any opening as closed for deadlines only when the organisation says so", async () => {
    const db = t.database.db;
    const org = await getOrganisation(db, s1);
    // Saturday and Sunday aside, every weekday opens: close Wednesdays from 2026-02-02 instead.
    const current = (await admin.get(`/api/v1/organisations/${s1}/public-info`)).json() as { version: number };
    await admin.api("PUT", `/api/v1/organisations/${s1}/public-info`, {
      hours: "Mo,Tu,Th,Fr 09:00-12:00",
      validFrom: "2026-02-02",
      version: current.version,
    });
    expect((await organisationCalendar(db, org)).isWorkingDay("2026-02-04")).toBe(true);
    const again = (await admin.get(`/api/v1/organisations/${s1}/public-info`)).json() as { version: number };
    await admin.api("PUT", `/api/v1/organisations/${s1}/public-info`, { closesDeadlines: true, version: again.version });
    const calendar = await organisationCalendar(db, org);
    expect(calendar.isWorkingDay("2026-02-04")).toBe(false);
    expect(calendar.isWorkingDay("2026-01-28")).toBe(true);
    expect(calendar.isWorkingDay("2026-02-05")).toBe(true);
  });

  it("writes its figures as French typography wants on the dashboard, the delay figures and the public page", async () => {
    const pages = [
      `/organisations/${network}/dashboard?from=${PERIOD.from}&to=${PERIOD.to}`,
      `/organisations/${network}/requests/indicators?from=${PERIOD.from}&to=${PERIOD.to}`,
      `/organisations/${s1}/dashboard?from=${PERIOD.from}&to=${PERIOD.to}`,
    ];
    const problems: Record<string, string[]> = {};
    for (const url of pages) {
      const page = await admin.get(url);
      expect(page.statusCode).toBe(200);
      const found = typographyProblems(page.body);
      if (found.length) problems[url] = found;
    }
    const publicPage = await new Client(t.app).get(`/public/organisations/${s1}/results`);
    const found = typographyProblems(publicPage.body);
    if (found.length) problems.public = found;
    expect(problems).toEqual({});
  });

  it("prints the A4 poster", async () => {
    const pdf = await new Client(t.app).get(`/public/organisations/${s1}/poster.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
  });
});
