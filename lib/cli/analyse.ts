/**
 * `deno task analyse [options] [PATH...]`: the whole pipeline in one command,
 * from a log folder to a dated folder of results (CSV, Parquet, GeoJSON,
 * charts, summary, report.html) and an updated `latest`. The work is
 * lib/report/run.ts; this file reads options and prints.
 *
 * @module
 */
import { parseArgs } from "./args.ts";
import { timeZoneOption, UsageError, wholeOption, yearOption } from "./_options.ts";
import { defaultTimeZone } from "../logs/time.ts";
import { relative } from "node:path";
import {
  GeoConfigError,
  parseProviderList,
  readGeoSettings,
  redactSecrets,
  secretsOf,
} from "../geo/config.ts";
import { isSample, PROJECT_ROOT, SAMPLE_DIR, sampleReadOptions } from "../paths.ts";
import { NoLogsError, OutputError, runAnalysis, type RunProgress } from "../report/run.ts";
import { createProgressBar } from "./progress.ts";

/** Where results go by default. */
export const DEFAULT_OUT = `${PROJECT_ROOT}/data/out`;

/** The help text (built on demand: the zone lookup in it costs start-up time). */
const help = () =>
  `Usage: deno task analyse [options] [PATH...]

Reads server logs (default: the bundled sample in data/sample/), looks up
where every IP is (offline databases by default: no key, no network) and
writes a dated folder of results:

  data/out/YYYYMMDD-HHMMSS/   report.html (open it in a browser; works from disk)
                              summary.txt, summary.json
                              attempts, ips, subnets, countries, networks, bans,
                              usernames, daily: .csv and .parquet
                              ips.geojson (QGIS, Leaflet), columns.md, README.txt
                              charts/*.svg, charts/*.png
  data/out/latest -> the newest complete run (switched atomically)

Options:
  --logs PATH       a log folder or file (repeatable), e.g. --logs /var/log
  --out DIR         where the run folders and latest go (default data/out)
  --provider LIST   geo providers in priority order (default: maxmind-db if
                    found, dbip, asn); see deno task geo --help
  --mmdb PATH       a MaxMind database file (repeatable)
  --offline         never touch the network (online providers: cache only)
  --cache DIR       geo cache folder (default data/cache)
  --max-queries N   at most N paid queries in this run
  --timezone ZONE   IANA zone the logs were written in, for stamps without one
                    (default: UTC for the bundled sample, else this machine's
                    zone, ${defaultTimeZone()})
  --year YYYY       year of the first syslog line of every file (default: the
                    sample's own, else inferred per file from modification times)
  --friendly-countries LIST
                    your own countries, e.g. DE,BE: banned IPs from them are listed
  --friendly-networks LIST
                    your own AS numbers, e.g. 3320,AS8881: likewise
  --top N           rows of each top list in the summary (default 10)
  --raw-csv         write CSV cells exactly as in the logs; by default a cell a
                    spreadsheet would run as a formula (=, +, -, @ first) gets a '
  --json            print the summary as JSON instead of text
  --quiet           no progress or notes on stderr
  -h, --help        this help

Keys for online providers come from the environment (MAXMIND_ACCOUNT_ID,
MAXMIND_LICENSE_KEY, IPINFO_TOKEN) or ~/.config/jailbook/config.json.

Exit status: 0 when the results were written (bad log lines are counted in
the summary), 1 when no logs were found, a PATH cannot be read or the output
cannot be written, 2 for bad options, 130 when interrupted.`;

function list(text: string | undefined): string[] {
  return (text ?? "").split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
}

