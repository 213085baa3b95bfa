/**
 * Benchmark of `deno task analyse`, the whole pipeline with every output
 * written, as a user runs it:
 *
 * - `sample` — the bundled sample logs (target: under 3 s wall);
 * - `1m+1m` — a 1,000,000-line auth.log and a 1,000,000-line fail2ban.log
 *   from the seeded generator (target: under 5 s wall and 500 MB peak RSS).
 *
 * Each run is a separate `deno task analyse --offline --quiet` process under
 * GNU `time` (wall seconds, peak RSS of the largest process); the median of
 * `--runs` runs (default 3) is reported with the run's own step times from
 * its summary.json. The logs are generated once into `bench/out/analyse-1m/`;
 * results go to `bench/out/analyse_bench.json`.
 *
 * @example
 * ```sh
 * deno run -A bench/analyse_bench.ts            # both cases, 3 runs each
 * deno run -A bench/analyse_bench.ts --runs 5 --case 1m+1m
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { median, timed } from "./_timed.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");
const OUT = `${ROOT}/bench/out`;
const BIG = `${OUT}/analyse-1m`;
const DENO = Deno.execPath();

/** One measured run. */
interface Measurement {
  wallSeconds: number;
  peakMb: number;
  /** The run's own step times (summary.json `seconds`). */
  steps: Record<string, number>;
}

/** A benchmark case. */
interface Case {
  name: string;
  args: string[];
  targetSeconds: number;
  targetMb?: number;
}

async function ensureBigLogs(): Promise<void> {
  await Deno.mkdir(BIG, { recursive: true });
  for (const [flag, file] of [["--auth-lines", "auth.log"], ["--fail2ban-lines", "fail2ban.log"]]) {
    const path = join(BIG, file);
    const exists = await Deno.stat(path).then((s) => s.size > 0, () => false);
    if (exists) continue;
    console.error(`generating ${path} (1,000,000 lines)…`);
    const out = await new Deno.Command(DENO, {
      args: ["run", "-A", `${ROOT}/tools/generate_logs.ts`, flag, "1000000", "--out", path],
      stdout: "null",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`Cannot generate ${path}`);
  }
}

async function measure(args: string[]): Promise<Measurement> {
  const out = await Deno.makeTempDir({ prefix: "jailbook-bench-" });
  try {
    const run = await timed(
      DENO,
      ["task", "analyse", ...args, "--out", out, "--offline", "--quiet"],
      { cwd: ROOT, env: { NO_COLOR: "1" } },
    );
    const summary = JSON.parse(await Deno.readTextFile(join(out, "latest", "summary.json")));
    return { wallSeconds: run.seconds, peakMb: run.peakMb, steps: summary.seconds };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "3" },
      case: { type: "string", multiple: true },
    },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError("--runs takes a whole number ≥ 1");
  const cases: Case[] = [
    { name: "sample", args: [], targetSeconds: 3 },
    {
      name: "1m+1m",
      args: ["--logs", BIG, "--timezone", "UTC", "--year", "2026"],
      targetSeconds: 5,
      targetMb: 500,
    },
  ].filter((c) => !values.case || values.case.includes(c.name));
  if (cases.some((c) => c.name === "1m+1m")) await ensureBigLogs();
  // warm up: deno install, module and npm caches, page cache of the logs
  for (const c of cases) await measure(c.args);
  const report: Record<string, unknown> = { runs, cpus: navigator.hardwareConcurrency };
  for (const c of cases) {
    const measurements: Measurement[] = [];
    for (let i = 0; i < runs; i++) measurements.push(await measure(c.args));
    const wall = median(measurements.map((m) => m.wallSeconds));
    const peak = median(measurements.map((m) => m.peakMb));
    const steps = Object.fromEntries(
      Object.keys(measurements[0].steps).map((k) => [
        k,
        Math.round(median(measurements.map((m) => m.steps[k])) * 100) / 100,
      ]),
    );
    report[c.name] = {
      wallSeconds: wall,
      minWallSeconds: Math.min(...measurements.map((m) => m.wallSeconds)),
      peakMb: Math.round(peak),
      steps,
      targetSeconds: c.targetSeconds,
      targetMb: c.targetMb,
      all: measurements.map((m) => [m.wallSeconds, Math.round(m.peakMb)]),
    };
    const verdict = (ok: boolean) => (ok ? "ok" : "OVER");
    console.log(
      `${c.name.padEnd(7)} wall ${wall.toFixed(2)} s (target < ${c.targetSeconds} s: ${
        verdict(wall < c.targetSeconds)
      })  peak ${peak.toFixed(0)} MB${
        c.targetMb ? ` (target < ${c.targetMb} MB: ${verdict(peak < c.targetMb)})` : ""
      }  steps ${JSON.stringify(steps)}`,
    );
  }
  await Deno.mkdir(OUT, { recursive: true });
  await Deno.writeTextFile(`${OUT}/analyse_bench.json`, JSON.stringify(report, null, 1) + "\n");
}
