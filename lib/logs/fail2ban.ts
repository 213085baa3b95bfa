/**
 * Parser for `fail2ban.log`, the log fail2ban itself writes (0.8 to 1.x).
 *
 * A record starts with a zone-less stamp that carries the year, the logger
 * name, the process id (0.9 and later), the level and the message:
 *
 * ```
 * 2024-03-01 10:00:01,123 fail2ban.filter         [812]: INFO    [sshd] Found 192.0.2.1 - 2024-03-01 10:00:00
 * 2024-03-01 10:00:01,512 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.1
 * 2013-01-28 07:01:57,512 fail2ban.actions: WARNING [ssh] Ban 192.0.2.1
 * ```
 *
 * Messages of interest all start with `[jail] `; see {@linkcode PATTERNS}.
 * A record may span several lines (a failed mail action dumps its command and
 * standard error, a crash dumps a Python traceback): lines that do not start
 * with a stamp belong to the record before them and are skipped, so an
 * address quoted in such a dump never becomes an event. A line that starts
 * like a stamp but is not a well-formed record is reported as bad.
 *
 * @module
 */
import { kindIndex } from "./kinds.ts";
import { normalizeIp } from "./ip.ts";
import { digits, parseIsoStamp } from "./time.ts";
import type { LineSink, LogParser, ParsedEvent } from "./types.ts";
import { TimeKind } from "./types.ts";

/**
 * The messages the parser recognises, by pattern name (the `pattern` of each
 * event). `<ip>` is an IPv4 or IPv6 address; a failure id that is not an
 * address (fail2ban 0.10+ `<F-ID>`) yields no event.
 */
export const PATTERNS = {
  /** `[sshd] Ban 192.0.2.1` (NOTICE since 0.9, WARNING in 0.8). */
  ban: "[<jail>] Ban <ip>",
  /** `[sshd] Unban 192.0.2.1`. */
  unban: "[<jail>] Unban <ip>",
  /** `[sshd] Restore Ban 192.0.2.1`: a ban re-applied from the database at start. */
  restoreBan: "[<jail>] Restore Ban <ip>",
  /** `[sshd] Increase Ban 192.0.2.1 (2 # 2:00:00 -> 2024-03-01 12:00:01)` (0.11+, bantime.increment). */
  increaseBan: "[<jail>] Increase Ban <ip> (<count> # <duration> -> <end>)",
  /** `[sshd] 192.0.2.1 already banned`. */
  alreadyBanned: "[<jail>] <ip> already banned",
  /** `[sshd] Found 192.0.2.1` (0.9), `[sshd] Found 192.0.2.1 - 2024-03-01 10:00:00` (0.10+). */
  found: "[<jail>] Found <ip>[ - <time>]",
  /** `[sshd] Ignore 192.0.2.1 by ip` (`by command`, `by dns`, …); `detail` is the source. */
  ignore: "[<jail>] Ignore <ip> by <source>",
} as const;

/** Name of one of {@linkcode PATTERNS}. */
export type Fail2banPattern = keyof typeof PATTERNS;

/** Kind indices of the fail2ban.log kinds (shared with the byte-level scanner). */
export const FOUND = kindIndex("found");
export const BAN = kindIndex("ban");
export const UNBAN = kindIndex("unban");
export const RESTORE_BAN = kindIndex("restore_ban");
export const INCREASE_BAN = kindIndex("increase_ban");
export const ALREADY_BANNED = kindIndex("already_banned");
export const IGNORE = kindIndex("ignore");

const SPACE = 32;
const TAB = 9;

/**
 * True when `line` looks like a `fail2ban.log` record: a
 * `YYYY-MM-DD HH:MM:SS,mmm` stamp followed by a `fail2ban…` logger name.
 *
 * @example
 * ```ts
 * import { sniffFail2ban } from "./fail2ban.ts";
 * sniffFail2ban("2024-03-01 10:00:01,512 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.1"); // true
 * sniffFail2ban("Mar  1 10:00:01 host sshd[812]: Failed password for root from 192.0.2.1"); // false
 * ```
 */
export function sniffFail2ban(line: string): boolean {
  const stamp = parseIsoStamp(line, 0);
  return !Number.isNaN(stamp.ms) && line.charCodeAt(stamp.end) === SPACE &&
    line.startsWith("fail2ban", stamp.end + 1);
}

