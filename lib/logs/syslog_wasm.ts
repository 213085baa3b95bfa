/**
 * The fastest reader of syslog files (auth.log, secure): a WebAssembly core
 * (wasm/syslog_scan.rs, embedded in syslog_scan_wasm.ts) reads the lines
 * that make up nearly all of an attacked server's log — the classic
 * `Mmm dd hh:mm:ss host sshd[pid]: ` header and the common sshd messages
 * (`Failed|Accepted password|publickey`, `Failed keyboard-interactive`,
 * `Invalid user`, `pam_unix … authentication failure`, `Connection
 * closed|reset by`, `Disconnected from`, `Disconnecting … Too many
 * authentication failures`, `maximum authentication attempts exceeded`,
 * `Received disconnect`, `message repeated N times`) and passes over the
 * lines of other programs. Every other line goes to
 * {@linkcode SyslogScanner}, which stays the reference: the events, bad
 * lines and skips are exactly those of {@linkcode SyslogScanner} (and so of
 * the string parser) for the same bytes (tests/syslog_fast_test.ts runs the
 * same differential tests on both).
 *
 * Why WebAssembly: the module is compiled once at start-up (a few ms) and
 * runs at full speed from the first line, where JavaScript spends its first
 * 100 ms or so of a large file warming up; and its steady state is faster.
 *
 * IPs, users and hosts are interned inside the module by their bytes; a
 * value it has not seen pauses the scan so that this side decodes it once
 * (and normalises an IP with {@linkcode ipValue}), gives it a process-wide
 * id ({@linkcode newInternId}) and adds it; the module then reads the line
 * again.
 *
 * @module
 */
import {
  type EventRecords,
  type IpGatherer,
  type IpRecords,
  type LineSink,
  type ParsedEvent,
  TimeKind,
} from "./types.ts";
import { KINDS } from "./kinds.ts";
import { asciiDecoder, newInternId } from "./bytes.ts";
import type { ReadResult } from "./read.ts";
import { ipValue, SyslogScanner } from "./syslog_fast.ts";
import {
  ACCEPTED_OTHER,
  ACCEPTED_PASSWORD,
  ACCEPTED_PUBLICKEY,
  AUTH_FAILURE,
  BAD_PROTOCOL,
  CLOSED_PREAUTH,
  DISCONNECTED_PREAUTH,
  FAILED_KEYBOARD_INTERACTIVE,
  FAILED_OTHER,
  FAILED_PASSWORD,
  FAILED_PUBLICKEY,
  INVALID_USER,
  MAX_AUTH_ATTEMPTS,
  NO_IDENTIFICATION,
  REVERSE_MAPPING,
  type SshdPattern,
  sshdScratchEvent,
  UNABLE_TO_NEGOTIATE,
} from "./sshd.ts";
import {
  PROVISIONAL_MARCH,
  PROVISIONAL_YEAR,
  type SyslogTimes,
  yearShifts,
  type ZoneConverter,
} from "./time.ts";
import { SOURCE_SHA256, WASM_BASE64 } from "./syslog_scan_wasm.ts";
import { decodeBase64 } from "./wasm_bytes.ts";

export { SOURCE_SHA256 };

