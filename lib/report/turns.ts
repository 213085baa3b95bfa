/**
 * Turns of the event loop inside a long synchronous stretch of the run.
 *
 * The attempts' files are written on Polars' threads while this thread
 * builds the other frames, files and charts (lib/report/run.ts), but Polars
 * hands a finished query back through the event loop: the second sink,
 * started when the first settles, waited for this thread to finish what it
 * was doing (1m+1m: Polars idle 0.25–0.75 s between the two sinks, measured
 * from the first file's modification time). Awaiting {@linkcode nextTurn}
 * between steps lets such completions in (since then 0.04 s).
 *
 * @module
 */
import { setImmediate } from "node:timers";

/**
 * Settles in the event loop's next turn (after what other threads have
 * handed back is taken up): about 10 µs, where `setTimeout(0)` takes 1–2 ms.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
