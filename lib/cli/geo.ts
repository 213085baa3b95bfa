/**
 * `deno task geo [options] IP|FILE|- …`: look up IPs and print one JSON
 * object of details per IP (JSON Lines) to stdout, statistics to stderr.
 *
 * @module
 */
import { parseArgs } from "./args.ts";
import { UsageError, wholeOption } from "./_options.ts";
import { normalizeIp } from "../logs/ip.ts";
import { readLines } from "../logs/read.ts";
import {
  defaultProviders,
  GeoConfigError,
  openProviders,
  parseProviderList,
  readGeoSettings,
  redactSecrets,
  secretsOf,
} from "../geo/config.ts";
import { DEFAULT_CACHE_DIR, lookupIps, type LookupResult } from "../geo/lookup.ts";
import { createHttpClient, type HttpClient } from "../geo/http.ts";
import { DETAIL_COLUMNS, type IpDetails } from "../geo/types.ts";
import { createProgressBar } from "./progress.ts";

const HELP = `Usage: deno task geo [options] IP|FILE|- ...

Looks up IP addresses and prints one JSON object per IP (JSON Lines) with
country, region, city, coordinates, network (ASN, organisation) and, from
paid services, risk traits. FILE holds IPs one per line, or JSON Lines with
an "ip" field (the output of 'deno task parse'); - reads standard input:

  deno task parse /var/log | deno task geo -

Providers (--provider, comma-separated, in priority order; each column comes
from the first provider that knows it):
  dbip              DB-IP Lite city database (offline, default)
  asn               ASN table of @ip-location-db/asn (offline, default)
  maxmind-db        your MaxMind .mmdb files (found in /usr/share/GeoIP or
                    /var/lib/GeoIP, or --mmdb PATH); used first when present
  maxmind-country, maxmind-city, maxmind-insights
                    MaxMind GeoIP2 web services (paid; MAXMIND_ACCOUNT_ID and
                    MAXMIND_LICENSE_KEY)
  ipinfo            ipinfo.io (IPINFO_TOKEN optional; batch with a token)
  rdap              RDAP registration data: network, owner, abuse contact

Options:
  --provider LIST   providers to use (default: maxmind-db if found, dbip, asn)
  --mmdb PATH       a MaxMind database file (repeatable)
  --offline         never touch the network; say which IPs the cache could not answer
  --refresh         ask the services again even when the cache has an answer
  --dry-run         send nothing: say how many (paid) queries a run would make
  --max-queries N   at most N paid queries in this run
  --cache DIR       cache directory (default data/cache)
  --concurrency N   requests at once per service (default 4)
  --timeout S       seconds per request (default 10)
  --retries N       retries after a timeout, 5xx or reset (default 3)
  --quiet           no progress or statistics on stderr
  -h, --help        this help

Keys are read from the environment or ~/.config/jailbook/config.json, never
from the command line, and never printed.`;

function parseOptions(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        provider: { type: "string" },
        mmdb: { type: "string", multiple: true },
        offline: { type: "boolean", default: false },
        refresh: { type: "boolean", default: false },
        "dry-run": { type: "boolean", default: false },
        "max-queries": { type: "string" },
        cache: { type: "string" },
        concurrency: { type: "string", default: "4" },
        timeout: { type: "string", default: "10" },
        retries: { type: "string", default: "3" },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new UsageError(`--timeout takes seconds > 0, not "${values.timeout}"`);
  return {
    ...values,
    inputs: positionals,
    maxQueries: wholeOption("max-queries", values["max-queries"], 0),
    concurrency: wholeOption("concurrency", values.concurrency, 1)!,
    retries: wholeOption("retries", values.retries, 0)!,
    timeoutMs: timeout * 1000,
  };
}

/** Collect IPs from arguments, files and standard input. */
async function readInputs(
  inputs: string[],
): Promise<{ ips: string[]; invalid: number; problems: string[] }> {
  const ips: string[] = [];
  let invalid = 0;
  const problems: string[] = [];
  const take = (line: string) => {
    const text = line.trim();
    if (text === "" || text.startsWith("#")) return;
    let candidate: unknown = text;
    if (text.startsWith("{")) {
      try {
        candidate = JSON.parse(text).ip;
      } catch {
        invalid++;
        return;
      }
      if (candidate === undefined) return; // an event without an IP
    } else {
      candidate = text.split(/[\s,;]+/)[0];
    }
    const ip = typeof candidate === "string" ? normalizeIp(candidate) : undefined;
    if (ip === undefined) invalid++;
    else ips.push(ip);
  };
  for (const input of inputs) {
    if (input === "-") {
      const stream = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
      let rest = "";
      for await (const chunk of stream) {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop()!;
        for (const line of lines) take(line);
      }
      take(rest);
    } else if (normalizeIp(input) !== undefined) {
      ips.push(normalizeIp(input)!);
    } else {
      try {
        await readLines(input, take);
      } catch (error) {
        problems.push(
          `cannot read ${input}: ${
            error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message
          }`,
        );
      }
    }
  }
  return { ips, invalid, problems };
}

/** One IpDetails as a JSON line, keys in a stable, readable order. */
export function detailsToJson(d: IpDetails): string {
  const ordered: Record<string, unknown> = { ip: d.ip, ip_class: d.ip_class, network: d.network };
  for (const column of DETAIL_COLUMNS) ordered[column] = d[column];
  ordered.provider = d.provider;
  ordered.source_version = d.source_version;
  ordered.fetched_at = d.fetched_at;
  ordered.failure = d.failure;
  ordered.sources = d.sources;
  return JSON.stringify(ordered);
}

