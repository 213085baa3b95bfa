/**
 * `deno task bench`: parse + aggregate throughput against `wc -l` and
 * `grep -c` on the same files in the same run, reported as ratios (the
 * machine is shared and noisy: ratios, medians of several runs taken in
 * rounds — every command once per round — never absolute thresholds; each
 * ratio is also given as the median of its rounds' ratios).
 *
 * Generates (once, cached in bench/out/) a 1M- and a 5M-line auth.log and a
 * 1M-line fail2ban.log with the seeded generator, then times, per file:
 * `wc -l`, `grep -c 'Failed password'`, `deno task parse --summary` (whole
 * process, parse + per-IP aggregation), and the JSON Lines output path. Where
 * `fail2ban-regex` is installed it is timed with its sshd filter on a
 * 100k-line slice and on the whole 1M-line file, and every failure line it
 * finds in the whole file is checked against jailbook's suspicious events.
 *
 * Options: `--runs N` (default 3), `--quick` (only the 1M-line files).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { median, timed } from "./_timed.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUT = `${ROOT}bench/out`;
const DENO = Deno.execPath();

interface Measurement {
  /** Median wall seconds. */
  seconds: number;
  /** Peak resident set size, MB (max over runs). */
  peakMb: number;
  /** What the command printed (first run), trimmed. */
  output: string;
}

/** Run a shell command under GNU time; returns wall seconds and peak RSS. */
async function measureOnce(
  command: string,
): Promise<{ seconds: number; peakMb: number; output: string }> {
  const run = await timed("bash", ["-c", command]);
  return { seconds: run.seconds, peakMb: run.peakMb, output: run.stdout.trim() };
}

/**
 * Run `commands` `runs` times each, in rounds (each command once per round),
 * so that a slower or faster spell of the shared machine falls on all of
 * them alike; per command the median, and its run times in round order.
 */
async function measureRounds(
  commands: readonly string[],
  runs: number,
): Promise<(Measurement & { times: number[] })[]> {
  const all = commands.map(() => [] as { seconds: number; peakMb: number; output: string }[]);
  for (let round = 0; round < runs; round++) {
    for (let c = 0; c < commands.length; c++) all[c].push(await measureOnce(commands[c]));
  }
  return all.map((runsOf) => ({
    seconds: median(runsOf.map((m) => m.seconds)),
    peakMb: Math.max(...runsOf.map((m) => m.peakMb)),
    output: runsOf[0].output,
    times: runsOf.map((m) => m.seconds),
  }));
}

