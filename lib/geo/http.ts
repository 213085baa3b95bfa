/**
 * The network discipline of the online geo providers: one HTTP client per
 * run with a concurrency limit, per-request timeouts, retries with
 * exponential backoff and full jitter, `Retry-After` on 429, a budget of
 * paid queries, a stop switch, a dry-run mode and counters.
 *
 * It implements `FetchContext.request` of {@linkcode ./types.ts}: providers
 * get an {@linkcode HttpResult}, never an exception, and no reason ever
 * carries a credential (Authorization headers and `token=`/`key=` URL
 * parameters are scrubbed).
 *
 * @module
 */
import type { HttpResult, RawAnswer } from "./types.ts";

/** Options of {@linkcode createHttpClient}. */
export interface HttpClientOptions {
  /** The fetch to use (tests inject one). @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Requests in flight at once. @default 4 */
  concurrency?: number;
  /** Time for one attempt (headers and body), ms. @default 10_000 */
  timeoutMs?: number;
  /** Retries after the first attempt. @default 3 */
  retries?: number;
  /** Backoff base: attempt n waits up to `baseDelayMs * 2^n`, ms. @default 500 */
  baseDelayMs?: number;
  /** Upper bound of one backoff wait, ms. @default 30_000 */
  maxDelayMs?: number;
  /** Upper bound of a wait a `Retry-After` header asks for, ms. @default 60_000 */
  maxRetryAfterMs?: number;
  /** Paid queries this run may send. @default Infinity */
  maxQueries?: number;
  /** Send nothing; count what would be sent. @default false */
  dryRun?: boolean;
  /** Wait `ms` (tests inject a fake). Must resolve early when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Random number in [0, 1) for jitter. @default Math.random */
  random?: () => number;
  /** Clock for `Retry-After` dates, ms since the epoch. @default Date.now */
  now?: () => number;
  /** Aborting it aborts the client (Ctrl-C): see {@linkcode HttpClient.abort}. */
  signal?: AbortSignal;
  /** More strings to scrub from every reason (keys the client cannot see in headers). */
  secrets?: readonly string[];
}

/** Counters of one client, for the run's statistics. */
export interface HttpStats {
  /** Attempts sent (each retry counts). */
  requests: number;
  /** Attempts that were retries. */
  retries: number;
  /** Requests that failed after all their attempts (refusals not counted). */
  failures: number;
  /** Response body bytes received. */
  bytes: number;
  /** Paid requests let through the budget (sent, or counted in a dry run). */
  paidQueries: number;
  /** Requests not sent because the budget was used up. */
  overBudget: number;
  /** Requests not sent because the run was stopped or aborted. */
  refused: number;
  /** Requests a dry run would have sent. */
  dryRun: number;
}

/** `RequestInit` plus whether the query costs money. */
export type HttpRequestInit = RequestInit & { paid?: boolean };

/**
 * The client: `request`, `stop` and `stopped` have `FetchContext` semantics.
 * One client serves one provider (its budget is that provider's).
 */
export interface HttpClient {
  /** GET/POST JSON with timeouts, retries, backoff, rate limits and budget. Never throws. */
  request(url: string, init?: HttpRequestInit): Promise<HttpResult>;
  /**
   * No more requests (out of funds, bad key): new requests and retries get a
   * refusal; requests in flight finish (their answers are paid for).
   */
  stop(reason: string): void;
  /** No more requests, and those in flight are aborted (Ctrl-C). */
  abort(reason: string): void;
  /** True once stopped, aborted or the budget of paid queries is used up. */
  readonly stopped: boolean;
  /** True when a request of this kind would be refused (stopped, aborted, budget used up). */
  stoppedFor(paid: boolean): boolean;
  /** Why requests stopped (stop, abort or budget), if they did. */
  readonly stopReason: string | undefined;
  /** Why the client was aborted, if it was. */
  readonly abortReason: string | undefined;
  /** Paid queries left in the budget. */
  readonly budgetLeft: number;
  /** Live counters. */
  readonly stats: Readonly<HttpStats>;
  /** `text` with every known secret and credential pattern replaced by `***`. */
  scrub(text: string): string;
}

const defaults = {
  concurrency: 4,
  timeoutMs: 10_000,
  retries: 3,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  maxQueries: Infinity,
  dryRun: false,
} satisfies HttpClientOptions;

