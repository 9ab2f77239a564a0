import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { syncFrameworks } from "./frameworks.service.ts";

describe("frameworks and local commitments, on a real database", () => {
  let t: TestApp;
  let c: Client;
  let network = "";
  let site = "";
  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    const base = { timeZone: "Europe/Paris", holidayZone: "metropole" };
    network = (await c.api("POST", "/api/v1/organisations", { ...base, name: "Réseau", kind: "network" })).json().id;
    site = (await c.api("POST", "/api/v1/organisations", { ...base, name: "Mairie", kind: "site", parentId: network })).json().id;
  });
  afterAll(() => t.close());

  it("loads the reference data once: a second sync with the same files writes nothing", async () => {
    expect(await syncFrameworks(t.database.db)).toBe(false);
    const frameworks = (await c.api("GET", "/api/v1/frameworks")).json();
    expect(frameworks.map((f: { id: string; commitmentCount: number }) => `${f.id}:${f.commitmentCount}`)).toEqual([
      "marianne-2008:19",
      "marianne-2016:12",
      "sp+2021:9",
      "sp+2023:8",
    ]);
  });

  it("finds commitments with or without accents, and follows the links between versions", async () => {
    const withAccent = (await c.api("GET", "/api/v1/commitments?q=réclamations&framework=marianne-2008")).json();
    const without = (await c.api("GET", "/api/v1/commitments?q=reclamations&framework=marianne-2008")).json();
    expect(without.map((x: { id: string }) => x.id)).toEqual(withAccent.map((x: { id: string }) => x.id));
    expect(without.map((x: { id: string }) => x.id)).toContain("marianne-2008/13");
    const letters = (await c.api("GET", "/api/v1/frameworks/marianne-2008/commitments/10")).json();
    expect(letters.links.map((l: { id: string }) => l.id)).toContain("marianne-2016/7");
    const page = await c.get("/commitments?q=equipe");
    expect(page.statusCode).toBe(200);
  });

  it("finds, for a commitment of an older framework, the ones of the newer framework carrying the same promise", async () => {
    const { equivalentIn } = await import("./frameworks.service.ts");
    expect(await equivalentIn(t.database.db, "marianne-2008/10", "sp+2021")).toContain("sp+2021/5");
    expect(await equivalentIn(t.database.db, "marianne-2008/12", "marianne-2016")).toContain("marianne-2016/8");
    // A service moving to the 2023 framework: 2008 → 2016 → SP+ 2021 → SP+ 2023, and back.
    expect(await equivalentIn(t.database.db, "marianne-2008/10", "sp+2023")).toContain("sp+2023/4");
    expect(await equivalentIn(t.database.db, "sp+2021/8", "sp+2023")).toContain("sp+2023/7");
    expect(await equivalentIn(t.database.db, "sp+2023/2", "marianne-2016")).toContain("marianne-2016/8");
    expect(await equivalentIn(t.database.db, "sp+2021/5", "marianne-2008")).toEqual(
      expect.arrayContaining(["marianne-2008/10", "marianne-2008/11"]),
    );
  });

  it("inherits the framework down the tree unless a node adopts its own", async () => {
    expect((await c.api("PUT", `/api/v1/organisations/${network}/framework`, { frameworkId: "marianne-2008" })).statusCode).toBe(204);
    let mine = (await c.api("GET", `/api/v1/organisations/${site}/commitments`)).json();
    expect(mine.framework).toMatchObject({ id: "marianne-2008", adoptedBy: network });
    expect(mine.commitments).toHaveLength(19);
    await c.api("PUT", `/api/v1/organisations/${site}/framework`, { frameworkId: "sp+2021" });
    mine = (await c.api("GET", `/api/v1/organisations/${site}/commitments`)).json();
    expect(mine.framework).toMatchObject({ id: "sp+2021", adoptedBy: site });
    await c.api("PUT", `/api/v1/organisations/${site}/framework`, {});
    mine = (await c.api("GET", `/api/v1/organisations/${site}/commitments`)).json();
    expect(mine.framework.id).toBe("marianne-2008");
    const unknown = await c.api("PUT", `/api/v1/organisations/${site}/framework`, { frameworkId: "iso-9001" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().fields.frameworkId).toBe("Référentiel inconnu.");
  });

  it("adds a local commitment through the form; a reply delay there is sent to the delays table", async () => {
    await c.get(`/organisations/${site}/commitments`);
    const bad = await c.post(`/organisations/${site}/commitments/local`, {
      title: "",
      metric: "call_pickup_rings",
      value: "zéro",
      unit: "rings",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("L&#39;intitulé est obligatoire.");
    expect(bad.body).toContain("Cochez au moins un canal.");
    expect(bad.body).toContain("Indiquez un nombre.");
    const delay = await c.api("POST", `/api/v1/organisations/${site}/local-commitments`, {
      title: "Courriels sous sept jours",
      channels: ["email"],
      targets: [{ metric: "reply_delay", value: 7, unit: "calendar_days", channels: ["email"], kinds: [] }],
    });
    expect(delay.statusCode).toBe(400);
    expect(JSON.stringify(delay.json().fields)).toContain("Délais annoncés");
    const ok = await c.post(`/organisations/${site}/commitments/local`, {
      title: "Rendez-vous pour les cartes d'identité sous 30 jours",
      channels: "counter",
    });
    expect(ok.statusCode).toBe(303);
    const page = await c.get(`/organisations/${site}/commitments`);
    expect(page.body).toContain("Rendez-vous pour les cartes d&#39;identité sous 30 jours");
  });

  it("lets a network tighten a framework target for its sites, never loosen it", async () => {
    const looser = await c.api("POST", `/api/v1/organisations/${network}/local-commitments`, {
      title: "Décroché en 8 sonneries",
      baseCommitmentId: "marianne-2008/12",
      channels: ["phone"],
      targets: [{ metric: "call_pickup_rings", value: 8, unit: "rings", channels: ["phone"], kinds: [] }],
    });
    expect(looser.statusCode).toBe(400);
    const tighter = await c.api("POST", `/api/v1/organisations/${network}/local-commitments`, {
      title: "Nous décrochons en moins de 3 sonneries.",
      baseCommitmentId: "marianne-2008/12",
      channels: ["phone"],
      targets: [{ metric: "call_pickup_rings", value: 3, unit: "rings", channels: ["phone"], kinds: [] }],
    });
    expect(tighter.statusCode).toBe(201);
    const printable = await new Client(t.app).get(`/public/organisations/${site}/commitments`);
    expect(printable.statusCode).toBe(200);
    expect(printable.body).toContain("Téléphone : décroché en moins de 3 sonneries");
  });
});
