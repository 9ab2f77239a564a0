// The reading process's entry: the server runs TypeScript through tsx, whose loader a process started
// here does not inherit, so it is registered before the reader is imported.
import { tsImport } from "tsx/esm/api";

await tsImport("./worker.ts", import.meta.url);
