import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/**
 * A real OpenID provider (panva's oidc-provider) on a loopback port, with its own small login page in
 * French, test users that carry ProConnect's claims (siret, usual_name, idp_id), `acr` values and a
 * userinfo answer signed as a JWT when the client asks for it, as ProConnect does.
 */
export interface TestUser {
  password: string;
  claims: Record<string, unknown>;
}

export const TEST_PASSWORD = "secret-fournisseur";

export const PROVIDER_USERS: Record<string, TestUser> = {
  "agent-poissy": {
    password: TEST_PASSWORD,
    claims: {
      email: "camille.martin@poissy.fr",
      email_verified: true,
      given_name: "Camille",
      family_name: "Martin-Durand",
      usual_name: "Martin",
      siret: "21780498600018",
      idp_id: "fia1v2",
    },
  },
  "admin-idp": {
    password: TEST_PASSWORD,
    claims: {
      email: "admin@exemple.fr",
      email_verified: true,
      given_name: "Alice",
      usual_name: "Admin",
      siret: "11000000000000",
      idp_id: "fia1v2",
    },
  },
  inconnu: {
    password: TEST_PASSWORD,
    claims: { email: "dominique@ailleurs.fr", email_verified: true, given_name: "Dominique", usual_name: "Petit", siret: "99999999999999" },
  },
  "non-verifie": {
    password: TEST_PASSWORD,
    claims: { email: "admin@exemple.fr", email_verified: false, given_name: "Faux", usual_name: "Admin", siret: "99999999999999" },
  },
};

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** What the provider saw: how many sessions ended through its end_session endpoint. */
  logouts: number;
  /** The acr the provider puts in the ID token (change it to test the check). */
  acr: string;
  close(): Promise<void>;
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

/**
 * `redirectBase`: the app's base URL (its /oidc/callback and /login are registered as redirect URIs).
 * `signedUserinfo`: the client asks for a userinfo answer signed as a JWT (ProConnect does).
 */
export async function startTestProvider(redirectBase: string, options: { signedUserinfo?: boolean } = {}): Promise<TestProvider> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" };
  const state: TestProvider = {
    issuer,
    clientId: "vigie-test",
    clientSecret: "test-client-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    logouts: 0,
    acr: "eidas1",
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: state.clientId,
        client_secret: state.clientSecret,
        redirect_uris: [`${redirectBase}/oidc/callback`],
        post_logout_redirect_uris: [`${redirectBase}/login?ok=logout.provider`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        ...(options.signedUserinfo ? { userinfo_signed_response_alg: "RS256" } : {}),
      },
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: ["clé de test des cookies du fournisseur"] },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["given_name", "family_name"],
      given_name: ["given_name"],
      usual_name: ["usual_name"],
      siret: ["siret"],
      idp_id: ["idp_id"],
    },
    scopes: ["openid", "email", "profile", "given_name", "usual_name", "siret", "idp_id"],
    acrValues: ["eidas1", "eidas2"],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page(
            "Déconnexion du fournisseur",
            `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Oui, me déconnecter</button>`,
          );
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx, sub) => {
      const user = PROVIDER_USERS[sub];
      return user ? { accountId: sub, claims: async () => ({ sub, ...user.claims }) } : undefined;
    },
  });
  provider.on("end_session.success", () => {
    state.logouts += 1;
  });
  const callback = provider.callback();

  handler = async (req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/(login|abort))?$/.exec(new URL(req.url ?? "/", issuer).pathname);
    if (!match) return void callback(req, res);
    try {
      const uid = match[1];
      if (req.method === "GET" && !match[2]) {
        await provider.interactionDetails(req, res);
        res.setHeader("content-type", "text/html; charset=utf-8");
        return void res.end(
          page(
            "Fournisseur d'identité de test",
            `<form method="post" action="/interaction/${uid}/login">
               <label>Identifiant <input name="login" autofocus></label>
               <label>Mot de passe <input name="password" type="password"></label>
               <button type="submit">Se connecter</button>
             </form>
             <form method="post" action="/interaction/${uid}/abort"><button type="submit">Refuser</button></form>`,
          ),
        );
      }
      if (req.method === "POST" && match[3] === "abort") {
        return void (await provider.interactionFinished(req, res, { error: "access_denied", error_description: "Refus de l'usager" }));
      }
      if (req.method === "POST" && match[3] === "login") {
        const form = await readForm(req);
        const login = form.get("login") ?? "";
        const details = await provider.interactionDetails(req, res);
        if (PROVIDER_USERS[login]?.password !== form.get("password")) {
          res.statusCode = 401;
          res.setHeader("content-type", "text/html; charset=utf-8");
          return void res.end(page("Identifiant ou mot de passe incorrect", `<a href="/interaction/${uid}">Réessayer</a>`));
        }
        const clientId = String(details.params.client_id);
        const grant = new provider.Grant({ accountId: login, clientId });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        return void (await provider.interactionFinished(
          req,
          res,
          { login: { accountId: login, acr: state.acr, amr: ["pwd"] }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        ));
      }
      res.statusCode = 404;
      res.end();
    } catch (error) {
      res.statusCode = 400;
      res.end(String(error));
    }
  };
  return state;
}

/**
 * Plays a browser at the provider for HTTP tests: follows the authorization URL, signs in as `login`
 * (or refuses), and returns the address the provider sends the browser back to.
 */
export async function signInAtProvider(authorizationUrl: string, login: string | "refuse"): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const [name, ...rest] = (pair ?? "").split("=");
      if (name) jar.set(name.trim(), rest.join("="));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  let url = authorizationUrl;
  let method = "GET";
  let body: string | undefined;
  for (let hops = 0; hops < 10; hops += 1) {
    const response = await fetch(url, {
      method,
      redirect: "manual",
      headers: { cookie: cookie(), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      ...(body ? { body } : {}),
    });
    keep(response);
    const location = response.headers.get("location");
    if (location) {
      const next = new URL(location, url).toString();
      if (!next.startsWith(new URL(authorizationUrl).origin)) return next;
      url = next;
      method = "GET";
      body = undefined;
      continue;
    }
    const html = await response.text();
    const uid = /\/interaction\/([\w-]+)\/login/.exec(html)?.[1];
    if (!uid)
      throw new Error(
        `page inattendue du fournisseur : ${html
          .replace(/<style[\s\S]*?<\/style>/g, "")
          .replace(/<[^>]+>/g, " ")
          .replace(/\s+/g, " ")
          .slice(0, 400)}`,
      );
    method = "POST";
    if (login === "refuse") {
      url = new URL(`/interaction/${uid}/abort`, url).toString();
      body = "";
    } else {
      url = new URL(`/interaction/${uid}/login`, url).toString();
      body = new URLSearchParams({ login, password: PROVIDER_USERS[login]?.password ?? "" }).toString();
    }
  }
  throw new Error("trop de redirections chez le fournisseur");
}
