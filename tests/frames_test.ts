import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import pl from "nodejs-polars";
import { DETAIL_COLUMNS, type IpDetails } from "../lib/geo/types.ts";
import { discoverLogs } from "../lib/logs/discover.ts";
import { parseFiles } from "../lib/logs/pipeline.ts";
import { EventStore } from "../lib/logs/store.ts";
import { kindIndex } from "../lib/logs/kinds.ts";
import type { ParsedEvent } from "../lib/logs/types.ts";
import {
  analyseEvents,
  ATTEMPT_CSV_OPTIONS,
  attemptTable,
  BAN_COLUMNS,
  buildFrames,
  columnNames,
  COUNTRY_COLUMNS,
  DAILY_COLUMNS,
  describeColumn,
  EVENT_COLUMNS,
  eventsFrame,
  type FrameOptions,
  framesOf as framesOfAnalysis,
  HOUR_WEEKDAY_COLUMNS,
  IP_COLUMNS,
  IP_DETAIL_COLUMNS,
  ipDetailsFrame,
  joinDetails,
  missingness,
  NETWORK_COLUMNS,
  readParquet,
  releaseEvents,
  SUBNET_COLUMNS,
  USERNAME_BY_COUNTRY_COLUMNS,
  USERNAME_COLUMNS,
  writeCsv,
  writeParquet,
} from "../lib/frames/mod.ts";
import { detailsFrameOf, FrameBuilder } from "../lib/frames/events.ts";
import { assertEquals, assertOk, assertRejects } from "./_assert.ts";

// ---------------------------------------------------------------------------
// helpers: real log text → real parsers → EventStore → frames

const sshd = (stamp: string, message: string, pid = 4242) =>
  `Nov ${stamp} web01 sshd[${pid}]: ${message}`;
const failed = (stamp: string, ip: string, user = "root") =>
  sshd(stamp, `Failed password for ${user} from ${ip} port 50022 ssh2`);
const f2b = (stamp: string, logger: string, level: string, message: string) =>
  `2026-11-${stamp} fail2ban.${logger.padEnd(16)} [812]: ${level.padEnd(7)} ${message}`;
const found = (stamp: string, ip: string) =>
  f2b(stamp, "filter", "INFO", `[sshd] Found ${ip} - 2026-11-${stamp.slice(0, 11)}`);

/** Write `files` (name → lines) into a fresh directory. */
async function logDir(files: Record<string, string[]>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "jailbook-frames-" });
  for (const [name, lines] of Object.entries(files)) {
    await Deno.mkdir(join(dir, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, name), lines.join("\n") + "\n");
  }
  return dir;
}

/** Discover and parse a directory into an EventStore (syslog year 2026, UTC). */
async function parseDir(dir: string): Promise<EventStore> {
  const { files, problems } = await discoverLogs([dir], { systemDatabase: false });
  assertEquals(problems, []);
  const store = new EventStore();
  store.files = files.map((f) => f.path);
  const report = await parseFiles(files, store, { year: 2026, timeZone: "UTC" });
  for (const file of report.files) assertEquals(file.problems, [], `problems in ${file.path}`);
  return store;
}