/**
 * Create a parser for `fail2ban.log`. Times are wall clock with a year
 * ({@linkcode TimeKind.Wall}), in the zone the server logged in.
 *
 * @example
 * ```ts
 * import { createFail2banParser } from "./fail2ban.ts";
 * const parser = createFail2banParser();
 * parser.parseLine(
 *   "2024-03-01 10:00:01,512 fail2ban.actions        [812]: NOTICE  [sshd] Ban 192.0.2.1",
 *   { emit: (e) => console.log(e.ip, e.jail), bad: console.error },
 * ); // 192.0.2.1 sshd
 * ```
 */
export function createFail2banParser(): LogParser {
  const event: ParsedEvent = { time: NaN, timeKind: TimeKind.Wall, kind: BAN, ip: undefined };

  /** Index after the token starting at `pos` (stops at a space, a tab or `end`). */
  const tokenEnd = (line: string, pos: number, end: number): number => {
    while (pos < end) {
      const c = line.charCodeAt(pos);
      if (c === SPACE || c === TAB) break;
      pos++;
    }
    return pos;
  };

  const parseLine = (line: string, sink: LineSink): void => {
    let end = line.length;
    if (end > 0 && line.charCodeAt(end - 1) === 13 /* \r */) end--;
    // A record starts with `YYYY-`; anything else continues the record before it.
    if (end < 5 || digits(line, 0, 4) < 0 || line.charCodeAt(4) !== 45 /* - */) {
      sink.skip?.();
      return;
    }
    const stamp = parseIsoStamp(line, 0);
    if (Number.isNaN(stamp.ms)) return sink.bad("malformed timestamp");
    let pos = stamp.end;
    if (line.charCodeAt(pos) !== SPACE || !line.startsWith("fail2ban", pos + 1)) {
      return sink.bad("no fail2ban logger name after the timestamp");
    }
    // logger name: `fail2ban.actions`, padded with spaces to 24 (0.9+) or 16 (0.8)
    const nameStart = ++pos;
    while (pos < end) {
      const c = line.charCodeAt(pos);
      if (c === SPACE || c === 91 /* [ */ || c === 58 /* : */) break;
      pos++;
    }
    const nameEnd = pos;
    while (line.charCodeAt(pos) === SPACE) pos++;
    let pid: number | undefined;
    if (line.charCodeAt(pos) === 91 /* [ */) {
      let value = 0;
      let n = 0;
      pos++;
      for (let c = line.charCodeAt(pos); c >= 48 && c <= 57; c = line.charCodeAt(++pos)) {
        value = value * 10 + c - 48;
        n++;
      }
      if (n === 0 || line.charCodeAt(pos) !== 93 /* ] */) return sink.bad("malformed process id");
      pid = value;
      pos++;
    }
    if (line.charCodeAt(pos) !== 58 /* : */) return sink.bad("no colon after the logger name");
    pos++;
    while (line.charCodeAt(pos) === SPACE) pos++;
    const levelStart = pos;
    pos = tokenEnd(line, pos, end);
    if (pos === levelStart) return sink.bad("no log level");
    const levelEnd = pos;
    while (line.charCodeAt(pos) === SPACE) pos++;
    // Everything of interest reads `[jail] message`.
    if (line.charCodeAt(pos) !== 91 /* [ */) return void sink.skip?.();
    const close = line.indexOf("] ", pos + 1);
    if (close <= pos + 1 || close >= end) return void sink.skip?.();
    const m = close + 2;

    let kind: number;
    let pattern: Fail2banPattern;
    let ipStart: number;
    let ipEnd: number;
    let detail: string | undefined;
    let banCount: number | undefined;
    let banSeconds: number | undefined;
    switch (line.charCodeAt(m)) {
      case 66: /* B */
        if (!line.startsWith("Ban ", m)) return void sink.skip?.();
        kind = BAN;
        pattern = "ban";
        ipStart = m + 4;
        ipEnd = tokenEnd(line, ipStart, end);
        break;
      case 85: /* U */
        if (!line.startsWith("Unban ", m)) return void sink.skip?.();
        kind = UNBAN;
        pattern = "unban";
        ipStart = m + 6;
        ipEnd = tokenEnd(line, ipStart, end);
        break;
      case 82: /* R */
        if (!line.startsWith("Restore Ban ", m)) return void sink.skip?.();
        kind = RESTORE_BAN;
        pattern = "restoreBan";
        ipStart = m + 12;
        ipEnd = tokenEnd(line, ipStart, end);
        break;
      case 70: /* F */
        // `Found <ip>` or `Found <ip> - <time>`; the observer's
        // `Found <ip>, bad - …` repeats a failure already reported and is skipped
        // because its token ends with a comma.
        if (!line.startsWith("Found ", m)) return void sink.skip?.();
        kind = FOUND;
        pattern = "found";
        ipStart = m + 6;
        ipEnd = tokenEnd(line, ipStart, end);
        if (ipEnd !== end && !line.startsWith(" - ", ipEnd)) return void sink.skip?.();
        break;
      case 73: /* I */
        if (line.startsWith("Ignore ", m)) {
          // `Ignore <ip> by <source>`; `Ignore <ip>, expired bantime` is skipped (token ends with a comma)
          kind = IGNORE;
          pattern = "ignore";
          ipStart = m + 7;
          ipEnd = tokenEnd(line, ipStart, end);
          if (line.startsWith(" by ", ipEnd)) detail = line.slice(ipEnd + 4, end);
          else if (ipEnd !== end) return void sink.skip?.();
        } else if (line.startsWith("Increase Ban ", m)) {
          kind = INCREASE_BAN;
          pattern = "increaseBan";
          ipStart = m + 13;
          ipEnd = tokenEnd(line, ipStart, end);
          if (line.startsWith(" (", ipEnd)) {
            const increase = parseIncrease(line, ipEnd + 2, end);
            banCount = increase.count;
            banSeconds = increase.seconds;
          }
        } else return void sink.skip?.();
        break;
      default: {
        // `<ip> already banned`
        ipStart = m;
        ipEnd = tokenEnd(line, m, end);
        if (ipEnd + 15 !== end || !line.startsWith(" already banned", ipEnd)) {
          return void sink.skip?.();
        }
        kind = ALREADY_BANNED;
        pattern = "alreadyBanned";
      }
    }
    const ip = ipEnd > ipStart ? normalizeIp(line.slice(ipStart, ipEnd)) : undefined;
    if (ip === undefined) return void sink.skip?.(); // a failure id that is not an address

    event.time = stamp.ms;
    event.timeKind = stamp.absolute ? TimeKind.Absolute : TimeKind.Wall;
    event.kind = kind;
    event.ip = ip;
    event.jail = line.slice(pos + 1, close);
    event.level = line.slice(levelStart, levelEnd);
    event.program = line.slice(nameStart, nameEnd);
    event.pid = pid;
    event.banCount = banCount;
    event.banSeconds = banSeconds;
    event.detail = detail;
    event.pattern = pattern;
    sink.emit(event);
  };

  return { format: "fail2ban", parseLine };
}

