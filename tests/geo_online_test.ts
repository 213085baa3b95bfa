/**
 * The online geo providers (MaxMind web services, ipinfo.io, RDAP) against
 * the local mock servers of `_mock_servers.ts`, with fault mixes: every IP
 * ends answered or failed with its reason, documented errors are handled,
 * credentials never leak. Needs --allow-net=127.0.0.1.
 */
import { assertEquals, assertIncludes, assertOk } from "./_assert.ts";
import { createHttpClient, type HttpClient, type HttpClientOptions } from "../lib/geo/http.ts";
import { createIpinfoProvider } from "../lib/geo/ipinfo.ts";
import { createMaxmindWebProvider } from "../lib/geo/maxmind_web.ts";
import { createRdapProvider } from "../lib/geo/rdap.ts";
import type { OnlineProvider, RawAnswer } from "../lib/geo/types.ts";
import {
  type CollectingContext,
  collectingContext,
  type Fault,
  type MockServer,
  startMockIpinfo,
  startMockMaxmind,
  startMockRdap,
} from "./_mock_servers.ts";

const ACCOUNT = "42";
const KEY = "mock-license-key-0123456789";
const TOKEN = "mock-ipinfo-token-abcdef";

/** A fast client: short timeout, recorded zero sleeps, fixed jitter. */
function fastHttp(options: HttpClientOptions = {}) {
  const sleeps: number[] = [];
  const http = createHttpClient({
    timeoutMs: 150,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    ...options,
  });
  return { http, sleeps };
}

async function run(provider: OnlineProvider, ips: string[], http: HttpClient) {
  const context = collectingContext(http);
  let thrown: unknown = null;
  try {
    await provider.fetch(ips, context);
  } catch (error) {
    thrown = error;
  }
  return { context, thrown };
}

/** Every IP answered exactly once, nothing thrown. */
function assertAllAnswered(context: CollectingContext, ips: string[], thrown: unknown) {
  assertEquals(thrown, null);
  assertEquals(context.duplicates, []);
  assertEquals([...context.answers.keys()].sort(), [...new Set(ips)].sort());
}

function statusOf(context: CollectingContext, ip: string): string {
  const answer = context.answers.get(ip);
  return answer === undefined ? "missing" : answer.status;
}

function reasonOf(answer: RawAnswer | undefined): string {
  return answer?.status === "error" ? answer.reason : "";
}

/** All that a run produced, as text, for searching secrets. */
function everything(
  context: CollectingContext,
  http: HttpClient,
  provider: OnlineProvider,
  thrown: unknown,
): string {
  const derived = [...context.answers].map(([ip, answer]) =>
    answer.status === "ok" ? provider.derive(answer.raw, ip) : null
  );
  return JSON.stringify({
    answers: [...context.answers],
    stops: context.stopReasons,
    results: context.results.map((r) => ({ ...r, headers: r.ok ? [...r.headers] : null })),
    stats: http.stats,
    stopReason: http.stopReason,
    derived,
    thrown: thrown === null ? null : String(thrown),
    provider,
  });
}

function assertNoSecret(text: string, secrets: string[]) {
  for (const secret of secrets) {
    assertEquals(text.includes(secret), false, `output contains a secret: ${secret.slice(0, 4)}…`);
  }
}

function maxmind(server: MockServer, licenseKey = KEY, service: "insights" | "city" = "insights") {
  return createMaxmindWebProvider({
    service,
    accountId: ACCOUNT,
    licenseKey,
    baseUrl: server.url,
    parallel: 4,
  });
}

// ----------------------------------------------------------------------------
// MaxMind

