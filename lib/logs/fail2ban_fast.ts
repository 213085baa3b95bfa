/**
 * A byte-level scanner for `fail2ban.log`: the fast path of
 * {@linkcode createFail2banParser}, for chunks of whole lines as
 * {@linkcode readChunks} hands them out.
 *
 * The records that make up nearly all of a busy fail2ban.log are read
 * straight from the bytes:
 *
 * ```
 * 2024-03-01 10:00:01,123 fail2ban.filter         [812]: INFO    [sshd] Found 192.0.2.1 - 2024-03-01 10:00:00
 * 2013-01-28 07:01:57,512 fail2ban.actions: WARNING [ssh] Ban 192.0.2.1
 * ```
 *
 * - the stamp `YYYY-MM-DD HH:MM:SS,mmm `, its minute cached (four words);
 * - the header from the logger name to the message (`fail2ban.filter
 *   [812]: INFO    `), cached with its logger name, process id and level
 *   (a handful of distinct headers make up a whole file);
 * - the messages `[jail] Found|Ban|Unban|Restore Ban|Increase Ban|Ignore <ip>…`
 *   and `[jail] <ip> already banned`; other messages, and the lines of a
 *   multi-line record (which do not start with `YYYY-`), are passed over.
 *
 * Any line the scanner is not certain about — non-ASCII or NUL bytes, a
 * stamp or header of another shape, a control character where a token ends,
 * an `Increase Ban` duration in days, two carriage returns — is decoded on its
 * own (with the damage reporting of {@linkcode readLines}) and handed to
 * {@linkcode createFail2banParser}, which stays the reference: the scanner
 * reports exactly the events, bad lines and skipped lines the string parser
 * reports for the same lines (tests/fail2ban_fast_test.ts compares them).
 * Only the string path reports bad lines.
 *
 * The string parser keeps no state from line to line (a continuation line
 * is recognised by its own start), so the scanner needs none across lines
 * or chunks either.
 *
 * IPs, jails and details are interned by their bytes (lib/logs/bytes.ts): a
 * repeated address costs a comparison, no new string.
 *
 * @module
 */
import {
  asciiDecoder,
  findLineEnd,
  hashRange,
  Interner,
  scannableChunk,
  tokenEnd,
} from "./bytes.ts";
import {
  ALREADY_BANNED,
  BAN,
  createFail2banParser,
  type Fail2banPattern,
  FOUND,
  IGNORE,
  INCREASE_BAN,
  RESTORE_BAN,
  UNBAN,
} from "./fail2ban.ts";
import { normalizeIp } from "./ip.ts";
import { decodeLine, type ReadResult } from "./read.ts";
import { type LineSink, type LogParser, type ParsedEvent, TimeKind } from "./types.ts";

/** Returned by the line readers: the line must take the string path. */
const FALLBACK = -1;

/** Longest header (logger name to message) the scanner reads itself. */
const MAX_HEADER = 128;
/** Headers remembered. */
const HEADER_SLOTS = 16;
/** Most digits of a number read on the fast path (exact, no overflow). */
const MAX_DIGITS = 9;

// ---------------------------------------------------------------------------
// Constant texts, compared four bytes at a time: each number is the
// little-endian 32-bit word of four characters of the text in the comment, at
// offsets 0, 4, 8, … and (overlapping) length − 4. A comparison stops at the
// first word that differs, so it never reads more than three bytes past the
// "\n" of a line. tests/fail2ban_fast_test.ts checks every one against its text.

/** `fail2ban` at `i`. */
function atFail2ban(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6c696166 &&
    view.getInt32(i + 4, true) === 0x6e616232;
}

/** `Found ` at `i`. */
function atFound(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6e756f46 &&
    view.getInt32(i + 2, true) === 0x20646e75;
}

/** `Ban ` at `i`. */
function atBan(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x206e6142;
}

/** `Unban ` at `i`. */
function atUnban(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x61626e55 &&
    view.getInt32(i + 2, true) === 0x206e6162;
}