/** The pattern codes of the module, in order: kind and pattern name. */
const PATTERNS: readonly (readonly [number, SshdPattern])[] = [
  [FAILED_PASSWORD, "failedPassword"],
  [FAILED_PUBLICKEY, "failedPublickey"],
  [FAILED_KEYBOARD_INTERACTIVE, "failedKeyboardInteractive"],
  [ACCEPTED_PASSWORD, "acceptedPassword"],
  [ACCEPTED_PUBLICKEY, "acceptedPublickey"],
  [INVALID_USER, "invalidUser"],
  [CLOSED_PREAUTH, "closedByUser"],
  [CLOSED_PREAUTH, "closedPreauth"],
  [DISCONNECTED_PREAUTH, "disconnectedUser"],
  [DISCONNECTED_PREAUTH, "disconnectedPreauth"],
  [MAX_AUTH_ATTEMPTS, "tooManyAuthFailures"],
  [AUTH_FAILURE, "pamAuthFailure"],
  [MAX_AUTH_ATTEMPTS, "maxAuthAttempts"],
  [FAILED_OTHER, "failedOther"],
  [ACCEPTED_OTHER, "acceptedOther"],
  [DISCONNECTED_PREAUTH, "receivedDisconnectAuthFail"],
  [DISCONNECTED_PREAUTH, "receivedDisconnectNoAuthMethods"],
  [UNABLE_TO_NEGOTIATE, "unableToNegotiate"],
  [NO_IDENTIFICATION, "bannerExchange"],
  [REVERSE_MAPPING, "reverseMappingFailed"],
  [NO_IDENTIFICATION, "noIdentification"],
  [CLOSED_PREAUTH, "timeoutBeforeAuth"],
  [BAD_PROTOCOL, "badProtocolVersion"],
];
const PATTERN_KIND = Int32Array.from(PATTERNS, ([kind]) => kind);
const PATTERN_NAME = PATTERNS.map(([, name]) => name);
// detail codes: none, two constants, a value, and (4) a value with `, invalid user`
const DETAIL_VALUE = 3;
const DETAILS = [undefined, "invalid user", "timeout before authentication"] as const;
const PROGRAMS = ["sshd", "sshd-session", "sshd-auth"] as const;

// the module's record layout and statuses (see wasm/syslog_scan.rs)
const REC = 10;
const R_LINE = 0, R_PATTERN = 1, R_IP = 2, R_USER = 3, R_PORT = 4, R_COUNT = 5, R_FLAGS = 6;
const R_PID = 7, R_HOST = 8, R_DETAIL = 9;
const DONE = 0, FULL = 1, NEED = 2, FALLBACK = 3, NEED_CLOCK = 4;
/** Records the module writes before it returns FULL. */
const OUT_CAPACITY = 4096;
/** Values the module adds in one `run`, at most. */
const NEW_CAPACITY = 4096;
/** Rows and pairs `gather` holds at most. */
const MAX_ROWS = 1 << 16, MAX_PAIRS = 1 << 16;
/** Numbers per row of `gather` (written by `write_rows`): IP, events, suspicious, patterns with events (bits), events per pattern. */
const ROW_INTS = 4 + 23;
const T_IP = 0, T_USER = 1, T_HOST = 2, T_DETAIL = 3;
/** Most values the module's tables of IPs, users, hosts and details hold. */
const TABLE_SIZES = [1 << 16, 1 << 16, 1 << 7, 1 << 13];
/** Zero bytes the module needs after a chunk. */
const PAD = 128;

interface Exports {
  memory: WebAssembly.Memory;
  input(): number;
  input_capacity(): number;
  records(): number;
  times(): number;
  month_starts(): number;
  record_count(): number;
  position(): number;
  line(): number;
  need_type(): number;
  need_start(): number;
  need_length(): number;
  begin(start: number, end: number, firstLine: number): void;
  pass_line(): number;
  run(): number;
  add(type: number, start: number, length: number, valid: number): number;
  gather(from: number): number;
  gather_at_emit(on: number): void;
  records_off(on: number): void;
  clock_off(): void;
  clock_begin(last: number, year: number, rollovers: number, utc: number, march: number): void;
  clock_utc(p: number): number;
  clock_last(): number;
  clock_year(): number;
  clock_rollovers(): number;
  need_clock_kind(): number;
  need_clock_value(): number;
  set_year_shifts(year: number, before: number, from: number): void;
  set_hour_offset(hour: number, offset: number): void;
  batch_events(): number;
  batch_first(): number;
  batch_last(): number;
  drained(): void;
  reset_pending(): number;
  new_values(): number;
  new_count(): number;
  arena_of(type: number): number;
  arena_size(type: number): number;
  suspicious_patterns(): number;
  rows(): number;
  row_times(): number;
  row_count(): number;
  write_rows(): void;
  pairs(): number;
  pair_count(): number;
}

