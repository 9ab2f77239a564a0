import { createHmac, timingSafeEqual } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../../../db/schema.ts";
import { AppError } from "../../../kernel/errors.ts";
import { instanceSecret } from "../../../kernel/secrets.ts";
import type { Sheet } from "./sheet.ts";

/*
 * Between the steps of an import the file travels with the pages, not in server memory (the app
 * servers keep no state) nor in a table made for it: the parsed rows go in a hidden field,
 * compressed and signed, so the server takes back only what it produced itself.
 */

/** Made once per instance and kept in the database, like the CSRF key, so every app server shares it. */
export function importSecret(db: Kysely<DB>): Promise<Buffer> {
  return instanceSecret(db, "import_secret");
}

/** A file is carried a working day at most: after that the person uploads it again. */
const LIFETIME_MS = 24 * 3600_000;
/** Far above the largest register accepted (10,000 rows); stops a decompression blowing up. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

const carriedSchema = z.object({
  orgId: z.string(),
  fileName: z.string(),
  issuedAt: z.number(),
  sheet: z.object({
    columns: z.array(z.string()),
    rows: z.array(z.object({ line: z.number().int(), cells: z.array(z.string()) })),
  }),
});
export type Carried = z.infer<typeof carriedSchema>;

const mac = (secret: Buffer, data: string) => createHmac("sha256", secret).update(data).digest("base64url");

export function seal(secret: Buffer, orgId: string, fileName: string, sheet: Sheet, now = Date.now()): string {
  const carried: Carried = { orgId, fileName, issuedAt: now, sheet };
  const data = deflateRawSync(Buffer.from(JSON.stringify(carried)), { level: 9 }).toString("base64url");
  return `${data}.${mac(secret, data)}`;
}

const refused = () => new AppError("validation", { message: "Le fichier transmis a expiré ou a été modifié : déposez-le de nouveau." });

/** The file carried by a page, if this server signed it for this organisation less than a day ago. */
export function unseal(secret: Buffer, token: unknown, orgId: string, now = Date.now()): Carried {
  if (typeof token !== "string") throw refused();
  const [data = "", signature = ""] = token.split(".");
  const expected = Buffer.from(mac(secret, data));
  const given = Buffer.from(signature);
  // The signature is checked before anything is decompressed or parsed.
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refused();
  let json: unknown;
  try {
    json = JSON.parse(inflateRawSync(Buffer.from(data, "base64url"), { maxOutputLength: MAX_JSON_BYTES }).toString("utf8"));
  } catch {
    throw refused();
  }
  const carried = carriedSchema.safeParse(json);
  if (!carried.success || carried.data.orgId !== orgId || now - carried.data.issuedAt > LIFETIME_MS) throw refused();
  return carried.data;
}
