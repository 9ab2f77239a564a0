import { randomUUID } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { rename, stat, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Busboy, type BusboyHeaders, type BusboyInstance } from "@fastify/busboy";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../../kernel/errors.ts";

/*
 * A call log can weigh hundreds of megabytes: the upload is streamed to a file on disk as it
 * arrives, never held in memory (the requests import's parser keeps its 10 MB file in memory).
 * Read in the content-type parser for the same reason as kernel/uploads/multipart.ts: the CSRF
 * check of the session plugin runs before the route's hooks and reads `body._csrf`. A file the
 * route did not claim (refused form, error) is deleted when the response is sent.
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

export interface StoredUpload {
  fileName: string;
  path: string;
  bytes: number;
  tooLarge: boolean;
}

export function storedUpload(body: unknown): StoredUpload | undefined {
  if (typeof body !== "object" || body === null || !("file" in body)) return undefined;
  const file = body.file;
  return typeof file === "object" && file !== null && "path" in file && typeof file.path === "string" ? (file as StoredUpload) : undefined;
}

/** Gives the upload its import's name, so the reading step finds it; the response hook then leaves it alone. */
export async function claimUpload(upload: StoredUpload, importId: string): Promise<string> {
  const target = importFilePath(importId);
  await rename(upload.path, target);
  return target;
}

export async function removeFile(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}

function fileNameOf(raw: string): string {
  const utf8 = Buffer.from(raw, "latin1").toString("utf8");
  return utf8.includes("\uFFFD") ? raw : utf8;
}

export function acceptCallUploads(scope: FastifyInstance): void {
  scope.addContentTypeParser("multipart/form-data", (request: FastifyRequest, payload, done) => {
    let settled = false;
    const settle = (error: Error | null, body?: Record<string, unknown>) => {
      if (settled) return;
      settled = true;
      done(error, body);
    };
    let parser: BusboyInstance;
    try {
      const headers: BusboyHeaders = { ...request.headers, "content-type": request.headers["content-type"] ?? "" };
      parser = Busboy({ headers, limits: { files: 1, fileSize: MAX_CALL_FILE_BYTES, fields: 10, fieldSize: 4096, parts: 12 } });
    } catch {
      return settle(new AppError("http.bad_request"));
    }
    const body: Record<string, unknown> = {};
    let writing: Promise<void> = Promise.resolve();
    parser.on("field", (name, value) => {
      if (name !== "file") body[name] = value;
    });
    parser.on("file", (name, stream, fileName) => {
      if (name !== "file" || "file" in body) {
        stream.resume();
        return;
      }
      const file: StoredUpload = {
        fileName: fileNameOf(fileName),
        path: path.join(uploadDir(), `upload-${randomUUID()}.part`),
        bytes: 0,
        tooLarge: false,
      };
      body.file = file;
      const out = createWriteStream(file.path);
      stream.on("limit", () => {
        file.tooLarge = true;
      });
      writing = new Promise((resolve, reject) => {
        out.on("finish", () => resolve());
        out.on("error", reject);
      });
      stream.pipe(out);
    });
    parser.on("finish", () => {
      writing
        .then(async () => {
          const file = storedUpload(body);
          if (file) file.bytes = (await stat(file.path)).size;
          settle(null, body);
        })
        .catch(() => settle(new AppError("http.bad_request")));
    });
    parser.on("error", () => settle(new AppError("http.bad_request")));
    payload.pipe(parser);
  });
  scope.addHook("onResponse", async (request) => {
    const file = storedUpload(request.body);
    if (file) await removeFile(file.path);
  });
}
