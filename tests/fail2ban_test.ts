import { assertEquals, assertOk } from "./_assert.ts";
import { checkFixture, collect } from "./_fixture_harness.ts";
import {
  createFail2banParser,
  PATTERNS as FAIL2BAN_PATTERNS,
  sniffFail2ban,
} from "../lib/logs/fail2ban.ts";
import {
  createFail2banStatusParser,
  PATTERNS as STATUS_PATTERNS,
  sniffFail2banStatus,
} from "../lib/logs/fail2ban_status.ts";
import {
  createFail2banBlacklistParser,
  PATTERNS as BLACKLIST_PATTERNS,
  sniffFail2banBlacklist,
} from "../lib/logs/fail2ban_blacklist.ts";
import type { LineSink, LogParser, ParsedEvent } from "../lib/logs/types.ts";
import { TimeKind } from "../lib/logs/types.ts";

const FIXTURES = new URL("./fixtures/fail2ban/", import.meta.url).pathname;

Deno.test("createFail2banParser() matches tests/fixtures/fail2ban/fail2ban.log", async (t) => {
  await checkFixture(t, `${FIXTURES}fail2ban.log`, createFail2banParser, {
    patterns: FAIL2BAN_PATTERNS,
  });
});

Deno.test("createFail2banStatusParser() matches tests/fixtures/fail2ban/status-sshd.txt", async (t) => {
  await checkFixture(t, `${FIXTURES}status-sshd.txt`, createFail2banStatusParser, {
    patterns: STATUS_PATTERNS,
  });
});

Deno.test("createFail2banBlacklistParser() matches tests/fixtures/fail2ban/blacklist.csv", async (t) => {
  await checkFixture(t, `${FIXTURES}blacklist.csv`, createFail2banBlacklistParser, {
    patterns: BLACKLIST_PATTERNS,
  });
});

/** Raw events (with `timeKind`) and bad reasons of feeding `lines` to `parser`. */
function run(parser: LogParser, lines: string[]): { events: ParsedEvent[]; bad: string[] } {
  const events: ParsedEvent[] = [];
  const bad: string[] = [];
  const sink: LineSink = { emit: (e) => events.push({ ...e }), bad: (r) => bad.push(r) };
  for (const line of lines) parser.parseLine(line, sink);
  parser.end?.(sink);
  return { events, bad };
}

Deno.test("createFail2banParser() reports wall-clock time with the year", () => {
  const { events } = run(createFail2banParser(), [
    "2019-01-28 07:01:57,512 fail2ban.actions        [1224]: NOTICE  [sshd] Ban 192.0.2.1",
  ]);
  assertEquals(events.length, 1);
  assertEquals(events[0].timeKind, TimeKind.Wall);
  assertEquals(events[0].time, Date.UTC(2019, 0, 28, 7, 1, 57, 512));
});

Deno.test("createFail2banParser() clears optional fields between events", () => {
  const { events } = run(createFail2banParser(), [
    "2024-03-01 10:00:01,600 fail2ban.observer       [812]: NOTICE  [sshd] Increase Ban 192.0.2.1 (2 # 2:00:00 -> 2024-03-01 12:00:01)",
    "2024-03-01 10:00:02,100 fail2ban.filter         [812]: INFO    [sshd] Ignore 192.0.2.50 by ip",
    "2013-01-28 07:01:57,512 fail2ban.actions: WARNING [ssh] Ban 192.0.2.1",
  ]);
  assertEquals(events.map((e) => [e.banCount, e.banSeconds, e.detail, e.pid]), [
    [2, 7200, undefined, 812],
    [undefined, undefined, "ip", 812],
    [undefined, undefined, undefined, undefined],
  ]);
});

Deno.test("createFail2banParser() skips continuation lines even before the first record", () => {
  const skipped: string[] = [];
  const parser = createFail2banParser();
  const sink: LineSink = {
    emit: () => {
      throw new Error("no event expected");
    },
    bad: (reason) => {
      throw new Error(`no bad line expected: ${reason}`);
    },
    skip: () => skipped.push("skip"),
  };
  for (
    const line of [
      '  File "/usr/lib/python3/dist-packages/fail2ban/server/actions.py", line 674',
      "Ban 192.0.2.1",
      "",
      "1970",
    ]
  ) parser.parseLine(line, sink);
  assertEquals(skipped.length, 4);
});

Deno.test("createFail2banParser() never throws on hostile input", () => {
  const parser = createFail2banParser();
  const prefix = "2024-03-01 10:00:01,512 fail2ban.actions        [812]: NOTICE  ";
  const tails = [
    "",
    "[",
    "[]",
    "[] ",
    "[sshd]",
    "[sshd] ",
    "[sshd] Increase Ban",
    "[sshd] Increase Ban 192.0.2.1 (",
    "[sshd] Increase Ban 192.0.2.1 (x # y -> z)",
    "[sshd] Increase Ban 192.0.2.1 (2 # :: -> )",
    "[sshd] Increase Ban 192.0.2.1 (2 # x days, 1:00:00 -> )",
    "[sshd]  already banned",
    "[sshd] Found ",
    "[sshd] Ignore  by ",
    "[sshd] Ban " + "9".repeat(10_000),
    "[" + "x".repeat(10_000),
  ];
  const lines = [
    ...tails.map((tail) => prefix + tail),
    "2024-03-01 10:00:01,512 fail2ban",
    "2024-03-01 10:00:01,512 fail2ban.actions [",
    "2024-03-01 10:00:01,512 fail2ban.actions [1",
    "2024-03-01 10:00:01,512 fail2ban.actions [1]",
    "2024-03-01 10:00:01,512 fail2ban.actions [1]:",
    "9999-99-99",
    "\u0000\uffff\ud800",
  ];
  const { events } = collect(parser, lines);
  const increase = events[8][0];
  assertEquals([increase.banCount, increase.banSeconds], [undefined, undefined]);
  assertEquals(events[9][0].banCount, 2);
  assertEquals(events[9][0].banSeconds, undefined);
  assertEquals(events[10][0].banSeconds, undefined);
});

