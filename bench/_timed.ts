/**
 * Running a benchmark process under GNU time: wall seconds (measured here)
 * and peak resident memory (`/usr/bin/time -f %M`).
 *
 * @module
 */

/** One timed run of a process. */
export interface Timed {
  seconds: number;
  peakMb: number;
  stdout: string;
  stderr: string;
}

/** Run `command args…` under `/usr/bin/time`; throws with its stderr when it fails. */
export async function timed(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Timed> {
  const timeFile = await Deno.makeTempFile();
  try {
    const started = performance.now();
    const result = await new Deno.Command("/usr/bin/time", {
      args: ["-f", "%M", "-o", timeFile, command, ...args],
      stdout: "piped",
      stderr: "piped",
      ...options,
    }).output();
    const seconds = (performance.now() - started) / 1000;
    const stderr = new TextDecoder().decode(result.stderr);
    if (!result.success) {
      throw new Error(`benchmark command failed: ${command} ${args.join(" ")}\n${stderr}`);
    }
    const peakKb = Number((await Deno.readTextFile(timeFile)).trim().split("\n").pop());
    return {
      seconds,
      peakMb: peakKb / 1024,
      stdout: new TextDecoder().decode(result.stdout),
      stderr,
    };
  } finally {
    await Deno.remove(timeFile).catch(() => {});
  }
}

/** The median of some numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
