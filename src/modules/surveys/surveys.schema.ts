import { z } from "zod";
import { CHANNELS } from "../frameworks/channels.ts";

/** Input schemas of surveys: the API contract, never the table types. */
export const orgParams = z.object({ orgId: z.string().uuid() });
export const surveyParams = z.object({ orgId: z.string().uuid(), surveyId: z.string().uuid() });

export const surveyCreateSchema = z.object({
  template: z.string({ error: "Choisissez un modèle de questionnaire." }).min(1, "Choisissez un modèle de questionnaire.").max(60),
  channel: z.preprocess(
    (v) => (v === "" || v === null ? undefined : v),
    z.enum(CHANNELS, { error: "Choisissez un canal de la liste." }).optional(),
  ),
});
export type SurveyCreateInput = z.output<typeof surveyCreateSchema>;

/** A response sent as JSON: the answers by question id, the form token, and the honeypot left empty. */
export const responseBodySchema = z.object({
  formToken: z.string().max(200),
  answers: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string())])),
  website: z.string().max(200).optional(),
});
