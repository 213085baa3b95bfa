/**
 * OpenSSH server messages: the text after the syslog / journal header of a
 * line written by `sshd`, `sshd-session` (OpenSSH ≥ 9.8) or `sshd-auth`
 * (OpenSSH 10).
 *
 * Covers what fail2ban's `sshd` filter knows in its normal, ddos, extra and
 * aggressive modes, plus successful logins. Fields are found with
 * `startsWith` / `indexOf` at known places, never with a regular expression:
 * user names are attacker-controlled text (they may hold spaces, be empty or
 * even contain ` from 192.0.2.1 port 22 ssh2`), so addresses are anchored on
 * the end of the message where sshd writes them after the user name.
 *
 * Messages that are of sshd but not about an attempt (sessions, `Received
 * disconnect … 11: Bye Bye`, `Server listening`, `Connection from …`) yield
 * nothing. A message that needs an address the line does not hold (a host
 * name instead of an IP with `UseDNS yes`, old multi-line forms such as
 * `Disconnecting: Too many authentication failures`) also yields nothing.
 *
 * @module
 */
import { type LineSink, type ParsedEvent, TimeKind } from "./types.ts";
import { kindIndex } from "./kinds.ts";
import { normalizeIp } from "./ip.ts";

/**
 * The sshd message patterns this module recognises: name → the message
 * shape. The name is written to `ParsedEvent.pattern`.
 */
export const PATTERNS = {
  failedPassword: "Failed password for [invalid user ]USER from IP port N ssh2",
  failedPublickey: "Failed publickey for [invalid user ]USER from IP port N ssh2: KEY",
  failedKeyboardInteractive: "Failed keyboard-interactive[/pam] for [invalid user ]USER from IP …",
  failedOther: "Failed none|hostbased|gssapi-with-mic|unknown for [invalid user ]USER from IP …",
  invalidUser: "Invalid user USER from IP [port N] / Illegal user USER from IP",
  pamUserUnknown: "[PAM: ]User not known to the underlying authentication module for … from IP",
  pamAuthFailure: "pam_MODULE(sshd:auth): authentication failure; … rhost=IP [user=USER]",
  pamAuthenticationError: "[error: PAM: ]Authentication failure|error for USER from IP [via …]",
  closedByUser: "Connection closed|reset by invalid|authenticating user USER IP port N [preauth]",
  closedPreauth: "Connection closed|reset by IP port N [preauth]",
  timeoutBeforeAuth: "Timeout before authentication for IP port N",
  disconnectedUser: "Disconnected from invalid|authenticating user USER IP port N [preauth]",
  disconnectedPreauth: "Disconnected from IP port N [preauth]",
  changeOfUsername:
    "Disconnecting … user USER IP port N: Change of username or service not allowed",
  receivedDisconnectAuthFail: "Received disconnect from IP port N:3: …: Auth fail [preauth]",
  receivedDisconnectNoAuthMethods:
    "Received disconnect from IP port N:14: No [supported ]authentication methods available",
  maxAuthAttempts: "[error: ]maximum authentication attempts exceeded for USER from IP port N ssh2",
  tooManyAuthFailures:
    "Disconnecting invalid|authenticating user USER IP port N: Too many authentication failures",
  noIdentification: "Did not receive identification string from IP [port N]",
  bannerExchange: "banner exchange: Connection from IP port N: invalid format|…",
  unableToNegotiate: "Unable to negotiate with IP port N: no matching … found. Their offer: …",
  badProtocolVersion: "Bad protocol version identification '…' from IP [port N]",
  rootLoginRefused: "ROOT LOGIN REFUSED FROM IP",
  notAllowed: "User USER from IP not allowed because REASON (AllowUsers, DenyGroups, shell, …)",
  refusedConnect: "refused connect from NAME (IP) (tcp wrappers)",
  reverseMappingFailed: "reverse mapping checking getaddrinfo for HOST [IP] failed …",
  addressMapsTo: "Address IP maps to HOST, but this does not map back to the address …",
  nastyPtrRecord: 'Nasty PTR record "…" is set up for IP, ignoring',
  droppedConnection:
    "drop connection #N from [IP]:N [on [IP]:N] penalty: REASON|past MaxStartups (OpenSSH ≥ 9.8)",
  acceptedPassword: "Accepted password for USER from IP port N ssh2",
  acceptedPublickey: "Accepted publickey for USER from IP port N ssh2: KEY",
  acceptedOther: "Accepted keyboard-interactive/pam|gssapi-with-mic|hostbased for USER from IP …",
} as const satisfies Record<string, string>;

/** A key of {@linkcode PATTERNS}. */
export type SshdPattern = keyof typeof PATTERNS;

/** Kind indices of the sshd kinds (shared with the byte-level scanner). */
export const FAILED_PASSWORD = kindIndex("failed_password");
export const FAILED_PUBLICKEY = kindIndex("failed_publickey");
export const FAILED_KEYBOARD_INTERACTIVE = kindIndex("failed_keyboard_interactive");
export const FAILED_OTHER = kindIndex("failed_other");
export const INVALID_USER = kindIndex("invalid_user");
export const AUTH_FAILURE = kindIndex("auth_failure");
export const CLOSED_PREAUTH = kindIndex("closed_preauth");
export const DISCONNECTED_PREAUTH = kindIndex("disconnected_preauth");
export const MAX_AUTH_ATTEMPTS = kindIndex("max_auth_attempts");
export const NO_IDENTIFICATION = kindIndex("no_identification");
export const UNABLE_TO_NEGOTIATE = kindIndex("unable_to_negotiate");
export const BAD_PROTOCOL = kindIndex("bad_protocol");
export const ROOT_LOGIN_REFUSED = kindIndex("root_login_refused");
export const NOT_ALLOWED = kindIndex("not_allowed");
export const REVERSE_MAPPING = kindIndex("reverse_mapping");
export const DROPPED_CONNECTION = kindIndex("dropped_connection");
export const ACCEPTED_PASSWORD = kindIndex("accepted_password");
export const ACCEPTED_PUBLICKEY = kindIndex("accepted_publickey");
export const ACCEPTED_OTHER = kindIndex("accepted_other");

