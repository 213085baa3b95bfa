import { assertEquals, assertOk } from "./_assert.ts";
import { checkFixture, collect } from "./_fixture_harness.ts";
import { createSyslogParser, sniffSyslog } from "../lib/logs/syslog.ts";
import { isSshdProgram, parseSshdMessage, PATTERNS, sshdProgramAt } from "../lib/logs/sshd.ts";
import { type LineSink, type ParsedEvent, TimeKind } from "../lib/logs/types.ts";
import { KINDS } from "../lib/logs/kinds.ts";

const FIXTURES = new URL("./fixtures/sshd/", import.meta.url).pathname;

Deno.test("auth.log fixture (Debian) matches its expectations", async (t) => {
  await checkFixture(t, `${FIXTURES}auth.log`, createSyslogParser, {
    year: 2024,
    patterns: PATTERNS,
  });
});

Deno.test("secure fixture (CentOS, rsyslog high precision) matches its expectations", async (t) => {
  await checkFixture(t, `${FIXTURES}secure`, createSyslogParser, {
    year: 2024,
    patterns: PATTERNS,
  });
});

Deno.test("journal-short-iso.log fixture matches its expectations", async (t) => {
  await checkFixture(t, `${FIXTURES}journal-short-iso.log`, createSyslogParser, {
    year: 2024,
    patterns: PATTERNS,
  });
});

/** Parse one message with empty header fields; return what was emitted. */
function parseMessage(message: string): { events: ParsedEvent[]; skipped: number; bad: number } {
  const events: ParsedEvent[] = [];
  let skipped = 0;
  let bad = 0;
  const sink: LineSink = {
    emit: (e) => events.push({ ...e }),
    bad: () => bad++,
    skip: () => skipped++,
  };
  const event: ParsedEvent = { time: 0, timeKind: TimeKind.Absolute, kind: 0, ip: undefined };
  parseSshdMessage(message, event, sink);
  return { events, skipped, bad };
}

Deno.test("parseSshdMessage() keeps spaces inside usernames", () => {
  const cases: [string, string][] = [
    ["Failed password for invalid user ad min from 192.0.2.1 port 22 ssh2", "ad min"],
    ["Invalid user  a  b  from 192.0.2.1 port 22", " a  b "],
    ["Connection closed by invalid user x y z 192.0.2.1 port 22 [preauth]", "x y z"],
    ["Disconnected from authenticating user p q 192.0.2.1 port 22 [preauth]", "p q"],
    [
      "maximum authentication attempts exceeded for invalid user m n from 192.0.2.1 port 22 ssh2",
      "m n",
    ],
  ];
  for (const [message, user] of cases) {
    const { events } = parseMessage(message);
    assertEquals(events.length, 1, message);
    assertEquals(events[0].user, user, message);
    assertEquals(events[0].ip, "192.0.2.1", message);
  }
});

Deno.test("parseSshdMessage() accepts empty usernames", () => {
  for (
    const message of [
      "Invalid user  from 192.0.2.68 port 34916",
      "Failed password for invalid user  from 192.0.2.68 port 34916 ssh2",
      "Connection closed by invalid user  192.0.2.68 port 34916 [preauth]",
      "Disconnected from invalid user  192.0.2.68 port 34916 [preauth]",
    ]
  ) {
    const { events } = parseMessage(message);
    assertEquals(events.map((e) => [e.user, e.ip, e.port]), [["", "192.0.2.68", 34916]], message);
  }
});

Deno.test("parseSshdMessage() anchors the address at the end, not on injected text", () => {
  const { events } = parseMessage(
    "Failed password for invalid user a from 192.0.2.9 port 1 ssh2: RSA x from 198.51.100.1 port 22 ssh2",
  );
  assertEquals(events.map((e) => [e.ip, e.port]), [["198.51.100.1", 22]]);
});