/** The module: one instance for the process (one scan runs at a time). */
interface Core {
  exports: Exports;
  /** The input area (with its padding), the records and their times. */
  input: Uint8Array;
  capacity: number;
  records: Int32Array;
  times: Float64Array;
  /** Per value type the module's copies of the keys, and the values it added in a `run`. */
  arenas: Uint8Array[];
  newValues: Uint32Array;
  /** What `gather` writes: per IP row its numbers and times, and the (row, user) pairs. */
  rows: Uint32Array;
  rowTimes: Float64Array;
  pairs: Uint32Array;
  /** Whom the module is gathering for (see `SyslogRecords.gather`). */
  owner: IpGatherer | undefined;
  /** The scanner whose events the module gathers as it writes them (see `gather`). */
  emitScanner: SyslogWasmScanner | undefined;
  /** The scanner whose clock the module holds. */
  clockScanner: SyslogWasmScanner | undefined;
  /** What was gathered, as an {@linkcode IpRecords}. */
  gathered?: SyslogIpRecords;
  /**
   * An IP value was added whose IP is not its text (`::ffff:1.2.3.4`,
   * `2001:DB8::1`): two values may be one IP from then on.
   */
  aliased: boolean;
  /**
   * Per value type (IP, user, host, detail), by index in the module: value and id.
   * The module numbers a type's values 0, 1, 2… (again from 0 after its
   * tables start over) and each is set here before any record names it, so
   * `values` grow as they are added: filling 140,000 slots up front cost
   * 2–5 ms of every run's start.
   */
  values: string[][];
  ids: Int32Array[];
}

let core: Core | undefined;

/** `METHOD, invalid user` by method (as syslog_fast.ts writes it). */
const invalidMethodDetail = new Map<string, string>();

function withInvalidUser(method: string): string {
  let combined = invalidMethodDetail.get(method);
  if (combined === undefined) {
    combined = `${method}, invalid user`;
    if (invalidMethodDetail.size > 256) invalidMethodDetail.clear();
    invalidMethodDetail.set(method, combined);
  }
  return combined;
}

function loadCore(): Core {
  if (core !== undefined) return core;
  const module = new WebAssembly.Module(decodeBase64(WASM_BASE64));
  const exports = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
  // the module never grows its memory: these views stay valid
  const buffer = exports.memory.buffer;
  const capacity = exports.input_capacity();
  const months = new Float64Array(buffer, exports.month_starts(), 12);
  for (let m = 0; m < 12; m++) months[m] = Date.UTC(PROVISIONAL_YEAR, m, 1);
  const suspicious = new Uint8Array(buffer, exports.suspicious_patterns(), PATTERNS.length);
  PATTERNS.forEach(([kind], p) => suspicious[p] = KINDS[kind].suspicious ? 1 : 0);
  return core = {
    exports,
    input: new Uint8Array(buffer, exports.input(), capacity + PAD),
    capacity,
    records: new Int32Array(buffer, exports.records(), OUT_CAPACITY * REC),
    arenas: TABLE_SIZES.map((_, type) =>
      new Uint8Array(buffer, exports.arena_of(type), exports.arena_size(type))
    ),
    newValues: new Uint32Array(buffer, exports.new_values(), NEW_CAPACITY * 4),
    rows: new Uint32Array(buffer, exports.rows(), MAX_ROWS * ROW_INTS),
    rowTimes: new Float64Array(buffer, exports.row_times(), MAX_ROWS * 2),
    pairs: new Uint32Array(buffer, exports.pairs(), MAX_PAIRS * 2),
    owner: undefined,
    aliased: false,
    emitScanner: undefined,
    clockScanner: undefined,
    times: new Float64Array(buffer, exports.times(), OUT_CAPACITY),
    values: TABLE_SIZES.map(() => []),
    ids: TABLE_SIZES.map((size) => new Int32Array(size)),
  };
}

