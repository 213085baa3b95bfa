/**
 * Writing frames to CSV and Parquet, and reading Parquet back.
 *
 * CSV is for people and spreadsheets, so it is written defensively:
 * RFC 4180 quoting (a field with a comma, quote, CR or LF is quoted, quotes
 * doubled), UTF-8, times as ISO 8601 UTC (`2026-11-20T23:56:29Z`, with
 * milliseconds only when some time of the frame has them), and — because user names and
 * paths are chosen by attackers — every *text* cell that a spreadsheet would
 * run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) prefixed with
 * `'`. Number columns are never touched: −2 stays −2. Files are written to a
 * temporary file beside the target and renamed, so a reader never sees half
 * a file.
 *
 * @module
 */
import pl from "nodejs-polars";
import { basename, dirname, join } from "node:path";

/** Options of {@linkcode writeCsv}. */
export interface WriteCsvOptions {
  /**
   * Prefix text cells that start with `=`, `+`, `-`, `@`, tab or CR with `'`
   * so a spreadsheet shows them instead of running them. @default true
   */
  neutralizeFormulas?: boolean;
  /** Start the file with a UTF-8 byte order mark (helps old Excel). @default false */
  bom?: boolean;
  /** End lines with CRLF, as RFC 4180 writes them, instead of LF. @default false */
  crlf?: boolean;
}

const CSV_DEFAULTS = {
  neutralizeFormulas: true,
  bom: false,
  crlf: false,
} satisfies Required<WriteCsvOptions>;

/** Cells starting like a formula (our pattern, never built from data). */
/** Text cells starting like this run as a formula in a spreadsheet (=, +, -, @, tab, CR). */
export const FORMULA_START = "^[=+\\-@\\t\\r]";

const ISO_SECONDS = "%Y-%m-%dT%H:%M:%SZ";
const ISO_MILLISECONDS = "%Y-%m-%dT%H:%M:%S%.3fZ";

/**
 * The frame ready for the CSV writer: formula-like text cells prefixed (only
 * in the columns that have one: found first in one query, on the distinct
 * values), zoned times converted to UTC; and the time format, with
 * milliseconds only when some time has them.
 */
function csvReady(
  frame: pl.DataFrame,
  neutralize: boolean,
): { ready: pl.DataFrame; datetimeFormat: string } {
  const text: string[] = [];
  const times: string[] = [];
  const expressions: pl.Expr[] = [];
  for (const [name, dtype] of Object.entries(frame.schema) as [string, pl.DataType][]) {
    const kind = dtype.variant;
    if (kind === "String" || kind === "Utf8" || kind === "Categorical") text.push(name);
    else if (kind === "Datetime") {
      times.push(name);
      // naive times are taken as UTC; zoned ones are converted
      const zone = (dtype as unknown as { inner?: (string | null | undefined)[] }).inner?.[1];
      if (zone && zone !== "UTC") {
        expressions.push(pl.col(name).dt.convertTimeZone("UTC").alias(name));
      }
    } else if (
      kind === "List" || kind === "Struct" || kind === "Object" || kind === "FixedSizeList"
    ) {
      throw new TypeError(`Cannot write column ${name} to CSV: ${kind} columns have no CSV form`);
    }
  }
  const checks = [
    ...(neutralize ? text : []).map((name) =>
      pl.col(name).unique().cast(pl.Utf8).str.contains(FORMULA_START).any().alias(`text ${name}`)
    ),
    ...times.map((name) => pl.col(name).dt.nanosecond().neq(0).any().alias(`time ${name}`)),
  ];
  const found = checks.length === 0 || frame.height === 0
    ? {}
    : frame.select(...checks).toRecords()[0] as Record<string, boolean | null>;
  for (const name of text) {
    if (found[`text ${name}`] !== true) continue;
    const value = pl.col(name).cast(pl.Utf8);
    expressions.push(
      pl.when(value.str.contains(FORMULA_START))
        .then(pl.concatString([pl.lit("'"), value], ""))
        .otherwise(value)
        .alias(name),
    );
  }
  const milliseconds = times.some((name) => found[`time ${name}`] === true);
  return {
    ready: expressions.length === 0 ? frame : frame.withColumns(...expressions),
    datetimeFormat: milliseconds ? ISO_MILLISECONDS : ISO_SECONDS,
  };
}

/** Write through a temporary file in the target's directory, then rename. */
function writeAtomically(path: string, write: (temporary: string) => void): void {
  // Polars panics (and prints a Rust backtrace) on a missing directory: check first
  let directory: Deno.FileInfo | undefined;
  try {
    directory = Deno.statSync(dirname(path) || ".");
  } catch { /* reported below */ }
  if (!directory?.isDirectory) {
    throw new Error(`Cannot write ${path}: the directory ${dirname(path)} does not exist`);
  }
  const temporary = join(dirname(path), `.${basename(path)}.${crypto.randomUUID()}.tmp`);
  try {
    write(temporary);
    Deno.renameSync(temporary, path);
  } catch (error) {
    try {
      Deno.removeSync(temporary);
    } catch { /* never written */ }
    throw new Error(`Cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Write `frame` as CSV (see the module documentation for the rules),
 * atomically.
 *
 * @example
 * ```ts ignore
 * import { writeCsv } from "./io.ts";
 * writeCsv(frames.usernames, "out/usernames.csv"); // "=cmd|…" is written as "'=cmd|…"
 * ```
 */
export function writeCsv(frame: pl.DataFrame, path: string, options: WriteCsvOptions = {}): void {
  const settings = { ...CSV_DEFAULTS, ...options };
  const { ready, datetimeFormat } = csvReady(frame, settings.neutralizeFormulas ?? true);
  writeAtomically(path, (temporary) => {
    ready.writeCSV(temporary, {
      datetimeFormat,
      includeBom: settings.bom ?? false,
      includeHeader: true,
      lineTerminator: settings.crlf ? "\r\n" : "\n",
      quoteStyle: "necessary",
      dateFormat: "%Y-%m-%d",
      nullValue: "",
    });
  });
}

/**
 * Write `frame` as Parquet (types, time zones and nulls kept), atomically.
 *
 * @example
 * ```ts ignore
 * import { readParquet, writeParquet } from "./io.ts";
 * writeParquet(frames.events, "out/events.parquet");
 * readParquet("out/events.parquet").height;
 * ```
 */
export function writeParquet(frame: pl.DataFrame, path: string): void {
  writeAtomically(path, (temporary) => frame.writeParquet(temporary, { compression: "zstd" }));
}

/** Read a Parquet file written by {@linkcode writeParquet} (or any Parquet file). */
export function readParquet(path: string): pl.DataFrame {
  return pl.readParquet(path);
}
