import type { IndicatorUnit } from "../indicators/indicator.ts";

/**
 * The figures Services Publics+ asks every service to publish each year (engagement 6), in the order
 * the public page, the poster and the open data give them. A key no module provides yet is shown as
 * « Pas encore de donnée ». `spLabel` is the name the SP+ indicator exports use; `spCode` the programme's code for the indicator, where
 * one was found in public sources (IND-27, « Taux de satisfaction des usagers »: docs/open-data.md).
 */
export const PUBLISHED_SET: Array<{
  key: string;
  label: string;
  spLabel: string;
  spCode: string | null;
  unit: IndicatorUnit;
  sampleLabel: string;
}> = [
  {
    key: "calls.answer_rate",
    label: "Appels décrochés par un agent",
    spLabel: "Taux de décroché des appels téléphoniques",
    spCode: null,
    unit: "share",
    sampleLabel: "appels",
  },
  {
    key: "requests.answered_in_time",
    label: "Demandes traitées dans le délai annoncé",
    spLabel: "Respect du délai de traitement annoncé",
    spCode: null,
    unit: "share",
    sampleLabel: "demandes traitées",
  },
  {
    key: "surveys.online_8_or_more",
    label: "Démarches en ligne notées 8/10 ou plus",
    spLabel: "Qualité des démarches en ligne",
    spCode: null,
    unit: "share",
    sampleLabel: "démarches évaluées",
  },
  {
    key: "surveys.satisfaction",
    label: "Usagers satisfaits de la qualité du service",
    spLabel: "Taux de satisfaction des usagers",
    spCode: "IND-27",
    unit: "share",
    sampleLabel: "réponses",
  },
  {
    key: "surveys.net_satisfaction",
    label: "Satisfaction nette (satisfaits moins insatisfaits)",
    spLabel: "Taux net de satisfaction",
    spCode: null,
    unit: "points",
    sampleLabel: "réponses",
  },
];

export const SP_LABELS: Record<string, string> = Object.fromEntries(PUBLISHED_SET.map((p) => [p.key, p.spLabel]));
