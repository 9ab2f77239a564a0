/** Sauvegardes et restauration, dans le format de chaque moteur. */
import { defineModule } from "../../kernel/module.ts";
import { nightlyBackupJob } from "./backup.jobs.ts";

export const module = defineModule({
  name: "backup",
  jobs: [nightlyBackupJob],
});
