/**
 * `journalctl -o json` export: one JSON object per line.
 *
 * Fields used: `__REALTIME_TIMESTAMP` (microseconds since the epoch, a
 * string; `_SOURCE_REALTIME_TIMESTAMP` when it is missing), `_HOSTNAME`,
 * `SYSLOG_IDENTIFIER` / `_COMM`, `SYSLOG_PID` / `_PID` and `MESSAGE`.
 * journald writes a field that is not valid UTF-8 as an array of byte
 * values, a field that occurs more than once as an array of values, and a
 * field too large to show as `null`; all three are handled.
 *
 * Only messages of `sshd`, `sshd-session` and `sshd-auth` are read further,
 * by {@linkcode parseSshdMessage}. A line that is not a JSON object is bad.
 *
 * @module
 */
import { type LineSink, type LogParser, type ParsedEvent, TimeKind } from "./types.ts";
import { isSshdProgram, parseSshdMessage, sshdScratchEvent } from "./sshd.ts";

const utf8 = new TextDecoder("utf-8");

/**
 * Make a parser for `journalctl -o json` lines.
 *
 * @example
 * ```ts
 * import { createJournalJsonParser } from "./journal.ts";
 * const parser = createJournalJsonParser();
 * parser.parseLine(
 *   JSON.stringify({
 *     __REALTIME_TIMESTAMP: "1706425317000000",
 *     _HOSTNAME: "web1",
 *     SYSLOG_IDENTIFIER: "sshd",
 *     _PID: "812",
 *     MESSAGE: "Invalid user admin from 192.0.2.1 port 4711",
 *   }),
 *   { emit: (e) => console.log(new Date(e.time), e.ip), bad: console.error },
 * );
 * ```
 */
export function createJournalJsonParser(): LogParser {
  const event: ParsedEvent = sshdScratchEvent(TimeKind.Absolute);
  return {
    format: "journal-json",
    parseLine(line: string, sink: LineSink): void {
      let first = 0;
      while (first < line.length && isSpace(line.charCodeAt(first))) first++;
      if (first === line.length) {
        sink.skip?.();
        return;
      }
      if (line.charCodeAt(first) !== 123 /* { */) {
        sink.bad("not a JSON object");
        return;
      }
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        sink.bad("invalid JSON");
        return;
      }
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        sink.bad("not a JSON object");
        return;
      }
      const fields = entry as Record<string, unknown>;
      const identifier = fieldText(fields.SYSLOG_IDENTIFIER);
      const command = fieldText(fields._COMM);
      let program: string | undefined;
      if (identifier !== undefined && isSshdProgram(identifier)) program = identifier;
      else if (command !== undefined && isSshdProgram(command)) program = command;
      const message = program === undefined ? undefined : fieldText(fields.MESSAGE);
      if (program === undefined || message === undefined) {
        sink.skip?.();
        return;
      }
      const micros = fieldText(fields.__REALTIME_TIMESTAMP) ??
        fieldText(fields._SOURCE_REALTIME_TIMESTAMP);
      const time = micros === undefined || micros.length === 0
        ? NaN
        : Math.floor(Number(micros) / 1000);
      if (Number.isFinite(time)) {
        event.time = time;
        event.timeKind = TimeKind.Absolute;
      } else {
        event.time = NaN;
        event.timeKind = TimeKind.None;
      }
      event.host = fieldText(fields._HOSTNAME);
      event.program = program.slice(program.lastIndexOf("/") + 1);
      event.pid = parsePid(fieldText(fields.SYSLOG_PID) ?? fieldText(fields._PID));
      parseSshdMessage(message, event, sink);
    },
  };
}

/**
 * True when `line` looks like a `journalctl -o json` entry: a JSON object
 * with journal fields. Used to recognise the format of a file.
 */
export function sniffJournalJson(line: string): boolean {
  return line.charCodeAt(0) === 123 /* { */ &&
    (line.includes('"__REALTIME_TIMESTAMP"') || line.includes('"__CURSOR"') ||
      (line.includes('"MESSAGE"') && line.includes('"_HOSTNAME"')));
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/**
 * Text of a journal field: a string as is, an array of byte values decoded
 * as UTF-8 (invalid sequences become U+FFFD), the first of several values;
 * undefined for anything else (`null`: too large to show).
 */
function fieldText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const first = value[0];
  if (typeof first === "number") return decodeBytes(value);
  if (typeof first === "string") return first;
  return Array.isArray(first) ? decodeBytes(first) : undefined;
}

/** UTF-8 text of an array of byte values, or undefined when one is not a byte. */
function decodeBytes(values: unknown[]): string | undefined {
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const byte = values[i];
    if (typeof byte !== "number" || !(byte >= 0 && byte <= 255)) return undefined;
    bytes[i] = byte;
  }
  return utf8.decode(bytes);
}

function parsePid(text: string | undefined): number | undefined {
  if (text === undefined || text.length === 0 || text.length > 10) return undefined;
  const pid = Number(text);
  return Number.isInteger(pid) && pid >= 0 ? pid : undefined;
}
