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
import type { CacheEntry } from "./cache.ts";
import { classifyNormalIp } from "./classify.ts";
import { NetworkIndex } from "./cidr.ts";
import {
  type Derived,
  type DerivedColumns,
  DETAIL_COLUMNS,
  type DetailColumn,
  type DetailValue,
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

/** Provenance of a details record. */
type Provenance = Pick<
  IpDetails,
  "network" | "provider" | "source_version" | "fetched_at" | "sources" | "failure"
>;

/** The provenance of a record no provider contributed to (a `sources` of its own). */
function noProvenance(failure: string | null = null): Provenance {
  return {
    network: null,
    provider: null,
    source_version: null,
    fetched_at: null,
    sources: {},
    failure,
  };
}

const NO_VALUES: readonly DetailValue[] = DETAIL_COLUMNS.map(() => null);

/**
 * The details record of `ip`: `values` in {@linkcode DETAIL_COLUMNS} order
 * (all null when not given). One object literal, so that every record has
 * the same shape, built at once (a record built a property at a time cost
 * some 10 µs an IP, to build and to read).
 */
export function ipDetailsRecord(
  ip: string,
  ipClass: IpClass,
  values: readonly DetailValue[] = NO_VALUES,
  provenance: Readonly<Provenance> = noProvenance(),
): IpDetails {
  return {
    ip,
    ip_class: ipClass,
    network: provenance.network,
    provider: provenance.provider,
    source_version: provenance.source_version,
    fetched_at: provenance.fetched_at,
    sources: provenance.sources,
    failure: provenance.failure,
    "continent.code": values[0],
    "country.iso_code": values[1],
    "country.names.en": values[2],
    "subdivisions.0.names.en": values[3],
    "city.names.en": values[4],
    "postal.code": values[5],
    "location.latitude": values[6],
    "location.longitude": values[7],
    "location.accuracy_radius": values[8],
    "location.time_zone": values[9],
    "traits.autonomous_system_number": values[10],
    "traits.autonomous_system_organization": values[11],
    "traits.isp": values[12],
    "traits.organization": values[13],
    "traits.user_type": values[14],
    "traits.is_anonymous": values[15],
    "traits.is_anonymous_vpn": values[16],
    "traits.is_hosting_provider": values[17],
    "traits.is_public_proxy": values[18],
    "traits.is_tor_exit_node": values[19],
    "registered_country.iso_code": values[20],
    "rdap.name": values[21],
    "rdap.handle": values[22],
    "rdap.abuse_email": values[23],
  };
}

/**
 * The columns of a provider's answer that count, as (index in
 * {@linkcode DETAIL_COLUMNS}, value) pairs: not missing, not "", no
 * infinite or NaN number.
 */
function usableColumns(columns: DerivedColumns): (number | DetailValue)[] {
  const pairs: (number | DetailValue)[] = [];
  for (let c = 0; c < DETAIL_COLUMNS.length; c++) {
    const value = columns[DETAIL_COLUMNS[c]];
    if (value === undefined || value === null || value === "") continue;
    if (typeof value === "number" && !Number.isFinite(value)) continue;
    pairs.push(c, value);
  }
  return pairs;
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
    if (!classes.has(ip)) classes.set(ip, classifyNormalIp(ip));
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

  // merge, column by column, in provider priority order (what is the same
  // for many IPs is worked out once: the usable columns of a shared answer,
  // the provenance texts of a set of providers, the text of a time)
  const providers = options.providers;
  const answered = providers.map((p) => answers.get(p.name));
  const versions = providers.map((p) => `${p.name} ${p.version}`);
  const usable = new Map<DerivedColumns, (number | DetailValue)[]>();
  const texts = new Map<number, [provider: string, version: string]>();
  const times = new Map<number, string>();
  const failedByIp = new Map<string, string[]>();
  for (const f of failed) {
    const list = failedByIp.get(f.ip) ?? [];
    list.push(`${f.provider}: ${f.reason}`);
    failedByIp.set(f.ip, list);
  }
  const details: IpDetails[] = [];
  const from = new Int8Array(DETAIL_COLUMNS.length);
  for (const [ip, ipClass] of classes) {
    const values: DetailValue[] = NO_VALUES.slice();
    let network: string | null = null;
    let contributors = 0;
    let fetchedAt = -Infinity;
    for (let p = 0; p < providers.length; p++) {
      const answer = answered[p]?.get(ip);
      if (!answer) continue;
      let pairs = usable.get(answer.derived.columns);
      if (pairs === undefined) {
        usable.set(answer.derived.columns, pairs = usableColumns(answer.derived.columns));
      }
      let used = false;
      for (let k = 0; k < pairs.length; k += 2) {
        const c = pairs[k] as number;
        if (values[c] !== null) continue;
        values[c] = pairs[k + 1] as DetailValue;
        from[c] = p;
        used = true;
      }
      if (network === null && answer.derived.network) {
        network = answer.derived.network;
        used = true;
      }
      if (used) {
        contributors |= 1 << p;
        fetchedAt = Math.max(fetchedAt, answer.fetchedAt);
      }
    }
    const failures = failedByIp.get(ip);
    if (contributors === 0) {
      details.push(
        ipDetailsRecord(ip, ipClass, values, noProvenance(failures ? failures.join("; ") : null)),
      );
      continue;
    }
    let text = texts.get(contributors);
    if (text === undefined) {
      const names: string[] = [], sourceVersions: string[] = [];
      for (let p = 0; p < providers.length; p++) {
        if ((contributors & (1 << p)) === 0) continue;
        names.push(providers[p].name);
        sourceVersions.push(versions[p]);
      }
      texts.set(contributors, text = [names.join(","), sourceVersions.join("; ")]);
    }
    let fetched = times.get(fetchedAt);
    if (fetched === undefined) times.set(fetchedAt, fetched = new Date(fetchedAt).toISOString());
    const sources: Partial<Record<DetailColumn, string>> = {};
    for (let c = 0; c < DETAIL_COLUMNS.length; c++) {
      if (values[c] !== null) sources[DETAIL_COLUMNS[c]] = providers[from[c]].name;
    }
    details.push(
      ipDetailsRecord(ip, ipClass, values, {
        network,
        provider: text[0],
        source_version: text[1],
        fetched_at: fetched,
        sources,
        failure: null,
      }),
    );
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
  // (loaded here: only online providers have a cache, and opening SQLite
  // takes some 10–20 ms of a run's start that offline runs need not pay)
  const { GeoCache } = await import("./cache.ts");
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
