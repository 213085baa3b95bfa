/**
 * Finding log files in a directory, ordering rotations oldest → newest, and
 * recognising formats by name and by content.
 *
 * Rotation schemes, mixed sets included:
 * - Debian: `auth.log`, `auth.log.1`, `auth.log.2.gz`, … `auth.log.10.gz`
 *   (a higher number is older; numeric order, not text order);
 * - CentOS/Fedora: `secure`, `secure-20240107`, `secure-20240114.gz` (a later
 *   date is newer).
 *
 * @module
 */
import { basename, dirname, join, resolve } from "../posix_path.ts";
import type { LogFormat } from "./types.ts";
import { sniffFormat } from "./formats.ts";
import { readLines } from "./read.ts";

/** A log file jailbook will read. */
export interface LogFile {
  path: string;
  format: LogFormat;
  /** The rotation set it belongs to: directory + base name (`/var/log/auth.log`). */
  group: string;
  /** Rotation position: `current`, `numbered` (n = 1 newest), or `dated` (YYYYMMDD). */
  rotation: { kind: "current" | "numbered" | "dated"; n: number };
  gzip: boolean;
  size: number;
  mtime: Date | null;
  /** How the format was decided. */
  formatBy: "name" | "content";
}

/** Something discovery could not use. */
export interface DiscoveryProblem {
  path: string;
  reason: string;
}

/** Options of {@linkcode discoverLogs}. */
export interface DiscoverOptions {
  /** Also look for `/var/lib/fail2ban/fail2ban.sqlite3` when reading `/var/log`. @default true */
  systemDatabase?: boolean;
}

/** The subdirectories of a log directory that hold web server logs. */
export const WEB_DIRS = ["apache2", "httpd", "nginx"] as const;

/** The system location of the fail2ban database. */
export const FAIL2BAN_DB = "/var/lib/fail2ban/fail2ban.sqlite3";

/** Split a file name into base name and rotation suffix. */
export function parseRotation(
  name: string,
): { base: string; gzip: boolean; rotation: LogFile["rotation"] } {
  let rest = name;
  const gzip = rest.endsWith(".gz");
  if (gzip) rest = rest.slice(0, -3);
  let m = /^(.*)\.(\d{1,4})$/.exec(rest);
  if (m) return { base: m[1], gzip, rotation: { kind: "numbered", n: Number(m[2]) } };
  m = /^(.*)-(\d{8})(\d{2})?$/.exec(rest);
  if (m) return { base: m[1], gzip, rotation: { kind: "dated", n: Number(m[2]) } };
  return { base: rest, gzip, rotation: { kind: "current", n: 0 } };
}

/** The format a file's name suggests, or undefined. */
export function formatFromName(path: string): LogFormat | undefined {
  const name = basename(path);
  const { base } = parseRotation(name);
  const parent = basename(dirname(path));
  if (base === "fail2ban.sqlite3" || base.endsWith(".sqlite3")) return "fail2ban-sqlite";
  if (base.startsWith("fail2ban") && base.endsWith(".log")) return "fail2ban";
  if (base === "auth.log" || base === "secure" || base === "secure.log") return "syslog";
  if ((WEB_DIRS as readonly string[]).includes(parent) || /access|error/.test(base)) {
    if (/access/.test(base)) return "http-access";
    if (/error/.test(base)) return "http-error";
  }
  return undefined;
}

/** Sort key: older first. Dated and numbered rotations before the current file. */
function rotationAge(file: LogFile): [number, number] {
  switch (file.rotation.kind) {
    case "numbered":
      return [0, -file.rotation.n];
    case "dated":
      return [0, file.rotation.n];
    default:
      return [1, 0];
  }
}

/** Order files oldest → newest within each rotation group; groups by name. */
export function orderRotations(files: LogFile[]): LogFile[] {
  return [...files].sort((a, b) => {
    if (a.group !== b.group) return a.group < b.group ? -1 : 1;
    const [ac, an] = rotationAge(a), [bc, bn] = rotationAge(b);
    if (ac !== bc) return ac - bc;
    // a mixed set (numbered and dated): fall back to modification times
    if (a.rotation.kind !== b.rotation.kind && a.mtime && b.mtime) {
      return a.mtime.getTime() - b.mtime.getTime();
    }
    return an - bn;
  });
}

async function statOrProblem(
  path: string,
  problems: DiscoveryProblem[],
): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    problems.push({ path, reason: describeFsError(error) });
    return undefined;
  }
}

/** A short, human reason for a file system error. */
export function describeFsError(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file or directory";
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return "permission denied (run as root or add your user to the adm group)";
  }
  return (error as Error).message ?? String(error);
}

/**
 * Sniff a file's format from its first lines (`likely`: the one its name
 * says; syslog, the most common, when it says none).
 */
