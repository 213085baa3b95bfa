/**
 * Local stand-ins for the online geo services, for tests that must never
 * reach the internet: `Deno.serve` on 127.0.0.1, port 0, answering like
 * MaxMind GeoIP2 web services, ipinfo.io and an rdap.org-style bootstrap
 * redirector with RIR servers behind it. Each checks credentials, counts
 * requests per path and can inject faults (5xx, 429 with `Retry-After`, slow
 * answers, malformed JSON, connection resets, out of queries), chosen per IP
 * or by request number.
 *
 * Also `collectingContext(http)`: a `FetchContext` that collects answers in a
 * Map, standing in for the lead's orchestration.
 *
 * Needs `--allow-net=127.0.0.1` (and `--allow-read` for the fixtures).
 *
 * @module
 */
import { classifyIp } from "../lib/geo/classify.ts";
import type { HttpClient } from "../lib/geo/http.ts";
import { addressOf } from "../lib/geo/rdap.ts";
import type { FetchContext, HttpResult, RawAnswer } from "../lib/geo/types.ts";
import { normalizeIp } from "../lib/logs/ip.ts";

const FIXTURES = new URL("./fixtures/geo/", import.meta.url);

function readFixture<T>(name: string): T {
  return JSON.parse(Deno.readTextFileSync(new URL(name, FIXTURES))) as T;
}

// ----------------------------------------------------------------------------
// faults and the common server core

/** What a fault does to a request. */
export type FaultKind =
  | "500"
  | "503"
  | "429"
  | "slow"
  | "malformed"
  | "reset"
  | "out_of_queries";

/** One injected fault; all given conditions must match. */
export interface Fault {
  kind: FaultKind;
  /** Requests about this IP (in the path, or in a batch body). */
  ip?: string;
  /** The n-th request this server receives (1-based). */
  request?: number;
  /** Requests whose path starts with this. */
  path?: string;
  /** Apply at most this often. @default unlimited */
  times?: number;
  /** `Retry-After` of a 429 (seconds or HTTP date). */
  retryAfter?: string;
  /** Delay of `slow`, ms. @default 1000 */
  delayMs?: number;
}

/** One request as the mock saw it. */
export interface LoggedRequest {
  /** 1-based number of the request at this server. */
  n: number;
  method: string;
  /** Path and query. */
  url: string;
  path: string;
  authorization: string | null;
  body: string;
  fault: FaultKind | null;
}

/** A running mock server. */
export interface MockServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `"GET /path"` → number of requests. */
  readonly hits: Map<string, number>;
  /** Every request, in arrival order. */
  readonly log: LoggedRequest[];
  /** Requests received. */
  readonly total: number;
  /** Requests whose path starts with `prefix`. */
  hitsUnder(prefix: string): number;
  /** Stop the server; pending slow answers are released first. */
  shutdown(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

type Route = (request: Request, body: string, url: URL) => Response | Promise<Response>;

const encoder = new TextEncoder();

function json(status: number, body: unknown, contentType = "application/json", headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": contentType, ...headers },
  });
}

/** The IPs a request is about: the path's address segments and a batch body's entries. */
function ipsOf(path: string, body: string): string[] {
  const found: string[] = [];
  for (const segment of path.split("/")) {
    const ip = normalizeIp(decodeURIComponent(segment));
    if (ip !== undefined) found.push(ip);
  }
  if (body.startsWith("[")) {
    try {
      for (const entry of JSON.parse(body) as unknown[]) {
        if (typeof entry !== "string") continue;
        const ip = normalizeIp(entry.split("/")[0]);
        if (ip !== undefined) found.push(ip);
      }
    } catch {
      // not JSON: no IPs
    }
  }
  return found;
}

