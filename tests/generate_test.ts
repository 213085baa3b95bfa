/**
 * Tests of the seeded log generator and of the bundled sample in data/sample.
 *
 * @module
 */
import { assert, assertEquals, assertOk } from "./_assert.ts";
import {
  buildSample,
  DEFAULT_SEED,
  generateLogs,
  JAILS,
  main,
  type Manifest,
  sampleManifest,
  type SampleSet,
  sha256Hex,
  syslogStamp,
  USERNAMES,
} from "../tools/generate_logs.ts";

const SAMPLE_DIR = new URL("../data/sample/", import.meta.url);
const SYSLOG_HEADER = /^[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d \S+ [A-Za-z_][\w.-]*(\[\d+\])?: /;
const FAIL2BAN_LINE =
  /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d{3} (fail2ban\.\w+) +\[(\d+)\]: (\w+) +(.*)$/;

let defaultSample: SampleSet | undefined;
/** The default sample, built once. */
function sample(): SampleSet {
  defaultSample ??= buildSample();
  return defaultSample;
}

function file(set: SampleSet, name: string): string {
  const found = set.files.find((f) => f.name === name);
  if (found === undefined) throw new Error(`No file ${name} in the sample`);
  return found.text;
}

function lines(text: string): string[] {
  const out = text.split("\n");
  if (out[out.length - 1] === "") out.pop();
  return out;
}

async function gunzip(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function countLines(data: Uint8Array): number {
  let n = 0;
  for (const b of data) if (b === 10) n++;
  return n;
}

/** The text of a sample file in data/sample (decompressed). */
async function readSampleText(name: string): Promise<string> {
  const data = await Deno.readFile(new URL(name, SAMPLE_DIR));
  return new TextDecoder().decode(name.endsWith(".gz") ? await gunzip(data) : data);
}

/** Every line of a rotated log, oldest file first. */
async function readRotated(base: string, names: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const suffix of names) out.push(...lines(await readSampleText(base + suffix)));
  return out;
}

function ms(isoText: string): number {
  return Date.parse(isoText.replace(" ", "T") + "Z");
}

Deno.test("buildSample() gives the same bytes for the same seed and other bytes for another", () => {
  const again = buildSample({ seed: DEFAULT_SEED });
  assertEquals(again.files.map((f) => f.name), sample().files.map((f) => f.name));
  for (const f of sample().files) assertOk(file(again, f.name) === f.text, `${f.name} differs`);
  const other = buildSample({ seed: 7 });
  assertOk(
    file(other, "auth.log") !== file(sample(), "auth.log"),
    "seed 7 gives the same auth.log",
  );
});

Deno.test("--auth-lines, --fail2ban-lines and --access-lines write exactly N lines, reproducibly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jailbook_generate_" });
  try {
    for (const mode of ["auth", "fail2ban", "access"]) {
      const a = `${dir}/${mode}_a.log`;
      const b = `${dir}/${mode}_b.log`;
      assertEquals(await main([`--${mode}-lines`, "1000", "--out", a]), 0);
      assertEquals(
        await main([`--${mode}-lines`, "1000", "--out", b, "--seed", String(DEFAULT_SEED)]),
        0,
      );
      const bytes = await Deno.readFile(a);
      assertEquals(countLines(bytes), 1000, `${mode}: line count`);
      assertEquals(bytes[bytes.length - 1], 10, `${mode}: ends with a newline`);
      assertEquals(
        await sha256Hex(bytes),
        await sha256Hex(await Deno.readFile(b)),
        `${mode}: same seed`,
      );
    }
    const auth = lines(await Deno.readTextFile(`${dir}/auth_a.log`));
    for (const line of auth) assertOk(SYSLOG_HEADER.test(line), `no syslog header: ${line}`);
    for (const line of lines(await Deno.readTextFile(`${dir}/fail2ban_a.log`))) {
      assertOk(FAIL2BAN_LINE.test(line), `not a fail2ban line: ${line}`);
    }
    const [written] = await generateLogs({ authLines: 2500, out: `${dir}/auth_c.log`, seed: 3 });
    assertEquals(written.lines, 2500);
    assertEquals(countLines(await Deno.readFile(`${dir}/auth_c.log`)), 2500);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateLogs() rejects a missing --out, two modes and bad numbers", async () => {
  assertEquals(await main(["--auth-lines", "10"]), 2);
  assertEquals(await main(["--auth-lines", "10", "--sample", "x", "--out", "y"]), 2);
  assertEquals(await main(["--auth-lines", "0", "--out", "y"]), 2);
  assertEquals(await main(["--sample", "x", "--home-country", "XX"]), 2);
  assertEquals(await main(["--bogus"]), 2);
});