Deno.test("maxmind-insights answers ok, reserved, not found and derives the columns", async () => {
  await using server = startMockMaxmind();
  const { http } = fastHttp();
  const provider = maxmind(server);
  assertEquals(provider.name, "maxmind-insights");
  assertEquals(provider.paid, true);
  assertEquals(provider.version, "GeoIP2 Insights web service");
  const ips = [
    "81.2.69.161",
    "89.160.20.115",
    "2001:218::5",
    "55.0.0.2",
    "192.0.2.1",
    "8.8.8.8",
    "x",
  ];
  const { context, thrown } = await run(provider, ips, http);
  assertAllAnswered(context, ips, thrown);
  assertEquals(ips.map((ip) => statusOf(context, ip)), [
    "ok",
    "ok",
    "ok",
    "ok",
    "reserved",
    "not_found",
    "error",
  ]);
  assertEquals(context.answers.get("x"), {
    status: "error",
    reason: "not an IP address",
    retryable: false,
  });
  assertEquals(server.total, 6);
  assertOk(
    server.log.every((entry) => entry.authorization === `Basic ${btoa(`${ACCOUNT}:${KEY}`)}`),
  );

  const linkoping = context.answers.get("89.160.20.115")!;
  assertOk(linkoping.status === "ok");
  assertEquals(provider.derive(linkoping.raw, "89.160.20.115"), {
    columns: {
      "continent.code": "EU",
      "country.iso_code": "SE",
      "country.names.en": "Sweden",
      "subdivisions.0.names.en": "Östergötland County",
      "city.names.en": "Linköping",
      "location.latitude": 58.4167,
      "location.longitude": 15.6167,
      "location.accuracy_radius": 76,
      "location.time_zone": "Europe/Stockholm",
      "traits.autonomous_system_number": 29518,
      "traits.autonomous_system_organization": "Bredband2 AB",
      "traits.isp": "Bredband2 AB",
      "traits.organization": "Bevtec",
      "traits.user_type": "government",
      "traits.is_anonymous": false,
      "traits.is_anonymous_vpn": false,
      "traits.is_hosting_provider": false,
      "traits.is_public_proxy": false,
      "traits.is_tor_exit_node": false,
      "registered_country.iso_code": "DE",
    },
    network: "89.160.20.112/28",
  });
  const anonymous = context.answers.get("55.0.0.2")!;
  assertOk(anonymous.status === "ok");
  const columns = provider.derive(anonymous.raw, "55.0.0.2").columns;
  assertEquals(columns["traits.is_anonymous_vpn"], true);
  assertEquals(columns["traits.is_hosting_provider"], true);
  assertEquals(columns["traits.is_tor_exit_node"], false);
  const v6 = context.answers.get("2001:218::5")!;
  assertOk(v6.status === "ok");
  assertEquals(provider.derive(v6.raw, "2001:218::5").network, "2001:218::/32");
  const reserved = context.answers.get("192.0.2.1")!;
  assertEquals(
    reserved.status === "reserved" && (reserved.raw as { code: string }).code,
    "IP_ADDRESS_RESERVED",
  );
});

Deno.test("maxmind-city leaves anonymity flags unknown and values missing, never empty", async () => {
  await using server = startMockMaxmind();
  const { http } = fastHttp();
  const provider = maxmind(server, KEY, "city");
  const { context } = await run(provider, ["175.16.199.1"], http);
  const answer = context.answers.get("175.16.199.1")!;
  assertOk(answer.status === "ok");
  const { columns } = provider.derive(answer.raw, "175.16.199.1");
  assertEquals("traits.is_anonymous" in columns, false);
  assertEquals("postal.code" in columns, false);
  assertOk(Object.values(columns).every((value) => value !== "" && value !== null));
  assertEquals(columns["city.names.en"], "Changchun");
});

