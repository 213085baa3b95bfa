/**
 * Apache (2.2 and 2.4) and nginx error logs (`http-error`).
 *
 * Line layouts:
 *
 * - Apache 2.4: `[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 192.0.2.1:51234] AH00126: …`
 *   (also `[client [2001:db8::1]:51234]`, and `(13)Permission denied: ` or
 *   `mod_x.c(123): ` before the client)
 * - Apache 2.2: `[Wed Oct 11 14:32:52 2000] [error] [client 192.0.2.1] …`
 * - nginx: `2024/01/28 07:01:57 [error] 1234#1234: *5 …, client: 192.0.2.1, server: example.org, request: "GET / HTTP/1.1", host: "example.org"`
 *
 * Both stamps have a year but no zone: {@linkcode TimeKind.Wall}. Apache's
 * `ErrorLogFormat "[%{cu}t] …"` stamp (`[2024-01-28 07:01:57.123456]`) is
 * read too.
 *
 * Only lines that name a client and whose message is one of
 * {@linkcode PATTERNS} yield an event; other lines with a stamp (startup
 * notices, PHP warnings, …) yield nothing, and lines without a recognisable
 * stamp are bad. Events carry `ip`, `user` (when the message names one),
 * `path` (the path the message names, else nginx's request target),
 * `detail` (the message, without Apache's `AHnnnnn: ` code or trailing
 * `, referer: …`), and for nginx `host` (`server:`, else the `host:`
 * header).
 *
 * The message text holds request data chosen by the client (user names,
 * paths). The client field is taken from its fixed place (Apache: the first
 * `[client …]` right after the header; nginx: the first `, client: <IP>`),
 * so a path that contains `[client 203.0.113.9]` cannot pass for the client.
 * An nginx message that itself contains `, client: <IP>` (e.g. a crafted
 * user name) can still mislead it, as it would any reader of the log.
 *
 * @module
 */
import { kindIndex } from "./kinds.ts";
import { normalizeIp } from "./ip.ts";
import { digits, fractionMs, monthAt, parseIsoStamp, twoDigits } from "./time.ts";
import { type LineSink, type LogParser, type ParsedEvent, TimeKind } from "./types.ts";

/** Longest `path` and `detail` kept. */
export const MAX_FIELD_LENGTH = 2000;

/** One recognised message: the kind it yields and a sample of its text. */
export interface HttpErrorPattern {
  /** Name of the event kind (see `KINDS`). */
  readonly kind: string;
  /** What the message looks like (after the client and any `AHnnnnn: ` code). */
  readonly sample: string;
}

