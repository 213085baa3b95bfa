/**
 * The HTTP discipline of the online geo providers (lib/geo/http.ts): retries,
 * backoff, Retry-After, timeouts, budget, stop, dry run, concurrency and
 * credential scrubbing. Mostly with a scripted fetch; a few cases against
 * the local mock servers (needs --allow-net=127.0.0.1).
 */
import { assert, assertEquals, assertOk } from "./_assert.ts";
import {
  AnswerBook,
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  parseRetryAfter,
  runPool,
  scrubSecrets,
} from "../lib/geo/http.ts";
import type { RawAnswer } from "../lib/geo/types.ts";
import { refusedUrl, startMockMaxmind, startMockRdap } from "./_mock_servers.ts";

type Step = Response | Error | "hang" | (() => Response);

/** A fetch answering from `steps` in order; records the calls. */
function scriptedFetch(steps: Step[]) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(input), init });
    const step = steps.shift() ?? new Response("{}");
    if (step === "hang") {
      return new Promise((_resolve, reject) => {
        const signal = init?.signal;
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }
    if (step instanceof Error) return Promise.reject(step);
    return Promise.resolve(typeof step === "function" ? step() : step);
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A client with a recorded fake sleep and a fixed random 0.5. */
function client(steps: Step[], options: HttpClientOptions = {}) {
  const sleeps: number[] = [];
  const scripted = scriptedFetch(steps);
  const http = createHttpClient({
    fetch: scripted.fetch,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    ...options,
  });
  return { http, sleeps, calls: scripted.calls };
}

Deno.test("request() returns parsed JSON and counts bytes", async () => {
  const { http, calls } = client([jsonResponse(200, { a: 1 })]);
  const result = await http.request("https://example.test/x");
  assertOk(result.ok);
  assertEquals(result.body, { a: 1 });
  assertEquals(result.status, 200);
  assertEquals(calls.length, 1);
  assertEquals(http.stats.requests, 1);
  assertEquals(http.stats.bytes, 7);
});

Deno.test("request() retries 5xx with exponential backoff and full jitter", async () => {
  const { http, sleeps } = client([
    new Response("", { status: 503 }),
    new Response("", { status: 500 }),
    jsonResponse(200, {}),
  ]);
  const result = await http.request("https://example.test/x");
  assertOk(result.ok);
  // random 0.5 × base 500 × 2^n
  assertEquals(sleeps, [250, 500]);
  assertEquals(http.stats.requests, 3);
  assertEquals(http.stats.retries, 2);
  assertEquals(http.stats.failures, 0);
});

Deno.test("request() gives up after the retries with a retryable reason", async () => {
  const { http, sleeps } = client(
    Array.from({ length: 4 }, () => new Response("", { status: 503 })),
  );
  const result = await http.request("https://example.test/x");
  assertEquals(result.ok, false);
  if (result.ok) return;
  assertEquals(result.reason, "HTTP 503 after 4 tries");
  assertEquals(result.retryable, true);
  assertEquals(result.status, 503);
  assertEquals(sleeps, [250, 500, 1000]);
  assertEquals(http.stats.failures, 1);
});

Deno.test("request() honours Retry-After", async (t) => {
  await t.step("in seconds", async () => {
    const { http, sleeps } = client([
      jsonResponse(429, {}, { "retry-after": "2" }),
      jsonResponse(200, {}),
    ]);
    assertOk((await http.request("https://example.test/x")).ok);
    assertEquals(sleeps, [2000]);
  });
  await t.step("as an HTTP date", async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const { http, sleeps } = client([
      jsonResponse(429, {}, { "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }),
      jsonResponse(200, {}),
    ], { now: () => now });
    assertOk((await http.request("https://example.test/x")).ok);
    assertEquals(sleeps, [5000]);
  });
  await t.step("capped at maxRetryAfterMs", async () => {
    const { http, sleeps } = client([
      jsonResponse(429, {}, { "retry-after": "3600" }),
      jsonResponse(200, {}),
    ]);
    assertOk((await http.request("https://example.test/x")).ok);
    assertEquals(sleeps, [60_000]);
  });
  await t.step("without the header: backoff", async () => {
    const { http, sleeps } = client([jsonResponse(429, {}), jsonResponse(200, {})]);
    assertOk((await http.request("https://example.test/x")).ok);
    assertEquals(sleeps, [250]);
  });
  await t.step("exhausted: rate limited after n tries", async () => {
    const { http } = client(Array.from({ length: 2 }, () => jsonResponse(429, {})), { retries: 1 });
    const result = await http.request("https://example.test/x");
    assertEquals(result.ok ? "" : result.reason, "rate limited (HTTP 429) after 2 tries");
    assertEquals(result.status, 429);
  });
});

Deno.test("parseRetryAfter() reads seconds and HTTP dates", () => {
  assertEquals(parseRetryAfter("120", 0), 120_000);
  assertEquals(parseRetryAfter(" 0 ", 0), 0);
  assertEquals(
    parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("2015-10-21T07:27:00Z")),
    60_000,
  );
  assertEquals(
    parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("2016-01-01T00:00:00Z")),
    0,
  );
  assertEquals(parseRetryAfter("soon", 0), undefined);
  assertEquals(parseRetryAfter(null, 0), undefined);
});

Deno.test("request() retries malformed JSON from a 2xx", async () => {
  const { http } = client([new Response('{"a": '), new Response("<html>")], { retries: 1 });
  const result = await http.request("https://example.test/x");
  assertEquals(result.ok ? "" : result.reason, "malformed JSON after 2 tries");
  assertEquals(http.stats.requests, 2);
});

Deno.test("request() returns other 4xx at once, with the parsed body", async () => {
  const { http } = client([jsonResponse(404, { code: "IP_ADDRESS_NOT_FOUND", error: "not here" })]);
  const result = await http.request("https://example.test/x");
  assertEquals(result.ok, false);
  if (result.ok) return;
  assertEquals(result.status, 404);
  assertEquals(result.retryable, false);
  assertEquals(result.body, { code: "IP_ADDRESS_NOT_FOUND", error: "not here" });
  assertEquals(result.reason, "HTTP 404 (IP_ADDRESS_NOT_FOUND: not here)");
  assertEquals(http.stats.requests, 1);
});

Deno.test("request() times out a hanging answer and retries", async () => {
  const { http } = client(["hang", "hang"], { retries: 1, timeoutMs: 20 });
  const result = await http.request("https://example.test/x");
  assertEquals(result.ok ? "" : result.reason, "timeout after 2 tries");
  assertEquals(result.ok ? false : result.retryable, true);
});

Deno.test("request() keeps the budget of paid queries", async () => {
  const { http, calls } = client([], { maxQueries: 2 });
  assertOk((await http.request("https://example.test/1", { paid: true })).ok);
  assertOk((await http.request("https://example.test/2", { paid: true })).ok);
  assertEquals(http.stoppedFor(true), true);
  assertEquals(http.stoppedFor(false), false);
  assertEquals(http.stopped, true);
  assertEquals(http.stopReason, "query budget of 2 used up");
  const refused = await http.request("https://example.test/3", { paid: true });
  assertEquals(refused, {
    ok: false,
    status: null,
    body: null,
    reason: "query budget of 2 used up",
    retryable: true,
  });
  assertOk((await http.request("https://example.test/free")).ok);
  assertEquals(calls.map((c) => c.url), [
    "https://example.test/1",
    "https://example.test/2",
    "https://example.test/free",
  ]);
  assertEquals(http.budgetLeft, 0);
  assertEquals(http.stats.overBudget, 1);
  assertEquals(http.stats.paidQueries, 2);
});

Deno.test("stop() refuses further requests; abort() too", async () => {
  const { http, calls } = client([]);
  assertOk((await http.request("https://example.test/first")).ok);
  http.stop("INSUFFICIENT_FUNDS");
  assertEquals(http.stopped, true);
  assertEquals(http.stopReason, "INSUFFICIENT_FUNDS");
  const paid = await http.request("https://example.test/paid", { paid: true });
  assertEquals(paid.ok ? "" : paid.reason, "stopped: INSUFFICIENT_FUNDS");
  const free = await http.request("https://example.test/free");
  assertEquals(free.ok ? "" : free.reason, "stopped: INSUFFICIENT_FUNDS");
  http.abort("interrupted");
  const later = await http.request("https://example.test/later");
  assertEquals(later.ok ? "" : later.reason, "aborted: interrupted");
  assertEquals(calls.length, 1);
  assertEquals(http.stats.refused, 3);
});

Deno.test("the signal option aborts the client", async () => {
  const controller = new AbortController();
  const { http } = client(["hang"], { signal: controller.signal, timeoutMs: 60_000 });
  const pending = http.request("https://example.test/x");
  await new Promise((resolve) => setTimeout(resolve, 5));
  controller.abort();
  const result = await pending;
  assertEquals(result.ok ? "" : result.reason, "aborted: interrupted");
  assertEquals(http.abortReason, "interrupted");
  const gone = new AbortController();
  gone.abort("Ctrl-C");
  assertEquals(client([], { signal: gone.signal }).http.stopReason, "Ctrl-C");
});

Deno.test("abort() ends a request in flight", async () => {
  const { http } = client(["hang"], { timeoutMs: 60_000 });
  const pending = http.request("https://example.test/x");
  await new Promise((resolve) => setTimeout(resolve, 5));
  http.abort("interrupted");
  const result = await pending;
  assertEquals(result.ok ? "" : result.reason, "aborted: interrupted");
});

Deno.test("stop() during backoff ends a paid request's retries", async () => {
  const scripted = scriptedFetch([new Response("", { status: 503 }), jsonResponse(200, {})]);
  const http: HttpClient = createHttpClient({
    fetch: scripted.fetch,
    sleep: () => {
      http.stop("out of funds");
      return Promise.resolve();
    },
  });
  const result = await http.request("https://example.test/x", { paid: true });
  assertEquals(result.ok ? "" : result.reason, "stopped: out of funds");
  assertEquals(scripted.calls.length, 1);
});

Deno.test("dry run sends nothing and counts what it would send", async () => {
  const { http, calls } = client([], { dryRun: true, maxQueries: 2 });
  for (let i = 0; i < 3; i++) await http.request(`https://example.test/${i}`, { paid: true });
  const free = await http.request("https://example.test/free");
  assertEquals(free.ok ? "" : free.reason, "dry run: not sent");
  assertEquals(calls.length, 0);
  assertEquals(http.stats.dryRun, 3);
  assertEquals(http.stats.overBudget, 1);
  assertEquals(http.stats.requests, 0);
});

Deno.test("request() keeps at most `concurrency` requests in flight", async () => {
  let inFlight = 0;
  let most = 0;
  const fetch = async () => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight--;
    return jsonResponse(200, {});
  };
  const http = createHttpClient({ fetch: fetch as typeof globalThis.fetch, concurrency: 2 });
  const results = await Promise.all(
    Array.from({ length: 7 }, (_, i) => http.request(`https://example.test/${i}`)),
  );
  assertOk(results.every((r) => r.ok));
  assertEquals(most, 2);
});

