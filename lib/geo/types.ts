/**
 * One record shape for "who and where is this IP", whatever the provider:
 * flat, dotted column names in the GeoIP2 vocabulary, plus provenance.
 *
 * Missing stays missing: `null`, never `""` or `0` (notebooks measure
 * missingness).
 *
 * @module
 */

/** The geo/network columns, in display order. */
export const DETAIL_COLUMNS = [
  "continent.code",
  "country.iso_code",
  "country.names.en",
  "subdivisions.0.names.en",
  "city.names.en",
  "postal.code",
  "location.latitude",
  "location.longitude",
  "location.accuracy_radius",
  "location.time_zone",
  "traits.autonomous_system_number",
  "traits.autonomous_system_organization",
  "traits.isp",
  "traits.organization",
  "traits.user_type",
  "traits.is_anonymous",
  "traits.is_anonymous_vpn",
  "traits.is_hosting_provider",
  "traits.is_public_proxy",
  "traits.is_tor_exit_node",
  "registered_country.iso_code",
  "rdap.name",
  "rdap.handle",
  "rdap.abuse_email",
] as const;

/** A geo/network column name. */
export type DetailColumn = typeof DETAIL_COLUMNS[number];

/** A column value: missing is `null`. */
export type DetailValue = string | number | boolean | null;

/** Columns a provider derived from one answer (absent or null = it does not know). */
export type DerivedColumns = Partial<Record<DetailColumn, DetailValue>>;

/** What one provider knows of one IP. */
export interface Derived {
  columns: DerivedColumns;
  /** The matched network in CIDR notation, when the provider says. */
  network?: string | null;
}

/**
 * Classes of addresses. Anything but `public` is never sent to a service and
 * is labelled with its class instead.
 */
export type IpClass =
  | "public"
  | "private"
  | "loopback"
  | "link-local"
  | "cgnat"
  | "documentation"
  | "multicast"
  | "unspecified"
  | "benchmarking"
  | "reserved"
  | "invalid";

/** The full record for one IP. */
export type IpDetails =
  & {
    ip: string;
    /** See {@linkcode IpClass}. */
    ip_class: IpClass;
    /** The matched network (CIDR) of the first provider that gave one. */
    network: string | null;
    /** Providers that contributed a column, in priority order, comma-separated. */
    provider: string | null;
    /** Database build dates or API names of the contributing providers (`dbip 2026-06-05; asn 2026-06-17`). */
    source_version: string | null;
    /** When the newest contributing answer was obtained (ISO 8601 UTC). */
    fetched_at: string | null;
    /** Column → provider that gave it. */
    sources: Partial<Record<DetailColumn, string>>;
    /** Why no provider could answer, when none did (e.g. `timeout after 3 tries`). */
    failure: string | null;
  }
  & Record<DetailColumn, DetailValue>;

/** A definitive or failed answer of an online service for one key (IP or network). */
export type RawAnswer =
  | {
    status: "ok";
    /** The service's response body, as parsed JSON. Never contains a key. */
    raw: unknown;
    /** Cache the answer under this network (CIDR) instead of the IP (RDAP). */
    network?: string;
  }
  /** The service knows nothing of the IP: cached negatively. */
  | { status: "not_found"; raw?: unknown }
  /** The service says the IP is reserved/private: cached negatively, never retried. */
  | { status: "reserved"; raw?: unknown }
  /** The query failed; `retryable` errors are retried on the next run. */
  | { status: "error"; reason: string; retryable: boolean };

/** An offline database: answers many IPs at once, locally. */
export interface OfflineProvider {
  readonly name: string;
  readonly kind: "offline";
  /** Build date of the database (YYYY-MM-DD) or its name. */
  readonly version: string;
  /** Answer each IP; `undefined` when the database has no record for it. */
  lookup(ips: readonly string[]): Map<string, Derived | undefined>;
  /** Attribution a report must show, if the licence asks for one. */
  readonly attribution?: string;
  close(): void;
}

/** What an online provider is given to talk to its service. */
export interface FetchContext {
  /** GET/POST JSON with the run's timeouts, retries, backoff, rate limits and budget. */
  request(url: string, init?: RequestInit & { paid?: boolean }): Promise<HttpResult>;
  /** Report an answer as soon as it arrives (written to the cache at once). */
  answer(ip: string, answer: RawAnswer): void;
  /** True once the provider should stop asking (out of funds, budget used up, Ctrl-C). */
  readonly stopped: boolean;
  /** Stop all further paid queries of this run, with the reason (e.g. `INSUFFICIENT_FUNDS`). */
  stop(reason: string): void;
}

/** The outcome of one HTTP exchange after retries. */
export type HttpResult =
  | { ok: true; status: number; body: unknown; headers: Headers }
  | { ok: false; status: number | null; body: unknown; reason: string; retryable: boolean };

/** A web service: asked only about cache misses. */
export interface OnlineProvider {
  readonly name: string;
  readonly kind: "online";
  /** Queries cost money (count against `--max-queries`). */
  readonly paid: boolean;
  /** How long a positive answer stays fresh, ms. */
  readonly ttlMs: number;
  /** How long a definitive miss (`not_found`) stays fresh, ms. */
  readonly negativeTtlMs: number;
  /** API name and version for `source_version`. */
  readonly version: string;
  /** Answers are per network (RDAP): cached by CIDR, later IPs in it answered from the cache. */
  readonly cachesNetworks?: boolean;
  readonly attribution?: string;
  /** Ask the service about `ips` (cache misses, public addresses only). */
  fetch(ips: readonly string[], context: FetchContext): Promise<void>;
  /** Columns from a (cached) raw answer: no network. */
  derive(raw: unknown, ip: string): Derived;
}

/** Either kind of provider. */
export type GeoProvider = OfflineProvider | OnlineProvider;