/** The messages this parser recognises, by the `pattern` name set on each event. */
export const PATTERNS = {
  apacheAuthFailure: {
    kind: "http_auth_failure",
    sample: 'AH01617: user X: authentication failure for "/x": Password Mismatch',
  },
  apacheUserNotFound: { kind: "http_auth_failure", sample: "AH01618: user X not found: /x" },
  apacheDigestUserNotFound: {
    kind: "http_auth_failure",
    sample: "AH01790: user `X' in realm `R' not found: /x (2.2: Digest: …)",
  },
  apacheDigestPasswordMismatch: {
    kind: "http_auth_failure",
    sample: "AH01792: user X: password mismatch: /x (2.2: Digest: …)",
  },
  apacheWrongScheme: {
    kind: "http_auth_failure",
    sample: "AH01614: client used wrong authentication scheme: /x",
  },
  apacheClientDenied: {
    kind: "http_client_denied",
    sample: "AH01630: client denied by server configuration: /path (also AH01797, 2.2)",
  },
  apacheAuthorizationFailure: {
    kind: "http_client_denied",
    sample: 'AH01631: user X: authorization failure for "/x": ',
  },
  apacheFileNotFound: { kind: "http_not_found", sample: "AH00128: File does not exist: /path" },
  apacheScriptNotFound: {
    kind: "http_not_found",
    sample: "AH01264: script not found or unable to stat: /path; " +
      "script '/var/www/x.php' not found or unable to stat",
  },
  apachePrimaryScriptUnknown: {
    kind: "http_not_found",
    sample: "AH01071: Got error 'Primary script unknown' (PHP-FPM via proxy_fcgi)",
  },
  apacheInvalidUri: { kind: "http_bad_request", sample: "AH00126: Invalid URI in request …" },
  apacheInvalidUriPath: {
    kind: "http_bad_request",
    sample: "AH10244: invalid URI path (/cgi-bin/.%2e/.%2e/bin/sh)",
  },
  apacheRequestFailed: {
    kind: "http_bad_request",
    sample: "AH00566: request failed: malformed request line (URI too long, " +
      "erroneous characters after protocol string, error reading the headers)",
  },
  apacheInvalidMethod: { kind: "http_bad_request", sample: "Invalid method in request …" },
  apacheRequestLine: {
    kind: "http_bad_request",
    sample: "AH02418: HTTP Request Line; Unrecognized protocol … (HttpProtocolOptions Strict)",
  },
  nginxUserNotFound: {
    kind: "http_auth_failure",
    sample: 'user "X" was not found in "/etc/nginx/.htpasswd"',
  },
  nginxPasswordMismatch: { kind: "http_auth_failure", sample: 'user "X": password mismatch' },
  nginxNoCredentials: {
    kind: "http_auth_failure",
    sample: "no user/password was provided for basic authentication",
  },
  nginxAccessForbidden: { kind: "http_client_denied", sample: "access forbidden by rule" },
  nginxOpenFailed: {
    kind: "http_not_found",
    sample: 'open() "/usr/share/nginx/html/x" failed (2: No such file or directory)',
  },
  nginxIndexNotFound: {
    kind: "http_not_found",
    sample: '"/x/index.html" is not found (2: No such file or directory)',
  },
  nginxLimitingRequests: {
    kind: "http_limit_req",
    sample: 'limiting requests, excess: 5.123 by zone "one"',
  },
  nginxLimitingConnections: {
    kind: "http_limit_req",
    sample: 'limiting connections by zone "addr"',
  },
  nginxClientSentInvalid: {
    kind: "http_bad_request",
    sample: "client sent invalid method / request / header line … while reading …",
  },
} as const satisfies Record<string, HttpErrorPattern>;

/** A key of {@linkcode PATTERNS}. */
export type HttpErrorPatternName = keyof typeof PATTERNS;

/** Kind index of each pattern, computed once (throws at load on an unknown kind name). */
const KIND_OF = Object.fromEntries(
  Object.entries(PATTERNS).map(([name, p]) => [name, kindIndex(p.kind)]),
) as Record<HttpErrorPatternName, number>;

/** What a message matcher found. */
interface MessageMatch {
  pattern: HttpErrorPatternName;
  user: string | undefined;
  path: string | undefined;
}

const match: MessageMatch = { pattern: "apacheAuthFailure", user: undefined, path: undefined };

/** Fill `match`; return true when the message is recognised. */
function found(
  pattern: HttpErrorPatternName,
  user: string | undefined,
  path: string | undefined,
): true {
  match.pattern = pattern;
  match.user = user === "" ? undefined : user;
  match.path = path === undefined || path === "" ? undefined : cap(path);
  return true;
}

/** Cut to {@linkcode MAX_FIELD_LENGTH}. */
function cap(text: string): string {
  return text.length > MAX_FIELD_LENGTH ? text.slice(0, MAX_FIELD_LENGTH) : text;
}

// ---------------------------------------------------------------------------
// Stamps

/**
 * Apache's `[Www Mmm dd HH:MM:SS[.ffffff] yyyy]` at 0 (day zero- or
 * space-padded): sets `out.time`, returns the index after `]`, or -1.
 */
function parseApacheStamp(s: string, out: ParsedEvent): number {
  if (s.charCodeAt(0) !== 91 /* [ */) return -1;
  const c1 = s.charCodeAt(1);
  if (c1 >= 48 && c1 <= 57) {
    // ErrorLogFormat "[%{cu}t]": [2024-01-28 07:01:57.123456]
    const iso = parseIsoStamp(s, 1);
    if (Number.isNaN(iso.ms) || s.charCodeAt(iso.end) !== 93) return -1;
    out.time = iso.ms;
    out.timeKind = iso.absolute ? TimeKind.Absolute : TimeKind.Wall;
    return iso.end + 1;
  }
  // weekday: three letters, not checked further
  if ((c1 < 65 || c1 > 90) || s.charCodeAt(4) !== 32 || s.charCodeAt(8) !== 32) return -1;
  const month = monthAt(s, 5);
  const day = s.charCodeAt(9) === 32 ? digits(s, 10, 1) : twoDigits(s, 9);
  const hour = twoDigits(s, 12), minute = twoDigits(s, 15), second = twoDigits(s, 18);
  if (
    month < 0 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
    second < 0 || second > 60 || s.charCodeAt(11) !== 32 || s.charCodeAt(14) !== 58 ||
    s.charCodeAt(17) !== 58
  ) return -1;
  let pos = 20;
  let ms = 0;
  if (s.charCodeAt(pos) === 46 /* . */) {
    ms = fractionMs(s, pos + 1);
    pos++;
    while (s.charCodeAt(pos) >= 48 && s.charCodeAt(pos) <= 57) pos++;
  }
  const year = digits(s, pos + 1, 4);
  if (s.charCodeAt(pos) !== 32 || year < 0 || s.charCodeAt(pos + 5) !== 93) return -1;
  out.time = Date.UTC(year, month, day, hour, minute, second, ms);
  out.timeKind = TimeKind.Wall;
  return pos + 6;
}

