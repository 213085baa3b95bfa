/**
 * `lookupIps`: every attacking IP through the configured providers, the
 * on-disk cache first, merged column by column with provenance.
 *
 * - Non-public addresses (private, loopback, CGNAT, documentation, …) are never
 *   sent anywhere; they come back labelled by `ip_class`.
 * - Online providers are asked only about cache misses (or expired answers);
 *   every answer is written to the cache the moment it arrives, so an
 *   interrupted run loses nothing; a rerun over the same IPs asks nothing.
 * - `offline` never touches the network and lists what it could not answer;
 *   `refresh` asks again; `dryRun` counts what would be asked.
 * - Providers are given in priority order: each column comes from the first
 *   provider that knows it (city from one, ASN from another, risk traits from
 *   a third), and `sources` records which.
 *
 * @module
 */
import { normalizeIp } from "../logs/ip.ts";
import { PROJECT_ROOT } from "../paths.ts";
import { GeoCache } from "./cache.ts";
import type { CacheEntry } from "./cache.ts";
import { classifyIp } from "./classify.ts";
import { NetworkIndex } from "./cidr.ts";
import {
  type Derived,
  DETAIL_COLUMNS,
  type FetchContext,
  type GeoProvider,
  type HttpResult,
  type IpClass,
  type IpDetails,
  type OnlineProvider,
  type RawAnswer,
} from "./types.ts";

/** The default cache directory. */
export const DEFAULT_CACHE_DIR = `${PROJECT_ROOT}/data/cache`;

/** Sends requests for online providers (see lib/geo/http.ts). */
export interface RequestClient {
  request(url: string, init?: RequestInit & { paid?: boolean }): Promise<HttpResult>;
  /** Stop all further requests of the run (e.g. out of funds, Ctrl-C). */
  stop(reason: string): void;
  readonly stopped: boolean;
  /** Why the client stopped, if it did. */
  readonly stopReason?: string;
}

/** Progress of a lookup, for a progress bar. */
export interface LookupProgress {
  provider: string;
  /** IPs settled for this provider (answered, from cache, failed). */
  done: number;
  total: number;
  fromCache: number;
  failed: number;
}

/** Options of {@linkcode lookupIps}. */
export interface LookupOptions {
  /** Providers in priority order. */
  providers: readonly GeoProvider[];
  /** Where caches live. @default data/cache */
  cacheDir?: string;
  /** Never touch the network: online providers answer from the cache only. @default false */
  offline?: boolean;
  /** Ignore cached answers and ask again. @default false */
  refresh?: boolean;
  /** Count what would be asked; send nothing. @default false */
  dryRun?: boolean;
  /** Makes the request client of each online provider (required unless offline/dry run). */
  client?: (provider: OnlineProvider) => RequestClient;
  /** The clock. @default Date.now */
  now?: () => number;
  onProgress?: (progress: LookupProgress) => void;
  /** Aborting stops every provider; answers so far are kept. */
  signal?: AbortSignal;
}

/** Per-provider statistics. */
export interface ProviderStats {
  provider: string;
  kind: "offline" | "online";
  /** Public IPs this provider was responsible for. */
  asked: number;
  /** Answered with data (from the database, the cache or the service). */
  answered: number;
  fromCache: number;
  fetched: number;
  /** Definitive misses (not in the database / service, or reserved). */
  notFound: number;
  failed: number;
  /** Online: cache misses that were not asked (offline mode or dry run). */
  notAsked: number;
  /** Online: cached answers that had expired and were asked again. */
  expired: number;
}

/** An IP a provider could not answer, with the reason. */
export interface FailedIp {
  ip: string;
  provider: string;
  reason: string;
  retryable: boolean;
}

/** The result of {@linkcode lookupIps}. */
export interface LookupResult {
  /** One record per distinct input IP, in first-seen order. */
  details: IpDetails[];
  stats: ProviderStats[];
  /** IPs that failed this run (also persisted in the provider's cache). */
  failed: FailedIp[];
  /** Offline mode / dry run: cache misses per online provider that were not asked. */
  notAsked: { provider: string; ips: string[]; paid: boolean }[];
  /** Count of non-public addresses by class (never sent anywhere). */
  nonPublic: Partial<Record<IpClass, number>>;
  /** Attributions the providers' licences require. */
  attributions: string[];
  /** Inputs that were not IP addresses. */
  invalid: string[];
}

interface Answer {
  derived: Derived;
  fetchedAt: number;
}

const ONLINE_FAILURE = "no answer";

