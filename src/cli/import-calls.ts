import { stat } from "node:fs/promises";
import path from "node:path";
import { assembleModules } from "../app/modules.ts";
import { openOrExit } from "../app/start.ts";
import { loadConfig } from "../kernel/config.ts";
import { claimImport, commitImport, createImport, getImport, runImport } from "../modules/calls/calls.service.ts";
import { option } from "./args.ts";

// The modules' contributions (indicator sources, digest sections…), as the server has them.
assembleModules();

/**
 * npm run import:calls -- FILE --org ID [--format asterisk|mapped] [--accept-valid]
 *
 * Same path as the page: the file is read into the staging table, then recorded whole. With faulty
 * lines, they are listed with their numbers and nothing is recorded, unless --accept-valid asks for
 * the valid lines to be recorded anyway. A file of another system uses the organisation's saved
 * column mapping (set once through the page). Exit code 0: recorded; 1: faulty lines or error.
 */
const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
const orgId = option(args, "org");
const format = option(args, "format") ?? "asterisk";
if (!file || !orgId || (format !== "asterisk" && format !== "mapped")) {
  console.error("Usage : npm run import:calls -- FICHIER --org ID_ORGANISATION [--format asterisk|mapped] [--accept-valid]");
  process.exit(2);
}

const config = loadConfig();
const database = await openOrExit(config, "import:calls");
const author = { accountId: null, label: "ligne de commande" };
const bar = (done: number, total: number, rows: number) => {
  const share = total ? Math.min(1, done / total) : 1;
  const width = 30;
  const filled = Math.round(share * width);
  process.stderr.write(
    `\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)} %  ${rows.toLocaleString("fr-FR")} lignes`,
  );
};
let code = 0;
try {
  const bytes = (await stat(file)).size;
  const started = Date.now();
  const importId = await createImport(database.db, author, orgId, { fileName: path.basename(file), format, bytes });
  await claimImport(database.db, orgId, importId);
  let read = await runImport(database.db, author, orgId, importId, file, {
    commitWhenClean: true,
    onProgress: ({ bytesRead, rowsRead }) => bar(bytesRead, bytes, rowsRead),
  });
  process.stderr.write("\n");
  if (read.status === "uploaded") {
    console.error(read.message ?? "Enregistrez d'abord la correspondance des colonnes depuis la page d'import.");
    code = 1;
  } else if (read.status === "failed") {
    // A file refused by the reader's limits (a line of a million fields…): its reason, nothing recorded.
    console.error(read.message ?? "La lecture du fichier a échoué ; rien n'a été enregistré.");
    code = 1;
  } else if (read.status === "checked") {
    for (const e of read.errors) console.error(`ligne ${e.line} : ${e.message}`);
    if (read.rowsInvalid > read.errors.length) console.error(`… et ${read.rowsInvalid - read.errors.length} autres lignes fautives.`);
    if (args.includes("--accept-valid")) {
      read = await commitImport(database.db, author, orgId, importId);
    } else {
      console.error(`${read.rowsInvalid} lignes fautives : rien n'est enregistré (--accept-valid enregistre les lignes valides).`);
      code = 1;
    }
  }
  read = await getImport(database.db, orgId, importId);
  if (read.status === "done") {
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `${read.rowsRead} lignes lues, ${read.rowsInvalid} fautives, ${read.rowsSkipped} écartées ; ${read.rowsCreated} appels ajoutés, ${read.rowsDuplicate} déjà connus (${seconds.toFixed(1)} s, ${Math.round(read.rowsRead / seconds)} lignes/s).`,
    );
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  code = 1;
} finally {
  await database.close();
}
process.exit(code);
