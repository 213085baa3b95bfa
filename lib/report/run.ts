/**
 * One complete analysis run, from log paths to a dated results folder: read
 * the logs, look up the IPs, build the frames, then write the data files
 * (CSV, Parquet, GeoJSON, columns.md), the charts (SVG, PNG), the summary
 * (text and JSON) and `report.html` into a staging folder that becomes
 * `YYYYMMDD-HHMMSS/` and the new `latest` only when everything is written
 * (lib/export/run_dir.ts). This is `deno task analyse` without the printing.
 *
 * Memory: the task (deno.json) runs with `MALLOC_ARENA_MAX=2` (fewer idle
 * malloc arenas for Polars' threads), `MALLOC_MMAP_THRESHOLD_=2097152`
 * (blocks of 2 MB and more, such as Polars' columns and resvg's pictures, are
 * mapped and unmapped, so freeing one gives it back to the system; glibc's
 * default threshold rises as such blocks are freed, after which they stay in
 * malloc's heap: 1m+1m peak 510–520 → 455–467 MB. Each mapping costs page
 * faults: at 1 MB the run took ~0.2 s more CPU than at 2 MB, whose peak was
 * ~8 MB higher; at 4 MB it came within a few MB of 500), V8's
 * `--max-semi-space-size=4` (a smaller young generation) and `--expose-gc`
 * (startChartFiles lets each PNG's pixels go; see lib/report/charts.ts).
 *
 * @module
 */
import { join, relative } from "node:path";
import type { Analysis, AnalysisParams, ExportedFile } from "../analysis.ts";
import { abandonRun, finishRun, type RunFolder, startRun } from "../export/run_dir.ts";
import {
  defaultProviders,
  type GeoSettings,
  openProviders,
  type ProviderName,
  readGeoSettings,
  secretsOf,
} from "../geo/config.ts";
import { createHttpClient, type HttpClient } from "../geo/http.ts";
import { DEFAULT_CACHE_DIR, lookupIps, type LookupProgress } from "../geo/lookup.ts";
import type { GeoProvider } from "../geo/types.ts";
import { discoverLogs, type LogFile } from "../logs/discover.ts";
import { readFoundLogs } from "../logs/load.ts";
import type { ChartFiles } from "./charts.ts";
import type { DataFiles } from "./exports.ts";
import type { ReportFile } from "./html.ts";
import type { ReportSummary } from "./summary.ts";

/**
 * The modules of the steps after reading (Polars, Plot, linkedom, resvg:
 * some 0.3 s to load), imported while the logs are read rather than before.
 */
async function importSteps() {
  const [frames, charts, exports, html, summary] = await Promise.all([
    import("../frames/mod.ts"),
    import("./charts.ts"),
    import("./exports.ts"),
    import("./html.ts"),
    import("./summary.ts"),
  ]);
  return { ...frames, ...charts, ...exports, ...html, ...summary };
}

/** Options of {@linkcode runAnalysis}. */
export interface RunOptions {
  /** Log folders or files. */
  logs: readonly string[];
  /** Folder of the dated run folders and `latest`. */
  out: string;
  /** Zone of stamps without one. @default this machine's zone */
  timeZone?: string;
  /** Year of the first syslog stamp of every file. @default inferred per file */
  year?: number;
  /** Geo providers in priority order. @default maxmind-db if found, dbip, asn */
  providers?: readonly ProviderName[];
  /** MaxMind database files, besides those found or configured. */
  mmdb?: readonly string[];
  /** Never touch the network. @default false */
  offline?: boolean;
  /** Geo cache folder. @default data/cache */
  cacheDir?: string;
  /** Paid queries this run may send. @default unlimited */
  maxQueries?: number;
  /** Your countries (ISO codes) and AS numbers, for the false-positive check. */
  friendlyCountries?: readonly string[];
  friendlyNetworks?: readonly number[];
  /** CSV cells as they are (no formula neutralisation). @default false */
  raw?: boolean;
  /** Rows of the text summary's top lists. @default 10 */
  top?: number;
  /** Rows of the report's tables. @default 100 */
  tableRows?: number;
  /** Geo settings (keys, database paths). @default read from the environment and config file */
  geoSettings?: GeoSettings;
  /** The run's time (names the folder). @default now */
  now?: Date;
  /** Progress of the long steps. */
  onProgress?: (progress: RunProgress) => void;
  /** Aborting stops the run at the next step; nothing is published. */
  signal?: AbortSignal;
}