Deno.test("maxmind recovers from 5xx, 429, slow, malformed and reset answers", async () => {
  const faults: Fault[] = [
    { kind: "500", ip: "81.2.69.161", times: 2 },
    { kind: "429", ip: "89.160.20.115", times: 1, retryAfter: "1" },
    { kind: "slow", ip: "216.160.83.57", times: 1, delayMs: 2000 },
    { kind: "malformed", ip: "175.16.199.1", times: 1 },
    { kind: "reset", ip: "2.125.160.217", times: 1 },
    { kind: "503", ip: "1.231.232.1" },
  ];
  await using server = startMockMaxmind({ faults });
  const { http, sleeps } = fastHttp();
  const provider = maxmind(server);
  const ips = [
    "81.2.69.161",
    "89.160.20.115",
    "216.160.83.57",
    "175.16.199.1",
    "2.125.160.217",
    "1.231.232.1",
  ];
  const { context, thrown } = await run(provider, ips, http);
  assertAllAnswered(context, ips, thrown);
  assertEquals(ips.map((ip) => statusOf(context, ip)), ["ok", "ok", "ok", "ok", "ok", "error"]);
  assertEquals(context.answers.get("1.231.232.1"), {
    status: "error",
    reason: "HTTP 503 after 4 tries",
    retryable: true,
  });
  assertIncludes(sleeps, 1000); // Retry-After: 1
  assertEquals(server.total, 2 + 1 + 1 + 1 + 1 + 5 + 4);
  assertNoSecret(everything(context, http, provider, thrown), [KEY, btoa(`${ACCOUNT}:${KEY}`)]);
});

Deno.test("maxmind stops at INSUFFICIENT_FUNDS and sends nothing more", async (t) => {
  const ips = [
    "81.2.69.161",
    "89.160.20.115",
    "216.160.83.57",
    "175.16.199.1",
    "2.125.160.217",
    "1.231.232.1",
    "67.43.156.1",
    "2001:218::1",
  ];
  await t.step("one request at a time: exactly one 402 is seen", async () => {
    await using server = startMockMaxmind({ queriesRemaining: 3 });
    const { http } = fastHttp({ concurrency: 1 });
    const provider = createMaxmindWebProvider({
      service: "insights",
      accountId: ACCOUNT,
      licenseKey: KEY,
      baseUrl: server.url,
      parallel: 1,
    });
    const { context, thrown } = await run(provider, ips, http);
    assertAllAnswered(context, ips, thrown);
    assertEquals(server.total, 4);
    assertEquals(ips.map((ip) => statusOf(context, ip)).filter((s) => s === "ok").length, 3);
    for (const ip of ips.slice(3)) {
      const answer = context.answers.get(ip)!;
      assertIncludes(reasonOf(answer), "INSUFFICIENT_FUNDS");
      assertEquals(answer.status === "error" && answer.retryable, true);
    }
    assertEquals(context.stopReasons.length, 1);
    assertIncludes(http.stopReason ?? "", "out of queries");
    assertEquals(http.stoppedFor(true), true);
    assertNoSecret(everything(context, http, provider, thrown), [KEY, btoa(`${ACCOUNT}:${KEY}`)]);
  });
  await t.step("in parallel: nothing is sent once the 402 arrived", async () => {
    await using server = startMockMaxmind({ faults: [{ kind: "out_of_queries", request: 2 }] });
    const events: string[] = [];
    const recordingFetch = async (input: string | URL | Request, init?: RequestInit) => {
      events.push("send");
      const response = await fetch(input, init);
      events.push(`answer ${response.status}`);
      return response;
    };
    const { http } = fastHttp({ concurrency: 3, fetch: recordingFetch as typeof fetch });
    const provider = maxmind(server);
    const { context, thrown } = await run(provider, ips, http);
    assertAllAnswered(context, ips, thrown);
    const paymentRequired = events.indexOf("answer 402");
    assertOk(paymentRequired !== -1);
    assertEquals(events.slice(paymentRequired).includes("send"), false);
    assertEquals(server.total, events.filter((e) => e === "send").length);
    assertOk(server.total < ips.length, `sent ${server.total}`);
    const failed = ips.filter((ip) =>
      reasonOf(context.answers.get(ip)).includes("INSUFFICIENT_FUNDS")
    );
    assertEquals(
      failed.length + ips.filter((ip) => statusOf(context, ip) === "ok").length,
      ips.length,
    );
  });
});

