/**
 * Parser for the CSV file of the fail2ban-blacklist scripts
 * (`/etc/fail2ban/blacklist.csv`): one row per ban an action recorded.
 *
 * ```
 * DATE,TIME,IP_ADDRESS
 * 2018-12-05,06:33:23,192.0.2.1
 * ```
 *
 * Quirks of the files in the wild, all accepted:
 *
 * - the script formatted the time with `%H:%M-%S`, so rows read
 *   `2018-12-05,06:33-23,192.0.2.1`;
 * - the shipped header had no final newline, so the first row appended
 *   follows the header on the same line
 *   (`DATE,TIME,IP_ADDRESS2018-12-05,06:33-23,192.0.2.1`);
 * - Python's csv module ends rows with CRLF, and any field may be quoted;
 * - addresses may have leading zeros (`010.000.002.001`).
 *
 * Date and time are the server's wall clock ({@linkcode TimeKind.Wall}).
 *
 * @module
 */
import { kindIndex } from "./kinds.ts";
import { normalizeIp } from "./ip.ts";
import { digits, twoDigits } from "./time.ts";
import type { LineSink, LogParser, ParsedEvent } from "./types.ts";
import { TimeKind } from "./types.ts";

/** Row shapes the parser recognises, by pattern name (the `pattern` of each event). */
export const PATTERNS = {
  /** `2018-12-05,06:33:23,192.0.2.1` (or `06:33` without seconds). */
  row: "YYYY-MM-DD,HH:MM:SS,<ip>",
  /** `2018-12-05,06:33-23,192.0.2.1`, as the script's `%H:%M-%S` wrote it. */
  rowDashedSeconds: "YYYY-MM-DD,HH:MM-SS,<ip>",
} as const;

/** Name of one of {@linkcode PATTERNS}. */
export type Fail2banBlacklistPattern = keyof typeof PATTERNS;

const BLACKLISTED = kindIndex("blacklisted");
const HEADER = "DATE,TIME,IP_ADDRESS";
const QUOTED_HEADER = '"DATE","TIME","IP_ADDRESS"';

/** Split one CSV record into trimmed fields (double-quoted fields, `""` escapes). */
function splitCsv(text: string): string[] | undefined {
  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    while (text.charCodeAt(pos) === 32) pos++;
    let field: string;
    if (text.charCodeAt(pos) === 34 /* " */) {
      field = "";
      pos++;
      for (;;) {
        const close = text.indexOf('"', pos);
        if (close === -1) return undefined;
        field += text.slice(pos, close);
        if (text.charCodeAt(close + 1) === 34) {
          field += '"';
          pos = close + 2;
        } else {
          pos = close + 1;
          break;
        }
      }
      while (text.charCodeAt(pos) === 32) pos++;
      if (pos < text.length && text.charCodeAt(pos) !== 44 /* , */) return undefined;
    } else {
      const comma = text.indexOf(",", pos);
      field = (comma === -1 ? text.slice(pos) : text.slice(pos, comma)).trim();
      pos = comma === -1 ? text.length : comma;
    }
    fields.push(field);
    if (pos >= text.length) return fields;
    pos++; // the comma
  }
}

/** Length of the header (plain or quoted) at the start of `text`, or -1. */
function headerLength(text: string): number {
  if (text.startsWith(HEADER)) return HEADER.length;
  if (text.startsWith(QUOTED_HEADER)) return QUOTED_HEADER.length;
  return -1;
}

/**
 * True when `line` is the header or a row of a fail2ban-blacklist CSV file.
 *
 * @example
 * ```ts
 * import { sniffFail2banBlacklist } from "./fail2ban_blacklist.ts";
 * sniffFail2banBlacklist("DATE,TIME,IP_ADDRESS"); // true
 * sniffFail2banBlacklist("2018-12-05,06:33:23,192.0.2.1"); // true
 * sniffFail2banBlacklist("Status for the jail: sshd"); // false
 * ```
 */
