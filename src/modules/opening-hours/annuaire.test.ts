import { describe, expect, it } from "vitest";
import { ANNUAIRE_RECORD } from "./annuaire.fixture.ts";
import { plagesToOpeningHours, readAnnuaireRecord } from "./annuaire.ts";
import { parseOpeningHours } from "./hours.ts";

describe("Annuaire de l'administration", () => {
  it("reads a record: hours, contacts, accessibility", () => {
    const read = readAnnuaireRecord(ANNUAIRE_RECORD);
    expect(read).toEqual({
      ok: true,
      value: {
        annuaireId: ANNUAIRE_RECORD.id,
        name: "Mairie - Poissy",
        hours: "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00",
        note: "État civil uniquement le samedi.",
        phone: "01 39 22 55 00",
        email: "accueil@ville-poissy.fr",
        website: "https://www.ville-poissy.fr",
        accessibility: "Accessible — Rampe d'accès côté parking, ascenseur.",
        stepFree: true,
      },
    });
    if (read.ok) expect(parseOpeningHours(read.value.hours)).toMatchObject({ ok: true, value: read.value.hours });
  });

  it("reads the API answer around a single record, and arrays as well as JSON text", () => {
    const read = readAnnuaireRecord({
      total_count: 1,
      results: [{ ...ANNUAIRE_RECORD, plage_ouverture: JSON.parse(ANNUAIRE_RECORD.plage_ouverture) }],
    });
    expect(read.ok && read.value.hours).toBe("Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00");
  });

  it("groups days that share hours and keeps different days apart", () => {
    const r = plagesToOpeningHours([
      { nom_jour_debut: "Lundi", nom_jour_fin: "Mardi", valeur_heure_debut_1: "09:00:00", valeur_heure_fin_1: "12:00:00" },
      { nom_jour_debut: "Mercredi", valeur_heure_debut_1: "14:00:00", valeur_heure_fin_1: "17:00:00" },
      { nom_jour_debut: "Jeudi", nom_jour_fin: "Vendredi", valeur_heure_debut_1: "09:00:00", valeur_heure_fin_1: "12:00:00" },
    ]);
    expect(r).toEqual({ ok: true, hours: "Mo,Tu 09:00-12:00; We 14:00-17:00; Th,Fr 09:00-12:00", note: null });
  });

  it("explains what is wrong in French", () => {
    expect(plagesToOpeningHours("[]")).toEqual({
      ok: false,
      message: "La fiche ne donne pas d'horaires d'ouverture (plage_ouverture vide).",
    });
    expect(plagesToOpeningHours([{ nom_jour_debut: "Funday", valeur_heure_debut_1: "09:00:00", valeur_heure_fin_1: "10:00:00" }])).toEqual({
      ok: false,
      message: "Plage 1 : jour inconnu « Funday ».",
    });
    expect(plagesToOpeningHours([{ nom_jour_debut: "Lundi", valeur_heure_debut_1: "09:00:00" }])).toMatchObject({ ok: false });
    expect(readAnnuaireRecord("texte")).toMatchObject({ ok: false });
    expect(readAnnuaireRecord({ results: [] })).toMatchObject({ ok: false });
  });
});
