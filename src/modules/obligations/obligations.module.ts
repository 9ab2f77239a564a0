/** Obligations de l'année (publication, bilan, « Je donne mon avis »), objectifs du réseau. */
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { indicatorSourcePoint, indicatorTargetsPoint } from "../indicators/sources.ts";
import { publicResultsSectionPoint } from "../publication/publication.routes.tsx";
import { obligationsRoutes } from "./obligations.routes.tsx";
import {
  feedbackIndicatorBatch,
  feedbackIndicatorSource,
  networkTargetsInScope,
  networkTargetsOf,
  publicReplies,
  withTargets,
} from "./obligations.service.ts";
import { PublicReplies } from "./obligations.views.tsx";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "feedback.not_found": [404, "Avis introuvable."],
  "obligations.not_a_site": [400, "Le bilan annuel se valide sur un site : cette organisation n'en est pas un."],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "obligations",
  errors,
  prefixes: ["feedback", "obligations"],
  routes: [obligationsRoutes],
  contributions: [
    publicResultsSectionPoint.with(async (db, orgId) => PublicReplies({ rows: await publicReplies(db, orgId) })),

    indicatorSourcePoint.with({ module: "feedback", source: feedbackIndicatorSource, batch: feedbackIndicatorBatch }),
    indicatorTargetsPoint.with({ of: networkTargetsOf, inScope: networkTargetsInScope, apply: withTargets }),
  ],
});
