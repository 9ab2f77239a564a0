import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { isDatabaseUnavailable } from "../../db/unavailable.ts";
import type { App } from "../../kernel/context.ts";
import { AppError, type FieldErrors } from "../../kernel/errors.ts";
import { sendPage, wantsHtml } from "../../ui/page.tsx";

function fromFastify(error: FastifyError): AppError | undefined {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const fields: FieldErrors = {};
    for (const v of error.validation) {
      // An issue about the whole body (`null`, `42`, `[]` sent as JSON) has an empty path and no nested issue.
      const nested = (v.params as { issue?: { path?: PropertyKey[] } } | undefined)?.issue;
      const path = v.instancePath.replace(/^\//, "").replaceAll("/", ".") || nested?.path?.join(".") || "_";
      if (!(path in fields)) fields[path] = v.message ?? "Valeur invalide.";
    }
    return new AppError("validation", { fields });
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return new AppError("http.payload_too_large");
  if (status === 415) return new AppError("http.unsupported_media_type");
  if (status === 404) return new AppError("http.not_found");
  if (status >= 400 && status < 500) return new AppError("http.bad_request");
  return undefined;
}

function headingOf(error: AppError): { title: string; heading: string } {
  if (error.status === 404) return { title: "Page introuvable", heading: "Page introuvable" };
  if (error.status === 503) return { title: "Service momentanément indisponible", heading: "Service momentanément indisponible" };
  return { title: "Une erreur est survenue", heading: "Action impossible" };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  // Browsers and API clients alike may try again on their own after this many seconds.
  if (error.status === 503) reply.header("retry-after", "5");
  if (!wantsHtml(request)) {
    return reply.status(error.status).send({ error: error.message, code: error.code, ...(error.fields ? { fields: error.fields } : {}) });
  }
  if (error.code === "auth.required" && request.method === "GET") {
    return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
  }
  const { title, heading } = headingOf(error);
  return sendPage(
    reply,
    request,
    {
      title,
      children: (
        <div class="fr-col-12 fr-col-md-8">
          <h1>{heading}</h1>
          <p class="fr-text--lead">{error.message}</p>
          {error.fields ? (
            <ul>
              {Object.entries(error.fields).map(([field, message]) => (
                <li>{field === "_" ? message : `${field} : ${message}`}</li>
              ))}
            </ul>
          ) : null}
          <p>
            <a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/">
              Retour à l'accueil
            </a>
          </p>
        </div>
      ),
    },
    error.status,
  );
}

/** Whether a parsed input holds a NUL character anywhere (PostgreSQL text cannot store one). */
function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (depth > 20 || value === null || typeof value !== "object") return false;
  // An uploaded file's bytes (a Buffer) are no text: walked entry by entry, 10 MB of them kept the
  // server's thread busy for seconds.
  if (ArrayBuffer.isView(value)) return false;
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes("\u0000") || holdsNul(inner, depth + 1)) return true;
  }
  return false;
}

export function errorHandling(app: App): void {
  // Refused once here rather than as a database error in every module.
  app.addHook("preValidation", async (request) => {
    if (holdsNul(request.params) || holdsNul(request.query) || holdsNul(request.body)) throw new AppError("http.null_character");
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = error instanceof AppError ? error : fromFastify(error);
    if (known) return sendError(request, reply, known);
    if (isDatabaseUnavailable(error)) {
      // PostgreSQL stopped or restarting: no bug of ours, and the pool reconnects by itself once it is back.
      request.log.warn({ err: error }, "base de données injoignable : réponse 503");
      return sendError(request, reply, new AppError("db.unavailable"));
    }
    // Anything else is a bug: log it whole, tell the user nothing of the inside.
    request.log.error({ err: error }, "erreur interne");
    if (!wantsHtml(request)) return reply.status(500).send({ error: "Erreur interne. L'incident a été enregistré." });
    return reply
      .status(500)
      .header("content-type", "text/html; charset=utf-8")
      .send(
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Erreur interne</title></head><body><main><h1>Erreur interne</h1><p>L\'incident a été enregistré. Réessayez dans un instant.</p></main></body></html>',
      );
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new AppError("http.not_found")));
}
