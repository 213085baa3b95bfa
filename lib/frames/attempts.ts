/**
 * The attempts table: every attempt (an event with `attempts > 0`) with the
 * IP details of {@linkcode ATTEMPT_DETAIL_COLUMNS}, the largest data file of
 * a run. It is kept in Polars as narrow integer codes (about 25 bytes a row:
 * dictionary ids of 1–2 bytes, the time, the line; a column no attempt has is
 * not kept) and turned into text only inside lazy queries over a range of
 * rows, so the writer decides how many rows are held as text at once. No
 * `events` frame and no join are needed: text is looked up in the store's
 * dictionaries by code, an IP's details by its id.
 *
 * For CSV a query can render what `writeCsv` renders (lib/frames/io.ts) more
 * cheaply: formula-like text is neutralised and quoted once per distinct
 * value, in the dictionaries, each IP's details are written as CSV text once
 * (not once per attempt), and times are ISO 8601 text put together from a
 * dictionary of days and one of seconds of the day (formatting a million
 * times one by one costs about 0.7 s). The sink then copies the text.
 *
 * @module
 */
import pl from "nodejs-polars";
import { KINDS } from "../logs/kinds.ts";
import type { EventColumns, IntArray } from "../logs/store.ts";
import { ATTEMPT_DETAIL_COLUMNS, DETAIL_COLUMN_TYPES, EVENT_COLUMNS } from "./columns.ts";
import { analysisDetailColumns, type EventAnalysis, eventColumns, fileNames } from "./events.ts";
import { FORMULA_START } from "./io.ts";

/**
 * The options of `sinkCSV` for a CSV query ({@linkcode AttemptQueryOptions.csv}):
 * its text is quoted already, the writer copies it as it is.
 */
export const ATTEMPT_CSV_OPTIONS = {
  includeHeader: true,
  lineTerminator: "\n",
  quoteStyle: "never",
  nullValue: "",
} as const;

/** Options of {@linkcode AttemptTable.query}. */
export interface AttemptQueryOptions {
  /**
   * The query for a CSV sink with {@linkcode ATTEMPT_CSV_OPTIONS}, which then
   * writes what `writeCsv` writes: times as ISO 8601 UTC text
   * (`2026-11-20T23:56:29Z`, with milliseconds when some attempt has them),
   * text cells quoted where needed (RFC 4180), and the detail columns as one
   * column of CSV text named after them (each IP's details are written once
   * instead of once an attempt: 1m+1m, the CSV in ~35 % less CPU time).
   *
   * @default false
   */
  csv?: boolean;
  /**
   * Text cells that a spreadsheet would run as a formula (starting with `=`,
   * `+`, `-`, `@`, tab or CR) prefixed with `'`, as `writeCsv` does.
   *
   * @default false
   */
  neutralizeFormulas?: boolean;
  /** First row. @default 0 */
  offset?: number;
  /** Rows from `offset`. @default all */
  length?: number;
}

/** Every attempt with its IP's details; see the module documentation. */
export interface AttemptTable {
  /** Attempts (rows). */
  readonly height: number;
  /** Column names, in order: the `events` columns, then {@linkcode ATTEMPT_DETAIL_COLUMNS}. */
  readonly columns: readonly string[];
  /** True when the time of some attempt has milliseconds. */
  readonly milliseconds: boolean;
  /**
   * The attempts as a lazy query: the `events` frame's types (text
   * Categorical, `time` a UTC Datetime, counts Int32) and the details'
   * (`ipDetails` types, but text Categorical), unless options ask for CSV
   * times. Each query holds its rows whole while it runs: write a million
   * rows in batches (`offset`, `length`). Sink it with `collect({
   * commSubexprElim: false })`: text is looked up as
   * `lit(dictionary).explode().gather(codes)`, and when two columns share a
   * dictionary (details null for every IP) Polars' streaming engine fails on
   * the shared part ("zip node received non-equal length inputs").
   */
  query(options?: AttemptQueryOptions): pl.LazyDataFrame;
}