Deno.test("reasons never carry credentials", async (t) => {
  await t.step("scrubSecrets() patterns", () => {
    assertEquals(
      scrubSecrets("https://ipinfo.io/1.2.3.4?token=abc123&x=1", []),
      "https://ipinfo.io/1.2.3.4?token=***&x=1",
    );
    assertEquals(scrubSecrets("GET /x?license_key=K1K1K1", []), "GET /x?license_key=***");
    assertEquals(
      scrubSecrets("https://42:sekrit@geoip.maxmind.com/x", []),
      "https://***@geoip.maxmind.com/x",
    );
    assertEquals(scrubSecrets("Authorization: Basic NDI6c2VrcmV0", []), "Authorization: Basic ***");
    assertEquals(
      scrubSecrets('{"authorization":"Bearer tok"}', []),
      '{"authorization":"Bearer ***"}',
    );
    assertEquals(scrubSecrets("key is topsecret here", ["topsecret"]), "key is *** here");
    assertEquals(scrubSecrets("basic information", []), "basic information");
  });
  await t.step("errors of fetch with the URL and the header", async () => {
    const error = new TypeError("fetch failed", {
      cause: new Error(
        "error sending request for url (https://ipinfo.io/x?token=URLSECRET): Authorization: Bearer HEADERSECRET",
      ),
    });
    const { http } = client([error, error], { retries: 1 });
    const result = await http.request("https://ipinfo.io/x?token=URLSECRET", {
      headers: { Authorization: "Bearer HEADERSECRET" },
    });
    const everything = JSON.stringify(result) + JSON.stringify(http.stats);
    assertEquals(everything.includes("URLSECRET"), false);
    assertEquals(everything.includes("HEADERSECRET"), false);
    assertEquals(result.ok ? "" : result.reason, "connection failed after 2 tries");
  });
  await t.step("a body echoing the basic-auth password", async () => {
    const auth = `Basic ${btoa("42:PASSWORD-XYZ")}`;
    const { http } = client([
      jsonResponse(400, { code: "X", error: `bad key PASSWORD-XYZ (${auth})` }),
    ]);
    const result = await http.request("https://geoip.test/x", { headers: { Authorization: auth } });
    const everything = JSON.stringify(result);
    assertEquals(everything.includes("PASSWORD-XYZ"), false);
    assertEquals(everything.includes(btoa("42:PASSWORD-XYZ")), false);
  });
});

