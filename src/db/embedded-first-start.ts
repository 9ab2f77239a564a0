import { cpSync, existsSync, renameSync, rmSync } from "node:fs";
import path from "node:path";

/**
 * Copies the template into `dataDir` when `dataDir` holds no database yet; called under the folder's lock.
 * Copied beside it then renamed: a crash during the copy leaves no half folder that would look like a database.
 */
export function startFromTemplate(dataDir: string, template: string): boolean {
  if (existsSync(path.join(dataDir, "PG_VERSION"))) return false;
  const partial = `${dataDir}.nouveau`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(template, partial, { recursive: true });
  rmSync(dataDir, { recursive: true, force: true });
  renameSync(partial, dataDir);
  return true;
}