Deno.test("maxmind stops at a bad license key and never shows it", async () => {
  const wrongKey = "WRONG-key-that-must-not-leak-9876";
  await using server = startMockMaxmind();
  const { http } = fastHttp({ concurrency: 1 });
  const provider = createMaxmindWebProvider({
    service: "insights",
    accountId: ACCOUNT,
    licenseKey: wrongKey,
    baseUrl: server.url,
    parallel: 1,
  });
  const ips = ["81.2.69.161", "89.160.20.115", "216.160.83.57"];
  const { context, thrown } = await run(provider, ips, http);
  assertAllAnswered(context, ips, thrown);
  assertEquals(server.total, 1);
  for (const ip of ips) {
    const answer = context.answers.get(ip)!;
    assertIncludes(
      reasonOf(answer),
      "rejected the account ID or license key (AUTHORIZATION_INVALID",
    );
    assertEquals(answer.status === "error" && answer.retryable, true);
  }
  assertNoSecret(everything(context, http, provider, thrown), [
    wrongKey,
    btoa(`${ACCOUNT}:${wrongKey}`),
  ]);
});

Deno.test("maxmind keeps the query budget of the run", async () => {
  await using server = startMockMaxmind();
  const { http } = fastHttp({ concurrency: 1, maxQueries: 2 });
  const provider = maxmind(server);
  const ips = ["81.2.69.161", "89.160.20.115", "216.160.83.57", "175.16.199.1"];
  const { context, thrown } = await run(provider, ips, http);
  assertAllAnswered(context, ips, thrown);
  assertEquals(server.total, 2);
  assertEquals(reasonOf(context.answers.get("175.16.199.1")), "query budget of 2 used up");
});

Deno.test("maxmind stops at PERMISSION_REQUIRED (402) and at a bare 403", async (t) => {
  const cases: [Response, string][] = [
    [
      Response.json({ code: "PERMISSION_REQUIRED", error: "You do not have permission" }, {
        status: 402,
      }),
      "no permission for this service (PERMISSION_REQUIRED)",
    ],
    [new Response("Forbidden", { status: 403 }), "refused the query (HTTP 403)"],
  ];
  for (const [response, expected] of cases) {
    await t.step(expected, async () => {
      let sent = 0;
      const fetchOnce = () => {
        sent++;
        return Promise.resolve(response.clone());
      };
      const { http } = fastHttp({ fetch: fetchOnce as typeof fetch, concurrency: 1 });
      const provider = createMaxmindWebProvider({
        service: "country",
        accountId: ACCOUNT,
        licenseKey: KEY,
        baseUrl: "https://geoip.test",
        parallel: 1,
      });
      const ips = ["81.2.69.161", "89.160.20.115"];
      const { context, thrown } = await run(provider, ips, http);
      assertAllAnswered(context, ips, thrown);
      assertEquals(sent, 1);
      for (const ip of ips) assertIncludes(reasonOf(context.answers.get(ip)), expected);
    });
  }
});

Deno.test("createMaxmindWebProvider() rejects bad options without echoing the key", () => {
  const error = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e as Error;
    }
    throw new Error("expected an error");
  };
  const empty = error(() =>
    createMaxmindWebProvider({ service: "city", accountId: "42", licenseKey: " " })
  );
  assertOk(empty instanceof TypeError);
  const badAccount = error(() =>
    createMaxmindWebProvider({ service: "city", accountId: "acct", licenseKey: "SECRET-KEY-1" })
  );
  assertIncludes(badAccount.message, "accountId");
  assertEquals(badAccount.message.includes("SECRET-KEY-1"), false);
});

// ----------------------------------------------------------------------------
// ipinfo

const IPINFO_IPS = [
  "81.2.69.142",
  "89.160.20.112",
  "216.160.83.57",
  "175.16.199.1",
  "2001:218::1",
  "55.0.0.2",
  "10.0.0.1",
  "8.8.4.4",
];