const INVALID_USER_DETAIL = "invalid user";

/**
 * The program name sshd writes under, as a constant string (no allocation),
 * when `text.slice(start, end)` is `sshd`, `sshd-session` or `sshd-auth`
 * (optionally after a directory, `/usr/sbin/sshd`); otherwise undefined.
 *
 * @example
 * ```ts
 * import { sshdProgramAt } from "./sshd.ts";
 * sshdProgramAt("sshd-session[12]", 0, 12); // "sshd-session"
 * sshdProgramAt("sudo[12]", 0, 4); // undefined
 * ```
 */
export function sshdProgramAt(
  text: string,
  start: number,
  end: number,
): "sshd" | "sshd-session" | "sshd-auth" | undefined {
  let name: "sshd" | "sshd-session" | "sshd-auth";
  const length = end - start;
  if (length >= 12 && text.startsWith("sshd-session", end - 12)) name = "sshd-session";
  else if (length >= 9 && text.startsWith("sshd-auth", end - 9)) name = "sshd-auth";
  else if (length >= 4 && text.startsWith("sshd", end - 4)) name = "sshd";
  else return undefined;
  const nameStart = end - name.length;
  if (nameStart === start || text.charCodeAt(nameStart - 1) === 47 /* / */) return name;
  return undefined;
}

/** True when `program` is a name sshd writes under (see {@linkcode sshdProgramAt}). */
export function isSshdProgram(program: string): boolean {
  return sshdProgramAt(program, 0, program.length) !== undefined;
}

/**
 * Parse one sshd message (the text after `sshd[123]: `) and emit at most one
 * event. `event` carries the header fields (time, host, program, pid); this
 * function sets `kind`, `ip`, `user`, `port`, `detail`, `count`, `pattern`
 * and `suspicious` (reset to the kind's default) before emitting. Messages
 * that are not about an attempt yield nothing (`sink.skip`); this function
 * never reports a bad line and never throws.
 *
 * @example
 * ```ts
 * import { parseSshdMessage } from "./sshd.ts";
 * import { TimeKind, type ParsedEvent } from "./types.ts";
 * const event: ParsedEvent = { time: 0, timeKind: TimeKind.Absolute, kind: 0, ip: undefined };
 * parseSshdMessage("Invalid user admin from 192.0.2.1 port 4711", event, {
 *   emit: (e) => console.log(e.ip, e.user, e.port), // 192.0.2.1 admin 4711
 *   bad: () => {},
 * });
 * ```
 */
export function parseSshdMessage(message: string, event: ParsedEvent, sink: LineSink): void {
  parseSshdRange(message, 0, message.length, event, sink);
}

/**
 * {@linkcode parseSshdMessage} on `text.slice(start, end)` without copying
 * it: the syslog parser passes the whole line and the offset of the message.
 * Returns true when an event was emitted.
 */
export function parseSshdRange(
  text: string,
  start: number,
  end: number,
  event: ParsedEvent,
  sink: LineSink,
): boolean {
  const emitted = dispatch(text, start, end, event, sink, undefined);
  out = NO_EVENT;
  outSink = NO_SINK;
  if (!emitted) sink.skip?.();
  return emitted;
}

// ---------------------------------------------------------------------------
// Scratch results of the address helpers (the module is not re-entrant and
// needs not be: JavaScript runs one parse at a time).

/** Start and end of the address token found by the last helper call. */
let addressStart = 0;
let addressEnd = 0;
/** The address is a dotted quad without leading zeros (normal as it is). */
let addressIsNormalIpv4 = false;
/** Port found by the last helper call, or undefined. */
let foundPort: number | undefined;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/** Characters of an IPv4 / IPv6 address (hex digits, `:`, `.`). */
function isAddressChar(c: number): boolean {
  return (c >= 48 && c <= 58) || c === 46 || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Index after the digits read by the last {@linkcode digitsAt}. */
let digitsEnd = 0;

/**
 * Value of the 1–9 digits at `pos` (before `end`), or -1; sets
 * `digitsEnd` to the index after them.
 */
function digitsAt(text: string, pos: number, end: number): number {
  let value = 0;
  let i = pos;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
  }
  digitsEnd = i;
  return i === pos || i - pos > 9 ? -1 : value;
}

const TAIL_NONE = 0;
/** The address tail runs to the end of the message. */
const TAIL_END = 1;
/** The address tail is followed by `: ` and more text (a key, a reason). */
const TAIL_EXTRA = 2;

/**
 * Match `IP[ port N][ sshN]` at `pos`, followed by the end of the message
 * or by `: `. Sets `addressStart`, `addressEnd`, `addressIsNormalIpv4`,
 * `foundPort`.
 */