/** Blank record for an IP. */
function blank(ip: string, ipClass: IpClass): IpDetails {
  const record = {
    ip,
    ip_class: ipClass,
    network: null,
    provider: null,
    source_version: null,
    fetched_at: null,
    sources: {},
    failure: null,
  } as unknown as IpDetails;
  for (const column of DETAIL_COLUMNS) (record as Record<string, unknown>)[column] = null;
  return record;
}

/**
 * Look up every IP through the providers, cache first.
 *
 * @example
 * ```ts ignore
 * import { lookupIps } from "./lookup.ts";
 * import { openDbip } from "./dbip.ts";
 * const dbip = openDbip();
 * const { details } = await lookupIps(["81.2.69.160"], { providers: [dbip] });
 * details[0]["country.iso_code"]; // "GB"
 * ```
 */
export async function lookupIps(
  ips: Iterable<string>,
  options: LookupOptions,
): Promise<LookupResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const classes = new Map<string, IpClass>();
  const invalid: string[] = [];
  for (const text of ips) {
    const ip = normalizeIp(text.trim());
    if (ip === undefined) {
      invalid.push(text);
      continue;
    }
    if (!classes.has(ip)) classes.set(ip, classifyIp(ip));
  }
  const publicIps = [...classes].filter(([, c]) => c === "public").map(([ip]) => ip);
  const nonPublic: Partial<Record<IpClass, number>> = {};
  for (const c of classes.values()) if (c !== "public") nonPublic[c] = (nonPublic[c] ?? 0) + 1;

  const answers = new Map<string, Map<string, Answer>>();
  const stats: ProviderStats[] = [];
  const failed: FailedIp[] = [];
  const notAsked: LookupResult["notAsked"] = [];

  for (const provider of options.providers) {
    if (options.signal?.aborted) break;
    const got = new Map<string, Answer>();
    answers.set(provider.name, got);
    const s: ProviderStats = {
      provider: provider.name,
      kind: provider.kind,
      asked: publicIps.length,
      answered: 0,
      fromCache: 0,
      fetched: 0,
      notFound: 0,
      failed: 0,
      notAsked: 0,
      expired: 0,
    };
    stats.push(s);
    if (provider.kind === "offline") {
      const found = provider.lookup(publicIps);
      for (const ip of publicIps) {
        const derived = found.get(ip);
        if (derived) {
          got.set(ip, { derived, fetchedAt: started });
          s.answered++;
        } else s.notFound++;
      }
      options.onProgress?.({
        provider: provider.name,
        done: publicIps.length,
        total: publicIps.length,
        fromCache: 0,
        failed: 0,
      });
      continue;
    }
    await lookupOnline(provider, publicIps, got, s, failed, notAsked, {
      ...options,
      now,
      cacheDir,
    });
  }

  // merge, column by column, in provider priority order
  const versions = new Map(options.providers.map((p) => [p.name, p.version]));
  const details: IpDetails[] = [];
  const failedByIp = new Map<string, string[]>();
  for (const f of failed) {
    const list = failedByIp.get(f.ip) ?? [];
    list.push(`${f.provider}: ${f.reason}`);
    failedByIp.set(f.ip, list);
  }
  for (const [ip, ipClass] of classes) {
    const record = blank(ip, ipClass) as IpDetails & Record<string, unknown>;
    const contributors: string[] = [];
    let fetchedAt = -Infinity;
    for (const provider of options.providers) {
      const answer = answers.get(provider.name)?.get(ip);
      if (!answer) continue;
      let used = false;
      for (const column of DETAIL_COLUMNS) {
        const value = answer.derived.columns[column];
        if (value === undefined || value === null || value === "" || record[column] !== null) {
          continue;
        }
        if (typeof value === "number" && !Number.isFinite(value)) continue;
        record[column] = value;
        record.sources[column] = provider.name;
        used = true;
      }
      if (record.network === null && answer.derived.network) {
        record.network = answer.derived.network;
        used = true;
      }
      if (used) {
        contributors.push(provider.name);
        fetchedAt = Math.max(fetchedAt, answer.fetchedAt);
      }
    }
    if (contributors.length > 0) {
      record.provider = contributors.join(",");
      record.source_version = contributors.map((name) => `${name} ${versions.get(name)}`).join(
        "; ",
      );
      record.fetched_at = new Date(fetchedAt).toISOString();
    }
    const failures = failedByIp.get(ip);
    if (failures && contributors.length === 0) record.failure = failures.join("; ");
    details.push(record);
  }
  const attributions = [
    ...new Set(options.providers.map((p) => p.attribution).filter((a): a is string => !!a)),
  ];
  return { details, stats, failed, notAsked, nonPublic, attributions, invalid };
}

