/**
 * The byte scanner (lib/logs/fail2ban_fast.ts) against the reference string
 * parser (lib/logs/fail2ban.ts): every line must yield the same events, bad
 * reports and skips, and the same damage reports, whichever path it takes.
 * The comparison and the tests every scanner gets are in
 * tests/_scanner_harness.ts; here are the fail2ban records and the checks
 * specific to fail2ban.log.
 */
import { join } from "node:path";
import { createFail2banParser } from "../lib/logs/fail2ban.ts";
import { Fail2banScanner, TEXT_MATCHERS } from "../lib/logs/fail2ban_fast.ts";
import { assertEquals, assertOk } from "./_assert.ts";
import { scannerHarness } from "./_scanner_harness.ts";

const FIXTURES = join(import.meta.dirname!, "fixtures/fail2ban");
const encoder = new TextEncoder();
const harness = scannerHarness({
  createParser: createFail2banParser,
  Scanner: Fail2banScanner,
  generatorFlag: "--fail2ban-lines",
});

const S = "2024-03-01 10:00:01,123 ";
const F = `${S}fail2ban.filter         [812]: INFO    `;
const A = `${S}fail2ban.actions        [812]: NOTICE  `;
const O = `${S}fail2ban.observer       [812]: NOTICE  `;

/** Lines of every record form the scanner reads itself, and of what it passes over. */
const TEMPLATES = [
  `${F}[sshd] Found 192.0.2.1 - 2024-03-01 10:00:00`,
  `${F}[sshd] Found 192.0.2.1`,
  `${F}[sshd] Found 192.0.2.1, bad - 2024-03-01 10:00:02, 1 # -> 3, Ban`,
  `${F}[sshd] Found root - 2024-03-01 10:00:03`,
  `${F}[sshd] Found 2001:0db8:0000:0000:0000:0000:000a:0001 - 2024-03-01 10:00:03`,
  `${F}[nginx-http-auth] Found ::ffff:203.0.113.5 - 2024-03-01 10:00:04`,
  `${F}[sshd] Found ::FFFF:203.0.113.5 - 2024-03-01 10:00:04`,
  `${F}[sshd] Found [2001:db8::1] - 2024-03-01 10:00:04`,
  `${F}[sshd] Found fe80::1%eth0 - 2024-03-01 10:00:04`,
  `${F}[sshd] Found 010.001.002.003 - 2024-03-01 10:00:04`,
  `${F}[sshd] Found 192.0.2.1 -`,
  `${F}[sshd] Found 192.0.2.1 x`,
  `${F}[sshd] Found 192.0.2.1\t- x`,
  `${F}[sshd] Ignore 192.0.2.50 by ip`,
  `${F}[sshd] Ignore 192.0.2.50 by command`,
  `${F}[sshd] Ignore 192.0.2.50 by `,
  `${F}[sshd] Ignore 192.0.2.50`,
  `${F}[sshd] Ignore 192.0.2.50, expired bantime`,
  `${F}[sshd] Ignore 2001:db8::60 by dns`,
  `${F}[sshd] Ignore 192.0.2.50 by a b\tc`,
  `${A}[sshd] Ban 192.0.2.1`,
  `${A}[sshd] Ban 192.0.2.1 extra words`,
  `${A}[sshd] Ban 999.0.2.1`,
  `${A}[sshd] Ban`,
  `${A}[sshd] Ban `,
  `${A}[sshd] Banana 192.0.2.1`,
  `${A}[sshd] Unban 192.0.2.1`,
  `${A}[sshd] Unban2 192.0.2.1`,
  `${A}[sshd] Restore Ban 198.51.100.7`,
  `${A}[sshd] Restore 198.51.100.7`,
  `${A}[sshd] 192.0.2.1 already banned`,
  `${A}[sshd] 2001:DB8:0:0::5 already banned`,
  `${A}[sshd] 192.0.2.1 already banned, really`,
  `${A}[sshd] 192.0.2.1 already  banned`,
  `${A}[sshd]  already banned`,
  `${A}[sshd] Flush ticket(s) with iptables-multiport`,
  `${A}[sshd] Jail is in operation now`,
  `${A}[sshd] BAD::1 already banned`,
  `${A}[sshd] bad::1 already banned`,
  `${O}[sshd] Increase Ban 192.0.2.1 (2 # 2:00:00 -> 2024-03-01 12:00:01)`,
  `${O}[sshd] Increase Ban 192.0.2.1 (12 # 0:20:00 -> 2024-03-01 12:00:01)`,
  `${O}[recidive] Increase Ban 203.0.113.9 (5 # 3 days, 4:00:00 -> 2024-03-04 14:00:01)`,
  `${O}[recidive] Increase Ban 203.0.113.10 (1 # 1 day, 0:00:00 -> 2024-03-02 10:00:01)`,
  `${O}[recidive] Increase Ban 203.0.113.11 (9 # permanent -> infinite)`,
  `${O}[sshd] Increase Ban 192.0.2.1`,
  `${O}[sshd] Increase Ban 192.0.2.1 x`,
  `${O}[sshd] Increase Ban 192.0.2.1 (`,
  `${O}[sshd] Increase Ban 192.0.2.1 (x # y -> z)`,
  `${O}[sshd] Increase Ban 192.0.2.1 (2 # :: -> )`,
  `${O}[sshd] Increase Ban 192.0.2.1 (2 # 1:2:3)`,
  `${O}[sshd] Increase Ban 192.0.2.1 (2 # 1:2:3 ->`,
  `${O}[sshd] Increase Ban 192.0.2.1 (2 # 1:2:3.5 -> x)`,
  `${O}[sshd] Increase Ban 192.0.2.1 (2 #  1:2:3 -> x)`,
  `${O}[sshd] Increase Ban 192.0.2.1 (2# 1:2:3 -> x)`,
  `${O}[sshd] Increase Ban 192.0.2.1 (1234567890 # 1:2:3 -> x)`,
  `${O}[sshd] Increase Ban 192.0.2.1 (2 # 1234567890:00:00 -> x)`,
  `${O}[sshd] Increase Ban 192.0.2.1 (2 # 1:2 -> x)`,
  `${O}[sshd] Increase Ban 192.0.2.1 (2 # 1:2:3:4 -> x)`,
  `${O}[sshd] Increase Ban 192.0.2.1 (2 # 99:99:99 -> x)`,
  `${O}[sshd] Increase Ban root (2 # 2:00:00 -> x)`,
  `${O}[sshd] Increase Bans 192.0.2.1`,
  `${O}[sshd] IP 192.0.2.1 is bad: 1 # last 2024-03-01 10:00:01 - incr 1:00:00 to 2:00:00`,
  "2024-03-01 09:59:58,001 fail2ban.server         [812]: INFO    --------------------------------------------------",
  "2024-03-01 09:59:58,002 fail2ban.server         [812]: INFO    Starting Fail2ban v1.0.2",
  "2024-03-01 09:59:58,060 fail2ban.filter         [812]: INFO      maxRetry: 5",
  "2024-03-01 09:59:58,090 fail2ban.filtersystemd  [812]: INFO    [sshd] Jail is in operation now (process new journal entries)",
  "2024-03-01 11:00:00,000 fail2ban.actions[1224]: NOTICE [sshd] Ban 203.0.113.77",
  "2024-03-01 11:00:01,000 fail2ban.filtersystemd.journal[1224]: INFO    [sshd] Found 203.0.113.78 - 2024-03-01 11:00:00",
  "2013-01-28 07:01:57,512 fail2ban.actions: WARNING [ssh] Ban 192.0.2.1",
  "2013-01-28 07:01:59,000 fail2ban.actions: WARNING [ssh] 192.0.2.1 already banned",
  "2013-01-28 07:12:00,000 fail2ban.filter : INFO   [ssh] Ignore 192.0.2.31",
  "2013-01-28 07:01:51,000 fail2ban.filter : DEBUG  Found 192.0.2.1",
  "2013-01-28 07:01:51,000 fail2ban.filter :    INFO [ssh] Found 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions [812] : NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions [812]: NOTICE      [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions [812]: NOTICE\t[sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions [812]:NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions [812]: NOTICE[sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions [1234567890]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions [0]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban [1]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.x\ty [1]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.x [1]: NOT\u0001ICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2banX [1]: NOTICE [sshd] Ban 192.0.2.1",
  `2024-03-01 10:00:00,000 fail2ban.${"x".repeat(200)} [1]: NOTICE [sshd] Ban 192.0.2.1`,
  "2024-03-01T10:00:00,000 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00.123456 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,12 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,1234 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000Z fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000+01:00 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:60,000 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:61,000 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-02-31 23:59:59,999 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "0099-12-31 23:59:59,999 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "0000-01-01 00:00:00,000 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "9999-12-31 23:59:59,999 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-13-45 25:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 host sshd[812]: Failed password for root from 192.0.2.1 port 22 ssh2",
  "2024-03-01 10:00:00,000 fail2ban.actions        [8x2]: NOTICE  [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        NOTICE  [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]:",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: ",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  ",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  []",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd]",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd] ",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd]Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  sshd Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [my jail] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [a]b] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [a] b] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [[sshd]] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [s\tshd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [s\u0001hd] Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd]  Ban 192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd] Ban  192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd] Ban\t192.0.2.1",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.1\u0001",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.1\u007f",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.1\r",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.1\r\r",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.1 \r",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd] 192.0.2.1 already banned\r",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd] Found 192.0.2.1\r",
  "2024-03-01 10:00:00,000 fail2ban.actions        [812]: NOTICE  [sshd] Ignore 192.0.2.1 by ip\r",
  `${A}[sshd] Ban ${"9".repeat(10_000)}`,
  `${A}[sshd] Ban ${"1.".repeat(40)}1`,
  `${A}[${"x".repeat(10_000)}`,
  `${A}[${"x".repeat(3000)}] Ban 192.0.2.200`,
  // the lines of a multi-line record
  "Traceback (most recent call last):",
  '  File "/usr/lib/python3/dist-packages/fail2ban/server/actions.py", line 674, in __unBan',
  "RuntimeError: Error unbanning 192.0.2.1",
  "[sshd] Ban 192.0.2.1",
  "Ban 192.0.2.1",
  "\tBan 198.51.100.99",
  "    2024-03-01 10:00:01,512 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.1",
  "Mar  1 10:00:00 host sshd[4242]: Failed password for root from 192.0.2.1 port 53412 ssh2",
  "1970",
  "2024-",
  "2024",
  "202-03-01 10:00:00,000 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "",
  " ",
  "\r",
  "9999-99-99",
];

