/**
 * Apache and nginx access logs (`http-access`).
 *
 * One `http_request` event per request line, in any of these layouts:
 *
 * - **common**: `%h %l %u %t "%r" %>s %b`
 * - **combined**: common + ` "%{Referer}i" "%{User-agent}i"` (also nginx's
 *   default `combined`, and lines with more fields after the user agent)
 * - **vhost_combined** (`%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`)
 *   and the vhost common variant (`%v %h …`): the virtual host goes to `host`,
 *   the server port is dropped (`port` is reserved for the client's port). A
 *   vhost is recognised when four fields precede the stamp and the second is
 *   an address (ident never is), or when the first is `name:port`.
 *
 * Fields:
 *
 * - `ip`: the normalised client; when `%h` is a host name (HostnameLookups
 *   On) the line is skipped, since jailbook keys everything on addresses.
 * - `time`: `[10/Oct/2000:13:55:36 -0700]` carries a zone, so it is
 *   {@linkcode TimeKind.Absolute}.
 * - `method`, `path`: from a request line `METHOD target PROTOCOL`. Anything
 *   else (TLS handshakes sent to a plain HTTP port, `HELP`, `GET /` without a
 *   protocol) keeps `method` undefined and the raw request text as `path`.
 *   A request of `-` or `""` (no request line received) has neither. `path` is
 *   cut to {@linkcode MAX_PATH_LENGTH} characters.
 * - `status`, `bytes` (`-` means none: undefined), `user` (`%u` unless `-`),
 *   `referrer` and `agent` (`-` means none: undefined).
 * - `suspicious` and `detail`: see {@linkcode suspiciousReason}; `detail` is
 *   the name of the rule that fired.
 *
 * Escapes: Apache writes `"` and `\` inside quoted fields as `\"` and `\\`,
 * nginx as `\x22` and `\x5C`; both are decoded. Other `\xHH` escapes
 * (non-printable bytes) are kept as written, so binary garbage stays visible
 * and harmless.
 *
 * @module
 */
import { kindIndex } from "./kinds.ts";
import { normalizeIp } from "./ip.ts";
import { digits, isLeapYear, monthAt, twoDigits } from "./time.ts";
import { type LineSink, type LogParser, type ParsedEvent, TimeKind } from "./types.ts";

const HTTP_REQUEST = kindIndex("http_request");

/** Longest `path` kept; longer request targets are cut (scanners send megabytes). */
export const MAX_PATH_LENGTH = 2000;

/**
 * The line layouts this parser reads, by the `pattern` name set on each
 * event.
 */
export const PATTERNS = {
  /** `%h %l %u %t "%r" %>s %b` (NCSA common log format). */
  common: 'client ident user [time] "request" status bytes',
  /** Common + `"%{Referer}i" "%{User-agent}i"`; nginx's default `combined` too. */
  combined: 'client ident user [time] "request" status bytes "referrer" "agent"',
  /** `%v %h %l %u %t "%r" %>s %b`, with or without `:%p` after the vhost. */
  vhostCommon: 'vhost[:port] client ident user [time] "request" status bytes',
  /** Debian's `vhost_combined`: `%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`. */
  vhostCombined: 'vhost[:port] client ident user [time] "request" status bytes "referrer" "agent"',
} as const;

/** A key of {@linkcode PATTERNS}. */
export type HttpAccessPattern = keyof typeof PATTERNS;

// ---------------------------------------------------------------------------
// Suspicious requests

/** One rule of {@linkcode suspiciousReason}, described for reports. */
export interface SuspiciousRule {
  /** Stable name; set as `detail` on events the rule flags. */
  readonly name: string;
  /** Why a request matching the rule is taken as hostile, for people. */
  readonly description: string;
  /** Response statuses that trigger the rule. */
  readonly statuses?: readonly number[];
  /** Request methods that trigger the rule (exact, case-sensitive). */
  readonly methods?: readonly string[];
  /**
   * Lower-case substrings of the request target that trigger the rule,
   * compared without regard to ASCII case, anywhere in the target (query
   * string included).
   */
  readonly needles?: readonly string[];
}

