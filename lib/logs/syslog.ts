/**
 * Syslog text: `/var/log/auth.log` (Debian, Ubuntu), `/var/log/secure`
 * (RHEL, CentOS, Fedora) and `journalctl` text output.
 *
 * A line is `STAMP HOST TAG: MESSAGE`, where
 *
 * - STAMP is a classic syslog stamp `Jan 28 07:01:57` (day space-padded,
 *   optional fraction as in `journalctl -o short-precise`), or an RFC 3339
 *   stamp (rsyslog's high-precision `2024-01-28T07:01:57.123456+01:00`,
 *   `journalctl -o short-iso`'s `2024-01-28T07:01:57+0100`);
 * - HOST is the host name (some old syslogs leave it out);
 * - TAG is `name[pid]:` or `name:`.
 *
 * Only lines of `sshd`, `sshd-session` (OpenSSH ≥ 9.8) and `sshd-auth`
 * (OpenSSH 10) are read further, by {@linkcode parseSshdRange}; lines of
 * other programs are valid but carry nothing for jailbook. `journalctl`'s
 * own lines (`-- Boot … --`, `-- No entries --`), empty lines and indented
 * continuation lines of multi-line journal messages are skipped. A line
 * without a time stamp and a host is reported as bad.
 *
 * @module
 */
import { type LineSink, type LogParser, type ParsedEvent, TimeKind } from "./types.ts";
import { fractionMs, parseIsoStamp, parseSyslogStamp, twoDigits } from "./time.ts";
import { parseSshdRange, sshdProgramAt } from "./sshd.ts";

/**
 * Make a parser for syslog text (auth.log, secure, `journalctl` output).
 *
 * @example
 * ```ts
 * import { createSyslogParser } from "./syslog.ts";
 * const parser = createSyslogParser();
 * parser.parseLine(
 *   "Jan 28 07:01:57 web1 sshd[812]: Failed password for root from 192.0.2.1 port 22 ssh2",
 *   { emit: (e) => console.log(e.ip, e.user), bad: console.error }, // 192.0.2.1 root
 * );
 * ```
 */
export function createSyslogParser(): LogParser {
  const event: ParsedEvent = {
    time: NaN,
    timeKind: TimeKind.SyslogWall,
    kind: 0,
    ip: undefined,
    user: undefined,
    port: undefined,
    host: undefined,
    suspicious: undefined,
    program: undefined,
    pid: undefined,
    detail: undefined,
    count: undefined,
    pattern: undefined,
  };
  // The host name of the previous sshd line, reused while it does not change.
  let lastHost = "";
  return {
    format: "syslog",
    parseLine(line: string, sink: LineSink): void {
      const header = readHeader(line);
      if (header !== HEADER_OK) {
        if (header === HEADER_SKIP) sink.skip?.();
        else sink.bad(header);
        return;
      }
      const program = tagEnd === -1 ? undefined : sshdProgramAt(line, tagStart, nameEnd);
      if (program === undefined) {
        sink.skip?.();
        return;
      }
      event.time = stampTime;
      event.timeKind = stampKind;
      if (hostStart === -1) event.host = undefined;
      else {
        if (hostEnd - hostStart !== lastHost.length || !line.startsWith(lastHost, hostStart)) {
          lastHost = line.slice(hostStart, hostEnd);
        }
        event.host = lastHost;
      }
      event.program = program;
      event.pid = pid;
      parseSshdRange(line, messageStart, line.length, event, sink);
    },
  };
}

/**
 * True when `line` starts with a syslog stamp (`Jan 28 07:01:57 `) or an
 * RFC 3339 stamp with `T` (`2024-01-28T07:01:57+01:00 `), i.e. could be
 * syslog text. Used to recognise the format of a file.
 */
