/**
 * Reader for the fail2ban SQLite database
 * (`/var/lib/fail2ban/fail2ban.sqlite3`), through `node:sqlite`.
 *
 * Schemas read:
 *
 * - 0.10 and later: `bans(jail, ip, timeofban, bantime, bancount, data)`, one
 *   row per ban, and `bips(ip, jail, timeofban, bantime, bancount, data)`, the
 *   latest ban per address and jail;
 * - 0.9: `bans(jail, ip, timeofban, data)`.
 *
 * `data` is JSON such as `{"matches": [...], "failures": 5}`, but may be
 * invalid or stored as bytes; it is only read for the failure count.
 *
 * This is the one module of `lib/logs/` that touches a file, because SQLite
 * cannot be read line by line; converting rows to events stays pure.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { kindIndex } from "./kinds.ts";
import { normalizeIp } from "./ip.ts";
import type { ParsedEvent } from "./types.ts";
import { TimeKind } from "./types.ts";

/** The tables rows are read from, by pattern name (the `pattern` of each event). */
export const PATTERNS = {
  /** A row of `bans`: one ban. */
  bans: "bans(jail, ip, timeofban[, bantime, bancount], data)",
  /** A row of `bips`, read only when `bans` is missing or empty: the latest ban of an address. */
  bips: "bips(ip, jail, timeofban, bantime, bancount, data)",
} as const;

/** What {@linkcode fail2banDbEvents} yields for one row. */
export interface Fail2banDbRow {
  /** The row's `rowid` (what `SELECT … WHERE rowid = …` finds). */
  row: number;
  /** `bans` or `bips`. */
  table: "bans" | "bips";
  /** The `db_ban` event, when the row is usable. */
  event?: ParsedEvent;
  /** Why the row is not usable. */
  bad?: string;
}

/** A fail2ban database that cannot be opened or is not a fail2ban database. */
export class Fail2banDbError extends Error {
  /** The database file. */
  readonly path: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "Fail2banDbError";
    this.path = path;
  }
}

const DB_BAN = kindIndex("db_ban");

/** Columns read from either table, in this order. */
const COLUMNS = ["jail", "ip", "timeofban", "bantime", "bancount", "data"] as const;

/** Names of the tables in `db`. */
function tableNames(db: DatabaseSync): Set<string> {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  return new Set(rows.map((row) => String(row.name)));
}

/**
 * Open a fail2ban database read-only and check that it has a `bans` or `bips`
 * table.
 *
 * @throws {Fail2banDbError} `Cannot open fail2ban database /path: …` when the
 * file is missing, not an SQLite database, or has neither table.
 *
 * @example
 * ```ts ignore
 * import { fail2banDbEvents, openFail2banDb } from "./fail2ban_db.ts";
 * const db = openFail2banDb("/var/lib/fail2ban/fail2ban.sqlite3");
 * try {
 *   for (const { event } of fail2banDbEvents(db)) if (event) console.log(event.ip);
 * } finally {
 *   db.close();
 * }
 * ```
 */
export function openFail2banDb(path: string): DatabaseSync {
  const fail = (reason: unknown): Fail2banDbError => {
    let message = reason instanceof Error ? reason.message : String(reason);
    if (message.endsWith(`: ${path}`)) message = message.slice(0, -path.length - 2);
    return new Fail2banDbError(path, `Cannot open fail2ban database ${path}: ${message}`, {
      cause: reason,
    });
  };
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
  } catch (error) {
    throw fail(error);
  }
  let tables: Set<string>;
  try {
    tables = tableNames(db); // SQLite reads the file only now
  } catch (error) {
    db.close();
    throw fail(error);
  }
  if (!tables.has("bans") && !tables.has("bips")) {
    db.close();
    throw fail("no bans or bips table, so it is not a fail2ban database");
  }
  return db;
}

