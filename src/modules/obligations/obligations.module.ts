/** Obligations de l'année (publication, bilan, « Je donne mon avis »), objectifs du réseau. */
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

export const module = defineModule({
  name: "obligations",
  routes: [obligationsRoutes],
  contributions: [
    publicResultsSectionPoint.with(async (db, orgId) => PublicReplies({ rows: await publicReplies(db, orgId) })),

    indicatorSourcePoint.with({ module: "feedback", source: feedbackIndicatorSource, batch: feedbackIndicatorBatch }),
    indicatorTargetsPoint.with({ of: networkTargetsOf, inScope: networkTargetsInScope, apply: withTargets }),
  ],
});