Deno.test("ipinfo with a token asks in batches, the token only in a header", async () => {
  await using server = startMockIpinfo();
  const { http } = fastHttp();
  const provider = createIpinfoProvider({ token: TOKEN, baseUrl: server.url, batchSize: 3 });
  assertEquals(provider.paid, false);
  const { context, thrown } = await run(provider, IPINFO_IPS, http);
  assertAllAnswered(context, IPINFO_IPS, thrown);
  assertEquals(server.hits.get("POST /batch"), 3);
  assertEquals(server.total, 3);
  assertOk(
    server.log.every((entry) =>
      entry.authorization === `Bearer ${TOKEN}` && !entry.url.includes("token")
    ),
  );
  assertEquals(statusOf(context, "10.0.0.1"), "reserved");
  assertEquals(IPINFO_IPS.filter((ip) => statusOf(context, ip) === "ok").length, 7);

  const linkoping = context.answers.get("89.160.20.112")!;
  assertOk(linkoping.status === "ok");
  assertEquals(provider.derive(linkoping.raw, "89.160.20.112"), {
    columns: {
      "country.iso_code": "SE",
      "subdivisions.0.names.en": "Östergötland",
      "city.names.en": "Linköping",
      "postal.code": "582 22",
      "location.time_zone": "Europe/Stockholm",
      "location.latitude": 58.4167,
      "location.longitude": 15.6167,
      "traits.autonomous_system_number": 29518,
      "traits.autonomous_system_organization": "Bredband2 AB",
    },
    network: null,
  });
  const paid = context.answers.get("55.0.0.2")!;
  assertOk(paid.status === "ok");
  const derived = provider.derive(paid.raw, "55.0.0.2");
  assertEquals(derived.network, "55.0.0.0/24");
  assertEquals(derived.columns["traits.autonomous_system_number"], 15895);
  assertEquals(derived.columns["traits.autonomous_system_organization"], "Kyivstar PJSC");
  assertEquals(derived.columns["traits.organization"], "Kyivstar");
  assertEquals(derived.columns["traits.is_anonymous_vpn"], true);
  assertEquals(derived.columns["traits.is_anonymous"], true);
  assertEquals(derived.columns["traits.is_tor_exit_node"], false);
  assertEquals(derived.columns["traits.is_hosting_provider"], true);
  const empty = context.answers.get("8.8.4.4")!;
  assertOk(empty.status === "ok");
  assertEquals(provider.derive(empty.raw, "8.8.4.4"), { columns: {}, network: null });
  assertNoSecret(everything(context, http, provider, thrown), [TOKEN]);
});

Deno.test("ipinfo without a token asks one by one", async () => {
  await using server = startMockIpinfo();
  const { http } = fastHttp();
  const provider = createIpinfoProvider({ baseUrl: server.url });
  const { context, thrown } = await run(provider, IPINFO_IPS, http);
  assertAllAnswered(context, IPINFO_IPS, thrown);
  assertEquals(server.hits.get("POST /batch"), undefined);
  assertEquals(server.total, IPINFO_IPS.length);
  assertOk(
    server.log.every((entry) => entry.authorization === null && entry.path.endsWith("/json")),
  );
  assertEquals(statusOf(context, "10.0.0.1"), "reserved");
});

Deno.test("ipinfo falls back to single lookups when the batch endpoint is refused", async () => {
  await using server = startMockIpinfo({ batch: false });
  const { http } = fastHttp();
  const provider = createIpinfoProvider({ token: TOKEN, baseUrl: server.url });
  const { context, thrown } = await run(provider, IPINFO_IPS, http);
  assertAllAnswered(context, IPINFO_IPS, thrown);
  assertEquals(server.hits.get("POST /batch"), 1);
  assertEquals(server.total, 1 + IPINFO_IPS.length);
  assertEquals(IPINFO_IPS.filter((ip) => statusOf(context, ip) === "ok").length, 7);
});