const CREDENTIAL_PARAM =
  /([?&;](?:access_token|api_key|apikey|key|license_key|licensekey|token|password|secret)=)[^&#\s"')]*/gi;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s"']*@/gi;
const AUTH_HEADER = /\b(authorization["']?\s*[:=]\s*["']?(?:basic |bearer |token )?)[^\s"',;]+/gi;

/**
 * Replace credentials in `text`: the given secrets, `token=`/`key=`-like URL
 * parameters, `user:pass@` in URLs and Authorization header values.
 *
 * @example
 * ```ts
 * import { scrubSecrets } from "./http.ts";
 * scrubSecrets("GET https://ipinfo.io/1.2.3.4?token=abc123", []);
 * // "GET https://ipinfo.io/1.2.3.4?token=***"
 * ```
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 3 && out.includes(secret)) out = out.split(secret).join("***");
  }
  return out
    .replace(CREDENTIAL_PARAM, "$1***")
    .replace(URL_USERINFO, "$1***@")
    .replace(AUTH_HEADER, "$1***");
}

/** The credential parts of an Authorization header value (token, Basic blob and password). */
function secretsOfAuthorization(value: string): string[] {
  const space = value.indexOf(" ");
  if (space === -1) return [value];
  const scheme = value.slice(0, space).toLowerCase();
  const credential = value.slice(space + 1).trim();
  const found = [credential];
  if (scheme === "basic") {
    try {
      const decoded = atob(credential);
      const colon = decoded.indexOf(":");
      if (colon !== -1 && colon < decoded.length - 1) found.push(decoded.slice(colon + 1));
    } catch {
      // not base64: the blob itself is scrubbed
    }
  }
  return found.filter((s) => s.length >= 3);
}

/**
 * Seconds or HTTP date of a `Retry-After` header → ms to wait, or undefined.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from "./http.ts";
 * parseRetryAfter("120", 0); // 120000
 * ```
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Wait `ms`, resolving early when `signal` aborts; never leaves a timer behind. */
function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** What went wrong in one attempt, when it may help to try again. */
type Transient = { kind: string; status: number | null; body: unknown; retryAfterMs?: number };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

function networkKind(error: unknown): string {
  const text = errorText(error).toLowerCase();
  if (text.includes("refused")) return "connection refused";
  if (
    text.includes("reset") || text.includes("closed") || text.includes("broken pipe") ||
    text.includes("reading a body") || text.includes("eof") || text.includes("incomplete")
  ) return "connection reset";
  if (text.includes("dns") || text.includes("lookup") || text.includes("resolve")) {
    return "name resolution failed";
  }
  return "connection failed";
}

/**
 * Create the run's HTTP client.
 *
 * @example
 * ```ts
 * import { createHttpClient } from "./http.ts";
 * const http = createHttpClient({ concurrency: 2, maxQueries: 100 });
 * const result = await http.request("https://rdap.org/ip/81.2.69.142");
 * if (!result.ok) console.error(result.reason);
 * ```
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const settings = { ...defaults, ...options };
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  if (!(settings.concurrency >= 1)) throw new RangeError("concurrency must be at least 1");
  if (!(settings.retries >= 0)) throw new RangeError("retries must not be negative");
  if (!(settings.timeoutMs > 0)) throw new RangeError("timeoutMs must be positive");
  if (!(settings.maxQueries >= 0)) throw new RangeError("maxQueries must not be negative");

  const secrets = new Set<string>((options.secrets ?? []).filter((s) => s.length >= 3));
  const stats: HttpStats = {
    requests: 0,
    retries: 0,
    failures: 0,
    bytes: 0,
    paidQueries: 0,
    overBudget: 0,
    refused: 0,
    dryRun: 0,
  };
  let stopReason: string | undefined;
  let abortReason: string | undefined;
  const runAbort = new AbortController();
  const pausedUntil = new Map<string, number>(); // origin → epoch ms (after a 429)

  // concurrency gate
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  async function acquire(): Promise<void> {
    if (inFlight < settings.concurrency) {
      inFlight++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  function release(): void {
    if (waiting.length === 0) {
      inFlight--;
      return;
    }
    // The slot passes on after a macrotask, so that whoever awaited the
    // result just returned has handled it (e.g. stopped the run on a 402)
    // before the next request may go out.
    setTimeout(() => {
      const next = waiting.shift();
      if (next) next();
      else inFlight--;
    }, 0);
  }

  const scrub = (text: string) => scrubSecrets(text, [...secrets]);

  function refusal(): HttpResult | undefined {
    if (abortReason !== undefined) return refused(`aborted: ${abortReason}`);
    if (stopReason !== undefined) return refused(`stopped: ${stopReason}`);
    return undefined;
  }
  function refused(reason: string): HttpResult {
    stats.refused++;
    return { ok: false, status: null, body: null, reason: scrub(reason), retryable: true };
  }

  function backoff(attempt: number): number {
    const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** attempt);
    return Math.floor(random() * ceiling);
  }

  /** One attempt: a result to return, or a transient failure to retry. */
  async function attempt(url: string, init: RequestInit): Promise<HttpResult | Transient> {
    const timeout = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      timeout.abort(new DOMException("request timed out", "TimeoutError"));
    }, settings.timeoutMs);
    const signals = [timeout.signal, runAbort.signal];
    if (init.signal) signals.push(init.signal);
    stats.requests++;
    try {
      const response = await fetchFn(url, { ...init, signal: AbortSignal.any(signals) });
      const buffer = await response.arrayBuffer();
      stats.bytes += buffer.byteLength;
      const text = scrub(new TextDecoder().decode(buffer));
      let body: unknown = text;
      let parsed = false;
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
          parsed = true;
        } catch {
          // kept as text
        }
      }
      const status = response.status;
      if (status >= 200 && status < 300) {
        if (!parsed) return { kind: "malformed JSON", status, body: text.slice(0, 200) };
        return { ok: true, status, body, headers: response.headers };
      }
      if (status === 429) {
        const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), now());
        return { kind: "rate limited (HTTP 429)", status, body, retryAfterMs };
      }
      if (status >= 500) return { kind: `HTTP ${status}`, status, body };
      return {
        ok: false,
        status,
        body,
        reason: scrub(`HTTP ${status}${describeErrorBody(body)}`),
        retryable: false,
      };
    } catch (error) {
      if (abortReason !== undefined && !timedOut) {
        return {
          ok: false,
          status: null,
          body: null,
          reason: `aborted: ${abortReason}`,
          retryable: true,
        };
      }
      if (timedOut) return { kind: "timeout", status: null, body: null };
      if (init.signal?.aborted) {
        return { ok: false, status: null, body: null, reason: "cancelled", retryable: true };
      }
      return { kind: networkKind(error), status: null, body: null };
    } finally {
      clearTimeout(timer);
    }
  }

  async function request(url: string, init: HttpRequestInit = {}): Promise<HttpResult> {
    const { paid = false, ...fetchInit } = init;
    for (const [name, value] of new Headers(fetchInit.headers)) {
      if (name === "authorization") {
        for (const s of secretsOfAuthorization(value)) secrets.add(s);
      }
    }
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      return {
        ok: false,
        status: null,
        body: null,
        reason: scrub(`Cannot request ${url}: not a URL`),
        retryable: false,
      };
    }
    const before = refusal();
    if (before) return before;
    if (paid) {
      if (stats.paidQueries >= settings.maxQueries) {
        stats.overBudget++;
        return {
          ok: false,
          status: null,
          body: null,
          reason: `query budget of ${settings.maxQueries} used up`,
          retryable: true,
        };
      }
      stats.paidQueries++;
    }
    if (settings.dryRun) {
      stats.dryRun++;
      return { ok: false, status: null, body: null, reason: "dry run: not sent", retryable: true };
    }

    let last: Transient = { kind: "no attempt", status: null, body: null };
    for (let n = 0; n <= settings.retries; n++) {
      if (n > 0) {
        stats.retries++;
        // after a 429 the origin's pause (below) is the wait
        if (last.status !== 429) await sleep(backoff(n - 1), runAbort.signal);
        const stop = refusal();
        if (stop) return stop;
      }
      const pause = (pausedUntil.get(origin) ?? 0) - now();
      if (pause > 0) await sleep(Math.min(pause, settings.maxRetryAfterMs), runAbort.signal);
      await acquire();
      let outcome: HttpResult | Transient;
      try {
        const refusedNow = refusal();
        if (refusedNow) return refusedNow;
        outcome = await attempt(url, fetchInit);
      } finally {
        release();
      }
      if (outcome.status === 429 && !("ok" in outcome)) {
        const wait = outcome.retryAfterMs ?? backoff(n);
        pausedUntil.set(origin, now() + Math.min(wait, settings.maxRetryAfterMs));
      } else if (outcome.status !== null) {
        pausedUntil.delete(origin); // the service answered: the rate limit is over
      }
      if ("ok" in outcome) return outcome;
      last = outcome;
    }
    stats.failures++;
    const tries = settings.retries + 1;
    return {
      ok: false,
      status: last.status,
      body: last.body,
      reason: scrub(`${last.kind} after ${tries} ${tries === 1 ? "try" : "tries"}`),
      retryable: true,
    };
  }

  const budgetUsedUp = () => stats.paidQueries >= settings.maxQueries;
  const client: HttpClient = {
    request,
    stop(reason: string) {
      stopReason ??= scrub(reason);
    },
    abort(reason: string) {
      if (abortReason !== undefined) return;
      abortReason = scrub(reason);
      runAbort.abort(new DOMException(abortReason, "AbortError"));
    },
    get stopped() {
      return stopReason !== undefined || abortReason !== undefined || budgetUsedUp();
    },
    stoppedFor(paid: boolean) {
      return stopReason !== undefined || abortReason !== undefined || (paid && budgetUsedUp());
    },
    get stopReason() {
      return abortReason ?? stopReason ??
        (budgetUsedUp() ? `query budget of ${settings.maxQueries} used up` : undefined);
    },
    get abortReason() {
      return abortReason;
    },
    get budgetLeft() {
      return Math.max(0, settings.maxQueries - stats.paidQueries);
    },
    stats,
    scrub,
  };
  const external = options.signal;
  if (external?.aborted) client.abort(reasonOf(external));
  else external?.addEventListener("abort", () => client.abort(reasonOf(external)), { once: true });
  return client;
}