/**
 * nginx's `yyyy/mm/dd HH:MM:SS` at 0 followed by ` [`: sets `out.time`,
 * returns the index of the `[`, or -1.
 */
function parseNginxStamp(s: string, out: ParsedEvent): number {
  const year = digits(s, 0, 4), month = twoDigits(s, 5), day = twoDigits(s, 8);
  const hour = twoDigits(s, 11), minute = twoDigits(s, 14), second = twoDigits(s, 17);
  if (
    year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
    minute < 0 || minute > 59 || second < 0 || second > 60 || s.charCodeAt(4) !== 47 ||
    s.charCodeAt(7) !== 47 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 32 || s.charCodeAt(20) !== 91
  ) return -1;
  out.time = Date.UTC(year, month - 1, day, hour, minute, second);
  out.timeKind = TimeKind.Wall;
  return 20;
}

// ---------------------------------------------------------------------------
// Apache

/** Normalise Apache's client field: `IP`, `IP:port`, `[IPv6]:port`, `IPv6:port` (2.4). */
function apacheClientIp(text: string, hasPort: boolean): string | undefined {
  if (text.charCodeAt(0) === 91 /* [ */) {
    const close = text.indexOf("]");
    return close === -1 ? undefined : normalizeIp(text.slice(1, close));
  }
  const colon = text.lastIndexOf(":");
  if (colon !== -1 && (hasPort || text.indexOf(":") === colon)) {
    const port = digits(text, colon + 1, text.length - colon - 1);
    if (port >= 0 && text.length - colon - 1 <= 5) {
      const ip = normalizeIp(text.slice(0, colon));
      if (ip !== undefined) return ip;
    }
  }
  return normalizeIp(text);
}

/** Skip a leading `AHnnnnn: ` code. */
function withoutApacheCode(message: string): string {
  if (
    message.charCodeAt(0) === 65 && message.charCodeAt(1) === 72 && digits(message, 2, 5) >= 0 &&
    message.charCodeAt(7) === 58 && message.charCodeAt(8) === 32
  ) return message.slice(9);
  return message;
}

/** Text after `prefix` in `message` up to the end, or undefined when absent. */
function after(message: string, prefix: string): string | undefined {
  return message.startsWith(prefix) ? message.slice(prefix.length) : undefined;
}

const AUTHENTICATION_FAILURE = ': authentication failure for "';
const AUTHORIZATION_FAILURE = ': authorization failure for "';

