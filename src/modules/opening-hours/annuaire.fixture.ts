/** A record as api-lannuaire.service-public.fr returns it: nested fields are JSON text. */
export const ANNUAIRE_RECORD = {
  id: "5b2f8a3e-0c7d-4a1b-9a51-2c4c1f2f9f10",
  nom: "Mairie - Poissy",
  adresse_courriel: '["accueil@ville-poissy.fr"]',
  telephone: JSON.stringify([{ valeur: "01 39 22 55 00", description: "" }]),
  site_internet: JSON.stringify([{ libelle: "", valeur: "https://www.ville-poissy.fr" }]),
  adresse: JSON.stringify([
    {
      type_adresse: "Adresse",
      numero_voie: "Place de la République",
      code_postal: "78300",
      nom_commune: "Poissy",
      accessibilite: "ACC",
      note_accessibilite: "Rampe d'accès côté parking, ascenseur.",
    },
  ]),
  plage_ouverture: JSON.stringify([
    {
      nom_jour_debut: "Lundi",
      nom_jour_fin: "Vendredi",
      valeur_heure_debut_1: "08:30:00",
      valeur_heure_fin_1: "12:00:00",
      valeur_heure_debut_2: "13:30:00",
      valeur_heure_fin_2: "17:30:00",
      commentaire: "",
    },
    {
      nom_jour_debut: "Samedi",
      nom_jour_fin: "Samedi",
      valeur_heure_debut_1: "09:00:00",
      valeur_heure_fin_1: "12:00:00",
      valeur_heure_debut_2: "",
      valeur_heure_fin_2: "",
      commentaire: "État civil uniquement le samedi.",
    },
  ]),
};
