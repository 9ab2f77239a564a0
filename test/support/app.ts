import { randomBytes } from "node:crypto";
import type { LightMyRequestResponse } from "fastify";
import { buildServer } from "../../src/app/server.ts";
import { loadConfig } from "../../src/kernel/config.ts";
import type { App } from "../../src/kernel/context.ts";
import { createInstanceAdmin } from "../../src/modules/accounts/accounts.service.ts";
import { openTestDatabase, type TestDatabase } from "./database.ts";

export interface TestApp {
  app: App;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await openTestDatabase();
  const config = loadConfig({ DATA_DIR: "/nonexistent", ...env });
  const app = await buildServer({ db: database.db, config });
  await app.ready();
  return {
    app,
    database,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

export const ADMIN = { email: "admin@exemple.fr", displayName: "Alice Admin", password: "un mot de passe solide" };

export async function createAdmin(t: TestApp) {
  return createInstanceAdmin(t.database.db, ADMIN);
}

/** The usual start of a test: an instance administrator, logged in. */
export async function adminClient(t: TestApp): Promise<Client> {
  await createAdmin(t);
  const client = new Client(t.app);
  await client.login(ADMIN.email, ADMIN.password);
  return client;
}

/**
 * A browser-like client over inject(): keeps cookies, reads the CSRF token from the forms
 * it was served, and sends forms the way a browser does.
 */
export class Client {
  private cookies = new Map<string, string>();
  csrf = "";

  /** `remoteAddress`: the address the client comes from (rate limits count per address), 127.0.0.1 if not given. */
  constructor(
    private readonly app: App,
    private readonly options: { remoteAddress?: string } = {},
  ) {}

  private remember(response: LightMyRequestResponse) {
    for (const c of response.cookies) {
      if (c.value === "" || (c.maxAge !== undefined && c.maxAge <= 0) || (c.expires && c.expires.getTime() < Date.now())) {
        this.cookies.delete(c.name);
      } else {
        this.cookies.set(c.name, c.value);
      }
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (match?.[1]) this.csrf = match[1];
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      ...(this.options.remoteAddress ? { remoteAddress: this.options.remoteAddress } : {}),
      method: "GET",
      url,
      headers: { cookie: this.cookieHeader() },
    });
    this.remember(response);
    return response;
  }

  /** Posts a form, with the CSRF token of the last page unless the fields carry their own. */
  async post(url: string, fields: Record<string, string | string[]>): Promise<LightMyRequestResponse> {
    if (!this.csrf) await this.get("/display");
    const body = new URLSearchParams();
    if (!("_csrf" in fields)) body.append("_csrf", this.csrf);
    for (const [k, v] of Object.entries(fields)) {
      for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    }
    const response = await this.app.inject({
      ...(this.options.remoteAddress ? { remoteAddress: this.options.remoteAddress } : {}),
      method: "POST",
      url,
      headers: { cookie: this.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
      payload: body.toString(),
    });
    this.remember(response);
    return response;
  }

  async api(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", url: string, body?: unknown): Promise<LightMyRequestResponse> {
    // Writes to the API are JSON only, even without fields: an empty object, as a well-behaved client sends.
    const json = body === undefined && method !== "GET" ? {} : body;
    const response = await this.app.inject({
      ...(this.options.remoteAddress ? { remoteAddress: this.options.remoteAddress } : {}),
      method,
      url,
      headers: { cookie: this.cookieHeader(), ...(json !== undefined ? { "content-type": "application/json" } : {}) },
      ...(json !== undefined ? { payload: JSON.stringify(json) } : {}),
    });
    this.remember(response);
    return response;
  }

  /** Posts a multipart form with one file, as a browser's file input does, with the CSRF token of the last page. */
  async upload(url: string, file: { name: string; data: Buffer }, fields: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const boundary = `----vigie${randomBytes(8).toString("hex")}`;
    const parts = Object.entries({ _csrf: this.csrf, ...fields }).map(([name, value]) =>
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
    const payload = Buffer.concat([
      ...parts,
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      file.data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await this.app.inject({
      ...(this.options.remoteAddress ? { remoteAddress: this.options.remoteAddress } : {}),
      method: "POST",
      url,
      headers: { cookie: this.cookieHeader(), "content-type": `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    this.remember(response);
    return response;
  }

  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    await this.get("/login");
    return this.post("/login", { email, password });
  }
}
