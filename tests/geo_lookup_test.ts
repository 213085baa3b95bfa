import { GeoCache } from "../lib/geo/cache.ts";
import { ipDetailsRecord, lookupIps, type RequestClient } from "../lib/geo/lookup.ts";
import {
  type Derived,
  DETAIL_COLUMNS,
  type FetchContext,
  type OfflineProvider,
  type OnlineProvider,
} from "../lib/geo/types.ts";
import { assertEquals, assertIncludes, assertOk } from "./_assert.ts";

/** An offline provider answering from a table. */
function table(name: string, rows: Record<string, Derived>): OfflineProvider {
  return {
    name,
    kind: "offline",
    version: "2026-06-05",
    attribution: `${name} attribution`,
    lookup: (ips) => new Map(ips.map((ip) => [ip, rows[ip]])),
    close() {},
  };
}

/** An online provider whose service is a function; counts what it was asked. */
function service(
  name: string,
  answer: (ip: string, context: FetchContext) => void | Promise<void>,
  extra: Partial<OnlineProvider> = {},
): OnlineProvider & { asked: string[] } {
  const asked: string[] = [];
  return {
    name,
    kind: "online",
    paid: true,
    ttlMs: 1000,
    negativeTtlMs: 500,
    version: `${name} API`,
    asked,
    async fetch(ips, context) {
      for (const ip of ips) {
        if (context.stopped) return;
        asked.push(ip);
        await answer(ip, context);
      }
    },
    derive: (raw) => raw as Derived,
    ...extra,
  };
}

const client = (): RequestClient => {
  let reason: string | undefined;
  return {
    request: () => Promise.reject(new Error("no network in this test")),
    stop(r) {
      reason ??= r;
    },
    get stopped() {
      return reason !== undefined;
    },
    get stopReason() {
      return reason;
    },
  };
};

Deno.test("lookupIps() merges providers column by column and records provenance", async () => {
  const city = table("dbip", {
    "81.2.69.160": {
      columns: { "country.iso_code": "GB", "city.names.en": "London", "traits.isp": null },
      network: "81.2.69.0/24",
    },
  });
  const asn = table("asn", {
    "81.2.69.160": {
      columns: { "country.iso_code": "FR", "traits.autonomous_system_number": 20712 },
    },
  });
  const { details, attributions } = await lookupIps([
    "81.2.69.160",
    "::ffff:81.2.69.160",
    "10.0.0.1",
    "bogus",
  ], {
    providers: [city, asn],
    cacheDir: await Deno.makeTempDir(),
    now: () => Date.UTC(2026, 0, 1),
  });
  assertEquals(details.length, 2);
  const d = details[0];
  assertEquals([
    d["country.iso_code"],
    d["city.names.en"],
    d["traits.autonomous_system_number"],
    d["traits.isp"],
  ], [
    "GB",
    "London",
    20712,
    null,
  ]);
  assertEquals(d.sources, {
    "country.iso_code": "dbip",
    "city.names.en": "dbip",
    "traits.autonomous_system_number": "asn",
  });
  assertEquals([d.provider, d.network, d.source_version, d.fetched_at], [
    "dbip,asn",
    "81.2.69.0/24",
    "dbip 2026-06-05; asn 2026-06-05",
    "2026-01-01T00:00:00.000Z",
  ]);
  assertEquals([details[1].ip, details[1].ip_class, details[1].provider], [
    "10.0.0.1",
    "private",
    null,
  ]);
  assertEquals(attributions, ["dbip attribution", "asn attribution"]);
});

