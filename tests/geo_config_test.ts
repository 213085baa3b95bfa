import { join } from "node:path";
import {
  defaultProviders,
  GeoConfigError,
  parseProviderList,
  readGeoSettings,
  redactSecrets,
  secretsOf,
} from "../lib/geo/config.ts";
import { createProgressBar, formatDuration, progressLine } from "../lib/cli/progress.ts";
import { assertEquals, assertIncludes, assertOk } from "./_assert.ts";

Deno.test("readGeoSettings() takes keys from the environment over the config file", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "config.json");
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      maxmind: { accountId: 7, licenseKey: "file-key-123" },
      ipinfo: { token: "tok-file" },
    }),
  );
  const fromFile = readGeoSettings({ JAILBOOK_CONFIG: path });
  assertEquals([fromFile.maxmind.accountId, fromFile.maxmind.licenseKey, fromFile.ipinfo.token], [
    "7",
    "file-key-123",
    "tok-file",
  ]);
  const fromEnv = readGeoSettings({
    JAILBOOK_CONFIG: path,
    MAXMIND_LICENSE_KEY: "env-key-456",
    IPINFO_TOKEN: "tok-env",
  });
  assertEquals([fromEnv.maxmind.licenseKey, fromEnv.ipinfo.token], ["env-key-456", "tok-env"]);
  assertEquals(secretsOf(fromEnv), ["env-key-456", "tok-env"]);
  assertOk(
    !JSON.stringify(fromEnv.origin).includes("env-key-456"),
    "origin names places, not values",
  );
});

Deno.test("readGeoSettings() reports a broken or missing JAILBOOK_CONFIG clearly", async () => {
  const dir = await Deno.makeTempDir();
  const bad = join(dir, "bad.json");
  await Deno.writeTextFile(bad, "{ not json");
  for (
    const [env, text] of [[{ JAILBOOK_CONFIG: bad }, "is not valid JSON"], [{
      JAILBOOK_CONFIG: join(dir, "none.json"),
    }, "does not exist"]] as const
  ) {
    try {
      readGeoSettings(env);
      throw new Error("no error");
    } catch (error) {
      assertOk(error instanceof GeoConfigError);
      assertIncludes((error as Error).message, text);
    }
  }
  assertEquals(readGeoSettings({ HOME: dir }).origin, [], "no config file in HOME is fine");
});

Deno.test("parseProviderList() rejects unknown providers naming the option", () => {
  assertEquals(parseProviderList("maxmind-insights, dbip,asn"), [
    "maxmind-insights",
    "dbip",
    "asn",
  ]);
  try {
    parseProviderList("dbip,geoip9");
    throw new Error("no error");
  } catch (error) {
    assertIncludes((error as Error).message, '--provider: unknown provider "geoip9"');
  }
});

Deno.test("defaultProviders() is offline DB-IP + ASN, with MaxMind databases first when found", async () => {
  const empty = await Deno.makeTempDir();
  const settings = readGeoSettings({ HOME: empty });
  assertEquals(defaultProviders(settings, [empty]), ["dbip", "asn"]);
  const withDb = { ...settings, maxmindDatabases: ["/x/GeoLite2-City.mmdb"] };
  assertEquals(defaultProviders(withDb, [empty]), ["maxmind-db", "dbip", "asn"]);
});

Deno.test("redactSecrets() removes every occurrence", () => {
  assertEquals(redactSecrets("key=abcd1234 and abcd1234", ["abcd1234"]), "key=*** and ***");
});

Deno.test("progressLine() shows count, percent, rate, ETA and cache hits", () => {
  assertEquals(
    progressLine({ label: "ipinfo", done: 50, total: 200, cached: 20 }, 10, 10),
    "ipinfo [###.......] 50/200 25%  5.0/s  ETA 0:30  cache 20",
  );
  assertEquals(formatDuration(3725), "1:02:05");
  assertEquals(formatDuration(NaN), "--:--");
});

Deno.test("createProgressBar() stays silent when stderr is not a terminal", () => {
  const written: string[] = [];
  const stream = {
    writeSync: (b: Uint8Array) => (written.push(new TextDecoder().decode(b)), b.length),
    isTerminal: () => false,
  };
  const quiet = createProgressBar({ stream });
  quiet.update({ label: "x", done: 1, total: 2 });
  quiet.done();
  assertEquals(written, []);
  let t = 0;
  const loud = createProgressBar({
    stream: { ...stream, isTerminal: () => true },
    now: () => (t += 200),
  });
  loud.update({ label: "x", done: 1, total: 2 });
  loud.done();
  assertEquals(written.length, 2);
  assertIncludes(written[0], "x [");
});
