import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { formatNumber, NBSP } from "../../ui/format.ts";
import { recordAudit, SYSTEM_ACTOR } from "../audit/audit.service.ts";
import * as repo from "./calls.repository.ts";
import { importFilePath, removeFile, uploadDir } from "./upload.ts";

/*
 * What a crash leaves in the upload folder, and what nobody comes back for (issue #17, point 4).
 * A file waits there while its import is pending (mapping, reading, decision); it is deleted when the
 * import is recorded, fails or is dropped. A process killed in the middle leaves two kinds of orphans:
 * `upload-….part` files still being received (the response hook that deletes a refused upload never
 * ran), and `<import>.csv` files whose import was then finished or dropped by someone else. Both are
 * removed when the server starts and by the daily job. A file never given its column mapping expires
 * after a set time, and the files an organisation's pending imports hold are capped (its quota).
 */

/** A `.part` file untouched for this long is no upload under way (a server sharing the folder may be receiving one). */
export const PART_MAX_AGE_MS = 60 * 60_000;
/** A file waiting for its column mapping this long is dropped (VIGIE_UPLOAD_TTL_DAYS, 7 by default). */
export const uploadTtlMs = () => Number(process.env.VIGIE_UPLOAD_TTL_DAYS ?? 7) * 24 * 3600_000;
/** Bytes the pending imports of one organisation may hold on the server (VIGIE_UPLOAD_QUOTA_MB, 5 Go by default). */
export const uploadQuotaBytes = () => Number(process.env.VIGIE_UPLOAD_QUOTA_MB ?? 5 * 1024) * 1024 ** 2;

const IMPORT_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.csv$/;

export interface SweepReport {
  /** Files deleted (orphans and expired uploads). */
  removed: number;
  bytes: number;
  /** Imports dropped because their file waited for a mapping too long. */
  expired: number;
}

/** Deletes orphaned uploads and expires the never-mapped ones. Reads the folder once and the imports in one query. */
export async function sweepCallUploads(db: Kysely<DB>, now = new Date()): Promise<SweepReport> {
  const report: SweepReport = { removed: 0, bytes: 0, expired: 0 };
  for (const item of await repo.unmappedBefore(db, new Date(now.getTime() - uploadTtlMs()))) {
    await db.transaction().execute(async (trx) => {
      await repo.updateImport(trx, item.orgId, item.id, {
        status: "discarded",
        message: `Fichier jamais mis en correspondance : supprimé au bout de ${Math.round(uploadTtlMs() / 86_400_000)}${NBSP}jours.`,
      });
      await recordAudit(trx, SYSTEM_ACTOR, {
        orgId: item.orgId,
        action: "delete",
        entity: "call_import",
        entityId: item.id,
        after: { fileName: item.fileName, reason: "expired" },
      });
    });
    report.expired++;
  }
  const dir = uploadDir();
  const names = await readdir(dir);
  const byImport = new Map<string, string>();
  for (const name of names) {
    const id = IMPORT_FILE.exec(name)?.[1];
    if (id) byImport.set(id, name);
  }
  const pending = await repo.pendingAmong(db, [...byImport.keys()]);
  const remove = async (file: string) => {
    const info = await stat(file).catch(() => null);
    if (!info) return;
    await removeFile(file);
    report.removed++;
    report.bytes += info.size;
  };
  for (const [id] of byImport) if (!pending.has(id)) await remove(importFilePath(id));
  for (const name of names) {
    if (!name.startsWith("upload-") || !name.endsWith(".part")) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (info && now.getTime() - info.mtimeMs > PART_MAX_AGE_MS) await remove(file);
  }
  return report;
}

/** Bytes in French (« 1,5 Go », « 320 Mo »), for the quota message. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${formatNumber(bytes / 1024 ** 3, 1)}${NBSP}Go`;
  return `${formatNumber(Math.max(bytes / 1024 ** 2, 0.1), 1)}${NBSP}Mo`;
}

/** The French refusal when a new file would take the organisation's pending uploads past its quota, or null. */
export async function quotaRefusal(db: Kysely<DB>, orgId: string, bytes: number): Promise<string | null> {
  const quota = uploadQuotaBytes();
  const held = await repo.pendingBytes(db, orgId);
  if (held + bytes <= quota) return null;
  return `Les imports en attente de cette organisation occupent déjà ${formatBytes(held)} sur les ${formatBytes(quota)} permis, et ce fichier pèse ${formatBytes(bytes)}${NBSP}: enregistrez ou abandonnez les imports en attente, puis envoyez-le de nouveau.`;
}
