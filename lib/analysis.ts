/**
 * The whole analysis in a few calls — logs → events → IP details → frames —
 * shared by the notebooks and `deno task analyse`, plus the exports and the
 * checks the seeds asked for (banned IPs that also logged in; banned IPs from
 * the admin's own countries or networks).
 *
 * @module
 */
import pl from "nodejs-polars";
import { join } from "node:path";
import { type LoadedLogs, readLogs } from "./logs/load.ts";
import { lookupIps, type LookupProgress, type LookupResult } from "./geo/lookup.ts";
import {
  defaultProviders,
  openProviders,
  parseProviderList,
  type ProviderName,
  readGeoSettings,
} from "./geo/config.ts";
import { createHttpClient } from "./geo/http.ts";
import { buildFrames, type Frames } from "./frames/mod.ts";
import { pointsToGeoJson } from "./export/geojson.ts";
import { isSample, SAMPLE_DIR, sampleReadOptions } from "./paths.ts";

/** Parameters of an analysis (the notebooks read them from the environment). */
export interface AnalysisParams {
  /** Log folders or files. */
  logs: string[];
  /** Geo providers in priority order (default: maxmind-db if found, dbip, asn). */
  providers?: ProviderName[];
  /** Never touch the network. */
  offline: boolean;
  /** Geo cache directory (default data/cache). */
  cacheDir?: string;
  /** Zone of zone-less stamps (default: UTC for the bundled sample, else this machine's). */
  timeZone?: string;
  /** Year of the first syslog line, when it cannot be inferred. */
  year?: number;
  /** ISO country codes the admin and users are in (false-positive check). */
  friendlyCountries: string[];
  /** AS numbers the admin and users are in (false-positive check). */
  friendlyNetworks: number[];
  /** Where exports go. */
  out: string;
}

/**
 * Parameters from environment variables, with defaults:
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `JAILBOOK_LOGS` | log folder(s) or file(s), `:`-separated | the bundled sample `data/sample` |
 * | `JAILBOOK_PROVIDERS` | geo providers, comma-separated | `maxmind-db` if found, `dbip,asn` |
 * | `JAILBOOK_OFFLINE` | `1`: never use the network | `0` |
 * | `JAILBOOK_CACHE` | geo cache folder | `data/cache` |
 * | `JAILBOOK_TIMEZONE` | zone of zone-less stamps | the sample's (UTC), else this machine's |
 * | `JAILBOOK_YEAR` | year of syslog stamps | the sample's (from its manifest), else inferred per file |
 * | `JAILBOOK_FRIENDLY_COUNTRIES` | your countries, e.g. `DE,BE` | none |
 * | `JAILBOOK_FRIENDLY_NETWORKS` | your AS numbers, e.g. `3320,8881` | none |
 * | `JAILBOOK_OUT` | export folder | `data/out/notebooks/data` |
 */
export function analysisParams(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): AnalysisParams {
  const list = (v: string | undefined) =>
    (v ?? "").split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
  const logs = env.JAILBOOK_LOGS ? env.JAILBOOK_LOGS.split(":").filter(Boolean) : [SAMPLE_DIR];
  const year = env.JAILBOOK_YEAR ? Number(env.JAILBOOK_YEAR) : undefined;
  if (year !== undefined && !(Number.isInteger(year) && year > 1970)) {
    throw new RangeError(`JAILBOOK_YEAR must be a year such as 2024, not "${env.JAILBOOK_YEAR}"`);
  }
  const networks = list(env.JAILBOOK_FRIENDLY_NETWORKS).map((s) => Number(s.replace(/^AS/i, "")));
  if (networks.some((n) => !Number.isInteger(n))) {
    throw new RangeError(`JAILBOOK_FRIENDLY_NETWORKS must be AS numbers such as 3320,AS8881`);
  }
  return {
    logs,
    providers: env.JAILBOOK_PROVIDERS ? parseProviderList(env.JAILBOOK_PROVIDERS) : undefined,
    offline: env.JAILBOOK_OFFLINE === "1" || env.JAILBOOK_OFFLINE === "true",
    cacheDir: env.JAILBOOK_CACHE || undefined,
    // the bundled sample carries its own zone and year (git does not keep mtimes)
    timeZone: env.JAILBOOK_TIMEZONE || (isSample(logs) ? sampleReadOptions().timeZone : undefined),
    year: year ?? (isSample(logs) ? sampleReadOptions().year : undefined),
    friendlyCountries: list(env.JAILBOOK_FRIENDLY_COUNTRIES).map((c) => c.toUpperCase()),
    friendlyNetworks: networks,
    out: env.JAILBOOK_OUT || join(SAMPLE_DIR, "..", "out", "notebooks", "data"),
  };
}

/** Everything an analysis produced. */
export interface Analysis {
  params: AnalysisParams;
  logs: LoadedLogs;
  lookup: LookupResult;
  frames: Frames;
  /** Seconds per step. */
  timings: { parse: number; lookup: number; frames: number };
}

