import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { instanceKey as storedInstanceKey } from "../../kernel/secrets.ts";

/**
 * Mailbox passwords and OAuth2 tokens are kept encrypted (AES-256-GCM). The key is VIGIE_SECRET_KEY
 * (32 bytes, base64) when the operator sets it — then a stolen database or backup alone does not give
 * the passwords away; otherwise an instance key written once in `settings`, which only keeps the
 * secrets out of plain sight (logs, exports, screens).
 */
const SETTING = "mailbox_secret_key";
const keys = new WeakMap<object, Buffer>();

async function instanceKey(db: Kysely<DB>): Promise<Buffer> {
  const fromEnv = process.env.VIGIE_SECRET_KEY;
  if (fromEnv) {
    const key = Buffer.from(fromEnv, "base64");
    if (key.length !== 32) throw new Error("VIGIE_SECRET_KEY doit contenir 32 octets en base64.");
    return key;
  }
  const known = keys.get(db);
  if (known) return known;
  const key = await storedInstanceKey(db, SETTING);
  keys.set(db, key);
  return key;
}

export async function sealSecret(db: Kysely<DB>, plain: string): Promise<string> {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", await instanceKey(db), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64"), cipher.getAuthTag().toString("base64"), data.toString("base64")].join(".");
}

export async function openSecret(db: Kysely<DB>, sealed: string): Promise<string> {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || data === undefined) throw new Error("secret chiffré illisible");
  const decipher = createDecipheriv("aes-256-gcm", await instanceKey(db), Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
}
