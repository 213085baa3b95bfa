import { join } from "node:path";
import { discoverLogs } from "../lib/logs/discover.ts";
import { parseFiles } from "../lib/logs/pipeline.ts";
import { Tee } from "../lib/logs/jsonl.ts";
import { EventStore, StringDictionary } from "../lib/logs/store.ts";
import { MAX_USERS_PER_IP, summarize, SummaryAggregator } from "../lib/logs/summary.ts";
import { kindIndex } from "../lib/logs/kinds.ts";
import { type ParsedEvent, TimeKind } from "../lib/logs/types.ts";
import { createSyslogParser } from "../lib/logs/syslog.ts";
import { placeInYear, ZoneConverter } from "../lib/logs/time.ts";
import { assertEquals, assertIncludes, assertOk } from "./_assert.ts";
import { generateLog } from "./_scanner_harness.ts";

const sshd = (stamp: string, ip: string, user = "root") =>
  `${stamp} web1 sshd[4242]: Failed password for ${user} from ${ip} port 50022 ssh2`;

async function logDir(files: Record<string, { lines: string[]; mtime?: string; gzip?: boolean }>) {
  const dir = await Deno.makeTempDir();
  for (const [name, spec] of Object.entries(files)) {
    const path = join(dir, name);
    await Deno.mkdir(join(path, ".."), { recursive: true });
    const text = spec.lines.join("\n") + "\n";
    if (spec.gzip) {
      const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
      await Deno.writeFile(path, new Uint8Array(await new Response(stream).arrayBuffer()));
    } else {
      await Deno.writeTextFile(path, text);
    }
    if (spec.mtime) await Deno.utime(path, new Date(spec.mtime), new Date(spec.mtime));
  }
  return dir;
}

async function run(paths: string[], options: { year?: number; timeZone?: string } = {}) {
  const { files, problems } = await discoverLogs(paths);
  const store = new EventStore();
  store.files = files.map((f) => f.path);
  const report = await parseFiles(files, store, { timeZone: "UTC", ...options });
  const events = Array.from({ length: store.length }, (_, i) => store.row(i));
  return { files, problems, report, store, events };
}

Deno.test("parseFiles() infers years across a New Year rollover from modification times", async () => {
  const dir = await logDir({
    "auth.log.2.gz": {
      lines: [sshd("Dec 20 10:00:00", "192.0.2.1")],
      mtime: "2025-12-21T00:00:00Z",
      gzip: true,
    },
    "auth.log.1": {
      lines: [sshd("Dec 30 23:59:00", "192.0.2.2"), sshd("Jan  1 00:01:00", "192.0.2.3")],
      mtime: "2026-01-01T00:02:00Z",
    },
    "auth.log": { lines: [sshd("Jan  2 08:00:00", "192.0.2.4")], mtime: "2026-01-02T09:00:00Z" },
  });
  const { events, report } = await run([dir]);
  assertEquals(events.map((e) => [e.ip, e.time]), [
    ["192.0.2.1", "2025-12-20T10:00:00.000Z"],
    ["192.0.2.2", "2025-12-30T23:59:00.000Z"],
    ["192.0.2.3", "2026-01-01T00:01:00.000Z"],
    ["192.0.2.4", "2026-01-02T08:00:00.000Z"],
  ]);
  assertEquals(report.files.map((f) => [f.year?.firstYear, f.year?.lastYear]), [[2025, 2025], [
    2025,
    2026,
  ], [2026, 2026]]);
  assertIncludes(report.files[1].year!.detail, "1 New Year rollover inside the file");
});