/** Progress of a run. */
export type RunProgress =
  | { step: "read"; file: string; index: number; total: number }
  | { step: "lookup"; lookup: LookupProgress }
  | { step: "frames" | "exports" | "charts" | "report" | "publish" };

/** What {@linkcode runAnalysis} produced. */
export interface RunResult {
  /** The published run folder (`<out>/YYYYMMDD-HHMMSS`). */
  folder: string;
  /** `<out>/latest`, now pointing at `folder`. */
  latest: string;
  summary: ReportSummary;
  /** The summary as text (summary.txt). */
  summaryText: string;
  /** Every file written, relative to the run folder. */
  files: ReportFile[];
  /**
   * What was analysed. Its events were let go once the frames were built
   * (`releaseEvents`): `analysis.logs.store` is empty, and
   * `analysis.frames.events` and `.attempts` throw; the other frames are there.
   * The logs were read without per-IP statistics: `analysis.logs.summary`
   * has the totals, and empty `topIps` and `bannedAndAccepted` (the `ips`
   * frame has them).
   */
  analysis: Analysis;
}

/** No log could be found, or a named path cannot be read. */
export class NoLogsError extends Error {
  override name = "NoLogsError";
}

/** The output folder cannot be written. */
export class OutputError extends Error {
  override name = "OutputError";
}

/** What {@linkcode findLogs} found. */
export interface FoundLogs {
  files: LogFile[];
  problems: { path: string; reason: string }[];
}

/**
 * The log files under `paths`.
 *
 * @throws {NoLogsError} when a named path cannot be read, or nothing is found
 */
