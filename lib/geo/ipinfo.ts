/**
 * ipinfo.io as an online provider.
 *
 * - Single lookups: `GET {baseUrl}/{ip}/json`, the token (if any) in an
 *   `Authorization: Bearer` header, never in the URL.
 * - With a token, batches: `POST {baseUrl}/batch` with a JSON array of up to
 *   1000 lookups; the answer is an object keyed by what was sent
 *   (ipinfo.io/developers/batch). If the batch endpoint answers 401/403 the
 *   provider falls back to single lookups.
 * - `{"ip": …, "bogon": true}` → `reserved`. A 429 after the HTTP client's
 *   retries ends this provider's run (the quota is used up): the rest fail
 *   retryably. 401/403 on single lookups (bad token) do the same.
 *
 * @module
 */
import { normalizeIp } from "../logs/ip.ts";
import { AnswerBook, runPool, scrubSecrets } from "./http.ts";
import type {
  Derived,
  DerivedColumns,
  DetailColumn,
  FetchContext,
  HttpResult,
  OnlineProvider,
  RawAnswer,
} from "./types.ts";

/** Options of {@linkcode createIpinfoProvider}. */
export interface IpinfoOptions {
  /** Access token; without one only single lookups are made (limited free use). */
  token?: string;
  /** Service root, without a trailing slash. @default "https://ipinfo.io" */
  baseUrl?: string;
  /** Use the batch endpoint when a token is set. @default true */
  batch?: boolean;
  /** Lookups per batch request (the service allows 1000). @default 1000 */
  batchSize?: number;
  /** How long a positive answer stays fresh, ms. @default 30 days */
  ttlMs?: number;
  /** How long a `not_found` stays fresh, ms. @default 7 days */
  negativeTtlMs?: number;
  /** IPs handled at once in single mode (the HTTP client limits requests in flight). @default 8 */
  parallel?: number;
}

const DAY_MS = 86_400_000;
/** The documented maximum of lookups in one `/batch` request. */
export const IPINFO_BATCH_MAX = 1000;

const defaults = {
  baseUrl: "https://ipinfo.io",
  batch: true,
  batchSize: IPINFO_BATCH_MAX,
  ttlMs: 30 * DAY_MS,
  negativeTtlMs: 7 * DAY_MS,
  parallel: 8,
} satisfies Partial<IpinfoOptions>;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function put(
  columns: DerivedColumns,
  column: DetailColumn,
  value: string | number | boolean | undefined,
) {
  if (value !== undefined) columns[column] = value;
}

/** "AS15169" or "AS15169 Google LLC" → 15169 and "Google LLC". */
function parseAs(value: string): { asn?: number; name?: string } {
  const match = /^AS(\d{1,10})(?:\s+(.+))?$/i.exec(value.trim());
  if (!match) return {};
  const asn = Number(match[1]);
  return { asn: Number.isSafeInteger(asn) ? asn : undefined, name: text(match[2]) };
}

/**
 * Columns from an ipinfo.io answer: `loc` "lat,lon", `country`, `region`,
 * `city`, `postal`, `timezone`, `org` "AS… name", and on paid plans `asn`,
 * `company` and `privacy`.
 */
export function deriveIpinfo(raw: unknown): Derived {
  const columns: DerivedColumns = {};
  if (!isRecord(raw)) return { columns, network: null };
  const country = text(raw.country);
  if (country !== undefined && /^[A-Z]{2}$/.test(country)) columns["country.iso_code"] = country;
  put(columns, "subdivisions.0.names.en", text(raw.region));
  put(columns, "city.names.en", text(raw.city));
  put(columns, "postal.code", text(raw.postal));
  put(columns, "location.time_zone", text(raw.timezone));
  const loc = text(raw.loc);
  if (loc !== undefined) {
    const comma = loc.indexOf(",");
    const latitude = Number(loc.slice(0, comma));
    const longitude = Number(loc.slice(comma + 1));
    if (
      comma > 0 && Number.isFinite(latitude) && Number.isFinite(longitude) &&
      Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180
    ) {
      columns["location.latitude"] = latitude;
      columns["location.longitude"] = longitude;
    }
  }
  const org = text(raw.org);
  if (org !== undefined) {
    const { asn, name } = parseAs(org);
    put(columns, "traits.autonomous_system_number", asn);
    put(columns, "traits.autonomous_system_organization", name);
  }
  let network: string | null = null;
  if (isRecord(raw.asn)) {
    const asnText = text(raw.asn.asn);
    if (asnText !== undefined) {
      put(columns, "traits.autonomous_system_number", parseAs(asnText).asn);
    }
    put(columns, "traits.autonomous_system_organization", text(raw.asn.name));
    network = text(raw.asn.route) ?? null;
  }
  if (isRecord(raw.company)) put(columns, "traits.organization", text(raw.company.name));
  if (isRecord(raw.privacy)) {
    const privacy = raw.privacy;
    const flag = (key: string) => typeof privacy[key] === "boolean" ? privacy[key] : undefined;
    put(columns, "traits.is_anonymous_vpn", flag("vpn"));
    put(columns, "traits.is_public_proxy", flag("proxy"));
    put(columns, "traits.is_tor_exit_node", flag("tor"));
    put(columns, "traits.is_hosting_provider", flag("hosting"));
    const anonymity = ["vpn", "proxy", "tor", "relay"].map(flag).filter((v) => v !== undefined);
    if (anonymity.length > 0) columns["traits.is_anonymous"] = anonymity.includes(true);
  }
  if (network === null && isRecord(raw.abuse)) network = text(raw.abuse.network) ?? null;
  return { columns, network };
}