Deno.test("parseFiles() falls back to the next newer file when copied logs all have today's mtime", async () => {
  // copied on 2026-01-05: every mtime is the copy time, so auth.log.1 is bounded by auth.log's first line
  const dir = await logDir({
    "auth.log.1": { lines: [sshd("Jan  5 09:00:00", "192.0.2.1")], mtime: "2026-01-05T12:00:00Z" },
    "auth.log": { lines: [sshd("Jan  2 08:00:00", "192.0.2.2")], mtime: "2026-01-05T12:00:00Z" },
  });
  const { events, report } = await run([dir]);
  // auth.log: Jan 2 2026. auth.log.1 must be older than Jan 2 2026 → Jan 5 2025.
  assertEquals(events.map((e) => e.time), ["2025-01-05T09:00:00.000Z", "2026-01-02T08:00:00.000Z"]);
  assertEquals(report.files[0].year?.method, "newer file");
});

Deno.test("parseFiles() honours --year and a time zone for zone-less stamps", async () => {
  const dir = await logDir({
    "auth.log": { lines: [sshd("Jul  1 12:00:00", "192.0.2.9")], mtime: "2030-01-01T00:00:00Z" },
  });
  const { events, report } = await run([dir], { year: 2021, timeZone: "Europe/Berlin" });
  assertEquals(events[0].time, "2021-07-01T10:00:00.000Z");
  assertEquals(report.files[0].year?.method, "--year");
});

Deno.test("parseFiles() reports every kind of bad input and keeps the good events around it", async () => {
  const good1 = sshd("Jan  2 08:00:00", "192.0.2.1");
  const good2 = sshd("Jan  2 08:00:01", "2001:db8::7", "admin");
  const enc = new TextEncoder();
  const dir = await logDir({ "auth.log": { lines: [], mtime: "2026-01-03T00:00:00Z" } });
  const bytes = [
    ...enc.encode(good1 + "\n"),
    ...enc.encode("# a comment line someone added\n"),
    ...[0xff, 0xfe, 0x00, 0x01, 0x9c, 10], // binary garbage
    ...enc.encode(
      "Jan  2 08:00:02 web1 sshd[1]: Failed password for b\xff from 192.0.2.5 port 1 ssh2\n",
    ),
    ...[0, 0, 0, 0],
    ...enc.encode(good2 + "\n"),
    ...enc.encode("x".repeat(100_000) + "\n"),
    ...enc.encode(sshd("Jan  2 08:00:03", "::ffff:198.51.100.4") + "\n"),
  ];
  await Deno.writeFile(join(dir, "auth.log"), new Uint8Array(bytes));
  await Deno.utime(
    join(dir, "auth.log"),
    new Date("2026-01-03T00:00:00Z"),
    new Date("2026-01-03T00:00:00Z"),
  );
  const { events, report } = await run([dir]);
  assertEquals(events.map((e) => e.ip), ["192.0.2.1", "192.0.2.5", "2001:db8::7", "198.51.100.4"]);
  const file = report.files[0];
  assertEquals(file.lines, 7);
  const lines = file.problems.map((p) => p.line);
  for (const line of [2, 3, 5, 6]) {
    assertOk(lines.includes(line), `line ${line} reported: ${JSON.stringify(file.problems)}`);
  }
  assertOk(file.bad + file.damaged >= 4);
});

Deno.test("parseFiles() reads a truncated .gz up to the damage and says so", async () => {
  const lines = Array.from(
    { length: 5000 },
    (_, i) => sshd("Jan  2 08:00:00", `192.0.2.${i % 250}`, `u${i}`),
  );
  const dir = await logDir({
    "auth.log.2.gz": { lines, gzip: true, mtime: "2026-01-03T00:00:00Z" },
  });
  const path = join(dir, "auth.log.2.gz");
  const full = await Deno.readFile(path);
  await Deno.writeFile(path, full.subarray(0, Math.floor(full.length / 2)));
  const { events, report } = await run([dir]);
  assertOk(events.length > 100, `${events.length} events kept`);
  assertIncludes(report.files[0].incomplete ?? "", "gzip");
});

