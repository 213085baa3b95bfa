/**
 * From the columnar event store to frames: the one pass that applies the
 * shared attempt definition ({@linkcode analyseEvents}), the `events` frame,
 * the `ipDetails` frame and the join of the two.
 *
 * Strings stay dictionary-encoded until a frame needs them: a string column
 * is made by gathering from the small dictionary with the integer codes
 * (measured fastest in nodejs-polars 0.25.2: about 10 ms per million rows,
 * against 250 ms for building the Series from JavaScript strings).
 *
 * @module
 */
import pl from "nodejs-polars";
import { classifyIp } from "../geo/classify.ts";
import { ipDetailsRecord } from "../geo/lookup.ts";
import type { IpDetails } from "../geo/types.ts";
import { KINDS } from "../logs/kinds.ts";
import type { EventColumns, EventStore, IntArray } from "../logs/store.ts";
import {
  BOOKKEEPING_KINDS,
  DETAIL_COLUMN_TYPES,
  EVENT_COLUMNS,
  IP_DETAIL_COLUMNS,
  type IpDetailColumn,
} from "./columns.ts";

/** Options of {@linkcode analyseEvents} and `buildFrames`. */
export interface FrameOptions {
  /** Prefix length of IPv4 subnets. @default 24 */
  v4Prefix?: number;
  /** Prefix length of IPv6 subnets. @default 64 */
  v6Prefix?: number;
  /** User names kept per country in `usernamesByCountry`. @default 10 */
  topUsersPerCountry?: number;
  /**
   * How far apart (ms) a fail2ban database or blacklist ban and a logged ban
   * of the same address may be to be the same ban. @default 60000
   */
  banMatchToleranceMs?: number;
}

/** The defaults of {@linkcode FrameOptions}. */
export const FRAME_DEFAULTS = {
  v4Prefix: 24,
  v6Prefix: 64,
  topUsersPerCountry: 10,
  banMatchToleranceMs: 60_000,
} as const satisfies Required<FrameOptions>;

/**
 * The store read once for frames: the attempts of every event under the
 * shared definition, each IP's details, and where the ban bookkeeping is.
 * Frame builders take it so that `buildFrames` reads the store once.
 */
export interface EventAnalysis {
  readonly store: EventStore;
  readonly columns: EventColumns;
  readonly options: Readonly<Required<FrameOptions>>;
  /** Addresses by IP id (the store's IP dictionary). */
  readonly ips: readonly string[];
  /** Details by IP id; undefined where none were given. */
  readonly details: readonly (IpDetails | undefined)[];
  /** Attempts of each event: its repeat count, or 0 (shared definition). */
  readonly attempts: Int32Array;
  /** Indices of ban bookkeeping events (ban, unban, …, banned), in store order. */
  readonly banEvents: Int32Array;
  /** UTC ms of the first and last event with a time; NaN when none has one. */
  readonly firstTime: number;
  readonly lastTime: number;
}

const BOOKKEEPING = new Set<string>(BOOKKEEPING_KINDS);
const DIRECT_SOURCES = new Set<string>(["sshd", "http-access", "http-error"]);
const BAN_KINDS = new Set([
  "ban",
  "unban",
  "restore_ban",
  "increase_ban",
  "db_ban",
  "blacklisted",
  "banned",
]);
/** Per kind: 1 when it can be an attempt. */
const COUNTABLE = Uint8Array.from(KINDS, (kind) => BOOKKEEPING.has(kind.name) ? 0 : 1);
/** Per kind: 1 when an attempt of it comes from a log fail2ban reads (sshd, web). */
const DIRECT = Uint8Array.from(
  KINDS,
  (kind) => DIRECT_SOURCES.has(kind.source) && !BOOKKEEPING.has(kind.name) ? 1 : 0,
);
const IS_BAN_KIND = Uint8Array.from(KINDS, (kind) => BAN_KINDS.has(kind.name) ? 1 : 0);
const FOUND = KINDS.findIndex((kind) => kind.name === "found");