/** Look up the IPs of parsed logs with the configured providers. */
export async function enrichIps(
  logs: LoadedLogs,
  params: AnalysisParams,
  options: { onProgress?: (p: LookupProgress) => void; signal?: AbortSignal } = {},
): Promise<LookupResult> {
  const settings = readGeoSettings();
  const names = params.providers ?? defaultProviders(settings);
  const providers = openProviders(names, settings);
  try {
    return await lookupIps(logs.store.dictionaries.ip.values, {
      providers,
      cacheDir: params.cacheDir,
      offline: params.offline,
      signal: options.signal,
      onProgress: options.onProgress,
      client: () => createHttpClient({ signal: options.signal }),
    });
  } finally {
    for (const p of providers) if (p.kind === "offline") p.close();
  }
}

/** Parse, look up and build every frame. */
export async function loadAnalysis(
  params: AnalysisParams,
  options: { onProgress?: (p: LookupProgress) => void; signal?: AbortSignal } = {},
): Promise<Analysis> {
  let t = performance.now();
  const logs = await readLogs(params.logs, { timeZone: params.timeZone, year: params.year });
  const parse = (performance.now() - t) / 1000;
  t = performance.now();
  const lookup = await enrichIps(logs, params, options);
  const lookupSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const frames = buildFrames(logs.store, lookup.details);
  return {
    params,
    logs,
    lookup,
    frames,
    timings: { parse, lookup: lookupSeconds, frames: (performance.now() - t) / 1000 },
  };
}

/** Banned IPs that also logged in successfully (possible false positives, or a compromise). */
export function bannedAndLoggedIn(frames: Frames): pl.DataFrame {
  return frames.ips.filter(pl.col("banned_and_logged_in").eq(pl.lit(true)));
}

/**
 * The seed's false-positive worry: banned IPs (or, with `attempts: true`, any
 * attacking IP) from the countries or networks the admin lists as their own.
 */
export function friendlyCheck(
  frames: Frames,
  params: Pick<AnalysisParams, "friendlyCountries" | "friendlyNetworks">,
  options: { bannedOnly?: boolean } = {},
): pl.DataFrame {
  const ips = frames.ips;
  let friendly = pl.lit(false);
  if (params.friendlyCountries.length > 0) {
    friendly = friendly.or(pl.col("country.iso_code").isIn(params.friendlyCountries));
  }
  if (params.friendlyNetworks.length > 0) {
    friendly = friendly.or(pl.col("traits.autonomous_system_number").isIn(params.friendlyNetworks));
  }
  const selected = ips.filter(friendly);
  return (options.bannedOnly ?? true) ? selected.filter(pl.col("bans").gt(0)) : selected;
}

/** One exported file. */
export interface ExportedFile {
  path: string;
  rows: number;
  what: string;
}

/** The frames exported, by file stem. */
export const EXPORTS = {
  attempts: "every attempt (one row per suspicious event with attempts > 0) with its IP's details",
  ips: "unique IPs: attempts, bans, first/last seen, country, city, coordinates, ASN/organisation",
  subnets: "IPv4 /24 and IPv6 /64 subnets of attacking IPs",
  countries: "attempts, unique IPs and unique subnets per country, with percentages",
  networks: "attempts, unique IPs and subnets per autonomous system, with percentages",
  bans: "one row per ban, with unban and duration",
  usernames: "user names tried: attempts, IPs, invalid or existing",
  daily: "attempts, unique IPs and bans per UTC day (zero days included)",
} as const;

/** Properties of each GeoJSON point. */
export const GEOJSON_PROPERTIES = [
  "ip",
  "attempts",
  "bans",
  "first_seen",
  "last_seen",
  "country.iso_code",
  "country.names.en",
  "city.names.en",
  "traits.autonomous_system_number",
  "traits.autonomous_system_organization",
  "provider",
] as const;

/**
 * The rows of `frame` as objects, read a column at a time: what
 * `toRecords()` gives (with Int64 as bigint, which the GeoJSON's properties
 * turn into numbers), in a fraction of its time (1m+1m, 9,380 attacking IPs:
 * 200 ms of toRecords() on this thread while Polars writes the attempts).
 */
function frameRows(frame: pl.DataFrame): Record<string, unknown>[] {
  const names = frame.columns;
  const columns = names.map((name) => frame.getColumn(name).toArray());
  const rows = new Array<Record<string, unknown>>(frame.height);
  for (let i = 0; i < rows.length; i++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) row[names[c]] = columns[c][i];
    rows[i] = row;
  }
  return rows;
}

/** The attacking IPs (attempts > 0) as GeoJSON points. */
export function ipsGeoJson(frames: Pick<Frames, "ips">) {
  const rows = frameRows(frames.ips.filter(pl.col("attempts").gt(0)));
  const { collection, skipped } = pointsToGeoJson(rows, {
    latitude: "location.latitude",
    longitude: "location.longitude",
    properties: GEOJSON_PROPERTIES.filter((p) => frames.ips.columns.includes(p)),
  });
  // friendlier property names than the dotted columns
  for (const f of collection.features) {
    const p = f.properties;
    f.properties = {
      ip: p.ip,
      attempts: p.attempts,
      bans: p.bans,
      first_seen: p.first_seen,
      last_seen: p.last_seen,
      country: p["country.iso_code"] ?? null,
      country_name: p["country.names.en"] ?? null,
      city: p["city.names.en"] ?? null,
      asn: p["traits.autonomous_system_number"] ?? null,
      organization: p["traits.autonomous_system_organization"] ?? null,
      provider: p.provider ?? null,
    };
  }
  return { collection, skipped };
}