function matchAddressTail(text: string, pos: number, end: number): number {
  // Scan the address, noting on the way whether it is a dotted quad without
  // leading zeros (already normal: no need for normalizeIp).
  let i = pos;
  let dots = 0;
  let digitCount = 0;
  let value = 0;
  let ipv4 = true;
  let leadingZero = false;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (ipv4) {
        if (leadingZero || ++digitCount > 3) ipv4 = false;
        else {
          if (digitCount === 1) leadingZero = c === 48;
          value = value * 10 + c - 48;
          if (value > 255) ipv4 = false;
        }
      }
    } else if (c === 46 /* . */) {
      if (digitCount === 0) ipv4 = false;
      dots++;
      digitCount = 0;
      value = 0;
      leadingZero = false;
    } else if (c === 58 /* : */ || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) ipv4 = false;
    else break;
  }
  if (i === pos) return TAIL_NONE;
  addressStart = pos;
  addressEnd = i;
  addressIsNormalIpv4 = ipv4 && dots === 3 && digitCount > 0;
  foundPort = undefined;
  if (i === end) return TAIL_END;
  if (text.startsWith(" port ", i)) {
    const port = digitsAt(text, i + 6, end);
    if (port < 0 || port > 65535) return TAIL_NONE;
    foundPort = port;
    i = digitsEnd;
    if (i === end) return TAIL_END;
  }
  if (text.startsWith(" ssh", i)) {
    i += 4;
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) i++;
    if (i === end) return TAIL_END;
  }
  if (text.charCodeAt(i) === 58 /* : */ && text.charCodeAt(i + 1) === 32) return TAIL_EXTRA;
  return TAIL_NONE;
}

/**
 * Find ` from IP[ port N][ sshN]` after the user name that starts at
 * `userStart`; returns the index of ` from ` or -1.
 *
 * When the message ends with the address (password, keyboard-interactive,
 * invalid user, …) the last ` from ` is the real one: sshd writes nothing
 * attacker-controlled after it. When a key or client description follows
 * (`ssh2: RSA SHA256:…`, which for certificates and host-based logins can
 * hold attacker text too) the first ` from ` followed by a well-formed
 * address and `: ` is taken.
 */
function findFromAddress(
  text: string,
  userStart: number,
  end: number,
  allowExtra: boolean,
): number {
  // Fast path, a user name without spaces: when the address after its first
  // space runs to the end of the message, that " from " is also the last one.
  const space = text.indexOf(" ", userStart);
  if (space !== -1 && space < end && text.startsWith(" from ", space)) {
    const tail = matchAddressTail(text, space + 6, end);
    if (tail === TAIL_END) return space;
    // Followed by a key: the first " from " is taken, unless a later one ends the message.
    if (tail === TAIL_EXTRA && allowExtra) {
      const later = text.indexOf(" from ", space + 6);
      if (later === -1 || later >= end) return space;
    }
  }
  const last = text.lastIndexOf(" from ", end - 6);
  if (last < userStart) return -1;
  if (matchAddressTail(text, last + 6, end) === TAIL_END) return last;
  if (!allowExtra) return -1;
  let from = text.indexOf(" from ", userStart);
  while (from !== -1 && from <= last) {
    if (matchAddressTail(text, from + 6, end) === TAIL_EXTRA) return from;
    from = text.indexOf(" from ", from + 1);
  }
  return -1;
}

/**
 * Find `IP port N` ending at `end` (as in `Connection closed by … IP port N`);
 * sets `addressStart`, `addressEnd`, `foundPort` and returns true. The IP is
 * the token before the last ` port `, or (no port) the last token.
 */
function findAddressBeforeEnd(text: string, lowest: number, end: number): boolean {
  let ipEnd = end;
  foundPort = undefined;
  let digitsStart = end;
  while (digitsStart > lowest && end - digitsStart < 6) {
    const c = text.charCodeAt(digitsStart - 1);
    if (c < 48 || c > 57) break;
    digitsStart--;
  }
  if (
    digitsStart < end && digitsStart - 6 >= lowest && text.startsWith(" port ", digitsStart - 6)
  ) {
    const value = digitsAt(text, digitsStart, end);
    if (value >= 0 && value <= 65535) {
      foundPort = value;
      ipEnd = digitsStart - 6;
    }
  }
  let ipStart = ipEnd;
  while (ipStart > lowest && isAddressChar(text.charCodeAt(ipStart - 1))) ipStart--;
  if (ipStart === ipEnd) return false;
  if (ipStart > lowest && text.charCodeAt(ipStart - 1) !== 32) return false;
  addressStart = ipStart;
  addressEnd = ipEnd;
  addressIsNormalIpv4 = false;
  return true;
}

/**
 * Match `IP[ port N]` at `pos` followed by `:` (as in `Unable to negotiate
 * with IP port N: …`); returns the index of that colon or -1.
 */
function matchAddressColon(text: string, pos: number, end: number): number {
  foundPort = undefined;
  addressIsNormalIpv4 = false;
  let colonSpace = text.indexOf(": ", pos);
  if (colonSpace === -1 || colonSpace > end) colonSpace = end;
  // IPv6 has colons: the address ends at " port " when there is one, else at ": ".
  const port = text.indexOf(" port ", pos);
  if (port !== -1 && port < colonSpace) {
    addressStart = pos;
    addressEnd = port;
    const value = digitsAt(text, port + 6, end);
    if (value < 0 || value > 65535 || text.charCodeAt(digitsEnd) !== 58 || digitsEnd >= end) {
      return -1;
    }
    foundPort = value;
    return digitsEnd;
  }
  if (colonSpace === end) return -1;
  addressStart = pos;
  addressEnd = colonSpace;
  return colonSpace;
}

/**
 * Set every field parseSshdMessage owns on the event being parsed and emit
 * it; nothing when `ip` is undefined (a host name, or not an address).
 */
function emit(
  kind: number,
  pattern: SshdPattern,
  ip: string | undefined,
  user: string | undefined,
  port: number | undefined,
  detail: string | undefined,
  suspicious?: boolean,
): boolean {
  if (ip === undefined) return false;
  const event = out;
  event.kind = kind;
  event.ip = ip;
  event.user = user;
  event.port = port;
  event.detail = detail;
  event.count = repeatCount;
  event.pattern = pattern;
  event.suspicious = suspicious;
  outSink.emit(event);
  return true;
}

/** The address between `addressStart` and `addressEnd`, normalised. */
function foundIp(text: string): string | undefined {
  if (addressIsNormalIpv4) return text.slice(addressStart, addressEnd);
  return addressAt(text, addressStart, addressEnd);
}