/**
 * Read `<count> # <duration> -> <end>)` of an `Increase Ban` message from
 * `pos`. The duration is Python's `timedelta` text (`2:00:00`,
 * `1 day, 0:00:00`, `3 days, 12:00:00`) or `permanent` (-1 seconds).
 */
function parseIncrease(
  line: string,
  pos: number,
  end: number,
): { count: number | undefined; seconds: number | undefined } {
  let count: number | undefined;
  let n = 0;
  let value = 0;
  for (let c = line.charCodeAt(pos); c >= 48 && c <= 57 && pos < end; c = line.charCodeAt(++pos)) {
    value = value * 10 + c - 48;
    n++;
  }
  if (n > 0) count = value;
  if (!line.startsWith(" # ", pos)) return { count, seconds: undefined };
  pos += 3;
  const arrow = line.indexOf(" -> ", pos);
  const durationEnd = arrow === -1 || arrow > end ? end : arrow;
  return { count, seconds: parseTimedelta(line.slice(pos, durationEnd)) };
}

/** Seconds of a Python `timedelta` string, -1 for `permanent`, undefined when not one. */
function parseTimedelta(text: string): number | undefined {
  if (text === "permanent") return -1;
  let days = 0;
  let clock = text;
  const comma = text.indexOf(", ");
  if (comma !== -1) {
    const space = text.indexOf(" ");
    const unit = text.slice(space + 1, comma);
    days = Number(text.slice(0, space));
    if ((unit !== "day" && unit !== "days") || !Number.isInteger(days)) return undefined;
    clock = text.slice(comma + 2);
  }
  const parts = clock.split(":");
  if (parts.length !== 3) return undefined;
  if (parts.some((part) => part.length === 0)) return undefined;
  const [h, m, s] = parts.map(Number);
  if (![h, m, s].every((v) => Number.isFinite(v) && v >= 0)) return undefined;
  return days * 86_400 + h * 3_600 + m * 60 + Math.floor(s);
}