async function sniffFile(
  path: string,
  gzip: boolean,
  likely: LogFormat | undefined,
): Promise<LogFormat | undefined> {
  const head: string[] = [];
  try {
    await readLines(path, (line) => {
      if (head.length < 50 && line.trim() !== "") head.push(line);
    }, { gzip, limitBytes: 32_768, chunkBytes: 32_768 });
  } catch {
    return undefined;
  }
  return sniffFormat(head, likely ?? "syslog");
}

async function isSqlite(path: string): Promise<boolean> {
  try {
    using file = await Deno.open(path);
    const head = new Uint8Array(16);
    const n = await file.read(head);
    return n === 16 && new TextDecoder().decode(head).startsWith("SQLite format 3");
  } catch {
    return false;
  }
}

async function describeFile(
  path: string,
  info: Deno.FileInfo,
  explicit: boolean,
  problems: DiscoveryProblem[],
): Promise<LogFile | undefined> {
  const name = basename(path);
  const { base, gzip, rotation } = parseRotation(name);
  const byName = formatFromName(path);
  let format = byName;
  let formatBy: LogFile["formatBy"] = "name";
  if (await isSqlite(path)) {
    format = "fail2ban-sqlite";
  } else if (info.size > 0) {
    const sniffed = await sniffFile(path, gzip, byName);
    if (sniffed !== undefined && sniffed !== byName) {
      format = sniffed;
      formatBy = "content";
    } else if (sniffed === undefined && (explicit || byName !== undefined)) {
      // A known name with unrecognisable content is still read with its
      // parser, so each bad line is reported; an unknown name is reported.
      if (byName === undefined) {
        problems.push({
          path,
          reason: "not a log format jailbook knows (its first lines match no parser)",
        });
        return undefined;
      }
    }
  } else if (explicit || byName !== undefined) {
    problems.push({ path, reason: "empty file" });
    if (byName === undefined) return undefined;
  }
  if (format === undefined) return undefined;
  return {
    path,
    format,
    group: join(dirname(path), base),
    rotation,
    gzip,
    size: info.size,
    mtime: info.mtime,
    formatBy,
  };
}

/** True for the names discovery picks up inside a log directory. */
function wantedInLogDir(name: string, inWebDir: boolean): boolean {
  const { base } = parseRotation(name);
  if (inWebDir) return /access|error/.test(base);
  return base === "fail2ban.log" || base === "auth.log" || base === "secure" ||
    base === "fail2ban.sqlite3" || /^fail2ban.*\.(csv|txt)$/.test(base) ||
    /^journal.*\.json$/.test(base);
}

/**
 * Find the log files under `paths` (directories or files), oldest first in
 * each rotation set.
 *
 * In a directory: `fail2ban.log*`, `auth.log*`, `secure*`, `fail2ban.sqlite3`,
 * `fail2ban*.csv|txt` (blacklist CSV, saved `fail2ban-client status`),
 * `journal*.json` (`journalctl -o json`), and `access*`/`error*` in
 * `apache2/`, `httpd/`, `nginx/`. An explicitly named file is read whatever
 * its name, its format recognised by content.
 */
export async function discoverLogs(
  paths: readonly string[],
  options: DiscoverOptions = {},
): Promise<{ files: LogFile[]; problems: DiscoveryProblem[] }> {
  const problems: DiscoveryProblem[] = [];
  const files: LogFile[] = [];
  const seen = new Set<string>();
  const add = async (path: string, explicit: boolean) => {
    const full = resolve(path);
    if (seen.has(full)) return;
    seen.add(full);
    const info = await statOrProblem(path, problems);
    if (!info?.isFile) return;
    const file = await describeFile(path, info, explicit, problems);
    if (file) files.push(file);
  };
  for (const path of paths) {
    const info = await statOrProblem(path, problems);
    if (info === undefined) continue;
    if (!info.isDirectory) {
      await add(path, true);
      continue;
    }
    const scan = async (dir: string, inWebDir: boolean) => {
      let entries: Deno.DirEntry[];
      try {
        entries = await Array.fromAsync(Deno.readDir(dir));
      } catch (error) {
        problems.push({ path: dir, reason: describeFsError(error) });
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (
          entry.isDirectory && !inWebDir && (WEB_DIRS as readonly string[]).includes(entry.name)
        ) {
          await scan(full, true);
        } else if ((entry.isFile || entry.isSymlink) && wantedInLogDir(entry.name, inWebDir)) {
          await add(full, false);
        }
      }
    };
    await scan(path, false);
    if ((options.systemDatabase ?? true) && resolve(path) === "/var/log") {
      try {
        await Deno.stat(FAIL2BAN_DB);
        await add(FAIL2BAN_DB, false);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) {
          problems.push({ path: FAIL2BAN_DB, reason: describeFsError(error) });
        }
      }
    }
  }
  return { files: orderRotations(files), problems };
}