Deno.test("every generated auth line has a syslog header", () => {
  for (const name of ["auth.log.2.gz", "auth.log.1", "auth.log"]) {
    for (const line of lines(file(sample(), name))) {
      assertOk(SYSLOG_HEADER.test(line), `${name}: no syslog header: ${line}`);
    }
  }
});

Deno.test("the sample in data/sample matches its MANIFEST.json and the generator", async () => {
  const manifest: Manifest = JSON.parse(
    await Deno.readTextFile(new URL("MANIFEST.json", SAMPLE_DIR)),
  );
  const onDisk: string[] = [];
  for (const dir of ["", "nginx/"]) {
    for await (const entry of Deno.readDir(new URL(dir, SAMPLE_DIR))) {
      if (entry.isFile && /\.log(\.\d+)?(\.gz)?$/.test(entry.name)) onDisk.push(dir + entry.name);
    }
  }
  assertEquals(
    onDisk.sort(),
    Object.keys(manifest.files).sort(),
    "files in data/sample vs MANIFEST.json",
  );
  for (const [name, entry] of Object.entries(manifest.files)) {
    const data = await Deno.readFile(new URL(name, SAMPLE_DIR));
    assertEquals(data.length, entry.bytes, `${name}: size`);
    assertEquals(
      await sha256Hex(data),
      entry.sha256,
      `${name}: sha256 (sample edited or stale manifest)`,
    );
    const content = name.endsWith(".gz") ? await gunzip(data) : data;
    assertEquals(countLines(content), entry.lines, `${name}: lines`);
    if (entry.contentSha256 !== undefined) {
      assertEquals(await sha256Hex(content), entry.contentSha256);
    }
  }
  // The generator still produces this sample (otherwise: regenerate with the manifest's command).
  const fresh =
    (await sampleManifest(buildSample({ seed: manifest.seed, homeCountry: manifest.homeCountry })))
      .manifest;
  for (const [name, entry] of Object.entries(fresh.files)) {
    const stored = manifest.files[name];
    assertOk(stored !== undefined, `${name} is missing from data/sample`);
    const same = entry.contentSha256 !== undefined
      ? entry.contentSha256 === stored.contentSha256
      : entry.sha256 === stored.sha256;
    assertOk(same, `data/sample/${name} is stale: run \`${manifest.command}\``);
    assertEquals(
      [entry.lines, entry.first, entry.last],
      [stored.lines, stored.first, stored.last],
      name,
    );
  }
});