Deno.test("summarize() counts events, suspicious events, unique IPs and banned-but-logged-in IPs", async () => {
  const dir = await logDir({
    "auth.log": {
      lines: [
        sshd("Jan  2 08:00:00", "192.0.2.1"),
        sshd("Jan  2 08:00:01", "192.0.2.1", "admin"),
        "Jan  2 09:00:00 web1 sshd[7]: Accepted publickey for admin from 192.0.2.1 port 50000 ssh2: ED25519 SHA256:abc",
        sshd("Jan  2 08:00:02", "198.51.100.2"),
      ],
      mtime: "2026-01-03T00:00:00Z",
    },
    "fail2ban.log": {
      lines: [
        "2026-01-02 08:00:05,000 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.1",
      ],
    },
  });
  const { files } = await discoverLogs([dir]);
  const agg = new SummaryAggregator();
  const report = await parseFiles(files, agg, { timeZone: "UTC" });
  const data = summarize(agg, report);
  assertEquals([data.events, data.suspicious, data.uniqueIps], [5, 4, 2]);
  assertEquals(data.topIps[0].ip, "192.0.2.1");
  assertEquals(data.topIps[0].users, 2);
  assertEquals(data.topIps[0].bans, 1);
  assertEquals(data.bannedAndAccepted, ["192.0.2.1"]);
});

Deno.test("SummaryAggregator: event ids are only a cache (same result with, without, and with several ids per value)", () => {
  const ips = ["192.0.2.1", "192.0.2.2", "2001:db8::1"];
  const users = ["root", "admin", "oracle", "test"];
  const events = Array.from({ length: 400 }, (_, i) => ({
    ip: ips[(i * 7) % 3],
    user: i % 5 === 0 ? undefined : users[(i * 3) % 4],
    kind: kindIndex(i % 2 ? "failed_password" : "invalid_user"),
    time: Date.UTC(2026, 0, 1) + i * 1000,
  }));
  const aggregate = (ids: (value: string, i: number) => number | undefined) => {
    const agg = new SummaryAggregator();
    events.forEach((e, i) => {
      const event: ParsedEvent = {
        time: e.time,
        timeKind: TimeKind.Absolute,
        kind: e.kind,
        ip: e.ip,
        ipId: ids(e.ip, i),
        user: e.user,
        userId: e.user === undefined ? undefined : ids(`user:${e.user}`, i),
      };
      agg.add(event, e.time, 0, i + 1);
    });
    return [...agg.ips.values()].map((s) => ({ ...s, users: [...s.users], kinds: [...s.kinds] }));
  };
  const names = new Map<string, number>();
  const stable = (value: string) =>
    names.get(value) ?? (names.set(value, names.size), names.size - 1);
  const expected = aggregate(() => undefined);
  assertEquals(expected.length, 3);
  assertEquals(aggregate(stable), expected);
  // a new id for the same value now and then (a scanner's table started over), ids past any cache
  assertEquals(aggregate((v, i) => stable(v) + 100 * Math.floor(i / 50)), expected);
  assertEquals(aggregate((v, i) => (i % 3 ? (1 << 23) + stable(v) : undefined)), expected);
});

Deno.test("StringDictionary: event ids and the last value are only caches", () => {
  const values = ["192.0.2.1", "192.0.2.2", "192.0.2.1", "2001:db8::1", "192.0.2.2", "192.0.2.2"];
  const expected = [0, 1, 0, 2, 1, 1];
  const plain = new StringDictionary();
  assertEquals(values.map((v) => plain.id(v)), expected);
  // one id per value, a second id for a value, ids past the cache, no id
  const ids = [7, 8, 7, 9, 11, 1 << 23];
  const cached = new StringDictionary();
  assertEquals(values.map((v, i) => cached.id(v, ids[i])), expected);
  assertEquals(values.map((v, i) => cached.id(v, ids[i])), expected, "again, from the caches");
  assertEquals(cached.values, ["192.0.2.1", "192.0.2.2", "2001:db8::1"]);
  assertEquals([cached.id(undefined), cached.id(undefined, 7)], [-1, -1]);
});