/**
 * Reads chunks of whole syslog lines (as {@linkcode readChunks} hands them
 * out) and reports to `sink` exactly what {@linkcode SyslogScanner} would.
 * During a `sink` call, `line` is the current line and, for a line that went
 * the string path, `text` is its decoded text.
 *
 * @example
 * ```ts
 * import { readChunks } from "./read.ts";
 * import { SyslogWasmScanner } from "./syslog_wasm.ts";
 * const scanner = new SyslogWasmScanner({
 *   emit: (e) => console.log(scanner.line, e.ip, e.user),
 *   bad: (reason) => console.error(scanner.line, reason, scanner.text),
 * });
 * await readChunks("data/sample/auth.log", (bytes, start, end, firstLine, result) =>
 *   scanner.scan(bytes, start, end, firstLine, result)
 * );
 * ```
 */
export class SyslogWasmScanner {
  /** Events the module read, all scanners together (for tests). */
  static moduleEvents = 0;
  /** Values the module asked this side to normalise (status NEED), all scanners together (for tests). */
  static needs = 0;
  readonly sink: LineSink;
  /** The scratch event handed to `sink.emit` (reused). */
  readonly event: ParsedEvent = sshdScratchEvent(TimeKind.SyslogWall);
  readonly #fallback: SyslogScanner;
  readonly #core: Core;
  readonly #records: SyslogRecords;
  #line = 0;
  /** This file's clock while another scanner's is in the module: last time, year, rollovers. */
  #clock: { zone: ZoneConverter; last: number; year: number; rollovers: number } | undefined;
  #inFallback = false;

  constructor(sink: LineSink) {
    this.sink = sink;
    this.#fallback = new SyslogScanner(sink);
    this.#core = loadCore();
    this.#records = new SyslogRecords(this.#core, this);
  }