/** Lines meant to trip the scanner: damaged bytes, odd stamps, cache look-alikes. */
const ADVERSARIAL: (string | Uint8Array)[] = [
  "2024-03-01 10:00:01,512 fail2ban.actions [812]: NOTICE [jürgen] Ban 192.0.2.2",
  // (not first: readChunks drops a byte-order mark at the start of a file)
  "\uFEFF2024-03-01 10:00:01,512 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.1",
  "2024-03-01 10:00:01,512 fail2ban.actions [812]: NOTICE [管理] Ban 192.0.2.3",
  "2024-03-01 10:00:01,512 fail2bän.actions [812]: NOTICE [sshd] Ban 192.0.2.4",
  "2024-03-01 10:00:01,512 fail2ban.actions [812]: NOTICÉ [sshd] Ban 192.0.2.5",
  "2024-03-01 10:00:01,512 fail2ban.actions [812]: NOTICE [sshd] Ignore 192.0.2.6 by ïp",
  "2024-03-01 10:00:01,512 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.7 ✓",
  "Traceback with ümlaut",
  new Uint8Array([...encoder.encode(`${A}[sshd] Ban 192.0.2.8`), 0]),
  new Uint8Array([0, ...encoder.encode(`${A}[sshd] Ban 192.0.2.9`)]),
  new Uint8Array([...encoder.encode("2024"), 0, ...encoder.encode(`-03-01 10:00:01,512 x`)]),
  new Uint8Array([...encoder.encode(`${A}[ss`), 0, ...encoder.encode("hd] Ban 192.0.2.10")]),
  new Uint8Array([...encoder.encode(`${A}[sshd] Ban 192.0.2.11`), 0xff]),
  new Uint8Array([...encoder.encode(`${A}[sshd] Ban 192.0.`), 0xc3, 0x28]),
  new Uint8Array([...encoder.encode(S.slice(0, 16)), 0xff, ...encoder.encode(":00,000 x")]),
  new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  // 16 bytes equal to the scanner's initial minute words
  new Uint8Array([
    ...new Array(16).fill(0xff),
    ...encoder.encode(":00,000 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.12"),
  ]),
  new Uint8Array([
    ...new Array(16).fill(0),
    ...encoder.encode(":00,000 fail2ban.actions [812]: NOTICE [sshd] Ban 192.0.2.13"),
  ]),
  new Uint8Array([0xff, 0xfe, 0x00, 0x01, 0x9c]),
  // the same minute with other seconds, and a header cached, then a line that ends inside it
  `${A}[sshd] Ban 192.0.2.14`,
  `${S}fail2ban.actions        [812]: NOTICE`,
  `${S}fail2ban.actions        [812]: NOT`,
  `${S}fail2ban.actions        [812`,
  `${S}fail2ban.actions        [812]: NOTICE  `,
  `${S}fail2ban.actions        [812]: NOTICE  ` + "\r",
  `${S}fail2ban.actions        [812]: NOTICE   [sshd] Ban 192.0.2.15`,
  `${S}fail2ban.actions        [812]: NOTICE    x`,
  `${S.slice(0, 16)}`,
  `${S.slice(0, 17)}`,
  `${S.slice(0, 23)}`,
  `${S.slice(0, 16)}:6`,
  `${S.slice(0, 16)}:99,000 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.16`,
  `${S.slice(0, 16)}:00,0x0 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.17`,
  `${S.slice(0, 16)}:00;000 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.18`,
  `${A}[sshd] Ban 192.0.2.19`,
];
harness.testSharedCases({
  textMatchers: TEXT_MATCHERS,
  templates: TEMPLATES,
  templatesName: "record templates",
  adversarial: ADVERSARIAL,
  damagePieces: [
    " - ",
    " by ",
    " (",
    " # ",
    " -> ",
    " already banned",
    "Ban ",
    "fail2ban",
    "2024-03-01 ",
  ],
  aroundLongLines: [
    TEMPLATES[0],
    `${A}[sshd] Ban ${"x".repeat(5000)}`,
    TEMPLATES[20],
    "y".repeat(3000),
    TEMPLATES[26],
  ],
  maxTemplateLength: 300,
});

