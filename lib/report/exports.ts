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
 * goes on, 200,000 rows per query (CSV) and 400,000 (Parquet): a query holds
 * its rows as text while it runs, and all of a million rows would take
 * several hundred megabytes.
 *
 * @module
 */
import pl from "nodejs-polars";
import { join } from "node:path";
import { type ExportedFile, EXPORTS, GEOJSON_PROPERTIES, ipsGeoJson } from "../analysis.ts";
import { validateGeoJson } from "../export/geojson.ts";
import {
  ATTEMPT_DEFINITION,
  type AttemptTable,
  describeColumn,
  type FrameName,
  type Frames,
  writeCsv,
  writeParquet,
} from "../frames/mod.ts";

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
 * Attempts written per query. A query holds its rows whole while they are
 * written (about 250 bytes a row as CSV text), so a million attempts go in
 * batches instead of at once.
 */
const ATTEMPT_BATCH_ROWS = 200_000;
/**
 * Attempts per query of `attempts.parquet`: its writer takes the queries in
 * turn, and larger batches cost less time (measured on a million attempts:
 * 400k rows 0.6 s and 60 MB more, 200k 0.9 s and 50 MB, all at once 0.55 s
 * and 120 MB).
 */
const ATTEMPT_PARQUET_BATCH_ROWS = 400_000;
/** Rows per row group of `attempts.parquet` (the writer holds one group at a time). */
const ATTEMPT_ROW_GROUP = 65_536;
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
 * unless `raw`).
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
  const write = async (): Promise<ExportedFile[]> => {
    await writeAttemptsCsv(attempts, csv, options.raw ?? false);
    if (!(options.parquet ?? true)) return [{ path: csv, rows, what: EXPORTS.attempts }];
    await writeAttemptsParquet(attempts, parquet);
    return [
      { path: csv, rows, what: EXPORTS.attempts },
      { path: parquet, rows, what: EXPORTS.attempts },
    ];
  };
  return { columns: [...attempts.columns], rows, done: write() };
}

/**
 * Queries of `attempts.csv` running at once. Two: Polars writes the next
 * batch while this thread, which appends the parts and starts the queries,
 * is busy elsewhere (drawing charts) and cannot start it yet.
 */
const ATTEMPT_CSV_QUERIES = 2;

/**
 * `attempts.csv`, a batch of rows at a time: Polars writes each batch to a
 * part file on its threads (the times are text already, formula-like text
 * neutralised unless `raw`), and the parts are appended in order here.
 */
async function writeAttemptsCsv(attempts: AttemptTable, path: string, raw: boolean) {
  const batches = Math.max(1, Math.ceil(attempts.height / ATTEMPT_BATCH_ROWS));
  const partOf = (batch: number) => `${path}.${batch % (ATTEMPT_CSV_QUERIES + 1)}.part`;
  const write = (batch: number) => {
    const written = attempts.query({
      csv: true,
      neutralizeFormulas: !raw,
      offset: batch * ATTEMPT_BATCH_ROWS,
      length: ATTEMPT_BATCH_ROWS,
    }).sinkCSV(partOf(batch), {
      includeHeader: batch === 0,
      lineTerminator: "\n",
      quoteStyle: "necessary",
      nullValue: "",
    }).collect(ATTEMPT_SINK);
    written.catch(() => {}); // awaited in turn below; never unhandled meanwhile
    return written;
  };
  // written under another name and renamed when complete: a failed write
  // leaves the previous attempts.csv as it was (exportFrames writes in place)
  const temporary = `${path}.writing`;
  const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
  const buffer = new Uint8Array(1 << 22);
  const writing: Promise<unknown>[] = [];
  let complete = false;
  try {
    for (let batch = 0; batch < Math.min(ATTEMPT_CSV_QUERIES, batches); batch++) {
      writing.push(write(batch));
    }
    for (let batch = 0; batch < batches; batch++) {
      await writing[batch];
      if (batch + ATTEMPT_CSV_QUERIES < batches) writing.push(write(batch + ATTEMPT_CSV_QUERIES));
      using part = await Deno.open(partOf(batch));
      for (let n; (n = await part.read(buffer)) !== null;) {
        for (let done = 0; done < n;) done += await file.write(buffer.subarray(done, n));
      }
      await Deno.remove(partOf(batch));
    }
    complete = true;
  } catch (error) {
    await Promise.allSettled(writing); // Polars is done with the folder before it may go
    for (let part = 0; part <= ATTEMPT_CSV_QUERIES; part++) {
      await Deno.remove(partOf(part)).catch(() => {}); // (not written, or removed already)
    }
    throw new Error(`Cannot write ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    file.close();
    if (!complete) await Deno.remove(temporary).catch(() => {});
  }
  await Deno.rename(temporary, path);
}

/**
 * `attempts.parquet`, from one query per batch: the Parquet writer takes them
 * in turn, so Polars holds one batch (and one row group) at a time.
 */
async function writeAttemptsParquet(attempts: AttemptTable, path: string) {
  const batches: pl.LazyDataFrame[] = [];
  for (let offset = 0; batches.length === 0 || offset < attempts.height;) {
    batches.push(attempts.query({ offset, length: ATTEMPT_PARQUET_BATCH_ROWS }));
    offset += ATTEMPT_PARQUET_BATCH_ROWS;
  }
  // under another name until complete, as attempts.csv
  const temporary = `${path}.writing`;
  try {
    await pl.concat(batches, { how: "vertical", rechunk: false, parallel: false })
      .sinkParquet(temporary, { compression: "zstd", rowGroupSize: ATTEMPT_ROW_GROUP })
      .collect(ATTEMPT_SINK);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw new Error(`Cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Write `<stem>.csv` and `<stem>.parquet` for every export, `ips.geojson`
 * and `columns.md` into `dir` (which must exist). The attempts (the largest
 * file by far) are written on Polars' threads while the rest is written here,
 * and the caller may do other work until the promise settles: everything
 * before its first `await` happens synchronously.
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