Deno.test("EventStore: columns handed out keep their rows when more events are added", () => {
  const store = new EventStore(4);
  const event = (i: number): ParsedEvent => ({
    time: Date.UTC(2026, 0, 1) + i,
    timeKind: TimeKind.Absolute,
    kind: kindIndex("failed_password"),
    ip: `192.0.2.${i % 250}`,
    user: `user${i % 7}`,
    port: 40000 + i,
  });
  for (let i = 0; i < 3; i++) store.add(event(i), Date.UTC(2026, 0, 1) + i, 0, i + 1);
  const before = store.columns();
  const snapshot = { port: [...before.port], ip: [...before.ip], line: [...before.line] };
  // past the trimmed capacity (a move would empty the views), and wider values (40000+ ports)
  for (let i = 3; i < 5000; i++) store.add(event(i), Date.UTC(2026, 0, 1) + i, 0, i + 1);
  assertEquals(
    { port: [...before.port], ip: [...before.ip], line: [...before.line] },
    snapshot,
  );
  const after = store.columns();
  assertEquals(after.length, 5000);
  assertEquals([after.port[0], after.port[4999], after.line[4999]], [40000, 44999, 5000]);
  assertEquals(store.dictionaries.ip.get(after.ip[4999]), "192.0.2.249");
});

