/**
 * Where the project's own data lives, independent of the working directory.
 *
 * @module
 */
/** The folder of this module (lib/); `import.meta.dirname` spares loading node:url at start-up. */
const LIB_DIR = import.meta.dirname!;

/** The project root (the folder holding deno.json). */
export const PROJECT_ROOT: string = LIB_DIR.slice(0, LIB_DIR.lastIndexOf("/"));

/** The bundled sample logs. */
export const SAMPLE_DIR = `${PROJECT_ROOT}/data/sample`;

/**
 * How the bundled sample must be read: its time zone and the year of its
 * syslog lines, from `data/sample/MANIFEST.json`. Git does not keep file
 * modification times, so on a fresh clone the year cannot be inferred from
 * them; the manifest records when the sample was written.
 */
export function sampleReadOptions(): { timeZone: string; year: number } {
  try {
    const manifest = JSON.parse(Deno.readTextFileSync(`${SAMPLE_DIR}/MANIFEST.json`));
    const firsts = Object.values(manifest.files as Record<string, { first: string }>).map((f) =>
      f.first
    ).sort();
    return { timeZone: manifest.timeZone ?? "UTC", year: Number(firsts[0].slice(0, 4)) };
  } catch {
    return { timeZone: "UTC", year: new Date().getUTCFullYear() };
  }
}

/** True when `paths` is exactly the bundled sample folder. */
export function isSample(paths: readonly string[]): boolean {
  if (paths.length !== 1) return false;
  const a = paths[0].replace(/\/+$/, "");
  try {
    return Deno.realPathSync(a) === Deno.realPathSync(SAMPLE_DIR);
  } catch {
    return false;
  }
}