/** Statistics for people. */
export function renderGeoStats(
  result: LookupResult,
  options: { dryRun?: boolean; offline?: boolean } = {},
): string {
  const lines: string[] = [];
  const answered = result.details.filter((d) => d.provider !== null).length;
  lines.push(`IPs: ${result.details.length} (${answered} with details)`);
  const nonPublic = Object.entries(result.nonPublic).map(([c, n]) => `${n} ${c}`).join(", ");
  if (nonPublic) lines.push(`Not looked up (not public addresses): ${nonPublic}`);
  if (result.invalid.length) lines.push(`Not IP addresses: ${result.invalid.length}`);
  lines.push("Providers:");
  for (const s of result.stats) {
    const online = s.kind === "online"
      ? `  from cache ${s.fromCache}  asked ${s.fetched}${
        s.expired ? `  expired ${s.expired}` : ""
      }  failed ${s.failed}${s.notAsked ? `  not asked ${s.notAsked}` : ""}`
      : "";
    lines.push(
      `  ${
        s.provider.padEnd(17)
      } answered ${s.answered}/${s.asked}  not found ${s.notFound}${online}`,
    );
  }
  for (const n of result.notAsked) {
    if (options.dryRun) {
      lines.push(
        `Dry run: ${n.provider} would make ${n.ips.length} ${n.paid ? "paid " : ""}queries (${
          result.stats.find((s) => s.provider === n.provider)?.fromCache ?? 0
        } answered by the cache)`,
      );
    } else {
      lines.push(
        `Offline: ${n.provider} has no cached answer for ${n.ips.length} IPs: ${
          n.ips.slice(0, 10).join(", ")
        }${n.ips.length > 10 ? ", …" : ""}`,
      );
    }
  }
  if (result.failed.length) {
    lines.push(`Failed (${result.failed.length}, kept in the cache and retried on the next run):`);
    for (const f of result.failed.slice(0, 20)) {
      lines.push(`  ${f.ip} (${f.provider}): ${f.reason}`);
    }
    if (result.failed.length > 20) lines.push(`  … and ${result.failed.length - 20} more`);
  }
  for (const a of result.attributions) lines.push(a);
  return lines.join("\n") + "\n";
}

/** Run the CLI; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  let options;
  let settings;
  try {
    options = parseOptions(args);
    settings = readGeoSettings();
  } catch (error) {
    console.error(`jailbook geo: ${(error as Error).message}\nTry: deno task geo --help`);
    return 2;
  }
  if (options.help) {
    console.log(HELP);
    return 0;
  }
  const secrets = secretsOf(settings);
  const say = (text: string) => {
    if (!options.quiet) {
      Deno.stderr.writeSync(new TextEncoder().encode(redactSecrets(text, secrets)));
    }
  };
  if (options.inputs.length === 0) {
    console.error(
      "jailbook geo: give IPs, files of IPs, or - for standard input\nTry: deno task geo --help",
    );
    return 2;
  }
  const { ips, invalid, problems } = await readInputs(options.inputs);
  for (const p of problems) console.error(`jailbook geo: ${p}`);
  if (problems.length > 0 && ips.length === 0) return 1;
  if (options.mmdb) settings.maxmindDatabases.push(...options.mmdb);
  let providers;
  try {
    const names = options.provider
      ? parseProviderList(options.provider)
      : defaultProviders(settings);
    providers = openProviders(names, settings);
  } catch (error) {
    const prefix = error instanceof GeoConfigError ? "" : "cannot open a provider: ";
    console.error(redactSecrets(`jailbook geo: ${prefix}${(error as Error).message}`, secrets));
    return error instanceof GeoConfigError ? 2 : 1;
  }
  const progress = options.quiet ? undefined : createProgressBar();
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  try {
    Deno.addSignalListener("SIGINT", onSignal);
  } catch { /* not supported here */ }
  let result: LookupResult;
  const clients: HttpClient[] = [];
  try {
    result = await lookupIps(ips, {
      providers,
      cacheDir: options.cache ?? DEFAULT_CACHE_DIR,
      offline: options.offline,
      refresh: options.refresh,
      dryRun: options["dry-run"],
      signal: abort.signal,
      client: (provider) => {
        // one budget of paid queries for the whole run, shared by the paid providers in turn
        const spent = clients.reduce((sum, c) => sum + c.stats.paidQueries, 0);
        const client = createHttpClient({
          concurrency: options.concurrency,
          timeoutMs: options.timeoutMs,
          retries: options.retries,
          secrets,
          signal: abort.signal,
          ...(provider.paid && options.maxQueries !== undefined
            ? { maxQueries: Math.max(0, options.maxQueries - spent) }
            : {}),
        });
        clients.push(client);
        return client;
      },
      onProgress: (p) =>
        progress?.update({
          label: p.provider,
          done: p.done,
          total: p.total,
          cached: p.fromCache,
          failed: p.failed,
        }),
    });
  } finally {
    progress?.done();
    try {
      Deno.removeSignalListener("SIGINT", onSignal);
    } catch { /* ignore */ }
    for (const p of providers) if (p.kind === "offline") p.close();
  }
  const out = result.details.map(detailsToJson).join("\n");
  if (out) Deno.stdout.writeSync(new TextEncoder().encode(redactSecrets(out, secrets) + "\n"));
  say(renderGeoStats(result, { dryRun: options["dry-run"], offline: options.offline }));
  if (invalid > 0) say(`Input lines that were not IP addresses: ${invalid}\n`);
  if (abort.signal.aborted) {
    say("Interrupted: answers so far are in the cache; run again to finish.\n");
  }
  return abort.signal.aborted ? 130 : 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
