/** Le bilan annuel (page et PDF). */
import { defineModule } from "../../kernel/module.ts";
import { reviewsRoutes } from "./reviews.routes.tsx";

export const module = defineModule({
  name: "reviews",
  routes: [reviewsRoutes],
});