/**
 * The bans recorded in a fail2ban database, one `db_ban` event per row of
 * `bans` (of `bips` when `bans` is missing or empty), or `bad` for a row whose
 * address or values cannot be used. Times are absolute (`timeofban` is epoch
 * seconds); `banSeconds` is `bantime` (-1 = permanent), `banCount` is
 * `bancount`, `detail` is `"<n> failures"` when `data` says so.
 *
 * @example
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { fail2banDbEvents } from "./fail2ban_db.ts";
 * const db = new DatabaseSync(":memory:");
 * db.exec("CREATE TABLE bans(jail TEXT, ip TEXT, timeofban INTEGER, data JSON)");
 * db.exec(`INSERT INTO bans VALUES ('sshd', '192.0.2.1', 1709287201, '{"failures": 5}')`);
 * [...fail2banDbEvents(db)][0].event?.detail; // "5 failures"
 * ```
 */
export function* fail2banDbEvents(db: DatabaseSync): Generator<Fail2banDbRow> {
  const tables = tableNames(db);
  let table: "bans" | "bips";
  if (tables.has("bans") && db.prepare("SELECT 1 FROM bans LIMIT 1").get() !== undefined) {
    table = "bans";
  } else if (tables.has("bips")) table = "bips";
  else return;
  const present = new Set(
    db.prepare(`PRAGMA table_info(${table})`).all().map((column) => String(column.name)),
  );
  // Column and table names are constants, never text from the database.
  const select = COLUMNS.map((name) => present.has(name) ? name : `NULL AS ${name}`).join(", ");
  const statement = db.prepare(`SELECT rowid AS _row, ${select} FROM ${table} ORDER BY rowid`);
  statement.setReadBigInts(true); // a huge integer must not abort the whole table
  for (const values of statement.iterate()) {
    const row = Number(values._row);
    const result = rowToEvent(values);
    if (typeof result === "string") yield { row, table, bad: result };
    else {
      result.pattern = table;
      yield { row, table, event: result };
    }
  }
}

/** A column value as an integer or finite number, undefined for NULL, NaN when unusable. */
function numberValue(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : NaN;
  }
  if (typeof value === "number" && Number.isFinite(value)) return value;
  return NaN;
}

/** Short text of a column value for a bad-row reason. */
function show(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  const text = typeof value === "string" ? JSON.stringify(value.slice(0, 60)) : String(value);
  return text;
}

/** The event of one row, or why the row cannot be used. */
function rowToEvent(values: Record<string, unknown>): ParsedEvent | string {
  const ip = typeof values.ip === "string" ? normalizeIp(values.ip.trim()) : undefined;
  if (ip === undefined) return `unusable ip ${show(values.ip)}`;
  if (typeof values.jail !== "string" || values.jail.length === 0) {
    return `unusable jail ${show(values.jail)}`;
  }
  const timeOfBan = numberValue(values.timeofban);
  if (timeOfBan === undefined || Number.isNaN(timeOfBan) || timeOfBan < 0) {
    return `unusable timeofban ${show(values.timeofban)}`;
  }
  const banSeconds = numberValue(values.bantime);
  if (Number.isNaN(banSeconds)) return `unusable bantime ${show(values.bantime)}`;
  const banCount = numberValue(values.bancount);
  if (Number.isNaN(banCount)) return `unusable bancount ${show(values.bancount)}`;
  const failures = failuresOf(values.data);
  return {
    time: Math.round(timeOfBan * 1000),
    timeKind: TimeKind.Absolute,
    kind: DB_BAN,
    ip,
    jail: values.jail,
    banSeconds,
    banCount,
    detail: failures === undefined ? undefined : `${failures} failures`,
  };
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** `failures` of the `data` JSON, when it is there and a count. */
function failuresOf(data: unknown): number | undefined {
  let text: string;
  if (typeof data === "string") text = data;
  else if (data instanceof Uint8Array) text = utf8.decode(data);
  else return undefined;
  if (text.indexOf('"failures"') === -1) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const failures = (parsed as { failures?: unknown }).failures;
    return typeof failures === "number" && Number.isInteger(failures) && failures >= 0
      ? failures
      : undefined;
  } catch {
    return undefined;
  }
}
