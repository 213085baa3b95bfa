/**
 * The columnar event store: events as typed arrays with dictionary-encoded
 * strings, the form frames are built from (never one object per event).
 *
 * @module
 */
import { KINDS } from "./kinds.ts";
import type { EventConsumer } from "./pipeline.ts";
import type { ParsedEvent } from "./types.ts";
import { copyString } from "./read.ts";
import { IdCache } from "./bytes.ts";

/** A growing list of distinct strings, each with a stable integer id. */
export class StringDictionary {
  readonly values: string[] = [];
  readonly #ids = new Map<string, number>();
  /** Ids by the ids the byte scanners give strings (`ParsedEvent.ipId`). */
  readonly #byEventId = new IdCache();
  // the last value asked for: most columns repeat it line after line (host, jail, detail)
  #last: string | undefined;
  #lastId = -1;

  /**
   * The id of `value`, adding it (copied) when new; -1 for undefined.
   * `eventId` is the event's id for the value (`ipId`, `userId`), when it has one.
   */
  id(value: string | undefined, eventId?: number): number {
    if (value === undefined) return -1;
    if (value === this.#last) return this.#lastId;
    let id = this.#byEventId.get(eventId);
    if (id < 0) {
      const known = this.#ids.get(value);
      if (known !== undefined) id = known;
      else {
        id = this.values.length;
        const copy = copyString(value);
        this.values.push(copy);
        this.#ids.set(copy, id);
      }
      this.#byEventId.set(eventId, id);
    }
    this.#last = this.values[id]; // the copy: `value` may be a slice of a large chunk
    this.#lastId = id;
    return id;
  }

  /** The string of `id`, undefined for -1. */
  get(id: number): string | undefined {
    return id < 0 ? undefined : this.values[id];
  }

  get size(): number {
    return this.values.length;
  }
}

/** An integer column as the store keeps it: as narrow as its values allow. */
export type IntArray = Int8Array | Int16Array | Int32Array;

/**
 * `array` at a new length: its buffer is transferred, so the old memory is
 * given back at once instead of waiting for the garbage collector (a million
 * events would otherwise leave tens of megabytes of old columns behind) —
 * unless `keep`: then it is copied, and views of it handed out stay valid.
 */
function resized<T extends IntArray | Uint8Array | Float64Array>(
  array: T,
  length: number,
  keep: boolean,
): T {
  if (keep) {
    const copy = new (array.constructor as new (length: number) => T)(length);
    (copy as Uint8Array).set((array as Uint8Array).subarray(0, Math.min(length, array.length)));
    return copy;
  }
  const make = array.constructor as new (buffer: ArrayBuffer) => T;
  return new make((array.buffer as ArrayBuffer).transfer(length * array.BYTES_PER_ELEMENT));
}

/**
 * An integer column that costs nothing while every value is its `fill`, then
 * one byte per row, widening to two and then four bytes when a value needs
 * it. Most log sources leave most columns unknown (a fail2ban.log has no
 * port, an auth.log no jail) and dictionary ids are small, so this keeps a
 * million events in tens of megabytes instead of a hundred.
 */
class IntColumn {
  data: IntArray | undefined;
  readonly fill: number;
  /** The values the current width holds (none before the first allocation). */
  #lo = Infinity;
  #hi = -Infinity;
  constructor(fill: number) {
    this.fill = fill;
  }
  /** Set row `i` (< `capacity`, the store's current capacity). */
  set(i: number, v: number, capacity: number): void {
    if (v >= this.#lo && v <= this.#hi) this.data![i] = v;
    else this.#setWider(i, v, capacity);
  }
  #setWider(i: number, v: number, capacity: number): void {
    if (this.data === undefined && v === this.fill) return;
    const width = this.data?.BYTES_PER_ELEMENT ?? 0;
    // beyond 32 bits (and NaN) is stored as an Int32Array stores it
    const need = v >= -128 && v <= 127 ? 1 : v >= -32_768 && v <= 32_767 ? 2 : 4;
    if (need > width) {
      const next = need === 1
        ? new Int8Array(capacity)
        : need === 2
        ? new Int16Array(capacity)
        : new Int32Array(capacity);
      if (this.data === undefined) next.fill(this.fill);
      else next.set(this.data);
      this.data = next;
      this.#lo = need === 1 ? -128 : need === 2 ? -32_768 : -Infinity;
      this.#hi = need === 1 ? 127 : need === 2 ? 32_767 : Infinity;
    }
    this.data![i] = v;
  }
  /** The column at a new capacity (copied when `keep`, see {@linkcode resized}). */
  resize(capacity: number, keep: boolean): void {
    if (this.data !== undefined) this.data = resized(this.data, capacity, keep);
  }
  /** Back to no rows and no value: the memory goes at once (see {@linkcode resized}). */
  clear(): void {
    if (this.data !== undefined) resized(this.data, 0, false);
    this.data = undefined;
    this.#lo = Infinity;
    this.#hi = -Infinity;
  }
  /** The first `n` rows (the fill repeated while nothing else was set). */
  view(n: number): IntArray {
    return this.data?.subarray(0, n) ?? new Int8Array(n).fill(this.fill);
  }
}

/** A number column, absent while every value is NaN (unknown). */
class FloatColumn {
  data: Float64Array | undefined;
  set(i: number, v: number, capacity: number): void {
    if (this.data === undefined) {
      if (Number.isNaN(v)) return;
      this.data = new Float64Array(capacity).fill(NaN);
    }
    this.data[i] = v;
  }
  resize(capacity: number, keep: boolean): void {
    if (this.data !== undefined) this.data = resized(this.data, capacity, keep);
  }
  clear(): void {
    if (this.data !== undefined) resized(this.data, 0, false);
    this.data = undefined;
  }
  view(n: number): Float64Array {
    return this.data?.subarray(0, n) ?? new Float64Array(n).fill(NaN);
  }
}

/**
 * The columns of the store, trimmed to its length. Integer columns are as
 * narrow as their values allow (`Int8Array` while every value fits in a
 * byte): read them by index, never assume `Int32Array`.
 */
export interface EventColumns {
  length: number;
  /** UTC ms, NaN unknown. */
  time: Float64Array;
  /** Index into KINDS. */
  kind: Uint8Array;
  /** 1 = suspicious. */
  suspicious: Uint8Array;
  /** Index into the store's file list. */
  file: IntArray;
  line: IntArray;
  /** Repeat count (`message repeated N times`), 1 otherwise. */
  count: IntArray;
  /** -1 = unknown. */
  port: IntArray;
  status: IntArray;
  /** NaN = unknown. */
  bytes: Float64Array;
  banSeconds: Float64Array;
  /** fail2ban ban count (Increase Ban's `(2 # …)`, the database's bancount), -1 = unknown. */
  banCount: IntArray;
  /** Dictionary ids, -1 = unknown. */
  ip: IntArray;
  user: IntArray;
  jail: IntArray;
  host: IntArray;
  method: IntArray;
  path: IntArray;
  agent: IntArray;
  detail: IntArray;
}

/** Dictionary-encoded string columns and their dictionaries. */
export const DICTIONARY_COLUMNS = [
  "ip",
  "user",
  "jail",
  "host",
  "method",
  "path",
  "agent",
  "detail",
] as const;

/** An {@linkcode EventConsumer} that keeps every event in columns. */
export class EventStore implements EventConsumer {
  length = 0;
  /** File paths by index (set by the caller to the parsed files). */
  files: string[] = [];
  readonly dictionaries: Record<typeof DICTIONARY_COLUMNS[number], StringDictionary> = {
    ip: new StringDictionary(),
    user: new StringDictionary(),
    jail: new StringDictionary(),
    host: new StringDictionary(),
    method: new StringDictionary(),
    path: new StringDictionary(),
    agent: new StringDictionary(),
    detail: new StringDictionary(),
  };
  /** Rows the columns have room for. */
  #capacity = 0;
  #kind = new Uint8Array(0);
  #suspicious = new Uint8Array(0);
  readonly #time = new FloatColumn();
  readonly #bytes = new FloatColumn();
  readonly #banSeconds = new FloatColumn();
  readonly #file = new IntColumn(0);
  readonly #line = new IntColumn(0);
  readonly #count = new IntColumn(1);
  readonly #port = new IntColumn(-1);
  readonly #status = new IntColumn(-1);
  readonly #banCount = new IntColumn(-1);
  readonly #strings: Record<typeof DICTIONARY_COLUMNS[number], IntColumn> = {
    ip: new IntColumn(-1),
    user: new IntColumn(-1),
    jail: new IntColumn(-1),
    host: new IntColumn(-1),
    method: new IntColumn(-1),
    path: new IntColumn(-1),
    agent: new IntColumn(-1),
    detail: new IntColumn(-1),
  };
  /** What {@linkcode columns} returned, until the next event. */
  #columns: EventColumns | undefined;
  /** Views of the current arrays were handed out by {@linkcode columns}. */
  #handedOut = false;

