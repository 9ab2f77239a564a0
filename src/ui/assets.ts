import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { Theme } from "../kernel/config.ts";

/**
 * The stylesheet is one file built at start-up from the DSFR core and the components Vigie uses,
 * not the whole 700 KB design system, then compressed once: a phone downloads a few tens of KB.
 */
const require = createRequire(import.meta.url);
export const DSFR_DIST = path.dirname(require.resolve("@gouvfr/dsfr/dist/dsfr.min.css"));
const FONT_DIR = path.join(path.dirname(require.resolve("@fontsource/atkinson-hyperlegible/index.css")), "files");
const OWN_CSS = path.join(path.dirname(new URL(import.meta.url).pathname), "static", "vigie.css");

const COMPONENTS = [
  "skiplink",
  "logo",
  "link",
  "button",
  "header",
  "navigation",
  "translate",
  "modal",
  "footer",
  "breadcrumb",
  "form",
  "input",
  "select",
  "checkbox",
  "radio",
  "segmented",
  "password",
  "alert",
  "notice",
  "callout",
  "badge",
  "tag",
  "table",
  "card",
  "tile",
  "pagination",
  "sidemenu",
  "accordion",
  "search",
  "highlight",
  "summary",
  "toggle",
  // The ProConnect button on the sign-in page.
  "connect",
  "tab",
  "upload",
];

/**
 * The icon rules the templates use, found by reading the sources for `fr-icon-…` class names:
 * the full icon set is 250 KB of CSS, the few icons Vigie shows are a few hundred bytes.
 */
function usedIconRules(): string {
  const srcDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
  const names = new Set<string>();
  for (const file of readdirSync(srcDir, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".tsx")) continue;
    for (const m of readFileSync(path.join(srcDir, file), "utf8").matchAll(/fr-icon-[a-z0-9-]+/g)) names.add(m[0]);
  }
  const file = path.join(DSFR_DIST, "utility/icons/icons.main.min.css");
  const css = readFileSync(file, "utf8");
  const rules: string[] = [];
  for (const rule of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const selectors = rule[1] ?? "";
    if ([...names].some((n) => selectors.includes(`.${n}:`))) rules.push(rule[0]);
  }
  return rebaseUrls(rules.join(""), file);
}

export interface Asset {
  url: string;
  type: string;
  body: Buffer;
  /** The compressed forms, made once in the thread pool at the first request that wants them (see makeAsset). */
  compressed(): Promise<{ br: Buffer; gzip: Buffer }>;
}

/** Points url(...) of a DSFR file at where the server exposes the DSFR folder. */
function rebaseUrls(css: string, file: string): string {
  const dir = path.dirname(file);
  return css.replace(/url\((["']?)([^)"']+)\1\)/g, (match, quote: string, ref: string) => {
    if (/^(data:|https?:|\/|#)/.test(ref)) return match;
    const absolute = path.resolve(dir, ref);
    const relative = path.relative(DSFR_DIST, absolute).split(path.sep).join("/");
    return `url(${quote}/assets/dsfr/${relative}${quote})`;
  });
}

function dsfrCss(relative: string): string {
  const file = path.join(DSFR_DIST, relative);
  return rebaseUrls(readFileSync(file, "utf8"), file);
}

/**
 * The State typeface is reserved to State services: the neutral theme drops Marianne's
 * @font-face rules and names another family instead — Atkinson Hyperlegible (SIL Open Font
 * License) on staff pages, the device's own typeface on the public's light pages.
 */
function withoutMarianne(css: string, family: string): string {
  return css.replace(/@font-face\{[^}]*font-family:Marianne[^}]*\}/g, "").replace(/font-family:Marianne/g, `font-family:${family}`);
}

function atkinsonFaces(): string {
  const faces: Array<[string, number]> = [
    ["normal", 400],
    ["italic", 400],
    ["normal", 700],
    ["italic", 700],
  ];
  return faces
    .map(([style, weight]) => {
      const file = `atkinson-hyperlegible-latin-${weight}-${style}.woff2`;
      return `@font-face{font-family:"Atkinson Hyperlegible";font-style:${style};font-weight:${weight};font-display:swap;src:url(/assets/fonts/${file}) format("woff2")}`;
    })
    .join("");
}

/** Dark mode without JavaScript: follow the system setting unless the person chose light. */
function systemDarkScheme(): string {
  const scheme = dsfrCss("scheme/scheme.min.css").replace(/^\/\*![\s\S]*?\*\//, "");
  const followSystem = scheme.replaceAll(":root[data-fr-theme=dark]", ":root[data-fr-scheme=system]:not([data-fr-theme=light])");
  return `${scheme}@media (prefers-color-scheme:dark){${followSystem}}`;
}

function makeAsset(name: string, ext: string, type: string, body: Buffer): Asset {
  let made: Promise<{ br: Buffer; gzip: Buffer }> | undefined;
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  return {
    url: `/assets/${name}.${hash}.${ext}`,
    type,
    body,
    // Brotli at its best level takes more than a second for the two stylesheets and about 14 MB each: done
    // synchronously it held the start by that much (1.2 s of a 3.4 s restart), done while starting it raised the
    // start's peak memory above 300 MB (measured 5 December 2026). Made at the first request that accepts a
    // compressed form, in the thread pool, one at a time; that request waits for it without holding others.
    compressed: () => {
      made ??= compressOneAtATime(body);
      return made;
    },
  };
}

function compressOneAtATime(body: Buffer): Promise<{ br: Buffer; gzip: Buffer }> {
  const done = compressing.then(async () => ({
    br: await promisify(brotliCompress)(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    gzip: await promisify(gzip)(body, { level: 9 }),
  }));
  compressing = done.catch(() => undefined);
  return done;
}

/** The compressions under way, one after the other (makeAsset). */
let compressing: Promise<unknown> = Promise.resolve();

/**
 * What the public's own pages need (a form, a receipt, a tracking page, a survey): a lighter file,
 * so a phone on a weak network gets the whole page in well under 50 KB.
 */
const PUBLIC_COMPONENTS = [
  "skiplink",
  "logo",
  "link",
  "button",
  "header",
  "footer",
  "form",
  "input",
  "radio",
  "checkbox",
  "alert",
  "callout",
  // The state of the requester's e-mails on the tracking page.
  "badge",
];

export type StylesheetKind = "full" | "public";

export function buildStylesheet(theme: Theme, kind: StylesheetKind = "full"): Asset {
  const parts = [
    dsfrCss("core/core.main.min.css"),
    ...(kind === "public" ? PUBLIC_COMPONENTS : COMPONENTS).map((c) => dsfrCss(`component/${c}/${c}.main.min.css`)),
    usedIconRules(),
    systemDarkScheme(),
    readFileSync(OWN_CSS, "utf8"),
  ];
  let css = parts.join("\n");
  // The public's own pages use the phone's own typeface: two web fonts would weigh more than the page.
  if (theme === "neutre")
    css =
      kind === "public"
        ? withoutMarianne(css, 'system-ui,-apple-system,"Segoe UI",Roboto,Arial')
        : atkinsonFaces() + withoutMarianne(css, '"Atkinson Hyperlegible"');
  return makeAsset(kind === "public" ? "vigie-public" : "vigie", "css", "text/css; charset=utf-8", Buffer.from(css));
}

export const FONT_FILES_DIR = FONT_DIR;
