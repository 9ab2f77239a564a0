import { z } from "zod";
import { CHANNELS, REQUEST_KINDS } from "../frameworks/channels.ts";
import { DELAY_UNITS } from "./announced-delays.ts";

/** One cell as the API sends it: a delay, or null to inherit again. */
export const delayCellSchema = z
  .object({
    channel: z.enum(CHANNELS, { error: "Canal inconnu." }),
    kind: z.enum(REQUEST_KINDS, { error: "Type de demande inconnu." }),
    value: z
      .number({ error: "Indiquez un nombre de jours." })
      .int("Indiquez un nombre entier de jours.")
      .min(1, "Un délai compte au moins 1 jour.")
      .max(365, "Un délai ne peut dépasser 365 jours.")
      .nullable(),
    unit: z.enum(DELAY_UNITS, { error: "Unité inconnue : jours ouvrés, ouvrables ou calendaires." }).nullable().optional(),
  })
  .refine((c) => c.value === null || c.unit, { error: "Choisissez l'unité du délai.", path: ["unit"] });

export const delaysPutSchema = z.object({
  delays: z
    .array(delayCellSchema)
    .max(15, "Quinze délais au plus : un par canal et type de demande.")
    .refine((cells) => new Set(cells.map((c) => `${c.channel}|${c.kind}`)).size === cells.length, {
      error: "Un même canal et type de demande apparaît deux fois.",
    }),
});
export type DelayCellInput = z.output<typeof delayCellSchema>;