/** `Restore Ban ` at `i`. */
function atRestoreBan(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x74736552 &&
    view.getInt32(i + 4, true) === 0x2065726f &&
    view.getInt32(i + 8, true) === 0x206e6142;
}

/** `Increase Ban ` at `i`. */
function atIncreaseBan(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x72636e49 &&
    view.getInt32(i + 4, true) === 0x65736165 &&
    view.getInt32(i + 8, true) === 0x6e614220 &&
    view.getInt32(i + 9, true) === 0x206e6142;
}

/** `Ignore ` at `i`. */
function atIgnore(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x6f6e6749 &&
    view.getInt32(i + 3, true) === 0x2065726f;
}

/** ` already banned` at `i`. */
function atAlreadyBanned(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x726c6120 &&
    view.getInt32(i + 4, true) === 0x79646165 &&
    view.getInt32(i + 8, true) === 0x6e616220 &&
    view.getInt32(i + 11, true) === 0x64656e6e;
}

/** ` by ` at `i`. */
function atBy(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x20796220;
}

/** ` -> ` at `i`. */
function atArrow(view: DataView, i: number): boolean {
  return view.getInt32(i, true) === 0x203e2d20;
}

/** @internal Every matcher above with its text, for tests. */
export const TEXT_MATCHERS: readonly [(view: DataView, i: number) => boolean, string][] = [
  [atFail2ban, "fail2ban"],
  [atFound, "Found "],
  [atBan, "Ban "],
  [atUnban, "Unban "],
  [atRestoreBan, "Restore Ban "],
  [atIncreaseBan, "Increase Ban "],
  [atIgnore, "Ignore "],
  [atAlreadyBanned, " already banned"],
  [atBy, " by "],
  [atArrow, " -> "],
];

// ---------------------------------------------------------------------------
// Interned strings, shared by all scanners: their values depend on the bytes only.

/** Normalised IPs by their text as logged (`""`: not an IP, as for {@linkcode normalizeIp}). */
const ips = new Interner((text) => normalizeIp(text) ?? "", 12, 17);
/** Jail names as logged. */
const jails = new Interner((text) => text, 4, 12);
/** `Ignore … by <detail>` details as logged. */
const details = new Interner((text) => text, 4, 10);

/** A header as logged (logger name to message) and what the string parser reads from it. */
interface Header {
  /** Its bytes as little-endian words at 0, 4, … and (overlapping) length − 4. */
  words: Int32Array;
  length: number;
  program: string;
  pid: number | undefined;
  level: string;
}

// ---------------------------------------------------------------------------
// The scanner. The line readers below work on module-level state set by
// `Fail2banScanner.scan` (one scan runs at a time: JavaScript is
// single-threaded and a scan never awaits).

/** The chunk being scanned, a DataView of it and its buffer as 32-bit words. */
let chunk: Uint8Array = new Uint8Array(0);
let chunkView: DataView = new DataView(chunk.buffer);
let chunkWords: Int32Array = new Int32Array(0);
/** Offset of `chunk` in its buffer, in bytes (a multiple of 4). */
let base = 0;
/** The scanner running (for skip). */
let scanner: Fail2banScanner;

/** {@linkcode findLineEnd} in the chunk being scanned. */
function lineEnd(i: number): number {
  return findLineEnd(chunk, chunkWords, base, i);
}

/** Pass over the rest of a line that yields nothing; FALLBACK when it holds damaged bytes. */
function skipRest(i: number): number {
  const nl = lineEnd(i);
  if (nl === -1) return FALLBACK;
  scanner.sink.skip?.();
  return nl + 1;
}

/** Report a line that yields nothing whose end is known. */
function skipped(nl: number): number {
  scanner.sink.skip?.();
  return nl + 1;
}

