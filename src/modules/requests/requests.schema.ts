import { z } from "zod";
import { blankAsAbsent, isoDate, optionalText, requiredText, versionField } from "../../kernel/validation.ts";
import { CHANNELS, REQUEST_KINDS } from "../frameworks/channels.ts";
import { STATUSES } from "./request-status.ts";

/** Until the end of next year: a request registered ahead (a planned campaign) is fine, 2062 is a typo. */
const latestReception = () => `${new Date().getUTCFullYear() + 1}-12-31`;

const email = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim().toLowerCase() : v),
  z.string().max(254).email("L'adresse électronique n'est pas valide.").optional(),
);

/** What an agent registers: one fast form for every channel and kind. */
export const requestCreateSchema = z.object({
  kind: z.enum(REQUEST_KINDS, { error: "Choisissez : demande, réclamation ou suggestion." }),
  channel: z.enum(CHANNELS, { error: "Choisissez le canal de réception." }),
  receivedOn: isoDate.refine((d) => d <= latestReception(), "Cette date de réception est trop lointaine."),
  subject: requiredText(300, "L'objet"),
  body: optionalText(20_000, "Le texte"),
  requesterName: optionalText(200, "Le nom"),
  requesterEmail: email,
  requesterPhone: optionalText(40, "Le téléphone"),
  requesterAddress: optionalText(500, "L'adresse"),
  serviceId: blankAsAbsent(z.string().uuid("Service introuvable.").optional()),
});
export type RequestCreateInput = z.output<typeof requestCreateSchema>;

/** What the public files on the public page: a complaint or a suggestion, with a way to answer. */
export const publicRequestSchema = z
  .object({
    kind: z.enum(["request", "complaint", "suggestion"], { error: "Choisissez : demande, réclamation ou suggestion." }),
    subject: requiredText(300, "L'objet"),
    body: requiredText(10_000, "Votre message"),
    requesterName: requiredText(200, "Votre nom"),
    requesterEmail: email,
    requesterAddress: optionalText(500, "Votre adresse postale"),
  })
  .refine((v) => v.requesterEmail || v.requesterAddress, {
    path: ["requesterEmail"],
    message: "Indiquez une adresse électronique ou une adresse postale, pour que nous puissions vous répondre.",
  });
export type PublicRequestInput = z.output<typeof publicRequestSchema>;

export const statusChangeSchema = z.object({
  status: z.enum(STATUSES, { error: "Statut inconnu." }),
  /** When it happened, if not today: an answer posted yesterday is recorded as such. */
  on: blankAsAbsent(isoDate.optional()),
  /** Kept in the history, never sent. */
  note: optionalText(5_000, "La note"),
  /** Sent to the requester with the answer. */
  message: optionalText(20_000, "Le message à l'usager"),
  pauseClock: z.preprocess((v) => v === true || v === "true" || v === "on", z.boolean()).default(false),
  version: versionField,
});
export type StatusChangeInput = z.output<typeof statusChangeSchema>;

export const holdingReplySchema = z.object({
  announcedOn: isoDate,
  note: requiredText(5_000, "Le message d'attente"),
  version: versionField,
});

export const reassignSchema = z.object({
  serviceId: blankAsAbsent(z.string().uuid("Service introuvable.").optional()),
  assigneeId: blankAsAbsent(z.string().uuid("Agent introuvable.").optional()),
  version: versionField,
});

export const requestParams = z.object({ orgId: z.string().uuid(), requestId: z.string().uuid("Demande introuvable.") });

const checkbox = z.preprocess((v) => v === true || v === "true" || v === "on" || v === "1", z.boolean()).default(false);

/** The filters, order and page of a request list: the same for the page (a GET form) and the API. */
export const queueQuerySchema = z
  .object({
    queue: blankAsAbsent(z.enum(["all", "mine", "service", "due-soon", "overdue"], { error: "File de travail inconnue." }).optional()),
    q: blankAsAbsent(z.string().trim().max(200, "La recherche tient en 200 caractères au plus.").optional()),
    site: blankAsAbsent(z.string().trim().max(200, "Le nom du site tient en 200 caractères au plus.").optional()),
    status: blankAsAbsent(z.enum(STATUSES, { error: "Statut inconnu." }).optional()),
    channel: blankAsAbsent(z.enum(CHANNELS, { error: "Canal inconnu." }).optional()),
    kind: blankAsAbsent(z.enum(REQUEST_KINDS, { error: "Type inconnu." }).optional()),
    late: checkbox,
    from: blankAsAbsent(isoDate.optional()),
    to: blankAsAbsent(isoDate.optional()),
    sort: blankAsAbsent(z.enum(["due", "received", "number"], { error: "Ordre inconnu." }).optional()),
    after: blankAsAbsent(z.string().max(400).optional()),
    before: blankAsAbsent(z.string().max(400).optional()),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { path: ["from"], message: "La date de début doit précéder la date de fin." });
export type QueueQueryInput = z.output<typeof queueQuerySchema>;
