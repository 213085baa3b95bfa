/**
 * MaxMind GeoIP2 web services (Country, City Plus, Insights) as an online
 * provider: `GET {baseUrl}/geoip/v2.1/{service}/{ip}` with HTTP basic
 * authentication (account ID : license key).
 *
 * Errors as documented in "GeoIP and GeoLite API Responses"
 * (dev.maxmind.com/geoip/docs/web-services/responses): `IP_ADDRESS_RESERVED`
 * and `IP_ADDRESS_INVALID` (400) → `reserved`; `IP_ADDRESS_NOT_FOUND` (404) →
 * `not_found`; 401 (bad or missing account ID / license key), 402
 * (`INSUFFICIENT_FUNDS`, `OUT_OF_QUERIES`, `PERMISSION_REQUIRED`) and 403 stop
 * the provider for the run: answers so far are kept, the rest fail retryably
 * with the reason. 429 and 5xx are retried by the HTTP client.
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
} from "./types.ts";

/** The GeoIP2 web service endpoints. */
export type MaxmindService = "country" | "city" | "insights";

/** Options of {@linkcode createMaxmindWebProvider}. */
export interface MaxmindWebOptions {
  /** Which endpoint to ask. */
  service: MaxmindService;
  /** MaxMind account ID (the basic-auth user name). */
  accountId: string;
  /** MaxMind license key (the basic-auth password). Never appears in any output. */
  licenseKey: string;
  /** Service root, without a trailing slash. @default "https://geoip.maxmind.com" */
  baseUrl?: string;
  /** How long a positive answer stays fresh, ms. @default 30 days */
  ttlMs?: number;
  /** How long a `not_found` stays fresh, ms. @default 7 days */
  negativeTtlMs?: number;
  /** IPs handled at once (the HTTP client limits the requests in flight). @default 8 */
  parallel?: number;
}

const DAY_MS = 86_400_000;

const defaults = {
  baseUrl: "https://geoip.maxmind.com",
  ttlMs: 30 * DAY_MS,
  negativeTtlMs: 7 * DAY_MS,
  parallel: 8,
} satisfies Partial<MaxmindWebOptions>;

const SERVICE_NAMES: Record<MaxmindService, string> = {
  country: "GeoIP2 Country web service",
  city: "GeoIP2 City Plus web service",
  insights: "GeoIP2 Insights web service",
};

/** Codes of a 401: the credentials are wrong or missing. */
const AUTH_CODES = new Set([
  "AUTHORIZATION_INVALID",
  "ACCOUNT_ID_REQUIRED",
  "ACCOUNT_ID_UNKNOWN",
  "LICENSE_KEY_REQUIRED",
  "USER_ID_REQUIRED",
  "USER_ID_UNKNOWN",
]);
const FUNDS_CODES = new Set(["INSUFFICIENT_FUNDS", "OUT_OF_QUERIES"]);

