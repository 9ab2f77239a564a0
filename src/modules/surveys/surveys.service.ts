/**
 * The surveys module's public surface: create from a template, list, answer, read results, moderate
 * comments. One file per section behind it; other modules import this one.
 */
export * from "./comments.service.ts";
export * from "./definitions.service.ts";
export * from "./editing.service.ts";
export * from "./responses.service.ts";
export * from "./results.service.ts";