Deno.test("records handed over in columns (addRecords) aggregate as one add() per event does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // a generated auth.log, the sshd fixture (message repeated, odd lines) and the sample
    await generateLog("--auth-lines", 60_000, join(dir, "auth.log"));
    await Deno.copyFile(join(import.meta.dirname!, "fixtures/sshd/auth.log"), join(dir, "secure"));
    // one address trying more users than are kept per IP, between others, some lines repeated
    const many: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const stamp = `Mar  3 10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${
        String(i % 60).padStart(2, "0")
      }`;
      many.push(sshd(stamp, "203.0.113.9", `user${i % 1200}`));
      if (i % 3 === 0) many.push(sshd(stamp, `198.51.100.${i % 50}`, `other${i % 7}`));
      if (i % 11 === 0) {
        many.push(
          `${stamp} web1 sshd[9]: message repeated 4 times: [ Failed password for x${i} from 203.0.113.9 port 1 ssh2]`,
        );
      }
    }
    await Deno.writeTextFile(join(dir, "secure-20240310"), many.join("\n") + "\n");
    // more addresses and (address, user) pairs than the module gathers at once, repeated
    const wide: string[] = [];
    for (let i = 0; i < 80_000; i++) {
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      wide.push(sshd("Mar  4 10:00:00", ip, `w${i % 5000}`));
      if (i % 4 === 0) wide.push(sshd("Mar  4 10:00:01", "203.0.113.9", `w${i % 1500}`));
    }
    await Deno.writeTextFile(join(dir, "secure-20240320"), wide.join("\n") + "\n");
    const files = (await discoverLogs([dir, join(import.meta.dirname!, "../data/sample")])).files;
    for (const timeZone of ["UTC", "Europe/Berlin"]) {
      const columns = new SummaryAggregator();
      const single = new SummaryAggregator();
      let calls = 0;
      const perEvent = {
        add: (e: ParsedEvent, t: number, f: number, l: number) => {
          calls++;
          single.add(e, t, f, l);
        },
      };
      const a = await parseFiles(files, columns, { timeZone, year: 2024 });
      const b = await parseFiles(files, perEvent, { timeZone, year: 2024 });
      assertEquals(a, b);
      // and through a Tee, next to a consumer taking one event at a time
      const teed = new SummaryAggregator();
      const store = new EventStore();
      const c = await parseFiles(files, new Tee(store, teed), { timeZone, year: 2024 });
      assertEquals(c, a);
      assertEquals(store.length, calls);
      assertEquals([...teed.ips.values()], [...single.ips.values()]);
      assertOk(columns.events > 50_000);
      for (const key of ["events", "suspicious", "withoutIp", "first", "last"] as const) {
        assertEquals(columns[key], single[key], key);
      }
      assertEquals([...columns.kinds], [...single.kinds]);
      assertEquals([...columns.ips.values()], [...single.ips.values()]);
      // users in the order first tried (a Set compares without order)
      for (const [ip, stats] of columns.ips) {
        assertEquals([...stats.users], [...single.ips.get(ip)!.users], ip);
      }
      assertEquals(columns.ips.get("203.0.113.9")!.users.size, MAX_USERS_PER_IP);
      assertOk(columns.ipCount > 80_000);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("aggregators reading in columns one after another each get their own events", async () => {
  const dir = await logDir({
    "auth.log": {
      lines: Array.from(
        { length: 3000 },
        (_, i) => sshd("Mar  3 10:00:00", `192.0.2.${i % 200}`, `u${i % 37}`),
      ),
    },
    "secure": {
      lines: Array.from({ length: 500 }, (_, i) => sshd("Mar  3 11:00:00", `198.51.100.${i % 9}`)),
    },
  });
  try {
    const { files } = await discoverLogs([dir]);
    const a = new SummaryAggregator();
    const b = new SummaryAggregator();
    await parseFiles([files[0]], a, { timeZone: "UTC", year: 2024 });
    await parseFiles([files[1]], b, { timeZone: "UTC", year: 2024 });
    await parseFiles([files[0]], b, { timeZone: "UTC", year: 2024 });
    const alone = new SummaryAggregator();
    await parseFiles([files[1], files[0]], alone, { timeZone: "UTC", year: 2024 });
    assertEquals(a.events, 3000);
    assertEquals(a.ipCount, 200);
    assertEquals(b.events, 3500);
    assertEquals([...b.ips.keys()], [...alone.ips.keys()]);
    assertEquals([...b.ips.values()], [...alone.ips.values()]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("event times of syslog files: years across New Year and zones across DST, on every path", async () => {
  // stamps over a New Year and both DST changes, with lines the WebAssembly module hands to
  // TypeScript between its own: every event's time must be what the string parser's stamp,
  // placed in its year (a stamp far before the one before starts a new year) and zone, gives
  const lines: string[] = [];
  const stamps: [string, number][] = [
    ["Nov", 2],
    ["Nov", 3],
    ["Dec", 31],
    ["Jan", 1],
    [
      "Mar",
      10,
    ],
    ["Mar", 31],
    ["Oct", 27],
  ];
  for (const [month, day] of stamps) {
    for (let h = 0; h < 24; h += 1) {
      const stamp = `${month} ${String(day).padStart(2)} ${String(h).padStart(2, "0")}:30:07`;
      lines.push(sshd(stamp, `203.0.113.${h + 1}`, `u${h % 5}`));
      if (h % 3 === 0) {
        lines.push(
          `${stamp} web1 sshd[7]: User root from 192.0.2.77 not allowed because listed in DenyUsers`,
        );
      }
    }
  }
  const dir = await logDir({ "auth.log": { lines, mtime: "2025-11-30T00:00:00Z" } });
  try {
    const { files } = await discoverLogs([dir]);
    for (const timeZone of ["UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney"]) {
      const times: number[] = [];
      const report = await parseFiles(files, { add: (_e, time) => times.push(time) }, { timeZone });
      // the reference: the string parser, and the rule above, by hand
      const zone = new ZoneConverter(timeZone);
      const parser = createSyslogParser();
      const expected: number[] = [];
      let year = report.files[0].year!.firstYear;
      let last = NaN;
      for (const line of lines) {
        parser.parseLine(line, {
          emit(event) {
            if (event.time < last - 180 * 86_400_000) year++;
            last = event.time;
            expected.push(zone.toUtc(placeInYear(event.time, year)));
          },
          bad() {},
        });
      }
      assertEquals(times.length, expected.length, timeZone);
      assertEquals(times, expected, timeZone);
      assertEquals(report.files[0].year!.lastYear, report.files[0].year!.firstYear + 1);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SummaryAggregator keeps each IP's first MAX_USERS_PER_IP distinct users, in the order tried", () => {
  const agg = new SummaryAggregator();
  const failed = kindIndex("failed_password");
  const event = (ip: string, user: string): ParsedEvent => ({
    time: 0,
    timeKind: TimeKind.Absolute,
    kind: failed,
    ip,
    user,
  });
  const tried: Record<string, string[]> = { "192.0.2.1": [], "192.0.2.2": [], "192.0.2.3": [] };
  let t = Date.UTC(2024, 0, 1);
  const add = (ip: string, user: string) => {
    tried[ip].push(user);
    agg.add(event(ip, user), t++, 0, 1);
  };
  // 192.0.2.1: two users back and forth many times, then 1,500 new ones and old ones again
  for (let i = 0; i < 3000; i++) add("192.0.2.1", i % 2 === 0 ? "root" : "admin");
  for (let i = 0; i < 1500; i++) {
    add("192.0.2.1", `n${i}`);
    if (i % 10 === 0) add("192.0.2.1", "root");
  }
  // 192.0.2.2: the same user over and over; 192.0.2.3: 999 users, each twice, interleaved
  for (let i = 0; i < 5000; i++) add("192.0.2.2", "oracle");
  for (let i = 0; i < 999; i++) {
    add("192.0.2.3", `u${i}`);
    add("192.0.2.3", `u${(i * 7) % 999}`);
  }
  for (const [ip, users] of Object.entries(tried)) {
    const expected = [...new Set(users)].slice(0, MAX_USERS_PER_IP);
    assertEquals([...agg.ips.get(ip)!.users], expected, ip);
  }
  assertEquals(agg.ips.get("192.0.2.1")!.users.size, MAX_USERS_PER_IP);
  const top = agg.topIps(3);
  assertEquals(top.map((s) => s.users.size), [1, MAX_USERS_PER_IP, 999]);
});

Deno.test("SummaryAggregator.merge(export()) gives what one aggregator of all the events gives", () => {
  const failed = kindIndex("failed_password");
  const ban = kindIndex("ban");
  const accepted = kindIndex("accepted_password");
  const events: { e: ParsedEvent; time: number }[] = [];
  const rand = (() => {
    let s = 7;
    return () => (s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
  })();
  for (let i = 0; i < 12_000; i++) {
    // 192.0.2.1 tries more than MAX_USERS_PER_IP users, on both sides of the split
    const heavy = i % 4 === 0;
    const ip = heavy ? "192.0.2.1" : `198.51.100.${Math.floor(rand() * 60)}`;
    const kind = heavy ? failed : [failed, failed, ban, accepted][Math.floor(rand() * 4)];
    const user = kind === failed
      ? (heavy ? `u${Math.floor(i / 4) % 1_700}` : `n${Math.floor(rand() * 30)}`)
      : undefined;
    const time = i === 5 ? NaN : Date.UTC(2026, 0, 1) + (i % 997) * 60_000;
    events.push({
      e: { time, timeKind: TimeKind.Absolute, kind, ip: i % 101 === 0 ? undefined : ip, user },
      time,
    });
  }
  const plain = (agg: SummaryAggregator) => ({
    totals: [agg.events, agg.suspicious, agg.withoutIp, agg.first, agg.last, [...agg.kinds]],
    ips: [...agg.ips.values()].map((s) => ({ ...s, users: [...s.users], kinds: [...s.kinds] })),
    top: agg.topIps(5).map((s) => s.ip),
  });
  const all = new SummaryAggregator();
  for (const { e, time } of events) all.add(e, time, 0, 1);
  const expected = plain(all);
  assertEquals(expected.ips.find((s) => s.ip === "192.0.2.1")!.users.length, MAX_USERS_PER_IP);
  for (const split of [0, 1, 3_000, 6_001, 11_999, 12_000]) {
    const mine = new SummaryAggregator();
    const theirs = new SummaryAggregator();
    events.forEach(({ e, time }, i) => (i < split ? mine : theirs).add(e, time, 0, 1));
    mine.merge(theirs.export());
    assertEquals(plain(mine), expected, `split at ${split}`);
  }
});