export function sniffFail2banBlacklist(line: string): boolean {
  const text = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  if (headerLength(text) >= 0) return true;
  const fields = splitCsv(text.trimEnd());
  return fields !== undefined && fields.length === 3 && !Number.isNaN(parseDate(fields[0])) &&
    parseTime(fields[1]).seconds >= 0 && normalizeIp(fields[2]) !== undefined;
}

/** Midnight (UTC-as-wall) of `YYYY-MM-DD`, or NaN. */
function parseDate(text: string): number {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return NaN;
  const y = digits(text, 0, 4), m = twoDigits(text, 5), d = twoDigits(text, 8);
  if (y < 0 || m < 1 || m > 12 || d < 1) return NaN;
  const ms = Date.UTC(y, m - 1, d);
  return new Date(ms).getUTCDate() === d ? ms : NaN; // rejects 2018-02-30
}

/** Seconds into the day of `HH:MM:SS`, `HH:MM-SS` or `HH:MM`; -1 when none. */
function parseTime(text: string): { seconds: number; dashed: boolean } {
  const h = twoDigits(text, 0), m = twoDigits(text, 3);
  if (text.charCodeAt(2) !== 58 /* : */ || h < 0 || h > 23 || m < 0 || m > 59) {
    return { seconds: -1, dashed: false };
  }
  if (text.length === 5) return { seconds: h * 3600 + m * 60, dashed: false };
  const sep = text.charCodeAt(5);
  const s = twoDigits(text, 6);
  if (text.length !== 8 || (sep !== 58 && sep !== 45 /* - */) || s < 0 || s > 60) {
    return { seconds: -1, dashed: false };
  }
  return { seconds: h * 3600 + m * 60 + s, dashed: sep === 45 };
}

/**
 * Create a parser for the fail2ban-blacklist CSV file. Emits one
 * `blacklisted` event per row.
 *
 * @example
 * ```ts
 * import { createFail2banBlacklistParser } from "./fail2ban_blacklist.ts";
 * const parser = createFail2banBlacklistParser();
 * parser.parseLine("2018-12-05,06:33:23,192.0.2.1", {
 *   emit: (e) => console.log(new Date(e.time).toISOString(), e.ip),
 *   bad: console.error,
 * }); // 2018-12-05T06:33:23.000Z 192.0.2.1
 * ```
 */
export function createFail2banBlacklistParser(): LogParser {
  const event: ParsedEvent = {
    time: NaN,
    timeKind: TimeKind.Wall,
    kind: BLACKLISTED,
    ip: undefined,
  };

  const parseLine = (line: string, sink: LineSink): void => {
    let text = line;
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.charCodeAt(text.length - 1) === 13 /* \r */) text = text.slice(0, -1);
    const header = headerLength(text);
    if (header >= 0) text = text.slice(header);
    if (text.trim().length === 0) {
      sink.skip?.();
      return;
    }
    const fields = splitCsv(text);
    if (fields === undefined || fields.length !== 3) {
      sink.bad("expected three fields DATE,TIME,IP_ADDRESS");
      return;
    }
    const day = parseDate(fields[0]);
    if (Number.isNaN(day)) {
      sink.bad(`malformed date "${fields[0].slice(0, 40)}"`);
      return;
    }
    const time = parseTime(fields[1]);
    if (time.seconds < 0) {
      sink.bad(`malformed time "${fields[1].slice(0, 40)}"`);
      return;
    }
    const ip = normalizeIp(fields[2]);
    if (ip === undefined) {
      sink.bad(`not an IP address: "${fields[2].slice(0, 60)}"`);
      return;
    }
    event.time = day + time.seconds * 1000;
    event.ip = ip;
    event.pattern = time.dashed ? "rowDashedSeconds" : "row";
    sink.emit(event);
  };

  return { format: "fail2ban-blacklist", parseLine };
}
