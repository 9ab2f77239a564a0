import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import QRCode from "qrcode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { EMBEDDED_MARIANNE, NAMES_BEYOND_WINANSI, readPdf } from "../../../test/support/pdf.ts";
import { localDay } from "../../kernel/time.ts";
import { formatDate, formatDelay } from "../../ui/format.ts";
import { CODE_ALPHABET, codeFromSecret, formatTrackingCode, normaliseTrackingCode } from "./tracking-code.ts";

const hasPoppler = (() => {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const BASE_URL = "https://vigie.mairie-lyon.example";

describe("the short tracking code", () => {
  it("is 8 unambiguous characters, the same for the same request, different for another", () => {
    const secret = Buffer.from("une clé d'instance");
    const code = codeFromSecret(secret, "3f1c0d1e-0000-4000-8000-000000000001");
    expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
    expect(codeFromSecret(secret, "3f1c0d1e-0000-4000-8000-000000000001")).toBe(code);
    expect(codeFromSecret(secret, "3f1c0d1e-0000-4000-8000-000000000002")).not.toBe(code);
    expect(codeFromSecret(Buffer.from("une autre clé"), "3f1c0d1e-0000-4000-8000-000000000001")).not.toBe(code);
  });

  it("is shown grouped and read back in any case, with or without dash", () => {
    expect(formatTrackingCode("ABCDEFGH")).toBe("ABCD-EFGH");
    expect(normaliseTrackingCode("abcd-efgh")).toBe("ABCDEFGH");
    expect(normaliseTrackingCode(" abcd efgh ")).toBe("ABCDEFGH");
    expect(normaliseTrackingCode("ABCD-EFG0")).toBeUndefined();
    expect(normaliseTrackingCode("ABCD-EFG")).toBeUndefined();
  });
});

/** The modules of the QR code drawn in a PDF page rendered at `dpi`, read back from the pixels. */
/** A binary PGM (P5, 8 bits), as `pdftoppm -gray` writes it. */
interface Gray {
  width: number;
  height: number;
  data: Buffer;
}

function readPgm(file: Buffer): Gray {
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(file.subarray(0, 64).toString("latin1"));
  if (!header) throw new Error("not a PGM");
  return { width: Number(header[1]), height: Number(header[2]), data: file.subarray(header[0].length) };
}

function readQrGrid(png: Gray, dpi: number, size: number): boolean[][] {
  const scale = dpi / 72;
  const cell = (96 / (size + 8)) * scale;
  const x0 = (64 + (4 * cell) / scale) * scale;
  const dark = (x: number, y: number) => {
    const i = Math.round(y) * png.width + Math.round(x);
    return (png.data[i] ?? 255) < 128;
  };
  // The top edge of the finder patterns: 7 dark modules at both the left and the right corner.
  let top = -1;
  for (let y = 0; y < png.height && top < 0; y++) {
    let all = true;
    for (let m = 0; m < 7 && all; m++) all = dark(x0 + (m + 0.5) * cell, y) && dark(x0 + (size - 7 + m + 0.5) * cell, y);
    if (all) top = y;
  }
  if (top < 0) return [];
  return Array.from({ length: size }, (_, r) =>
    Array.from({ length: size }, (_, c) => dark(x0 + (c + 0.5) * cell, top + (r + 0.5) * cell)),
  );
}

describe("tracking a request with its number and code, on a real database", () => {
  let t: TestApp;
  let c: Client;
  let lyon = "";
  let dir = "";
  beforeAll(async () => {
    t = await startTestApp({ BASE_URL });
    c = await adminClient(t);
    const base = { timeZone: "Europe/Paris", kind: "site" };
    const network = (
      await c.api("POST", "/api/v1/organisations", { ...base, name: "Réseau", kind: "network", holidayZone: "metropole" })
    ).json().id;
    await c.api("PUT", `/api/v1/organisations/${network}/framework`, { frameworkId: "marianne-2008" });
    lyon = (
      await c.api("POST", "/api/v1/organisations", {
        ...base,
        name: "Mairie de Lyon",
        parentId: network,
        holidayZone: "metropole",
        addressCity: "Lyon",
      })
    ).json().id;
    dir = mkdtempSync(join(tmpdir(), "vigie-track-"));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const track = async (number: string, code: string) => {
    const visitor = new Client(t.app);
    await visitor.get("/track");
    return visitor.post("/track", { number, code });
  };

  let filed = { number: "", code: "", tokenLink: "" };
  it("gives the public its number and code on the receipt, and they open the request", async () => {
    const visitor = new Client(t.app);
    await visitor.get(`/public/organisations/${lyon}/complaint`);
    const ok = await visitor.post(`/public/organisations/${lyon}/complaint`, {
      kind: "complaint",
      subject: "Attente au guichet",
      body: "J'ai attendu deux heures.",
      requesterName: "Jean Dupont",
      requesterEmail: "jean@example.org",
    });
    expect(ok.statusCode).toBe(303);
    const receipt = await visitor.get(ok.headers.location ?? "");
    const number = /Numéro de dossier : <span class="vigie-nowrap">(\d{4}-\d{6})<\/span>/.exec(receipt.body)?.[1] ?? "";
    const code = /Code de suivi : <span class="vigie-nowrap">([A-Z2-9]{4}-[A-Z2-9]{4})<\/span>/.exec(receipt.body)?.[1] ?? "";
    expect(number).not.toBe("");
    expect(code).not.toBe("");
    expect(receipt.body).toContain("Notez-les pour suivre votre demande");
    filed = { number, code, tokenLink: /href="(\/track\?[^"]*token=[^"]+)"/.exec(receipt.body)?.[1]?.replaceAll("&amp;", "&") ?? "" };

    // Typed as people type: lower case, no dash, spaces around.
    const page = await track(` ${number} `, code.toLowerCase().replace("-", ""));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`Réclamation n° ${number}`);
    expect(page.body).toContain("Mairie de Lyon");
    expect(page.body).toContain("Internet");
    expect(page.body).toContain("Demande reçue");
    expect(page.body).toContain("Accusé de réception envoyé");
    expect(page.body).not.toContain("deux heures");
    expect(page.body).not.toContain("Jean Dupont");
  });

  it("keeps the personal link of earlier acknowledgements working, on the same page", async () => {
    expect(filed.tokenLink).toContain("token=");
    const page = await new Client(t.app).get(filed.tokenLink);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`Réclamation n° ${filed.number}`);
    expect(page.body).toContain("Mairie de Lyon");
    const wrong = await new Client(t.app).get(filed.tokenLink.replace(/token=[^&]+/, "token=faux"));
    expect(wrong.statusCode).toBe(404);
    expect(wrong.body).toContain("Numéro ou code incorrect");
    expect(wrong.body).not.toContain("Action impossible");
  });

  it("says « Numéro ou code incorrect » for a wrong pair, without telling which", async () => {
    const wrongCode = await track(filed.number, filed.code === "ABCD-EFGH" ? "ABCD-EFGJ" : "ABCD-EFGH");
    const wrongNumber = await track("2020-999999", filed.code);
    for (const r of [wrongCode, wrongNumber]) {
      expect(r.statusCode).toBe(404);
      expect(r.body).toContain("Numéro ou code incorrect");
      expect(r.body).not.toContain("Mairie de Lyon");
    }
    const empty = await track("", "");
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain("Saisissez le numéro de dossier");
  });

  it("shows the empty form for a GET without usable parameters, and fills in the number of a QR code", async () => {
    for (const url of ["/track", "/track?number=", "/track?token=abc", "/track?number[]=1&code=2", `/track?number=${"9".repeat(300)}`]) {
      const r = await new Client(t.app).get(url);
      expect(r.statusCode).toBe(200);
      expect(r.body).toContain("Suivre une demande");
      expect(r.body).not.toContain("Action impossible");
      expect(r.body).not.toMatch(/token :|number :/);
    }
    const fromQr = await new Client(t.app).get("/track?number=2026-000123");
    expect(fromQr.body).toMatch(/id="number"[^>]*value="2026-000123"|value="2026-000123"[^>]*id="number"/);
  });

  it("prints the code, the address and a QR code of the form on the acknowledgement, and shows delay, due date and steps", async () => {
    const r = (
      await c.api("POST", `/api/v1/organisations/${lyon}/requests`, {
        kind: "request",
        channel: "letter",
        receivedOn: "2026-10-01",
        subject: "Acte de naissance",
        requesterName: "Élodie Martin",
        requesterAddress: "3 rue de la Paix, 69001 Lyon",
      })
    ).json().request;
    const pdf = await c.get(`/organisations/${lyon}/requests/${r.id}/letters/acknowledgement`);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const file = join(dir, "ar.pdf");
    writeFileSync(file, pdf.rawPayload);
    if (hasPoppler) {
      const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
      const code = new RegExp(
        `Suivez votre demande sur ${BASE_URL}/track avec le numéro ${r.number} et le code ([A-Z2-9]{4}-[A-Z2-9]{4})`,
      ).exec(text)?.[1];
      expect(code).toBeDefined();
      // The QR code opens the form with the number filled in (never the code): read back from the pixels.
      const qrUrl = `${BASE_URL}/track?number=${r.number}`;
      const expected = QRCode.create(qrUrl, { errorCorrectionLevel: "M" }).modules;
      execFileSync("pdftoppm", ["-gray", "-r", "200", "-f", "1", "-l", "1", "-singlefile", file, join(dir, "page")]);
      const png = readPgm(readFileSync(join(dir, "page.pgm")));
      const grid = readQrGrid(png, 200, expected.size);
      const want = Array.from({ length: expected.size }, (_, y) => Array.from({ length: expected.size }, (_, x) => !!expected.get(y, x)));
      expect(grid).toEqual(want);

      // Printed again later (a form: recorded in the history), the same code.
      await c.get(`/organisations/${lyon}/requests/${r.id}`);
      const printed = await c.post(`/organisations/${lyon}/requests/${r.id}/letters/acknowledgement/print`, {});
      writeFileSync(join(dir, "ar2.pdf"), printed.rawPayload);
      expect(execFileSync("pdftotext", [join(dir, "ar2.pdf"), "-"], { encoding: "utf8" }).replace(/\s+/g, " ")).toContain(
        `et le code ${code}`,
      );

      // The agent pauses (with an internal note), resumes, sends a holding reply, answers and closes.
      let v = r.version;
      const move = async (body: Record<string, unknown>) => {
        const res = await c.api("POST", `/api/v1/organisations/${lyon}/requests/${r.id}/status`, { ...body, version: v });
        expect(res.statusCode, res.body).toBe(200);
        v = res.json().version;
      };
      await move({ status: "acknowledged", on: "2026-10-02" });
      await move({ status: "waiting", on: "2026-10-05", pauseClock: true, note: "Note interne : voir avec Mme Girard" });
      await move({ status: "in_progress", on: "2026-10-07" });
      const before = await track(r.number, code ?? "");
      expect(before.body).toContain("Réponse attendue au plus tard le");
      expect(before.body).toContain(formatDelay(15, "working_days"));
      expect(before.body).toContain("Courrier");
      expect(before.body).toContain(formatDate("2026-10-01"));
      // Paused two days: the due date moved by as much.
      const due = (await c.api("GET", `/api/v1/organisations/${lyon}/requests/${r.id}`)).json().dueOn;
      expect(due > r.dueOn).toBe(true);
      expect(before.body).toContain(`Réponse attendue au plus tard le ${formatDate(due)}`);
      const held = await c.api("POST", `/api/v1/organisations/${lyon}/requests/${r.id}/holding`, {
        announcedOn: "2026-12-31",
        note: "Nous attendons l'avis du service.",
        version: v,
      });
      expect(held.statusCode).toBe(200);
      v = held.json().version;
      const after = await track(r.number, code ?? "");
      expect(after.body).toContain(`Réponse attendue au plus tard le ${formatDate("2026-12-31")}`);
      await move({ status: "answered", on: "2026-11-20", message: "Voici votre acte." });
      await move({ status: "closed", on: "2026-11-23" });
      const page = await track(r.number, code ?? "");
      expect(page.statusCode).toBe(200);
      const steps = /<ol class="vigie-timeline">([\s\S]*?)<\/ol>/.exec(page.body)?.[1] ?? "";
      const labels = [...steps.matchAll(/>([^<]+)<\/span> — ([^<]+)<\/li>/g)].map((m) => `${m[1]} : ${m[2]}`);
      // Reception, answer and closing on the days the agent gave; the other steps on the day they were made.
      const today = formatDate(localDay("Europe/Paris"));
      expect(labels).toEqual([
        `${formatDate("2026-10-01")} : Demande reçue`,
        `${today} : Accusé de réception envoyé`,
        `${today} : En attente d&#39;un complément de votre part`,
        `${today} : Reprise du traitement`,
        `${today} : Réponse d&#39;attente : nouvelle date de réponse annoncée`,
        `${formatDate("2026-11-20")} : Réponse envoyée`,
        `${formatDate("2026-11-23")} : Dossier clos`,
      ]);
      expect(page.body).toContain(`Réponse envoyée le ${formatDate("2026-11-20")}`);
      for (const secret of ["Mme Girard", "Note interne", "Alice Admin", "Acte de naissance", "Voici votre acte", "avis du service"]) {
        expect(page.body).not.toContain(secret);
      }
    }
  });

  it.skipIf(!hasPoppler)("prints the requester's name and address as written, in Marianne embedded (issue #18)", async () => {
    const [person, town, other] = NAMES_BEYOND_WINANSI;
    const r = (
      await c.api("POST", `/api/v1/organisations/${lyon}/requests`, {
        kind: "request",
        channel: "letter",
        receivedOn: "2026-10-01",
        subject: `Acte de naissance de ${other}`,
        requesterName: person,
        requesterAddress: `ul. Piotrkowska 104, 90-926 ${town}`,
      })
    ).json().request;
    const pdf = await c.get(`/organisations/${lyon}/requests/${r.id}/letters/acknowledgement`);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const { text, fonts } = readPdf(pdf.rawPayload);
    expect(text).toContain(`${person} ul. Piotrkowska 104 90-926 ${town}`);
    expect(text).toContain(`« Acte de naissance de ${other} »`);
    expect(fonts).toMatch(EMBEDDED_MARIANNE);
  });

  // Last: it spends this connection's tries.
  it("stops guessing after ten tries an hour from one browser, with a French message", async () => {
    const guesser = new Client(t.app);
    await guesser.get("/track");
    const statuses: number[] = [];
    let last = "";
    for (let i = 0; i < 12; i++) {
      const r = await guesser.post("/track", { number: filed.number, code: "ZZZZ-ZZZZ" });
      statuses.push(r.statusCode);
      last = r.body;
    }
    expect(statuses).toContain(429);
    expect(last).toContain("Trop d&#39;essais depuis votre connexion");
    expect(statuses.slice(0, 10).every((s) => s === 404)).toBe(true);
    // Even the right code waits now: the brake does not tell a right guess from a wrong one.
    const right = await guesser.post("/track", { number: filed.number, code: filed.code });
    expect(right.statusCode).toBe(429);
  });
});