async function measure(command: string, runs: number): Promise<Measurement> {
  return (await measureRounds([command], runs))[0];
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function generate(flag: string, lines: number, path: string) {
  if (await exists(path)) return;
  console.error(`generating ${path} (${lines.toLocaleString("en-US")} lines)…`);
  const result = await new Deno.Command(DENO, {
    args: ["run", "-A", `${ROOT}tools/generate_logs.ts`, flag, String(lines), "--out", path],
    stderr: "inherit",
  }).output();
  if (!result.success) throw new Error(`generator failed for ${path}`);
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);
const pad = (s: string, n: number) => s.padEnd(n);

async function main() {
  const { values } = parseArgs({
    args: Deno.args,
    options: { runs: { type: "string", default: "3" }, quick: { type: "boolean", default: false } },
  });
  const runs = Number(values.runs);
  await Deno.mkdir(OUT, { recursive: true });
  const files = [
    {
      name: "auth.log 1M",
      path: `${OUT}/auth-1m.log`,
      flag: "--auth-lines",
      lines: 1_000_000,
      grep: "Failed password",
    },
    {
      name: "fail2ban.log 1M",
      path: `${OUT}/fail2ban-1m.log`,
      flag: "--fail2ban-lines",
      lines: 1_000_000,
      grep: " Ban ",
    },
  ];
  if (!values.quick) {
    files.splice(1, 0, {
      name: "auth.log 5M",
      path: `${OUT}/auth-5m.log`,
      flag: "--auth-lines",
      lines: 5_000_000,
      grep: "Failed password",
    });
  }
  for (const f of files) await generate(f.flag, f.lines, f.path);

  const parse = `${DENO} run --allow-read --allow-env ${ROOT}lib/cli/parse.ts --quiet`;
  // warm the module cache so the first timed run does not pay for type checking
  await measureOnce(`${parse} --summary --year 2026 --timezone UTC ${files[0].path} > /dev/null`);

  const results: Record<string, unknown>[] = [];
  console.log(
    `\njailbook parse benchmark (median of ${runs} runs in rounds, whole processes incl. start-up)\n`,
  );
  console.log(
    `${pad("file", 16)} ${pad("MB", 7)} ${pad("command", 34)} ${pad("seconds", 8)} ${
      pad("lines/s", 12)
    } ${pad("MB/s", 8)} ${pad("peak MB", 8)} ratio vs grep -c`,
  );
  for (const f of files) {
    const size = (await Deno.stat(f.path)).size / 1e6;
    const commands: [string, string][] = [
      ["wc -l", `wc -l < ${f.path}`],
      [`grep -c '${f.grep}'`, `grep -c '${f.grep}' ${f.path}`],
      [`LC_ALL=C grep -c`, `LC_ALL=C grep -c '${f.grep}' ${f.path}`],
      [
        "jailbook parse --summary",
        `${parse} --summary --year 2026 --timezone UTC ${f.path} > /dev/null`,
      ],
      [
        "jailbook parse (JSON Lines)",
        `${parse} --year 2026 --timezone UTC ${f.path} > /dev/null 2>&1`,
      ],
    ];
    // measure everything first, in rounds, so every row's ratio is against the same grep
    const rounds = await measureRounds(commands.map(([, command]) => command), runs);
    const measured = commands.map(([label], i) => [label, rounds[i]] as const);
    const grep = measured.find(([label]) => label.startsWith("grep -c"))![1];
    const grepSeconds = grep.seconds;
    for (const [label, m] of measured) {
      const ratio = m.seconds / grepSeconds;
      // the same ratio round by round (each against the grep of its own round)
      const roundRatio = median(m.times.map((t, round) => t / grep.times[round]));
      console.log(
        `${pad(f.name, 16)} ${pad(fmt(size, 0), 7)} ${pad(label, 34)} ${pad(fmt(m.seconds), 8)} ${
          pad(Math.round(f.lines / m.seconds).toLocaleString("en-US"), 12)
        } ${pad(fmt(size / m.seconds, 0), 8)} ${pad(fmt(m.peakMb, 0), 8)} ${fmt(ratio, 1)}× ` +
          `(per round ${fmt(roundRatio, 1)}×)`,
      );
      results.push({
        file: f.name,
        command: label,
        seconds: m.seconds,
        peakMb: m.peakMb,
        ratioVsGrep: ratio,
        ratioVsGrepPerRound: roundRatio,
        runSeconds: m.times,
      });
    }
  }

  // fail2ban-regex with its sshd filter, when installed: on a 100k-line slice (where start-up
  // dominates both) and on the whole 1M-line file; coverage checked line by line on the whole file
  const f2b = await new Deno.Command("bash", {
    args: ["-c", "command -v fail2ban-regex"],
    stdout: "piped",
  }).output();
  if (f2b.success) {
    const slice = `${OUT}/auth-100k.log`;
    if (!(await exists(slice))) {
      await new Deno.Command("bash", { args: ["-c", `head -n 100000 ${files[0].path} > ${slice}`] })
        .output();
    }
    for (
      const [name, path, lines] of [["auth.log 100k", slice, 100_000], [
        files[0].name,
        files[0].path,
        1_000_000,
      ]] as const
    ) {
      const regex = await measure(`fail2ban-regex ${path} sshd`, 1);
      const ours = await measure(`${parse} --summary --year 2026 --timezone UTC ${path}`, runs);
      const row: Record<string, unknown> = {
        file: name,
        command: "jailbook parse --summary vs fail2ban-regex sshd",
        lines,
        fail2banRegexSeconds: regex.seconds,
        seconds: ours.seconds,
        speedup: regex.seconds / ours.seconds,
      };
      let coverage = "";
      if (lines === 1_000_000) {
        // every line fail2ban counts as a failure must be a suspicious event of ours
        const theirs = await measureOnce(`fail2ban-regex -o msg ${path} sshd`);
        const oursJsonl = await measureOnce(
          `${parse} --year 2026 --timezone UTC ${path} 2>/dev/null`,
        );
        const fileLines = (await Deno.readTextFile(path)).split("\n");
        const ourSuspicious = new Set<string>();
        for (const line of oursJsonl.output.split("\n")) {
          if (!line) continue;
          const event = JSON.parse(line);
          if (event.suspicious) ourSuspicious.add(fileLines[event.line - 1]);
        }
        const failures = theirs.output.split("\n").filter((l) => l.trim() !== "");
        const missed = failures.filter((l) => !ourSuspicious.has(l));
        row.failureLines = failures.length;
        row.missedFailureLines = missed.length;
        coverage =
          `; ${failures.length} failure lines, of which jailbook did not flag ${missed.length}`;
        for (const line of missed.slice(0, 5)) coverage += `\n  missed: ${line}`;
      }
      console.log(
        `\nfail2ban-regex (sshd filter) on ${name}: ${
          fmt(regex.seconds)
        } s; jailbook parse --summary: ${fmt(ours.seconds)} s (${
          fmt(regex.seconds / ours.seconds, 0)
        }× faster)${coverage}`,
      );
      results.push(row);
    }
  } else {
    console.log("\nfail2ban-regex is not installed (apt-get install fail2ban): skipped");
  }
  await Deno.writeTextFile(`${OUT}/results.json`, JSON.stringify(results, null, 2));
  console.log(`\nresults: ${OUT}/results.json`);
}

if (import.meta.main) await main();
