/** La file de tâches durable et ses tâches d'exploitation (partitions). */
import { defineModule } from "../../kernel/module.ts";
import { preparePartitionsJob } from "./partitions.jobs.ts";

export const module = defineModule({
  name: "jobs",
  jobs: [preparePartitionsJob],
});
