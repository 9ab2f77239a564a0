/** Le vocabulaire des indicateurs et le point où chaque module apporte les siens. */
import { defineModule } from "../../kernel/module.ts";

export const module = defineModule({
  name: "indicators",
});