/** The anonymity flags, read from `anonymizer` (current) or `traits` (deprecated copy). */
const ANONYMITY_FLAGS = [
  "is_anonymous",
  "is_anonymous_vpn",
  "is_hosting_provider",
  "is_public_proxy",
  "is_tor_exit_node",
] as const;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function at(value: unknown, ...path: (string | number)[]): unknown {
  let node = value;
  for (const key of path) {
    if (typeof key === "number") {
      if (!Array.isArray(node)) return undefined;
      node = node[key];
    } else {
      if (!isRecord(node)) return undefined;
      node = node[key];
    }
  }
  return node;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function finite(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function put(columns: DerivedColumns, column: DetailColumn, value: string | number | undefined) {
  if (value !== undefined) columns[column] = value;
}

/** `user:password` as a basic-auth header value (UTF-8 safe). */
function basicAuth(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** The `code` and `error` of a MaxMind error body, when it has them. */
function errorOf(body: unknown): { code: string | null; message: string | null } {
  if (!isRecord(body)) return { code: null, message: null };
  return {
    code: typeof body.code === "string" ? body.code : null,
    message: typeof body.error === "string" ? body.error.slice(0, 200) : null,
  };
}

/**
 * Columns from a GeoIP2 web service answer (any of the three services).
 *
 * @param insights Absent anonymity flags mean `false` (Insights omits false flags).
 */
export function deriveGeoip2(raw: unknown, insights = false): Derived {
  const columns: DerivedColumns = {};
  if (!isRecord(raw)) return { columns, network: null };
  put(columns, "continent.code", text(at(raw, "continent", "code")));
  put(columns, "country.iso_code", text(at(raw, "country", "iso_code")));
  put(columns, "country.names.en", text(at(raw, "country", "names", "en")));
  put(columns, "subdivisions.0.names.en", text(at(raw, "subdivisions", 0, "names", "en")));
  put(columns, "city.names.en", text(at(raw, "city", "names", "en")));
  put(columns, "postal.code", text(at(raw, "postal", "code")));
  put(columns, "location.latitude", finite(at(raw, "location", "latitude")));
  put(columns, "location.longitude", finite(at(raw, "location", "longitude")));
  put(columns, "location.accuracy_radius", finite(at(raw, "location", "accuracy_radius")));
  put(columns, "location.time_zone", text(at(raw, "location", "time_zone")));
  const traits = at(raw, "traits");
  put(columns, "traits.autonomous_system_number", finite(at(traits, "autonomous_system_number")));
  put(
    columns,
    "traits.autonomous_system_organization",
    text(at(traits, "autonomous_system_organization")),
  );
  put(columns, "traits.isp", text(at(traits, "isp")));
  put(columns, "traits.organization", text(at(traits, "organization")));
  put(columns, "traits.user_type", text(at(traits, "user_type")));
  const anonymizer = at(raw, "anonymizer");
  for (const flag of ANONYMITY_FLAGS) {
    const value = at(anonymizer, flag) ?? at(traits, flag);
    if (typeof value === "boolean") columns[`traits.${flag}`] = value;
    else if (insights && isRecord(traits)) columns[`traits.${flag}`] = false;
  }
  put(columns, "registered_country.iso_code", text(at(raw, "registered_country", "iso_code")));
  return { columns, network: text(at(traits, "network")) ?? null };
}

/**
 * A MaxMind GeoIP2 web service provider, named `maxmind-<service>`.
 *
 * @example
 * ```ts
 * import { createMaxmindWebProvider } from "./maxmind_web.ts";
 * const insights = createMaxmindWebProvider({
 *   service: "insights",
 *   accountId: "123456",
 *   licenseKey: "the-key",
 * });
 * insights.name; // "maxmind-insights"
 * ```
 */
export function createMaxmindWebProvider(options: MaxmindWebOptions): OnlineProvider {
  const { service, accountId, licenseKey } = options;
  if (!(service in SERVICE_NAMES)) {
    throw new TypeError(`Cannot create the MaxMind provider: unknown service ${String(service)}`);
  }
  if (typeof accountId !== "string" || !/^\d+$/.test(accountId.trim())) {
    throw new TypeError(
      "Cannot create the MaxMind provider: accountId must be the numeric account ID",
    );
  }
  if (typeof licenseKey !== "string" || licenseKey.trim() === "") {
    throw new TypeError("Cannot create the MaxMind provider: licenseKey is empty");
  }
  const settings = { ...defaults, ...options };
  const baseUrl = settings.baseUrl.replace(/\/+$/, "");
  const authorization = basicAuth(accountId.trim(), licenseKey.trim());
  const secrets = [licenseKey, licenseKey.trim(), authorization.slice(6)];
  const scrub = (s: string) => scrubSecrets(s, secrets);
  const label = `MaxMind ${SERVICE_NAMES[service]}`;

  async function fetchAll(ips: readonly string[], context: FetchContext): Promise<void> {
    const book = new AnswerBook(ips, (ip, answer) => context.answer(ip, answer));
    let stopReason: string | null = null;
    const stop = (reason: string) => {
      const clean = scrub(reason);
      if (stopReason === null) {
        stopReason = clean;
        context.stop(clean);
      }
    };

    await runPool(book.pending, settings.parallel, async (ip) => {
      if (stopReason !== null) {
        book.answer(ip, { status: "error", reason: stopReason, retryable: true });
        return;
      }
      const normal = normalizeIp(ip);
      if (normal === undefined) {
        book.answer(ip, { status: "error", reason: "not an IP address", retryable: false });
        return;
      }
      const result = await context.request(`${baseUrl}/geoip/v2.1/${service}/${normal}`, {
        method: "GET",
        headers: { Authorization: authorization, Accept: "application/json" },
        paid: true,
      });
      handle(ip, result);
    });
    book.failRest(stopReason ?? `${label} gave no answer`, true);

    function handle(ip: string, result: HttpResult): void {
      if (result.ok) {
        if (isRecord(result.body)) book.answer(ip, { status: "ok", raw: result.body });
        else {
          book.answer(ip, {
            status: "error",
            reason: `${label} answered with something other than a JSON object`,
            retryable: true,
          });
        }
        return;
      }
      const { code, message } = errorOf(result.body);
      const status = result.status;
      const detail = scrub([code, message].filter((s) => s !== null).join(": "));
      if (status === null) {
        // not sent (stopped, budget used up, dry run) or no connection after retries
        if (context.stopped && stopReason === null) stopReason = scrub(result.reason);
        book.answer(ip, {
          status: "error",
          reason: scrub(result.reason),
          retryable: result.retryable,
        });
        return;
      }
      if (status === 400 && (code === "IP_ADDRESS_RESERVED" || code === "IP_ADDRESS_INVALID")) {
        book.answer(ip, { status: "reserved", raw: result.body });
        return;
      }
      if (status === 404) {
        book.answer(ip, { status: "not_found", raw: result.body });
        return;
      }
      if (status === 401 || (code !== null && AUTH_CODES.has(code))) {
        stop(
          `${label} rejected the account ID or license key (${detail || `HTTP ${status}`}): ` +
            "check them; no more MaxMind queries this run",
        );
      } else if (status === 402 || status === 403 || code === "PERMISSION_REQUIRED") {
        if (code === "PERMISSION_REQUIRED") {
          stop(`${label}: the account has no permission for this service (PERMISSION_REQUIRED)`);
        } else if (code !== null && FUNDS_CODES.has(code)) {
          stop(`${label}: the account is out of queries (${code}); answers so far are kept`);
        } else {
          stop(`${label} refused the query (HTTP ${status}${detail ? ` ${detail}` : ""})`);
        }
      }
      if (stopReason !== null) {
        book.answer(ip, { status: "error", reason: stopReason, retryable: true });
        return;
      }
      if (status === 400) {
        book.answer(ip, {
          status: "error",
          reason: `${label} rejected the query (HTTP 400${detail ? ` ${detail}` : ""})`,
          retryable: false,
        });
        return;
      }
      book.answer(ip, { status: "error", reason: scrub(result.reason), retryable: true });
    }
  }

  return {
    name: `maxmind-${service}`,
    kind: "online",
    paid: true,
    ttlMs: settings.ttlMs,
    negativeTtlMs: settings.negativeTtlMs,
    version: SERVICE_NAMES[service],
    fetch: fetchAll,
    derive: (raw: unknown) => deriveGeoip2(raw, service === "insights"),
  };
}