function startServer(faults: readonly Fault[], route: Route): MockServer {
  const hits = new Map<string, number>();
  const log: LoggedRequest[] = [];
  const used = faults.map(() => 0);
  const sleepers = new Set<() => void>();
  let total = 0;

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const url = new URL(request.url);
      const body = request.method === "POST" ? await request.text() : "";
      const n = ++total;
      const key = `${request.method} ${url.pathname}`;
      hits.set(key, (hits.get(key) ?? 0) + 1);
      const ips = ipsOf(url.pathname, body);
      const index = faults.findIndex((fault, i) =>
        (fault.times === undefined || used[i] < fault.times) &&
        (fault.request === undefined || fault.request === n) &&
        (fault.ip === undefined || ips.includes(normalizeIp(fault.ip) ?? fault.ip)) &&
        (fault.path === undefined || url.pathname.startsWith(fault.path))
      );
      const fault = index === -1 ? null : faults[index];
      if (index !== -1) used[index]++;
      log.push({
        n,
        method: request.method,
        url: url.pathname + url.search,
        path: url.pathname,
        authorization: request.headers.get("authorization"),
        body,
        fault: fault?.kind ?? null,
      });
      switch (fault?.kind) {
        case "500":
          return new Response("Internal Server Error", { status: 500 });
        case "503":
          return new Response("Service Unavailable", { status: 503 });
        case "429":
          return json(
            429,
            { status: 429, error: { title: "Rate limit exceeded", message: "Too many requests" } },
            "application/json",
            fault.retryAfter === undefined ? {} : { "retry-after": fault.retryAfter },
          );
        case "out_of_queries":
          return json(
            402,
            {
              code: "INSUFFICIENT_FUNDS",
              error:
                "The license key you have provided does not have sufficient funds to use this service.",
            },
            "application/vnd.maxmind.com-error+json; charset=UTF-8; version=2.0",
          );
        case "malformed":
          return new Response('{"country": {"iso_code": "GB", "names": {"en": "Unit', {
            headers: { "content-type": "application/json" },
          });
        case "reset":
          // headers promise more than the body holds: the client sees the connection end early
          return new Response(
            new ReadableStream({
              start(controller) {
                controller.enqueue(encoder.encode('{"partial": '));
                controller.close();
              },
            }),
            { headers: { "content-type": "application/json", "content-length": "4096" } },
          );
        case "slow":
          await delay(fault.delayMs ?? 1000);
          break;
      }
      return await route(request, body, url);
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  let closed: Promise<void> | undefined;
  const shutdown = () => {
    for (const wake of [...sleepers]) wake();
    closed ??= server.shutdown();
    return closed;
  };
  return {
    url,
    hits,
    log,
    get total() {
      return total;
    },
    hitsUnder(prefix: string) {
      return log.filter((entry) => entry.path.startsWith(prefix)).length;
    },
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}

/** An URL on 127.0.0.1 where nothing listens (connection refused). */
export function refusedUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return `http://127.0.0.1:${port}`;
}

// ----------------------------------------------------------------------------
// networks

interface Network {
  v6: boolean;
  start: bigint;
  end: bigint;
  cidr: string;
}

function networkOf(cidr: string): Network {
  const [base, length] = cidr.split("/");
  const address = addressOf(base);
  if (address === undefined) throw new TypeError(`bad CIDR in a fixture: ${cidr}`);
  const bits = address.v6 ? 128n : 32n;
  const size = 1n << (bits - BigInt(length));
  const start = address.value - (address.value % size);
  return { v6: address.v6, start, end: start + size - 1n, cidr };
}

function inNetwork(network: { v6: boolean; start: bigint; end: bigint }, ip: string): boolean {
  const address = addressOf(ip);
  return address !== undefined && address.v6 === network.v6 && network.start <= address.value &&
    address.value <= network.end;
}

// ----------------------------------------------------------------------------
// MaxMind

/** Options of {@linkcode startMockMaxmind}. */
export interface MockMaxmindOptions {
  /** @default "42" */
  accountId?: string;
  /** @default "mock-license-key-0123456789" */
  licenseKey?: string;
  /** Answers left before `INSUFFICIENT_FUNDS` (402). @default unlimited */
  queriesRemaining?: number;
  faults?: Fault[];
  /** CIDR → GeoIP2 record. @default tests/fixtures/geo/maxmind-insights.json */
  records?: Record<string, Record<string, unknown>>;
}

const MAXMIND_ERROR_TYPE = "application/vnd.maxmind.com-error+json; charset=UTF-8; version=2.0";

function maxmindError(status: number, code: string, error: string): Response {
  return json(status, { code, error }, MAXMIND_ERROR_TYPE);
}

/** What the Country and City services leave out of an Insights record. */
function forService(record: Record<string, unknown>, service: string): Record<string, unknown> {
  const copy = structuredClone(record);
  const traits = (copy.traits ?? {}) as Record<string, unknown>;
  if (service === "insights") return copy;
  delete copy.anonymizer;
  for (const key of Object.keys(traits)) {
    if (key.startsWith("is_") || key === "user_type" || key === "static_ip_score") {
      delete traits[key];
    }
  }
  if (service === "country") {
    return {
      continent: copy.continent,
      country: copy.country,
      registered_country: copy.registered_country,
      traits: {},
    };
  }
  return copy;
}

/**
 * A GeoIP2 web service (`/geoip/v2.1/{country|city|insights}/{ip}`) with
 * basic authentication and the documented error codes.
 */