Deno.test("ipDetailsRecord() puts each value under its column, provenance first", () => {
  const values = DETAIL_COLUMNS.map((_, i) => i);
  const record = ipDetailsRecord("81.2.69.160", "public", values) as Record<string, unknown>;
  assertEquals(Object.keys(record), [
    "ip",
    "ip_class",
    "network",
    "provider",
    "source_version",
    "fetched_at",
    "sources",
    "failure",
    ...DETAIL_COLUMNS,
  ]);
  for (const [i, column] of DETAIL_COLUMNS.entries()) assertEquals(record[column], i, column);
  const blank = ipDetailsRecord("10.0.0.1", "private");
  assertEquals(DETAIL_COLUMNS.filter((c) => blank[c] !== null), []);
  assertEquals([blank.provider, blank.network, blank.fetched_at, blank.failure], [
    null,
    null,
    null,
    null,
  ]);
  // each record has a sources object of its own
  blank.sources["city.names.en"] = "x";
  assertEquals(ipDetailsRecord("10.0.0.2", "private").sources, {});
});

Deno.test("lookupIps() with three providers: each IP's provenance names the providers it used", async () => {
  const shared = { "country.iso_code": "DE", "city.names.en": "", "location.latitude": NaN };
  const first = table("first", {
    "1.1.1.1": { columns: shared },
    "2.2.2.2": { columns: shared },
    "3.3.3.3": { columns: { "location.latitude": Infinity } },
  });
  const second = table("second", {
    "1.1.1.1": { columns: { "country.iso_code": "FR", "city.names.en": "Paris" } },
    "3.3.3.3": { columns: { "traits.autonomous_system_number": 3320 }, network: "3.3.3.0/24" },
  });
  const third = table("third", {
    "2.2.2.2": { columns: { "location.latitude": 52.5, "traits.isp": "ISP" } },
    "3.3.3.3": { columns: { "country.iso_code": "NL" } },
  });
  const { details } = await lookupIps(["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"], {
    providers: [first, second, third],
    cacheDir: await Deno.makeTempDir(),
    now: () => Date.UTC(2026, 0, 1),
  });
  const row = (i: number) => {
    const d = details[i];
    return [
      d.provider,
      d.source_version,
      d.network,
      d["country.iso_code"],
      d["city.names.en"],
      d["location.latitude"],
      d["traits.autonomous_system_number"],
      d["traits.isp"],
      d.sources,
    ];
  };
  assertEquals(row(0), [
    "first,second",
    "first 2026-06-05; second 2026-06-05",
    null,
    "DE",
    "Paris",
    null,
    null,
    null,
    { "country.iso_code": "first", "city.names.en": "second" },
  ]);
  assertEquals(row(1), [
    "first,third",
    "first 2026-06-05; third 2026-06-05",
    null,
    "DE",
    null,
    52.5,
    null,
    "ISP",
    { "country.iso_code": "first", "location.latitude": "third", "traits.isp": "third" },
  ]);
  assertEquals(row(2), [
    "second,third",
    "second 2026-06-05; third 2026-06-05",
    "3.3.3.0/24",
    "NL",
    null,
    null,
    3320,
    null,
    { "country.iso_code": "third", "traits.autonomous_system_number": "second" },
  ]);
  assertEquals(row(3), [null, null, null, null, null, null, null, null, {}]);
  assertEquals(details.map((d) => d.fetched_at), [
    "2026-01-01T00:00:00.000Z",
    "2026-01-01T00:00:00.000Z",
    "2026-01-01T00:00:00.000Z",
    null,
  ]);
});

Deno.test("lookupIps() never sends non-public addresses and asks nothing on a rerun", async () => {
  const cacheDir = await Deno.makeTempDir();
  const svc = service(
    "maxmind-insights",
    (ip, c) => c.answer(ip, { status: "ok", raw: { columns: { "country.iso_code": "DE" } } }),
  );
  const ips = ["5.9.0.1", "5.9.0.2", "192.168.1.1", "100.64.0.1", "2001:db8::1", "127.0.0.1"];
  const first = await lookupIps(ips, { providers: [svc], cacheDir, client });
  assertEquals(svc.asked, ["5.9.0.1", "5.9.0.2"]);
  assertEquals(first.nonPublic, { private: 1, cgnat: 1, documentation: 1, loopback: 1 });
  const second = await lookupIps(ips, { providers: [svc], cacheDir, client });
  assertEquals(svc.asked.length, 2, "a rerun makes zero requests");
  assertEquals(second.stats[0].fromCache, 2);
  assertEquals(second.details[0]["country.iso_code"], "DE");
});