/** Value of one ASCII digit at `i`, or -1 (also past the end of the chunk). */
function digitAt(b: Uint8Array, i: number): number {
  const d = b[i] - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/** Two ASCII digits at `i`, or -1. */
function twoDigitsAt(b: Uint8Array, i: number): number {
  const x = digitAt(b, i), y = digitAt(b, i + 1);
  return x < 0 || y < 0 ? -1 : x * 10 + y;
}

/** True when the line at `i` starts like a record (`YYYY-`), as fail2ban.ts decides. */
function startsLikeRecord(b: Uint8Array, i: number): boolean {
  return digitAt(b, i) >= 0 && digitAt(b, i + 1) >= 0 && digitAt(b, i + 2) >= 0 &&
    digitAt(b, i + 3) >= 0 && b[i + 4] === 45;
}

/**
 * A run of 1–{@linkcode MAX_DIGITS} digits at `i`: its value, with the index
 * after it in `numberEnd`; -1 when there is none or it is longer.
 */
function numberAt(b: Uint8Array, i: number): number {
  let value = 0;
  const start = i;
  let d = digitAt(b, i);
  while (d >= 0) {
    value = value * 10 + d;
    d = digitAt(b, ++i);
  }
  numberEnd = i;
  return i === start || i - start > MAX_DIGITS ? -1 : value;
}

/** The index after the number read by the last {@linkcode numberAt}. */
let numberEnd = 0;

/**
 * Reads chunks of whole `fail2ban.log` lines (as {@linkcode readChunks} hands
 * them out) and reports to `sink` exactly what {@linkcode createFail2banParser}
 * would for each line. During a `sink` call, `line` is the current line and,
 * for a line that went the string path (the only ones that can be bad),
 * `text` is its decoded text.
 *
 * @example
 * ```ts
 * import { readChunks } from "./read.ts";
 * import { Fail2banScanner } from "./fail2ban_fast.ts";
 * const scanner = new Fail2banScanner({
 *   emit: (e) => console.log(scanner.line, e.jail, e.ip),
 *   bad: (reason) => console.error(scanner.line, reason, scanner.text),
 * });
 * await readChunks("data/sample/fail2ban.log", (bytes, start, end, firstLine, result) =>
 *   scanner.scan(bytes, start, end, firstLine, result)
 * );
 * ```
 */
export class Fail2banScanner {
  /** 1-based number of the line being read. */
  line = 0;
  /** Decoded text of the line being read when it went the string path, else "". */
  text = "";
  readonly sink: LineSink;
  /** The scratch event handed to `sink.emit` (reused), with the fields fail2ban.ts sets. */
  readonly event: ParsedEvent = {
    time: NaN,
    timeKind: TimeKind.Wall,
    kind: 0,
    ip: undefined,
    ipId: undefined,
    jail: undefined,
    level: undefined,
    program: undefined,
    pid: undefined,
    banCount: undefined,
    banSeconds: undefined,
    detail: undefined,
    pattern: undefined,
  };
  readonly #parser: LogParser = createFail2banParser();
  // the minute of the last stamp: "YYYY-MM-DD HH:MM" as four words, and its time
  #minute0 = -1;
  #minute1 = -1;
  #minute2 = -1;
  #minute3 = -1;
  #minuteStart = NaN;
  // the headers seen, the last one first
  #headers: Header[] = [];
  #lastHeader: Header | undefined;
  #nextSlot = 0;

  constructor(sink: LineSink) {
    this.sink = sink;
  }

  /**
   * Read the lines in `bytes[start, end)` (each ending in `\n`), the first
   * being line `firstLine`; decoding damage is recorded on `result`. Returns
   * the number of lines.
   */
  scan(
    bytes: Uint8Array,
    start: number,
    end: number,
    firstLine: number,
    result: ReadResult,
  ): number {
    ({ bytes, start, end } = scannableChunk(bytes, start, end));
    chunk = bytes;
    chunkView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    base = bytes.byteOffset;
    chunkWords = new Int32Array(bytes.buffer, 0, bytes.buffer.byteLength >> 2);
    scanner = this;
    let lineNo = firstLine;
    let pos = start;
    while (pos < end) {
      this.line = lineNo;
      let next = this.#readLine(pos);
      if (next === FALLBACK) next = this.#stringPath(pos, result);
      pos = next;
      lineNo++;
    }
    chunk = new Uint8Array(0); // let the chunk go
    chunkView = new DataView(chunk.buffer);
    chunkWords = new Int32Array(0);
    return lineNo - firstLine;
  }

  /** Decode the line at `start` and hand it to the string parser; returns the next line's start. */
  #stringPath(start: number, result: ReadResult): number {
    const nl = chunk.indexOf(10, start);
    const text = decodeLine(chunk, start, nl, this.line, result);
    this.text = text;
    try {
      this.#parser.parseLine(text, this.sink);
    } catch (error) {
      // a parser must not throw; if one does, the line is reported, not the run
      this.sink.bad(`parser error: ${(error as Error).message}`);
    }
    this.text = "";
    return nl + 1;
  }

  /** Read the line at `pos` on the fast path: the next line's start, or FALLBACK. */
  #readLine(pos: number): number {
    const b = chunk;
    const view = chunkView;
    // stamp "YYYY-MM-DD HH:MM:SS,mmm "
    if (
      view.getInt32(pos, true) !== this.#minute0 ||
      view.getInt32(pos + 4, true) !== this.#minute1 ||
      view.getInt32(pos + 8, true) !== this.#minute2 ||
      view.getInt32(pos + 12, true) !== this.#minute3
    ) {
      if (!this.#newMinute(pos)) {
        // a line of a multi-line record, or a stamp of another shape
        return startsLikeRecord(b, pos) ? FALLBACK : skipRest(pos);
      }
    }
    const second = twoDigitsAt(b, pos + 17);
    const ms1 = digitAt(b, pos + 20), ms2 = digitAt(b, pos + 21), ms3 = digitAt(b, pos + 22);
    if (
      b[pos + 16] !== 58 || second < 0 || second > 60 || b[pos + 19] !== 44 || ms1 < 0 ||
      ms2 < 0 || ms3 < 0 || b[pos + 23] !== 32
    ) return FALLBACK;
    const time = this.#minuteStart + second * 1000 + ms1 * 100 + ms2 * 10 + ms3;
    if (time !== time) return FALLBACK; // no minute cached yet, and 16 bytes equal to the initial words
    // header "fail2ban.filter         [812]: INFO    ": the last one, another one seen, or new
    const headerStart = pos + 24;
    let header = this.#lastHeader;
    if (header === undefined || !sameHeader(view, headerStart, header)) {
      header = this.#otherHeader(headerStart);
      if (header === undefined) return FALLBACK;
      this.#lastHeader = header;
    }
    let p = headerStart + header.length;
    while (b[p] === 32) p++;
    // everything of interest reads "[jail] message"
    if (b[p] !== 91 /* [ */) return skipRest(p);
    const nl = lineEnd(p);
    if (nl === -1) return FALLBACK;
    // the end as fail2ban.ts sees it: without the CR readLines drops and one more
    let end = nl;
    if (b[end - 1] === 13) {
      end--;
      if (b[end - 1] === 13) return FALLBACK;
    }
    // the first "] " after the "[" ends the jail
    let close = p + 1;
    while (close < end - 1 && !(b[close] === 93 && b[close + 1] === 32)) close++;
    if (close === p + 1 || close >= end - 1) return skipped(nl);
    const m = close + 2;

    let kind: number;
    let pattern: Fail2banPattern;
    let ipStart: number;
    let detail: string | undefined;
    let banCount: number | undefined;
    let banSeconds: number | undefined;
    switch (b[m]) {
      case 66: // B
        if (!atBan(view, m)) return skipped(nl);
        kind = BAN;
        pattern = "ban";
        ipStart = m + 4;
        break;
      case 85: // U
        if (!atUnban(view, m)) return skipped(nl);
        kind = UNBAN;
        pattern = "unban";
        ipStart = m + 6;
        break;
      case 82: // R
        if (!atRestoreBan(view, m)) return skipped(nl);
        kind = RESTORE_BAN;
        pattern = "restoreBan";
        ipStart = m + 12;
        break;
      case 70: // F
        if (!atFound(view, m)) return skipped(nl);
        kind = FOUND;
        pattern = "found";
        ipStart = m + 6;
        break;
      case 73: // I
        if (atIgnore(view, m)) {
          kind = IGNORE;
          pattern = "ignore";
          ipStart = m + 7;
        } else if (atIncreaseBan(view, m)) {
          kind = INCREASE_BAN;
          pattern = "increaseBan";
          ipStart = m + 13;
        } else return skipped(nl);
        break;
      default:
        kind = ALREADY_BANNED;
        pattern = "alreadyBanned";
        ipStart = m;
    }
    // the address: a token that fail2ban.ts ends at a space, a tab or the end
    const ip = ips.token(view, b, ipStart);
    const ipId = ips.id;
    const ipEnd = tokenEnd;
    if (ipEnd !== end && b[ipEnd] !== 32 && b[ipEnd] !== 9) return FALLBACK; // a control character
    switch (kind) {
      case FOUND:
        // "Found <ip>" or "Found <ip> - <time>" (not "Found <ip>, bad - …")
        if (ipEnd !== end && !(b[ipEnd] === 32 && b[ipEnd + 1] === 45 && b[ipEnd + 2] === 32)) {
          return skipped(nl);
        }
        break;
      case IGNORE:
        // "Ignore <ip> by <source>" or "Ignore <ip>" (not "Ignore <ip>, expired bantime")
        if (atBy(view, ipEnd)) {
          detail = details.get(view, b, ipEnd + 4, end, hashRange(view, b, ipEnd + 4, end));
        } else if (ipEnd !== end) return skipped(nl);
        break;
      case INCREASE_BAN:
        // "Increase Ban <ip> (<count> # H:MM:SS -> <end>)"; other durations take the string path
        if (b[ipEnd] === 32 && b[ipEnd + 1] === 40 /* ( */) {
          banCount = numberAt(b, ipEnd + 2);
          let q = numberEnd;
          if (banCount < 0 || q > end || b[q] !== 32 || b[q + 1] !== 35 || b[q + 2] !== 32) {
            return FALLBACK;
          }
          const hours = numberAt(b, q + 3);
          q = numberEnd;
          if (hours < 0 || b[q] !== 58) return FALLBACK;
          const minutes = numberAt(b, q + 1);
          q = numberEnd;
          if (minutes < 0 || b[q] !== 58) return FALLBACK;
          const seconds = numberAt(b, q + 1);
          if (seconds < 0 || !atArrow(view, numberEnd)) return FALLBACK;
          banSeconds = hours * 3_600 + minutes * 60 + seconds;
        }
        break;
      case ALREADY_BANNED:
        if (ipEnd + 15 !== end || !atAlreadyBanned(view, ipEnd)) return skipped(nl);
    }
    if (ip === "") return skipped(nl); // a failure id that is not an address

    const event = this.event;
    event.time = time;
    event.kind = kind;
    event.ip = ip;
    event.ipId = ipId;
    event.jail = jails.get(view, b, p + 1, close, hashRange(view, b, p + 1, close));
    event.level = header.level;
    event.program = header.program;
    event.pid = header.pid;
    event.banCount = banCount;
    event.banSeconds = banSeconds;
    event.detail = detail;
    event.pattern = pattern;
    this.sink.emit(event);
    return nl + 1;
  }

  /**
   * Read the minute of a stamp `YYYY-MM-DD HH:MM` at `pos` that is not the
   * cached one and cache it; false when it is not one (as parseIsoStamp
   * decides, but only with a space before the hour).
   */
  #newMinute(pos: number): boolean {
    const b = chunk;
    const view = chunkView;
    const century = twoDigitsAt(b, pos), yy = twoDigitsAt(b, pos + 2);
    const month = twoDigitsAt(b, pos + 5), day = twoDigitsAt(b, pos + 8);
    const hour = twoDigitsAt(b, pos + 11), minute = twoDigitsAt(b, pos + 14);
    if (
      century < 0 || yy < 0 || b[pos + 4] !== 45 || month < 1 || month > 12 ||
      b[pos + 7] !== 45 || day < 1 || day > 31 || b[pos + 10] !== 32 || hour < 0 || hour > 23 ||
      b[pos + 13] !== 58 || minute < 0 || minute > 59
    ) return false;
    this.#minute0 = view.getInt32(pos, true);
    this.#minute1 = view.getInt32(pos + 4, true);
    this.#minute2 = view.getInt32(pos + 8, true);
    this.#minute3 = view.getInt32(pos + 12, true);
    // as parseIsoStamp computes it (Date.UTC's years 0–99 included); seconds and ms are added
    this.#minuteStart = Date.UTC(century * 100 + yy, month - 1, day, hour, minute);
    return true;
  }

  /** A header at `i` other than the last one: one seen before, a new one, or undefined. */
  #otherHeader(i: number): Header | undefined {
    const view = chunkView;
    for (const header of this.#headers) {
      if (sameHeader(view, i, header)) return header;
    }
    const header = readHeader(i);
    if (header === undefined) return undefined;
    if (this.#headers.length < HEADER_SLOTS) this.#headers.push(header);
    else {
      this.#headers[this.#nextSlot] = header;
      this.#nextSlot = (this.#nextSlot + 1) % HEADER_SLOTS;
    }
    return header;
  }
}

