import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openMigratedDatabase } from "../app/start.ts";
import { loadConfig } from "../kernel/config.ts";
import { verifyPassword } from "../modules/accounts/passwords.ts";

/** `npm run create-admin` as an administrator or a script runs it, in its own process, on a fresh embedded database. */
function createAdmin(dir: string, args: string[], stdin: string, viaTerminal = false) {
  const command = [process.execPath, "--import", "tsx", "src/cli/create-admin.ts", ...args];
  // `script` gives the command a real terminal: what it prints there is what a person would see on screen.
  const [file, argv] = viaTerminal
    ? ["script", ["-qec", command.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" "), "/dev/null"]]
    : [command[0] ?? "", command.slice(1)];
  const child = spawn(file, argv, { env: { ...process.env, DATA_DIR: dir, DATABASE_URL: "", VIGIE_ADMIN_PASSWORD: "" } });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString();
  });
  if (viaTerminal) {
    // Typed once the prompt shows, as a person would.
    const typeWhenAsked = setInterval(() => {
      if (out.includes("Mot de passe")) {
        clearInterval(typeWhenAsked);
        child.stdin.write(stdin);
      }
    }, 100);
  } else {
    child.stdin.end(stdin);
  }
  return new Promise<{ code: number | null; out: string }>((resolve) => child.on("close", (code) => resolve({ code, out })));
}

describe("npm run create-admin", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "vigie-create-admin-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const args = ["--email", "chef@mairie.fr", "--name", "Paule Chef"];

  it("reads the password from standard input, refuses a weak one with the reason, and never prints it", async () => {
    const weak = await createAdmin(dir, args, "aaaaaaaaaaaa\n");
    expect(weak.code).toBe(1);
    expect(weak.out).toContain("un seul caractère répété");
    const strong = await createAdmin(dir, ["--email", "chef@mairie.fr", "--name", "Paule Chef"], "le lavoir sous les tilleuls\n");
    expect(strong.out).toContain("Compte administrateur créé : chef@mairie.fr");
    expect(strong.code).toBe(0);
    expect(strong.out).not.toContain("tilleuls");
    const database = await openMigratedDatabase(loadConfig({ DATA_DIR: dir }), "test");
    try {
      const row = await database.db
        .selectFrom("accounts")
        .select("password_hash")
        .where("email", "=", "chef@mairie.fr")
        .executeTakeFirstOrThrow();
      expect(await verifyPassword(row.password_hash, "le lavoir sous les tilleuls")).toBe(true);
    } finally {
      await database.close();
    }
  }, 60_000);

  it("asks at a terminal without showing what is typed", async () => {
    const typed = await createAdmin(
      dir,
      ["--email", "adjointe@mairie.fr", "--name", "Rose Adjointe"],
      "une barque au fil de l'eau\r",
      true,
    );
    expect(typed.out).toContain("rien ne s'affiche pendant la saisie");
    expect(typed.out).toContain("Compte administrateur créé : adjointe@mairie.fr");
    expect(typed.out).not.toContain("barque");
  }, 60_000);

  it("is the way back in when passwords were turned off: it turns them back on and says so", async () => {
    const database = await openMigratedDatabase(loadConfig({ DATA_DIR: dir }), "test");
    try {
      await database.db
        .insertInto("settings")
        .values({ key: "password_sign_in", value: JSON.stringify(false) })
        .execute();
    } finally {
      await database.close();
    }
    const rescue = await createAdmin(dir, ["--email", "secours@mairie.fr", "--name", "Jean Secours"], "la cloche du beffroi sonne\n");
    expect(rescue.code).toBe(0);
    expect(rescue.out).toContain("La connexion par mot de passe était désactivée : elle est réactivée");
    const after = await openMigratedDatabase(loadConfig({ DATA_DIR: dir }), "test");
    try {
      const row = await after.db.selectFrom("settings").select("value").where("key", "=", "password_sign_in").executeTakeFirstOrThrow();
      expect(row.value).toBe(true);
    } finally {
      await after.close();
    }
  }, 60_000);
});