/** Methods a normal web or WebDAV/CalDAV client sends; others are `unknownMethod`. */
export const KNOWN_METHODS: readonly string[] = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "OPTIONS",
  "PATCH",
  "PROPFIND",
  "PROPPATCH",
  "MKCOL",
  "COPY",
  "MOVE",
  "LOCK",
  "UNLOCK",
  "REPORT",
  "MKCALENDAR",
  "SEARCH",
  "ACL",
];

/**
 * The rules of {@linkcode suspiciousReason}, in the order they are tried.
 * The first that fires names the reason. A request no rule flags is not
 * suspicious: a 200 `GET /`, a 404 for `/favicon.ico` or `/robots.txt`, a 408
 * with no request line.
 */
export const SUSPICIOUS_RULES: readonly SuspiciousRule[] = [
  {
    name: "binaryRequest",
    description: "The request holds non-printable bytes (logged as \\xHH), such as a TLS or " +
      "RDP handshake sent to a plain HTTP port: a scanner, not a browser",
    needles: ["\\x"],
  },
  {
    name: "pathTraversal",
    description: "Directory traversal (../ plain or percent-encoded) to reach files outside " +
      "the document root",
    needles: [
      "../",
      "..\\",
      "..;/",
      "..%2f",
      "..%5c",
      "%2e%2e",
      ".%2e",
      "%2e.",
      "%252e%252e",
    ],
  },
  {
    name: "wordpressProbe",
    description: "WordPress login, XML-RPC and configuration probes, sent to every server " +
      "whether it runs WordPress or not (on a WordPress site, its own logins match too)",
    needles: ["/wp-login.php", "/xmlrpc.php", "/wlwmanifest.xml", "/wp-config"],
  },
  {
    name: "secretFileProbe",
    description: "Requests for secrets and repository metadata that should never be served: " +
      ".env, .git, .svn, .hg, .aws, .ssh, .htpasswd, .DS_Store, id_rsa, phpinfo",
    needles: [
      "/.env",
      "/.git",
      "/.svn",
      "/.hg/",
      "/.aws/",
      "/.ssh/",
      "/.htpasswd",
      "/.ds_store",
      "/id_rsa",
      "/phpinfo",
    ],
  },
  {
    name: "adminPanelProbe",
    description: "Database and application admin consoles probed for default credentials: " +
      "phpMyAdmin, Adminer, Tomcat manager, Spring actuator, JBoss JMX console",
    needles: [
      "/phpmyadmin",
      "/pma/",
      "/myadmin",
      "/mysqladmin",
      "/adminer",
      "/manager/html",
      "/actuator",
      "/jmx-console",
      "/solr/admin",
    ],
  },
  {
    name: "deviceExploitProbe",
    description: "CGI scripts and router/IoT endpoints with known remote-execution bugs " +
      "(/cgi-bin/, Boa /boaform/, HNAP, GPON, /goform/, setup.cgi)",
    needles: ["/cgi-bin/", "/boaform/", "/hnap1", "/gponform/", "/goform/", "/setup.cgi"],
  },
  {
    name: "phpExploitProbe",
    description: "PHP framework exploits: PHPUnit eval-stdin, ThinkPHP invokefunction, " +
      "PHP-CGI argument injection (allow_url_include, auto_prepend_file)",
    needles: [
      "/vendor/phpunit",
      "eval-stdin.php",
      "invokefunction",
      "allow_url_include",
      "auto_prepend_file",
    ],
  },
  {
    name: "commandInjection",
    description: "Web shells, shell commands, system files and Log4Shell JNDI lookups in the " +
      "request target",
    needles: [
      "/shell",
      "/bin/sh",
      "/bin/bash",
      "/etc/passwd",
      "/proc/self/",
      "${jndi:",
      "%24%7bjndi",
    ],
  },
  {
    name: "malformedRequest",
    description: "The request line is not `METHOD target PROTOCOL` (e.g. `HELP`, a bare " +
      "`GET /`, garbage): hand-made or scanner traffic",
  },
  {
    name: "probeMethod",
    description: "CONNECT (open proxy probe) and TRACE/TRACK (cross-site tracing probe)",
    methods: ["CONNECT", "TRACE", "TRACK"],
  },
  {
    name: "unknownMethod",
    description: `A method outside HTTP and WebDAV/CalDAV (${KNOWN_METHODS.join(", ")}), ` +
      "such as lower-case `get` or the HTTP/2 preface `PRI`",
  },
  {
    name: "proxyTarget",
    description: "The target is not a path (e.g. `GET http://example.com/`, `GET host:80`): " +
      "someone testing whether the server is an open proxy. `*` is a path only for OPTIONS",
  },
  {
    name: "refusedStatus",
    description: "The server refused the request: 400 bad request, 401 unauthorised, " +
      "403 forbidden, 405 method not allowed, 414 URI too long, 429 too many requests, " +
      "nginx 444 (connection dropped), 494 header too large, 495/496 client certificate " +
      "error or missing, 497 plain HTTP to an HTTPS port. Not 404 (missing favicons and stale " +
      "links are normal) and not 408: browsers open spare connections and let them time " +
      "out without a request. A legitimate browser's first basic-auth attempt also " +
      "gets a 401",
    statuses: [400, 401, 403, 405, 414, 429, 444, 494, 495, 496, 497],
  },
];