/** Recognise an Apache message (without its `AHnnnnn: ` code); fills `match`. */
function matchApacheMessage(message: string): boolean {
  if (message.startsWith("Digest: ")) message = message.slice(8);
  const c = message.charCodeAt(0);
  if (c === 117 /* u */ && message.startsWith("user ")) {
    if (message.charCodeAt(5) === 96 /* ` */) {
      // user `X' in realm `R' not found: /x
      const userEnd = message.indexOf("' in realm `", 6);
      const notFound = message.lastIndexOf("' not found");
      if (userEnd !== -1 && notFound > userEnd) {
        return found(
          "apacheDigestUserNotFound",
          message.slice(6, userEnd),
          after(message.slice(notFound), "' not found: "),
        );
      }
      return false;
    }
    let i = message.indexOf(AUTHENTICATION_FAILURE, 5);
    if (i !== -1) {
      const pathStart = i + AUTHENTICATION_FAILURE.length;
      const pathEnd = message.indexOf('": ', pathStart);
      return found(
        "apacheAuthFailure",
        message.slice(5, i),
        message.slice(pathStart, pathEnd === -1 ? message.length : pathEnd),
      );
    }
    i = message.indexOf(": password mismatch", 5);
    if (i !== -1) {
      return found(
        "apacheDigestPasswordMismatch",
        message.slice(5, i),
        after(message.slice(i), ": password mismatch: "),
      );
    }
    i = message.indexOf(AUTHORIZATION_FAILURE, 5);
    if (i !== -1) {
      const pathStart = i + AUTHORIZATION_FAILURE.length;
      const pathEnd = message.indexOf('": ', pathStart);
      return found(
        "apacheAuthorizationFailure",
        message.slice(5, i),
        message.slice(pathStart, pathEnd === -1 ? message.length : pathEnd),
      );
    }
    i = message.indexOf(" not found: ", 4);
    if (i === -1 && message.endsWith(" not found")) i = message.length - 10;
    if (i >= 4) {
      // user X not found: /x (X may be empty: "user  not found: /")
      return found(
        "apacheUserNotFound",
        message.slice(5, i),
        after(message.slice(i), " not found: "),
      );
    }
    return false;
  }
  let rest: string | undefined;
  if ((rest = after(message, "client denied by server configuration: ")) !== undefined) {
    return found("apacheClientDenied", undefined, rest.startsWith("uri ") ? rest.slice(4) : rest);
  }
  if ((rest = after(message, "client used wrong authentication scheme: ")) !== undefined) {
    return found("apacheWrongScheme", undefined, rest);
  }
  if ((rest = after(message, "File does not exist: ")) !== undefined) {
    return found("apacheFileNotFound", undefined, rest);
  }
  if ((rest = after(message, "script not found or unable to stat: ")) !== undefined) {
    return found("apacheScriptNotFound", undefined, rest);
  }
  if (message.startsWith("script '")) {
    const end = message.lastIndexOf("' not found or unable to stat");
    return end > 8 && found("apacheScriptNotFound", undefined, message.slice(8, end));
  }
  if (message.startsWith("Got error 'Primary script unknown")) {
    return found("apachePrimaryScriptUnknown", undefined, undefined);
  }
  if ((rest = after(message, "Invalid URI in request ")) !== undefined) {
    return found("apacheInvalidUri", undefined, requestTarget(rest));
  }
  if ((rest = after(message, "invalid URI path (")) !== undefined) {
    const end = rest.lastIndexOf(")");
    return found("apacheInvalidUriPath", undefined, end === -1 ? rest : rest.slice(0, end));
  }
  if (message.startsWith("request failed: ")) {
    return found("apacheRequestFailed", undefined, undefined);
  }
  if ((rest = after(message, "Invalid method in request ")) !== undefined) {
    const note = rest.indexOf(" - possible attempt to establish SSL connection");
    return found("apacheInvalidMethod", undefined, note === -1 ? rest : rest.slice(0, note));
  }
  if (message.startsWith("HTTP Request Line; ")) {
    return found("apacheRequestLine", undefined, undefined);
  }
  return false;
}

/** The target of `METHOD target PROTOCOL`, else the whole text. */
function requestTarget(request: string): string {
  const first = request.indexOf(" ");
  const last = request.lastIndexOf(" ");
  return first > 0 && last > first + 1 && request.startsWith("HTTP/", last + 1)
    ? request.slice(first + 1, last)
    : request;
}

/**
 * Index of the `[client ` of an Apache line, searched from `pos` (just after
 * the level and pid fields), or -1. Only an `(errno)text: ` or
 * `file.c(line): ` prefix may come before it, never message text.
 */
function apacheClientField(line: string, pos: number): number {
  if (line.startsWith("[client ", pos)) return pos;
  const c = line.charCodeAt(pos);
  const isErrno = c === 40; /* ( */
  const isSourceFile = c >= 97 && c <= 122;
  if (!isErrno && !isSourceFile) return -1;
  const at = line.indexOf(": [client ", pos);
  if (at === -1 || at - pos > 200) return -1;
  const between = line.slice(pos, at);
  if (between.indexOf("[") !== -1) return -1;
  if (isSourceFile && !between.endsWith(")")) return -1;
  return at + 2;
}