  /**
   * Place this file's event times with the module's clock, starting in
   * `year` (the current one when NaN), zone-less stamps in `zone`; the
   * records then hold UTC ms. Returns the clock, for the events of the
   * lines the module hands to TypeScript (same clock, same order).
   */
  startClock(year: number, zone: ZoneConverter): SyslogTimes {
    this.#clock = {
      zone,
      last: NaN,
      year: Number.isNaN(year) ? new Date().getUTCFullYear() : year,
      rollovers: 0,
    };
    this.#takeClock();
    const core = this.#core;
    const utc = (p: number): number => {
      this.#takeClock();
      for (;;) {
        const time = core.exports.clock_utc(p);
        if (time === time) return time;
        this.#answerClock();
      }
    };
    const state = () => this.#clockState();
    return {
      utc,
      get year() {
        return state().year;
      },
      get rollovers() {
        return state().rollovers;
      },
    };
  }

  /** Put this scanner's clock (or none) in the module, keeping the one there with its scanner. */
  #takeClock(): void {
    const core = this.#core;
    if (core.clockScanner === this) return;
    if (core.clockScanner !== undefined) core.clockScanner.#clockState();
    core.clockScanner = this;
    const clock = this.#clock;
    if (clock === undefined) core.exports.clock_off();
    else {
      core.exports.clock_begin(
        clock.last,
        clock.year,
        clock.rollovers,
        clock.zone.isUtc ? 1 : 0,
        PROVISIONAL_MARCH,
      );
    }
  }

  /** This scanner's clock, brought up to date from the module when it is there. */
  #clockState(): { last: number; year: number; rollovers: number } {
    const clock = this.#clock;
    if (clock === undefined) return { last: NaN, year: NaN, rollovers: 0 };
    if (this.#core.clockScanner === this) {
      const w = this.#core.exports;
      clock.last = w.clock_last();
      clock.year = w.clock_year();
      clock.rollovers = w.clock_rollovers();
    }
    return clock;
  }

  /** Answer the module clock's question: a year's shifts, or an hour's offset. */
  #answerClock(): void {
    const w = this.#core.exports;
    const value = w.need_clock_value();
    if (w.need_clock_kind() === 1) {
      const shifts = yearShifts(value);
      w.set_year_shifts(value, shifts.beforeMarch, shifts.fromMarch);
    } else w.set_hour_offset(value, this.#clock!.zone.wallHourOffset(value));
  }

  /** True once {@linkcode startClock} was called: times are UTC ms. */
  get hasClock(): boolean {
    return this.#clock !== undefined;
  }

  /** 1-based number of the line being read. */
  get line(): number {
    return this.#inFallback ? this.#fallback.line : this.#line;
  }

  /** Decoded text of the line being read when it went the string path, else "". */
  get text(): string {
    return this.#inFallback ? this.#fallback.text : "";
  }

  /**
   * A buffer of `bytes` bytes in the module's input area, for
   * {@linkcode readChunks} to read to (its chunks are then read where they
   * are, not copied), or undefined when the area is smaller.
   */
  buffer(bytes: number): Uint8Array | undefined {
    const { capacity, input } = this.#core;
    return bytes <= capacity ? input.subarray(0, bytes) : undefined;
  }

  /**
   * Read the lines in `bytes[start, end)` (each ending in `\n`, but for the
   * last line of a file), the first being line `firstLine`; decoding damage
   * is recorded on `result`. Returns the number of lines.
   */
  scan(
    bytes: Uint8Array,
    start: number,
    end: number,
    firstLine: number,
    result: ReadResult,
  ): number {
    const { capacity, input } = this.#core;
    if (
      bytes.buffer === input.buffer && bytes.byteOffset === input.byteOffset && end <= capacity &&
      bytes[end - 1] === 10
    ) {
      return this.#chunk(start, end, firstLine, result); // read in place
    }
    let line = firstLine;
    while (start < end) {
      // whole lines that fit the input area
      let stop = end;
      if (end - start > capacity) {
        stop = bytes.lastIndexOf(10, start + capacity - 1) + 1;
        if (stop <= start) {
          // one line longer than the input area: the TypeScript scanner reads it
          let nl = bytes.indexOf(10, start);
          nl = nl === -1 ? end : nl + 1;
          this.#inFallback = true;
          try {
            line += this.#fallback.scan(bytes, start, nl, line, result);
          } finally {
            this.#inFallback = false;
          }
          start = nl;
          continue;
        }
      }
      let length = stop - start;
      input.set(bytes.subarray(start, stop));
      if (input[length - 1] !== 10) input[length++] = 10; // a file's last line
      line += this.#chunk(0, length, line, result);
      start = stop;
    }
    return line - firstLine;
  }

  /** Read the whole lines in `[start, end)` of the input area. */
  #chunk(start: number, end: number, firstLine: number, result: ReadResult): number {
    const core = this.#core;
    const w = core.exports;
    w.begin(start, end, firstLine);
    this.#takeClock();
    w.gather_at_emit(core.emitScanner === this && core.owner !== undefined ? 1 : 0);
    for (;;) {
      // the module's tables start over in this run: what was gathered (which names them) goes first
      if (w.reset_pending()) {
        drainCore(core);
        core.aliased = false; // (of values gone with the tables)
      }
      const status = w.run();
      this.#added();
      this.#deliver(w.record_count());
      if (status === DONE) break;
      if (status === NEED) this.#add();
      else if (status === NEED_CLOCK) this.#answerClock();
      else if (status === FALLBACK) {
        const position = w.position();
        const nl = core.input.indexOf(10, position);
        this.#inFallback = true;
        try {
          this.#fallback.scan(core.input, position, nl + 1, w.line(), result);
        } finally {
          this.#inFallback = false;
        }
        w.pass_line();
      } else if (status !== FULL) throw new Error(`syslog scanner: status ${status}`);
    }
    return w.line() - firstLine;
  }

  /** Decode the values the module added (IP addresses written as normalizeIp writes them, users, hosts, details). */
  #added(): void {
    const core = this.#core;
    const count = core.exports.new_count();
    const list = core.newValues;
    for (let k = 0; k < 4 * count; k += 4) {
      const type = list[k], index = list[k + 1], offset = list[k + 2];
      core.values[type][index] = asciiDecoder.decode(
        core.arenas[type].subarray(offset, offset + list[k + 3]),
      );
      core.ids[type][index] = newInternId();
    }
  }

  /** Decode, normalise and add the value the module asked for. */
  #add(): void {
    SyslogWasmScanner.needs++;
    const core = this.#core;
    const w = core.exports;
    const type = w.need_type();
    const start = w.need_start();
    const length = w.need_length();
    const text = asciiDecoder.decode(core.input.subarray(start, start + length));
    const value = type === T_IP ? ipValue(text) : text;
    const index = w.add(type, start, length, value === "" && type === T_IP ? 0 : 1);
    if (index < 0) return; // the module's table starts over first; it asks again
    if (type === T_IP && value !== text && value !== "") core.aliased = true;
    core.values[type][index] = value;
    core.ids[type][index] = newInternId();
  }

  /** Hand the module's records to the sink: all at once when it takes them so. */
  #deliver(count: number): void {
    const w = this.#core.exports;
    const events = w.batch_events();
    if (count === 0 && events === 0) return;
    SyslogWasmScanner.moduleEvents += count;
    const batch = this.#records;
    batch.count = count;
    batch.eventCount = events;
    batch.firstTime = w.batch_first();
    batch.lastTime = w.batch_last();
    const sink = this.sink;
    if (sink.emitRecords !== undefined) {
      this.#line = w.line() - 1;
      batch.used = false;
      sink.emitRecords(batch);
      // a consumer that took nothing but what was gathered: the module keeps no records for it
      if (!batch.used && this.#core.emitScanner === this) w.records_off(1);
      return;
    }
    for (let k = 0; k < count; k++) {
      this.#line = batch.lineOf(k);
      if (batch.kindOf(k) < 0) sink.skip?.();
      else sink.emit(batch.eventOf(k, this.event));
    }
  }
}