/** The bytes at `i` are those of `header`. */
function sameHeader(view: DataView, i: number, header: Header): boolean {
  const words = header.words;
  const last = header.length - 4;
  for (let k = 0; k < words.length; k++) {
    if (view.getInt32(i + Math.min(k << 2, last), true) !== words[k]) return false;
  }
  return true;
}

/**
 * Read a header at `i` as fail2ban.ts does — the logger name (`fail2ban…`),
 * spaces, an optional `[pid]`, `:`, spaces, the level, spaces — allowing only
 * printable ASCII in the name and level and a space after the level; else
 * undefined (the line takes the string path, which may find it bad).
 */
function readHeader(i: number): Header | undefined {
  const b = chunk;
  const view = chunkView;
  if (!atFail2ban(view, i)) return undefined;
  let p = i + 8;
  for (let c = b[p]; c !== 32 && c !== 91 /* [ */ && c !== 58 /* : */; c = b[++p]) {
    if (!(c > 32 && c < 127)) return undefined;
  }
  const nameEnd = p;
  while (b[p] === 32) p++;
  let pid: number | undefined;
  if (b[p] === 91 /* [ */) {
    pid = numberAt(b, p + 1);
    p = numberEnd;
    if (pid < 0 || b[p] !== 93 /* ] */) return undefined;
    p++;
  }
  if (b[p] !== 58 /* : */) return undefined;
  p++;
  while (b[p] === 32) p++;
  const levelStart = p;
  for (let c = b[p]; c > 32 && c < 127; c = b[++p]);
  if (p === levelStart || b[p] !== 32) return undefined;
  const levelEnd = p;
  while (b[p] === 32) p++;
  const length = p - i;
  if (length > MAX_HEADER) return undefined;
  const words = new Int32Array((length + 3) >> 2);
  for (let k = 0; k < words.length; k++) {
    words[k] = view.getInt32(i + Math.min(k << 2, length - 4), true);
  }
  return {
    words,
    length,
    program: asciiDecoder.decode(b.subarray(i, nameEnd)),
    pid,
    level: asciiDecoder.decode(b.subarray(levelStart, levelEnd)),
  };
}