Deno.test("ipinfo recovers from a fault mix in single and batch mode", async (t) => {
  const faults = (): Fault[] => [
    { kind: "500", request: 1 },
    { kind: "malformed", request: 3 },
    { kind: "reset", request: 5 },
    { kind: "slow", request: 6, delayMs: 2000 },
    { kind: "429", request: 8, retryAfter: "2" },
  ];
  for (const token of [undefined, TOKEN]) {
    await t.step(token ? "batch" : "single", async () => {
      await using server = startMockIpinfo({ faults: faults() });
      const { http, sleeps } = fastHttp({ concurrency: 2 });
      const provider = createIpinfoProvider({ token, baseUrl: server.url, batchSize: 2 });
      const { context, thrown } = await run(provider, IPINFO_IPS, http);
      assertAllAnswered(context, IPINFO_IPS, thrown);
      assertEquals(IPINFO_IPS.filter((ip) => statusOf(context, ip) === "error"), []);
      assertIncludes(sleeps, 2000);
      assertNoSecret(everything(context, http, provider, thrown), [TOKEN]);
    });
  }
});

Deno.test("ipinfo stops asking when the rate limit does not lift", async () => {
  await using server = startMockIpinfo({ faults: [{ kind: "429", retryAfter: "1" }] });
  const { http } = fastHttp({ concurrency: 1 });
  const provider = createIpinfoProvider({ baseUrl: server.url, parallel: 1 });
  const { context, thrown } = await run(provider, IPINFO_IPS, http);
  assertAllAnswered(context, IPINFO_IPS, thrown);
  assertEquals(server.total, 4);
  for (const ip of IPINFO_IPS) {
    assertIncludes(reasonOf(context.answers.get(ip)), "ipinfo rate limit reached");
  }
});

Deno.test("ipinfo stops at an unknown token and never shows it", async () => {
  const wrong = "wrong-ipinfo-token-must-not-leak";
  await using server = startMockIpinfo();
  const { http } = fastHttp({ concurrency: 1 });
  const provider = createIpinfoProvider({ token: wrong, baseUrl: server.url, parallel: 1 });
  const { context, thrown } = await run(provider, IPINFO_IPS, http);
  assertAllAnswered(context, IPINFO_IPS, thrown);
  assertEquals(server.total, 2); // the batch, then one single lookup
  assertIncludes(
    reasonOf(context.answers.get("81.2.69.142")),
    "ipinfo refused the token (HTTP 403)",
  );
  assertNoSecret(everything(context, http, provider, thrown), [wrong]);
});

// ----------------------------------------------------------------------------
// RDAP

const RDAP_IPS = [
  "81.2.69.200",
  "81.2.69.1",
  "81.2.69.161",
  "89.160.20.5",
  "89.160.21.100",
  "175.16.199.1",
  "175.18.0.1",
  "216.160.83.57",
  "216.160.100.1",
  "2001:218::1",
  "2001:218:1::1",
  "8.8.8.8",
];

