/**
 * The data files of a run: every frame of {@linkcode EXPORTS} as CSV (for
 * spreadsheets: RFC 4180, UTF-8, ISO 8601 UTC times, formula-like cells
 * neutralised unless raw) and Parquet (types kept), the attacking IPs as
 * GeoJSON, and `columns.md`, which documents every column of every file from
 * the descriptions in lib/frames/columns.ts.
 *
 * The attempts file carries the IP details people filter on (country, city,
 * coordinates, network); the full set of detail columns is in `ips.*`, one row
 * per address, instead of repeated on each of a million attempts. Being the
 * largest by far, it is written from the compact attempts table
 * (lib/frames/attempts.ts) on Polars' own threads while the rest of the run
 * goes on (the other frames built, the charts drawn), the Parquet then the
 * CSV, each by one sink taking queries of 400,000 rows in turn: a query
 * holds its rows (as text, for the CSV) while it runs, and all of a million
 * rows would take several hundred megabytes.
 *
 * @module
 */
import pl from "nodejs-polars";
import { join } from "node:path";
import { type ExportedFile, EXPORTS, GEOJSON_PROPERTIES, ipsGeoJson } from "../analysis.ts";
import { validateGeoJson } from "../export/geojson.ts";
import {
  ATTEMPT_CSV_OPTIONS,
  ATTEMPT_DEFINITION,
  type AttemptQueryOptions,
  type AttemptTable,
  describeColumn,
  type FrameName,
  type Frames,
  writeCsv,
  writeParquet,
} from "../frames/mod.ts";
import { nextTurn } from "./turns.ts";

/** The IP details on each attempt (the `ips` files have them all). */
export { ATTEMPT_DETAIL_COLUMNS } from "../frames/mod.ts";

/** A file stem of {@linkcode EXPORTS}. */
export type ExportName = keyof typeof EXPORTS;

/** The frame whose column documentation describes each export. */
export const EXPORT_FRAMES: Readonly<Record<ExportName, FrameName>> = {
  attempts: "events",
  ips: "ips",
  subnets: "subnets",
  countries: "countries",
  networks: "networks",
  bans: "bans",
  usernames: "usernames",
  daily: "daily",
};

/** Properties of each point of `ips.geojson`, described. */
export const GEOJSON_PROPERTY_DOCS: Readonly<Record<string, string>> = {
  ip: "Address (also the feature id)",
  attempts: "Attempts from the address (shared definition)",
  bans: "Bans of the address",
  first_seen: "First event with the address (UTC, ISO 8601)",
  last_seen: "Last event with the address (UTC, ISO 8601)",
  country: "Country, ISO 3166-1 alpha-2; null when unknown",
  country_name: "Country name in English",
  city: "City in English",
  asn: "Autonomous system number (ASN) announcing the address",
  organization: "Organisation of that autonomous system",
  provider: "Geo providers that contributed, in priority order",
};

/**
 * Every attempt (events with `attempts > 0`) with the IP details of
 * {@linkcode ATTEMPT_DETAIL_COLUMNS}, as a lazy query (a million rows are
 * written from it without being held in memory at once).
 *
 * @example
 * ```ts ignore
 * import { attemptsQuery } from "./exports.ts";
 * const attempts = attemptsQuery(frames).collectSync();
 * attempts.columns.at(-1); // "traits.autonomous_system_organization"
 * ```
 */
export function attemptsQuery(frames: Frames): pl.LazyDataFrame {
  return frames.attempts.query();
}

/** The frames written whole, by file stem (the attempts are written from {@linkcode attemptsQuery}). */
export function exportTables(
  frames: Frames,
): Record<Exclude<ExportName, "attempts">, pl.DataFrame> {
  return {
    ips: frames.ips,
    subnets: frames.subnets,
    countries: frames.countries,
    networks: frames.networks,
    bans: frames.bans,
    usernames: frames.usernames,
    daily: frames.daily,
  };
}

/** Options of {@linkcode writeDataFiles}. */
export interface DataFileOptions {
  /**
   * Write CSV cells exactly as they are, without neutralising those a
   * spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first).
   *
   * @default false
   */
  raw?: boolean;
  /**
   * Also write Parquet.
   *
   * @default true
   */
  parquet?: boolean;
  /**
   * The attempts files, already started by {@linkcode startAttemptsFiles}
   * (with the same options) so that they are written while the caller did
   * other work.
   *
   * @default started here
   */
  attempts?: AttemptsFiles;
}

