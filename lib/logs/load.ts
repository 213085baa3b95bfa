/**
 * One call from log paths to columnar events plus the summary: what notebooks
 * and the analyse command start with.
 *
 * Large log sets are read on two threads: the later files (whole rotation
 * sets, so that each set's years are inferred as one) in a worker
 * (lib/logs/read_worker.ts), the earlier ones here, and the worker's events
 * and per-IP statistics are then added after this thread's — the same
 * events, in the same order, as reading everything here.
 *
 * @module
 */
import { discoverLogs, type DiscoveryProblem, type LogFile } from "./discover.ts";
import { parseFiles, type ParseOptions, type ParseReport } from "./pipeline.ts";
import { EventStore, type StoreData, storeDataBuffers } from "./store.ts";
import { summarize, SummaryAggregator, type SummaryData, type SummaryState } from "./summary.ts";
import { Tee } from "./jsonl.ts";
import { defaultTimeZone } from "./time.ts";

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
   * Read the later files on a second thread: always (`true`, when there are
   * two rotation sets or more), never, or `"auto"`: when the machine has two
   * cores or more and that thread's share is large enough to pay for its
   * start (some 30 MB of logs).
   * @default "auto"
   */
  parallel?: boolean | "auto";
  /**
   * Called once the worker (if any: `parallel` says) has been started,
   * before this thread reads its part: what is begun here (an `import()`,
   * say) goes on while this thread waits for the worker.
   */
  onStarted?: (parallel: boolean) => void;
  /**
   * Count per-IP statistics for the summary (`topIps`, `bannedAndAccepted`).
   * Without them those are empty — the store has every event, and the frames
   * count per IP — and reading costs less. @default true
   */
  perIp?: boolean;
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
  return readFoundLogs(await discoverLogs(paths), options);
}

/** Parse logs already discovered (`discoverLogs`): {@linkcode readLogs} after its discovery. */
export async function readFoundLogs(
  found: { files: LogFile[]; problems: DiscoveryProblem[] },
  options: ReadLogsOptions = {},
): Promise<LoadedLogs> {
  const { files, problems } = found;
  const parseOptions: ParseOptions = {
    timeZone: options.timeZone ?? defaultTimeZone(),
    year: options.year,
    maxLineBytes: options.maxLineBytes,
  };
  const split = splitFor(files, options.parallel ?? "auto");
  const perIp = options.perIp ?? true;
  const mine = files.slice(0, split);
  const theirs = files.slice(split);
  // the worker starts first: this thread's part is read synchronously
  const other = theirs.length > 0
    ? readInWorker(theirs, parseOptions, perIp, (index) => {
      options.onFile?.(theirs[index], split + index, files.length);
    })
    : undefined;
  options.onStarted?.(other !== undefined);
  let read: Awaited<ReturnType<typeof readInto>>;
  try {
    read = await readInto(mine, {
      ...parseOptions,
      onFile: (file, index) => options.onFile?.(file, index, files.length),
    }, perIp);
  } catch (error) {
    other?.catch(() => {}); // (its worker ends by itself)
    throw error;
  }
  const { store, aggregator, report } = read;
  if (other !== undefined) {
    const part = await other;
    store.append(part.store);
    aggregator.merge(part.summary);
    // their memory goes now, not whenever the garbage collector gets to it
    for (const buffer of partBuffers(part)) buffer.transfer(0);
    report.files.push(...part.report.files);
  }
  const summary = summarize(aggregator, report, problems, options.top ?? 10);
  // (every IP of an event is in the store's dictionary)
  if (!perIp) summary.uniqueIps = store.dictionaries.ip.size;
  return { files, problems, store, report, summary };
}

/** Bytes a second thread must have to read (weighted, see below) before it is worth starting. */
const PARALLEL_BYTES = 30_000_000;

/**
 * What reading a file costs, in the bytes of a plain syslog file read in the
 * same time: fail2ban.log reads at about 2/3 of the speed, the line-by-line
 * formats (web logs, journal JSON) at about 1/3; gzip about doubles it.
 */