/** Normalised IPv6 addresses by their text as logged (attackers repeat themselves). */
const ipv6Cache = new Map<string, string | undefined>();
const IPV6_CACHE_SIZE = 4096;

/**
 * {@linkcode normalizeIp} of `text.slice(start, end)`, faster: a dotted quad
 * without leading zeros is already normal and is only sliced; IPv6 results
 * are cached.
 */
function addressAt(text: string, start: number, end: number): string | undefined {
  let dots = 0;
  let digitCount = 0;
  let value = 0;
  let leadingZero = false;
  let i = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (leadingZero) break;
      if (digitCount === 0) leadingZero = c === 48;
      value = value * 10 + c - 48;
      if (++digitCount > 3 || value > 255) break;
    } else if (c === 46 /* . */ && digitCount > 0) {
      dots++;
      digitCount = 0;
      value = 0;
      leadingZero = false;
    } else break;
  }
  const raw = text.slice(start, end);
  if (i === end && dots === 3 && digitCount > 0) return raw;
  if (raw.indexOf(":") === -1) return normalizeIp(raw);
  let ip = ipv6Cache.get(raw);
  if (ip === undefined && !ipv6Cache.has(raw)) {
    ip = normalizeIp(raw);
    if (ipv6Cache.size >= IPV6_CACHE_SIZE) ipv6Cache.clear();
    // a copy as the key: a slice would keep the whole chunk of the log it was cut from alive
    ipv6Cache.set((raw + "\n").slice(0, -1), ip);
  }
  return ip;
}