/** The attempts files being written: {@linkcode startAttemptsFiles}. */
export interface AttemptsFiles {
  /** Column names, in file order. */
  columns: string[];
  rows: number;
  /** Settles when both files are written. */
  done: Promise<ExportedFile[]>;
}

/** What {@linkcode writeDataFiles} wrote. */
export interface DataFiles {
  files: ExportedFile[];
  /** Column names of each CSV, in file order. */
  columns: Record<ExportName, string[]>;
  /** Attacking IPs left out of the GeoJSON for want of coordinates. */
  unlocated: number;
}

/**
 * Attempts per query of `attempts.csv`. A query holds its rows whole while
 * they are written (about 200 bytes a row as CSV text), so a million attempts
 * go as a sequence of queries that the sink takes in turn. Each query also
 * costs some fixed time (1m+1m, CSV alone: 400k rows 1.7–1.9 s of CPU, 200k
 * 2.0–2.3 s, 100k 2.7–3.4 s, 50k 6–7 s; measured again, 5 sinks each: 400k
 * 1.0–1.4 s, 200k 1.4–1.75 s), and larger ones hold more memory (at 400k
 * the whole run's peak was 415–450 MB, as at 200k).
 */
const ATTEMPT_BATCH_ROWS = 400_000;
/**
 * Attempts per query of `attempts.parquet` (measured on a million attempts:
 * 400k rows 0.6 s and 60 MB more, 200k 0.9 s and 50 MB, all at once 0.55 s
 * and 120 MB).
 */
const ATTEMPT_PARQUET_BATCH_ROWS = 400_000;
/** Rows per row group of `attempts.parquet` (the writer holds one group at a time). */
const ATTEMPT_ROW_GROUP = 65_536;
/**
 * zstd level of `attempts.parquet`: 1m+1m, level 1 takes ~0.1 s less CPU than
 * the default (3) for a file 3 % larger (23.9 MB against 23.3); row groups of
 * 128k or 256k rows changed neither. A cheaper codec saves nothing that
 * matters here: writing a frame read back from the file, lz4 or snappy take
 * ~0.3 s less than zstd 1, but this sink spends its time building the rows
 * (5 sinks each, alternating: zstd 1 1.03–1.19 s of CPU, lz4 1.09–1.13 s,
 * snappy 1.03–1.06 s) for a file 47–50 % larger (35.8 and 35.2 MB).
 */
const ATTEMPT_ZSTD_LEVEL = 1;
/**
 * How the attempts' sinks run: without common subexpression elimination. The
 * queries look text up as `lit(dictionary).explode().gather(codes)`; when two
 * columns have the same dictionary (two detail columns null for every IP, as
 * with no geo data) Polars hoists the shared `lit(…).explode()` into a column
 * of the dictionary's length, and its streaming engine then fails ("zip node
 * received non-equal length inputs").
 */
const ATTEMPT_SINK = { commSubexprElim: false };

/**
 * Start writing `attempts.csv` and `attempts.parquet` on Polars' threads and
 * return at once: the promise settles when both are written. The CSV follows
 * lib/frames/io.ts's rules (RFC 4180, ISO 8601 UTC times with milliseconds
 * only when some time has them, formula-like text cells prefixed with `'`
 * unless `raw`). Nothing of it runs on this thread but starting the CSV
 * sink once the Parquet is written: the caller lets the event loop turn
 * now and then (lib/report/turns.ts) so that this happens soon.
 */
