import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { FormState, FormValues } from "../ui/forms.tsx";
import type { PageOptions } from "../ui/layout.tsx";
import { sendPage } from "../ui/page.tsx";
import type { Access } from "./access.ts";
import type { App } from "./context.ts";
import { type AppError, isAppError } from "./errors.ts";
import { parseInput } from "./validation.ts";

/*
 * One rule for every HTML form that fails, whichever way it is written (`formRoute`, `handleForm`,
 * or `refusedForm` in a route whose success is not a redirect):
 *
 * - success: a redirect 303 (so a reload does not post twice);
 * - 404, the thing or its organisation is gone (or never was): thrown, so the 404 page shows;
 *   a form to fix would be a lie, since there is nothing left to save it to;
 * - any other AppError under 500 — 400 (input refused: a message per field), 409 (a version
 *   conflict, or a state that moved on: the conflict message), 401, 403, 413, 422, 429: the form
 *   again, with the values typed (never a password) and the error's own status;
 * - anything else (500 and above, or not an AppError): thrown, for the error plugin.
 *
 * A route whose success is a page rather than a redirect (a secret shown once, a letter's preview, a
 * connection test) or whose form shows other values than the body (no file, no password, a whitelist)
 * calls `refusedForm` in its catch. One deliberate exception: the public tracking form shows its 404
 * (wrong number or code, `track.mismatch`) on the form, since that 404 answers what was typed.
 */

/** The fields of a submitted form, kept to show them again (repeated fields joined by commas). */
export function submittedValues(body: unknown): FormValues {
  const values: FormValues = {};
  for (const [key, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (key === "_csrf" || key.toLowerCase().includes("password")) continue;
    if (typeof value === "string") values[key] = value;
    else if (Array.isArray(value)) values[key] = value.filter((v) => typeof v === "string").join(",");
  }
  return values;
}

/** Whether a failure is shown on the form, under the rule above (otherwise it is thrown). */
export function isFormError(error: unknown): error is AppError {
  return isAppError(error) && error.status < 500 && error.status !== 404;
}

/**
 * The form to show again after `error`, with `values` (by default what was typed) and the error's
 * messages; rethrows what the rule above does not show on the form.
 */
export function refusedForm(error: unknown, values: FormValues): { form: FormState; status: number } {
  if (!isFormError(error)) throw error;
  return { form: { values, errors: error.fields ?? { _: error.message } }, status: error.status };
}

/** Runs a form submission under the rule above: `action` returns where to go on success. */
export async function handleForm(
  request: FastifyRequest,
  reply: FastifyReply,
  action: () => Promise<string>,
  page: (form: FormState) => PageOptions | Promise<PageOptions>,
): Promise<FastifyReply> {
  let to: string;
  try {
    to = await action();
  } catch (error) {
    const { form, status } = refusedForm(error, submittedValues(request.body));
    return sendPage(reply, request, await page(form), status);
  }
  return reply.redirect(to, 303);
}

/** What a form route's `run` and `page` receive: the request and its parsed path parameters and body. */
export interface FormInput<P, B> {
  request: FastifyRequest;
  params: P;
  body: B;
}

/**
 * A POST route for an HTML form: declares its access like any route (`config.access`), parses the
 * path parameters (a bad one is the error page, there is no form to show), then runs `handleForm`
 * with the body parsed by `body` (a refusal is shown on the form, 400): `run` returns where to go,
 * `page` draws the page of the form with the state given.
 */
export function formRoute<P extends z.ZodType, B extends z.ZodType | undefined = undefined>(
  app: App,
  options: {
    url: string;
    access: Access;
    params: P;
    body?: B;
    run: (input: FormInput<z.output<P>, B extends z.ZodType ? z.output<B> : unknown>) => Promise<string>;
    page: (form: FormState, input: FormInput<z.output<P>, unknown>) => PageOptions | Promise<PageOptions>;
  },
): void {
  app.post(options.url, { config: { access: options.access }, schema: { hide: true } }, async (request, reply) => {
    const params = parseInput(options.params, request.params);
    return handleForm(
      request,
      reply,
      () => {
        const body = options.body ? parseInput(options.body, request.body) : request.body;
        return options.run({ request, params, body: body as B extends z.ZodType ? z.output<B> : unknown });
      },
      (form) => options.page(form, { request, params, body: request.body }),
    );
  });
}