function parseOptions(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        logs: { type: "string", multiple: true },
        out: { type: "string" },
        provider: { type: "string" },
        mmdb: { type: "string", multiple: true },
        offline: { type: "boolean", default: false },
        cache: { type: "string" },
        "max-queries": { type: "string" },
        timezone: { type: "string" },
        year: { type: "string" },
        "friendly-countries": { type: "string" },
        "friendly-networks": { type: "string" },
        top: { type: "string", default: "10" },
        "raw-csv": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const top = wholeOption("top", values.top, 0, 10_000)!;
  const maxQueries = wholeOption("max-queries", values["max-queries"], 0);
  const year = yearOption(values.year);
  timeZoneOption(values.timezone);
  let providers;
  if (values.provider !== undefined) {
    try {
      providers = parseProviderList(values.provider);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const friendlyNetworks = list(values["friendly-networks"]).map((s) =>
    Number(s.replace(/^AS/i, ""))
  );
  if (friendlyNetworks.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new UsageError(
      `--friendly-networks takes AS numbers such as 3320,AS8881, not "${
        values["friendly-networks"]
      }"`,
    );
  }
  const friendlyCountries = list(values["friendly-countries"]).map((c) => c.toUpperCase());
  const badCountry = friendlyCountries.find((c) => !/^[A-Z]{2}$/.test(c));
  if (badCountry !== undefined) {
    throw new UsageError(
      `--friendly-countries takes ISO country codes such as DE,BE, not "${badCountry}"`,
    );
  }
  if (values.out === "") throw new UsageError("--out needs a folder");
  return {
    ...values,
    paths: [...(values.logs ?? []), ...positionals],
    top,
    maxQueries,
    year,
    providers,
    friendlyCountries,
    friendlyNetworks,
  };
}

/** Shows progress on a terminal: the file being read, the lookups, the step. */
function progressReporter(active: boolean): { update: (p: RunProgress) => void; done: () => void } {
  if (!active) return { update: () => {}, done: () => {} };
  const encoder = new TextEncoder();
  const bar = createProgressBar();
  const line = (text: string) => Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${text}`));
  const steps: Record<string, string> = {
    frames: "building frames…",
    exports: "writing CSV, Parquet and GeoJSON…",
    charts: "drawing charts…",
    report: "writing the summary and report…",
    publish: "publishing…",
  };
  return {
    update(p) {
      if (p.step === "read") {
        line(`reading ${relative(Deno.cwd(), p.file) || p.file} (${p.index + 1}/${p.total})`);
      } else if (p.step === "lookup") {
        bar.update({
          label: `looking up (${p.lookup.provider})`,
          done: p.lookup.done,
          total: p.lookup.total,
          cached: p.lookup.fromCache,
          failed: p.lookup.failed,
        });
      } else line(steps[p.step]);
    },
    done: () => line(""),
  };
}

function writeAll(stream: { writeSync(bytes: Uint8Array): number }, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += stream.writeSync(bytes.subarray(at));
}

/** Run the CLI; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  let options;
  let settings;
  try {
    options = parseOptions(args);
    settings = readGeoSettings();
  } catch (error) {
    console.error(`jailbook analyse: ${(error as Error).message}\nTry: deno task analyse --help`);
    return 2;
  }
  if (options.help) {
    console.log(help());
    return 0;
  }
  const secrets = secretsOf(settings);
  const note = (text: string) => {
    if (!options.quiet) console.error(redactSecrets(text, secrets));
  };
  let paths = options.paths;
  if (paths.length === 0) {
    paths = [SAMPLE_DIR];
    note(
      `jailbook: no PATH given, analysing the bundled sample logs in ${
        relative(Deno.cwd(), SAMPLE_DIR) || "."
      } (use --logs /var/log for this server)`,
    );
  }
  // the bundled sample carries its own zone and year (git does not keep mtimes)
  const sample = isSample(paths) ? sampleReadOptions() : undefined;
  const timeZone = options.timezone ?? sample?.timeZone;
  const year = options.year ?? sample?.year;
  const out = options.out ?? DEFAULT_OUT;
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) Deno.exit(130); // the unfinished run folder is removed by the next run
    abort.abort(new Error("Interrupted"));
  };
  try {
    Deno.addSignalListener("SIGINT", onSignal);
  } catch { /* not supported here */ }
  const reporter = progressReporter(!options.quiet && Deno.stderr.isTerminal());
  let result;
  try {
    result = await runAnalysis({
      logs: paths,
      out,
      timeZone,
      year,
      providers: options.providers,
      mmdb: options.mmdb,
      offline: options.offline,
      cacheDir: options.cache,
      maxQueries: options.maxQueries,
      friendlyCountries: options.friendlyCountries,
      friendlyNetworks: options.friendlyNetworks,
      raw: options["raw-csv"],
      top: options.top,
      geoSettings: settings,
      onProgress: reporter.update,
      signal: abort.signal,
    });
  } catch (error) {
    reporter.done();
    if (abort.signal.aborted) {
      console.error("jailbook analyse: interrupted; nothing was published (latest is unchanged)");
      return 130;
    }
    const message = redactSecrets((error as Error).message, secrets);
    console.error(`jailbook analyse: ${message}`);
    if (
      !(error instanceof GeoConfigError || error instanceof NoLogsError) &&
      !(error instanceof OutputError)
    ) {
      // not a condition we expected: keep the details for a bug report
      console.error(redactSecrets(String((error as Error).stack ?? ""), secrets));
    }
    return error instanceof GeoConfigError ? 2 : 1;
  } finally {
    try {
      Deno.removeSignalListener("SIGINT", onSignal);
    } catch { /* ignore */ }
  }
  reporter.done();
  const shown = (path: string) => {
    const near = relative(Deno.cwd(), path);
    return near === "" ? "." : near.startsWith("..") ? path : near;
  };
  const text = options.json
    ? JSON.stringify(
      {
        ...result.summary,
        folder: result.folder,
        latest: result.latest,
        outputs: result.files,
      },
      null,
      2,
    ) + "\n"
    : result.summaryText;
  writeAll(Deno.stdout, new TextEncoder().encode(redactSecrets(text, secrets)));
  note(
    `Results: ${shown(result.folder)}/ (also ${shown(result.latest)}/); open ${
      shown(result.folder)
    }/report.html in a browser`,
  );
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