/** The reason of an aborted signal as text ("interrupted" when it has none of its own). */
function reasonOf(signal: AbortSignal): string {
  const reason = signal.reason;
  if (typeof reason === "string" && reason !== "") return reason;
  if (reason instanceof DOMException && reason.name === "AbortError") return "interrupted";
  if (reason instanceof Error && reason.message !== "") return reason.message;
  return "interrupted";
}

/** ` (CODE: message)` from a JSON error body of MaxMind, ipinfo or RDAP shape, or "". */
function describeErrorBody(body: unknown): string {
  if (!isRecord(body)) return "";
  const parts: string[] = [];
  if (typeof body.code === "string") parts.push(body.code);
  const error = body.error;
  if (typeof error === "string") parts.push(error);
  else if (isRecord(error) && typeof error.title === "string") parts.push(error.title);
  if (typeof body.title === "string") parts.push(body.title);
  if (parts.length === 0) return "";
  return ` (${parts.join(": ").slice(0, 200)})`;
}

/**
 * Run `worker` over `items` with at most `limit` running at once, in order of
 * the items. `worker` should not throw; if it does, the first error is
 * rethrown after all workers finished.
 *
 * @example
 * ```ts
 * import { runPool } from "./http.ts";
 * await runPool(["a", "b", "c"], 2, async (item) => console.log(item));
 * ```
 */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const run = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        await worker(items[index], index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const count = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: count }, run));
  if (failure) throw failure.error;
}

/**
 * Bookkeeping of one `fetch` call of a provider: every IP gets exactly one
 * answer, and whatever is left when the provider stops gets a failure.
 */
export class AnswerBook {
  readonly #pending: Set<string>;
  readonly #answer: (ip: string, answer: RawAnswer) => void;

  /** Track `ips`; answers go to `answer` (normally `FetchContext.answer`). */
  constructor(ips: Iterable<string>, answer: (ip: string, answer: RawAnswer) => void) {
    this.#pending = new Set(ips);
    this.#answer = answer;
  }

  /** True while `ip` has no answer yet. */
  isPending(ip: string): boolean {
    return this.#pending.has(ip);
  }

  /** IPs without an answer, in the order they were given. */
  get pending(): string[] {
    return [...this.#pending];
  }

  /** Give `ip` its answer; later answers for the same IP are ignored. */
  answer(ip: string, answer: RawAnswer): void {
    if (!this.#pending.delete(ip)) return;
    this.#answer(ip, answer);
  }

  /** Answer every pending IP with an error. */
  failRest(reason: string, retryable: boolean): void {
    for (const ip of this.pending) this.answer(ip, { status: "error", reason, retryable });
  }
}