/** Index after the last character of `text[start, end)` that is not white space. */
function trimEnd(text: string, start: number, end: number): number {
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

/** `pos + prefix.length` when `text` has `prefix` at `pos`, else -1. */
function after(text: string, pos: number, prefix: string): number {
  return text.startsWith(prefix, pos) ? pos + prefix.length : -1;
}

/** Where the parse functions below write: set by {@linkcode dispatch}. */
const NO_EVENT: ParsedEvent = { time: NaN, timeKind: TimeKind.None, kind: 0, ip: undefined };
const NO_SINK: LineSink = { emit() {}, bad() {} };
let out = NO_EVENT;
let outSink = NO_SINK;
/** `N` of `message repeated N times`, undefined otherwise. */
let repeatCount: number | undefined;
/** The message ended with ` [preauth]` (or came from `sshd-auth`). */
let preauth = false;

function dispatch(
  text: string,
  start: number,
  end: number,
  event: ParsedEvent,
  sink: LineSink,
  count: number | undefined,
): boolean {
  out = event;
  outSink = sink;
  repeatCount = count;
  end = trimEnd(text, start, end);
  preauth = false;
  if (
    text.charCodeAt(end - 1) === 93 /* ] */ && end - start > 10 &&
    text.startsWith(" [preauth]", end - 10)
  ) {
    preauth = true;
    end = trimEnd(text, start, end - 10);
  }
  // OpenSSH 10 runs the pre-authentication stage as a program of its own.
  if (event.program === "sshd-auth") preauth = true;
  let p: number;
  for (;;) {
    if (start >= end) return false;
    switch (text.charCodeAt(start)) {
      case 70: // F
        if ((p = after(text, start, "Failed ")) !== -1) return parseAuthResult(text, p, end, true);
        return false;
      case 73: // I
        if ((p = after(text, start, "Invalid user ")) !== -1) return parseInvalidUser(text, p, end);
        if ((p = after(text, start, "Illegal user ")) !== -1) return parseInvalidUser(text, p, end);
        return false;
      case 65: // A
        if ((p = after(text, start, "Accepted ")) !== -1) {
          return parseAuthResult(text, p, end, false);
        }
        if ((p = after(text, start, "Address ")) !== -1) return parseAddressMapsTo(text, p, end);
        if ((p = after(text, start, "Authentication ")) !== -1) {
          return parsePamAuthenticationError(text, p, end);
        }
        return false;
      case 97: // a
        if ((p = after(text, start, "authentication ")) !== -1) {
          return parsePamAuthenticationError(text, p, end);
        }
        return false;
      case 67: // C
        if ((p = after(text, start, "Connection closed by ")) !== -1) {
          return parseConnectionClosed(text, p, end);
        }
        if ((p = after(text, start, "Connection reset by ")) !== -1) {
          return parseConnectionClosed(text, p, end);
        }
        return false;
      case 68: // D
        if ((p = after(text, start, "Disconnected from ")) !== -1) {
          return parseDisconnected(text, p, end);
        }
        if ((p = after(text, start, "Disconnecting ")) !== -1) {
          return parseDisconnecting(text, p, end);
        }
        if ((p = after(text, start, "Did not receive identification string from ")) !== -1) {
          return parseNoIdentification(text, p, end);
        }
        return false;
      case 85: // U
        if ((p = after(text, start, "Unable to negotiate with ")) !== -1) {
          return parseUnableToNegotiate(text, p, end);
        }
        if (
          (p = after(
            text,
            start,
            "User not known to the underlying authentication module for ",
          )) !==
            -1
        ) return parsePamUserUnknown(text, p, end);
        if ((p = after(text, start, "User ")) !== -1) return parseNotAllowed(text, p, end);
        return false;
      case 66: // B
        if ((p = after(text, start, "Bad protocol version identification ")) !== -1) {
          return parseBadProtocol(text, p, end);
        }
        return false;
      case 82: // R
        if ((p = after(text, start, "ROOT LOGIN REFUSED")) !== -1) {
          return parseRootLoginRefused(text, p, end);
        }
        if ((p = after(text, start, "Received disconnect from ")) !== -1) {
          return parseReceivedDisconnect(text, p, end);
        }
        return false;
      case 98: // b
        if ((p = after(text, start, "banner exchange: Connection from ")) !== -1) {
          return parseBannerExchange(text, p, end);
        }
        return false;
      case 114: // r
        if ((p = after(text, start, "reverse mapping checking getaddrinfo for ")) !== -1) {
          return parseReverseMapping(text, p, end);
        }
        if ((p = after(text, start, "refused connect from ")) !== -1) {
          return parseRefusedConnect(text, p, end);
        }
        return false;
      case 112: // p
        if ((p = after(text, start, "pam_")) !== -1) return parsePamAuthFailure(text, p, end);
        return false;
      case 109: // m
        if ((p = after(text, start, "maximum authentication attempts exceeded for ")) !== -1) {
          return parseMaxAuthAttempts(text, p, end);
        }
        if ((p = after(text, start, "message repeated ")) !== -1) {
          return parseRepeated(text, p, end, event, sink);
        }
        return false;
      case 84: // T
        if ((p = after(text, start, "Timeout before authentication for ")) !== -1) {
          return parseTimeoutBeforeAuth(text, p, end);
        }
        return false;
      case 78: // N
        if ((p = after(text, start, "Nasty PTR record ")) !== -1) {
          return parseNastyPtr(text, p, end);
        }
        return false;
      case 100: // d
        if ((p = after(text, start, "drop connection #")) !== -1) {
          return parseDropConnection(text, p, end);
        }
        return false;
      // prefixes: strip and look again
      case 101: // e
        if ((p = after(text, start, "error: ")) === -1) return false;
        start = p;
        continue;
      case 102: // f
        if ((p = after(text, start, "fatal: ")) === -1) return false;
        start = p;
        continue;
      case 80: // P
        if ((p = after(text, start, "PAM: ")) === -1) return false;
        start = p;
        continue;
      case 91: { // [ID 800047 auth.info] (Solaris)
        if (!text.startsWith("[ID ", start)) return false;
        const close = text.indexOf("] ", start);
        if (close === -1 || close >= end || close - start > 64) return false;
        start = close + 2;
        continue;
      }
      default:
        return false;
    }
  }
}

/** `Failed METHOD for …` / `Accepted METHOD for …`; `pos` is at METHOD. */
function parseAuthResult(
  text: string,
  pos: number,
  end: number,
  failed: boolean,
): boolean {
  let kind: number;
  let pattern: SshdPattern;
  let detail: string | undefined;
  let methodEnd: number;
  if (text.startsWith("password for ", pos)) {
    methodEnd = pos + 8;
    kind = failed ? FAILED_PASSWORD : ACCEPTED_PASSWORD;
    pattern = failed ? "failedPassword" : "acceptedPassword";
  } else if (text.startsWith("publickey for ", pos)) {
    methodEnd = pos + 9;
    kind = failed ? FAILED_PUBLICKEY : ACCEPTED_PUBLICKEY;
    pattern = failed ? "failedPublickey" : "acceptedPublickey";
  } else {
    methodEnd = text.indexOf(" ", pos); // a method is one word
    if (methodEnd <= pos || methodEnd >= end || !text.startsWith(" for ", methodEnd)) return false;
    if (failed && text.startsWith("keyboard-interactive", pos)) {
      kind = FAILED_KEYBOARD_INTERACTIVE;
      pattern = "failedKeyboardInteractive";
    } else {
      kind = failed ? FAILED_OTHER : ACCEPTED_OTHER;
      pattern = failed ? "failedOther" : "acceptedOther";
      detail = text.slice(pos, methodEnd);
    }
  }
  let userStart = methodEnd + 5;
  let invalid = false;
  if (
    text.charCodeAt(userStart) === 105 /* i */ &&
    (text.startsWith("invalid user ", userStart) || text.startsWith("illegal user ", userStart))
  ) {
    invalid = true;
    userStart += 13;
  }
  const from = findFromAddress(text, userStart, end, true);
  if (from === -1) return false;
  const ip = foundIp(text);
  const port = foundPort;
  if (invalid) {
    detail = detail === undefined ? INVALID_USER_DETAIL : `${detail}, ${INVALID_USER_DETAIL}`;
  }
  return emit(kind, pattern, ip, text.slice(userStart, from), port, detail);
}

/** `Invalid user USER from IP[ port N]`; `pos` is at USER. */
function parseInvalidUser(text: string, pos: number, end: number): boolean {
  const from = findFromAddress(text, pos, end, false);
  if (from === -1) return false;
  return emit(
    INVALID_USER,
    "invalidUser",
    foundIp(text),
    text.slice(pos, from),
    foundPort,
    undefined,
  );
}

/** `User not known to the underlying authentication module for [illegal user ]USER from IP`. */
function parsePamUserUnknown(text: string, pos: number, end: number): boolean {
  if (text.startsWith("illegal user ", pos) || text.startsWith("invalid user ", pos)) pos += 13;
  const from = findFromAddress(text, pos, end, false);
  if (from === -1) return false;
  return emit(
    INVALID_USER,
    "pamUserUnknown",
    foundIp(text),
    text.slice(pos, from),
    foundPort,
    undefined,
  );
}

/** `[PAM: ]Authentication failure|error|failed for USER from HOST[ via IP]`; `pos` after `uthentication `. */
function parsePamAuthenticationError(text: string, pos: number, end: number): boolean {
  let userStart: number;
  if (text.startsWith("failure for ", pos)) userStart = pos + 12;
  else if (text.startsWith("error for ", pos)) userStart = pos + 10;
  else if (text.startsWith("failed for ", pos)) userStart = pos + 11;
  else return false;
  if (text.startsWith("illegal user ", userStart) || text.startsWith("invalid user ", userStart)) {
    userStart += 13;
  }
  let tailEnd = end;
  const via = text.lastIndexOf(" via ", end);
  const from = text.lastIndexOf(" from ", end);
  if (from < userStart) return false;
  if (via > from) tailEnd = via;
  if (matchAddressTail(text, from + 6, tailEnd) !== TAIL_END) return false;
  return emit(
    AUTH_FAILURE,
    "pamAuthenticationError",
    foundIp(text),
    text.slice(userStart, from),
    foundPort,
    undefined,
  );
}

/** `pam_unix(sshd:auth): authentication failure; logname= … rhost=IP  user=USER`; `pos` after `pam_`. */
function parsePamAuthFailure(text: string, pos: number, end: number): boolean {
  const marker = text.indexOf(":auth): authentication failure;", pos);
  if (marker === -1 || marker >= end || marker - pos > 64) return false;
  const rhost = text.indexOf(" rhost=", marker);
  if (rhost === -1 || rhost >= end) return false;
  let hostEnd = rhost + 7;
  while (hostEnd < end && !isSpace(text.charCodeAt(hostEnd))) hostEnd++;
  const ip = addressAt(text, rhost + 7, hostEnd);
  if (ip === undefined) return false; // a host name (UseDNS yes) or empty
  let user: string | undefined;
  const userAt = text.indexOf(" user=", hostEnd);
  if (userAt !== -1 && userAt < end) user = text.slice(userAt + 6, end);
  else {
    const ruser = text.indexOf(" ruser=", marker);
    if (ruser !== -1 && ruser < rhost && ruser + 7 < rhost) user = text.slice(ruser + 7, rhost);
  }
  return emit(AUTH_FAILURE, "pamAuthFailure", ip, user, undefined, undefined);
}

/** `Connection closed|reset by [invalid|authenticating user USER ]IP port N`; `pos` after `by `. */
function parseConnectionClosed(text: string, pos: number, end: number): boolean {
  let userStart = -1;
  let detail: string | undefined;
  if (text.startsWith("invalid user ", pos)) {
    userStart = pos + 13;
    detail = INVALID_USER_DETAIL;
  } else if (text.startsWith("authenticating user ", pos)) userStart = pos + 20;
  if (userStart === -1) {
    if (!preauth) return false; // a session that ended, or a scanner after kex failed
    if (!findAddressBeforeEnd(text, pos, end) || addressStart !== pos) return false;
    return emit(CLOSED_PREAUTH, "closedPreauth", foundIp(text), undefined, foundPort, undefined);
  }
  if (!findAddressBeforeEnd(text, userStart - 1, end) || addressStart - 1 < userStart) return false;
  const user = text.slice(userStart, addressStart - 1);
  return emit(CLOSED_PREAUTH, "closedByUser", foundIp(text), user, foundPort, detail);
}

/** `Disconnected from [invalid|authenticating user USER ]IP port N`; `pos` after `from `. */
function parseDisconnected(text: string, pos: number, end: number): boolean {
  let userStart = -1;
  let detail: string | undefined;
  if (text.startsWith("invalid user ", pos)) {
    userStart = pos + 13;
    detail = INVALID_USER_DETAIL;
  } else if (text.startsWith("authenticating user ", pos)) userStart = pos + 20;
  else if (text.startsWith("user ", pos)) return false; // the end of a session
  if (userStart === -1) {
    if (!preauth) return false;
    if (!findAddressBeforeEnd(text, pos, end) || addressStart !== pos) return false;
    return emit(
      DISCONNECTED_PREAUTH,
      "disconnectedPreauth",
      foundIp(text),
      undefined,
      foundPort,
      undefined,
    );
  }
  if (!findAddressBeforeEnd(text, userStart - 1, end) || addressStart - 1 < userStart) return false;
  const user = text.slice(userStart, addressStart - 1);
  return emit(DISCONNECTED_PREAUTH, "disconnectedUser", foundIp(text), user, foundPort, detail);
}

const TOO_MANY_FAILURES = ": Too many authentication failures";
const CHANGE_OF_USERNAME = ": Change of username or service not allowed";

/** `Disconnecting invalid|authenticating user USER IP port N: REASON`; `pos` after `Disconnecting `. */
function parseDisconnecting(text: string, pos: number, end: number): boolean {
  let userStart: number;
  let detail: string | undefined;
  if (text.startsWith("invalid user ", pos)) {
    userStart = pos + 13;
    detail = INVALID_USER_DETAIL;
  } else if (text.startsWith("authenticating user ", pos)) userStart = pos + 20;
  else return false; // "Disconnecting: Too many authentication failures" carries no address
  let kind: number;
  let pattern: SshdPattern;
  let reasonAt: number;
  if (text.startsWith(TOO_MANY_FAILURES, end - TOO_MANY_FAILURES.length)) {
    reasonAt = end - TOO_MANY_FAILURES.length;
    kind = MAX_AUTH_ATTEMPTS;
    pattern = "tooManyAuthFailures";
  } else {
    // the reason holds the attacker's new user name: take its first occurrence
    reasonAt = text.indexOf(CHANGE_OF_USERNAME, userStart);
    if (reasonAt === -1 || reasonAt >= end) return false;
    kind = DISCONNECTED_PREAUTH;
    pattern = "changeOfUsername";
    detail = detail === undefined
      ? "change of username or service not allowed"
      : `change of username or service not allowed, ${detail}`;
  }
  if (!findAddressBeforeEnd(text, userStart - 1, reasonAt) || addressStart - 1 < userStart) {
    return false;
  }
  const user = text.slice(userStart, addressStart - 1);
  return emit(kind, pattern, foundIp(text), user, foundPort, detail);
}

/** `Did not receive identification string from IP[ port N]`; `pos` at IP. */
function parseNoIdentification(text: string, pos: number, end: number): boolean {
  if (matchAddressTail(text, pos, end) !== TAIL_END) return false;
  return emit(
    NO_IDENTIFICATION,
    "noIdentification",
    foundIp(text),
    undefined,
    foundPort,
    undefined,
  );
}

/** `Unable to negotiate with IP port N: no matching … found. Their offer: …`. */
function parseUnableToNegotiate(text: string, pos: number, end: number): boolean {
  const colon = matchAddressColon(text, pos, end);
  if (colon === -1) return false;
  const ip = foundIp(text);
  let reasonStart = colon + 1;
  if (text.charCodeAt(reasonStart) === 32) reasonStart++;
  let reasonEnd = text.indexOf(". Their offer:", reasonStart);
  if (reasonEnd === -1 || reasonEnd > end) reasonEnd = end;
  const detail = reasonEnd > reasonStart ? text.slice(reasonStart, reasonEnd) : undefined;
  return emit(UNABLE_TO_NEGOTIATE, "unableToNegotiate", ip, undefined, foundPort, detail);
}

/** `User USER from HOST not allowed because REASON`; `pos` at USER. */
function parseNotAllowed(text: string, pos: number, end: number): boolean {
  const because = text.indexOf(" not allowed because ", pos);
  if (because === -1 || because >= end) return false;
  const from = text.lastIndexOf(" from ", because);
  if (from < pos) return false; // "User root not allowed because account is locked": no address
  if (matchAddressTail(text, from + 6, because) !== TAIL_END) return false;
  const detail = text.slice(because + 21, end);
  return emit(NOT_ALLOWED, "notAllowed", foundIp(text), text.slice(pos, from), foundPort, detail);
}

/** `Bad protocol version identification 'TEXT' from IP[ port N]`. */
function parseBadProtocol(text: string, pos: number, end: number): boolean {
  const from = findFromAddress(text, pos, end, false);
  if (from === -1) return false;
  let detail: string | undefined;
  if (text.charCodeAt(pos) === 39 && text.charCodeAt(from - 1) === 39 && from - 1 > pos) {
    detail = text.slice(pos + 1, from - 1);
  }
  return emit(BAD_PROTOCOL, "badProtocolVersion", foundIp(text), undefined, foundPort, detail);
}

/** `ROOT LOGIN REFUSED FROM IP[ port N]`; `pos` after `REFUSED`. */
function parseRootLoginRefused(text: string, pos: number, end: number): boolean {
  const from = text.indexOf(" FROM ", pos);
  if (from === -1 || from >= end) return false;
  if (matchAddressTail(text, from + 6, end) !== TAIL_END) return false;
  return emit(ROOT_LOGIN_REFUSED, "rootLoginRefused", foundIp(text), "root", foundPort, undefined);
}

/** `Received disconnect from IP port N:3: …: Auth fail` and `…:14: No supported authentication methods available`. */
function parseReceivedDisconnect(text: string, pos: number, end: number): boolean {
  const colon = matchAddressColon(text, pos, end);
  if (colon === -1) return false;
  let i = colon + 1;
  while (i < end && text.charCodeAt(i) === 32) i++;
  const code = digitsAt(text, i, end);
  const codeEnd = digitsEnd;
  if (code < 0 || text.charCodeAt(codeEnd) !== 58) return false;
  let reasonStart = codeEnd + 1;
  while (reasonStart < end && text.charCodeAt(reasonStart) === 32) reasonStart++;
  let pattern: SshdPattern;
  if (code === 3 && text.startsWith(": Auth fail", end - 11)) {
    pattern = "receivedDisconnectAuthFail";
  } else if (
    code === 14 &&
    (text.startsWith("No supported authentication methods available", reasonStart) ||
      text.startsWith("No authentication methods available", reasonStart))
  ) pattern = "receivedDisconnectNoAuthMethods";
  else return false; // 11: Bye Bye, disconnected by user, …
  const ip = foundIp(text);
  return emit(DISCONNECTED_PREAUTH, pattern, ip, undefined, foundPort, text.slice(i, end));
}

/** `banner exchange: Connection from IP port N: REASON`. */
function parseBannerExchange(text: string, pos: number, end: number): boolean {
  const colon = matchAddressColon(text, pos, end);
  if (colon === -1) return false;
  const ip = foundIp(text);
  let reasonStart = colon + 1;
  if (text.charCodeAt(reasonStart) === 32) reasonStart++;
  const detail = reasonStart < end ? text.slice(reasonStart, end) : undefined;
  return emit(NO_IDENTIFICATION, "bannerExchange", ip, undefined, foundPort, detail);
}

/** `reverse mapping checking getaddrinfo for HOST [IP] failed - POSSIBLE BREAK-IN ATTEMPT!`. */
function parseReverseMapping(text: string, pos: number, end: number): boolean {
  const close = text.lastIndexOf("] failed", end);
  if (close < pos) return false;
  const open = text.lastIndexOf(" [", close);
  if (open < pos) return false;
  const ip = normalizeIp(text.slice(open + 2, close));
  return emit(
    REVERSE_MAPPING,
    "reverseMappingFailed",
    ip,
    undefined,
    undefined,
    text.slice(pos, open),
  );
}

/** `Address IP maps to HOST, but this does not map back to the address …`. */
function parseAddressMapsTo(text: string, pos: number, end: number): boolean {
  const maps = text.indexOf(" maps to ", pos);
  if (maps === -1 || maps >= end || maps - pos > 64) return false;
  const but = text.indexOf(", but this does not map back", maps);
  if (but === -1 || but >= end) return false;
  const ip = normalizeIp(text.slice(pos, maps));
  return emit(
    REVERSE_MAPPING,
    "addressMapsTo",
    ip,
    undefined,
    undefined,
    text.slice(maps + 9, but),
  );
}

/** `Nasty PTR record "NAME" is set up for IP, ignoring`. */
function parseNastyPtr(text: string, pos: number, end: number): boolean {
  const setUp = text.lastIndexOf(" is set up for ", end);
  if (setUp < pos) return false;
  let ipEnd = text.indexOf(", ignoring", setUp);
  if (ipEnd === -1 || ipEnd > end) ipEnd = end;
  const ip = normalizeIp(text.slice(setUp + 15, ipEnd));
  let detail: string | undefined;
  if (text.charCodeAt(pos) === 34 && text.charCodeAt(setUp - 1) === 34 && setUp - 1 > pos) {
    detail = text.slice(pos + 1, setUp - 1);
  }
  return emit(REVERSE_MAPPING, "nastyPtrRecord", ip, undefined, undefined, detail);
}

/** `[IP]:PORT` at `pos`: the index after it, or -1; sets `droppedIp` and `droppedPort`. */
function bracketedAddress(text: string, pos: number, end: number): number {
  if (text.charCodeAt(pos) !== 91 /* [ */) return -1;
  const close = text.indexOf("]:", pos);
  if (close === -1 || close >= end) return -1;
  const port = digitsAt(text, close + 2, end);
  if (port < 0 || port > 65535) return -1;
  droppedIp = normalizeIp(text.slice(pos + 1, close));
  droppedPort = port;
  return digitsEnd;
}

let droppedIp: string | undefined;
let droppedPort = 0;

/**
 * `drop connection #N from [IP]:PORT on [LOCAL]:PORT penalty: REASON` (the
 * source is refused by OpenSSH 9.8's PerSourcePenalties for misbehaving
 * before: suspicious) and `… past MaxStartups` (the server is throttling
 * unauthenticated connections: anyone's can be dropped, so not suspicious on
 * its own); `pos` after `#`.
 */
function parseDropConnection(text: string, pos: number, end: number): boolean {
  if (digitsAt(text, pos, end) < 0 || !text.startsWith(" from ", digitsEnd)) return false;
  let i = bracketedAddress(text, digitsEnd + 6, end);
  if (i === -1) return false;
  const ip = droppedIp;
  const port = droppedPort;
  if (text.startsWith(" on ", i)) {
    i = bracketedAddress(text, i + 4, end);
    if (i === -1) return false;
  }
  if (text.charCodeAt(i) !== 32 || i + 1 >= end) return false;
  const detail = text.slice(i + 1, end);
  let suspicious: boolean;
  if (detail.startsWith("penalty: ")) suspicious = true;
  else if (detail === "past MaxStartups") suspicious = false;
  else return false;
  return emit(DROPPED_CONNECTION, "droppedConnection", ip, undefined, port, detail, suspicious);
}

/** `refused connect from NAME (IP)` (tcp wrappers). */
function parseRefusedConnect(text: string, pos: number, end: number): boolean {
  if (text.charCodeAt(end - 1) !== 41 /* ) */) return false;
  const open = text.lastIndexOf(" (", end);
  if (open < pos) return false;
  const ip = normalizeIp(text.slice(open + 2, end - 1));
  return emit(
    NOT_ALLOWED,
    "refusedConnect",
    ip,
    undefined,
    undefined,
    "refused connect (tcp wrappers)",
  );
}

/** `maximum authentication attempts exceeded for [invalid user ]USER from IP port N ssh2`. */
function parseMaxAuthAttempts(text: string, pos: number, end: number): boolean {
  let detail: string | undefined;
  if (text.startsWith("invalid user ", pos)) {
    pos += 13;
    detail = INVALID_USER_DETAIL;
  }
  const from = findFromAddress(text, pos, end, false);
  if (from === -1) return false;
  return emit(
    MAX_AUTH_ATTEMPTS,
    "maxAuthAttempts",
    foundIp(text),
    text.slice(pos, from),
    foundPort,
    detail,
  );
}

/** `Timeout before authentication for IP port N` (and the old `… for connection from IP to IP, pid = N`). */
function parseTimeoutBeforeAuth(text: string, pos: number, end: number): boolean {
  let tailEnd = end;
  if (text.startsWith("connection from ", pos)) {
    pos += 16;
    const to = text.indexOf(" to ", pos);
    if (to === -1 || to >= end) return false;
    tailEnd = to;
  }
  if (matchAddressTail(text, pos, tailEnd) !== TAIL_END) return false;
  return emit(
    CLOSED_PREAUTH,
    "timeoutBeforeAuth",
    foundIp(text),
    undefined,
    foundPort,
    "timeout before authentication",
  );
}

/** rsyslog's `message repeated N times: [ MESSAGE]`; `pos` after `repeated `. */
function parseRepeated(
  text: string,
  pos: number,
  end: number,
  event: ParsedEvent,
  sink: LineSink,
): boolean {
  if (repeatCount !== undefined) return false; // not nested
  const times = digitsAt(text, pos, end);
  if (times < 0 || !text.startsWith(" times: [", digitsEnd)) return false;
  let innerStart = digitsEnd + 9;
  if (text.charCodeAt(innerStart) === 32) innerStart++;
  const innerEnd = text.lastIndexOf("]", end - 1);
  if (innerEnd < innerStart) return false;
  return dispatch(text, innerStart, innerEnd, event, sink, times);
}

/**
 * A fresh scratch event for a parser of sshd lines to fill and reuse: every
 * field the sshd parsers set is present from the start, so the object keeps
 * one shape (V8 keeps property access on it fast).
 */
export function sshdScratchEvent(timeKind: TimeKind): ParsedEvent {
  return {
    time: NaN,
    timeKind,
    kind: 0,
    ip: undefined,
    ipId: undefined,
    user: undefined,
    userId: undefined,
    port: undefined,
    host: undefined,
    suspicious: undefined,
    program: undefined,
    pid: undefined,
    detail: undefined,
    count: undefined,
    pattern: undefined,
  };
}