Deno.test("Fail2banScanner agrees with createFail2banParser() on the fail2ban.log fixture", async () => {
  const bytes = await Deno.readFile(join(FIXTURES, "fail2ban.log"));
  const counts = { fast: 0, slow: 0 };
  const expected = harness.checkBytes(bytes, counts);
  assertOk(expected.outcomes.filter((o) => "emit" in o).length >= 25, "the fixture has events");
  assertOk(expected.outcomes.some((o) => "bad" in o), "the fixture has bad lines");
  assertOk(counts.fast > counts.slow, `most events on the fast path (${JSON.stringify(counts)})`);
  await harness.checkFromFile(bytes, expected, [97, 333, 4096]);
});

Deno.test("Fail2banScanner agrees with createFail2banParser() on CRLF lines", async () => {
  const counts = { fast: 0, slow: 0 };
  await harness.checkLines(TEMPLATES, { chunkBytes: 777, eol: "\r\n", counts });
  assertOk(counts.fast > counts.slow, `CRLF lines take the fast path (${JSON.stringify(counts)})`);
  // a file that ends without a line break, in CRLF and LF
  harness.checkBytes(encoder.encode(`${TEMPLATES[0]}\r\n${TEMPLATES[20]}\r`));
  harness.checkBytes(encoder.encode(`${TEMPLATES[0]}\n${TEMPLATES[20]}`));
});

Deno.test("Fail2banScanner agrees with createFail2banParser() on a generated fail2ban.log (200k lines)", async () => {
  const bytes = await harness.generatedLog(200_000);
  const counts = { fast: 0, slow: 0 };
  const expected = harness.checkBytes(bytes, counts);
  assertEquals(expected.lines, 200_000);
  assertOk(expected.outcomes.filter((o) => "emit" in o).length > 150_000);
  // the scanner reads (nearly) every record itself
  assertOk(counts.slow * 100 < counts.fast, `fast path: ${JSON.stringify(counts)}`);
  await harness.checkFromFile(bytes, expected, 1 << 16);
});
