import { Busboy, type BusboyHeaders, type BusboyInstance } from "@fastify/busboy";
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.ts";

/*
 * The upload form posts multipart/form-data. It is read here, in the content-type parser, into a
 * plain body `{ _csrf, file }`: the CSRF check of the session plugin runs before any hook of a
 * route plugin, and reads `body._csrf`. @fastify/multipart fills the body in a later hook, when the
 * check has already refused the form, so its parser (busboy) is used directly instead.
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

/** Browsers send the file name in UTF-8; the parser reads header parameters as Latin-1. */
function fileNameOf(raw: string): string {
  const utf8 = Buffer.from(raw, "latin1").toString("utf8");
  return utf8.includes("\uFFFD") ? raw : utf8;
}

/** Adds the multipart parser to the routes of the plugin scope it is called in, and only to them. */
export function acceptUploads(scope: FastifyInstance): void {
  scope.addContentTypeParser("multipart/form-data", (request, payload, done) => {
    let settled = false;
    const settle = (error: Error | null, body?: Record<string, unknown>) => {
      if (settled) return;
      settled = true;
      done(error, body);
    };
    if (Number(request.headers["content-length"] ?? 0) > MAX_REQUEST_BYTES) return settle(new AppError("http.payload_too_large"));
    const contentType = request.headers["content-type"] ?? "";
    let parser: BusboyInstance;
    try {
      const headers: BusboyHeaders = { ...request.headers, "content-type": contentType };
      parser = Busboy({ headers, limits: { files: 1, fileSize: MAX_FILE_BYTES, fields: 10, fieldSize: 4096, parts: 12 } });
    } catch {
      return settle(new AppError("http.bad_request"));
    }
    const body: Record<string, unknown> = {};
    let received = 0;
    // Without a declared length the count is kept here: a sender that goes on is cut off.
    payload.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_REQUEST_BYTES) {
        payload.unpipe(parser);
        settle(new AppError("http.payload_too_large"));
      }
    });
    parser.on("field", (name, value) => {
      if (name !== "file") body[name] = value;
    });
    parser.on("file", (name, stream, fileName) => {
      if (name !== "file" || "file" in body) {
        stream.resume();
        return;
      }
      const file: UploadedFile = { fileName: fileNameOf(fileName), data: Buffer.alloc(0), tooLarge: false };
      body.file = file;
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => {
        file.tooLarge = true;
      });
      stream.on("end", () => {
        file.data = Buffer.concat(chunks);
      });
    });
    parser.on("finish", () => settle(null, body));
    parser.on("error", () => settle(new AppError("http.bad_request")));
    payload.pipe(parser);
  });
}
