import { z } from "zod";
import { WEBHOOK_EVENTS } from "./webhooks.service.ts";

const URL_MESSAGE = "Indiquez une adresse web complète, commençant par https:// (ou http://).";

export const endpointSchema = z.object({
  url: z.preprocess(
    (v) => (typeof v === "string" ? v.trim() : v),
    z
      .string({ error: URL_MESSAGE })
      .min(1, URL_MESSAGE)
      .max(2000, "L'adresse : 2 000 caractères au plus.")
      .refine((v) => {
        try {
          const url = new URL(v);
          return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password;
        } catch {
          return false;
        }
      }, URL_MESSAGE),
  ),
  events: z.preprocess(
    (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.enum(WEBHOOK_EVENTS, { error: "Événement inconnu." })).min(1, "Cochez au moins un événement à envoyer."),
  ),
});

export const orgParams = z.object({ orgId: z.guid() });
export const endpointParams = z.object({ orgId: z.guid(), endpointId: z.guid({ error: "Point de réception introuvable." }) });