/**
 * The records of one call of the module, in columns (an
 * {@linkcode EventRecords}): valid until the scanner reads on.
 */
class SyslogRecords implements EventRecords {
  count = 0;
  eventCount = 0;
  firstTime = NaN;
  lastTime = NaN;
  /** A record was read (not only gathered) since this was last set false. */
  used = false;
  readonly times: Float64Array;
  readonly #scanner: SyslogWasmScanner;
  readonly #records: Int32Array;
  readonly #values: string[][];
  readonly #ids: Int32Array[];
  readonly #event: ParsedEvent = sshdScratchEvent(TimeKind.SyslogWall);
  readonly #core: Core;

  constructor(core: Core, scanner: SyslogWasmScanner) {
    this.#core = core;
    this.#scanner = scanner;
    this.times = core.times;
    this.#records = core.records;
    this.#values = core.values;
    this.#ids = core.ids;
  }

  lineOf(k: number): number {
    this.used = true;
    return this.#records[k * REC + R_LINE];
  }

  kindOf(k: number): number {
    this.used = true;
    const pattern = this.#records[k * REC + R_PATTERN];
    return pattern < 0 ? -1 : PATTERN_KIND[pattern];
  }

  countOf(k: number): number {
    this.used = true;
    const count = this.#records[k * REC + R_COUNT];
    return count < 0 ? 1 : count;
  }

  ipOf(k: number): string {
    this.used = true;
    return this.#values[T_IP][this.#records[k * REC + R_IP]];
  }

  ipIdOf(k: number): number {
    this.used = true;
    return this.#ids[T_IP][this.#records[k * REC + R_IP]];
  }

  userOf(k: number): string | undefined {
    this.used = true;
    const user = this.#records[k * REC + R_USER];
    return user < 0 ? undefined : this.#values[T_USER][user];
  }

  userIdOf(k: number): number | undefined {
    this.used = true;
    const user = this.#records[k * REC + R_USER];
    return user < 0 ? undefined : this.#ids[T_USER][user];
  }