Deno.test("parseSshdMessage() sets the kind, pattern and count of a repeated message", () => {
  const { events } = parseMessage(
    "message repeated 5 times: [ Connection closed by authenticating user root 2001:db8::1 port 22 [preauth]]",
  );
  assertEquals(events.length, 1);
  assertEquals(KINDS[events[0].kind].name, "closed_preauth");
  assertEquals(events[0].pattern, "closedByUser");
  assertEquals(events[0].count, 5);
  assertEquals(events[0].ip, "2001:db8::1");
});

Deno.test("parseSshdMessage() resets fields of a reused event", () => {
  const events: ParsedEvent[] = [];
  const sink: LineSink = { emit: (e) => events.push({ ...e }), bad: () => {} };
  const event: ParsedEvent = { time: 0, timeKind: TimeKind.Absolute, kind: 0, ip: undefined };
  parseSshdMessage(
    "message repeated 2 times: [ Failed none for invalid user a from 192.0.2.1 port 9 ssh2]",
    event,
    sink,
  );
  parseSshdMessage("Did not receive identification string from 192.0.2.2", event, sink);
  assertEquals(events[1].user, undefined);
  assertEquals(events[1].port, undefined);
  assertEquals(events[1].detail, undefined);
  assertEquals(events[1].count, undefined);
  assertEquals(events[1].pattern, "noIdentification");
});

Deno.test("parseSshdMessage() yields nothing, and no bad line, for messages that are not attempts", () => {
  for (
    const message of [
      "",
      "Server listening on 0.0.0.0 port 22.",
      "Received disconnect from 192.0.2.1 port 22:11: disconnected by user",
      "Disconnected from user alice 192.0.2.1 port 22",
      "Connection closed by 192.0.2.1 port 22",
      "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
      "Failed password for root from example.com port 22 ssh2",
      "Failed password for root",
      "Failed",
      "Invalid user x from",
      "message repeated 2 times: [ message repeated 3 times: [ Failed password for root from 192.0.2.1 port 22 ssh2]]",
      "error: error: fatal: PAM: ",
      "[ID 1",
    ]
  ) {
    const { events, skipped, bad } = parseMessage(message);
    assertEquals(events, [], message);
    assertEquals([skipped, bad], [1, 0], message);
  }
});

Deno.test("PATTERNS name only kinds of the sshd source", () => {
  const { events } = parseMessage("Failed password for root from 192.0.2.1 port 22 ssh2");
  assertEquals(KINDS[events[0].kind].source, "sshd");
  assertOk(Object.keys(PATTERNS).length >= 25);
});

Deno.test("sshdProgramAt() recognises sshd, sshd-session and sshd-auth only", () => {
  assertEquals(sshdProgramAt("sshd", 0, 4), "sshd");
  assertEquals(sshdProgramAt("x sshd-session[1]", 2, 14), "sshd-session");
  assertEquals(sshdProgramAt("sshd-auth", 0, 9), "sshd-auth");
  assertEquals(sshdProgramAt("/usr/sbin/sshd", 0, 14), "sshd");
  assertEquals(sshdProgramAt("notsshd", 0, 7), undefined);
  assertEquals(sshdProgramAt("sshd-keygen", 0, 11), undefined);
  assertEquals(sshdProgramAt("", 0, 0), undefined);
  assertOk(isSshdProgram("sshd-session"));
  assertOk(!isSshdProgram("ssh"));
});

Deno.test("createSyslogParser() reports a line without a header as bad", () => {
  const lines = [
    "garbage",
    "Jan 28",
    "2024-01-28",
    "2024-01-28T07:01:57+01:00",
    "Jan 28 07:01:57web1 sshd[1]: x",
    "<38>",
    "\u0000\u0001\u0002",
  ];
  const { events, bad } = collect(createSyslogParser(), lines);
  lines.forEach((line, i) => {
    assertEquals(events[i], [], line);
    assertEquals(bad[i].length, 1, line);
  });
});