const RULE_BY_NAME = new Map(SUSPICIOUS_RULES.map((rule) => [rule.name, rule]));
const ruleNamed = (name: string): SuspiciousRule => {
  const rule = RULE_BY_NAME.get(name);
  if (rule === undefined) throw new TypeError(`Unknown suspicious-request rule "${name}"`);
  return rule;
};
const MALFORMED = ruleNamed("malformedRequest").name;
const UNKNOWN_METHOD = ruleNamed("unknownMethod").name;
const PROXY_TARGET = ruleNamed("proxyTarget").name;
const PROBE_METHODS = new Set(ruleNamed("probeMethod").methods);
const PROBE_METHOD = ruleNamed("probeMethod").name;
const REFUSED_STATUSES = new Set(ruleNamed("refusedStatus").statuses);
const REFUSED_STATUS = ruleNamed("refusedStatus").name;
const KNOWN_METHOD_SET = new Set(KNOWN_METHODS);

/**
 * Needles bucketed by their first two characters (both ASCII, lower case):
 * `NEEDLE_BUCKETS[first * 128 + second]` lists indices into `NEEDLES` and
 * `NEEDLE_RULES`. Two characters keep the candidates at a position to one or
 * two, so a clean path costs one table lookup per character.
 */
const NEEDLES: string[] = [];
const NEEDLE_RULES: string[] = [];
const NEEDLE_BUCKETS: (number[] | undefined)[] = new Array(128 * 128).fill(undefined);
for (const rule of SUSPICIOUS_RULES) {
  for (const needle of rule.needles ?? []) {
    const first = needle.charCodeAt(0), second = needle.charCodeAt(1);
    if (needle !== needle.toLowerCase() || !(first < 128 && second < 128)) {
      throw new TypeError(
        `Suspicious-request needle "${needle}" must be lower-case ASCII, 2+ characters`,
      );
    }
    (NEEDLE_BUCKETS[first * 128 + second] ??= []).push(NEEDLES.length);
    NEEDLES.push(needle);
    NEEDLE_RULES.push(rule.name);
  }
}

/** ASCII lower case of a char code (others unchanged). */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c | 32 : c;
}

/** `needle` (lower case) occurs at `pos` in `text`, ignoring ASCII case, from its 3rd char. */
function matchesAt(text: string, pos: number, needle: string): boolean {
  if (pos + needle.length > text.length) return false;
  for (let j = 2; j < needle.length; j++) {
    if (lower(text.charCodeAt(pos + j)) !== needle.charCodeAt(j)) return false;
  }
  return true;
}

/** Name of the first needle rule matching in `path`, by position, or undefined. */
function needleRule(path: string): string | undefined {
  let next = lower(path.charCodeAt(0));
  for (let i = 0; i < path.length - 1; i++) {
    const c = next;
    next = lower(path.charCodeAt(i + 1));
    if (c >= 128 || next >= 128) continue;
    const bucket = NEEDLE_BUCKETS[c * 128 + next];
    if (bucket === undefined) continue;
    for (let k = 0; k < bucket.length; k++) {
      if (matchesAt(path, i, NEEDLES[bucket[k]])) return NEEDLE_RULES[bucket[k]];
    }
  }
  return undefined;
}