/** Text columns of the events, each with its dictionary. */
const EVENT_TEXT = ["ip", "user", "jail", "host", "method", "path"] as const;
/** Columns of the attempts table, in order. */
const ATTEMPT_COLUMNS = [...Object.keys(EVENT_COLUMNS), ...ATTEMPT_DETAIL_COLUMNS] as const;
const DAY_MS = 86_400_000;
/** 10000-01-01 (UTC ms): before it, and from 1970, ISO text and chrono's `%Y` agree. */
const YEAR_10000 = 253_402_300_800_000;
/** Most distinct days (first to last) rendered from a dictionary of days. */
const MAX_DAYS = 100_000;
const ISO_SECONDS = "%Y-%m-%dT%H:%M:%SZ";
const ISO_MILLISECONDS = "%Y-%m-%dT%H:%M:%S%.3fZ";
const FORMULA = new RegExp(FORMULA_START);

/** `00:00:00` to `23:59:59`, made once. */
function secondsOfDay(): string[] {
  if (SECONDS_OF_DAY.length === 0) {
    const two = Array.from({ length: 60 }, (_, k) => String(k).padStart(2, "0"));
    for (let h = 0; h < 24; h++) {
      for (let m = 0; m < 60; m++) {
        for (let s = 0; s < 60; s++) SECONDS_OF_DAY.push(`${two[h]}:${two[m]}:${two[s]}`);
      }
    }
  }
  return SECONDS_OF_DAY;
}
const SECONDS_OF_DAY: string[] = [];

/** Runs of consecutive rows: `[start, end)` pairs. */
type Runs = Int32Array;

/** The runs of rows where `counts` is positive. */
function positiveRuns(counts: ArrayLike<number>): { runs: Runs; rows: number } {
  const runs: number[] = [];
  let rows = 0;
  for (let i = 0; i < counts.length;) {
    if (counts[i] <= 0) {
      i++;
      continue;
    }
    const start = i;
    while (i < counts.length && counts[i] > 0) i++;
    runs.push(start, i);
    rows += i - start;
  }
  return { runs: Int32Array.from(runs), rows };
}

/**
 * The rows of `column` in `runs`, as a typed array of its kind over
 * `scratch` (a copy per run, not per row); valid until the next call.
 */
function gatherRuns<T extends IntArray | Uint8Array | Float64Array>(
  column: IntArray | Uint8Array | Float64Array,
  runs: Runs,
  rows: number,
  scratch: ArrayBuffer,
  type = column.constructor as new (buffer: ArrayBuffer, offset: number, n: number) => T,
): T {
  const out = new type(scratch, 0, rows);
  if (column instanceof Float64Array) copyRuns(column, out, runs);
  else copyIntegerRuns(column, out as IntArray | Uint8Array, runs);
  return out;
}

// Two copies of one loop, so that each reads and writes at most four kinds of
// typed array (V8 keeps such element access fast; with five it does not).
// Runs are short (tens of rows): a subarray per run would be a million objects.

function copyRuns(from: Float64Array, to: ArrayLike<number> & { [i: number]: number }, runs: Runs) {
  for (let r = 0, j = 0; r < runs.length; r += 2) {
    for (let i = runs[r], end = runs[r + 1]; i < end; i++) to[j++] = from[i];
  }
}

function copyIntegerRuns(from: IntArray | Uint8Array, to: IntArray | Uint8Array, runs: Runs) {
  for (let r = 0, j = 0; r < runs.length; r += 2) {
    for (let i = runs[r], end = runs[r + 1]; i < end; i++) to[j++] = from[i];
  }
}

/** True when every value is `value`. */
function all(column: ArrayLike<number>, value: number): boolean {
  for (let i = 0; i < column.length; i++) if (column[i] !== value) return false;
  return true;
}

