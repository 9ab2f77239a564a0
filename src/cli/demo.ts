import { loadConfig } from "../app/config.ts";
import { openOrExit } from "../app/start.ts";
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, loadDemo } from "./demo-data.ts";

const database = await openOrExit(loadConfig(), "demo");
try {
  const { created } = await loadDemo(database.db);
  console.log(created ? "Données de démonstration chargées." : "Les données de démonstration sont déjà là.");
  console.log(`Connexion : ${DEMO_ADMIN_EMAIL} / ${DEMO_PASSWORD} (les autres comptes de démonstration ont le même mot de passe).`);
} finally {
  await database.close();
}
