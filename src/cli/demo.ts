import { assembleModules } from "../app/modules.ts";
import { openOrExit } from "../app/start.ts";
import { loadConfig } from "../kernel/config.ts";
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, DemoRefusedError, loadDemo } from "./demo-data.ts";

// The modules' contributions (indicator sources, digest sections…), as the server has them.
assembleModules();

/** npm run demo [-- --force]: --force turns an instance that already holds organisations into a demo instance. */

const database = await openOrExit(loadConfig(), "demo");
try {
  const { created } = await loadDemo(database.db, { force: process.argv.includes("--force") });
  console.log(created ? "Données de démonstration chargées." : "Les données de démonstration sont déjà là.");
  console.log(`Connexion : ${DEMO_ADMIN_EMAIL} / ${DEMO_PASSWORD} (les autres comptes de démonstration ont le même mot de passe).`);
} catch (error) {
  if (!(error instanceof DemoRefusedError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
} finally {
  await database.close();
}