/**
 * Name of the {@linkcode SUSPICIOUS_RULES} rule that makes a request look
 * hostile, or undefined when none does. `method` is undefined when the
 * request line was not `METHOD target PROTOCOL` (then `path` is the raw
 * request text), and both are undefined when there was no request line.
 *
 * @example
 * ```ts
 * import { suspiciousReason } from "./http_access.ts";
 * suspiciousReason("GET", "/wp-login.php", 404); // "wordpressProbe"
 * suspiciousReason("GET", "/favicon.ico", 404); // undefined
 * ```
 */
export function suspiciousReason(
  method: string | undefined,
  path: string | undefined,
  status: number | undefined,
): string | undefined {
  if (path !== undefined) {
    const byNeedle = needleRule(path);
    if (byNeedle !== undefined) return byNeedle;
    if (method === undefined) return MALFORMED;
  }
  if (method !== undefined) {
    const common = method === "GET" || method === "POST" || method === "HEAD";
    if (!common && PROBE_METHODS.has(method)) return PROBE_METHOD;
    if (!common && !KNOWN_METHOD_SET.has(method)) return UNKNOWN_METHOD;
    if (
      path !== undefined && path.charCodeAt(0) !== 47 /* / */ &&
      !(path === "*" && (method === "OPTIONS" || method === "PRI"))
    ) {
      return PROXY_TARGET;
    }
  }
  if (status !== undefined && REFUSED_STATUSES.has(status)) return REFUSED_STATUS;
  return undefined;
}

/**
 * True when a request looks hostile by {@linkcode SUSPICIOUS_RULES}; see
 * {@linkcode suspiciousReason} for which rule fired.
 *
 * @example
 * ```ts
 * import { isSuspiciousRequest } from "./http_access.ts";
 * isSuspiciousRequest("GET", "/", 200); // false
 * isSuspiciousRequest("GET", "/.env", 404); // true
 * isSuspiciousRequest("CONNECT", "example.org:443", 400); // true
 * ```
 */
export function isSuspiciousRequest(
  method: string | undefined,
  path: string | undefined,
  status: number | undefined,
): boolean {
  return suspiciousReason(method, path, status) !== undefined;
}

// ---------------------------------------------------------------------------
// Line parsing

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The last day seen by {@linkcode parseClfStamp} (`year * 512 + month * 32 + day`) and its start. */
let cachedDayKey = -1;
let cachedDayStart = 0;

/**
 * Parse `dd/Mmm/yyyy:HH:MM:SS ±hhmm]` at `pos`: UTC milliseconds, or NaN.
 * `Date.UTC` runs once per calendar day seen, not per line.
 */
function parseClfStamp(s: string, pos: number): number {
  const day = twoDigits(s, pos);
  const month = monthAt(s, pos + 3);
  const year = digits(s, pos + 7, 4);
  const hour = twoDigits(s, pos + 12);
  const minute = twoDigits(s, pos + 15);
  const second = twoDigits(s, pos + 18);
  const sign = s.charCodeAt(pos + 21);
  const offsetHours = twoDigits(s, pos + 22);
  const offsetMinutes = twoDigits(s, pos + 24);
  if (
    month < 0 || day < 1 || day > DAYS_IN_MONTH[month] || year < 0 || hour < 0 || hour > 23 ||
    minute < 0 || minute > 59 || second < 0 || second > 60 || offsetHours < 0 ||
    offsetMinutes < 0 || (sign !== 43 && sign !== 45) ||
    s.charCodeAt(pos + 2) !== 47 || s.charCodeAt(pos + 6) !== 47 ||
    s.charCodeAt(pos + 11) !== 58 || s.charCodeAt(pos + 14) !== 58 ||
    s.charCodeAt(pos + 17) !== 58 || s.charCodeAt(pos + 20) !== 32 ||
    s.charCodeAt(pos + 26) !== 93 || (month === 1 && day === 29 && !isLeapYear(year))
  ) return NaN;
  const dayKey = year * 512 + month * 32 + day;
  if (dayKey !== cachedDayKey) {
    cachedDayStart = Date.UTC(year, month, day);
    cachedDayKey = dayKey;
  }
  const offset = (offsetHours * 60 + offsetMinutes) * 60_000;
  const wall = cachedDayStart + ((hour * 60 + minute) * 60 + second) * 1000;
  return sign === 43 ? wall - offset : wall + offset;
}