export function startAttemptsFiles(
  frames: Pick<Frames, "attempts">,
  dir: string,
  options: Omit<DataFileOptions, "attempts"> = {},
): AttemptsFiles {
  const attempts = frames.attempts;
  const rows = attempts.height;
  const csv = join(dir, "attempts.csv");
  const parquet = join(dir, "attempts.parquet");
  const neutralizeFormulas = !(options.raw ?? false);
  const write = async (): Promise<ExportedFile[]> => {
    const files: ExportedFile[] = [];
    // the Parquet first: its query is ready at once, while the CSV's builds
    // its text dictionaries (tens of milliseconds) when Polars is busy
    if (options.parquet ?? true) {
      await sinkAtomically(
        parquet,
        (temporary) =>
          batched(attempts, ATTEMPT_PARQUET_BATCH_ROWS).sinkParquet(temporary, {
            compression: "zstd",
            compressionLevel: ATTEMPT_ZSTD_LEVEL,
            rowGroupSize: ATTEMPT_ROW_GROUP,
          }),
      );
      files.push({ path: parquet, rows, what: EXPORTS.attempts });
    }
    await sinkAtomically(
      csv,
      (temporary) =>
        batched(attempts, ATTEMPT_BATCH_ROWS, { csv: true, neutralizeFormulas })
          .sinkCSV(temporary, ATTEMPT_CSV_OPTIONS),
    );
    files.unshift({ path: csv, rows, what: EXPORTS.attempts });
    return files;
  };
  return { columns: [...attempts.columns], rows, done: write() };
}

/**
 * The attempts as one query made of queries of `rows` rows each, which a sink
 * takes in turn: Polars holds one of them at a time.
 */
function batched(
  attempts: AttemptTable,
  rows: number,
  options: AttemptQueryOptions = {},
): pl.LazyDataFrame {
  const batches: pl.LazyDataFrame[] = [];
  for (let offset = 0; batches.length === 0 || offset < attempts.height; offset += rows) {
    batches.push(attempts.query({ ...options, offset, length: rows }));
  }
  return pl.concat(batches, { how: "vertical", rechunk: false, parallel: false });
}

/**
 * Run `sink` into a temporary file beside `path`, renamed to `path` when
 * complete: a failed write leaves the previous file as it was (exportFrames
 * writes into the same folder again).
 */