export function startMockMaxmind(options: MockMaxmindOptions = {}): MockServer {
  const accountId = options.accountId ?? "42";
  const licenseKey = options.licenseKey ?? "mock-license-key-0123456789";
  const expected = `Basic ${btoa(`${accountId}:${licenseKey}`)}`;
  const records = options.records ??
    readFixture<{ records: Record<string, Record<string, unknown>> }>("maxmind-insights.json")
      .records;
  const networks = Object.keys(records).map((cidr) => ({
    ...networkOf(cidr),
    record: records[cidr],
  }));
  let remaining = options.queriesRemaining ?? Infinity;

  return startServer(options.faults ?? [], (request, _body, url) => {
    const match = /^\/geoip\/v2\.1\/(country|city|insights)\/([^/]+)$/.exec(url.pathname);
    if (request.method !== "GET" || !match) return new Response("Not Found", { status: 404 });
    const authorization = request.headers.get("authorization");
    if (authorization === null) {
      return maxmindError(
        401,
        "ACCOUNT_ID_REQUIRED",
        "You have not supplied a MaxMind account ID.",
      );
    }
    if (authorization !== expected) {
      return maxmindError(
        401,
        "AUTHORIZATION_INVALID",
        "You have supplied an invalid MaxMind account ID and/or license key.",
      );
    }
    const [, service, segment] = match;
    const ip = normalizeIp(decodeURIComponent(segment));
    if (ip === undefined) {
      return maxmindError(
        400,
        "IP_ADDRESS_INVALID",
        `The value "${segment}" is not a valid IP address.`,
      );
    }
    if (classifyIp(ip) !== "public") {
      return maxmindError(
        400,
        "IP_ADDRESS_RESERVED",
        `The IP address '${ip}' is a reserved IP address.`,
      );
    }
    if (remaining <= 0) {
      return maxmindError(
        402,
        "INSUFFICIENT_FUNDS",
        "The license key you have provided does not have sufficient funds to use this service.",
      );
    }
    const network = networks.find((candidate) => inNetwork(candidate, ip));
    if (network === undefined) {
      return maxmindError(404, "IP_ADDRESS_NOT_FOUND", `The address ${ip} is not in our database.`);
    }
    remaining--;
    const body = forService(network.record, service);
    body.traits = { ...(body.traits as object), ip_address: ip, network: network.cidr };
    if (Number.isFinite(remaining)) body.maxmind = { queries_remaining: remaining };
    return json(
      200,
      body,
      `application/vnd.maxmind.com-${service}+json; charset=UTF-8; version=2.1`,
    );
  });
}

// ----------------------------------------------------------------------------
// ipinfo

/** Options of {@linkcode startMockIpinfo}. */
export interface MockIpinfoOptions {
  /** The token the service knows. @default "mock-ipinfo-token-abcdef" */
  token?: string;
  /** The plan allows `/batch`. @default true */
  batch?: boolean;
  faults?: Fault[];
  /** IP → body. @default tests/fixtures/geo/ipinfo.json */
  answers?: Record<string, Record<string, unknown>>;
}

function ipinfoError(status: number, title: string, message: string): Response {
  return json(status, { status, error: { title, message } });
}

/** ipinfo.io: `GET /{ip}/json`, `GET /{ip}` and `POST /batch` (token required, ≤ 1000 entries). */
export function startMockIpinfo(options: MockIpinfoOptions = {}): MockServer {
  const token = options.token ?? "mock-ipinfo-token-abcdef";
  const batchAllowed = options.batch ?? true;
  const answers = options.answers ??
    readFixture<{ answers: Record<string, Record<string, unknown>> }>("ipinfo.json").answers;

  const lookup = (entry: string): Record<string, unknown> | undefined => {
    const ip = normalizeIp(entry);
    if (ip === undefined) return undefined;
    if (classifyIp(ip) !== "public") return { ip, bogon: true };
    return answers[ip] ?? { ip };
  };

  return startServer(options.faults ?? [], (request, body, url) => {
    const authorization = request.headers.get("authorization");
    const tokenGiven = authorization !== null || url.searchParams.has("token");
    const tokenValid = authorization === `Bearer ${token}` ||
      url.searchParams.get("token") === token;
    if (tokenGiven && !tokenValid) {
      return ipinfoError(
        403,
        "Unknown token",
        "Please ensure you've entered your token correctly.",
      );
    }
    if (url.pathname === "/batch") {
      if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405 });
      if (!tokenValid) {
        return ipinfoError(403, "Unknown token", "The batch endpoint needs a token.");
      }
      if (!batchAllowed) {
        return ipinfoError(403, "Forbidden", "Your plan does not include the batch endpoint.");
      }
      let entries: unknown;
      try {
        entries = JSON.parse(body);
      } catch {
        return ipinfoError(400, "Bad request", "The body is not a JSON array.");
      }
      if (!Array.isArray(entries) || entries.length > 1000) {
        return ipinfoError(400, "Bad request", "Send a JSON array of at most 1000 URLs.");
      }
      const result: Record<string, unknown> = {};
      for (const entry of entries) {
        if (typeof entry !== "string") continue;
        const [address, field = "json"] = entry.split("/");
        const answer = field === "json" ? lookup(address) : undefined;
        result[entry] = answer ??
          { error: { title: "Wrong ip", message: "Please provide a valid IP address" } };
      }
      return json(200, result);
    }
    const match = /^\/([^/]+)(?:\/json)?$/.exec(url.pathname);
    if (request.method !== "GET" || !match) return new Response("Not Found", { status: 404 });
    const answer = lookup(decodeURIComponent(match[1]));
    if (answer === undefined) {
      return ipinfoError(404, "Wrong ip", "Please provide a valid IP address");
    }
    return json(200, answer, "application/json; charset=utf-8");
  });
}

