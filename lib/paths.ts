/**
 * Where the project's own data lives, independent of the working directory.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The project root (the folder holding deno.json). */
export const PROJECT_ROOT: string = fileURLToPath(new URL("../", import.meta.url)).replace(
  /\/$/,
  "",
);

/** The bundled sample logs. */
export const SAMPLE_DIR = `${PROJECT_ROOT}/data/sample`;
