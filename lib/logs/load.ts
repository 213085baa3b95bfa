/**
 * One call from log paths to columnar events plus the summary: what notebooks
 * and the analyse command start with.
 *
 * @module
 */
import { discoverLogs, type DiscoveryProblem, type LogFile } from "./discover.ts";
import { parseFiles, type ParseOptions, type ParseReport } from "./pipeline.ts";
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
  const report = await parseFiles(files, new Tee(store, aggregator), options);
  return {
    files,
    problems,
    store,
    report,
    summary: summarize(aggregator, report, problems, options.top ?? 10),
  };
}
