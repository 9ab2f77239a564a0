import { assembleModules } from "../app/modules.ts";
import { openOrExit } from "../app/start.ts";
import { loadConfig } from "../kernel/config.ts";
import { isAppError } from "../kernel/errors.ts";
import { parseInput } from "../kernel/validation.ts";
import { setupSchema } from "../modules/accounts/accounts.schema.ts";
import { createInstanceAdmin } from "../modules/accounts/accounts.service.ts";
import { enablePasswordsBreakGlass } from "../modules/accounts/oidc-providers.service.ts";
import { option } from "./args.ts";
import { readPassword } from "./read-password.ts";

// The modules' error codes and contributions, as the server has them.
assembleModules();

/**
 * npm run create-admin -- --email a@b.fr --name "Prénom Nom" [--password …]
 * Without --password, the password is read from VIGIE_ADMIN_PASSWORD, else asked for at a hidden
 * prompt, else read from standard input (`printf '%s\n' "$MOT_DE_PASSE" | npm run create-admin -- …`).
 */
const args = process.argv.slice(2);
const password =
  option(args, "password") ||
  process.env.VIGIE_ADMIN_PASSWORD ||
  (await readPassword("Mot de passe (rien ne s'affiche pendant la saisie) : "));
const config = loadConfig();
const database = await openOrExit(config, "create-admin");
try {
  const input = parseInput(setupSchema, { email: option(args, "email"), displayName: option(args, "name"), password });
  const account = await createInstanceAdmin(database.db, input);
  console.log(`Compte administrateur créé : ${account.email}`);
  // Break-glass: if the instance had turned passwords off, the new administrator could not sign in.
  if (await enablePasswordsBreakGlass(database.db)) {
    console.log("La connexion par mot de passe était désactivée : elle est réactivée pour que ce compte puisse se connecter.");
  }
} catch (error) {
  if (!isAppError(error)) throw error;
  console.error(error.message);
  const labels: Record<string, string> = { email: "--email", displayName: "--name", password: "mot de passe" };
  for (const [field, message] of Object.entries(error.fields ?? {})) console.error(`  ${labels[field] ?? field} : ${message}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
