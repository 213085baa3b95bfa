/**
 * The worker thread of {@linkcode readLogs}: reads the files it is given
 * (fail2ban logs, which need no year inference) into an event store and a
 * summary of its own while the main thread reads the others, and sends back
 * their reports, rows and summary, which the main thread appends to its own.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { LogFile } from "./discover.ts";
import { parseFiles, type ParseReport } from "./pipeline.ts";
import { EventStore, type StoreRows } from "./store.ts";
import { MAX_USERS_PER_IP, SummaryAggregator, type SummaryState } from "./summary.ts";
import { Tee } from "./jsonl.ts";

/** What the worker is asked to read. */
export interface LoadJob {
  files: LogFile[];
  timeZone: string;
  year?: number;
  maxLineBytes?: number;
}

/** What it sends back (or `{ error }`). */
export interface LoadResult {
  report: ParseReport;
  rows: StoreRows;
  state: SummaryState;
}

self.onmessage = async (e: MessageEvent<LoadJob>) => {
  try {
    const { files, ...options } = e.data;
    const store = new EventStore();
    // twice the users kept: the summary that merges this one still finds its first MAX_USERS_PER_IP
    const aggregator = new SummaryAggregator(2 * MAX_USERS_PER_IP);
    const report = await parseFiles(files, new Tee(store, aggregator), options);
    const rows = store.exportRows();
    const state = aggregator.exportState();
    const arrays = [
      ...Object.values(rows.columns),
      state.kinds,
      state.totals,
      state.numbers,
      state.kindCounts,
      state.pairs,
    ];
    const result: LoadResult = { report, rows, state };
    self.postMessage(result, { transfer: arrays.map((a) => a!.buffer as ArrayBuffer) });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
