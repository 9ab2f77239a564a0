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
  /** A site below the survey's organisation, when the survey is a network's. */
  site: z.string().max(64).optional(),
  /** For a survey offered on every channel. */
  channel: z.enum(CHANNELS).optional(),
  invitation: z.string().max(64).optional(),
});

const channelOrAll = z.preprocess(
  (v) => (v === "" || v === null ? undefined : v),
  z.enum(CHANNELS, { error: "Canal inconnu." }).optional(),
);
const dateOrAll = z.preprocess(
  (v) => (v === "" ? undefined : v),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "Date attendue au format AAAA-MM-JJ.")
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "Cette date n'existe pas.")
    .optional(),
);
const uuidOrAll = z.preprocess((v) => (v === "" ? undefined : v), z.string().uuid("Site inconnu.").optional());

export const resultsQuerySchema = z.object({ from: dateOrAll, to: dateOrAll, site: uuidOrAll, channel: channelOrAll });

/** Which link a QR code or a poster is for. */
export const linkQuerySchema = z.object({ site: uuidOrAll, canal: channelOrAll });

const checkbox = z.preprocess((v) => v === "true" || v === true || v === "on", z.boolean());
export const settingsSchema = z.object({
  version: z.coerce.number().int().positive(),
  status: z.enum(["open", "closed"], { error: "Choisissez l'état de l'enquête." }),
  inviteAfterAnswer: checkbox,
  rotateKiosk: checkbox,
});

export const publishSchema = z.object({ version: z.coerce.number().int().positive(), correction: checkbox });

export const commentsQuerySchema = z.object({
  status: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["pending", "published", "hidden"]).optional()),
  theme: z.preprocess((v) => (v === "" ? undefined : v), z.string().max(40).optional()),
});

export const commentReviewSchema = z.object({
  responseId: z.string().uuid(),
  questionId: z.string().max(40),
  version: z.coerce.number().int().positive(),
  status: z.enum(["pending", "published", "hidden"], { error: "Choisissez : publier, ne pas publier ou remettre à modérer." }),
  publishedText: z.string().max(4000, "Le texte à publier dépasse 4 000 caractères.").optional(),
  themes: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(40)).max(20)),
});

/** Answers sent by a kiosk tablet: one or a batch kept while it was offline. */
export const kioskBodySchema = z.object({
  site: z.string().max(40).optional(),
  answers: z
    .array(
      z.object({
        id: z.string().min(8).max(64),
        at: z.string().max(40).optional(),
        answers: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string())])),
      }),
    )
    .min(1)
    .max(500),
});
export const kioskParams = z.object({ orgId: z.string().uuid(), surveyId: z.string().uuid(), key: z.string().max(64) });