/** `code` (−1 = null) looked up in `values`, a dictionary. */
function lookup(values: pl.Series, code: pl.Expr): pl.Expr {
  return pl.lit(values).explode().gather(pl.when(code.gtEq(0)).then(code).otherwise(pl.lit(null)));
}

/**
 * `text` as Polars' CSV writer writes a text cell with `quoteStyle:
 * "necessary"`: quoted (quotes doubled) when it holds a comma, a quote, CR or
 * LF, or is empty (an empty cell is a null).
 */
function csvField(text: string): string {
  return text === "" || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The records of CSV text written with LF line ends (LF in a quoted cell is text). */
function csvRecords(text: string): string[] {
  const records: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) quoted = !quoted; // '"' (a doubled one toggles twice)
    else if (c === 10 && !quoted) {
      records.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return records;
}

/** `values` with each formula-like text prefixed with `'`, as `writeCsv` writes it. */
function neutralized(values: readonly (string | null)[]): (string | null)[] {
  return values.map((v) => v !== null && FORMULA.test(v) ? `'${v}` : v);
}

/** The attempt rows' codes in Polars, and what the queries need to know of them. */
interface AttemptCodes {
  codes: pl.DataFrame;
  /** Columns kept in `codes` (the others are constant: unknown, or file 0). */
  known: Set<string>;
  height: number;
  milliseconds: boolean;
  /** Days (since 1970) of the first and last time; 0 when none has one. */
  firstDay: number;
  lastDay: number;
}

function attemptCodes(analysis: EventAnalysis): AttemptCodes {
  const c = eventColumns(analysis, "the attempts table");
  const counts = analysis.attempts;
  const { runs, rows: height } = positiveRuns(counts);
  // each column is gathered into one scratch buffer and copied into Polars at
  // once, so a million rows leave no column-sized garbage behind
  const scratch = new ArrayBuffer(height * Float64Array.BYTES_PER_ELEMENT);
  const gather = <T extends IntArray | Uint8Array | Float64Array>(column: T) =>
    gatherRuns<T>(column, runs, height, scratch);

  // times: are there milliseconds, and which days?
  const time = gather(c.time);
  let milliseconds = false;
  let first = Infinity, last = -Infinity;
  for (let j = 0; j < height; j++) {
    const t = time[j];
    if (t < first) first = t; // false for NaN
    if (t > last) last = t;
    // as the cast to Datetime("ms") truncates
    if (!milliseconds && Math.trunc(t) % 1000 !== 0 && !Number.isNaN(t)) milliseconds = true;
  }
  // (the day of a time only grows with it)
  let firstDay = Math.floor(Math.trunc(first) / DAY_MS);
  let lastDay = Math.floor(Math.trunc(last) / DAY_MS);
  if (first === Infinity) firstDay = lastDay = 0;

  // the codes, as narrow as the store keeps them; a column never known on an
  // attempt is not kept (its value is a constant of the query)
  const series: pl.Series[] = [pl.Series("time", time)];
  const known = new Set<string>(["time", "attempts"]);
  // attempts are repeat counts, small: as narrow as the largest
  let most = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] > most) most = counts[i];
  series.push(pl.Series(
    "attempts",
    gatherRuns<IntArray>(
      counts,
      runs,
      height,
      scratch,
      (most <= 127 ? Int8Array : most <= 32_767 ? Int16Array : Int32Array) as new (
        buffer: ArrayBuffer,
        offset: number,
        n: number,
      ) => IntArray,
    ),
  ));
  const columns: [Exclude<keyof EventColumns, "length">, number | undefined][] = [
    ["kind", undefined],
    ["ip", -1],
    ["user", -1],
    ["port", -1],
    ["jail", -1],
    ["host", -1],
    ["method", -1],
    ["path", -1],
    ["status", -1],
    ["file", 0],
    ["line", undefined],
  ];
  for (const [name, fill] of columns) {
    if (fill !== undefined && !analysis.store.has(name)) continue;
    const values = gather(c[name] as IntArray | Uint8Array);
    if (fill === undefined || !all(values, fill)) {
      series.push(pl.Series(name, values));
      known.add(name);
    }
  }
  return {
    codes: pl.DataFrame(series),
    known,
    height,
    milliseconds,
    firstDay,
    lastDay,
  };
}