  /** @param capacity events to make room for at first (the columns grow as needed). @default 4096 */
  constructor(capacity = 4096) {
    this.#resize(capacity);
  }

  add(e: ParsedEvent, time: number, file: number, line: number): void {
    const i = this.length;
    if (i >= this.#capacity) this.#resize(Math.max(4096, this.#capacity * 2));
    this.length = i + 1;
    this.#columns = undefined;
    const n = this.#capacity;
    this.#time.set(i, time, n);
    this.#kind[i] = e.kind;
    this.#suspicious[i] = (e.suspicious ?? KINDS[e.kind].suspicious) ? 1 : 0;
    this.#file.set(i, file, n);
    this.#line.set(i, line, n);
    this.#count.set(i, e.count ?? 1, n);
    this.#port.set(i, e.port ?? -1, n);
    this.#status.set(i, e.status ?? -1, n);
    this.#bytes.set(i, e.bytes ?? NaN, n);
    this.#banSeconds.set(i, e.banSeconds ?? NaN, n);
    this.#banCount.set(i, e.banCount ?? -1, n);
    const d = this.dictionaries, s = this.#strings;
    s.ip.set(i, d.ip.id(e.ip, e.ipId), n);
    s.user.set(i, d.user.id(e.user, e.userId), n);
    s.jail.set(i, d.jail.id(e.jail), n);
    s.host.set(i, d.host.id(e.host), n);
    s.method.set(i, d.method.id(e.method), n);
    s.path.set(i, d.path.id(e.path), n);
    s.agent.set(i, d.agent.id(e.agent), n);
    s.detail.set(i, d.detail.id(e.detail), n);
  }

  /**
   * Every column at `capacity` rows (≥ the length). Once {@linkcode columns}
   * has handed out views, the next resize copies instead of moving, so those
   * views keep their rows when more events are added.
   */
  #resize(capacity: number): void {
    const keep = this.#handedOut;
    this.#handedOut = false;
    this.#kind = resized(this.#kind, capacity, keep);
    this.#suspicious = resized(this.#suspicious, capacity, keep);
    for (const column of this.#allColumns()) column.resize(capacity, keep);
    this.#capacity = capacity;
  }

  /** Every column but `kind` and `suspicious`. */
  #allColumns(): (IntColumn | FloatColumn)[] {
    return [
      this.#time,
      this.#bytes,
      this.#banSeconds,
      this.#file,
      this.#line,
      this.#count,
      this.#port,
      this.#status,
      this.#banCount,
      ...Object.values(this.#strings),
    ];
  }

  /**
   * False while no event has a value in `column` (it reads as all unknown:
   * NaN, −1, or 1 for `count`, 0 for `file` and `line`).
   */
  has(column: Exclude<keyof EventColumns, "length">): boolean {
    if (column === "kind" || column === "suspicious") return this.length > 0;
    const columns: Record<string, IntColumn | FloatColumn> = {
      time: this.#time,
      file: this.#file,
      line: this.#line,
      count: this.#count,
      port: this.#port,
      status: this.#status,
      bytes: this.#bytes,
      banSeconds: this.#banSeconds,
      banCount: this.#banCount,
      ...this.#strings,
    };
    return columns[column].data !== undefined;
  }

  /**
   * The columns, as views trimmed to the store's length. A column whose
   * every value is unknown is made (filled) when first read.
   */
  columns(): EventColumns {
    if (this.#columns !== undefined) return this.#columns;
    const n = this.length;
    // the room left for more events goes (a store is read once it is full)
    if (this.#capacity > n) this.#resize(n);
    this.#handedOut = true;
    const columns = {
      length: n,
      kind: this.#kind.subarray(0, n),
      suspicious: this.#suspicious.subarray(0, n),
    } as EventColumns;
    const put = (name: keyof EventColumns, column: IntColumn | FloatColumn) => {
      if (column.data !== undefined) {
        Object.assign(columns, { [name]: column.data.subarray(0, n) });
        return;
      }
      Object.defineProperty(columns, name, {
        enumerable: true,
        configurable: true,
        get() {
          const value = column.view(n);
          Object.defineProperty(columns, name, { value, enumerable: true });
          return value;
        },
      });
    };
    put("time", this.#time);
    put("file", this.#file);
    put("line", this.#line);
    put("count", this.#count);
    put("port", this.#port);
    put("status", this.#status);
    put("bytes", this.#bytes);
    put("banSeconds", this.#banSeconds);
    put("banCount", this.#banCount);
    for (const name of DICTIONARY_COLUMNS) put(name, this.#strings[name]);
    return this.#columns = columns;
  }

  /**
   * Give the memory of the events back at once, for a caller done with them
   * while it still needs other data (`runAnalysis` once the frames are built;
   * a million events take some 70 MB). Every column goes, the views
   * {@linkcode columns} handed out included: those become empty (length 0).
   * The dictionaries and files stay; the store is empty afterwards and can
   * take events again.
   *
   * @example
   * ```ts
   * import { EventStore } from "./store.ts";
   * const store = new EventStore();
   * const columns = store.columns();
   * store.release();
   * console.log(store.length, columns.kind.length); // 0 0
   * ```
   */
  release(): void {
    this.#kind = resized(this.#kind, 0, false);
    this.#suspicious = resized(this.#suspicious, 0, false);
    for (const column of this.#allColumns()) column.clear();
    this.#capacity = 0;
    this.#handedOut = false;
    this.length = 0;
    this.#columns = undefined;
  }

  /** One event as a plain object (for tests and small displays; not for bulk use). */
  row(i: number): Record<string, unknown> {
    const c = this.columns();
    const d = this.dictionaries;
    const out: Record<string, unknown> = {
      file: this.files[c.file[i]],
      line: c.line[i],
      time: Number.isNaN(c.time[i]) ? undefined : new Date(c.time[i]).toISOString(),
      source: KINDS[c.kind[i]].source,
      kind: KINDS[c.kind[i]].name,
      suspicious: c.suspicious[i] === 1,
      ip: d.ip.get(c.ip[i]),
      user: d.user.get(c.user[i]),
      port: c.port[i] >= 0 ? c.port[i] : undefined,
      jail: d.jail.get(c.jail[i]),
    };
    for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
    return out;
  }
}
