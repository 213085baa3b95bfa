/**
 * Frames benchmark: a 1M-line auth.log parsed into an `EventStore`, its
 * first 5,000 addresses looked up offline (DB-IP + ASN), then every frame
 * built with `buildFrames` (bans, ipDetails, ips, subnets, countries,
 * networks, daily, hourWeekday, usernames, usernamesByCountry; `events` and
 * the attempts table are built when first read, and the row counts read them).
 *
 * Each measurement is a separate process under GNU `time -f %M` (peak RSS of
 * the whole process), median of `--runs` runs (default 3):
 *
 * - `parse+lookup` — parsing and lookups only: the baseline;
 * - `frames` — the same, then `buildFrames`: its wall time inside the
 *   process (the time *beyond parsing*, the target is ≤ 0.5 s) and each
 *   frame's share, from a second, separately timed pass of the builders.
 *
 * The log is generated once with the seeded generator
 * (`tools/generate_logs.ts --auth-lines 1000000`) into `bench/out/`.
 * Options: `--runs N` (3), `--ips N` (5000 addresses with details).
 * Internal: `--child MODE`. Results also go to `bench/out/frames_bench.json`.
 *
 * @example
 * ```sh
 * deno run -A bench/frames_bench.ts
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { median, timed } from "./_timed.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUT = `${ROOT}bench/out`;
const LOG = `${OUT}/auth-1m.log`;
const DENO = Deno.execPath();
const SELF = fileURLToPath(import.meta.url);

/** What a child process reports. */
interface ChildReport {
  events: number;
  ips: number;
  details: number;
  parseMs: number;
  lookupMs: number;
  /** buildFrames, first call (what a run pays). */
  framesMs?: number;
  /** Per frame, from a second pass of the individual builders. */
  perFrameMs?: Record<string, number>;
  rows?: Record<string, number>;
}

type Mode = "baseline" | "frames" | "breakdown";

async function child(mode: Mode, detailCount: number): Promise<void> {
  const { discoverLogs } = await import("../lib/logs/discover.ts");
  const { parseFiles } = await import("../lib/logs/pipeline.ts");
  const { EventStore } = await import("../lib/logs/store.ts");
  const { openDbip } = await import("../lib/geo/dbip.ts");
  const { openAsnCsv } = await import("../lib/geo/asn_csv.ts");
  const { lookupIps } = await import("../lib/geo/lookup.ts");
  const frames = mode === "baseline" ? undefined : await import("../lib/frames/mod.ts");

  const t0 = performance.now();
  const { files } = await discoverLogs([LOG]);
  const store = new EventStore();
  store.files = files.map((f) => f.path);
  await parseFiles(files, store, { timeZone: "UTC", year: 2026 });
  const t1 = performance.now();
  const cacheDir = await Deno.makeTempDir();
  const providers = [openDbip(), openAsnCsv()];
  const { details } = await lookupIps(store.dictionaries.ip.values.slice(0, detailCount), {
    providers,
    cacheDir,
    offline: true,
  });
  for (const provider of providers) provider.close();
  await Deno.remove(cacheDir, { recursive: true });
  const t2 = performance.now();
  const report: ChildReport = {
    events: store.length,
    ips: store.dictionaries.ip.size,
    details: details.length,
    parseMs: t1 - t0,
    lookupMs: t2 - t1,
  };
  if (frames) {
    const built = frames.buildFrames(store, details);
    report.framesMs = performance.now() - t2;
    report.rows = Object.fromEntries(
      Object.entries(built).flatMap(([name, value]) =>
        typeof (value as { height?: unknown }).height === "number"
          ? [[name, (value as { height: number }).height]]
          : []
      ),
    );
  }
  if (frames && mode === "breakdown") {
    // each builder again, timed separately (warm: shows where the time goes)
    const perFrame: Record<string, number> = {};
    let t = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      perFrame[name] = now - t;
      t = now;
    };
    const analysis = frames.analyseEvents(store, details);
    lap("analyse");
    frames.eventsFrame(analysis);
    lap("events");
    frames.attemptTable(analysis);
    lap("attempts");
    frames.bansFrame(analysis);
    lap("bans");
    const ips = frames.ipsFrame(analysis);
    lap("ipDetails+ips");
    frames.subnetsFrame(ips);
    lap("subnets");
    frames.countriesFrame(ips);
    frames.unknownCountry(ips);
    lap("countries");
    frames.networksFrame(ips);
    frames.unknownNetwork(ips);
    lap("networks");
    frames.dailyFrame(analysis);
    lap("daily");
    frames.hourWeekdayFrame(analysis);
    lap("hourWeekday");
    frames.usernamesFrame(analysis);
    lap("usernames");
    frames.usernamesByCountryFrame(analysis);
    lap("usernamesByCountry");
    report.perFrameMs = perFrame;
  }
  console.log(JSON.stringify(report));
}