/**
 * The attempts of an analysis, kept as codes (see the module documentation).
 * Polars frees them once the table is garbage collected.
 *
 * @example
 * ```ts ignore
 * import { analyseEvents } from "./events.ts";
 * import { attemptTable } from "./attempts.ts";
 * const attempts = attemptTable(analyseEvents(store, details));
 * await attempts.query().sinkParquet("attempts.parquet").collect({ commSubexprElim: false });
 * ```
 */
export function attemptTable(analysis: EventAnalysis): AttemptTable {
  const { codes, known, height, milliseconds, firstDay, lastDay } = attemptCodes(analysis);
  // else the times are formatted one by one (before 1970 the day arithmetic is wrong)
  const dayText = firstDay >= 0 && (lastDay + 1) * DAY_MS <= YEAR_10000 &&
    lastDay - firstDay < MAX_DAYS;
  const details = analysisDetailColumns(analysis, ATTEMPT_DETAIL_COLUMNS);
  const dictionaries: Record<string, readonly (string | null)[]> = {
    source: KINDS.map((kind) => kind.source),
    kind: KINDS.map((kind) => kind.name),
    file: fileNames(analysis),
  };
  for (const name of EVENT_TEXT) dictionaries[name] = analysis.store.dictionaries[name].values;

  /** The columns of the query, built once per kind of query. */
  const selections = new Map<string, pl.Expr[]>();
  const selection = (csv: boolean, neutralize: boolean): pl.Expr[] => {
    // for CSV, text is written as the CSV writer would write it (quoted where
    // necessary): the sink then copies it as it is (ATTEMPT_CSV_OPTIONS)
    const strings = (values: readonly (string | null)[]) => {
      const text = neutralize ? neutralized(values) : values as (string | null)[];
      return csv ? text.map((v) => v === null ? v : csvField(v)) : text;
    };
    const text = (name: string, code = name, fill = -1) =>
      (known.has(code)
        ? lookup(
          pl.Series(name, strings(dictionaries[name]), pl.Utf8).cast(pl.Categorical),
          pl.col(code),
        )
        : pl.lit(strings([dictionaries[name][fill] ?? null])[0]).cast(pl.Categorical)).alias(name);
    const int = (name: string) =>
      (known.has(name)
        ? pl.when(pl.col(name).gtEq(0)).then(pl.col(name).cast(pl.Int32)).otherwise(pl.lit(null))
        : pl.lit(null).cast(pl.Int32)).alias(name);
    const ip = pl.when(pl.col("ip").gtEq(0)).then(pl.col("ip")).otherwise(pl.lit(null));
    const detail = (name: typeof ATTEMPT_DETAIL_COLUMNS[number]) => {
      let value = pl.col(name);
      if (DETAIL_COLUMN_TYPES[name] === "string") {
        if (neutralize) {
          value = pl.when(value.str.contains(FORMULA_START))
            .then(pl.concatString([pl.lit("'"), value], "")).otherwise(value);
        }
        value = value.cast(pl.Categorical);
      }
      const values = details.select(value.alias(name)).getColumn(name);
      return (known.has("ip")
        ? pl.lit(values).explode().gather(ip)
        : pl.lit(null).cast(values.dtype))
        .alias(name);
    };
    /**
     * The detail columns of each attempt as one column of CSV text: each IP's
     * details written once by the CSV writer (floats formatted its way), and
     * gathered by IP id; the column is named after the seven, so the header
     * is the same.
     */
    const csvDetails = (): pl.Expr => {
      const frame = details.select(
        ...ATTEMPT_DETAIL_COLUMNS.map((name) => {
          const value = pl.col(name);
          return DETAIL_COLUMN_TYPES[name] === "string" && neutralize
            ? pl.when(value.str.contains(FORMULA_START))
              .then(pl.concatString([pl.lit("'"), value], "")).otherwise(value).alias(name)
            : value;
        }),
      );
      const records = frame.height === 0 ? [] : csvRecords(
        new TextDecoder().decode(frame.writeCSV({
          includeHeader: false,
          lineTerminator: "\n",
          quoteStyle: "necessary",
          nullValue: "",
        })),
      );
      if (records.length !== frame.height) {
        throw new Error(
          `Cannot write the attempts' details: ${records.length} CSV records for ${frame.height} IPs`,
        );
      }
      // an attempt without an IP: the last, all empty
      records.push(",".repeat(ATTEMPT_DETAIL_COLUMNS.length - 1));
      const name = ATTEMPT_DETAIL_COLUMNS.join(",");
      return (known.has("ip")
        ? lookup(
          pl.Series(name, records, pl.Utf8).cast(pl.Categorical),
          pl.when(pl.col("ip").gtEq(0)).then(pl.col("ip")).otherwise(pl.lit(records.length - 1)),
        )
        : pl.lit(records[records.length - 1]).cast(pl.Categorical)).alias(name);
    };
    return [
      csv ? isoTime() : pl.col("time").fillNan(null).cast(pl.Datetime("ms", "UTC")).alias("time"),
      text("source", "kind"),
      text("kind"),
      pl.lit(true).alias("suspicious"),
      pl.col("attempts").cast(pl.Int32),
      text("ip"),
      text("user"),
      int("port"),
      text("jail"),
      text("host"),
      text("method"),
      text("path"),
      int("status"),
      text("file", "file", 0),
      pl.col("line").cast(pl.Int32),
      ...(csv ? [csvDetails()] : ATTEMPT_DETAIL_COLUMNS.map(detail)),
    ];
  };
  /** `time` as writeCsv writes it: from dictionaries of days and seconds where that is exact. */
  const isoTime = (): pl.Expr => {
    const time = pl.col("time").fillNan(null).cast(pl.Int64);
    if (!dayText) {
      return time.cast(pl.Datetime("ms", "UTC"))
        .dt.strftime(milliseconds ? ISO_MILLISECONDS : ISO_SECONDS).alias("time");
    }
    const text = (values: string[]) => pl.Series("values", values, pl.Utf8);
    const days = Array.from(
      { length: lastDay - firstDay + 1 },
      (_, k) => new Date((firstDay + k) * DAY_MS).toISOString().slice(0, 11),
    );
    const seconds = secondsOfDay();
    const parts = [
      lookup(text(days), time.div(DAY_MS).cast(pl.Int64).sub(firstDay)),
      lookup(text(seconds), time.modulo(DAY_MS).div(1000).cast(pl.Int64)),
    ];
    if (milliseconds) {
      const millis = Array.from({ length: 1000 }, (_, k) => `.${String(k).padStart(3, "0")}`);
      parts.push(lookup(text(millis), time.modulo(1000)));
    }
    parts.push(pl.lit("Z"));
    return pl.concatString(parts, "").alias("time");
  };

  const query = (options: AttemptQueryOptions = {}): pl.LazyDataFrame => {
    const csv = options.csv ?? false;
    const neutralize = options.neutralizeFormulas ?? false;
    const key = `${csv} ${neutralize}`;
    let exprs = selections.get(key);
    if (exprs === undefined) selections.set(key, exprs = selection(csv, neutralize));
    const offset = options.offset ?? 0;
    const rows = codes.slice(offset, options.length ?? height - offset);
    return rows.lazy().select(...exprs);
  };
  return { height, columns: ATTEMPT_COLUMNS, milliseconds, query };
}