/** Parse an Apache line whose stamp ends at `pos` into `event`; returns emit/skip/bad. */
function parseApacheLine(line: string, pos: number, event: ParsedEvent): string | boolean {
  // " [module:level]" or " [level]"
  if (line.charCodeAt(pos) !== 32 || line.charCodeAt(pos + 1) !== 91) {
    return "no [level] after the stamp";
  }
  const levelEnd = line.indexOf("]", pos + 2);
  if (levelEnd === -1) return "no [level] after the stamp";
  const isApache24 = line.lastIndexOf(":", levelEnd) > pos;
  pos = levelEnd + 1;
  if (line.startsWith(" [pid ", pos)) {
    const pidEnd = line.indexOf("]", pos);
    if (pidEnd === -1) return "unterminated [pid …]";
    pos = pidEnd + 1;
  }
  if (line.charCodeAt(pos) !== 32) return false;
  const clientAt = apacheClientField(line, pos + 1);
  if (clientAt === -1) return false;
  const clientStart = clientAt + 8;
  // [client [2001:db8::1]:51234]: the address may hold a ']' of its own
  const clientEnd = line.indexOf(
    "]",
    line.charCodeAt(clientStart) === 91 ? line.indexOf("]", clientStart) + 1 : clientStart,
  );
  if (clientEnd === -1) return false;
  const ip = apacheClientIp(line.slice(clientStart, clientEnd), isApache24);
  if (ip === undefined) return false;
  let message = line.slice(clientEnd + (line.charCodeAt(clientEnd + 1) === 32 ? 2 : 1));
  const referer = message.indexOf(", referer: ");
  if (referer !== -1) message = message.slice(0, referer);
  message = withoutApacheCode(message);
  if (!matchApacheMessage(message)) return false;
  event.ip = ip;
  event.host = undefined;
  event.detail = cap(message);
  return true;
}

// ---------------------------------------------------------------------------
// nginx

/** Recognise an nginx message; fills `match`. */
function matchNginxMessage(message: string): boolean {
  const c = message.charCodeAt(0);
  if (c === 117 /* u */ && message.startsWith('user "')) {
    let i = message.indexOf('" was not found in "', 6);
    if (i !== -1) return found("nginxUserNotFound", message.slice(6, i), undefined);
    i = message.lastIndexOf('": password mismatch');
    if (i >= 6) return found("nginxPasswordMismatch", message.slice(6, i), undefined);
    return false;
  }
  if (c === 111 /* o */ && message.startsWith('open() "')) {
    let i = message.lastIndexOf('" failed (2: No such file or directory)');
    if (i === -1) i = message.lastIndexOf('" failed (20: Not a directory)');
    return i > 8 && found("nginxOpenFailed", undefined, message.slice(8, i));
  }
  if (c === 34 /* " */) {
    const i = message.lastIndexOf('" is not found (2: No such file or directory)');
    return i > 1 && found("nginxIndexNotFound", undefined, message.slice(1, i));
  }
  if (message.startsWith("limiting requests, excess: ")) {
    return found("nginxLimitingRequests", undefined, undefined);
  }
  if (message.startsWith("limiting connections by zone ")) {
    return found("nginxLimitingConnections", undefined, undefined);
  }
  if (message.startsWith("access forbidden by rule")) {
    return found("nginxAccessForbidden", undefined, undefined);
  }
  if (message.startsWith("no user/password was provided for basic authentication")) {
    return found("nginxNoCredentials", undefined, undefined);
  }
  if (message.startsWith("client sent invalid ")) {
    return found("nginxClientSentInvalid", undefined, undefined);
  }
  return false;
}

/** Text of `name: "value"` after `from` in `line`, or undefined. */
function quotedField(line: string, name: string, from: number): string | undefined {
  const at = line.indexOf(name, from);
  if (at === -1) return undefined;
  const start = at + name.length;
  let end = line.indexOf('", ', start);
  if (end === -1) end = line.charCodeAt(line.length - 1) === 34 ? line.length - 1 : line.length;
  return line.slice(start, end);
}