function readCost(file: LogFile): number {
  const weight = file.format === "syslog" ? 1 : file.format === "fail2ban" ? 1.6 : 3;
  return file.size * weight * (file.gzip ? 2 : 1);
}

/**
 * Where the files are split between this thread (before) and a worker
 * (from there on): at the start of a rotation set, as evenly as the costs
 * allow; `files.length` when everything is read here.
 */
export function splitFor(files: readonly LogFile[], parallel: boolean | "auto"): number {
  if (parallel === false || files.length < 2) return files.length;
  if (parallel === "auto" && (navigator.hardwareConcurrency ?? 1) < 2) return files.length;
  const costs = files.map(readCost);
  const total = costs.reduce((a, b) => a + b, 0);
  let best = files.length, bestCost = Infinity, before = 0;
  for (let i = 1; i < files.length; i++) {
    before += costs[i - 1];
    if (files[i].group === files[i - 1].group) continue;
    const after = total - before;
    // the worker's start costs about what 20 MB of syslog does
    const cost = Math.max(before, after + 20_000_000);
    if (cost < bestCost && (parallel === true || after >= PARALLEL_BYTES)) {
      best = i;
      bestCost = cost;
    }
  }
  // not worth a thread unless both take a real share
  if (parallel === "auto" && best < files.length && bestCost >= total) return files.length;
  return best;
}

/** What one thread read: its files' reports, events and statistics. */
export interface PartRead {
  report: ParseReport;
  store: StoreData;
  summary: SummaryState;
}

/**
 * Read `files` (whole rotation sets) into a store and an aggregator of their
 * own, as plain data for {@linkcode EventStore.append} and
 * {@linkcode SummaryAggregator.merge}: what the worker does.
 */
export async function readPart(
  files: readonly LogFile[],
  options: ParseOptions,
  perIp = true,
): Promise<PartRead> {
  const { report, store, aggregator } = await readInto(files, options, perIp);
  return { report, store: store.export(), summary: aggregator.export() };
}

/** Read `files` into a new store and summary aggregator. */
async function readInto(files: readonly LogFile[], options: ParseOptions, perIp: boolean) {
  const store = new EventStore();
  store.files = files.map((f) => f.path);
  const aggregator = new SummaryAggregator({ perIp });
  const report = await parseFiles(files, new Tee(store, aggregator), options);
  return { report, store, aggregator };
}

/** The buffers of `part`: its transfer list. */
export function partBuffers(part: PartRead): ArrayBuffer[] {
  const s = part.summary;
  return [
    ...storeDataBuffers(part.store),
    ...[s.kinds, s.numbers, s.kindCounts, s.pairs].map((a) => a.buffer as ArrayBuffer),
  ];
}

/** What lib/logs/read_worker.ts is sent. */
export interface WorkerRequest {
  files: LogFile[];
  options: ParseOptions;
  perIp: boolean;
}

/** Messages of lib/logs/read_worker.ts. */
export type WorkerMessage =
  | { type: "file"; index: number }
  | { type: "done"; part: PartRead }
  | { type: "error"; message: string };

/**
 * Read `files` in a worker; should the worker fail to start or die, they
 * are read on this thread instead (nothing is lost, only the time).
 */
function readInWorker(
  files: LogFile[],
  options: ParseOptions,
  perIp: boolean,
  onFile: (index: number) => void,
): Promise<PartRead> {
  const here = () => readPart(files, { ...options, onFile: (_f, index) => onFile(index) }, perIp);
  let worker: Worker;
  try {
    worker = new Worker(new URL("./read_worker.ts", import.meta.url).href, { type: "module" });
  } catch {
    return here();
  }
  return new Promise<PartRead>((resolve, reject) => {
    const fallBack = () => {
      worker.terminate();
      here().then(resolve, reject);
    };
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      const message = event.data;
      if (message.type === "file") onFile(message.index);
      else if (message.type === "done") {
        worker.terminate();
        resolve(message.part);
      } else fallBack();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      fallBack();
    };
    worker.onmessageerror = () => fallBack();
    worker.postMessage({ files, options, perIp } satisfies WorkerRequest);
  });
}