Deno.test("the sample is written with mtimes at the last line and the committed bytes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jailbook_sample_" });
  try {
    await generateLogs({ sample: dir });
    const manifest: Manifest = JSON.parse(await Deno.readTextFile(`${dir}/MANIFEST.json`));
    const committed: Manifest = JSON.parse(
      await Deno.readTextFile(new URL("MANIFEST.json", SAMPLE_DIR)),
    );
    assertEquals(Object.keys(manifest.files), Object.keys(committed.files));
    for (const [name, entry] of Object.entries(manifest.files)) {
      const stat = await Deno.stat(`${dir}/${name}`);
      assertEquals(stat.mtime?.getTime(), Date.parse(entry.last), `${name}: mtime`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fail2ban bans only after maxretry Found within findtime, and unbans after bantime", async () => {
  const log = await readRotated("fail2ban.log", [".2.gz", ".1", ""]);
  const found = new Map<string, number[]>();
  const banned = new Map<string, number>();
  let bans = 0;
  let unbans = 0;
  for (const line of log) {
    const m = FAIL2BAN_LINE.exec(line);
    if (m === null) continue; // traceback continuation lines
    const time = ms(m[1]);
    const event = /^\[([\w-]+)\] (?:Found (\S+) - (\S+ \S+)|(Ban|Unban|Restore Ban) (\S+))$/.exec(
      m[5],
    );
    if (event === null) continue;
    const jail = event[1] as keyof typeof JAILS;
    const cfg = JAILS[jail];
    assertOk(cfg !== undefined, `unknown jail ${jail}`);
    if (event[2] !== undefined) {
      const key = `${jail} ${event[2]}`;
      const list = found.get(key) ?? [];
      list.push(ms(event[3]));
      found.set(key, list);
      continue;
    }
    const key = `${jail} ${event[5]}`;
    if (event[4] === "Ban") {
      bans++;
      const list = found.get(key) ?? [];
      assertOk(list.length >= cfg.maxRetry, `${line}: only ${list.length} Found before the ban`);
      const window = list[list.length - 1] - list[list.length - cfg.maxRetry];
      assertOk(
        window <= cfg.findTime,
        `${line}: the last ${cfg.maxRetry} Found span ${window / 1000} s`,
      );
      found.set(key, []);
      banned.set(key, list[list.length - 1]); // the ban runs from the failure that triggered it
    } else if (event[4] === "Unban") {
      unbans++;
      assertOk(banned.has(key), `${line}: Unban without Ban`);
      assertOk(time >= banned.get(key)! + cfg.banTime, `${line}: unbanned before bantime`);
      banned.delete(key);
    } else {
      assertOk(banned.has(key), `${line}: Restore Ban of an address that was not banned`);
    }
  }
  assertOk(bans > 100, `only ${bans} bans`);
  assertOk(unbans > 100, `only ${unbans} unbans`);
  assertOk(log.some((l) => l.includes("Restore Ban")), "no Restore Ban");
  assertOk(log.some((l) => l.includes("Increase Ban")), "no Increase Ban");
  assertOk(log.some((l) => l.includes("already banned")), "no already banned");
  assertOk(log.some((l) => l === "Traceback (most recent call last):"), "no traceback");
});

Deno.test("the busiest key-only prober and the slow dictionary attacker are never banned", async () => {
  const truth = JSON.parse(await readSampleText("truth.json"));
  const auth = (await readRotated("auth.log", [".2.gz", ".1", ""])).join("\n");
  const log = (await readRotated("fail2ban.log", [".2.gz", ".1", ""])).join("\n");
  const roles = (role: string) =>
    truth.hosts.filter((h: { role: string }) => h.role === role).map((h: { ip: string }) => h.ip);
  const lineCount = (ip: string) => auth.split(` ${ip} `).length - 1;
  const [busiest] = roles("keyprobe").sort((a: string, b: string) => lineCount(b) - lineCount(a));
  for (const ip of [busiest, ...roles("slow")]) {
    assertOk(lineCount(ip) >= 500, `${ip} has only ${lineCount(ip)} auth.log lines`);
    assertOk(!log.includes(`] Ban ${ip}\n`), `${ip} was banned`);
  }
});

Deno.test("every sshd Found matches an auth.log line of that address at that second", async () => {
  const auth = await readRotated("auth.log", [".2.gz", ".1", ""]);
  const bySecond = new Map<string, string[]>();
  for (const line of auth) {
    const list = bySecond.get(line.slice(0, 15)) ?? [];
    list.push(line);
    bySecond.set(line.slice(0, 15), list);
  }
  const log = await readRotated("fail2ban.log", [".2.gz", ".1", ""]);
  let checked = 0;
  for (const line of log) {
    const m = /\[sshd\] Found (\S+) - (\S+ \S+)$/.exec(line);
    if (m === null) continue;
    const candidates = bySecond.get(syslogStamp(ms(m[2]))) ?? [];
    assertOk(candidates.some((l) => l.includes(` ${m[1]} `)), `no auth.log line for ${line}`);
    checked++;
  }
  assertOk(checked > 1000, `only ${checked} Found lines`);
});

Deno.test("exactly one banned address later logs in, and it is the documented false positive", async () => {
  const truth = JSON.parse(await readSampleText("truth.json"));
  const auth = await readRotated("auth.log", [".2.gz", ".1", ""]);
  const log = await readRotated("fail2ban.log", [".2.gz", ".1", ""]);
  const firstBan = new Map<string, number>();
  for (const line of log) {
    const m = /^(\S+ \S+),\d+ .*\[sshd\] Ban (\S+)$/.exec(line);
    if (m !== null && !firstBan.has(m[2])) firstBan.set(m[2], ms(m[1]));
  }
  const bannedThenAccepted = new Set<string>();
  for (const line of auth) {
    const m = /Accepted publickey for \S+ from (\S+) port/.exec(line);
    if (m === null) continue;
    const ban = firstBan.get(m[1]);
    const time = Date.parse(`${line.slice(0, 15)} 2026 UTC`);
    if (ban !== undefined && time > ban) bannedThenAccepted.add(m[1]);
  }
  assertEquals([...bannedThenAccepted], [truth.falsePositiveIp]);
  for (const ip of truth.adminIps) assertOk(!firstBan.has(ip), `admin address ${ip} was banned`);
});

Deno.test("the quiet day has no attack in any log", async () => {
  const auth = await readRotated("auth.log", [".2.gz", ".1", ""]);
  const quiet = auth.filter((l) => l.startsWith("Nov 11 "));
  assertOk(quiet.length > 0, "no lines at all on the quiet day (cron should run)");
  for (const line of quiet) {
    assertOk(/ CRON\[\d+\]: /.test(line), `not cron on the quiet day: ${line}`);
  }
  const log = await readRotated("fail2ban.log", [".2.gz", ".1", ""]);
  assertOk(!log.some((l) => / Found \S+ - 2026-11-11 /.test(l)), "Found on the quiet day");
  const access = await readRotated("nginx/access.log", [".1", ""]);
  assertOk(!access.some((l) => l.includes("[11/Nov/2026:")), "web traffic on the quiet day");
  for (const day of ["Nov 10 ", "Nov 12 "]) {
    assertOk(auth.some((l) => l.startsWith(day) && l.includes("Failed")));
  }
});

/** True for private, shared, loopback, link-local, documentation, multicast and reserved addresses. */
function isSpecialAddress(ip: string): boolean {
  if (ip.includes(":")) {
    const first = parseInt(ip.split(":")[0] || "0", 16);
    return first < 0x2000 || first >= 0x4000 || ip.startsWith("2001:db8:") ||
      /^2001:0?[0-1][0-9a-f]{0,2}:/.test(ip) || ip.startsWith("2002:");
  }
  const [a, b, c] = ip.split(".").map(Number);
  return a === 0 || a === 10 || a === 127 || a >= 224 || (a === 100 && b >= 64 && b < 128) ||
    (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || (a === 198 && (b === 18 || b === 19)) ||
    (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113);
}

Deno.test("the attacker population is public, varied and heavy-tailed", async () => {
  const truth = JSON.parse(await readSampleText("truth.json"));
  const hosts: { ip: string; country: string; network: string; role: string; group?: string }[] =
    truth.hosts;
  for (const h of hosts) {
    assertOk(!isSpecialAddress(h.ip), `special-purpose address ${h.ip} (${h.role})`);
  }
  const attackers = hosts.filter((h) =>
    !["admin", "visitor", "crawler", "monitor"].includes(h.role)
  );
  assertOk(attackers.length >= 300 && attackers.length <= 800, `${attackers.length} attackers`);
  const countries = new Set(attackers.map((h) => h.country));
  const networks = new Set(attackers.map((h) => `${h.country} ${h.network}`));
  assertOk(countries.size >= 40, `${countries.size} countries`);
  assertOk(networks.size >= 100, `${networks.size} networks`);
  assertOk(attackers.some((h) => h.ip.includes(":")), "no IPv6 attacker");
  assertOk(
    attackers.filter((h) => h.country === truth.homeCountry).length >= 2,
    "home-country attackers",
  );
  const per24 = new Map<string, number>();
  for (const h of attackers) {
    if (h.ip.includes(":")) continue;
    const prefix = h.ip.split(".").slice(0, 3).join(".");
    per24.set(prefix, (per24.get(prefix) ?? 0) + 1);
  }
  assertOk([...per24.values()].filter((n) => n >= 3).length >= 5, "not enough /24 groups");
  assertOk(USERNAMES.length >= 100 && USERNAMES[0] === "root", "user name dictionary");

  const auth = await readRotated("auth.log", [".2.gz", ".1", ""]);
  assertOk(auth.length >= 20_000 && auth.length <= 40_000, `${auth.length} auth.log lines`);
  const perIp = new Map<string, number>();
  for (const h of attackers) perIp.set(h.ip, 0);
  for (const line of auth) {
    const m = / (?:from|rhost=) ?([0-9a-f.:]+)|user \S* ([0-9a-f.:]+) port /.exec(line);
    const ip = m?.[1] ?? m?.[2];
    if (ip !== undefined && perIp.has(ip)) perIp.set(ip, perIp.get(ip)! + 1);
  }
  const counts = [...perIp.values()].filter((n) => n > 0).sort((a, b) => b - a);
  assertOk(counts[0] >= 1000 && counts[2] >= 500, `top attackers: ${counts.slice(0, 3)}`);
  const median = counts[Math.floor(counts.length / 2)];
  assertOk(median <= 20, `median attacker has ${median} lines`);
  let root = 0;
  let other = 0;
  for (const line of auth) {
    const m = /Failed \S+ for (invalid user )?(.*) from /.exec(line);
    if (m !== null) m[2] === "root" ? root++ : other++;
  }
  assertOk(root > other / 3, `root is not dominant: ${root} vs ${other}`);
});

Deno.test("sample files have the formats, slices and hostile strings the parsers need", async () => {
  const manifest: Manifest = JSON.parse(
    await Deno.readTextFile(new URL("MANIFEST.json", SAMPLE_DIR)),
  );
  for (const base of ["auth.log", "fail2ban.log"]) {
    const [oldest, middle, newest] = [`${base}.2.gz`, `${base}.1`, base].map((n) =>
      manifest.files[n]
    );
    assertOk(oldest.last < middle.first && middle.last < newest.first, `${base}: slices overlap`);
  }
  const access = manifest.files["nginx/access.log"];
  assertOk(manifest.files["nginx/access.log.1"].last < access.first, "access.log slices overlap");
  const auth = (await readRotated("auth.log", [".2.gz", ".1", ""])).join("\n");
  for (
    const needle of [
      "Invalid user <img src=x onerror=alert(1)> from ",
      "Invalid user </script> from ",
      "Invalid user =cmd|' /C calc'!A0 from ",
      "Invalid user test user from ",
      "Invalid user  from ",
      " sshd-session[",
      "Bad protocol version identification '\\003' from ",
      "Did not receive identification string from ",
      "no matching key exchange method found. Their offer: diffie-hellman-group1-sha1",
      "POSSIBLE BREAK-IN ATTEMPT!",
      "message repeated ",
      "error: maximum authentication attempts exceeded for root from ",
      "Connection closed by authenticating user root ",
      "Disconnected from invalid user ",
      "Received disconnect from ",
      "rhost=2", // IPv6 or 2.x attackers in PAM lines
      "Accepted publickey for admin from ",
      "pam_unix(sshd:session): session opened for user admin(uid=1000) by (uid=0)",
      " CRON[",
      " systemd-logind[",
    ]
  ) assertOk(auth.includes(needle), `auth.log lacks ${JSON.stringify(needle)}`);
  const web = (await readRotated("nginx/access.log", [".1", ""])).join("\n");
  for (
    const needle of [
      "/wp-login.php",
      "/.env",
      "zgrab",
      "\\x16\\x03\\x01",
      "CONNECT ",
      "</script>",
      '" 503 ',
    ]
  ) {
    assertOk(web.includes(needle), `access.log lacks ${JSON.stringify(needle)}`);
  }
  const errors = (await readRotated("nginx/error.log", [".1", ""])).join("\n");
  for (
    const needle of [
      "password mismatch",
      "was not found in",
      "limiting requests",
      "access forbidden by rule",
    ]
  ) {
    assertOk(errors.includes(needle), `error.log lacks ${JSON.stringify(needle)}`);
  }
  assert.match(
    file(sample(), "fail2ban.log"),
    /fail2ban\.actions +\[\d+\]: NOTICE {2}\[sshd\] Ban /,
  );
});