// ----------------------------------------------------------------------------
// RDAP

/** Options of {@linkcode startMockRdap}. */
export interface MockRdapOptions {
  faults?: Fault[];
  /** Network objects with the RIR serving them. @default tests/fixtures/geo/rdap.json */
  networks?: { rir: string; body: Record<string, unknown> }[];
}

function rdapError(status: number, title: string): Response {
  return json(status, { errorCode: status, title, description: [title] }, "application/rdap+json");
}

/**
 * An rdap.org-style redirector (`GET /ip/{ip}` → 302 to `/rir/{rir}/ip/{ip}`
 * on the same server) and the RIR servers behind it.
 */
export function startMockRdap(options: MockRdapOptions = {}): MockServer {
  const networks = (options.networks ??
    readFixture<{ networks: { rir: string; body: Record<string, unknown> }[] }>("rdap.json")
      .networks).map(({ rir, body }) => {
      const start = addressOf(String(body.startAddress))!;
      const end = addressOf(String(body.endAddress))!;
      return { rir, body, v6: start.v6, start: start.value, end: end.value };
    });
  let origin = "";
  const server = startServer(options.faults ?? [], (request, _body, url) => {
    if (request.method !== "GET") return new Response("Method Not Allowed", { status: 405 });
    const bootstrap = /^\/ip\/([^/]+)$/.exec(url.pathname);
    const rir = /^\/rir\/([a-z]+)\/ip\/([^/]+)$/.exec(url.pathname);
    const segment = bootstrap?.[1] ?? rir?.[2];
    if (segment === undefined) return rdapError(404, "Not Found");
    const ip = normalizeIp(decodeURIComponent(segment));
    if (ip === undefined) return rdapError(400, "Bad Request");
    const network = networks.find((candidate) => inNetwork(candidate, ip));
    if (bootstrap) {
      if (network === undefined || classifyIp(ip) !== "public") {
        return rdapError(404, "No RDAP server known for this address");
      }
      return new Response(null, {
        status: 302,
        headers: { location: `${origin}/rir/${network.rir}/ip/${segment}` },
      });
    }
    if (network === undefined || network.rir !== rir![1]) return rdapError(404, "Not Found");
    return json(200, network.body, "application/rdap+json");
  });
  origin = server.url;
  return server;
}

// ----------------------------------------------------------------------------
// a FetchContext for tests

/** A `FetchContext` that keeps what the provider answered. */
export interface CollectingContext extends FetchContext {
  /** IP → the (last) answer. */
  readonly answers: Map<string, RawAnswer>;
  /** IPs answered more than once (a provider bug). */
  readonly duplicates: string[];
  /** Reasons passed to `stop`. */
  readonly stopReasons: string[];
  /** Every request result, for searching outputs. */
  readonly results: HttpResult[];
}

/**
 * A `FetchContext` over `http` (one client per provider, as in a run)
 * collecting answers in a Map; `stop` stops the client.
 *
 * @example
 * ```ts
 * import { createHttpClient } from "../lib/geo/http.ts";
 * import { collectingContext } from "./_mock_servers.ts";
 * const context = collectingContext(createHttpClient());
 * context.answers.size; // 0
 * ```
 */
export function collectingContext(http: HttpClient): CollectingContext {
  const answers = new Map<string, RawAnswer>();
  const duplicates: string[] = [];
  const stopReasons: string[] = [];
  const results: HttpResult[] = [];
  return {
    answers,
    duplicates,
    stopReasons,
    results,
    async request(url, init) {
      const result = await http.request(url, init);
      results.push(result);
      return result;
    },
    answer(ip, answer) {
      if (answers.has(ip)) duplicates.push(ip);
      answers.set(ip, answer);
    },
    get stopped() {
      return http.stopped;
    },
    stop(reason) {
      stopReasons.push(reason);
      http.stop(reason);
    },
  };
}
