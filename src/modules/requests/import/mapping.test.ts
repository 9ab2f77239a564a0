import { describe, expect, it } from "vitest";
import { splitDuplicates } from "./duplicates.ts";
import { columnIndex, proposeMapping } from "./mapping.ts";
import type { Sheet } from "./sheet.ts";
import { checkMapping, checkRows } from "./validate.ts";
import { channelOf, isoDateOf, kindOf } from "./values.ts";

describe("proposing a mapping from the header", () => {
  it("recognises the usual French headers, whatever their case and accents", () => {
    const columns = [
      "N° ordre",
      "Date de réception",
      "NATURE",
      "Canal",
      "Objet du courrier",
      "Nom de l'usager",
      "Adresse électronique",
      "Tél",
      "Adresse",
      "Observations",
    ];
    expect(proposeMapping(columns)).toEqual({
      receivedOn: 1,
      kind: 2,
      channel: 3,
      subject: 4,
      requesterName: 5,
      requesterEmail: 6,
      requesterPhone: 7,
      requesterAddress: 8,
      body: 9,
    });
  });

  it("does not take a vague word for more than it says, nor one column twice", () => {
    // "Date de réponse" is no reception date, "Nom du service" no requester; "Courriel" is the e-mail, once.
    expect(proposeMapping(["Date de réponse", "Nom du service", "Courriel", "Mail"])).toEqual({ requesterEmail: 2 });
    expect(proposeMapping(["Date", "Objet"])).toEqual({ receivedOn: 0, subject: 1 });
  });

  it("finds a column by its name as the API gives it", () => {
    expect(columnIndex(["Objet", "Reçu le"], "Reçu le")).toBe(1);
    expect(columnIndex(["Objet", "Reçu le"], "recu LE")).toBe(1);
    expect(columnIndex(["Objet"], "Sujet")).toBeUndefined();
  });
});

describe("register words", () => {
  it("reads kinds and channels in French, without minding case or accents", () => {
    expect(["Demande", "RÉCLAMATION", "reclamation", "plainte", "Suggestion", "complaint"].map(kindOf)).toEqual([
      "request",
      "complaint",
      "complaint",
      "complaint",
      "suggestion",
      "complaint",
    ]);
    expect(
      ["Courrier", "courriel", "E-mail", "TÉLÉPHONE", "Accueil", "guichet", "Internet", "Formulaire en ligne", "web"].map(channelOf),
    ).toEqual(["letter", "email", "email", "phone", "counter", "counter", "web", "web", "web"]);
    expect(kindOf("pigeon")).toBeUndefined();
    expect(channelOf("pigeon voyageur")).toBeUndefined();
  });

  it("reads the dates registers hold", () => {
    expect(isoDateOf("30/04/2027")).toBe("2027-04-30");
    expect(isoDateOf("1/5/2027")).toBe("2027-05-01");
    expect(isoDateOf("30.04.27")).toBe("2027-04-30");
    expect(isoDateOf("2027-04-30")).toBe("2027-04-30");
    expect(isoDateOf("30/04/2027 14:05")).toBe("2027-04-30");
    expect(isoDateOf("2027-04-30T00:00:00.000Z")).toBe("2027-04-30");
    // Kept in shape: the request schema says this day does not exist.
    expect(isoDateOf("31/02/2027")).toBe("2027-02-31");
    expect(isoDateOf("avril 2027")).toBeUndefined();
  });
});

const sheet: Sheet = {
  columns: ["Date", "Objet", "Canal", "Courriel"],
  rows: [
    { line: 2, cells: ["30/04/2027", "Permis", "Courrier", "A@Example.org"] },
    { line: 3, cells: ["31/02/2027", "Voirie", "pigeon", ""] },
    { line: 5, cells: ["02/05/2027", "", "", "pas une adresse"] },
    { line: 6, cells: ["03/05/2027", "Cantine", "", ""] },
  ],
};
const mapping = { receivedOn: 0, subject: 1, channel: 2, requesterEmail: 3 };

describe("checking rows", () => {
  it("lists every bad row with its line and a French reason per field, and keeps the good ones", () => {
    const { good, bad } = checkRows(sheet, mapping, { kind: "demande", channel: "courriel" });
    expect(good.map((g) => g.line)).toEqual([2, 6]);
    expect(good[0]?.input).toMatchObject({ kind: "request", channel: "letter", receivedOn: "2027-04-30", requesterEmail: "a@example.org" });
    // An empty cell takes the value given for the whole file.
    expect(good[1]?.input.channel).toBe("email");
    expect(bad).toEqual([
      {
        line: 3,
        errors: {
          receivedOn: "Cette date n'existe pas.",
          channel: "« pigeon » n'est pas un canal connu (courrier, courriel, téléphone, accueil ou internet).",
        },
      },
      { line: 5, errors: { subject: "L'objet est obligatoire.", requesterEmail: "L'adresse électronique n'est pas valide." } },
    ]);
  });

  it("refuses a mapping that leaves a required field without a column or a value", () => {
    expect(checkMapping(sheet.columns, { subject: 1, receivedOn: 0 }, { channel: "fax" })).toEqual({
      kind: "Choisissez la colonne qui contient cette information, ou une valeur pour tout le fichier.",
      channel: "« fax » n'est pas un canal connu (courrier, courriel, téléphone, accueil ou internet).",
    });
    expect(checkMapping(sheet.columns, mapping, { kind: "Réclamation" })).toEqual({});
  });
});

describe("recognising rows already imported", () => {
  it("matches on day, subject and requester, counting identical rows", () => {
    const input = {
      kind: "request" as const,
      channel: "letter" as const,
      receivedOn: "2027-04-30",
      subject: "Permis",
      requesterName: "Jean",
    };
    const rows = [1, 2, 3].map((line) => ({ line, input }));
    const existing = [
      { number: "2027-000001", receivedOn: "2027-04-30", subject: " permis ", requesterEmail: null, requesterName: "JEAN" },
      { number: "2027-000002", receivedOn: "2027-04-30", subject: "Permis", requesterEmail: null, requesterName: "Jean" },
      { number: "2027-000003", receivedOn: "2027-05-01", subject: "Permis", requesterEmail: null, requesterName: "Jean" },
    ];
    const { fresh, duplicates } = splitDuplicates(rows, existing);
    expect(duplicates).toEqual([
      { line: 1, number: "2027-000001" },
      { line: 2, number: "2027-000002" },
    ]);
    expect(fresh.map((f) => f.line)).toEqual([3]);
  });
});
