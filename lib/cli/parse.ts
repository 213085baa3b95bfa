/**
 * `deno task parse [options] [PATH...]`: read logs, write events as JSON Lines
 * to stdout and a summary to stderr; with `--summary`, only the summary, to
 * stdout.
 *
 * @module
 */
import { parseArgs } from "./args.ts";
import { timeZoneOption, UsageError, wholeOption, yearOption } from "./_options.ts";
import { relative } from "../posix_path.ts";
import { defaultTimeZone } from "../logs/time.ts";
import { discoverLogs } from "../logs/discover.ts";
import { parseFiles } from "../logs/pipeline.ts";
import { JsonLinesWriter, Tee } from "../logs/jsonl.ts";
import { renderSummary, summarize, SummaryAggregator } from "../logs/summary.ts";
import { isSample, SAMPLE_DIR, sampleReadOptions } from "../paths.ts";

/** The help text (built on demand: the zone lookup in it costs start-up time). */
const help = () =>
  `Usage: deno task parse [options] [PATH...]

Reads server logs and writes one JSON object per event (JSON Lines) to stdout,
and a summary to stderr. PATH is a log file or a directory; with no PATH the
bundled sample logs in data/sample/ are read.

In a directory jailbook reads fail2ban.log*, auth.log*, secure*, the
fail2ban database (fail2ban.sqlite3; /var/lib/fail2ban/fail2ban.sqlite3 for
/var/log), fail2ban*.csv / fail2ban*.txt (fail2ban-blacklist CSV, saved
'fail2ban-client status'), journal*.json ('journalctl -o json') and
access*/error* in apache2/, httpd/ and nginx/. Rotations (.1, .2.gz,
-YYYYMMDD[.gz]) are read oldest first; .gz is read transparently.

Options:
  --logs DIR        read this directory or file (repeatable), e.g. --logs /var/log
  --summary         print only the summary, to stdout (no events)
  --json            print the summary as JSON
  --top N           IPs in the summary's top list (default 10)
  --year YYYY       year of the first syslog line of every file (default: inferred
                    per file from its modification time and rotation order)
  --timezone ZONE   IANA time zone the logs were written in, for stamps without
                    a zone (default: this machine's zone, ${defaultTimeZone()})
  --quiet           no progress on stderr
  -h, --help        this help

Exit status: 0 when the logs were read (bad lines are counted in the summary),
1 when no logs could be found or a PATH cannot be read, 2 for bad options.`;

function parseOptions(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        logs: { type: "string", multiple: true },
        summary: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        top: { type: "string", default: "10" },
        year: { type: "string" },
        timezone: { type: "string" },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const top = wholeOption("top", values.top, 0)!;
  const year = yearOption(values.year);
  timeZoneOption(values.timezone);
  return { ...values, top, year, paths: [...(values.logs ?? []), ...positionals] };
}

/** Run the CLI; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(args);
  } catch (error) {
    console.error(`jailbook parse: ${(error as Error).message}\nTry: deno task parse --help`);
    return 2;
  }
  if (options.help) {
    console.log(help());
    return 0;
  }
  const progress = !options.quiet && Deno.stderr.isTerminal();
  let paths = options.paths;
  if (paths.length === 0) {
    paths = [relative(Deno.cwd(), SAMPLE_DIR) || "."];
    if (!options.quiet) {
      console.error(
        `jailbook: no PATH given, reading the bundled sample logs in ${
          paths[0]
        } (use --logs /var/log for this server)`,
      );
    }
  }
  // the bundled sample carries its own zone and year (git does not keep mtimes)
  const sample = isSample(paths) ? sampleReadOptions() : undefined;
  const timeZone = options.timezone ?? sample?.timeZone;
  const year = options.year ?? sample?.year;
  const { files, problems } = await discoverLogs(paths);
  // An explicitly named path that cannot be read is an error, not a bad line.
  const unusable = problems.filter((p) => paths.includes(p.path));
  if (unusable.length > 0) {
    for (const p of unusable) console.error(`jailbook parse: cannot read ${p.path}: ${p.reason}`);
    return 1;
  }
  if (files.length === 0) {
    console.error(
      `jailbook parse: no logs found in ${
        paths.join(", ")
      }: expected fail2ban.log*, auth.log*, secure*, ` +
        `apache2/, httpd/ or nginx/ access*/error*, or fail2ban.sqlite3${
          problems.length ? `\n${problems.map((p) => `  ${p.path}: ${p.reason}`).join("\n")}` : ""
        }`,
    );
    return 1;
  }
  const aggregator = new SummaryAggregator();
  const writer = options.summary
    ? undefined
    : new JsonLinesWriter(Deno.stdout, files.map((f) => f.path));
  const consumer = writer ? new Tee(writer, aggregator) : aggregator;
  const started = performance.now();
  let report;
  try {
    report = await parseFiles(files, consumer, {
      timeZone,
      year,
      onFile: progress
        ? (file, i, n) =>
          Deno.stderr.writeSync(
            new TextEncoder().encode(`\r\x1b[Kreading ${file.path} (${i + 1}/${n})`),
          )
        : undefined,
    });
    writer?.flush();
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) return 0; // e.g. `| head`
    throw error;
  }
  if (progress) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
  const data = summarize(aggregator, report, problems, options.top);
  const text = options.json
    ? JSON.stringify({ ...data, seconds: (performance.now() - started) / 1000 }, null, 2) + "\n"
    : renderSummary(data);
  const out = options.summary ? Deno.stdout : Deno.stderr;
  out.writeSync(new TextEncoder().encode(text));
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
