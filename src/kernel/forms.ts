import type { FastifyReply, FastifyRequest } from "fastify";
import type { FormState, FormValues } from "../ui/forms.tsx";
import type { PageOptions } from "../ui/layout.tsx";
import { sendPage } from "../ui/page.tsx";
import { isAppError } from "./errors.ts";

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

/**
 * Runs a form submission: on success, redirects (303, so a reload does not post twice);
 * on a user error, shows the form again with the values typed and a message per field.
 */
export async function handleForm(
  request: FastifyRequest,
  reply: FastifyReply,
  action: () => Promise<string>,
  page: (form: FormState) => PageOptions | Promise<PageOptions>,
): Promise<FastifyReply> {
  try {
    return reply.redirect(await action(), 303);
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error;
    const form: FormState = { values: submittedValues(request.body), errors: error.fields ?? { _: error.message } };
    return sendPage(reply, request, await page(form), error.status);
  }
}