/** Parse an nginx line whose `[level]` starts at `pos` into `event`. */
function parseNginxLine(line: string, pos: number, event: ParsedEvent): string | boolean {
  const levelEnd = line.indexOf("] ", pos);
  if (levelEnd === -1 || levelEnd - pos > 8) return "no [level] after the stamp";
  // pid#tid: *connection
  let start = levelEnd + 2;
  const hash = line.indexOf("#", start);
  if (hash !== -1 && hash - start <= 10 && digits(line, start, hash - start) >= 0) {
    const colon = line.indexOf(": ", hash);
    if (colon !== -1 && digits(line, hash + 1, colon - hash - 1) >= 0) start = colon + 2;
  }
  if (line.charCodeAt(start) === 42 /* * */) {
    const space = line.indexOf(" ", start);
    if (space !== -1 && digits(line, start + 1, space - start - 1) >= 0) start = space + 1;
  }
  // the first ", client: <IP>" ends the message
  let clientAt = line.indexOf(", client: ", start);
  let ip: string | undefined;
  let clientEnd = -1;
  while (clientAt !== -1) {
    clientEnd = line.indexOf(",", clientAt + 10);
    ip = normalizeIp(line.slice(clientAt + 10, clientEnd === -1 ? line.length : clientEnd));
    if (ip !== undefined) break;
    clientAt = line.indexOf(", client: ", clientAt + 10);
  }
  if (ip === undefined) return false;
  const message = line.slice(start, clientAt);
  if (!matchNginxMessage(message)) return false;
  let host: string | undefined;
  let requestPath: string | undefined;
  if (clientEnd !== -1) {
    if (line.startsWith(", server: ", clientEnd)) {
      const serverEnd = line.indexOf(",", clientEnd + 10);
      host = line.slice(clientEnd + 10, serverEnd === -1 ? line.length : serverEnd);
    }
    if (match.path === undefined) {
      const request = quotedField(line, ', request: "', clientEnd);
      if (request !== undefined && request !== "") requestPath = cap(requestTarget(request));
    }
    if (host === undefined || host === "") {
      host = quotedField(line, ', host: "', clientEnd);
      if (host === "") host = undefined;
    }
  }
  if (requestPath !== undefined) match.path = requestPath;
  event.ip = ip;
  event.host = host;
  event.detail = cap(message);
  return true;
}

// ---------------------------------------------------------------------------

/**
 * True when `line` starts with an Apache (`[Wed Oct 11 14:32:52 2000]`,
 * `[2024-01-28 07:01:57.123456]`) or nginx (`2024/01/28 07:01:57 [`) error
 * log stamp.
 *
 * @example
 * ```ts
 * import { sniffHttpError } from "./http_error.ts";
 * sniffHttpError("2024/01/28 07:01:57 [error] 1#1: *5 access forbidden by rule"); // true
 * sniffHttpError("Jan 28 07:01:57 host sshd[1]: Failed password"); // false
 * ```
 */
export function sniffHttpError(line: string): boolean {
  const scratch = { time: NaN, timeKind: TimeKind.Wall, kind: 0, ip: undefined } as ParsedEvent;
  return parseApacheStamp(line, scratch) !== -1 || parseNginxStamp(line, scratch) !== -1;
}

/**
 * A parser for Apache 2.2/2.4 and nginx error logs (format `http-error`); see
 * the module documentation.
 *
 * @example
 * ```ts
 * import { createHttpErrorParser } from "./http_error.ts";
 * const parser = createHttpErrorParser();
 * parser.parseLine(
 *   "[Wed Oct 11 14:32:52 2000] [error] [client 192.0.2.1] user bob not found: /private",
 *   { emit: (e) => console.log(e.ip, e.user), bad: (reason) => console.error(reason) },
 * ); // 192.0.2.1 bob
 * ```
 */
export function createHttpErrorParser(): LogParser {
  const event: ParsedEvent = {
    time: NaN,
    timeKind: TimeKind.Wall,
    kind: KIND_OF.apacheAuthFailure,
    ip: undefined,
    user: undefined,
    host: undefined,
    path: undefined,
    detail: undefined,
    pattern: undefined,
  };

  function parseLine(line: string, sink: LineSink): void {
    let result: string | boolean;
    let pos = parseApacheStamp(line, event);
    if (pos !== -1) result = parseApacheLine(line, pos, event);
    else {
      pos = parseNginxStamp(line, event);
      if (pos !== -1) result = parseNginxLine(line, pos, event);
      else if (line.length === 0) result = false;
      else result = "no Apache [Www Mmm dd HH:MM:SS yyyy] or nginx yyyy/mm/dd HH:MM:SS stamp";
    }
    if (typeof result === "string") return sink.bad(result);
    if (!result) {
      sink.skip?.();
      return;
    }
    event.kind = KIND_OF[match.pattern];
    event.user = match.user;
    event.path = match.path;
    event.pattern = match.pattern;
    sink.emit(event);
  }

  return { format: "http-error", parseLine };
}