  gather(owner: IpGatherer): number {
    const core = this.#core;
    if (core.owner !== owner) {
      drainCore(core);
      core.owner = owner;
    }
    for (let k = 0; (k = core.exports.gather(k)) < this.count;) {
      drainCore(core); // the pairs are full
      core.owner = owner;
    }
    // this scanner's next events are gathered as the module writes them (no second pass)
    core.emitScanner = this.#scanner;
    core.exports.gather_at_emit(1);
    return core.exports.row_count() + core.exports.pair_count();
  }

  drain(owner: IpGatherer): void {
    if (this.#core.owner === owner) drainCore(this.#core);
  }

  pending(owner: IpGatherer): IpRecords | undefined {
    const core = this.#core;
    // (IPs the module added itself are canonical, one value each: only a
    // value this side normalised may be the IP of another)
    if (core.owner !== owner || core.aliased) return undefined;
    return writeRows(core);
  }

  eventOf(k: number, event: ParsedEvent = this.#event): ParsedEvent {
    this.used = true;
    const records = this.#records;
    const r = k * REC;
    const values = this.#values;
    const pattern = records[r + R_PATTERN];
    event.time = this.times[k];
    event.timeKind = this.#scanner.hasClock ? TimeKind.Absolute : TimeKind.SyslogWall;
    event.kind = PATTERN_KIND[pattern];
    event.pattern = PATTERN_NAME[pattern];
    event.ip = this.ipOf(k);
    event.ipId = this.ipIdOf(k);
    event.user = this.userOf(k);
    event.userId = this.userIdOf(k);
    const port = records[r + R_PORT];
    event.port = port < 0 ? undefined : port;
    const count = records[r + R_COUNT];
    event.count = count < 0 ? undefined : count;
    const flags = records[r + R_FLAGS];
    const detail = flags & 15;
    event.detail = detail < DETAIL_VALUE
      ? DETAILS[detail]
      : detail === DETAIL_VALUE
      ? values[T_DETAIL][records[r + R_DETAIL]]
      : withInvalidUser(values[T_DETAIL][records[r + R_DETAIL]]);
    event.program = PROGRAMS[flags >> 4];
    event.pid = records[r + R_PID];
    event.host = values[T_HOST][records[r + R_HOST]];
    event.suspicious = undefined;
    return event;
  }
}

/** Hand what the module gathered to its owner, and start again. */
function drainCore(core: Core): void {
  const owner = core.owner;
  core.owner = undefined;
  if (owner === undefined) {
    core.exports.drained(); // (nothing gathered, nothing gathered as written)
    return;
  }
  const gathered = writeRows(core);
  if (gathered.ipCount > 0 || gathered.pairCount > 0) owner.addIps(gathered);
  core.exports.drained();
}

/** What the module gathered, written out for this side to read. */
function writeRows(core: Core): SyslogIpRecords {
  const gathered = core.gathered ??= new SyslogIpRecords(core);
  gathered.ipCount = core.exports.row_count();
  core.exports.write_rows();
  gathered.pairCount = core.exports.pair_count();
  return gathered;
}

/** What the module gathered (an {@linkcode IpRecords}). */
class SyslogIpRecords implements IpRecords {
  ipCount = 0;
  pairCount = 0;
  readonly stride = ROW_INTS;
  readonly kindSlots: readonly number[] = Array.from(PATTERN_KIND);
  readonly rows: Uint32Array;
  readonly firstLast: Float64Array;
  readonly pairs: Uint32Array;
  readonly ipValues: readonly string[];
  readonly ipIds: Int32Array;
  readonly userValues: readonly string[];
  readonly userIds: Int32Array;

  constructor(core: Core) {
    // (views of the module's memory, which never grows; the tables of values are never replaced)
    this.rows = core.rows;
    this.firstLast = core.rowTimes;
    this.pairs = core.pairs;
    this.ipValues = core.values[T_IP];
    this.ipIds = core.ids[T_IP];
    this.userValues = core.values[T_USER];
    this.userIds = core.ids[T_USER];
  }
}
