/**
 * The on-disk cache of online answers: one SQLite database per provider
 * (`data/cache/<provider>.sqlite3`), keyed by IP (or by network for RDAP),
 * holding the raw answer, its status and when it was fetched.
 *
 * Why SQLite (`node:sqlite`): every write is an atomic transaction, so a
 * crash or Ctrl-C mid-run leaves a valid cache with every answer written so
 * far; WAL mode with a busy timeout lets two runs share a cache without
 * corrupting it. Nothing secret is stored: raw answers are response bodies,
 * never request URLs or headers.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";

/** A cached answer. */
export interface CacheEntry {
  key: string;
  status: "ok" | "not_found" | "reserved";
  /** ms since the epoch. */
  fetchedAt: number;
  expiresAt: number;
  /** The raw answer as parsed JSON (undefined when none was kept). */
  raw: unknown;
}

/** A persisted failure: retried on the next run. */
export interface CacheFailure {
  ip: string;
  reason: string;
  retryable: boolean;
  attempts: number;
  /** ms since the epoch of the last attempt. */
  lastAt: number;
}

/** How long a statement waits for another process's lock on the cache, ms. */
const BUSY_TIMEOUT_MS = 15_000;

/**
 * Switch `db` to WAL. The switch needs the file to itself for a moment, and
 * SQLite reports "database is locked" at once (without waiting the busy
 * timeout) when another process is opening the same new cache: two runs
 * started together, e.g. a cron job and a notebook. So it is retried, with
 * growing pauses, for up to the busy timeout.
 */
function useWal(db: DatabaseSync): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let wait = 2;; wait = Math.min(wait * 2, 100)) {
    try {
      db.exec("PRAGMA journal_mode = WAL");
      return;
    } catch (error) {
      if (!/locked|busy/i.test((error as Error).message) || Date.now() > deadline) throw error;
      Atomics.wait(pause, 0, 0, wait); // a synchronous sleep: the cache's API is synchronous
    }
  }
}

/** An error opening or using a cache file. */
export class GeoCacheError extends Error {
  override name = "GeoCacheError";
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`Cannot use geo cache ${path}: ${message}`, options);
    this.path = path;
  }
}

const SCHEMA_VERSION = "1";

