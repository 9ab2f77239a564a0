import { writeFile } from "node:fs/promises";
import { assembleModules } from "../app/modules.ts";
import { openOrExit } from "../app/start.ts";
import { loadConfig } from "../kernel/config.ts";
import { listVisible } from "../modules/organisations/organisations.service.ts";
import { reviewPdf } from "../modules/reviews/review-pdf.ts";
import { buildReview } from "../modules/reviews/reviews.service.ts";
import { option } from "./args.ts";

// The modules' contributions (indicator sources, digest sections…), as the server has them.
assembleModules();

/**
 * Writes the annual review of an organisation as a PDF, for an administrator who scripts it:
 *   npm run review -- --org "Ville de Poissy" --year 2026 --out bilan-poissy-2026.pdf
 * `--org` takes the organisation's name or its identifier.
 */
const args = process.argv.slice(2);
const org = option(args, "org");
const year = Number(option(args, "year") ?? new Date().getFullYear() - 1);
if (!org || !Number.isInteger(year) || year < 2000 || year > 2100) {
  console.error('Usage : npm run review -- --org "Nom ou identifiant" [--year 2026] [--out bilan.pdf]');
  process.exit(2);
}
const database = await openOrExit(loadConfig(), "review");
try {
  const everything = await listVisible(database.db, { accountId: "", email: "", displayName: "cli", instanceAdmin: true, grants: [] });
  const found = everything.filter((o) => o.id === org || o.name === org);
  if (found.length !== 1) {
    console.error(
      found.length ? `Plusieurs organisations s'appellent « ${org} » : donnez son identifiant.` : `Organisation introuvable : ${org}`,
    );
    process.exitCode = 1;
  } else {
    const target = found[0];
    if (target) {
      const out = option(args, "out") ?? `bilan-${year}.pdf`;
      await writeFile(out, await reviewPdf(await buildReview(database.db, target.id, year)));
      console.log(`Bilan annuel ${year} de ${target.name} écrit dans ${out}.`);
    }
  }
} finally {
  await database.close();
}
