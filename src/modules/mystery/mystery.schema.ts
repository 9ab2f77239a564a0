import { z } from "zod";
import { isoDate, requiredText } from "../../kernel/validation.ts";
import { CHANNELS } from "../frameworks/channels.ts";

/** Input schemas of mystery-shopper campaigns: the API contract, never the table types. */
export const orgParams = z.object({ orgId: z.string().uuid() });
export const campaignParams = z.object({ orgId: z.string().uuid(), campaignId: z.string().uuid() });

const list = (v: unknown) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]);

export const campaignForm = z
  .object({
    title: requiredText(200, "Le titre"),
    startsOn: isoDate,
    endsOn: isoDate,
    channels: z.preprocess(list, z.array(z.enum(CHANNELS, { error: "Canal inconnu." })).min(1, "Choisissez au moins un canal.")),
    sites: z.preprocess(list, z.array(z.string().uuid("Site inconnu.")).min(1, "Choisissez au moins un site.")),
  })
  .refine((v) => v.endsOn >= v.startsOn, { path: ["endsOn"], message: "La fin précède le début." });
export type CampaignInput = z.output<typeof campaignForm>;

export const testQuery = z.object({
  channel: z.enum(CHANNELS).optional().catch(undefined),
  site: z.string().uuid().optional().catch(undefined),
});

export const testForm = z.object({
  channel: z.enum(CHANNELS, { error: "Choisissez le canal testé." }),
  site: z.string({ error: "Choisissez le site testé." }).uuid("Choisissez le site testé."),
  testedOn: isoDate,
  tester: requiredText(120, "Le nom du testeur"),
  comment: z.preprocess((v) => (typeof v === "string" ? v : ""), z.string().max(2000, "2 000 caractères au plus.")),
});

export const compareQuery = z.object({
  a: z.string().uuid().optional().catch(undefined),
  b: z.string().uuid().optional().catch(undefined),
});
