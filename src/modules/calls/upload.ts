import { mkdirSync } from "node:fs";
import { rename, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { acceptStreamedUploads, type StoredUpload } from "../../kernel/uploads/multipart.ts";

/*
 * A call log can weigh hundreds of megabytes: the upload is streamed to a file on disk as it
 * arrives, never held in memory, by the kernel's one upload reader; this file says where uploads
 * wait and how an import claims its file.
 */

export const MAX_CALL_FILE_BYTES = 2 * 1024 ** 3;

/** Where uploads wait to be read: VIGIE_UPLOAD_DIR (shared by the app servers behind one address), else the system's temporary folder. */
export function uploadDir(): string {
  const dir = process.env.VIGIE_UPLOAD_DIR ?? path.join(tmpdir(), "vigie-call-imports");
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function importFilePath(importId: string): string {
  return path.join(uploadDir(), `${importId}.csv`);
}

export { type StoredUpload, storedUpload } from "../../kernel/uploads/multipart.ts";

/** Gives the upload its import's name, so the reading step finds it; the response hook then leaves it alone. */
export async function claimUpload(upload: StoredUpload, importId: string): Promise<string> {
  const target = importFilePath(importId);
  await rename(upload.path, target);
  return target;
}

export async function removeFile(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}

/** The call log upload: streamed to disk by the kernel's upload reader (src/kernel/uploads/multipart.ts). */
export function acceptCallUploads(scope: FastifyInstance): void {
  acceptStreamedUploads(scope, { maxFileBytes: MAX_CALL_FILE_BYTES, dir: uploadDir });
}