/** The cache of one provider. */
export class GeoCache {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #get;
  readonly #put;
  readonly #fail;
  readonly #unfail;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.#db = db;
    this.#get = db.prepare(
      "SELECT key, status, fetched_at, expires_at, raw FROM answers WHERE key = ?",
    );
    this.#put = db.prepare(
      "INSERT INTO answers(key, status, fetched_at, expires_at, raw) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT(key) DO UPDATE SET status = excluded.status, fetched_at = excluded.fetched_at, " +
        "expires_at = excluded.expires_at, raw = excluded.raw",
    );
    this.#fail = db.prepare(
      "INSERT INTO failures(ip, reason, retryable, attempts, last_at) VALUES (?, ?, ?, 1, ?) " +
        "ON CONFLICT(ip) DO UPDATE SET reason = excluded.reason, retryable = excluded.retryable, " +
        "attempts = failures.attempts + 1, last_at = excluded.last_at",
    );
    this.#unfail = db.prepare("DELETE FROM failures WHERE ip = ?");
  }

  /**
   * Open (creating if needed) the cache of `provider` under `dir`.
   *
   * @example
   * ```ts ignore
   * import { GeoCache } from "./cache.ts";
   * const cache = GeoCache.open("data/cache", "ipinfo");
   * cache.get("81.2.69.160");
   * cache.close();
   * ```
   */
  static open(dir: string, provider: string): GeoCache {
    if (!/^[a-z0-9-]+$/.test(provider)) {
      throw new TypeError(`Bad provider name for a cache file: "${provider}"`);
    }
    Deno.mkdirSync(dir, { recursive: true });
    const path = join(dir, `${provider}.sqlite3`);
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(path);
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      useWal(db);
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS answers(
          key TEXT PRIMARY KEY, status TEXT NOT NULL, fetched_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL, raw TEXT);
        CREATE TABLE IF NOT EXISTS failures(
          ip TEXT PRIMARY KEY, reason TEXT NOT NULL, retryable INTEGER NOT NULL,
          attempts INTEGER NOT NULL, last_at INTEGER NOT NULL);
        INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', '${SCHEMA_VERSION}');
      `);
      const version = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as {
        value: string;
      };
      if (version.value !== SCHEMA_VERSION) {
        throw new Error(
          `schema version ${version.value}, this jailbook reads ${SCHEMA_VERSION}: delete the file`,
        );
      }
      return new GeoCache(path, db);
    } catch (error) {
      db?.close();
      throw new GeoCacheError(path, (error as Error).message, { cause: error });
    }
  }

  /** The entry for `key`, fresh or not (callers check `expiresAt`). */
  get(key: string): CacheEntry | undefined {
    const row = this.#get.get(key) as
      | {
        key: string;
        status: CacheEntry["status"];
        fetched_at: number;
        expires_at: number;
        raw: string | null;
      }
      | undefined;
    if (!row) return undefined;
    let raw: unknown = undefined;
    if (row.raw !== null) {
      try {
        raw = JSON.parse(row.raw);
      } catch {
        return undefined; // unreadable entry: treated as a miss and rewritten
      }
    }
    return {
      key: row.key,
      status: row.status,
      fetchedAt: row.fetched_at,
      expiresAt: row.expires_at,
      raw,
    };
  }

  /** Every entry whose key is a network (contains `/`), for network-level reuse. */
  networks(): CacheEntry[] {
    const rows = this.#db.prepare(
      "SELECT key, status, fetched_at, expires_at, raw FROM answers WHERE key LIKE '%/%'",
    ).all() as {
      key: string;
      status: CacheEntry["status"];
      fetched_at: number;
      expires_at: number;
      raw: string | null;
    }[];
    const out: CacheEntry[] = [];
    for (const row of rows) {
      try {
        out.push({
          key: row.key,
          status: row.status,
          fetchedAt: row.fetched_at,
          expiresAt: row.expires_at,
          raw: row.raw === null ? undefined : JSON.parse(row.raw),
        });
      } catch { /* skip unreadable */ }
    }
    return out;
  }

  /** Store an answer (one atomic write) and clear any failure recorded for `ip`. */
  put(entry: CacheEntry, ip?: string): void {
    this.#put.run(
      entry.key,
      entry.status,
      entry.fetchedAt,
      entry.expiresAt,
      entry.raw === undefined ? null : JSON.stringify(entry.raw),
    );
    if (ip !== undefined) this.#unfail.run(ip);
  }

  /** Record that `ip` could not be answered. */
  fail(ip: string, reason: string, retryable: boolean, at: number): void {
    this.#fail.run(ip, reason, retryable ? 1 : 0, at);
  }

  /** Failures recorded so far (this and earlier runs). */
  failures(): CacheFailure[] {
    return (this.#db.prepare(
      "SELECT ip, reason, retryable, attempts, last_at FROM failures ORDER BY ip",
    ).all() as {
      ip: string;
      reason: string;
      retryable: number;
      attempts: number;
      last_at: number;
    }[]).map((r) => ({
      ip: r.ip,
      reason: r.reason,
      retryable: r.retryable === 1,
      attempts: r.attempts,
      lastAt: r.last_at,
    }));
  }

  /** Number of answers stored. */
  size(): number {
    return (this.#db.prepare("SELECT count(*) AS n FROM answers").get() as { n: number }).n;
  }

  /** `PRAGMA integrity_check` result (`"ok"` when sound). */
  integrity(): string {
    return (this.#db.prepare("PRAGMA integrity_check").get() as { integrity_check: string })
      .integrity_check;
  }

  close(): void {
    try {
      this.#db.close();
    } catch { /* already closed */ }
  }
}
