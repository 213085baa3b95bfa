/**
 * A one-line progress bar on stderr: count, rate, ETA, cache hits. Drawn only
 * on a terminal (silent when stderr is a file or pipe, e.g. under cron), and
 * at most ten times a second.
 *
 * @module
 */

/** Options of {@linkcode createProgressBar}. */
export interface ProgressOptions {
  /** Where to draw. @default Deno.stderr */
  stream?: { writeSync(bytes: Uint8Array): number; isTerminal(): boolean };
  /** Draw even when the stream is not a terminal (tests). @default false */
  force?: boolean;
  /** The clock, ms. @default performance.now */
  now?: () => number;
  /** Bar width in characters. @default 24 */
  width?: number;
}

/** A progress bar; `update` as work advances, `done` at the end. */
export interface ProgressBar {
  update(
    state: { label: string; done: number; total: number; cached?: number; failed?: number },
  ): void;
  /** Clear the line. */
  done(): void;
  /** True when it draws anything. */
  readonly active: boolean;
}

/** Seconds as `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}`
    : `${m}:${String(r).padStart(2, "0")}`;
}

/** The text of one progress line (without control characters). */
export function progressLine(
  state: { label: string; done: number; total: number; cached?: number; failed?: number },
  elapsedSeconds: number,
  width = 24,
): string {
  const { label, done, total } = state;
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const eta = rate > 0 ? (total - done) / rate : NaN;
  const parts = [
    `${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${
      Math.floor(fraction * 100)
    }%`,
    `${rate.toFixed(rate < 10 ? 1 : 0)}/s`,
    `ETA ${formatDuration(eta)}`,
  ];
  if (state.cached) parts.push(`cache ${state.cached}`);
  if (state.failed) parts.push(`failed ${state.failed}`);
  return parts.join("  ");
}

/** Make a progress bar. */
export function createProgressBar(options: ProgressOptions = {}): ProgressBar {
  const stream = options.stream ?? Deno.stderr;
  const active = options.force || stream.isTerminal();
  const now = options.now ?? (() => performance.now());
  const encoder = new TextEncoder();
  const started = now();
  let last = -Infinity;
  let drawn = false;
  return {
    active,
    update(state) {
      if (!active) return;
      const t = now();
      if (t - last < 100 && state.done < state.total) return;
      last = t;
      drawn = true;
      stream.writeSync(
        encoder.encode(`\r\x1b[K${progressLine(state, (t - started) / 1000, options.width)}`),
      );
    },
    done() {
      if (active && drawn) stream.writeSync(encoder.encode("\r\x1b[K"));
    },
  };
}