Deno.test("lookupIps() offline lists what it could not answer; refresh asks again; expiry re-asks", async () => {
  const cacheDir = await Deno.makeTempDir();
  let clock = 1000;
  const svc = service(
    "ipinfo",
    (ip, c) => c.answer(ip, { status: "ok", raw: { columns: { "city.names.en": "Berlin" } } }),
  );
  const offline = await lookupIps(["5.9.0.1"], {
    providers: [svc],
    cacheDir,
    offline: true,
    now: () => clock,
  });
  assertEquals(offline.notAsked, [{ provider: "ipinfo", ips: ["5.9.0.1"], paid: true }]);
  assertEquals(svc.asked, []);
  await lookupIps(["5.9.0.1"], { providers: [svc], cacheDir, client, now: () => clock });
  await lookupIps(["5.9.0.1"], {
    providers: [svc],
    cacheDir,
    client,
    now: () => clock,
    refresh: true,
  });
  assertEquals(svc.asked.length, 2, "refresh re-asks");
  clock += 1001; // past the 1000 ms TTL
  const expired = await lookupIps(["5.9.0.1"], {
    providers: [svc],
    cacheDir,
    client,
    now: () => clock,
  });
  assertEquals([svc.asked.length, expired.stats[0].expired], [3, 1]);
});

Deno.test("lookupIps() keeps definitive misses in a negative cache", async () => {
  const cacheDir = await Deno.makeTempDir();
  const svc = service("maxmind-city", (ip, c) => c.answer(ip, { status: "not_found" }));
  await lookupIps(["5.9.0.1"], { providers: [svc], cacheDir, client, now: () => 0 });
  const again = await lookupIps(["5.9.0.1"], {
    providers: [svc],
    cacheDir,
    client,
    now: () => 100,
  });
  assertEquals([svc.asked.length, again.stats[0].notFound], [1, 1]);
  await lookupIps(["5.9.0.1"], { providers: [svc], cacheDir, client, now: () => 600 });
  assertEquals(svc.asked.length, 2, "negative answers expire after negativeTtlMs");
});

Deno.test("lookupIps() lists failures with reasons, persists them, and a rerun finishes them", async () => {
  const cacheDir = await Deno.makeTempDir();
  let down = true;
  const svc = service(
    "rdap",
    (ip, c) =>
      down && ip.endsWith(".2")
        ? c.answer(ip, { status: "error", reason: "HTTP 503 after 3 tries", retryable: true })
        : c.answer(ip, { status: "ok", raw: { columns: { "rdap.name": "NET" } } }),
  );
  const first = await lookupIps(["5.9.0.1", "5.9.0.2"], { providers: [svc], cacheDir, client });
  assertEquals(first.failed, [{
    ip: "5.9.0.2",
    provider: "rdap",
    reason: "HTTP 503 after 3 tries",
    retryable: true,
  }]);
  assertEquals(first.details[1].failure, "rdap: HTTP 503 after 3 tries");
  const cache = GeoCache.open(cacheDir, "rdap");
  assertEquals(cache.failures().map((f) => f.ip), ["5.9.0.2"]);
  cache.close();
  down = false;
  const second = await lookupIps(["5.9.0.1", "5.9.0.2"], { providers: [svc], cacheDir, client });
  assertEquals(svc.asked, ["5.9.0.1", "5.9.0.2", "5.9.0.2"]);
  assertEquals(second.failed, []);
  const after = GeoCache.open(cacheDir, "rdap");
  assertEquals(after.failures(), [], "answered IPs leave the failure list");
  after.close();
});