export function sniffSyslog(line: string): boolean {
  let pos = 0;
  if (line.charCodeAt(0) === 60 /* < */) pos = priorityEnd(line);
  const c = line.charCodeAt(pos);
  if (c >= 65 && c <= 90) {
    if (!Number.isNaN(parseSyslogStamp(line, pos))) return true;
    return !Number.isNaN(unpaddedStamp(line, pos));
  }
  if (c >= 48 && c <= 57 && line.charCodeAt(pos + 10) === 84 /* T */) {
    const stamp = parseIsoStamp(line, pos);
    return !Number.isNaN(stamp.ms) && line.charCodeAt(stamp.end) === 32;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Header reading. The results go to module-level variables rather than an
// object, so that a line costs no allocation until an event is emitted.

const HEADER_OK = "";
const HEADER_SKIP = "skip";

let stampTime = NaN;
let stampKind: TimeKind = TimeKind.SyslogWall;
/** Host name start and end; -1 when the line has none. */
let hostStart = -1;
let hostEnd = -1;
/** Program tag start, end of its name, index of its colon (-1: no tag). */
let tagStart = 0;
let nameEnd = 0;
let tagEnd = -1;
let pid: number | undefined;
let messageStart = 0;

/** Index after a `<PRI>` prefix (`<38>`), or 0 when there is none. */
function priorityEnd(line: string): number {
  for (let i = 1; i <= 4; i++) {
    const c = line.charCodeAt(i);
    if (c === 62 /* > */) return i > 1 ? i + 1 : 0;
    if (c < 48 || c > 57) return 0;
  }
  return 0;
}

/** Month and day (`Jan 28`) of the last stamp read, as character codes. */
let dayCodes = 0;
let dayCodes2 = 0;
/** Provisional time of midnight of that day. */
let dayStart = NaN;
const HOUR = 3_600_000;

/**
 * {@linkcode parseSyslogStamp} at `pos`, faster for lines of the same day as
 * the previous one (most of a log): the day's start is remembered and only
 * the time of day is read.
 */
function syslogStampAt(line: string, pos: number): number {
  const codes = line.charCodeAt(pos) | line.charCodeAt(pos + 1) << 8 |
    line.charCodeAt(pos + 2) << 16;
  const codes2 = line.charCodeAt(pos + 4) | line.charCodeAt(pos + 5) << 8;
  if (codes === dayCodes && codes2 === dayCodes2 && line.charCodeAt(pos + 3) === 32) {
    const h = twoDigits(line, pos + 7), mi = twoDigits(line, pos + 10);
    const sec = twoDigits(line, pos + 13);
    if (
      h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 60 &&
      line.charCodeAt(pos + 6) === 32 && line.charCodeAt(pos + 9) === 58 &&
      line.charCodeAt(pos + 12) === 58
    ) {
      const ms = line.charCodeAt(pos + 15) === 46 ? fractionMs(line, pos + 16) : 0;
      return dayStart + h * HOUR + mi * 60_000 + sec * 1000 + ms;
    }
    return NaN;
  }
  const time = parseSyslogStamp(line, pos);
  if (!Number.isNaN(time)) {
    dayCodes = codes;
    dayCodes2 = codes2;
    dayStart = time - time % (24 * HOUR);
  }
  return time;
}

/**
 * A stamp with an unpadded day (`Feb 7 16:01:07`, written by some
 * embedded syslogs) at `pos`: provisional time, or NaN.
 */
function unpaddedStamp(line: string, pos: number): number {
  const d = line.charCodeAt(pos + 4);
  if (line.charCodeAt(pos + 5) !== 32 || d < 49 || d > 57) return NaN;
  return parseSyslogStamp(`${line.slice(pos, pos + 4)} ${line.slice(pos + 4, pos + 14)}`, 0);
}

/**
 * Read the header of `line` into the module variables; returns
 * {@linkcode HEADER_OK}, {@linkcode HEADER_SKIP} or the reason the line is
 * bad.
 */
function readHeader(line: string): string {
  const length = line.length;
  if (length === 0) return HEADER_SKIP;
  let pos = 0;
  let c = line.charCodeAt(0);
  if (c === 60 /* < */) {
    pos = priorityEnd(line);
    c = line.charCodeAt(pos);
  }
  let stampEnd: number;
  if (c >= 65 && c <= 90) { // A–Z: Jan … Dec
    stampTime = syslogStampAt(line, pos);
    stampKind = TimeKind.SyslogWall;
    if (Number.isNaN(stampTime)) {
      stampTime = unpaddedStamp(line, pos);
      if (Number.isNaN(stampTime)) return "no valid syslog time stamp";
      stampEnd = pos + 14;
    } else {
      stampEnd = pos + 15;
      if (line.charCodeAt(stampEnd) === 46 /* . */) {
        stampEnd++;
        while (stampEnd < length) {
          const d = line.charCodeAt(stampEnd);
          if (d < 48 || d > 57) break;
          stampEnd++;
        }
      }
    }
  } else if (c >= 48 && c <= 57) { // 0–9: RFC 3339
    const stamp = parseIsoStamp(line, pos);
    if (Number.isNaN(stamp.ms)) return "no valid RFC 3339 time stamp";
    stampTime = stamp.ms;
    stampKind = stamp.absolute ? TimeKind.Absolute : TimeKind.Wall;
    stampEnd = stamp.end;
  } else if (c === 45 /* - */ && line.startsWith("-- ")) {
    // journalctl: "-- Logs begin at … --", "-- Boot 3f0c… --", "-- No entries --"
    if (line.endsWith(" --") || line.startsWith("-- No entries")) return HEADER_SKIP;
    return "no syslog time stamp";
  } else if (c === 32 || c === 9 || c === 13) {
    // blank line, or the continuation of a multi-line journal message
    return HEADER_SKIP;
  } else {
    return "no syslog time stamp";
  }
  if (line.charCodeAt(stampEnd) !== 32) return "no space after the time stamp";
  // host
  const first = stampEnd + 1;
  let firstEnd = line.indexOf(" ", first);
  if (firstEnd === -1) firstEnd = length;
  if (firstEnd === first) return "no host name after the time stamp";
  if (line.charCodeAt(firstEnd - 1) === 58 /* : */ && firstEnd - first > 1) {
    // "Nov 23 21:50:19 sshd[8148]: …": no host name, the first word is the tag
    hostStart = hostEnd = -1;
    tagStart = first;
  } else {
    if (firstEnd === length) return "no program after the host name";
    hostStart = first;
    hostEnd = firstEnd;
    tagStart = firstEnd + 1;
  }
  // tag: name[pid]: or name:
  pid = undefined;
  tagEnd = -1;
  const t = line.charCodeAt(tagStart);
  if (t !== 115 /* s */ && t !== 47 /* / */) return HEADER_OK; // not sshd: the tag is not needed
  let i = tagStart;
  const limit = Math.min(length, tagStart + 128);
  while (i < limit) {
    const c = line.charCodeAt(i);
    if (c === 58 /* : */) {
      nameEnd = i;
      tagEnd = i;
      break;
    }
    if (c === 91 /* [ */) {
      nameEnd = i;
      let value = 0;
      let j = i + 1;
      while (j < limit) {
        const d = line.charCodeAt(j) - 48;
        if (d < 0 || d > 9) break;
        value = value * 10 + d;
        j++;
      }
      if (j > i + 1 && line.charCodeAt(j) === 93 /* ] */ && line.charCodeAt(j + 1) === 58) {
        pid = value;
        tagEnd = j + 1;
      }
      break;
    }
    if (c === 32) break;
    i++;
  }
  if (tagEnd !== -1) {
    messageStart = tagEnd + 1;
    if (line.charCodeAt(messageStart) === 32) messageStart++;
  }
  // No tag ("last message repeated 3 times", "-- MARK --"): valid, nothing to read.
  return HEADER_OK;
}
