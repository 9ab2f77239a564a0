import { z } from "zod";
import type { AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { localDay } from "../../kernel/time.ts";
import { blankAsAbsent, isoDate, parseInput } from "../../kernel/validation.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";

/** What the staff pages, the public pages and the JSON API of requests share. */
export const orgParams = z.object({ orgId: z.string().uuid() });
export const TAG = ["demandes"];

export const requestOut = z.object({
  orgId: z.string(),
  id: z.string(),
  number: z.string(),
  kind: z.string(),
  channel: z.string(),
  status: z.string(),
  source: z.string(),
  subject: z.string(),
  body: z.string(),
  requester: z.object({
    name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    address: z.string().nullable(),
  }),
  receivedOn: z.string(),
  target: z.object({ value: z.number(), unit: z.string() }).nullable(),
  commitmentId: z.string().nullable(),
  dueOn: z.string().nullable(),
  announcedOn: z.string().nullable(),
  pausedSince: z.string().nullable(),
  serviceId: z.string().nullable(),
  assigneeId: z.string().nullable(),
  answeredOn: z.string().nullable(),
  closedOn: z.string().nullable(),
  version: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

/**
 * The public complaint form: 5 an hour per browser, 100 an hour per address (a town hall's public
 * Wi-Fi or a company's router puts many people behind one address).
 */
export const PUBLIC_RATE = { perBrowser: { max: 5, windowMs: 3600_000 }, perAddress: { max: 100, windowMs: 3600_000 } };
/**
 * Tries of the tracking form an hour: 10 per browser (room for typos), 100 per address (many people
 * behind one router). Against 31^8 ≈ 850 billion codes, guessing at that pace is hopeless.
 */
export const TRACK_RATE = { perBrowser: { max: 10, windowMs: 3600_000 }, perAddress: { max: 100, windowMs: 3600_000 } };

export const periodSchema = z.object({
  from: blankAsAbsent(isoDate.optional()),
  to: blankAsAbsent(isoDate.optional()),
});

/** The period asked for, by default the twelve months up to today. */
export async function resolvePeriod(db: AppDeps["db"], orgId: string, query: unknown) {
  const org = await getOrganisation(db, orgId);
  const q = parseInput(periodSchema, query);
  const to = q.to ?? localDay(org.timeZone);
  const from = q.from ?? `${Number(to.slice(0, 4)) - 1}-${to.slice(5, 7)}-01`;
  if (from > to) throw new AppError("validation", { fields: { from: "La date de début doit précéder la date de fin." } });
  return { org, from, to };
}