/** Length of `[dd/Mmm/yyyy:HH:MM:SS ±hhmm]` without the brackets. */
const STAMP_LENGTH = 26;

/** Time of the stamp the last successful {@linkcode findStamp} found. */
let foundStampTime = NaN;

/**
 * Index of the `[` of the first valid access-log stamp after a space, or -1;
 * its time is left in `foundStampTime`.
 */
function findStamp(line: string): number {
  let open = line.indexOf(" [");
  for (let tries = 0; open !== -1 && tries < 4; tries++) {
    foundStampTime = parseClfStamp(line, open + 2);
    if (!Number.isNaN(foundStampTime)) return open + 1;
    open = line.indexOf(" [", open + 2);
  }
  return -1;
}

/** True when the `"` at `pos` is escaped by an odd number of backslashes. */
function isEscaped(s: string, pos: number): boolean {
  let n = 0;
  while (pos - n - 1 >= 0 && s.charCodeAt(pos - n - 1) === 92) n++;
  return (n & 1) === 1;
}

/** Index of the first unescaped `"` at or after `from`, or -1. */
function closingQuote(s: string, from: number): number {
  let q = s.indexOf('"', from);
  while (q !== -1 && isEscaped(s, q)) q = s.indexOf('"', q + 1);
  return q;
}

/** Three digits at `pos` followed by a space or the end: the status; else -1. */
function statusAt(s: string, pos: number): number {
  const status = digits(s, pos, 3);
  if (status < 100) return -1;
  const after = s.charCodeAt(pos + 3);
  return after === 32 || Number.isNaN(after) ? status : -1;
}

/**
 * Decode Apache (`\"`, `\\`) and nginx (`\x22`, `\x5C`) escapes of `"` and
 * `\`; other escapes are kept as written.
 */
export function unescapeLogField(text: string): string {
  if (text.indexOf("\\") === -1) return text;
  let out = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 92) continue;
    const next = text.charCodeAt(i + 1);
    let decoded: string | undefined;
    let width = 0;
    if (next === 34 || next === 92) {
      decoded = next === 34 ? '"' : "\\";
      width = 2;
    } else if (next === 120 /* x */) {
      const hex = text.slice(i + 2, i + 4).toLowerCase();
      if (hex === "22") decoded = '"';
      else if (hex === "5c") decoded = "\\";
      width = 4;
    }
    if (decoded === undefined) continue;
    out += text.slice(start, i) + decoded;
    start = i + width;
    i += width - 1;
  }
  return out + text.slice(start);
}

/** An HTTP method token: letters, digits, `-`, `_`; 1–32 characters. */
function isMethodToken(s: string, end: number): boolean {
  if (end < 1 || end > 32) return false;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) ||
      c === 45 || c === 95;
    if (!ok) return false;
  }
  return true;
}

/** The method ending at `end` in `request`, shared for the common ones (fewer strings kept). */
function internMethod(request: string, end: number): string {
  switch (end) {
    case 3:
      if (request.startsWith("GET")) return "GET";
      if (request.startsWith("PUT")) return "PUT";
      break;
    case 4:
      if (request.startsWith("POST")) return "POST";
      if (request.startsWith("HEAD")) return "HEAD";
      break;
    case 7:
      if (request.startsWith("OPTIONS")) return "OPTIONS";
      if (request.startsWith("CONNECT")) return "CONNECT";
      break;
  }
  return request.slice(0, end);
}

/** Text of a quoted field, or undefined for `-`. */
function fieldOrNone(text: string): string | undefined {
  return text === "-" ? undefined : unescapeLogField(text);
}