async function sinkAtomically(path: string, sink: (temporary: string) => pl.LazyDataFrame) {
  const temporary = `${path}.writing`;
  try {
    await sink(temporary).collect(ATTEMPT_SINK);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {}); // (not written)
    throw new Error(`Cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Write `<stem>.csv` and `<stem>.parquet` for every export, `ips.geojson`
 * and `columns.md` into `dir` (which must exist). The attempts (the largest
 * file by far) are written on Polars' threads while the rest is written here,
 * a table at a time with a turn of the event loop between two
 * (lib/report/turns.ts): the caller may do other work until the promise
 * settles, which goes on in those turns.
 *
 * @throws {Error} naming the file that could not be written
 */
export async function writeDataFiles(
  frames: Frames,
  dir: string,
  options: DataFileOptions = {},
): Promise<DataFiles> {
  const attempts = options.attempts ?? startAttemptsFiles(frames, dir, options);
  // never unhandled, even if it fails while the rest is written
  attempts.done.catch(() => {});
  try {
    return await writeOtherFiles(frames, dir, options, attempts);
  } catch (error) {
    // Polars is done with the folder before the caller hears of the failure
    await attempts.done.catch(() => {});
    throw error;
  }
}

/** The data files other than the attempts, then the attempts' when they are written. */
async function writeOtherFiles(
  frames: Frames,
  dir: string,
  options: DataFileOptions,
  attempts: AttemptsFiles,
): Promise<DataFiles> {
  const files: ExportedFile[] = [];
  const columns = { attempts: attempts.columns } as Record<ExportName, string[]>;
  const tables = exportTables(frames);
  for (const [stem, frame] of Object.entries(tables) as [ExportName, pl.DataFrame][]) {
    columns[stem] = frame.columns;
    const csv = join(dir, `${stem}.csv`);
    writeCsv(frame, csv, { neutralizeFormulas: !options.raw });
    files.push({ path: csv, rows: frame.height, what: EXPORTS[stem] });
    if (options.parquet ?? true) {
      const parquet = join(dir, `${stem}.parquet`);
      writeParquet(frame, parquet);
      files.push({ path: parquet, rows: frame.height, what: EXPORTS[stem] });
    }
    // the caller's work (and what other threads hand back) goes on between tables
    await nextTurn();
  }
  // only the columns the points use: turning all of `ips` into records is slow
  const pointColumns = ["location.latitude", "location.longitude", ...GEOJSON_PROPERTIES]
    .filter((c) => frames.ips.columns.includes(c));
  const geo = ipsGeoJson({ ips: frames.ips.select(...pointColumns) });
  const problems = validateGeoJson(geo.collection);
  if (problems.length > 0) {
    throw new Error(`Cannot write ips.geojson: ${problems.slice(0, 3).join("; ")}`);
  }
  const geojson = join(dir, "ips.geojson");
  const doc = join(dir, "columns.md");
  const ordered = Object.fromEntries(
    (Object.keys(EXPORTS) as ExportName[]).map((stem) => [stem, columns[stem]]),
  );
  await Promise.all([
    Deno.writeTextFile(geojson, JSON.stringify(geo.collection)),
    Deno.writeTextFile(doc, columnsMarkdown(ordered, { raw: options.raw })),
  ]);
  files.push(
    {
      path: geojson,
      rows: geo.collection.features.length,
      what: "attacking IPs with coordinates as points (RFC 7946)",
    },
    { path: doc, rows: 0, what: "every column of every data file, described" },
  );
  return { files: [...await attempts.done, ...files], columns, unlocated: geo.skipped };
}

/** A Markdown table cell: pipes and line breaks would break the table. */
function mdCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/**
 * `columns.md`: each data file, what its rows are, and every column with its
 * description, in file order.
 *
 * @example
 * ```ts
 * import { columnsMarkdown } from "./exports.ts";
 * const text = columnsMarkdown({ daily: ["day", "attempts"] });
 * console.log(text.includes("| `day` |"));
 * ```
 */
export function columnsMarkdown(
  columns: Partial<Record<ExportName, readonly string[]>>,
  options: { raw?: boolean } = {},
): string {
  const out: string[] = [
    "# Columns of the data files",
    "",
    "Each table is written twice: as `<name>.csv` (RFC 4180 quoting, UTF-8, comma-separated, " +
    "one header row) and as `<name>.parquet` (the same rows and columns with their types).",
    "",
    "- Times are UTC in ISO 8601 (`2026-11-20T23:56:29Z`, with milliseconds when the log had " +
    "them); days are UTC calendar days (`2026-11-20`).",
    "- An empty CSV cell (a null in Parquet) means unknown, never zero.",
    "- Percentages are 0–100, of the total whose key is known (an unknown country or network is " +
    "not a row; the summary counts it separately).",
    options.raw
      ? "- Written with `--raw-csv`: cells are exactly as in the logs. A cell starting with `=`, " +
        "`+`, `-` or `@` may run as a formula when opened in a spreadsheet."
      : "- User names, paths and other log text are chosen by attackers: a text cell starting " +
        "with `=`, `+`, `-`, `@`, tab or carriage return is written with a leading `'` so that " +
        "a spreadsheet shows it instead of running it (`--raw-csv` writes it as it is).",
    `- ${ATTEMPT_DEFINITION}`,
    "",
  ];
  for (const [stem, names] of Object.entries(columns) as [ExportName, readonly string[]][]) {
    const frame = EXPORT_FRAMES[stem];
    out.push(`## ${stem}.csv / ${stem}.parquet`, "", `${EXPORTS[stem]}.`, "");
    out.push("| column | description |", "| --- | --- |");
    for (const name of names) {
      const description = describeColumn(frame, name) ?? "(no description)";
      out.push(`| \`${mdCell(name)}\` | ${mdCell(description)} |`);
    }
    out.push("");
  }
  out.push(
    "## ips.geojson",
    "",
    "A GeoJSON FeatureCollection (RFC 7946, WGS 84 `[longitude, latitude]`) with one Point per " +
      "attacking IP that has coordinates. Properties:",
    "",
    "| property | description |",
    "| --- | --- |",
    ...Object.entries(GEOJSON_PROPERTY_DOCS).map(([name, text]) =>
      `| \`${name}\` | ${mdCell(text)} |`
    ),
    "",
  );
  return out.join("\n");
}

/**
 * Write the data files of `frames` into `dir` (created if needed): what the
 * notebooks' export step and `deno task analyse` both write.
 *
 * @example
 * ```ts ignore
 * import { exportFrames } from "./exports.ts";
 * const files = await exportFrames(frames, "data/out/notebooks/data");
 * ```
 */
export async function exportFrames(
  frames: Frames,
  dir: string,
  options: DataFileOptions = {},
): Promise<ExportedFile[]> {
  await Deno.mkdir(dir, { recursive: true });
  return (await writeDataFiles(frames, dir, options)).files;
}
