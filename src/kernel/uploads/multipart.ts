import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { stat, unlink } from "node:fs/promises";
import path from "node:path";
import { Busboy, type BusboyHeaders, type BusboyInstance } from "@fastify/busboy";
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.ts";

/*
 * The one reader of uploads (multipart/form-data with one field `file`). It runs in the content-type
 * parser and fills a plain body `{ _csrf, …fields, file }`: the CSRF check of the session plugin runs
 * before any hook of a route plugin, and reads `body._csrf`. @fastify/multipart fills the body in a
 * later hook, when the check has already refused the form, so its parser (busboy) is used directly.
 *
 * Two ways to keep the file: in memory (`acceptUploads`: registers, action plans, logos, small by
 * nature, 10 MB at most) or streamed to a file on disk as it arrives (`acceptStreamedUploads`: a call
 * log can weigh hundreds of megabytes and is never held in memory).
 */

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** The file plus the form's few fields and the multipart boundaries. */
const MAX_REQUEST_BYTES = MAX_FILE_BYTES + 64 * 1024;

export interface UploadedFile {
  fileName: string;
  data: Buffer;
  /** Past MAX_FILE_BYTES the rest is dropped: the page says the file is too large. */
  tooLarge: boolean;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === "object" && value !== null && "data" in value && Buffer.isBuffer(value.data);
}

/** A file streamed to disk: `path` until the route claims it (renames it), deleted after the response otherwise. */
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

/** Browsers send the file name in UTF-8; the parser reads header parameters as Latin-1. */
function fileNameOf(raw: string): string {
  const utf8 = Buffer.from(raw, "latin1").toString("utf8");
  return utf8.includes("\uFFFD") ? raw : utf8;
}

/** Where the file goes as it arrives; `done` resolves once it is all there. */
interface FileSink {
  open(fileName: string, stream: NodeJS.ReadableStream): { file: UploadedFile | StoredUpload; done: Promise<void> };
}

const memorySink: FileSink = {
  open(fileName, stream) {
    const file: UploadedFile = { fileName, data: Buffer.alloc(0), tooLarge: false };
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("limit", () => {
      file.tooLarge = true;
    });
    const done = new Promise<void>((resolve) =>
      stream.on("end", () => {
        file.data = Buffer.concat(chunks);
        resolve();
      }),
    );
    return { file, done };
  },
};

function diskSink(dir: () => string): FileSink {
  return {
    open(fileName, stream) {
      const file: StoredUpload = { fileName, path: path.join(dir(), `upload-${randomUUID()}.part`), bytes: 0, tooLarge: false };
      const out = createWriteStream(file.path);
      stream.on("limit", () => {
        file.tooLarge = true;
      });
      const done = new Promise<void>((resolve, reject) => {
        out.on("finish", () => resolve());
        out.on("error", reject);
      }).then(async () => {
        file.bytes = (await stat(file.path)).size;
      });
      stream.pipe(out);
      return { file, done };
    },
  };
}

function addMultipartParser(scope: FastifyInstance, options: { maxFileBytes: number; maxRequestBytes?: number; sink: FileSink }): void {
  const { maxFileBytes, maxRequestBytes, sink } = options;
  scope.addContentTypeParser("multipart/form-data", (request, payload, done) => {
    let settled = false;
    const settle = (error: Error | null, body?: Record<string, unknown>) => {
      if (settled) return;
      settled = true;
      done(error, body);
    };
    if (maxRequestBytes !== undefined && Number(request.headers["content-length"] ?? 0) > maxRequestBytes) {
      return settle(new AppError("http.payload_too_large"));
    }
    let parser: BusboyInstance;
    try {
      const headers: BusboyHeaders = { ...request.headers, "content-type": request.headers["content-type"] ?? "" };
      parser = Busboy({ headers, limits: { files: 1, fileSize: maxFileBytes, fields: 10, fieldSize: 4096, parts: 12 } });
    } catch {
      return settle(new AppError("http.bad_request"));
    }
    const body: Record<string, unknown> = {};
    let writing: Promise<void> = Promise.resolve();
    if (maxRequestBytes !== undefined) {
      // Without a declared length the count is kept here: a sender that goes on is cut off.
      let received = 0;
      payload.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxRequestBytes) {
          payload.unpipe(parser);
          settle(new AppError("http.payload_too_large"));
        }
      });
    }
    parser.on("field", (name, value) => {
      if (name !== "file") body[name] = value;
    });
    parser.on("file", (name, stream, fileName) => {
      if (name !== "file" || "file" in body) {
        stream.resume();
        return;
      }
      const opened = sink.open(fileNameOf(fileName), stream);
      body.file = opened.file;
      writing = opened.done;
    });
    parser.on("finish", () => {
      writing.then(
        () => settle(null, body),
        () => settle(new AppError("http.bad_request")),
      );
    });
    parser.on("error", () => settle(new AppError("http.bad_request")));
    payload.pipe(parser);
  });
}

/** Adds the upload parser, file in memory (10 MB at most), to the routes of the plugin scope it is called in, and only to them. */
export function acceptUploads(scope: FastifyInstance): void {
  addMultipartParser(scope, { maxFileBytes: MAX_FILE_BYTES, maxRequestBytes: MAX_REQUEST_BYTES, sink: memorySink });
}

/**
 * Adds the upload parser, file streamed to `dir()` as it arrives, to the routes of the plugin scope it
 * is called in. A file the route did not claim (refused form, error) is deleted when the response is sent.
 */
export function acceptStreamedUploads(scope: FastifyInstance, options: { maxFileBytes: number; dir: () => string }): void {
  addMultipartParser(scope, { maxFileBytes: options.maxFileBytes, sink: diskSink(options.dir) });
  scope.addHook("onResponse", async (request) => {
    const file = storedUpload(request.body);
    if (file) await unlink(file.path).catch(() => undefined);
  });
}