/** Cut to {@linkcode MAX_PATH_LENGTH}. */
function capPath(path: string): string {
  return path.length > MAX_PATH_LENGTH ? path.slice(0, MAX_PATH_LENGTH) : path;
}

/** Distinct IPv6 client texts remembered per parser before the cache starts over. */
const IPV6_CACHE_SIZE = 4096;

/**
 * True when `line` looks like an Apache/nginx access log line: a
 * `[dd/Mmm/yyyy:HH:MM:SS ±hhmm]` stamp followed by a quoted request.
 *
 * @example
 * ```ts
 * import { sniffHttpAccess } from "./http_access.ts";
 * sniffHttpAccess('192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326'); // true
 * sniffHttpAccess("Jan 28 07:01:57 host sshd[1]: Failed password"); // false
 * ```
 */
export function sniffHttpAccess(line: string): boolean {
  const open = findStamp(line);
  return open !== -1 && line.charCodeAt(open + STAMP_LENGTH + 2) === 32 &&
    line.charCodeAt(open + STAMP_LENGTH + 3) === 34;
}

/**
 * A parser for Apache and nginx access logs (format `http-access`); see the
 * module documentation for the layouts and fields.
 *
 * @example
 * ```ts
 * import { createHttpAccessParser } from "./http_access.ts";
 * const parser = createHttpAccessParser();
 * parser.parseLine('192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /.env HTTP/1.1" 404 153', {
 *   emit: (e) => console.log(e.ip, e.path, e.suspicious), // 192.0.2.1 /.env true
 *   bad: (reason) => console.error(reason),
 * });
 * ```
 */
