/**
 * Dated run folders and an atomically updated `latest`.
 *
 * A run writes into a hidden staging folder (`.20261120-235959.partial-xxxx`),
 * which is renamed to `20261120-235959/` only when everything is written;
 * `latest` is a symbolic link swapped to the new folder with one atomic
 * rename. Readers (a web server, a cron job copying the results) therefore
 * always see a complete run: an interrupted run leaves the previous `latest`
 * untouched, and its staging folder is removed by the next run.
 *
 * @module
 */
import { join } from "node:path";

/** A run folder being written. */
export interface RunFolder {
  /** Where to write now (the staging folder). */
  staging: string;
  /** `YYYYMMDD-HHMMSS` (UTC). */
  name: string;
  root: string;
}

/** `YYYYMMDD-HHMMSS` in UTC. */
export function runName(date: Date): string {
  const iso = date.toISOString(); // 2026-11-20T23:59:59.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${
    iso.slice(14, 16)
  }${iso.slice(17, 19)}`;
}

/** Start a run under `root`; removes staging folders left by crashed runs. */
export async function startRun(root: string, now = new Date()): Promise<RunFolder> {
  await Deno.mkdir(root, { recursive: true });
  for await (const entry of Deno.readDir(root)) {
    if (entry.isDirectory && /^\.\d{8}-\d{6}\.partial-/.test(entry.name)) {
      await Deno.remove(join(root, entry.name), { recursive: true }).catch(() => {});
    }
  }
  const name = runName(now);
  const staging = join(root, `.${name}.partial-${crypto.randomUUID().slice(0, 8)}`);
  await Deno.mkdir(staging);
  return { staging, name, root };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Publish a finished run: rename the staging folder to its dated name (adding
 * `-2`, `-3` … if a run of the same second exists) and point `latest` at it.
 * Returns the final folder.
 */
export async function finishRun(run: RunFolder): Promise<string> {
  let name = run.name;
  for (let i = 2; await exists(join(run.root, name)); i++) name = `${run.name}-${i}`;
  const final = join(run.root, name);
  await Deno.rename(run.staging, final);
  const latest = join(run.root, "latest");
  const info = await Deno.lstat(latest).catch(() => undefined);
  if (info && !info.isSymlink) {
    // an old real folder named latest: move it aside once
    await Deno.rename(latest, join(run.root, `latest.old-${Date.now()}`));
  }
  const temp = join(run.root, `.latest-${crypto.randomUUID().slice(0, 8)}`);
  await Deno.symlink(name, temp); // relative: the tree can be moved or copied
  await Deno.rename(temp, latest); // atomic replacement of the link
  return final;
}

/** Give up a run: remove its staging folder. */
export async function abandonRun(run: RunFolder): Promise<void> {
  await Deno.remove(run.staging, { recursive: true }).catch(() => {});
}

/** Write a file atomically (temporary file in the same folder, then rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  if (typeof data === "string") await Deno.writeTextFile(temp, data);
  else await Deno.writeFile(temp, data);
  await Deno.rename(temp, path);
}