/** The answer for one ipinfo.io body. */
function answerOf(body: unknown): RawAnswer {
  if (!isRecord(body)) {
    return {
      status: "error",
      reason: "ipinfo answered with something other than a JSON object",
      retryable: true,
    };
  }
  if (body.bogon === true) return { status: "reserved", raw: body };
  if (body.error !== undefined) {
    const error = body.error;
    const title = isRecord(error) ? text(error.title) : text(error);
    return {
      status: "error",
      reason: `ipinfo: ${title ?? "error"}`.slice(0, 200),
      retryable: true,
    };
  }
  return { status: "ok", raw: body };
}

/**
 * The ipinfo.io provider, named `ipinfo`.
 *
 * @example
 * ```ts
 * import { createIpinfoProvider } from "./ipinfo.ts";
 * const ipinfo = createIpinfoProvider({ token: "the-token" });
 * ipinfo.paid; // false (rate-limited, not billed per query here)
 * ```
 */
export function createIpinfoProvider(options: IpinfoOptions = {}): OnlineProvider {
  const settings = { ...defaults, ...options };
  if (!(settings.batchSize >= 1 && settings.batchSize <= IPINFO_BATCH_MAX)) {
    throw new RangeError(
      `Cannot create the ipinfo provider: batchSize must be 1…${IPINFO_BATCH_MAX}`,
    );
  }
  const baseUrl = settings.baseUrl.replace(/\/+$/, "");
  const token = options.token?.trim() || undefined;
  const secrets = token === undefined ? [] : [token];
  const scrub = (s: string) => scrubSecrets(s, secrets);
  const headers: Record<string, string> = { Accept: "application/json" };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;

  async function fetchAll(ips: readonly string[], context: FetchContext): Promise<void> {
    const book = new AnswerBook(ips, (ip, answer) => context.answer(ip, answer));
    let stopReason: string | null = null;
    const normalOf = new Map<string, string>();
    for (const ip of book.pending) {
      const normal = normalizeIp(ip);
      if (normal === undefined) {
        book.answer(ip, { status: "error", reason: "not an IP address", retryable: false });
      } else normalOf.set(ip, normal);
    }

    /** After a result that means "stop asking": 429 after retries, bad token. */
    const stopOn = (result: HttpResult & { ok: false }): string | null => {
      if (result.status === 429) return `ipinfo rate limit reached: ${scrub(result.reason)}`;
      if (result.status === 401 || result.status === 403) {
        return `ipinfo refused the token (HTTP ${result.status}): check it`;
      }
      if (result.status === null && context.stopped) return scrub(result.reason);
      return null;
    };

    let useBatch = token !== undefined && settings.batch;
    if (useBatch) {
      const pending = book.pending;
      for (let start = 0; start < pending.length && useBatch; start += settings.batchSize) {
        if (stopReason !== null || context.stopped) break;
        const chunk = pending.slice(start, start + settings.batchSize);
        const result = await context.request(`${baseUrl}/batch`, {
          method: "POST",
          headers: { ...headers, "Content-Type": "application/json" },
          body: JSON.stringify(chunk.map((ip) => normalOf.get(ip))),
        });
        if (result.ok) {
          const body = isRecord(result.body) ? result.body : {};
          for (const ip of chunk) {
            const normal = normalOf.get(ip)!;
            const value = body[normal] ?? body[`${normal}/json`];
            if (value === undefined) {
              book.answer(ip, {
                status: "error",
                reason: "missing from the ipinfo batch answer",
                retryable: true,
              });
            } else book.answer(ip, answerOf(value));
          }
          continue;
        }
        if (result.status === 401 || result.status === 403) {
          useBatch = false; // the plan or token does not allow batches: ask one by one
          break;
        }
        const reason = stopOn(result);
        if (reason !== null) {
          stopReason = reason;
          break;
        }
        for (const ip of chunk) {
          book.answer(ip, { status: "error", reason: scrub(result.reason), retryable: true });
        }
      }
    }

    if (stopReason === null && !useBatch) {
      await runPool(book.pending, settings.parallel, async (ip) => {
        if (stopReason !== null) return;
        const normal = normalOf.get(ip)!;
        const result = await context.request(`${baseUrl}/${normal}/json`, {
          method: "GET",
          headers,
        });
        if (result.ok) {
          book.answer(ip, answerOf(result.body));
          return;
        }
        if (result.status === 404) {
          book.answer(ip, { status: "not_found", raw: result.body });
          return;
        }
        const reason = stopOn(result);
        if (reason !== null) {
          stopReason ??= reason;
          book.answer(ip, { status: "error", reason: stopReason, retryable: true });
          return;
        }
        book.answer(ip, {
          status: "error",
          reason: scrub(result.reason),
          retryable: result.retryable || result.status === null || result.status >= 500,
        });
      });
    }
    book.failRest(stopReason ?? "ipinfo gave no answer", true);
  }

  return {
    name: "ipinfo",
    kind: "online",
    paid: false,
    ttlMs: settings.ttlMs,
    negativeTtlMs: settings.negativeTtlMs,
    version: "ipinfo.io API",
    attribution: "IP address data powered by IPinfo (https://ipinfo.io)",
    fetch: fetchAll,
    derive: (raw: unknown) => deriveIpinfo(raw),
  };
}
