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
import { parseSshdRange, sshdProgramAt, sshdScratchEvent } from "./sshd.ts";

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
  const event: ParsedEvent = sshdScratchEvent(TimeKind.SyslogWall);
  // Caches for runs of lines alike (a log is mostly one host, minute after minute):
  // the last syslog stamp's text up to the seconds ("Jan 28 07:01") and its time,
  const minute = { prefix: "", start: 0 };
  // the last host name, and with its spaces (" web1 ") to recognise it.
  let hostWithSpaces = "";
  let lastHost = "";
  return {
    format: "syslog",
    parseLine(line: string, sink: LineSink): void {
      // time stamp
      let pos = 0;
      let c = line.charCodeAt(0);
      if (c === 60 /* < */) {
        pos = priorityEnd(line);
        c = line.charCodeAt(pos);
      }
      let time: number;
      let timeKind: TimeKind;
      let stampEnd: number;
      if (
        minute.prefix.length !== 0 && line.startsWith(minute.prefix, pos) &&
        line.charCodeAt(pos + 12) === 58 /* : */
      ) {
        const second = twoDigits(line, pos + 13);
        if (!(second >= 0 && second <= 60)) { // (NaN when the line ends inside the stamp)
          sink.bad("no valid syslog time stamp");
          return;
        }
        time = minute.start + second * 1000;
        timeKind = TimeKind.SyslogWall;
        stampEnd = pos + 15;
        if (line.charCodeAt(stampEnd) === 46 /* . */) {
          time += fractionMs(line, stampEnd + 1);
          stampEnd = skipDigits(line, stampEnd + 1);
          if (Number.isNaN(time)) { // the line ends inside the fraction, as parseSyslogStamp finds
            sink.bad("no valid syslog time stamp");
            return;
          }
        }
      } else if (c >= 65 && c <= 90) { // A–Z: Jan … Dec
        time = parseSyslogStamp(line, pos);
        timeKind = TimeKind.SyslogWall;
        if (Number.isNaN(time)) {
          time = unpaddedStamp(line, pos);
          if (Number.isNaN(time)) {
            sink.bad("no valid syslog time stamp");
            return;
          }
          stampEnd = pos + 14;
        } else {
          minute.prefix = line.slice(pos, pos + 12); // short: a copy, not a view of a large chunk
          // the start of the minute: not `time - time % 60_000`, which for a
          // leap second (hh:mm:60) would be the next minute
          minute.start = time - twoDigits(line, pos + 13) * 1000 - (time % 1000);
          stampEnd = pos + 15;
          if (line.charCodeAt(stampEnd) === 46 /* . */) stampEnd = skipDigits(line, stampEnd + 1);
        }
      } else if (c >= 48 && c <= 57) { // 0–9: RFC 3339
        const stamp = parseIsoStamp(line, pos);
        if (Number.isNaN(stamp.ms)) {
          sink.bad("no valid RFC 3339 time stamp");
          return;
        }
        time = stamp.ms;
        timeKind = stamp.absolute ? TimeKind.Absolute : TimeKind.Wall;
        stampEnd = stamp.end;
      } else {
        const reason = notStampedReason(line, c);
        if (reason === undefined) sink.skip?.();
        else sink.bad(reason);
        return;
      }
      // host (optional) and program tag
      let hasHost = true;
      let tagStart: number;
      if (hostWithSpaces.length !== 0 && line.startsWith(hostWithSpaces, stampEnd)) {
        tagStart = stampEnd + hostWithSpaces.length;
      } else {
        if (line.charCodeAt(stampEnd) !== 32) {
          sink.bad("no space after the time stamp");
          return;
        }
        const first = stampEnd + 1;
        let firstEnd = line.indexOf(" ", first);
        if (firstEnd === -1) firstEnd = line.length;
        if (firstEnd === first) {
          sink.bad("no host name after the time stamp");
          return;
        }
        if (line.charCodeAt(firstEnd - 1) === 58 /* : */ && firstEnd - first > 1) {
          tagStart = first; // "Nov 23 21:50:19 sshd[8148]: …": no host name
          hasHost = false;
        } else {
          if (firstEnd === line.length) {
            sink.bad("no program after the host name");
            return;
          }
          tagStart = firstEnd + 1;
          // a copy: a slice would keep the chunk of the log it was cut from alive
          lastHost = (line.slice(first, firstEnd) + "\n").slice(0, -1);
          hostWithSpaces = ` ${lastHost} `;
        }
      }
      const program = readTag(line, tagStart);
      if (program === undefined) {
        // another program, or no tag ("last message repeated 3 times"): valid, nothing to read
        sink.skip?.();
        return;
      }
      event.time = time;
      event.timeKind = timeKind;
      event.host = hasHost ? lastHost : undefined;
      event.program = program;
      event.pid = tagPid;
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
// Helpers. Results beyond the return value go to module-level variables
// rather than objects, so that a line costs no allocation.

/** Process id in the tag read by {@linkcode readTag}, or undefined. */
let tagPid: number | undefined;
/** Index of the message after the tag read by {@linkcode readTag}. */
let messageStart = 0;

/** Index after the run of digits at `pos`. */
function skipDigits(line: string, pos: number): number {
  for (;;) {
    const d = line.charCodeAt(pos);
    if (!(d >= 48 && d <= 57)) return pos;
    pos++;
  }
}

/** Index after a `<PRI>` prefix (`<38>`), or 0 when there is none. */
function priorityEnd(line: string): number {
  for (let i = 1; i <= 4; i++) {
    const c = line.charCodeAt(i);
    if (c === 62 /* > */) return i > 1 ? i + 1 : 0;
    if (c < 48 || c > 57) return 0;
  }
  return 0;
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
 * Why a line that starts with neither a letter nor a digit (`c`) is bad, or
 * undefined when it is to be skipped: journalctl's own lines (`-- Boot … --`,
 * `-- No entries --`), blank lines and the indented continuation lines of
 * multi-line journal messages.
 */
function notStampedReason(line: string, c: number): string | undefined {
  if (c === 45 /* - */ && line.startsWith("-- ")) {
    if (line.endsWith(" --") || line.startsWith("-- No entries")) return undefined;
    return "no syslog time stamp";
  }
  if (c === 32 || c === 9 || c === 13 || line.length === 0) return undefined;
  return "no syslog time stamp";
}

/**
 * Read the program tag (`name[pid]:` or `name:`) at `tagStart`: the sshd
 * program name as a constant string, or undefined when the tag is of
 * another program or missing. Sets `tagPid` and `messageStart`.
 */
function readTag(
  line: string,
  tagStart: number,
): "sshd" | "sshd-session" | "sshd-auth" | undefined {
  let program: "sshd" | "sshd-session" | "sshd-auth" | undefined;
  let nameEnd: number;
  // fast paths for the usual tags
  if (line.startsWith("sshd[", tagStart)) {
    program = "sshd";
    nameEnd = tagStart + 4;
  } else if (line.startsWith("sshd-session[", tagStart)) {
    program = "sshd-session";
    nameEnd = tagStart + 12;
  } else {
    const t = line.charCodeAt(tagStart);
    if (t !== 115 /* s */ && t !== 47 /* / */) return undefined; // not sshd
    nameEnd = tagStart;
    const limit = Math.min(line.length, tagStart + 128);
    for (; nameEnd < limit; nameEnd++) {
      const c = line.charCodeAt(nameEnd);
      if (c === 58 /* : */ || c === 91 /* [ */) break;
      if (c === 32) return undefined;
    }
    program = sshdProgramAt(line, tagStart, nameEnd);
    if (program === undefined) return undefined;
  }
  let colon = nameEnd;
  tagPid = undefined;
  if (line.charCodeAt(nameEnd) === 91 /* [ */) {
    let value = 0;
    let i = nameEnd + 1;
    for (;; i++) {
      const d = line.charCodeAt(i) - 48;
      if (!(d >= 0 && d <= 9)) break;
      value = value * 10 + d;
    }
    if (i === nameEnd + 1 || i - nameEnd > 11 || line.charCodeAt(i) !== 93 /* ] */) {
      return undefined;
    }
    tagPid = value;
    colon = i + 1;
  }
  if (line.charCodeAt(colon) !== 58 /* : */) return undefined;
  messageStart = line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
  return program;
}
