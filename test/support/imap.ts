import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImapFlow } from "imapflow";

/**
 * A real Dovecot (Debian package dovecot-imapd) for the tests: its own configuration, run and state
 * folders and maildir in a temporary folder, users in a passwd-file, IMAP in clear on a loopback
 * port. CI runs as root: mail is stored as `nobody` (mail_uid/mail_gid) and first_valid_uid=0 lets
 * the static userdb name any uid.
 */
export interface ImapServer {
  host: string;
  port: number;
  addUser(user: string, password: string): void;
  /** Delivers a raw RFC 822 message to a user's folder by IMAP APPEND, with its arrival time. */
  deliver(user: string, password: string, raw: string, arrivedAt?: Date, folder?: string): Promise<void>;
  client(user: string, password: string): ImapFlow;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export function dovecotBinary(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v dovecot || ls /usr/sbin/dovecot"], { encoding: "utf8" }).trim().split("\n")[0];
  } catch {
    return undefined;
  }
}

export async function startImapServer(): Promise<ImapServer> {
  const binary = dovecotBinary();
  if (!binary) throw new Error("Dovecot absent : installez le paquet Debian dovecot-imapd (voir .ci/run).");
  const dir = mkdtempSync(join(tmpdir(), "vigie-dovecot-"));
  const port = await freePort();
  for (const sub of ["run", "state", "mail"]) mkdirSync(join(dir, sub), { mode: 0o777 });
  // mkdtemp makes a 0700 folder: the mail processes, run as nobody, must reach their maildir inside it.
  execFileSync("chmod", ["0755", dir]);
  execFileSync("chmod", ["0777", join(dir, "mail")]);
  const passwd = join(dir, "passwd");
  writeFileSync(passwd, "");
  const config = join(dir, "dovecot.conf");
  writeFileSync(
    config,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
instance_name = vigie-test-${port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = nobody
default_internal_user = nobody
default_internal_group = nogroup
first_valid_uid = 0
mail_location = maildir:${dir}/mail/%u
mail_uid = nobody
mail_gid = nogroup
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${passwd}
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${dir}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`,
  );
  // -F: stays in the foreground as our child, so it dies with the test run at worst.
  const child: ChildProcess = spawn(binary, ["-F", "-c", config], { stdio: "ignore" });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = new ImapFlow({ host: "127.0.0.1", port, secure: false, logger: false, auth: { user: "x", pass: "x" } });
      c.on("error", () => {});
      c.connect()
        .then(() => resolve(true))
        .catch((e: { authenticationFailed?: boolean }) => resolve(e.authenticationFailed === true))
        .finally(() => c.close());
    });
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      let log = "";
      try {
        log = readFileSync(join(dir, "dovecot.log"), "utf8");
      } catch {}
      throw new Error(`Dovecot ne démarre pas :\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const client = (user: string, password: string) =>
    new ImapFlow({ host: "127.0.0.1", port, secure: false, logger: false, auth: { user, pass: password } });
  return {
    host: "127.0.0.1",
    port,
    addUser(user, password) {
      writeFileSync(passwd, `${readFileSync(passwd, "utf8")}${user}:{PLAIN}${password}\n`);
    },
    async deliver(user, password, raw, arrivedAt = new Date(), folder = "INBOX") {
      const c = client(user, password);
      await c.connect();
      try {
        if (folder !== "INBOX") await c.mailboxCreate(folder).catch(() => undefined);
        await c.append(folder, raw, [], arrivedAt);
      } finally {
        await c.logout();
      }
    },
    client,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A plain message as a member of the public would send it. */
export function rawMessage(fields: {
  from: string;
  to?: string;
  subject: string;
  body?: string;
  html?: string;
  messageId?: string;
  headers?: Record<string, string>;
  date?: Date;
}): string {
  const lines = [
    `From: ${fields.from}`,
    `To: ${fields.to ?? "accueil@mairie.example"}`,
    `Subject: ${encodeSubject(fields.subject)}`,
    `Date: ${(fields.date ?? new Date()).toUTCString()}`,
    `Message-ID: ${fields.messageId ?? `<${Math.random().toString(36).slice(2)}@usager.example>`}`,
    "MIME-Version: 1.0",
    ...Object.entries(fields.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  if (fields.html) {
    lines.push("Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", fields.html);
  } else {
    lines.push("Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", fields.body ?? "");
  }
  return `${lines.join("\r\n")}\r\n`;
}

function encodeSubject(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString("base64")}?=`;
}