Deno.test("sniffFail2ban() recognises fail2ban.log records only", () => {
  assertOk(sniffFail2ban("2013-01-28 07:01:57,512 fail2ban.actions: WARNING [ssh] Ban 192.0.2.1"));
  assertOk(
    sniffFail2ban(
      "2024-03-01 09:59:58,002 fail2ban.server         [812]: INFO    Starting Fail2ban v1.0.2",
    ),
  );
  assertOk(!sniffFail2ban("Traceback (most recent call last):"));
  assertOk(!sniffFail2ban("2024-03-01 10:00:00,000 host sshd[812]: Failed password"));
  assertOk(!sniffFail2ban("Status for the jail: sshd"));
  assertOk(!sniffFail2ban("DATE,TIME,IP_ADDRESS"));
});

Deno.test("createFail2banStatusParser() reports a held address when the input ends", () => {
  const { events, bad } = run(createFail2banStatusParser(), [
    "Status for the jail: sshd",
    "`- Actions",
    "   `- Banned IP list:\t192.0.2.1 192.0.2.2",
  ]);
  assertEquals(bad, []);
  assertEquals(events.map((e) => [e.ip, e.jail, e.timeKind, e.kind]), [
    ["192.0.2.1", "sshd", TimeKind.None, events[0].kind],
    ["192.0.2.2", "sshd", TimeKind.None, events[0].kind],
  ]);
  assertOk(Number.isNaN(events[0].time));
});

Deno.test("createFail2banStatusParser() reports bad tokens and keeps the good ones", () => {
  const { events, bad } = run(createFail2banStatusParser(), [
    "Status for the jail: sshd",
    "   `- Banned IP list:\t192.0.2.1 host.example.org 192.0.2.2",
    "[{'nginx': ['198.51.100.1', 'not-an-ip']}]",
  ]);
  assertEquals(events.map((e) => [e.ip, e.jail, e.pattern]), [
    ["192.0.2.1", "sshd", "bannedIpList"],
    ["192.0.2.2", "sshd", "bannedIpList"],
    ["198.51.100.1", "nginx", "bannedCommand"],
  ]);
  assertEquals(bad.length, 2);
  assertOk(bad[0].includes("host.example.org"));
  assertOk(bad[1].includes("not-an-ip"));
});

Deno.test("createFail2banStatusParser() joins an IPv6 address split by a wrap", () => {
  const { events, bad } = run(createFail2banStatusParser(), [
    "Status for the jail: sshd",
    "   `- Banned IP list:\t192.0.2.1 2001:db8:0:",
    "0::7 192.0.2.2 ",
    "192.0.2.3",
  ]);
  assertEquals(bad, []);
  assertEquals(events.map((e) => e.ip), ["192.0.2.1", "2001:db8::7", "192.0.2.2", "192.0.2.3"]);
});

Deno.test("createFail2banStatusParser() skips wrapped values of other items", () => {
  const { events, bad } = run(createFail2banStatusParser(), [
    "Status for the jail: sshd",
    "|  `- File list:\t/var/log/auth.log /var/log/very/long/",
    "path/secure.log",
    "   `- Banned IP list:\t",
  ]);
  assertEquals([events, bad], [[], []]);
});

Deno.test("sniffFail2banStatus() recognises status output", () => {
  assertOk(sniffFail2banStatus("Status for the jail: sshd"));
  assertOk(sniffFail2banStatus("Status"));
  assertOk(sniffFail2banStatus("   `- Banned IP list:\t192.0.2.1"));
  assertOk(sniffFail2banStatus("[{'sshd': ['192.0.2.1']}]"));
  // every tree line counts, so a whole saved status output sniffs as status
  assertOk(sniffFail2banStatus("|- Filter"));
  assertOk(sniffFail2banStatus("|  |- Currently failed:\t2"));
  assertOk(!sniffFail2banStatus("- a markdown list item"));
  assertOk(!sniffFail2banStatus("2018-12-05,06:33:23,192.0.2.1"));
});

Deno.test("sniffFail2banBlacklist() recognises the header and rows", () => {
  assertOk(sniffFail2banBlacklist("DATE,TIME,IP_ADDRESS"));
  assertOk(sniffFail2banBlacklist("\ufeffDATE,TIME,IP_ADDRESS\r"));
  assertOk(sniffFail2banBlacklist("2018-12-05,06:33-23,192.0.2.1\r"));
  assertOk(!sniffFail2banBlacklist("2018-12-05,06:33-23"));
  assertOk(!sniffFail2banBlacklist("Status for the jail: sshd"));
  assertOk(
    !sniffFail2banBlacklist(
      "2019-01-28 07:01:57,512 fail2ban.actions [1]: NOTICE [sshd] Ban 192.0.2.1",
    ),
  );
});

Deno.test("fail2ban parsers never throw on arbitrary bytes", () => {
  const parsers = [createFail2banParser, createFail2banStatusParser, createFail2banBlacklistParser];
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const alphabet = "0123456789-:, .[]'\"{}`|\tabcdefABCDEF\r\nfail2ban.actions Ban Found";
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    let line = i % 2 === 0 ? "2024-03-01 10:00:01,512 fail2ban.actions [812]: NOTICE [sshd] " : "";
    const length = Math.floor(random() * 60);
    for (let j = 0; j < length; j++) line += alphabet[Math.floor(random() * alphabet.length)];
    lines.push(line);
  }
  for (const make of parsers) run(make(), lines);
});