Deno.test("request() reports a refused connection, without the token", async () => {
  const base = refusedUrl();
  const http = createHttpClient({ retries: 1, sleep: () => Promise.resolve() });
  const result = await http.request(`${base}/x?token=REFUSEDSECRET`);
  assertEquals(result.ok ? "" : result.reason, "connection refused after 2 tries");
  assertEquals(JSON.stringify(result).includes("REFUSEDSECRET"), false);
});

Deno.test("request() retries a reset connection and a 500 of a real server", async () => {
  await using server = startMockMaxmind({
    faults: [{ kind: "reset", request: 1 }, { kind: "500", request: 2 }],
  });
  const http = createHttpClient({ sleep: () => Promise.resolve() });
  const result = await http.request(`${server.url}/geoip/v2.1/city/81.2.69.161`, {
    headers: { Authorization: `Basic ${btoa("42:mock-license-key-0123456789")}` },
  });
  assertOk(result.ok);
  assertEquals(server.total, 3);
  assertEquals(http.stats.retries, 2);
});

Deno.test("request() times out a slow server", async () => {
  await using server = startMockRdap({ faults: [{ kind: "slow", delayMs: 2000, times: 1 }] });
  const http = createHttpClient({ timeoutMs: 50, sleep: () => Promise.resolve() });
  const result = await http.request(`${server.url}/ip/81.2.69.142`);
  assertOk(result.ok); // the second try is not slow
  assertEquals(http.stats.retries, 1);
});