Deno.test("createSyslogParser() skips journalctl markers, blank and continuation lines", () => {
  const lines = [
    "-- Logs begin at Sun 2024-01-28 07:00:00 UTC, end at Sun 2024-01-28 08:00:00 UTC. --",
    "-- Boot 3f0c5b6f1e8a4e5c9c2d3a4b5c6d7e8f --",
    "-- No entries --",
    "-- Journal begins at Sun 2024-01-28 07:00:00 UTC. --",
    "",
    "                                          continued text of a multi-line message",
  ];
  const { events, bad } = collect(createSyslogParser(), lines);
  assertEquals(events.flat(), []);
  assertEquals(bad.flat(), []);
});

Deno.test("createSyslogParser() leaves host undefined when the header has none", () => {
  const { events } = collect(createSyslogParser(), [
    "Nov 23 21:50:37 sshd[8148]: Invalid user x from 192.0.2.1",
  ]);
  assertEquals(events[0].length, 1);
  assertEquals(events[0][0].host, undefined);
  assertEquals(events[0][0].pid, 8148);
});

Deno.test("createSyslogParser() never throws on binary garbage", () => {
  const parser = createSyslogParser();
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const sink: LineSink = { emit: () => {}, bad: () => {} };
  const prefixes = ["", "Jan 28 07:01:57 web1 sshd[1]: ", "2024-01-28T07:01:57Z h sshd-session: "];
  const words = [
    "Failed ",
    "for ",
    "invalid user ",
    " from ",
    " port ",
    "ssh2",
    ": ",
    "[",
    "]",
    "::",
  ];
  for (let n = 0; n < 20_000; n++) {
    let line = prefixes[n % 3];
    const length = Math.floor(random() * 80);
    for (let i = 0; i < length; i++) {
      line += random() < 0.3
        ? words[Math.floor(random() * words.length)]
        : String.fromCharCode(Math.floor(random() * 0x3000));
    }
    parser.parseLine(line, sink);
  }
});

Deno.test("createSyslogParser() handles a 100 KB line without throwing", () => {
  const parser = createSyslogParser();
  const header = "Jan 28 07:01:57 web1 sshd[1]: ";
  const long = "a from 192.0.2.1 port 1 ssh2: ".repeat(3_500);
  const events: ParsedEvent[] = [];
  const sink: LineSink = { emit: (e) => events.push({ ...e }), bad: () => {} };
  parser.parseLine(
    `${header}Failed password for invalid user ${long} from 192.0.2.9 port 22 ssh2`,
    sink,
  );
  parser.parseLine(`${header}Invalid user ${long} from 192.0.2.8 port 1`, sink);
  parser.parseLine(`${header}${long}`, sink);
  parser.parseLine(`Jan 28 07:01:57 ${"x".repeat(100_000)}`, sink);
  assertEquals(events.map((e) => e.ip), ["192.0.2.9", "192.0.2.8"]);
});

Deno.test("sniffSyslog() recognises syslog and RFC 3339 headers", () => {
  assertOk(sniffSyslog("Jan 28 07:01:57 web1 sshd[1]: x"));
  assertOk(sniffSyslog("Feb  5 23:59:01 web1 sshd[1]: x"));
  assertOk(sniffSyslog("2024-01-28T07:01:57.123456+01:00 web1 sshd[1]: x"));
  assertOk(sniffSyslog("2024-01-28T07:01:57+0100 web1 sshd[1]: x"));
  assertOk(sniffSyslog("<38>Jan 28 07:01:57 web1 sshd[1]: x"));
  assertOk(!sniffSyslog("2024-01-28 07:01:57,512 fail2ban.filter [1]: INFO x"));
  assertOk(!sniffSyslog('{"MESSAGE": "x"}'));
  assertOk(!sniffSyslog('192.0.2.1 - - [28/Jan/2024:07:01:57 +0000] "GET / HTTP/1.1" 200 1'));
  assertOk(!sniffSyslog(""));
});