async function framesOf(
  files: Record<string, string[]>,
  details: IpDetails[] = [],
  options: FrameOptions = {},
) {
  const dir = await logDir(files);
  try {
    const store = await parseDir(dir);
    return { store, frames: buildFrames(store, details, options) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** An IpDetails record with every column null but `columns`. */
function detail(
  ip: string,
  columns: Partial<Record<string, string | number | boolean>>,
): IpDetails {
  const record: Record<string, unknown> = {
    ip,
    ip_class: "public",
    network: null,
    provider: "test",
    source_version: "test 2026-11-01",
    fetched_at: "2026-11-21T08:00:00.000Z",
    sources: {},
    failure: null,
  };
  for (const column of DETAIL_COLUMNS) record[column] = null;
  Object.assign(record, columns);
  return record as IpDetails;
}

/** Rows as plain objects with times as ISO text. */
function rows(frame: pl.DataFrame, columns?: string[]): Record<string, unknown>[] {
  const selected = columns ? frame.select(...columns) : frame;
  return selected.toRecords().map((row) =>
    Object.fromEntries(
      Object.entries(row as Record<string, unknown>).map((
        [k, v],
      ) => [k, v instanceof Date ? v.toISOString() : v]),
    )
  );
}

/** The row of `frame` whose `key` column is `value`. */
function rowWhere(frame: pl.DataFrame, key: string, value: string): Record<string, unknown> {
  const found = rows(frame).filter((row) => row[key] === value);
  assertEquals(found.length, 1, `${key} = ${value}`);
  return found[0];
}

// ---------------------------------------------------------------------------

Deno.test("ipsFrame() counts repeats, and fail2ban Found only for IPs without sshd attempts", async () => {
  const { frames } = await framesOf({
    "auth.log": [
      failed("18 10:00:00", "23.45.67.1"),
      sshd(
        "18 10:00:05",
        "message repeated 2 times: [ Failed password for root from 23.45.67.1 port 50022 ssh2]",
      ),
      sshd(
        "18 10:00:09",
        "Accepted publickey for deploy from 198.51.100.7 port 40006 ssh2: ED25519 SHA256:x",
      ),
    ],
    "fail2ban.log": [
      found("18 10:00:01,000", "23.45.67.1"),
      found("18 10:00:06,000", "23.45.67.1"),
      found("18 11:00:00,000", "203.0.113.9"),
      found("18 11:00:01,000", "203.0.113.9"),
      found("18 11:00:02,000", "203.0.113.9"),
      f2b("18 11:00:03,000", "actions", "NOTICE", "[sshd] Ban 203.0.113.9"),
    ],
  });
  const ips = frames.ips;
  assertEquals(
    rows(ips, ["ip", "attempts", "events", "attempts_failed_password", "attempts_found", "bans"]),
    [
      // 1 + 2 repeated; the two Found lines saw the same failures: not counted again
      {
        ip: "203.0.113.9",
        attempts: 3,
        events: 4,
        attempts_failed_password: 0,
        attempts_found: 3,
        bans: 1,
      },
      {
        ip: "23.45.67.1",
        attempts: 3,
        events: 4,
        attempts_failed_password: 3,
        attempts_found: 0,
        bans: 0,
      },
      {
        ip: "198.51.100.7",
        attempts: 0,
        events: 1,
        attempts_failed_password: 0,
        attempts_found: 0,
        bans: 0,
      },
    ],
  );
  // only kinds with attempts get a column
  assertEquals(ips.columns.filter((c) => c.startsWith("attempts_")), [
    "attempts_found",
    "attempts_failed_password",
  ]);
  assertEquals(rowWhere(ips, "ip", "198.51.100.7").logged_in, true);
  assertEquals(rowWhere(ips, "ip", "203.0.113.9").jails, "sshd");
  assertEquals(rowWhere(ips, "ip", "23.45.67.1").jails, "sshd");

  const events = frames.events;
  assertEquals(events.getColumn("attempts").sum(), 6);
  const byKind = rows(events, ["kind", "ip", "attempts"]).map((r) =>
    `${r.kind} ${r.ip} ${r.attempts}`
  );
  assertEquals(byKind.sort(), [
    "accepted_publickey 198.51.100.7 0",
    "ban 203.0.113.9 0",
    "failed_password 23.45.67.1 1",
    "failed_password 23.45.67.1 2",
    "found 203.0.113.9 1",
    "found 203.0.113.9 1",
    "found 203.0.113.9 1",
    "found 23.45.67.1 0",
    "found 23.45.67.1 0",
  ]);
});

Deno.test("eventsFrame() has the documented typed columns, one row per event", async () => {
  const { store, frames } = await framesOf({
    "auth.log": [
      failed("18 10:00:00", "23.45.67.1", "=cmd"),
      sshd(
        "18 10:00:09",
        "Accepted publickey for deploy from 2001:db8::7 port 40006 ssh2: ED25519 SHA256:x",
      ),
    ],
  });
  const events = frames.events;
  assertEquals(events.columns, columnNames(EVENT_COLUMNS));
  assertEquals(events.height, store.length);
  assertEquals(events.dtypes.map(String), [
    "DataType(Datetime(ms,UTC))",
    "DataType(Categorical)",
    "DataType(Categorical)",
    "DataType(Bool)",
    "DataType(Int32)",
    "DataType(Categorical)",
    "DataType(Categorical)",
    "DataType(Int32)",
    "DataType(Categorical)",
    "DataType(Categorical)",
    "DataType(Categorical)",
    "DataType(Categorical)",
    "DataType(Int32)",
    "DataType(Categorical)",
    "DataType(Int32)",
  ]);
  const [first, second] = rows(events);
  assertEquals(first.time, "2026-11-18T10:00:00.000Z");
  assertEquals(first.source, "sshd");
  assertEquals(first.kind, "failed_password");
  assertEquals(first.suspicious, true);
  assertEquals(first.user, "=cmd");
  assertEquals(first.port, 50022);
  assertEquals(first.jail, null);
  assertEquals(first.host, "web01");
  assertEquals(first.method, null);
  assertEquals(first.status, null);
  assertOk(String(first.file).endsWith("auth.log"));
  assertEquals(first.line, 1);
  assertEquals([second.ip, second.user, second.attempts, second.suspicious], [
    "2001:db8::7",
    "deploy",
    0,
    false,
  ]);
  // categorical columns compare with plain strings
  assertEquals(events.filter(pl.col("kind").eq(pl.lit("failed_password"))).height, 1);
  // without the store's file list, the file is unknown
  store.files = [];
  assertEquals(rows(eventsFrame(analyseEvents(store)), ["file"]), [{ file: null }, { file: null }]);
});

const SUBNET_LOG = [
  failed("18 10:00:00", "23.45.67.1"),
  failed("18 10:00:01", "23.45.67.1"),
  failed("18 10:00:02", "23.45.67.200"),
  failed("18 10:00:03", "23.45.67.201"),
  failed("18 10:00:04", "123.45.67.1"),
  failed("18 10:00:05", "23.45.68.1"),
  failed("18 10:00:06", "2001:db8:1:2::5"),
  failed("18 10:00:07", "2001:db8:1:2::6"),
  failed("18 10:00:08", "2001:db8:1:2::6"),
  failed("18 10:00:09", "2001:db8:1:3::1"),
  sshd(
    "18 10:00:10",
    "Accepted publickey for deploy from 198.51.100.7 port 40006 ssh2: ED25519 SHA256:x",
  ),
];

const SUBNET_DETAILS = [
  detail("23.45.67.1", {
    "country.iso_code": "DE",
    "country.names.en": "Germany",
    "traits.autonomous_system_number": 3320,
    "traits.autonomous_system_organization": "Deutsche Telekom AG",
    "traits.is_hosting_provider": false,
  }),
  detail("23.45.67.200", {
    "country.iso_code": "FR",
    "country.names.en": "France",
    "traits.autonomous_system_number": 16276,
    "traits.autonomous_system_organization": "OVH SAS",
    "traits.is_hosting_provider": true,
  }),
  detail("23.45.67.201", {
    "country.iso_code": "FR",
    "country.names.en": "France",
    "traits.autonomous_system_number": 16276,
    "traits.autonomous_system_organization": "OVH SAS",
  }),
  detail("123.45.67.1", {
    "country.iso_code": "CN",
    "country.names.en": "China",
    "traits.autonomous_system_number": 4134,
    "traits.autonomous_system_organization": "Chinanet",
  }),
];

Deno.test("subnetsFrame() uses CIDR arithmetic: 23.45.67.x and 123.45.67.x apart, IPv6 by /64", async () => {
  const { frames } = await framesOf({ "auth.log": SUBNET_LOG }, SUBNET_DETAILS);
  assertEquals(frames.subnets.columns, columnNames(SUBNET_COLUMNS));
  assertEquals(rows(frames.subnets, ["subnet", "attempts", "unique_ips", "country"]), [
    // FR: two of its three addresses, though DE made more attempts
    { subnet: "23.45.67.0/24", attempts: 4, unique_ips: 3, country: "FR" },
    { subnet: "2001:db8:1:2::/64", attempts: 3, unique_ips: 2, country: null },
    { subnet: "123.45.67.0/24", attempts: 1, unique_ips: 1, country: "CN" },
    { subnet: "2001:db8:1:3::/64", attempts: 1, unique_ips: 1, country: null },
    { subnet: "23.45.68.0/24", attempts: 1, unique_ips: 1, country: null },
  ]);
  const first = rowWhere(frames.subnets, "subnet", "23.45.67.0/24");
  assertEquals([first.first_seen, first.last_seen], [
    "2026-11-18T10:00:00.000Z",
    "2026-11-18T10:00:03.000Z",
  ]);
  assertEquals(rowWhere(frames.ips, "ip", "2001:db8:1:2::6").subnet, "2001:db8:1:2::/64");

  const wide = await framesOf({ "auth.log": SUBNET_LOG }, SUBNET_DETAILS, {
    v4Prefix: 16,
    v6Prefix: 48,
  });
  assertEquals(rows(wide.frames.subnets, ["subnet", "attempts", "unique_ips"]), [
    { subnet: "23.45.0.0/16", attempts: 5, unique_ips: 4 },
    { subnet: "2001:db8:1::/48", attempts: 4, unique_ips: 3 },
    { subnet: "123.45.0.0/16", attempts: 1, unique_ips: 1 },
  ]);
});

Deno.test("countriesFrame() leaves unknown country out, counted by unknownCountry(); percentages of known totals", async () => {
  const { frames } = await framesOf({ "auth.log": SUBNET_LOG }, SUBNET_DETAILS);
  assertEquals(frames.countries.columns, columnNames(COUNTRY_COLUMNS));
  // known: DE 2 attempts (1 IP), FR 2 (2 IPs), CN 1; 4 IPs in 2 subnets
  assertEquals(rows(frames.countries), [
    {
      country: "DE",
      country_name: "Germany",
      attempts: 2,
      unique_ips: 1,
      unique_subnets: 1,
      pct_attempts: 40,
      pct_ips: 25,
      pct_subnets: 50,
    },
    {
      country: "FR",
      country_name: "France",
      attempts: 2,
      unique_ips: 2,
      unique_subnets: 1,
      pct_attempts: 40,
      pct_ips: 50,
      pct_subnets: 50,
    },
    {
      country: "CN",
      country_name: "China",
      attempts: 1,
      unique_ips: 1,
      unique_subnets: 1,
      pct_attempts: 20,
      pct_ips: 25,
      pct_subnets: 50,
    },
  ]);
  assertEquals(frames.countries.getColumn("country").nullCount(), 0);
  // three IPv6 addresses and 23.45.68.1; the admin (no attempts) is not an attacker
  assertEquals(frames.unknownCountry, { attempts: 5, unique_ips: 4, unique_subnets: 3 });
});

Deno.test("networksFrame() groups by ASN with the hosting share of addresses where it is known", async () => {
  const { frames } = await framesOf({ "auth.log": SUBNET_LOG }, SUBNET_DETAILS);
  assertEquals(frames.networks.columns, columnNames(NETWORK_COLUMNS));
  assertEquals(
    rows(frames.networks, [
      "asn",
      "organization",
      "attempts",
      "unique_ips",
      "pct_attempts",
      "hosting_share",
    ]),
    [
      {
        asn: 3320,
        organization: "Deutsche Telekom AG",
        attempts: 2,
        unique_ips: 1,
        pct_attempts: 40,
        hosting_share: 0,
      },
      {
        asn: 16276,
        organization: "OVH SAS",
        attempts: 2,
        unique_ips: 2,
        pct_attempts: 40,
        hosting_share: 1,
      },
      {
        asn: 4134,
        organization: "Chinanet",
        attempts: 1,
        unique_ips: 1,
        pct_attempts: 20,
        hosting_share: null,
      },
    ],
  );
  assertEquals(frames.unknownNetwork, { attempts: 5, unique_ips: 4, unique_subnets: 3 });
});

Deno.test("dailyFrame() has every UTC day, zero days included; hourWeekdayFrame() all 168 cells", async () => {
  const { frames } = await framesOf({
    "auth.log": [
      failed("16 10:15:00", "23.45.67.1"), // Monday
      sshd(
        "18 12:00:00",
        "Accepted publickey for deploy from 198.51.100.7 port 40006 ssh2: ED25519 SHA256:x",
      ),
      failed("18 23:30:00", "23.45.67.2"), // Wednesday
      failed("18 23:59:59", "23.45.67.1"),
    ],
    "fail2ban.log": [f2b("18 23:59:59,500", "actions", "NOTICE", "[sshd] Ban 23.45.67.1")],
  });
  assertEquals(frames.daily.columns, columnNames(DAILY_COLUMNS));
  assertEquals(frames.daily.dtypes.map(String)[0], "DataType(Date)");
  assertEquals(rows(frames.daily), [
    { day: "2026-11-16T00:00:00.000Z", events: 1, attempts: 1, unique_ips: 1, bans: 0 },
    { day: "2026-11-17T00:00:00.000Z", events: 0, attempts: 0, unique_ips: 0, bans: 0 },
    { day: "2026-11-18T00:00:00.000Z", events: 4, attempts: 2, unique_ips: 2, bans: 1 },
  ]);
  const cells = frames.hourWeekday;
  assertEquals(cells.columns, columnNames(HOUR_WEEKDAY_COLUMNS));
  assertEquals(cells.height, 168);
  assertEquals(cells.getColumn("attempts").sum(), 3);
  const busy = rows(cells.filter(pl.col("attempts").gt(0)));
  assertEquals(busy, [
    { weekday: 0, weekday_name: "Mon", hour: 10, attempts: 1 },
    { weekday: 2, weekday_name: "Wed", hour: 23, attempts: 2 },
  ]);
});

Deno.test("usernamesFrame() marks invalid users, counts distinct IPs and logins; top names per country", async () => {
  const { frames } = await framesOf({
    "auth.log": [
      sshd("18 10:00:00", "Invalid user admin from 23.45.67.1 port 40001"),
      sshd(
        "18 10:00:01",
        "Failed password for invalid user oracle from 23.45.67.1 port 40002 ssh2",
      ),
      failed("18 10:00:02", "23.45.67.1"),
      failed("18 10:00:03", "123.45.67.1"),
      failed("18 10:00:04", "123.45.67.1", "admin"),
      failed("18 10:00:05", "2001:db8::9", "admin"),
      sshd("18 11:00:00", "Accepted password for root from 198.51.100.7 port 40006 ssh2"),
    ],
  }, [
    detail("23.45.67.1", { "country.iso_code": "DE" }),
    detail("123.45.67.1", { "country.iso_code": "CN" }),
  ], { topUsersPerCountry: 2 });
  assertEquals(frames.usernames.columns, columnNames(USERNAME_COLUMNS));
  assertEquals(rows(frames.usernames), [
    {
      user: "admin",
      attempts: 3,
      unique_ips: 3,
      invalid: true,
      logins: 0,
      first_seen: "2026-11-18T10:00:00.000Z",
      last_seen: "2026-11-18T10:00:05.000Z",
    },
    {
      user: "root",
      attempts: 2,
      unique_ips: 2,
      invalid: false,
      logins: 1,
      first_seen: "2026-11-18T10:00:02.000Z",
      last_seen: "2026-11-18T10:00:03.000Z",
    },
    {
      user: "oracle",
      attempts: 1,
      unique_ips: 1,
      invalid: true,
      logins: 0,
      first_seen: "2026-11-18T10:00:01.000Z",
      last_seen: "2026-11-18T10:00:01.000Z",
    },
  ]);
  assertEquals(rowWhere(frames.ips, "ip", "23.45.67.1").users_tried, 3);
  assertEquals(frames.usernamesByCountry.columns, columnNames(USERNAME_BY_COUNTRY_COLUMNS));
  // the IPv6 address has no country: left out
  assertEquals(rows(frames.usernamesByCountry), [
    { country: "CN", user: "admin", attempts: 1, unique_ips: 1, rank: 1 },
    { country: "CN", user: "root", attempts: 1, unique_ips: 1, rank: 2 },
    { country: "DE", user: "admin", attempts: 1, unique_ips: 1, rank: 1 },
    { country: "DE", user: "oracle", attempts: 1, unique_ips: 1, rank: 2 },
  ]);
});

/** A fail2ban database with a `bans` table holding `rows`. */
function writeDatabase(path: string, rows: [string, string, number, number][]) {
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE jails(name TEXT NOT NULL UNIQUE, enabled INTEGER NOT NULL DEFAULT 1);
    CREATE TABLE bans(jail TEXT NOT NULL, ip TEXT, timeofban INTEGER NOT NULL,
      bantime INTEGER NOT NULL, bancount INTEGER, data JSON);`);
  const insert = db.prepare("INSERT INTO bans(jail, ip, timeofban, bantime) VALUES (?, ?, ?, ?)");
  for (const row of rows) insert.run(...row);
  db.close();
}

Deno.test("bansFrame() pairs Ban/Unban per jail and IP, merges database, blacklist and status", async () => {
  const dir = await logDir({
    "auth.log": [
      failed("18 10:00:00", "23.45.67.1"),
      sshd("18 10:20:00", "Accepted password for root from 23.45.67.1 port 40007 ssh2"),
    ],
    "fail2ban.log": [
      f2b("18 10:00:08,000", "actions", "NOTICE", "[sshd] Ban 23.45.67.1"),
      f2b("18 10:10:08,000", "actions", "NOTICE", "[sshd] Unban 23.45.67.1"),
      f2b("18 11:00:03,000", "actions", "NOTICE", "[sshd] Ban 203.0.113.9"),
      f2b(
        "18 11:00:03,020",
        "observer",
        "NOTICE",
        "[sshd] Increase Ban 203.0.113.9 (2 # 3 days, 0:00:00 -> 2026-11-21 11:00:03)",
      ),
      // a restart: the ban of 198.51.100.99 began before this log
      f2b("20 06:53:06,793", "actions", "NOTICE", "[sshd] Restore Ban 198.51.100.99"),
      f2b("20 07:00:00,000", "actions", "NOTICE", "[sshd] Unban 198.51.100.99"),
      f2b("20 08:00:00,000", "actions", "NOTICE", "[sshd] Unban 192.0.2.77"),
    ],
    "fail2ban-blacklist.csv": [
      "DATE,TIME,IP_ADDRESS",
      "2026-11-18,10:00:08,23.45.67.1",
      "2026-11-19,09:00:00,198.51.100.60",
    ],
    // `fail2ban-client banned` output (a whole `fail2ban-client status sshd` capture is not
    // recognised by content: too few of its lines look like status lines)
    "fail2ban-status.txt": [`[{'sshd': ['203.0.113.9', '198.51.100.50']}]`],
  });
  try {
    writeDatabase(join(dir, "fail2ban.sqlite3"), [
      ["sshd", "23.45.67.1", Date.UTC(2026, 10, 18, 10, 0, 8) / 1000, 600], // the logged ban
      ["sshd", "198.51.100.99", Date.UTC(2026, 10, 20, 6, 40) / 1000, 3600], // the restored one
      ["sshd", "198.51.100.70", Date.UTC(2026, 10, 17) / 1000, -1], // permanent, not logged
    ]);
    const store = await parseDir(dir);
    const frames = buildFrames(store);
    assertEquals(frames.bans.columns, columnNames(BAN_COLUMNS));
    // fail2ban's ban count, when the store keeps it (lib/logs/store.ts has no banCount yet)
    const banCount = "banCount" in store.columns() ? 2 : null;
    assertEquals(rows(frames.bans), [
      {
        ip: "198.51.100.70",
        jail: "sshd",
        banned_at: "2026-11-17T00:00:00.000Z",
        unbanned_at: null,
        duration_s: null, // permanent
        restored: 0,
        rebans: null,
        source: "fail2ban db",
        started_by: "db_ban",
      },
      {
        ip: "23.45.67.1",
        jail: "sshd",
        banned_at: "2026-11-18T10:00:08.000Z",
        unbanned_at: "2026-11-18T10:10:08.000Z",
        duration_s: 600,
        restored: 0,
        rebans: null,
        source: "fail2ban.log",
        started_by: "ban",
      },
      {
        ip: "203.0.113.9",
        jail: "sshd",
        banned_at: "2026-11-18T11:00:03.000Z",
        unbanned_at: null, // still banned: fail2ban-client status agrees, no extra row
        duration_s: 259200,
        restored: 0,
        rebans: banCount,
        source: "fail2ban.log",
        started_by: "ban",
      },
      {
        ip: "198.51.100.60",
        jail: null,
        banned_at: "2026-11-19T09:00:00.000Z",
        unbanned_at: null,
        duration_s: null,
        restored: 0,
        rebans: null,
        source: "blacklist",
        started_by: "blacklisted",
      },
      {
        ip: "198.51.100.99",
        jail: "sshd",
        banned_at: "2026-11-20T06:40:00.000Z", // from the database row the restore re-applied
        unbanned_at: "2026-11-20T07:00:00.000Z",
        duration_s: 1200,
        restored: 1,
        rebans: null,
        source: "fail2ban db",
        started_by: "db_ban",
      },
      {
        ip: "192.0.2.77",
        jail: "sshd",
        banned_at: null,
        unbanned_at: "2026-11-20T08:00:00.000Z",
        duration_s: null,
        restored: 0,
        rebans: null,
        source: "fail2ban.log",
        started_by: "unban",
      },
      {
        ip: "198.51.100.50",
        jail: "sshd",
        banned_at: null,
        unbanned_at: null,
        duration_s: null,
        restored: 0,
        rebans: null,
        source: "status",
        started_by: "banned",
      },
    ]);
    const banned = rowWhere(frames.ips, "ip", "23.45.67.1");
    assertEquals([banned.bans, banned.logged_in, banned.banned_and_logged_in], [1, true, true]);
    assertEquals(rowWhere(frames.ips, "ip", "192.0.2.77").bans, 0); // start not in the data
    assertEquals(rows(frames.daily, ["day", "bans"]), [
      { day: "2026-11-17T00:00:00.000Z", bans: 1 },
      { day: "2026-11-18T00:00:00.000Z", bans: 2 },
      { day: "2026-11-19T00:00:00.000Z", bans: 1 },
      { day: "2026-11-20T00:00:00.000Z", bans: 1 },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bansFrame() re-activates an open ban on Restore Ban; a Ban without Unban stays open-ended", async () => {
  const { frames } = await framesOf({
    "fail2ban.log": [
      f2b("18 10:00:00,000", "actions", "NOTICE", "[sshd] Ban 203.0.113.9"),
      f2b("18 10:05:00,000", "actions", "NOTICE", "[sshd] Restore Ban 203.0.113.9"),
      f2b("18 10:10:00,000", "actions", "NOTICE", "[sshd] Unban 203.0.113.9"),
      f2b("18 11:00:00,000", "actions", "NOTICE", "[sshd] Ban 203.0.113.9"),
      f2b("18 12:00:00,000", "actions", "NOTICE", "[sshd] Ban 203.0.113.9"),
      f2b("18 12:10:00,000", "actions", "NOTICE", "[sshd] Unban 203.0.113.9"),
      // another jail is another ban
      f2b("18 12:00:00,000", "actions", "NOTICE", "[recidive] Ban 203.0.113.9"),
      // some versions log Increase Ban before its Ban
      f2b(
        "18 13:00:00,000",
        "observer",
        "NOTICE",
        "[sshd] Increase Ban 198.51.100.5 (3 # 0:40:00 -> 2026-11-18 13:40:00)",
      ),
      f2b("18 13:00:00,010", "actions", "NOTICE", "[sshd] Ban 198.51.100.5"),
    ],
  });
  assertEquals(rows(frames.bans, ["jail", "banned_at", "unbanned_at", "duration_s", "restored"]), [
    {
      jail: "sshd",
      banned_at: "2026-11-18T10:00:00.000Z",
      unbanned_at: "2026-11-18T10:10:00.000Z",
      duration_s: 600,
      restored: 1,
    },
    {
      jail: "sshd",
      banned_at: "2026-11-18T11:00:00.000Z",
      unbanned_at: null,
      duration_s: null,
      restored: 0,
    },
    {
      jail: "sshd",
      banned_at: "2026-11-18T12:00:00.000Z",
      unbanned_at: "2026-11-18T12:10:00.000Z",
      duration_s: 600,
      restored: 0,
    },
    {
      jail: "recidive",
      banned_at: "2026-11-18T12:00:00.000Z",
      unbanned_at: null,
      duration_s: null,
      restored: 0,
    },
    {
      jail: "sshd",
      banned_at: "2026-11-18T13:00:00.010Z",
      unbanned_at: null,
      duration_s: 2400,
      restored: 0,
    },
  ]);
  assertEquals(rowWhere(frames.ips, "ip", "203.0.113.9").jails, "recidive,sshd");
  assertEquals(rowWhere(frames.ips, "ip", "203.0.113.9").bans, 4);
});

Deno.test("bansFrame() takes fail2ban's ban count (Increase Ban) from the store", async () => {
  const dir = await logDir({
    "fail2ban.log": [
      f2b("18 11:00:03,000", "actions", "NOTICE", "[sshd] Ban 203.0.113.9"),
      f2b(
        "18 11:00:03,020",
        "observer",
        "NOTICE",
        "[sshd] Increase Ban 203.0.113.9 (7 # 1:00:00 -> 2026-11-18 12:00:03)",
      ),
      f2b("18 11:30:00,000", "actions", "NOTICE", "[sshd] Unban 203.0.113.9"),
    ],
  });
  try {
    const store = await parseDir(dir);
    assertEquals(Array.from(store.columns().banCount), [-1, 7, -1]);
    assertEquals(rows(buildFrames(store).bans, ["rebans", "duration_s"]), [
      { rebans: 7, duration_s: 1797 }, // the real length, not the announced hour
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detailsFrameOf() with some columns gives those columns of the whole frame", () => {
  const details = [
    detail("23.45.67.1", {
      "country.iso_code": "DE",
      "country.names.en": "Germany",
      "location.latitude": 52.5,
      "traits.autonomous_system_number": 3320,
      "traits.autonomous_system_organization": "=DTAG",
    }),
    detail("123.45.67.1", { "country.names.en": "China", "traits.is_hosting_provider": true }),
  ];
  const ips = ["192.0.2.5", "23.45.67.1", "123.45.67.1"];
  const rowsOf = [undefined, details[0], details[1]];
  const whole = detailsFrameOf(rowsOf, ips);
  for (
    const columns of [
      ["country.iso_code", "location.latitude", "traits.autonomous_system_organization"],
      ["traits.autonomous_system_number", "ip", "country.names.en"],
    ] as const
  ) {
    const some = detailsFrameOf(rowsOf, ips, columns);
    assertEquals(some.columns, [...columns]);
    assertOk(some.frameEqual(whole.select(...columns), true), columns.join(", "));
    assertEquals(some.dtypes.map(String), whole.select(...columns).dtypes.map(String));
  }
});

Deno.test("ipDetailsFrame() is typed with nulls for missing values; missingness() and joinDetails()", async () => {
  const details = [
    detail("23.45.67.1", {
      "country.iso_code": "DE",
      "location.latitude": 52.5,
      "location.longitude": 13.4,
      "location.accuracy_radius": 20,
      "traits.autonomous_system_number": 4294967295,
      "traits.is_hosting_provider": false,
    }),
    detail("123.45.67.1", { "traits.is_hosting_provider": true }),
  ];
  const frame = ipDetailsFrame(details);
  assertEquals(frame.columns, columnNames(IP_DETAIL_COLUMNS));
  const types = Object.fromEntries(frame.columns.map((c, i) => [c, String(frame.dtypes[i])]));
  assertEquals(types["location.latitude"], "DataType(Float64)");
  assertEquals(types["location.accuracy_radius"], "DataType(Int64)");
  assertEquals(types["traits.autonomous_system_number"], "DataType(Int64)");
  assertEquals(types["traits.is_hosting_provider"], "DataType(Bool)");
  assertEquals(types["country.iso_code"], "DataType(String)");
  assertEquals(types["fetched_at"], "DataType(Datetime(ms,UTC))");
  const [de, cn] = rows(frame);
  assertEquals(
    [
      de["traits.autonomous_system_number"],
      de["location.latitude"],
      de["traits.is_hosting_provider"],
    ],
    [4294967295, 52.5, false],
  );
  assertEquals(
    [cn["country.iso_code"], cn["location.latitude"], cn["traits.is_hosting_provider"]],
    [
      null,
      null,
      true,
    ],
  );
  assertEquals(de.fetched_at, "2026-11-21T08:00:00.000Z");

  // an address without a record gets its class and nulls
  const listed = ipDetailsFrame(details, ["192.0.2.5", "23.45.67.1"]);
  assertEquals(rows(listed, ["ip", "ip_class", "country.iso_code"]), [
    { ip: "192.0.2.5", ip_class: "documentation", "country.iso_code": null },
    { ip: "23.45.67.1", ip_class: "public", "country.iso_code": "DE" },
  ]);

  const missing = missingness(listed);
  assertEquals(missing.columns, ["column", "missing", "pct_missing"]);
  assertEquals(rows(missing.head(1)), [{ column: "city.names.en", missing: 2, pct_missing: 100 }]);
  assertEquals(rowWhere(missing, "column", "country.iso_code"), {
    column: "country.iso_code",
    missing: 1,
    pct_missing: 50,
  });
  assertEquals(rowWhere(missing, "column", "ip"), { column: "ip", missing: 0, pct_missing: 0 });

  const { frames } = await framesOf({
    "auth.log": [
      failed("18 10:00:00", "123.45.67.1"),
      failed("18 10:00:01", "23.45.67.1"),
      failed("18 10:00:02", "123.45.67.1"),
      failed("18 10:00:03", "198.51.100.3"),
    ],
  }, details);
  const joined = joinDetails(frames.events, frames.ipDetails);
  assertEquals(joined.height, 4);
  assertEquals(rows(joined, ["ip", "country.iso_code", "traits.is_hosting_provider"]), [
    { ip: "123.45.67.1", "country.iso_code": null, "traits.is_hosting_provider": true },
    { ip: "23.45.67.1", "country.iso_code": "DE", "traits.is_hosting_provider": false },
    { ip: "123.45.67.1", "country.iso_code": null, "traits.is_hosting_provider": true },
    { ip: "198.51.100.3", "country.iso_code": null, "traits.is_hosting_provider": null },
  ]);
  assertEquals(joinDetails(frames.bans, frames.ipDetails).height, 0);
  assertEquals(rowWhere(frames.ips, "ip", "23.45.67.1")["location.latitude"], 52.5);
  assertEquals(frames.ipDetails.height, 3); // every address seen, with or without a record
});

Deno.test("writeCsv() neutralises formulas in text only, quotes per RFC 4180, writes ISO UTC times", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jailbook-csv-" });
  try {
    const frame = new FrameBuilder()
      .text("user", [
        "=cmd|' /C calc'!A0",
        "+1",
        "-2",
        "@SUM(A1)",
        "\tx",
        "\rx",
        'say "hi", ok',
        "line\nbreak",
        "plain",
        null,
      ])
      .number("n", [-2, 1.5, 0, 3, null, 1, 2, 3, 4, 5])
      .time("t", [
        Date.UTC(2026, 10, 20, 23, 56, 29),
        NaN,
        Date.UTC(2026, 10, 20, 23, 56, 30),
        0,
        0,
        0,
        0,
        0,
        0,
        0,
      ])
      .build();
    const path = join(dir, "users.csv");
    writeCsv(frame, path);
    const text = await Deno.readTextFile(path);
    const lines = text.split("\n");
    assertEquals(lines.slice(0, 8), [
      "user,n,t",
      `'=cmd|' /C calc'!A0,-2.0,2026-11-20T23:56:29Z`,
      "'+1,1.5,",
      "'-2,0.0,2026-11-20T23:56:30Z",
      "'@SUM(A1),3.0,1970-01-01T00:00:00Z",
      "'\tx,,1970-01-01T00:00:00Z",
      `"'\rx",1.0,1970-01-01T00:00:00Z`,
      `"say ""hi"", ok",2.0,1970-01-01T00:00:00Z`,
    ]);
    assertOk(text.includes(`"line\nbreak",3.0,`));
    assertOk(text.endsWith(",5.0,1970-01-01T00:00:00Z\n"));
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["users.csv"]); // no temp file left

    writeCsv(frame, path, { neutralizeFormulas: false });
    assertOk((await Deno.readTextFile(path)).split("\n")[1].startsWith("=cmd|"));

    // milliseconds only when some time has them; Categorical text is neutralised too
    const ms = pl.DataFrame({
      t: pl.Series("t", [Date.UTC(2026, 10, 20, 23, 56, 29, 120)]).cast(pl.Datetime("ms", "UTC")),
      kind: pl.Series("kind", ["-x"]).cast(pl.Categorical),
    });
    writeCsv(ms, path);
    assertEquals(await Deno.readTextFile(path), "t,kind\n2026-11-20T23:56:29.120Z,'-x\n");

    await assertRejects(
      () => writeCsv(frame, join(dir, "missing", "x.csv")),
      Error,
      "Cannot write",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeParquet() and readParquet() keep types, time zones and nulls", async () => {
  const { frames } = await framesOf({ "auth.log": SUBNET_LOG }, SUBNET_DETAILS);
  const dir = await Deno.makeTempDir({ prefix: "jailbook-parquet-" });
  try {
    for (const name of ["events", "ips", "daily", "bans"] as const) {
      const path = join(dir, `${name}.parquet`);
      writeParquet(frames[name], path);
      const back = readParquet(path);
      assertEquals(back.columns, frames[name].columns);
      assertEquals(back.dtypes.map(String), frames[name].dtypes.map(String));
      assertEquals(rows(back), rows(frames[name]));
    }
    assertEquals([...Deno.readDirSync(dir)].length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("describeColumn() covers every column of ips and events, the dynamic ones too", async () => {
  const { frames } = await framesOf({ "auth.log": SUBNET_LOG }, SUBNET_DETAILS);
  const ipsFixed = frames.ips.columns.slice(0, columnNames(IP_COLUMNS).length);
  assertEquals(ipsFixed, columnNames(IP_COLUMNS));
  for (const column of frames.ips.columns) assertOk(describeColumn("ips", column), column);
  for (const column of frames.events.columns) assertOk(describeColumn("events", column), column);
  assertEquals(
    describeColumn("ips", "attempts_failed_password"),
    "Attempts of kind failed_password: Failed password",
  );
  assertEquals(describeColumn("ips", "attempts_nonsense"), undefined);
  assertEquals(describeColumn("bans", "country.iso_code") !== undefined, true);
});

Deno.test("buildFrames() of an empty store gives empty frames with their columns", () => {
  const store = new EventStore();
  const frames = buildFrames(store);
  assertEquals(frames.events.height, 0);
  assertEquals(frames.events.columns, columnNames(EVENT_COLUMNS));
  assertEquals(frames.daily.height, 0);
  assertEquals(frames.hourWeekday.height, 168);
  assertEquals(frames.countries.height, 0);
  assertEquals(frames.unknownCountry, { attempts: 0, unique_ips: 0, unique_subnets: 0 });
  assertEquals(missingness(frames.ips).height, frames.ips.width);
});

Deno.test("attemptTable() gives the attempts joined with their details, and writes them as writeCsv() does", async (t) => {
  const failed = kindIndex("failed_password");
  const ban = kindIndex("ban");
  const details = [
    detail("23.45.67.1", {
      "country.iso_code": "DE",
      "city.names.en": "=HYPERLINK(1)",
      "location.latitude": 52.52,
      "location.longitude": 13.4,
      "traits.autonomous_system_number": 3320,
      "traits.autonomous_system_organization": "-Telekom",
    }),
    // text the CSV writer quotes, and numbers it formats its own way
    detail("198.51.100.7", {
      "country.names.en": "",
      "city.names.en": 'Gare "du" Nord, Paris\nsecond line\r',
      "location.latitude": 1e-7,
      "location.longitude": -0,
      "traits.autonomous_system_organization": "A, B and C",
    }),
  ];
  const day = Date.UTC(2026, 10, 18);
  const cases: Record<string, [number, Partial<ParsedEvent>][]> = {
    "whole seconds": [
      [day + 1000, { kind: failed, ip: "23.45.67.1", user: "root", port: 50022 }],
      [day + 2000, { kind: ban, ip: "23.45.67.1", jail: "sshd" }],
      [day + 86_399_000, { kind: failed, ip: "198.51.100.7", user: "=cmd|' /C calc'!A0" }],
    ],
    "milliseconds, a repeat count and no IP": [
      [day + 1234, { kind: failed, ip: "23.45.67.1", count: 3 }],
      [day + 2000, { kind: failed, ip: undefined, user: "+1" }],
    ],
    "no time, and times before 1970": [
      [NaN, { kind: failed, ip: "23.45.67.1" }],
      [-86_400_500, { kind: failed, ip: "198.51.100.7", user: "@x" }],
      [day, { kind: failed, ip: "198.51.100.7" }],
    ],
    "text the CSV writer quotes": [
      [day, { kind: failed, ip: "198.51.100.7", user: "a,b" }],
      [day, { kind: failed, ip: "198.51.100.7", user: 'say "hi"' }],
      [day, { kind: failed, ip: "23.45.67.1", user: "two\nlines", jail: "cr\rjail" }],
      [day, { kind: failed, ip: "23.45.67.1", user: "", host: "=a,b" }],
    ],
    "no event": [],
  };
  const dir = await Deno.makeTempDir({ prefix: "jailbook-attempts-" });
  try {
    for (const [name, events] of Object.entries(cases)) {
      await t.step(name, async () => {
        const store = new EventStore();
        store.files = ["auth.log", 'fail2ban, "old".log'];
        events.forEach(([time, event], i) =>
          store.add({ timeKind: 0, ...event } as ParsedEvent, time, i % 2, i + 1)
        );
        const frames = buildFrames(store, details);
        const expected = joinDetails(
          frames.events.filter(pl.col("attempts").gt(0)),
          frames.ipDetails,
        ).select(...frames.attempts.columns).withColumns(
          ...["country.iso_code", "country.names.en", "city.names.en"]
            .concat(["traits.autonomous_system_organization"])
            .map((c) => pl.col(c).cast(pl.Categorical)),
        );
        const table = frames.attempts;
        assertEquals(table.height, expected.height);
        const got = table.query().collectSync();
        assertEquals(got.schema, expected.schema);
        assertEquals(
          got.select(pl.all().cast(pl.Utf8)).toRecords(),
          expected.select(pl.all().cast(pl.Utf8)).toRecords(),
        );
        for (const raw of [false, true]) {
          const written = join(dir, "query.csv");
          await table.query({ csv: true, neutralizeFormulas: !raw })
            .sinkCSV(written, ATTEMPT_CSV_OPTIONS).collect();
          const reference = join(dir, "reference.csv");
          writeCsv(expected, reference, { neutralizeFormulas: !raw });
          assertEquals(
            await Deno.readTextFile(written),
            await Deno.readTextFile(reference),
            `raw: ${raw}`,
          );
        }
        // rows by range
        const tail = table.query({ offset: 1, length: 5 }).collectSync();
        assertEquals(tail.height, Math.max(0, expected.height - 1));
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("releaseEvents() lets the events go: frames built stay, building another throws", async () => {
  const { store } = await framesOf({
    "auth.log": [failed("20 10:00:00", "198.51.100.7"), failed("20 10:00:05", "198.51.100.8")],
  });
  const analysis = analyseEvents(store, []);
  const attempts = attemptTable(analysis);
  const frames = framesOfAnalysis(analysis);
  releaseEvents(analysis);
  assertEquals(store.length, 0);
  assertEquals(analysis.columns.kind.length, 0);
  assertEquals(store.dictionaries.ip.values, ["198.51.100.7", "198.51.100.8"]);
  assertEquals(frames.ips.height, 2);
  assertEquals(attempts.query().collectSync().getColumn("ip").cast(pl.Utf8).toArray(), [
    "198.51.100.7",
    "198.51.100.8",
  ]);
  const message = "the events of this analysis were let go";
  await assertRejects(() => frames.events, Error, `Cannot build the events frame: ${message}`);
  await assertRejects(() => frames.attempts, Error, `Cannot build the attempts table: ${message}`);
  await assertRejects(() => framesOfAnalysis(analysis), Error, `Cannot build frames: ${message}`);
  // the store takes events again
  const event = { timeKind: 0, kind: kindIndex("failed_password"), ip: "198.51.100.9" };
  store.add(event as ParsedEvent, Date.UTC(2026, 10, 20), 0, 1);
  assertEquals(store.length, 1);
  assertEquals(store.has("port"), false);
  assertEquals(buildFrames(store).events.height, 1);
});

Deno.test("analyseEvents() checks its options", () => {
  const store = new EventStore();
  for (
    const [options, message] of [
      [{ v4Prefix: 33 }, "Option v4Prefix must be 0–32, not 33"],
      [{ v6Prefix: 2.5 }, "Option v6Prefix must be an integer, not 2.5"],
      [{ topUsersPerCountry: 0 }, "Option topUsersPerCountry must be 1–1000000, not 0"],
      [{ banMatchToleranceMs: -1 }, "Option banMatchToleranceMs must be a number ≥ 0, not -1"],
    ] as const
  ) {
    let error: Error | undefined;
    try {
      analyseEvents(store, [], options);
    } catch (e) {
      error = e as Error;
    }
    assertEquals(error?.message, message);
  }
});
