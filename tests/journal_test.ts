import { assertEquals, assertOk } from "./_assert.ts";
import { checkFixture, collect } from "./_fixture_harness.ts";
import { createJournalJsonParser, sniffJournalJson } from "../lib/logs/journal.ts";
import { PATTERNS } from "../lib/logs/sshd.ts";
import type { LineSink } from "../lib/logs/types.ts";

const FIXTURE = new URL("./fixtures/journal/sshd.json", import.meta.url).pathname;

Deno.test("journal sshd.json fixture matches its expectations", async (t) => {
  await checkFixture(t, FIXTURE, createJournalJsonParser, { year: 2024, patterns: PATTERNS });
});

Deno.test("createJournalJsonParser() reads __REALTIME_TIMESTAMP as absolute microseconds", () => {
  const line = JSON.stringify({
    __REALTIME_TIMESTAMP: "1706425317123999",
    _HOSTNAME: "web1",
    SYSLOG_IDENTIFIER: "sshd",
    _PID: "812",
    MESSAGE: "Failed password for root from 192.0.2.1 port 22 ssh2",
  });
  const { events, bad } = collect(createJournalJsonParser(), [line]);
  assertEquals(bad, [[]]);
  assertEquals(events[0].length, 1);
  assertEquals(events[0][0].time, "2024-01-28T07:01:57.123Z");
  assertEquals(events[0][0].host, "web1");
  assertEquals(events[0][0].pid, 812);
});

Deno.test("createJournalJsonParser() skips blank lines and reports non-JSON as bad", () => {
  const { events, bad } = collect(createJournalJsonParser(), [
    "",
    "   ",
    "{",
    "null",
    "42",
    '"MESSAGE"',
    "\u0000\u0001",
  ]);
  assertEquals(events.flat(), []);
  assertEquals(bad.map((b) => b.length), [0, 0, 1, 1, 1, 1, 1]);
});

Deno.test("createJournalJsonParser() ignores odd field types without throwing", () => {
  const parser = createJournalJsonParser();
  const sink: LineSink = { emit: () => {}, bad: () => {} };
  const odd = [
    { SYSLOG_IDENTIFIER: "sshd", MESSAGE: [300, -1, "x"] },
    { SYSLOG_IDENTIFIER: "sshd", MESSAGE: { text: "x" } },
    { SYSLOG_IDENTIFIER: 42, _COMM: ["sshd"], MESSAGE: [[73, 110]] },
    {
      SYSLOG_IDENTIFIER: "sshd",
      MESSAGE: "Invalid user a from 192.0.2.1",
      __REALTIME_TIMESTAMP: "",
    },
    { SYSLOG_IDENTIFIER: "sshd", MESSAGE: "Invalid user a from 192.0.2.1", _PID: "x" },
    { SYSLOG_IDENTIFIER: [], MESSAGE: [] },
  ];
  for (const entry of odd) parser.parseLine(JSON.stringify(entry), sink);
  const { events } = collect(parser, [JSON.stringify(odd[3])]);
  assertEquals(events[0][0].time, undefined);
  assertEquals(events[0][0].ip, "192.0.2.1");
});

Deno.test("sniffJournalJson() recognises journal entries only", () => {
  assertOk(sniffJournalJson('{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1","MESSAGE":"x"}'));
  assertOk(!sniffJournalJson('{"level":"info","msg":"x"}'));
  assertOk(!sniffJournalJson("Jan 28 07:01:57 web1 sshd[1]: x"));
  assertOk(!sniffJournalJson(""));
});
