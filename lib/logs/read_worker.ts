/**
 * The worker of {@linkcode readLogs} (lib/logs/load.ts): reads the files it
 * is sent and posts back their reports, events and per-IP statistics, the
 * columns' buffers transferred (not copied).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { LogFile } from "./discover.ts";
import { partBuffers, readPart, type WorkerMessage } from "./load.ts";
import type { ParseOptions } from "./pipeline.ts";

self.onmessage = async (event: MessageEvent<{ files: LogFile[]; options: ParseOptions }>) => {
  const { files, options } = event.data;
  const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) =>
    self.postMessage(message, transfer);
  try {
    const part = await readPart(files, {
      ...options,
      onFile: (_file, index) => post({ type: "file", index }),
    });
    post({ type: "done", part }, partBuffers(part));
  } catch (error) {
    post({ type: "error", message: String((error as Error)?.stack ?? error) });
  }
};
