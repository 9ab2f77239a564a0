import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { CHANNELS, REQUEST_KINDS, TARGET_METRICS, TARGET_UNITS } from "./channels.ts";

/**
 * The reference data shipped in data/: the three frameworks, their cross-version mapping and the
 * lever bank. Checked against these schemas when loaded, so a typo in a file stops the start-up
 * with a message instead of reaching the database.
 */
export const DATA_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../../data");

const targetSchema = z
  .object({
    metric: z.enum(TARGET_METRICS),
    value: z.number().positive(),
    unit: z.enum(TARGET_UNITS),
    channels: z.array(z.enum(CHANNELS)).optional(),
    kinds: z.array(z.enum(REQUEST_KINDS)).optional(),
  })
  .strict();

const commitmentSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9+-]+\/\d+$/),
    number: z.number().int().positive(),
    title: z.string().min(1),
    details: z.string().nullable(),
    theme: z.string().regex(/^[a-z0-9-]+$/),
    channels: z.array(z.enum(CHANNELS)).min(1),
    targets: z.array(targetSchema),
    requirements: z.array(z.object({ id: z.string(), text: z.string().min(1) }).strict()).min(1),
  })
  .strict();

export const frameworkFileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9+-]+$/),
    name: z.string().min(1),
    edition: z.string().min(1),
    summary: z.string().min(1),
    themes: z.array(z.object({ id: z.string(), title: z.string().min(1) }).strict()).min(1),
    commitments: z.array(commitmentSchema).min(1),
  })
  .strict()
  .superRefine((f, ctx) => {
    const themes = new Set(f.themes.map((t) => t.id));
    f.commitments.forEach((c, i) => {
      if (!c.id.startsWith(`${f.id}/`) || c.id !== `${f.id}/${c.number}`) {
        ctx.addIssue({ code: "custom", path: ["commitments", i, "id"], message: `identifiant attendu : ${f.id}/${c.number}` });
      }
      if (c.number !== i + 1) ctx.addIssue({ code: "custom", path: ["commitments", i, "number"], message: "numéros non consécutifs" });
      if (!themes.has(c.theme)) ctx.addIssue({ code: "custom", path: ["commitments", i, "theme"], message: `thème inconnu ${c.theme}` });
      c.requirements.forEach((r, j) => {
        if (r.id !== `${c.id}.${j + 1}`) {
          ctx.addIssue({ code: "custom", path: ["commitments", i, "requirements", j], message: `identifiant attendu : ${c.id}.${j + 1}` });
        }
      });
    });
  });
export type FrameworkFile = z.output<typeof frameworkFileSchema>;

export const mappingFileSchema = z.object({
  links: z.array(z.object({ from: z.string(), to: z.string(), relation: z.enum(["equivalent", "partial"]) }).strict()),
});

export const LEVER_CHANNELS = [...CHANNELS, "all"] as const;
export type LeverChannel = (typeof LEVER_CHANNELS)[number];

export const leverFileSchema = z.object({
  source: z.string(),
  levers: z.array(
    z
      .object({
        id: z.string().regex(/^lever-\d{3}$/),
        commitment: z.string(),
        channel: z.enum(LEVER_CHANNELS),
        category: z.string().min(1),
        text: z.string().min(1),
        mappings: z.object({ "marianne-2016": z.array(z.string()).min(1), "sp+2021": z.array(z.string()).min(1) }).strict(),
      })
      .strict(),
  ),
});
export type LeverFile = z.output<typeof leverFileSchema>;

export const FRAMEWORK_FILES = [
  "marianne-2008.json",
  "marianne-2016.json",
  "services-publics-plus.json",
  "services-publics-plus-2023.json",
];

/**
 * The lever bank names its Marianne 2016 and SP+ 2021 commitments; its SP+ 2023 ones follow from the
 * 2021 → 2023 links of mapping.json, so one table of correspondences is kept instead of two.
 */
export function leverCommitmentIds(lever: LeverFile["levers"][number], links: ReferenceData["links"]): string[] {
  const sp2021 = lever.mappings["sp+2021"];
  const sp2023 = links.filter((l) => sp2021.includes(l.from) && l.to.startsWith("sp+2023/")).map((l) => l.to);
  return [...new Set([lever.commitment, ...lever.mappings["marianne-2016"], ...sp2021, ...sp2023])];
}

export interface ReferenceData {
  frameworks: FrameworkFile[];
  links: z.output<typeof mappingFileSchema>["links"];
  levers: LeverFile["levers"];
  /** Hash of the files, so an unchanged set is not written again at each start. */
  hash: string;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(path.join(DATA_DIR, file), "utf8"));
}

function parseFile<S extends z.ZodType>(schema: S, file: string, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new Error(`Fichier de référence invalide ${file} : ${first?.path.join(".")} ${first?.message}`);
  }
  return result.data;
}

/** Loads and checks every reference file, including that every id a file names exists. */
export function loadReferenceData(): ReferenceData {
  const hash = createHash("sha256");
  const read = (file: string) => {
    const raw = readJson(file);
    hash.update(JSON.stringify(raw));
    return raw;
  };
  const frameworks = FRAMEWORK_FILES.map((f) => parseFile(frameworkFileSchema, f, read(`frameworks/${f}`)));
  const { links } = parseFile(mappingFileSchema, "mapping.json", read("frameworks/mapping.json"));
  const { levers } = parseFile(leverFileSchema, "levers.json", read("levers/levers.json"));
  const ids = new Set(frameworks.flatMap((f) => f.commitments.map((c) => c.id)));
  const unknown = [
    ...links.flatMap((l) => [l.from, l.to]),
    ...levers.flatMap((l) => [l.commitment, ...l.mappings["marianne-2016"], ...l.mappings["sp+2021"]]),
  ].filter((id) => !ids.has(id));
  if (unknown.length) throw new Error(`Engagements inconnus dans les données de référence : ${[...new Set(unknown)].join(", ")}`);
  return { frameworks, links, levers, hash: hash.digest("hex") };
}