interface Run {
  seconds: number;
  peakMb: number;
  report: ChildReport;
}

async function runChild(mode: string, detailCount: number): Promise<Run> {
  const run = await timed(DENO, ["run", "-A", SELF, "--child", mode, "--ips", String(detailCount)]);
  const report = JSON.parse(run.stdout.trim().split("\n").pop()!);
  return { seconds: run.seconds, peakMb: run.peakMb, report };
}

async function main() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "3" },
      ips: { type: "string", default: "5000" },
      child: { type: "string" },
    },
  });
  const detailCount = Number(values.ips);
  if (values.child) return await child(values.child as Mode, detailCount);
  const runs = Number(values.runs);

  try {
    await Deno.stat(LOG);
  } catch {
    console.error(`generating ${LOG} (1,000,000 lines)…`);
    await Deno.mkdir(OUT, { recursive: true });
    const generated = await new Deno.Command(DENO, {
      args: ["run", "-A", `${ROOT}tools/generate_logs.ts`, "--auth-lines", "1000000", "--out", LOG],
      stderr: "inherit",
    }).output();
    if (!generated.success) throw new Error("the log generator failed");
  }
  await runChild("frames", detailCount); // warm the module cache (type checking, npm)

  const results: Record<string, Run[]> = { baseline: [], frames: [], breakdown: [] };
  for (let i = 0; i < runs; i++) {
    for (const mode of ["baseline", "frames", "breakdown"]) {
      results[mode].push(await runChild(mode, detailCount));
    }
  }
  const base = results.baseline, framed = results.frames, breakdown = results.breakdown;
  const report = breakdown[0].report;
  const framesMs = median(framed.map((r) => r.report.framesMs!));
  const summary = {
    log: LOG,
    events: report.events,
    ips: report.ips,
    details: report.details,
    runs,
    parseMs: median(framed.map((r) => r.report.parseMs)),
    lookupMs: median(framed.map((r) => r.report.lookupMs)),
    framesMs,
    baselinePeakMb: Math.max(...base.map((r) => r.peakMb)),
    framesPeakMb: Math.max(...framed.map((r) => r.peakMb)),
    baselineSeconds: median(base.map((r) => r.seconds)),
    framesSeconds: median(framed.map((r) => r.seconds)),
    perFrameMs: Object.fromEntries(
      Object.keys(report.perFrameMs!).map((k) => [
        k,
        median(breakdown.map((r) => r.report.perFrameMs![k])),
      ]),
    ),
    rows: report.rows,
  };
  const f = (n: number) => n.toFixed(0);
  console.log(
    `\njailbook frames benchmark (median of ${runs} runs; peak RSS = max, whole process)\n`,
  );
  console.log(
    `log            ${LOG}: ${
      report.events.toLocaleString("en-US")
    } events, ${report.ips} IPs, ${report.details} with details`,
  );
  console.log(`parse          ${f(summary.parseMs)} ms`);
  console.log(`lookup         ${f(summary.lookupMs)} ms (offline DB-IP + ASN)`);
  console.log(`buildFrames    ${f(framesMs)} ms beyond parsing and lookup (target ≤ 500 ms)`);
  console.log(
    `peak RSS       ${f(summary.framesPeakMb)} MB with frames (target < 400 MB), ${
      f(summary.baselinePeakMb)
    } MB without`,
  );
  console.log(
    `process wall   ${summary.framesSeconds.toFixed(2)} s with frames, ${
      summary.baselineSeconds.toFixed(2)
    } s without`,
  );
  console.log(`\nper frame, second pass (ms):`);
  for (const [name, ms] of Object.entries(summary.perFrameMs)) {
    console.log(`  ${name.padEnd(20)} ${ms.toFixed(1)}`);
  }
  await Deno.writeTextFile(`${OUT}/frames_bench.json`, JSON.stringify(summary, null, 1) + "\n");
}

if (import.meta.main) await main();