Deno.test("request() follows redirects (rdap.org style)", async () => {
  await using server = startMockRdap();
  const http = createHttpClient();
  const result = await http.request(`${server.url}/ip/81.2.69.142`);
  assertOk(result.ok);
  assertEquals((result.body as { name: string }).name, "AAISP-STONEHOUSE");
  assertEquals(server.hitsUnder("/ip/"), 1);
  assertEquals(server.hitsUnder("/rir/ripe/"), 1);
});

Deno.test("runPool() visits every item with a bounded number of workers", async () => {
  const seen: number[] = [];
  let running = 0;
  let most = 0;
  await runPool([1, 2, 3, 4, 5], 2, async (item) => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, 1));
    seen.push(item);
    running--;
  });
  assertEquals(seen.sort(), [1, 2, 3, 4, 5]);
  assertEquals(most, 2);
  await runPool([], 4, () => Promise.resolve());
});

Deno.test("AnswerBook answers each IP once and fails the rest", () => {
  const answers: [string, RawAnswer][] = [];
  const book = new AnswerBook(["a", "b", "a", "c"], (ip, answer) => answers.push([ip, answer]));
  assertEquals(book.pending, ["a", "b", "c"]);
  book.answer("a", { status: "not_found" });
  book.answer("a", { status: "reserved" });
  book.failRest("stopped", true);
  assertEquals(answers, [
    ["a", { status: "not_found" }],
    ["b", { status: "error", reason: "stopped", retryable: true }],
    ["c", { status: "error", reason: "stopped", retryable: true }],
  ]);
  assert.ok(!book.isPending("b"));
});