async function lookupOnline(
  provider: OnlineProvider,
  ips: readonly string[],
  got: Map<string, Answer>,
  s: ProviderStats,
  failed: FailedIp[],
  notAsked: LookupResult["notAsked"],
  options: LookupOptions & { now: () => number; cacheDir: string },
): Promise<void> {
  const { now } = options;
  const cache = GeoCache.open(options.cacheDir, provider.name);
  try {
    const networks = new NetworkIndex<CacheEntry>();
    if (provider.cachesNetworks && !options.refresh) {
      for (const entry of cache.networks()) networks.add(entry.key, entry);
    }
    const misses: string[] = [];
    const t = now();
    const progress = () =>
      options.onProgress?.({
        provider: provider.name,
        done: s.answered + s.notFound + s.failed,
        total: ips.length,
        fromCache: s.fromCache,
        failed: s.failed,
      });
    for (const ip of ips) {
      let entry = options.refresh ? undefined : cache.get(ip);
      if (!entry && provider.cachesNetworks && !options.refresh) entry = networks.find(ip)?.value;
      if (entry && entry.expiresAt > t) {
        s.fromCache++;
        if (entry.status === "ok") {
          const network = entry.key.includes("/") ? entry.key : undefined;
          got.set(ip, {
            derived: derive(provider, entry.raw, ip, network),
            fetchedAt: entry.fetchedAt,
          });
          s.answered++;
        } else s.notFound++;
        continue;
      }
      if (entry) s.expired++;
      misses.push(ip);
    }
    progress();
    if (misses.length === 0) return;
    if (options.offline || options.dryRun) {
      s.notAsked += misses.length;
      notAsked.push({ provider: provider.name, ips: misses, paid: provider.paid });
      return;
    }
    if (!options.client) {
      throw new TypeError(`lookupIps needs a request client for ${provider.name}`);
    }
    const client = options.client(provider);
    const onAbort = () => client.stop("interrupted");
    options.signal?.addEventListener("abort", onAbort);
    const settled = new Set<string>();
    const context: FetchContext = {
      request: (url, init) => client.request(url, init),
      get stopped() {
        return client.stopped;
      },
      stop: (reason) => client.stop(reason),
      answer(ip: string, answer: RawAnswer) {
        if (settled.has(ip)) return;
        settled.add(ip);
        const at = now();
        switch (answer.status) {
          case "ok": {
            const key = answer.network ?? ip;
            const entry: CacheEntry = {
              key,
              status: "ok",
              fetchedAt: at,
              expiresAt: at + provider.ttlMs,
              raw: answer.raw,
            };
            cache.put(entry, ip);
            if (answer.network) networks.add(answer.network, entry);
            got.set(ip, {
              derived: derive(provider, answer.raw, ip, answer.network),
              fetchedAt: at,
            });
            s.fetched++;
            s.answered++;
            break;
          }
          case "not_found":
          case "reserved":
            cache.put({
              key: ip,
              status: answer.status,
              fetchedAt: at,
              expiresAt: at + provider.negativeTtlMs,
              raw: answer.raw,
            }, ip);
            s.fetched++;
            s.notFound++;
            break;
          case "error":
            cache.fail(ip, answer.reason, answer.retryable, at);
            failed.push({
              ip,
              provider: provider.name,
              reason: answer.reason,
              retryable: answer.retryable,
            });
            s.failed++;
            break;
        }
        progress();
      },
    };
    try {
      await provider.fetch(misses, context);
    } catch (error) {
      client.stop(`${provider.name} failed: ${(error as Error).message}`);
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
    // anything the provider did not settle (stopped, out of funds, crashed) is a failure to retry
    for (const ip of misses) {
      if (settled.has(ip)) continue;
      const reason = client.stopReason ? `not asked: ${client.stopReason}` : ONLINE_FAILURE;
      context.answer(ip, { status: "error", reason, retryable: true });
    }
  } finally {
    cache.close();
  }
}

function derive(provider: OnlineProvider, raw: unknown, ip: string, network?: string): Derived {
  try {
    const derived = provider.derive(raw, ip);
    if (network && !derived.network) derived.network = network;
    return derived;
  } catch {
    return { columns: {}, network: network ?? null };
  }
}