function checkInteger(name: string, value: number, min: number, max: number) {
  if (!Number.isInteger(value)) {
    throw new TypeError(`Option ${name} must be an integer, not ${value}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`Option ${name} must be ${min}–${max}, not ${value}`);
  }
}

/** The options with defaults filled in, checked. */
export function frameOptions(options: FrameOptions = {}): Required<FrameOptions> {
  const merged = { ...FRAME_DEFAULTS, ...options };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) {
      (merged as Record<string, unknown>)[key] = FRAME_DEFAULTS[key as keyof FrameOptions];
    }
  }
  checkInteger("v4Prefix", merged.v4Prefix, 0, 32);
  checkInteger("v6Prefix", merged.v6Prefix, 0, 128);
  checkInteger("topUsersPerCountry", merged.topUsersPerCountry, 1, 1_000_000);
  if (!(merged.banMatchToleranceMs >= 0)) {
    throw new RangeError(
      `Option banMatchToleranceMs must be a number ≥ 0, not ${merged.banMatchToleranceMs}`,
    );
  }
  return merged;
}

/**
 * Read the store once for frames: apply the shared attempt definition to
 * every event (a fail2ban `found` counts only for an IP with no attempt from
 * sshd or a web server log), match each IP with its details, and note where
 * the ban bookkeeping is. Two passes over typed arrays; no object per event.
 *
 * @example
 * ```ts ignore
 * import { analyseEvents, eventsFrame } from "./events.ts";
 * const analysis = analyseEvents(store, details);
 * eventsFrame(analysis).select("time", "kind", "attempts");
 * ```
 */
export function analyseEvents(
  store: EventStore,
  details: readonly IpDetails[] = [],
  options: FrameOptions = {},
): EventAnalysis {
  const settings = frameOptions(options);
  const columns = store.columns();
  const ips = store.dictionaries.ip.values;
  const byIp = new Map<string, IpDetails>();
  for (const record of details) byIp.set(record.ip, record);
  const ipDetails = ips.map((ip) => byIp.get(ip));

  const n = columns.length;
  const { kind, suspicious, ip, time, count } = columns;
  const direct = new Uint8Array(ips.length);
  const banEvents: number[] = [];
  let firstTime = Infinity;
  let lastTime = -Infinity;
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (IS_BAN_KIND[k] === 1) banEvents.push(i);
    if (suspicious[i] === 1 && DIRECT[k] === 1 && ip[i] >= 0) direct[ip[i]] = 1;
    const t = time[i];
    if (t < firstTime) firstTime = t; // false for NaN
    if (t > lastTime) lastTime = t;
  }
  const attempts = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    if (suspicious[i] === 1 && COUNTABLE[k] === 1 && !(k === FOUND && direct[ip[i]] === 1)) {
      attempts[i] = count[i];
    }
  }
  return {
    store,
    columns,
    options: settings,
    ips,
    details: ipDetails,
    attempts,
    banEvents: Int32Array.from(banEvents),
    firstTime: firstTime === Infinity ? NaN : firstTime,
    lastTime: lastTime === -Infinity ? NaN : lastTime,
  };
}

/**
 * Let go of the events of an analysis once the frames needed are built: the
 * store's columns ({@linkcode EventStore.release}) and the analysis' own
 * arrays give their memory back at once. Frames built before stay as they
 * are; building a frame of the analysis afterwards throws.
 *
 * @example
 * ```ts ignore
 * import { analyseEvents, releaseEvents } from "./events.ts";
 * const analysis = analyseEvents(store, details);
 * const attempts = attemptTable(analysis);
 * const frames = framesOf(analysis);
 * releaseEvents(analysis); // frames and attempts stay usable
 * ```
 */
export function releaseEvents(analysis: EventAnalysis): void {
  analysis.store.release();
  for (const array of [analysis.attempts, analysis.banEvents]) {
    (array.buffer as ArrayBuffer).transfer(0);
  }
}

/**
 * The columns of an analysis, checked: after {@linkcode releaseEvents} they
 * are empty, and a frame built from them would be silently wrong.
 *
 * @throws {Error} naming `frame` when the events were let go
 */
export function eventColumns(analysis: EventAnalysis, frame: string): EventColumns {
  const columns = analysis.columns;
  if (columns.kind.length !== columns.length || analysis.attempts.length !== columns.length) {
    throw new Error(
      `Cannot build ${frame}: the events of this analysis were let go (releaseEvents); ` +
        "analyse the store again",
    );
  }
  return columns;
}

/** A text column as dictionary codes (−1 = null). */
interface EncodedCodes {
  name: string;
  codes: Int32Array | Int16Array | Int8Array | Uint8Array;
}

/** How a {@linkcode FrameBuilder} column becomes a Polars column. */
type Part =
  | { kind: "text"; name: string }
  | { kind: "number"; name: string; values: Float64Array; dtype: pl.DataType }
  | { kind: "series"; name: string; series: pl.Series };

/**
 * Builds a frame from JavaScript columns with few crossings into Polars
 * (each costs about half a millisecond, far more than small columns):
 *
 * - text columns are dictionary-encoded against one shared dictionary and
 *   gathered with their codes in one query, so each distinct string crosses
 *   once and a column costs one typed-array copy instead of a conversion per
 *   cell (measured: 10 ms per million rows against 250 ms); code −1 gathers
 *   the null appended to the dictionary (Polars counts negative indices from
 *   the end), so the store's codes are used as they are;
 * - numbers, flags and times travel as Float64 (NaN = null) and are cast in
 *   one query (nodejs-polars 0.25 turns null into 0 when an integer Series
 *   is made from a JavaScript array, so never do that).
 */
export class FrameBuilder {
  readonly #parts: Part[] = [];
  readonly #ids = new Map<string, number>();
  readonly #dictionary: string[] = [];
  readonly #codes: EncodedCodes[] = [];
  readonly #encoded: (EncodedCodes & { values: readonly (string | null)[] })[] = [];
  readonly #categorical: boolean;

  /** @param categorical make text columns Categorical instead of String. @default false */
  constructor(categorical = false) {
    this.#categorical = categorical;
  }

  /** A text column (null and undefined are null). */
  text(name: string, values: ArrayLike<string | null | undefined>): this {
    const codes = new Int32Array(values.length);
    for (let i = 0; i < codes.length; i++) {
      const value = values[i];
      if (value === null || value === undefined) {
        codes[i] = -1;
        continue;
      }
      let id = this.#ids.get(value);
      if (id === undefined) {
        id = this.#dictionary.push(value) - 1;
        this.#ids.set(value, id);
      }
      codes[i] = id;
    }
    this.#codes.push({ name, codes });
    this.#parts.push({ kind: "text", name });
    return this;
  }

  /**
   * A text column already dictionary-encoded: `codes` index `values`
   * (distinct strings), −1 is null — the event store's form. Gathered from
   * its own dictionary, so the codes are used as they are.
   */
  encodedText(
    name: string,
    codes: IntArray | Uint8Array,
    values: readonly (string | null)[],
  ): this {
    let narrow: EncodedCodes["codes"] = codes;
    // a small dictionary's codes travel as 8 or 16 bits: a quarter or half of the copy
    if (codes instanceof Int32Array && codes.length > 65_536 && values.length < 32_767) {
      narrow = values.length < 127 ? Int8Array.from(codes) : Int16Array.from(codes);
    }
    this.#encoded.push({ name, codes: narrow, values });
    this.#parts.push({ kind: "text", name });
    return this;
  }

  /** A number column of `dtype`; NaN, null and undefined are null. @default dtype Float64 */
  number(
    name: string,
    values: ArrayLike<number | null | undefined>,
    dtype: pl.DataType = pl.Float64,
  ): this {
    const floats = values instanceof Float64Array ? values : new Float64Array(values.length);
    if (floats !== values) {
      for (let i = 0; i < floats.length; i++) floats[i] = values[i] ?? NaN;
    }
    this.#parts.push({ kind: "number", name, values: floats, dtype });
    return this;
  }

  /** A count column (Int64). */
  count(name: string, values: ArrayLike<number>): this {
    return this.number(name, values, pl.Int64);
  }

  /** A `Datetime("ms", "UTC")` column from UTC ms; NaN and ±Infinity are null. */
  time(name: string, ms: ArrayLike<number>): this {
    const floats = new Float64Array(ms.length);
    for (let i = 0; i < floats.length; i++) floats[i] = Number.isFinite(ms[i]) ? ms[i] : NaN;
    return this.number(name, floats, pl.Datetime("ms", "UTC"));
  }

  /** A Boolean column; null and undefined are null. */
  boolean(name: string, values: ArrayLike<boolean | null | undefined>): this {
    const floats = new Float64Array(values.length);
    for (let i = 0; i < floats.length; i++) {
      const v = values[i];
      floats[i] = v === true ? 1 : v === false ? 0 : NaN;
    }
    return this.number(name, floats, pl.Bool);
  }

  /** A ready Series, as it is. */
  series(series: pl.Series): this {
    this.#parts.push({ kind: "series", name: series.name, series });
    return this;
  }

  /**
   * The frame, columns in `order` (a frame's documented columns, which must
   * name every column added) or else in the order they were added.
   */
  build(order?: readonly string[]): pl.DataFrame {
    if (order !== undefined) {
      const added = new Set(this.#parts.map((p) => p.name));
      if (order.length !== added.size || !order.every((name) => added.has(name))) {
        throw new TypeError(
          `Frame columns [${[...added]}] do not match the documented [${order}]`,
        );
      }
    }
    const frames: pl.DataFrame[] = [];
    const gather = (values: readonly (string | null)[], columns: readonly EncodedCodes[]) => {
      let dictionary = pl.Series("__dictionary", [...values, null], pl.Utf8);
      if (this.#categorical) dictionary = dictionary.cast(pl.Categorical);
      frames.push(
        pl.DataFrame([dictionary]).select(
          ...columns.map(({ name, codes }) =>
            pl.col("__dictionary").gather(pl.Series(name, codes)).alias(name)
          ),
        ),
      );
    };
    if (this.#codes.length > 0) gather(this.#dictionary, this.#codes);
    for (const { name, codes, values } of this.#encoded) gather(values, [{ name, codes }]);
    const numbers = this.#parts.filter((p) => p.kind === "number");
    if (numbers.length > 0) {
      frames.push(
        pl.DataFrame(numbers.map((p) => pl.Series(p.name, p.values))).select(
          ...numbers.map((p) => {
            const column = pl.col(p.name).fillNan(null);
            return (p.dtype.equals(pl.Float64) ? column : column.cast(p.dtype)).alias(p.name);
          }),
        ),
      );
    }
    const ready = this.#parts.filter((p) => p.kind === "series");
    if (ready.length > 0) frames.push(pl.DataFrame(ready.map((p) => p.series)));
    if (frames.length === 0) return pl.DataFrame({});
    const all = frames.length === 1 ? frames[0] : pl.concat(frames, { how: "horizontal" });
    return all.select(...(order ?? this.#parts.map((p) => p.name)));
  }
}

/**
 * The `events` frame: one row per event, in file and line order, with the
 * columns of {@linkcode EVENT_COLUMNS}. `attempts` is the row's repeat count
 * when it is an attempt under the shared definition, else 0.
 *
 * @example
 * ```ts ignore
 * import { analyseEvents, eventsFrame } from "./events.ts";
 * const events = eventsFrame(analyseEvents(store));
 * events.filter(pl.col("attempts").gt(0)).height;
 * ```
 */
export function eventsFrame(analysis: EventAnalysis): pl.DataFrame {
  const c = eventColumns(analysis, "the events frame");
  const d = analysis.store.dictionaries;
  const numbers = pl.DataFrame({
    time: pl.Series("time", c.time),
    suspicious: pl.Series("suspicious", c.suspicious),
    attempts: pl.Series("attempts", analysis.attempts),
    port: pl.Series("port", c.port),
    status: pl.Series("status", c.status),
    line: pl.Series("line", c.line),
  }).select(
    pl.col("time").fillNan(null).cast(pl.Datetime("ms", "UTC")),
    pl.col("suspicious").cast(pl.Bool),
    pl.col("attempts"),
    nullWhenNegative("port").cast(pl.Int32),
    nullWhenNegative("status").cast(pl.Int32),
    pl.col("line").cast(pl.Int32), // the store keeps integers as narrow as they fit
  );
  const text = new FrameBuilder(true)
    .encodedText("ip", c.ip, d.ip.values)
    .encodedText("source", c.kind, KINDS.map((kind) => kind.source))
    .encodedText("kind", c.kind, KINDS.map((kind) => kind.name))
    .encodedText("user", c.user, d.user.values)
    .encodedText("jail", c.jail, d.jail.values)
    .encodedText("host", c.host, d.host.values)
    .encodedText("method", c.method, d.method.values)
    .encodedText("path", c.path, d.path.values)
    .encodedText("file", c.file, fileNames(analysis))
    .build();
  return pl.concat([numbers, text], { how: "horizontal" }).select(...Object.keys(EVENT_COLUMNS));
}

/** File paths by file index; null for indices the store's `files` list lacks. */
export function fileNames(analysis: EventAnalysis): (string | null)[] {
  let max = analysis.columns.length > 0 ? 0 : -1;
  if (analysis.store.has("file")) {
    // an indexed loop: for…of over a typed array allocates per element until optimised
    const files = analysis.columns.file;
    for (let i = 0; i < files.length; i++) if (files[i] > max) max = files[i];
  }
  return Array.from({ length: max + 1 }, (_, i) => analysis.store.files[i] ?? null);
}

/** `name` with negative values (the store's "unknown") as null. */
function nullWhenNegative(name: string): pl.Expr {
  return pl.when(pl.col(name).gtEq(0)).then(pl.col(name)).otherwise(pl.lit(null)).alias(name);
}

/** A details record for an IP no provider answered for. */
function blankDetails(ip: string): IpDetails {
  return ipDetailsRecord(ip, classifyIp(ip));
}

/**
 * The `ipDetails` frame: one row per IP with the columns of
 * {@linkcode IP_DETAIL_COLUMNS}, typed (numbers Float64/Int64, flags Boolean,
 * text String, `fetched_at` a UTC Datetime); missing is null. With `ips`, one
 * row per address of `ips` in that order (an address without a record gets
 * its class and nulls); without, one row per record.
 *
 * @example
 * ```ts ignore
 * import { ipDetailsFrame } from "./events.ts";
 * const { details } = await lookupIps(ips, { providers: [openDbip()] });
 * ipDetailsFrame(details).select("ip", "country.iso_code");
 * ```
 */
export function ipDetailsFrame(
  details: readonly IpDetails[],
  ips?: readonly string[],
): pl.DataFrame {
  let rows: readonly IpDetails[] = details;
  if (ips !== undefined) {
    const byIp = new Map<string, IpDetails>();
    for (const record of details) byIp.set(record.ip, record);
    rows = ips.map((ip) => byIp.get(ip) ?? blankDetails(ip));
  }
  return detailsFrameOf(rows);
}

/**
 * The `ipDetails` frame of records (undefined = an IP without details, given
 * by `ips`), or only some of its columns, in the order given.
 */
export function detailsFrameOf(
  rows: readonly (IpDetails | undefined)[],
  ips?: readonly string[],
  columns: readonly IpDetailColumn[] = Object.keys(IP_DETAIL_COLUMNS) as IpDetailColumn[],
): pl.DataFrame {
  const records = rows.map((record, i) =>
    (record ?? blankDetails(ips![i])) as Record<string, unknown>
  );
  const builder = new FrameBuilder();
  for (const column of columns) {
    const values = records.map((record) => record[column]);
    if (column === "fetched_at") {
      builder.time(column, values.map((v) => typeof v === "string" ? Date.parse(v) : NaN));
      continue;
    }
    const type = (DETAIL_COLUMN_TYPES as Record<string, string>)[column] ?? "string";
    if (type === "string") {
      builder.text(
        column,
        values.map((v) => v === null || v === undefined ? null : String(v)),
      );
    } else if (type === "bool") {
      builder.boolean(
        column,
        values.map((v) => typeof v === "boolean" ? v : null),
      );
    } else {
      const numbers = values.map((v) =>
        typeof v === "number" && Number.isFinite(v)
          ? v
          : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))
          ? Number(v)
          : null
      );
      builder.number(column, numbers, type === "int" ? pl.Int64 : pl.Float64);
    }
  }
  return builder.build(columns);
}

/**
 * The details of each IP of the analysis, as an `ipDetails` frame in IP-id
 * order (memoised: built once per analysis).
 */
export function analysisDetailsFrame(analysis: EventAnalysis): pl.DataFrame {
  let frame = detailsFrames.get(analysis);
  if (frame === undefined) {
    frame = detailsFrameOf(analysis.details, analysis.ips);
    detailsFrames.set(analysis, frame);
  }
  return frame;
}
const detailsFrames = new WeakMap<EventAnalysis, pl.DataFrame>();

/**
 * Some columns of {@linkcode analysisDetailsFrame}: selected from it when it
 * is built already, else built alone (a few columns of ten thousand IPs take
 * a fraction of the whole frame's time; the attempts' files start from them).
 */
export function analysisDetailColumns(
  analysis: EventAnalysis,
  columns: readonly IpDetailColumn[],
): pl.DataFrame {
  const frame = detailsFrames.get(analysis);
  return frame !== undefined
    ? frame.select(...columns)
    : detailsFrameOf(analysis.details, analysis.ips, columns);
}

/**
 * Left join of a frame with an `ip` column (`events`, `bans`, …) with the
 * `ipDetails` frame on `ip`, keeping the frame's rows and their order; a
 * column name present in both gets the suffix `_details` on the details side.
 *
 * @example
 * ```ts ignore
 * import { joinDetails } from "./events.ts";
 * joinDetails(frames.bans, frames.ipDetails).select("ip", "jail", "country.iso_code");
 * ```
 */
export function joinDetails(frame: pl.DataFrame, ipDetails: pl.DataFrame): pl.DataFrame {
  for (const [name, f] of [["frame", frame], ["ipDetails", ipDetails]] as const) {
    if (!f.columns.includes("ip")) {
      throw new TypeError(`Cannot join details: ${name} has no ip column`);
    }
  }
  let unique = ipDetails.unique({ subset: "ip", keep: "first", maintainOrder: true });
  // the events frame keeps text Categorical; join keys must have one type
  const type = frame.getColumn("ip").dtype;
  if (!unique.getColumn("ip").dtype.equals(type)) {
    unique = unique.withColumns(pl.col("ip").cast(type));
  }
  return frame.join(unique, {
    on: "ip",
    how: "left",
    suffix: "_details",
    maintainOrder: "left",
  });
}