Deno.test("lookupIps() marks IPs not asked after a stop (out of funds) as failed and keeps earlier answers", async () => {
  const cacheDir = await Deno.makeTempDir();
  const svc = service("maxmind-insights", (ip, c) => {
    if (ip === "5.9.0.2") c.stop("INSUFFICIENT_FUNDS: the account is out of funds");
    else c.answer(ip, { status: "ok", raw: { columns: { "traits.isp": "Hetzner" } } });
  });
  const result = await lookupIps(["5.9.0.1", "5.9.0.2", "5.9.0.3"], {
    providers: [svc],
    cacheDir,
    client,
  });
  assertEquals(svc.asked, ["5.9.0.1", "5.9.0.2"]);
  assertEquals(result.details[0]["traits.isp"], "Hetzner");
  assertEquals(result.failed.map((f) => [f.ip, f.reason]), [
    ["5.9.0.2", "not asked: INSUFFICIENT_FUNDS: the account is out of funds"],
    ["5.9.0.3", "not asked: INSUFFICIENT_FUNDS: the account is out of funds"],
  ]);
});

Deno.test("lookupIps() answers later IPs of a network from one cached network answer", async () => {
  const cacheDir = await Deno.makeTempDir();
  const svc = service(
    "rdap",
    (ip, c) =>
      c.answer(ip, {
        status: "ok",
        raw: { columns: { "rdap.handle": "NET-5-9" } },
        network: "5.9.0.0/16",
      }),
    { cachesNetworks: true },
  );
  await lookupIps(["5.9.0.1"], { providers: [svc], cacheDir, client });
  const result = await lookupIps(["5.9.0.1", "5.9.200.7"], { providers: [svc], cacheDir, client });
  assertEquals(svc.asked, ["5.9.0.1"]);
  assertEquals(result.details.map((d) => [d["rdap.handle"], d.network]), [
    ["NET-5-9", "5.9.0.0/16"],
    ["NET-5-9", "5.9.0.0/16"],
  ]);
});

Deno.test("lookupIps() dry run counts the paid queries it would make and what the cache covers", async () => {
  const cacheDir = await Deno.makeTempDir();
  const svc = service(
    "maxmind-insights",
    (ip, c) => c.answer(ip, { status: "ok", raw: { columns: {} } }),
  );
  await lookupIps(["5.9.0.1"], { providers: [svc], cacheDir, client });
  const dry = await lookupIps(["5.9.0.1", "5.9.0.2", "5.9.0.3"], {
    providers: [svc],
    cacheDir,
    dryRun: true,
  });
  assertEquals(dry.notAsked, [{
    provider: "maxmind-insights",
    ips: ["5.9.0.2", "5.9.0.3"],
    paid: true,
  }]);
  assertEquals(dry.stats[0].fromCache, 1);
  assertEquals(svc.asked, ["5.9.0.1"]);
});

function writer(dir: string, prefix: string, count: number) {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./support/cache_writer.ts", import.meta.url).pathname,
      dir,
      "ipinfo",
      prefix,
      String(count),
    ],
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test("GeoCache stays valid when the writing process is killed mid-write", async () => {
  const dir = await Deno.makeTempDir();
  const child = (writer(dir, "5.9", 200_000)).spawn();
  // wait until it has written a few entries, then kill it hard
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  assertIncludes(new TextDecoder().decode(value), "started");
  await new Promise((r) => setTimeout(r, 150));
  child.kill("SIGKILL");
  await child.status;
  reader.releaseLock();
  await child.stdout.cancel().catch(() => {});
  await child.stderr.cancel().catch(() => {});
  const cache = GeoCache.open(dir, "ipinfo");
  assertEquals(cache.integrity(), "ok");
  const n = cache.size();
  assertOk(n > 50 && n < 200_000, `${n} entries survived`);
  assertEquals((cache.get("5.9.0.1")?.raw as { i: number }).i, 1);
  cache.close();
});

Deno.test("GeoCache survives two runs writing at once", async () => {
  const dir = await Deno.makeTempDir();
  const [a, b] = await Promise.all([
    (writer(dir, "5.9", 3000)).output(),
    (writer(dir, "46.4", 3000)).output(),
  ]);
  assertEquals(
    [a.code, b.code],
    [0, 0],
    new TextDecoder().decode(a.stderr) + new TextDecoder().decode(b.stderr),
  );
  const cache = GeoCache.open(dir, "ipinfo");
  assertEquals([cache.integrity(), cache.size()], ["ok", 6000]);
  cache.close();
});
