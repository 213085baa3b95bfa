import { join } from "node:path";
import { startMockMaxmind } from "./_mock_servers.ts";
import { assertEquals, assertIncludes, assertOk } from "./_assert.ts";

const CLI = new URL("../lib/cli/geo.ts", import.meta.url).pathname;
const KEY = "mock-license-key-0123456789";

async function geo(args: string[], env: Record<string, string> = {}, stdin?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", HOME: "/nonexistent", ...env },
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function filesText(dir: string): Promise<string> {
  let text = "";
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile) {
      text += new TextDecoder("latin1").decode(await Deno.readFile(join(dir, entry.name)));
    }
  }
  return text;
}

Deno.test("geo reads IPs from parse's JSON Lines on stdin and prints IpDetails with the DB-IP attribution", async () => {
  const events = [
    { ip: "81.2.69.160", kind: "failed_password" },
    { ip: "8.8.8.8", kind: "invalid_user" },
    { ip: "10.0.0.1", kind: "failed_password" },
    { kind: "http_request" },
  ].map((e) => JSON.stringify(e)).join("\n");
  const { code, stdout, stderr } = await geo(
    ["--cache", await Deno.makeTempDir(), "-"],
    {},
    events,
  );
  assertEquals(code, 0, stderr);
  const rows = stdout.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(rows.map((r) => [r.ip, r.ip_class]), [["81.2.69.160", "public"], [
    "8.8.8.8",
    "public",
  ], ["10.0.0.1", "private"]]);
  assertEquals(rows[1]["country.iso_code"], "US");
  assertEquals(rows[1]["traits.autonomous_system_number"], 15169);
  assertEquals(rows[2]["country.iso_code"], null);
  assertIncludes(stderr, "DB-IP");
  assertIncludes(stderr, "1 private");
});

Deno.test("geo with MaxMind Insights: faults survived, key never printed or cached, rerun makes zero requests", async () => {
  await using server = startMockMaxmind({
    faults: [
      { kind: "500", ip: "81.2.69.160", times: 1 },
      { kind: "429", ip: "2.125.160.216", times: 1, retryAfter: "0" },
      { kind: "malformed", ip: "67.43.156.1", times: 1 },
    ],
  });
  const cache = await Deno.makeTempDir();
  const env = {
    MAXMIND_ACCOUNT_ID: "42",
    MAXMIND_LICENSE_KEY: KEY,
    JAILBOOK_MAXMIND_URL: server.url,
  };
  const ips = [
    "81.2.69.160",
    "2.125.160.216",
    "67.43.156.1",
    "175.16.199.1",
    "55.0.0.2",
    "2001:218::1",
  ];
  const args = [
    "--provider",
    "maxmind-insights,dbip,asn",
    "--cache",
    cache,
    "--retries",
    "3",
    ...ips,
  ];
  const first = await geo(args, env);
  assertEquals(first.code, 0, first.stderr);
  const rows = first.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(rows.length, 6);
  assertEquals(rows[0]["city.names.en"], "London");
  assertEquals(rows[0].sources["city.names.en"], "maxmind-insights");
  assertOk(rows.every((r) => r.provider !== null), "every IP answered by some provider");
  const asked = server.total;
  for (const text of [first.stdout, first.stderr, await filesText(cache)]) {
    assertOk(!text.includes(KEY), "the license key must never appear");
  }
  const second = await geo(args, env);
  assertEquals(second.code, 0, second.stderr);
  assertEquals(server.total, asked, "a rerun makes zero requests");
  assertIncludes(second.stderr, `from cache ${6 - 0}`.slice(0, 11));
});

Deno.test("geo --offline answers from the cache only and names the IPs it could not answer", async () => {
  await using server = startMockMaxmind();
  const cache = await Deno.makeTempDir();
  const env = {
    MAXMIND_ACCOUNT_ID: "42",
    MAXMIND_LICENSE_KEY: KEY,
    JAILBOOK_MAXMIND_URL: server.url,
  };
  const { code, stdout, stderr } = await geo([
    "--provider",
    "maxmind-city",
    "--offline",
    "--cache",
    cache,
    "81.2.69.160",
  ], env);
  assertEquals(code, 0, stderr);
  assertEquals(server.total, 0);
  assertIncludes(stderr, "Offline: maxmind-city has no cached answer for 1 IPs: 81.2.69.160");
  assertEquals(JSON.parse(stdout).provider, null);
});

Deno.test("geo --dry-run says how many paid queries a run would make", async () => {
  await using server = startMockMaxmind();
  const env = {
    MAXMIND_ACCOUNT_ID: "42",
    MAXMIND_LICENSE_KEY: KEY,
    JAILBOOK_MAXMIND_URL: server.url,
  };
  const { stderr } = await geo([
    "--provider",
    "maxmind-insights",
    "--dry-run",
    "--cache",
    await Deno.makeTempDir(),
    "81.2.69.160",
    "175.16.199.1",
  ], env);
  assertEquals(server.total, 0);
  assertIncludes(
    stderr,
    "Dry run: maxmind-insights would make 2 paid queries (0 answered by the cache)",
  );
});

Deno.test("geo stops spending when the account is out of queries and keeps what it has", async () => {
  await using server = startMockMaxmind({ queriesRemaining: 2 });
  const cache = await Deno.makeTempDir();
  const env = {
    MAXMIND_ACCOUNT_ID: "42",
    MAXMIND_LICENSE_KEY: KEY,
    JAILBOOK_MAXMIND_URL: server.url,
  };
  const ips = ["81.2.69.160", "2.125.160.216", "67.43.156.1", "175.16.199.1", "89.160.20.113"];
  const { code, stdout, stderr } = await geo([
    "--provider",
    "maxmind-insights",
    "--concurrency",
    "1",
    "--cache",
    cache,
    ...ips,
  ], env);
  assertEquals(code, 0, stderr);
  assertOk(server.total <= 3, `stopped after the 402 (${server.total} requests)`);
  const rows = stdout.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(rows.filter((r) => r.provider === "maxmind-insights").length, 2);
  assertIncludes(stderr, "Failed (3");
  assertOk(!stderr.includes(KEY));
});

Deno.test("geo rejects bad options and missing keys with exit 2", async () => {
  assertEquals((await geo(["--provider", "nope", "1.2.3.4"])).code, 2);
  const noKey = await geo(["--provider", "maxmind-insights", "1.2.3.4"]);
  assertEquals(noKey.code, 2);
  assertIncludes(noKey.stderr, "MAXMIND_ACCOUNT_ID");
  assertEquals((await geo(["--max-queries", "many", "1.2.3.4"])).code, 2);
});

Deno.test("geo --max-queries caps paid queries for the run and lists the rest as failed, retried next run", async () => {
  await using server = startMockMaxmind();
  const cache = await Deno.makeTempDir();
  const env = {
    MAXMIND_ACCOUNT_ID: "42",
    MAXMIND_LICENSE_KEY: KEY,
    JAILBOOK_MAXMIND_URL: server.url,
  };
  const ips = ["81.2.69.160", "175.16.199.1", "89.160.20.113"];
  const capped = await geo([
    "--provider",
    "maxmind-city",
    "--max-queries",
    "1",
    "--cache",
    cache,
    ...ips,
  ], env);
  assertEquals(capped.code, 0, capped.stderr);
  assertEquals(server.total, 1);
  assertIncludes(capped.stderr, "Failed (2");
  const rest = await geo(["--provider", "maxmind-city", "--cache", cache, ...ips], env);
  assertEquals(server.total, 3, "the rerun asks only the two that failed");
  assertOk(!rest.stderr.includes("Failed ("));
});
