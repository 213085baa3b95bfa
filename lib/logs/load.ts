/**
 * One call from log paths to columnar events plus the summary: what notebooks
 * and the analyse command start with.
 *
 * @module
 */
import { discoverLogs, type DiscoveryProblem, type LogFile } from "./discover.ts";
import { parseFiles, type ParseOptions, type ParseReport } from "./pipeline.ts";
import type { EventRecords, ParsedEvent } from "./types.ts";
import { defaultTimeZone } from "./time.ts";
import type { LoadJob, LoadResult } from "./load_worker.ts";
import { EventStore } from "./store.ts";
import { summarize, SummaryAggregator, type SummaryData } from "./summary.ts";
import { Tee } from "./jsonl.ts";

/** What {@linkcode readLogs} returns. */
export interface LoadedLogs {
  files: LogFile[];
  /** Paths that could not be used (missing, unreadable, unknown format). */
  problems: DiscoveryProblem[];
  /** Every event, in columns. */
  store: EventStore;
  report: ParseReport;
  /** The parse summary (files, totals, top IPs, bad lines). */
  summary: SummaryData;
}

/** Options of {@linkcode readLogs}. */
export interface ReadLogsOptions extends ParseOptions {
  /** IPs in the summary's top list. @default 10 */
  top?: number;
  /**
   * fail2ban logs at the end of the file list, together at least this large,
   * are read by a worker thread while the other files are read here (both
   * cores busy). @default 16 MiB
   */
  parallelBytes?: number;
}

/** See {@linkcode ReadLogsOptions.parallelBytes}. */
const PARALLEL_BYTES = 16 << 20;

/**
 * Where the files a worker reads begin: the fail2ban logs at the end of the
 * list (they need no year inference), when they are large enough and are not
 * all there is; undefined for none.
 */
function workerShare(files: readonly LogFile[], bytes: number): number | undefined {
  let start = files.length;
  let size = 0;
  while (start > 0 && files[start - 1].format === "fail2ban") size += files[--start].size;
  return start > 0 && start < files.length && size >= bytes ? start : undefined;
}

/** Read `files` in a worker thread; undefined when it failed. */
function readInWorker(job: LoadJob): Promise<LoadResult | undefined> {
  const worker = new Worker(new URL("./load_worker.ts", import.meta.url), { type: "module" });
  return new Promise<LoadResult | undefined>((resolve) => {
    worker.onmessage = (e: MessageEvent<LoadResult | { error: string }>) =>
      resolve("error" in e.data ? undefined : e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      resolve(undefined);
    };
    worker.postMessage(job);
  }).finally(() => worker.terminate());
}

/**
 * Discover and parse the logs under `paths` (files or directories).
 *
 * @example
 * ```ts ignore
 * import { readLogs } from "./load.ts";
 * const { store, summary } = await readLogs(["data/sample"], { timeZone: "UTC" });
 * console.log(store.length, summary.uniqueIps);
 * ```
 */
export async function readLogs(
  paths: readonly string[],
  options: ReadLogsOptions = {},
): Promise<LoadedLogs> {
  const { files, problems } = await discoverLogs(paths);
  const store = new EventStore();
  store.files = files.map((f) => f.path);
  const aggregator = new SummaryAggregator();
  const consumer = new Tee(store, aggregator);
  const split = workerShare(files, options.parallelBytes ?? PARALLEL_BYTES);
  let report: ParseReport;
  if (split === undefined) report = await parseFiles(files, consumer, options);
  else {
    const mine = files.slice(0, split), theirs = files.slice(split);
    const timeZone = options.timeZone ?? defaultTimeZone();
    theirs.forEach((file, i) => options.onFile?.(file, split + i, files.length));
    const other = readInWorker({
      files: theirs,
      timeZone,
      year: options.year,
      maxLineBytes: options.maxLineBytes,
    });
    const first = await parseFiles(mine, consumer, {
      ...options,
      timeZone,
      onFile: options.onFile && ((file, i) => options.onFile!(file, i, files.length)),
    });
    let rest = await other;
    if (rest !== undefined) {
      // their events come after these, as when one thread reads every file in order
      store.appendRows(rest.rows, split);
      aggregator.mergeState(rest.state);
    } else {
      // the worker failed: read them here, their file numbers after these
      const shifted = {
        add: (e: ParsedEvent, t: number, f: number, l: number) => consumer.add(e, t, f + split, l),
        addRecords: (r: EventRecords, f: number) => consumer.addRecords(r, f + split),
      };
      rest = { report: await parseFiles(theirs, shifted, { ...options, timeZone }) } as LoadResult;
    }
    report = { files: [...first.files, ...rest.report.files], timeZone: first.timeZone };
  }
  return {
    files,
    problems,
    store,
    report,
    summary: summarize(aggregator, report, problems, options.top ?? 10),
  };
}
