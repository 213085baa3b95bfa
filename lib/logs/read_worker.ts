/**
 * The worker of {@linkcode readLogs} (lib/logs/load.ts): reads the files it
 * is sent and posts back their reports, events and per-IP statistics, the
 * columns' buffers transferred (not copied).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { partBuffers, readPart, type WorkerMessage, type WorkerRequest } from "./load.ts";

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const { files, options, perIp } = event.data;
  const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) =>
    self.postMessage(message, transfer);
  try {
    const part = await readPart(files, {
      ...options,
      onFile: (_file, index) => post({ type: "file", index }),
    }, perIp);
    post({ type: "done", part }, partBuffers(part));
  } catch (error) {
    post({ type: "error", message: String((error as Error)?.stack ?? error) });
  }
};
