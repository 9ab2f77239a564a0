import type { App, AppDeps } from "./context.ts";
import type { Contribution } from "./contributions.ts";
import type { ErrorEntries } from "./errors.ts";

/** Declares a group of routes (pages, public pages, API) on the server. */
export type RouteRegistrar = (app: App, deps: AppDeps) => Promise<void> | void;

/**
 * What a module is, for the server that assembles it (src/app/modules.ts). Each module folder has one
 * `<module>.module.ts` exporting this description as `module`; nothing else of the module is wired by
 * a central file. See docs/architecture.md, « Le contrat d'un module ».
 */
export interface ModuleDescription {
  /** The folder's name under src/modules/. */
  name: string;
  /**
   * The prefixes of the module's flash codes (`?ok=<prefix>.<what>`): the assembly refuses a code under
   * another prefix, and a prefix claimed by two modules.
   */
  prefixes?: readonly string[];
  /** Route groups: pages, public pages, API. */
  routes?: readonly RouteRegistrar[];
  /**
   * The module's durable jobs (its `*.jobs.ts`, which register their definitions when loaded). The
   * worker claims only jobs whose names it knows, so a module's jobs run only if listed here.
   */
  jobs?: readonly { name: string }[];
  /** The module's error codes (status and French message), under its prefixes; `AppError` takes them once assembled. */
  errors?: ErrorEntries;
  /** Messages shown once after a redirect (`?ok=code`), in French. */
  flash?: Readonly<Record<string, string>>;
  /** What the module hands to other modules' contribution points (indicator sources, digest sections…). */
  contributions?: readonly Contribution[];
}

/** Identity, for the type: `export const module = defineModule({ … })`. */
export function defineModule(description: ModuleDescription): ModuleDescription {
  return description;
}
