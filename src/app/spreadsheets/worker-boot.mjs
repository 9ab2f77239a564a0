// The worker's entry: the server runs TypeScript through tsx, whose loader a worker thread does not
// inherit, so it is registered here before the reader is imported.
import { tsImport } from "tsx/esm/api";

await tsImport("./worker.ts", import.meta.url);