export async function findLogs(paths: readonly string[]): Promise<FoundLogs> {
  const { files, problems } = await discoverLogs([...paths]);
  const unusable = problems.filter((p) => paths.includes(p.path));
  if (unusable.length > 0) {
    throw new NoLogsError(
      unusable.map((p) => `Cannot read ${p.path}: ${p.reason}`).join("\n"),
    );
  }
  if (files.length === 0) {
    throw new NoLogsError(
      `No logs found in ${paths.join(", ")}: expected fail2ban.log*, auth.log*, secure*, ` +
        `journal*.json, apache2/, httpd/ or nginx/ access*/error*, or fail2ban.sqlite3${
          problems.length ? `\n${problems.map((p) => `  ${p.path}: ${p.reason}`).join("\n")}` : ""
        }`,
    );
  }
  return { files, problems };
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * Run the whole analysis into a new dated folder under `options.out` and
 * point `latest` at it.
 *
 * @example
 * ```ts ignore
 * import { runAnalysis } from "./run.ts";
 * const run = await runAnalysis({ logs: ["/var/log"], out: "data/out", offline: true });
 * console.log(run.folder, run.summary.totals.attempts);
 * ```
 *
 * @throws {NoLogsError} when no log can be found
 * @throws {OutputError} when the output folder cannot be written
 */
export async function runAnalysis(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const progress = options.onProgress ?? (() => {});
  const settings = options.geoSettings ?? readGeoSettings();
  if (options.mmdb) settings.maxmindDatabases.push(...options.mmdb);
  const providerNames = [...(options.providers ?? defaultProviders(settings))];
  const found = await findLogs(options.logs);
  const providers = openProviders(providerNames, settings);
  const closeProviders = () => {
    for (const p of providers) if (p.kind === "offline") p.close();
  };
  let run: RunFolder;
  let exporting: Promise<DataFiles> | undefined;
  let attemptsWriting: Promise<unknown> | undefined;
  let chartFiles: ChartFiles | undefined;
  try {
    run = await startRun(options.out, now);
  } catch (error) {
    closeProviders();
    throw new OutputError(
      `Cannot write to ${options.out}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    options.signal?.throwIfAborted();
    // read (the later files on a second thread), while the modules of the
    // later steps load
    let t = performance.now();
    let stepsLoading: ReturnType<typeof importSteps> | undefined;
    const logs = await readFoundLogs(found, {
      timeZone: options.timeZone,
      year: options.year,
      top: options.top ?? 10,
      // (the frames count per IP; the report uses the read's totals only)
      perIp: false,
      onFile: (file, index, total) => progress({ step: "read", file: file.path, index, total }),
      onStarted: (parallel) => {
        // (after the worker starts: loading first would hold it back; with
        // no worker, after reading, which then times the reading alone)
        if (!parallel) return;
        stepsLoading = importSteps();
        stepsLoading.catch(() => {}); // awaited below; never unhandled meanwhile
      },
    });
    const parseSeconds = seconds(t);
    const {
      analyseEvents,
      attemptTable,
      buildChartsInTurns,
      buildReportSummary,
      framesOf,
      releaseEvents,
      renderReportHtml,
      renderReportSummary,
      startAttemptsFiles,
      startChartFiles,
      topIps,
      topRows,
      writeDataFiles,
    } = await (stepsLoading ?? importSteps());
    options.signal?.throwIfAborted();

    // look up
    t = performance.now();
    const lookup = await lookIpsUp(logs.store.dictionaries.ip.values, providers, settings, options);
    const lookupSeconds = seconds(t);
    options.signal?.throwIfAborted();

    // frames; the attempts (the largest data file by far) are written on
    // Polars' threads from as soon as they are known, while the rest is built
    progress({ step: "frames" });
    t = performance.now();
    const eventAnalysis = analyseEvents(logs.store, lookup.details);
    const exportsStarted = performance.now(); // the data files' time counts from here
    const attemptsFiles = startAttemptsFiles(
      { attempts: attemptTable(eventAnalysis) },
      run.staging,
      { raw: options.raw },
    );
    attemptsWriting = attemptsFiles.done;
    attemptsWriting.catch(() => {}); // awaited below; never unhandled meanwhile
    const frames = framesOf(eventAnalysis);
    // every frame and the attempts table are built: the events (some 70 MB
    // a million) go now rather than at the end of the run
    releaseEvents(eventAnalysis);
    const params: AnalysisParams = {
      logs: [...options.logs],
      providers: providerNames,
      offline: options.offline ?? false,
      cacheDir: options.cacheDir,
      timeZone: options.timeZone,
      year: options.year,
      friendlyCountries: [...(options.friendlyCountries ?? [])],
      friendlyNetworks: [...(options.friendlyNetworks ?? [])],
      out: options.out,
    };
    const analysis: Analysis = {
      params,
      logs,
      lookup,
      frames,
      timings: { parse: parseSeconds, lookup: lookupSeconds, frames: seconds(t) },
    };
    options.signal?.throwIfAborted();

    // data files; the other tables are written here before the first await,
    // the attempts go on on Polars' threads
    progress({ step: "exports" });
    exporting = writeDataFiles(frames, run.staging, {
      raw: options.raw,
      attempts: attemptsFiles,
    });
    let exportSeconds = 0;
    exporting.then(() => exportSeconds = seconds(exportsStarted), () => {});

    // charts, drawn while Polars writes the attempts: it leaves part of the
    // second core idle, and nothing of the attempts' writing needs this
    // thread; the world map's PNG is drawn on resvg's thread from when the
    // map is drawn, while this one draws the other charts and their PNGs
    progress({ step: "charts" });
    t = performance.now();
    const attribution = lookup.attributions.join("\n");
    const chartDir = join(run.staging, "charts");
    await Deno.mkdir(chartDir);
    const chartsWriting = chartFiles = startChartFiles(chartDir);
    const charts = await buildChartsInTurns(frames, { attribution }, {
      onChart: (chart) => chartsWriting.add(chart),
    });
    const written: ExportedFile[] = await chartsWriting.done();
    const chartSeconds = seconds(t);
    const data = await exporting;
    options.signal?.throwIfAborted();

    // summary and report
    progress({ step: "report" });
    t = performance.now();
    const summary = buildReportSummary(analysis, {
      top: options.top ?? 10,
      generatedAt: now,
      seconds: { charts: chartSeconds },
      providers: providerNames,
    });
    const tableRows = options.tableRows ?? 100;
    const tables = { ips: topIps(frames.ips, tableRows), ...topRows(analysis, tableRows) };
    const reportSeconds = seconds(t);
    written.unshift(...data.files);
    summary.seconds.exports = exportSeconds;
    options.signal?.throwIfAborted();
    t = performance.now();
    const files: ReportFile[] = [
      { path: "report.html", what: "this report" },
      { path: "summary.txt", what: "the summary as text" },
      { path: "summary.json", what: "the summary as JSON" },
      { path: "README.txt", what: "what each file is" },
      ...written.map((f) => ({
        path: relative(run.staging, f.path),
        what: f.what,
        ...(f.rows > 0 ? { rows: f.rows } : {}),
      })),
    ];
    summary.seconds.report = reportSeconds + seconds(t);
    summary.seconds.total = seconds(started);
    const summaryText = renderReportSummary(summary);
    const html = renderReportHtml({
      summary,
      summaryText,
      tables,
      charts: charts.charts,
      map: charts.map,
      files,
    });
    await Deno.writeTextFile(join(run.staging, "report.html"), html);
    await Deno.writeTextFile(join(run.staging, "summary.txt"), summaryText);
    await Deno.writeTextFile(
      join(run.staging, "summary.json"),
      JSON.stringify(summary, null, 2) + "\n",
    );
    await Deno.writeTextFile(join(run.staging, "README.txt"), folderReadme(files, summary));
    options.signal?.throwIfAborted();

    progress({ step: "publish" });
    options.signal?.throwIfAborted();
    const folder = await finishRun(run);
    return {
      folder,
      latest: join(options.out, "latest"),
      summary,
      summaryText,
      files,
      analysis,
    };
  } catch (error) {
    // let Polars and resvg finish with the folder before it goes
    await Promise.all([
      exporting?.catch(() => {}),
      attemptsWriting?.catch(() => {}),
      chartFiles?.done().catch(() => {}),
    ]);
    await abandonRun(run);
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new OutputError(`Cannot write to ${options.out}: ${error.message}`, { cause: error });
    }
    throw error;
  } finally {
    closeProviders();
  }
}

/** Look up every IP with the opened providers (cache first; see lib/geo/lookup.ts). */
function lookIpsUp(
  ips: readonly string[],
  providers: GeoProvider[],
  settings: GeoSettings,
  options: RunOptions,
) {
  const clients: HttpClient[] = [];
  const secrets = secretsOf(settings);
  return lookupIps(ips, {
    providers,
    cacheDir: options.cacheDir ?? DEFAULT_CACHE_DIR,
    offline: options.offline ?? false,
    signal: options.signal,
    onProgress: (lookup) => options.onProgress?.({ step: "lookup", lookup }),
    client: (provider) => {
      // one budget of paid queries for the whole run, shared by the paid providers
      const spent = clients.reduce((sum, c) => sum + c.stats.paidQueries, 0);
      const client = createHttpClient({
        secrets,
        signal: options.signal,
        ...(provider.paid && options.maxQueries !== undefined
          ? { maxQueries: Math.max(0, options.maxQueries - spent) }
          : {}),
      });
      clients.push(client);
      return client;
    },
  });
}

/** README.txt of a run folder: what each file is. */
export function folderReadme(files: readonly ReportFile[], summary: ReportSummary): string {
  const width = Math.max(...files.map((f) => f.path.length));
  return [
    "jailbook results",
    "",
    `Logs from ${summary.period.first ?? "?"} to ${summary.period.last ?? "?"} (UTC), ` +
    `analysed ${summary.generatedAt}.`,
    "Open report.html in a browser (it works from disk and loads nothing from the network).",
    "columns.md describes every column of the CSV and Parquet files.",
    "",
    ...files.map((f) =>
      `${f.path.padEnd(width)}  ${f.what}${f.rows !== undefined ? ` (${f.rows} rows)` : ""}`
    ),
    "",
    ...summary.geo.attributions,
    "",
  ].join("\n");
}