Deno.test("rdap asks once per network and answers the rest from it", async () => {
  await using server = startMockRdap();
  const { http } = fastHttp();
  const provider = createRdapProvider({ baseUrl: server.url });
  assertEquals(provider.cachesNetworks, true);
  const { context, thrown } = await run(provider, RDAP_IPS, http);
  assertAllAnswered(context, RDAP_IPS, thrown);
  assertEquals(server.hitsUnder("/rir/"), 5);
  assertEquals(server.hitsUnder("/ip/"), 6);
  assertEquals(statusOf(context, "8.8.8.8"), "not_found");
  const networks = Object.fromEntries(
    [...context.answers].map((
      [ip, answer],
    ) => [ip, answer.status === "ok" ? answer.network : answer.status]),
  );
  assertEquals(networks, {
    "81.2.69.200": "81.2.69.0/24",
    "81.2.69.1": "81.2.69.0/24",
    "81.2.69.161": "81.2.69.0/24",
    "89.160.20.5": "89.160.20.0/24",
    "89.160.21.100": "89.160.21.0/25",
    "175.16.199.1": "175.16.0.0/14",
    "175.18.0.1": "175.16.0.0/14",
    "216.160.83.57": "216.160.64.0/18",
    "216.160.100.1": "216.160.64.0/18",
    "2001:218::1": "2001:218::/32",
    "2001:218:1::1": "2001:218::/32",
    "8.8.8.8": "not_found",
  });
  const derive = (ip: string) => {
    const answer = context.answers.get(ip)!;
    return answer.status === "ok" ? provider.derive(answer.raw, ip) : undefined;
  };
  assertEquals(derive("81.2.69.1"), {
    columns: {
      "registered_country.iso_code": "GB",
      "rdap.name": "AAISP-STONEHOUSE",
      "rdap.handle": "81.2.69.0 - 81.2.69.255",
      "rdap.abuse_email": "abuse@aa.example",
    },
    network: "81.2.69.0/24",
  });
  assertEquals(derive("89.160.21.100")?.columns["rdap.abuse_email"], "abuse@bredband2.example");
  assertEquals(derive("216.160.83.57"), {
    columns: {
      "rdap.name": "QWEST-INET-116",
      "rdap.handle": "NET-216-160-64-0-1",
      "rdap.abuse_email": "abuse@centurylink.example",
    },
    network: "216.160.64.0/18",
  });
  assertEquals(derive("2001:218:1::1")?.columns["rdap.abuse_email"], undefined);
});

Deno.test("rdap recovers from 429, 5xx, slow, malformed and reset answers", async () => {
  const faults: Fault[] = [
    { kind: "429", ip: "81.2.69.1", times: 1, retryAfter: "1" },
    { kind: "503", ip: "175.16.199.1", times: 2 },
    { kind: "slow", ip: "216.160.83.57", path: "/rir/", times: 1, delayMs: 2000 },
    { kind: "malformed", ip: "89.160.20.5", path: "/rir/", times: 1 },
    { kind: "reset", ip: "2001:218::1", times: 1 },
  ];
  await using server = startMockRdap({ faults });
  const { http, sleeps } = fastHttp();
  const provider = createRdapProvider({ baseUrl: server.url });
  const { context, thrown } = await run(provider, RDAP_IPS, http);
  assertAllAnswered(context, RDAP_IPS, thrown);
  assertEquals(RDAP_IPS.filter((ip) => statusOf(context, ip) === "error"), []);
  assertIncludes(sleeps, 1000);
  // retries repeat the redirect; still one good answer per network
  assertEquals(server.log.filter((e) => e.path.startsWith("/rir/") && e.fault === null).length, 5);
});

Deno.test("rdap stops asking when the rate limit does not lift", async () => {
  await using server = startMockRdap({ faults: [{ kind: "429" }] });
  const { http } = fastHttp();
  const provider = createRdapProvider({ baseUrl: server.url, parallel: 1 });
  const { context, thrown } = await run(provider, RDAP_IPS, http);
  assertAllAnswered(context, RDAP_IPS, thrown);
  assertEquals(server.total, 4);
  for (const ip of RDAP_IPS) {
    assertIncludes(reasonOf(context.answers.get(ip)), "RDAP rate limit reached");
  }
});

Deno.test("providers answer an aborted run without sending", async () => {
  await using server = startMockRdap();
  const { http } = fastHttp();
  http.abort("interrupted");
  const provider = createRdapProvider({ baseUrl: server.url });
  const { context, thrown } = await run(provider, RDAP_IPS, http);
  assertAllAnswered(context, RDAP_IPS, thrown);
  assertEquals(server.total, 0);
  assertEquals(reasonOf(context.answers.get("81.2.69.1")), "aborted: interrupted");
});