export function createHttpAccessParser(): LogParser {
  const event: ParsedEvent = {
    time: NaN,
    timeKind: TimeKind.Absolute,
    kind: HTTP_REQUEST,
    ip: undefined,
    user: undefined,
    host: undefined,
    suspicious: undefined,
    method: undefined,
    path: undefined,
    status: undefined,
    bytes: undefined,
    referrer: undefined,
    agent: undefined,
    detail: undefined,
    pattern: undefined,
  };

  // normalizeIp on IPv6 text costs far more than a Map lookup, and access
  // logs repeat their clients; IPv4 is cheap enough to redo
  const ipv6Cache = new Map<string, string | undefined>();
  function normalizeClient(text: string): string | undefined {
    if (text.indexOf(":") === -1) return normalizeIp(text);
    let ip = ipv6Cache.get(text);
    if (ip === undefined && !ipv6Cache.has(text)) {
      if (ipv6Cache.size >= IPV6_CACHE_SIZE) ipv6Cache.clear();
      ip = normalizeIp(text);
      ipv6Cache.set(text, ip);
    }
    return ip;
  }

  function parseLine(line: string, sink: LineSink): void {
    if (line.length === 0) {
      sink.skip?.();
      return;
    }
    const open = findStamp(line);
    if (open === -1) return sink.bad("no [dd/Mon/yyyy:HH:MM:SS ±hhmm] stamp");
    const time = foundStampTime;
    // [stamp] "request…
    const requestStart = open + STAMP_LENGTH + 4;
    if (line.charCodeAt(requestStart - 2) !== 32 || line.charCodeAt(requestStart - 1) !== 34) {
      return sink.bad('no quoted "request" after the stamp');
    }
    // End of the request: an unescaped quote followed by " <status>" (old
    // servers did not escape quotes inside the request).
    let requestEnd = closingQuote(line, requestStart);
    let status = -1;
    while (requestEnd !== -1) {
      if (line.charCodeAt(requestEnd + 1) === 32) status = statusAt(line, requestEnd + 2);
      if (status !== -1) break;
      requestEnd = closingQuote(line, requestEnd + 1);
    }
    if (requestEnd === -1) return sink.bad("no status after the request");

    // bytes
    let pos = requestEnd + 5;
    let bytes: number | undefined;
    if (line.charCodeAt(pos) === 32) {
      pos++;
      if (line.charCodeAt(pos) === 45 /* - */) pos++;
      else {
        let value = 0;
        const start = pos;
        for (let c = line.charCodeAt(pos); c >= 48 && c <= 57; c = line.charCodeAt(++pos)) {
          value = value * 10 + (c - 48);
        }
        if (pos === start) return sink.bad("bytes are neither a number nor -");
        bytes = value;
      }
    }

    // "referrer" "agent"
    let referrer: string | undefined;
    let agent: string | undefined;
    let combined = false;
    if (line.charCodeAt(pos) === 32 && line.charCodeAt(pos + 1) === 34) {
      const referrerEnd = closingQuote(line, pos + 2);
      if (referrerEnd !== -1) {
        referrer = fieldOrNone(line.slice(pos + 2, referrerEnd));
        pos = referrerEnd + 1;
        if (line.charCodeAt(pos) === 32 && line.charCodeAt(pos + 1) === 34) {
          const agentEnd = closingQuote(line, pos + 2);
          if (agentEnd !== -1) {
            agent = fieldOrNone(line.slice(pos + 2, agentEnd));
            combined = true;
          }
        }
      }
    }

    // [vhost[:port]] client ident user
    const prefixEnd = open - 1;
    let fieldEnd = line.indexOf(" ");
    if (fieldEnd <= 0) return sink.bad("no client before the stamp");
    const first = line.slice(0, fieldEnd);
    let ip = normalizeClient(first);
    let host: string | undefined;
    // A vhost comes first when four fields precede the stamp (vhost client
    // ident user) and the second is an address (ident never is), or the
    // first is not an address but `name:port`.
    const nextEnd = line.indexOf(" ", fieldEnd + 1);
    if (nextEnd !== -1 && nextEnd < prefixEnd && line.indexOf(" ", nextEnd + 1) < prefixEnd) {
      const second = line.slice(fieldEnd + 1, nextEnd);
      const secondIp = normalizeClient(second);
      if (secondIp !== undefined || (ip === undefined && hasPort(first))) {
        host = hasPort(first) ? first.slice(0, first.lastIndexOf(":")) : first;
        fieldEnd = nextEnd;
        ip = secondIp;
      }
    }
    if (ip === undefined) {
      // HostnameLookups On, a unix socket, …: nothing to key the event on
      sink.skip?.();
      return;
    }
    const identEnd = line.indexOf(" ", fieldEnd + 1);
    if (identEnd === -1 || identEnd >= prefixEnd) {
      return sink.bad("expected client, ident and user before the stamp");
    }
    const userText = line.slice(identEnd + 1, prefixEnd);
    const user = userText === "-" || userText === "" ? undefined : unescapeLogField(userText);

    // request line
    let method: string | undefined;
    let path: string | undefined;
    const request = unescapeLogField(line.slice(requestStart, requestEnd));
    if (request !== "-" && request !== "") {
      const firstSpace = request.indexOf(" ");
      const lastSpace = request.lastIndexOf(" ");
      if (
        firstSpace > 0 && lastSpace > firstSpace + 1 && isMethodToken(request, firstSpace) &&
        request.startsWith("HTTP/", lastSpace + 1)
      ) {
        method = internMethod(request, firstSpace);
        path = capPath(request.slice(firstSpace + 1, lastSpace));
      } else {
        path = capPath(request);
      }
    }

    const reason = suspiciousReason(method, path, status);
    event.time = time;
    event.ip = ip;
    event.user = user;
    event.host = host;
    event.method = method;
    event.path = path;
    event.status = status;
    event.bytes = bytes;
    event.referrer = referrer;
    event.agent = agent;
    event.suspicious = reason !== undefined;
    event.detail = reason;
    event.pattern = host === undefined
      ? (combined ? "combined" : "common")
      : (combined ? "vhostCombined" : "vhostCommon");
    sink.emit(event);
  }

  return { format: "http-access", parseLine };
}

/** `name:digits` (a vhost with its server port), and not an IP address. */
function hasPort(field: string): boolean {
  const colon = field.lastIndexOf(":");
  if (colon < 1 || colon === field.length - 1 || field.length - colon > 6) return false;
  return digits(field, colon + 1, field.length - colon - 1) >= 0;
}
