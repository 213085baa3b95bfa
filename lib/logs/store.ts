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

/** The rows of an integer column that keeps none: writes to it are dropped. */
const NO_ROWS = new Int8Array(0);

/** The least and greatest of the first `count` of `values` and `start`. */
function rangeOf(values: ArrayLike<number>, count: number, start: number): [number, number] {
  let lo = start, hi = start;
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    else if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * An integer column that costs nothing while every value is its `fill`, then
 * one byte per row, widening to two and then four bytes when a value needs
 * it. Most log sources leave most columns unknown (a fail2ban.log has no
 * port, an auth.log no jail) and dictionary ids are small, so this keeps a
 * million events in tens of megabytes instead of a hundred.
 *
 * {@linkcode EventStore.add} writes `rows` itself while a value is within
 * `lo`…`hi` (a call per column and event costs more than the write) and
 * calls {@linkcode IntColumn.setWider} otherwise.
 */
class IntColumn {
  readonly fill: number;
  /** The rows (length: the store's capacity), {@linkcode NO_ROWS} while every value is the fill. */
  rows: IntArray = NO_ROWS;
  /**
   * The values `rows` holds as they are: those of its width, or only the
   * fill (whose write to {@linkcode NO_ROWS} is dropped) while no row is kept.
   */
  lo: number;
  hi: number;
  constructor(fill: number) {
    this.fill = fill;
    this.lo = this.hi = fill;
  }
  /** True once some value was not the fill. */
  get allocated(): boolean {
    return this.rows !== NO_ROWS;
  }
  /** The rows, undefined while every value is the fill. */
  get data(): IntArray | undefined {
    return this.rows === NO_ROWS ? undefined : this.rows;
  }
  /** Set row `i` (< `capacity`, the store's current capacity). */
  set(i: number, v: number, capacity: number): void {
    if (v >= this.lo && v <= this.hi) this.rows[i] = v;
    else this.setWider(i, v, capacity);
  }
  /** Set row `i` to `v`, which is not within `lo`…`hi`. */
  setWider(i: number, v: number, capacity: number): void {
    this.#widen(v, capacity);
    this.rows[i] = v;
  }
  /** Rows wide enough for `v` (which is not within `lo`…`hi`). */
  #widen(v: number, capacity: number): void {
    const rows = this.rows;
    const width = rows === NO_ROWS ? 0 : rows.BYTES_PER_ELEMENT;
    // beyond 32 bits (and NaN) is stored as an Int32Array stores it
    const need = v >= -128 && v <= 127 ? 1 : v >= -32_768 && v <= 32_767 ? 2 : 4;
    if (need > width) {
      const next = need === 1
        ? new Int8Array(capacity)
        : need === 2
        ? new Int16Array(capacity)
        : new Int32Array(capacity);
      if (rows === NO_ROWS) next.fill(this.fill);
      else next.set(rows);
      this.rows = next;
      this.lo = need === 1 ? -128 : need === 2 ? -32_768 : -Infinity;
      this.hi = need === 1 ? 127 : need === 2 ? 32_767 : Infinity;
    }
  }
  /** Rows (made if there are none: all the fill so far) wide enough for `lo`…`hi`. */
  #widenTo(lo: number, hi: number, capacity: number): void {
    if (lo < this.lo) this.#widen(lo, capacity);
    if (hi > this.hi) this.#widen(hi, capacity);
    if (this.rows === NO_ROWS) this.#widen(this.fill, capacity);
  }
  /**
   * Rows `at`… set to `values` (undefined: `count` rows of the fill), the
   * rows widened first as far as the values need.
   */
  setRows(at: number, values: IntArray | undefined, count: number, capacity: number): void {
    if (values === undefined) {
      if (this.rows !== NO_ROWS) this.rows.fill(this.fill, at, at + count);
      return;
    }
    const [lo, hi] = rangeOf(values, count, this.fill);
    if (lo === this.fill && hi === this.fill && this.rows === NO_ROWS) return;
    this.#widenTo(lo, hi, capacity);
    this.rows.set(values.subarray(0, count), at);
  }
  /**
   * Rows `at`… set to `remap[id]` for each of `ids` (an id below 0 stays as
   * it is; undefined: `count` rows of the fill, mapped so), the rows widened
   * first as far as the values of `remap` need.
   */
  setRowsMapped(
    at: number,
    ids: IntArray | undefined,
    count: number,
    capacity: number,
    remap: Int32Array,
  ): void {
    if (ids === undefined) {
      const v = this.fill < 0 ? this.fill : remap[this.fill];
      if (v === this.fill) this.setRows(at, undefined, count, capacity);
      else {
        if (v < this.lo || v > this.hi || this.rows === NO_ROWS) this.#widen(v, capacity);
        this.rows.fill(v, at, at + count);
      }
      return;
    }
    const [lo, hi] = rangeOf(remap, remap.length, this.fill);
    this.#widenTo(lo, hi, capacity);
    const rows = this.rows;
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      rows[at + i] = id < 0 ? id : remap[id];
    }
  }
  /** The rows (trimmed by the caller), and the column back to none without freeing them. */
  take(): IntArray | undefined {
    const rows = this.data;
    this.rows = NO_ROWS;
    this.lo = this.hi = this.fill;
    return rows;
  }
  /** The column at a new capacity (copied when `keep`, see {@linkcode resized}). */
  resize(capacity: number, keep: boolean): void {
    if (this.rows !== NO_ROWS) this.rows = resized(this.rows, capacity, keep);
  }
  /** Back to no rows and no value: the memory goes at once (see {@linkcode resized}). */
  clear(): void {
    if (this.rows !== NO_ROWS) resized(this.rows, 0, false);
    this.rows = NO_ROWS;
    this.lo = this.hi = this.fill;
  }
  /** The first `n` rows (the fill repeated while nothing else was set). */
  view(n: number): IntArray {
    return this.data?.subarray(0, n) ?? new Int8Array(n).fill(this.fill);
  }
}

/** The rows of a number column that has none yet. */
const NO_NUMBERS = new Float64Array(0);

/** A number column, absent while every value is NaN (unknown). */
class FloatColumn {
  /** The rows (length: the store's capacity), {@linkcode NO_NUMBERS} while every value is NaN. */
  rows: Float64Array = NO_NUMBERS;
  get allocated(): boolean {
    return this.rows !== NO_NUMBERS;
  }
  /** The rows, undefined while every value is NaN. */
  get data(): Float64Array | undefined {
    return this.rows === NO_NUMBERS ? undefined : this.rows;
  }
  set(i: number, v: number, capacity: number): void {
    if (this.rows !== NO_NUMBERS) this.rows[i] = v;
    else if (v === v) this.setFirst(i, v, capacity);
  }
  /** Row `i` is the first that is not NaN. */
  setFirst(i: number, v: number, capacity: number): void {
    this.rows = new Float64Array(capacity).fill(NaN);
    this.rows[i] = v;
  }
  resize(capacity: number, keep: boolean): void {
    if (this.rows !== NO_NUMBERS) this.rows = resized(this.rows, capacity, keep);
  }
  /** Rows `at`… set to `values` (undefined: `count` rows of NaN). */
  setRows(at: number, values: Float64Array | undefined, count: number, capacity: number): void {
    if (values === undefined) {
      if (this.rows !== NO_NUMBERS) this.rows.fill(NaN, at, at + count);
      return;
    }
    if (this.rows === NO_NUMBERS) this.rows = new Float64Array(capacity).fill(NaN);
    this.rows.set(values.subarray(0, count), at);
  }
  /** The rows (trimmed by the caller), and the column back to none without freeing them. */
  take(): Float64Array | undefined {
    const rows = this.data;
    this.rows = NO_NUMBERS;
    return rows;
  }
  clear(): void {
    if (this.rows !== NO_NUMBERS) resized(this.rows, 0, false);
    this.rows = NO_NUMBERS;
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

/** The integer columns of a store that are not dictionary ids. */
const INT_COLUMNS = ["file", "line", "count", "port", "status", "banCount"] as const;
/** The number columns of a store. */
const FLOAT_COLUMNS = ["time", "bytes", "banSeconds"] as const;

/**
 * A store's events as plain data, for another thread: what
 * {@linkcode EventStore.export} gives and {@linkcode EventStore.append}
 * takes (post it with {@linkcode storeDataBuffers} transferred). A column
 * that is undefined has only its unknown value (see {@linkcode EventStore.has}).
 */
export interface StoreData {
  length: number;
  files: string[];
  kind: Uint8Array;
  suspicious: Uint8Array;
  floats: Record<typeof FLOAT_COLUMNS[number], Float64Array | undefined>;
  ints: Record<
    typeof INT_COLUMNS[number] | typeof DICTIONARY_COLUMNS[number],
    IntArray | undefined
  >;
  /** The values of each dictionary, by id. */
  dictionaries: Record<typeof DICTIONARY_COLUMNS[number], string[]>;
}

/** The buffers of `data`'s columns: the transfer list of a `postMessage`. */
export function storeDataBuffers(data: StoreData): ArrayBuffer[] {
  const arrays = [
    data.kind,
    data.suspicious,
    ...Object.values(data.floats),
    ...Object.values(data.ints),
  ];
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) if (a !== undefined) buffers.add(a.buffer as ArrayBuffer);
  return [...buffers];
}

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
  /** The integer columns that are not dictionary ids, by name. */
  readonly #ints: Record<typeof INT_COLUMNS[number], IntColumn> = {
    file: this.#file,
    line: this.#line,
    count: this.#count,
    port: this.#port,
    status: this.#status,
    banCount: this.#banCount,
  };
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
    let f = this.#time, x = time;
    if (f.rows !== NO_NUMBERS) f.rows[i] = x;
    else if (x === x) f.setFirst(i, x, n);
    this.#kind[i] = e.kind;
    this.#suspicious[i] = (e.suspicious ?? KINDS[e.kind].suspicious) ? 1 : 0;
    // IntColumn.set and FloatColumn.set written out: a call per column and
    // event costs more than the write (1m+1m: the store's time −10 %)
    let c = this.#file, v = file;
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    c = this.#line, v = line;
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    c = this.#count, v = e.count ?? 1;
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    c = this.#port, v = e.port ?? -1;
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    c = this.#status, v = e.status ?? -1;
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    c = this.#banCount, v = e.banCount ?? -1;
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    f = this.#bytes, x = e.bytes ?? NaN;
    if (f.rows !== NO_NUMBERS) f.rows[i] = x;
    else if (x === x) f.setFirst(i, x, n);
    f = this.#banSeconds, x = e.banSeconds ?? NaN;
    if (f.rows !== NO_NUMBERS) f.rows[i] = x;
    else if (x === x) f.setFirst(i, x, n);
    const d = this.dictionaries, s = this.#strings;
    c = s.ip, v = d.ip.id(e.ip, e.ipId);
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    c = s.user, v = e.user === undefined ? -1 : d.user.id(e.user, e.userId);
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    c = s.jail, v = e.jail === undefined ? -1 : d.jail.id(e.jail);
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    c = s.host, v = e.host === undefined ? -1 : d.host.id(e.host);
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    c = s.method, v = e.method === undefined ? -1 : d.method.id(e.method);
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    c = s.path, v = e.path === undefined ? -1 : d.path.id(e.path);
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    c = s.agent, v = e.agent === undefined ? -1 : d.agent.id(e.agent);
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
    c = s.detail, v = e.detail === undefined ? -1 : d.detail.id(e.detail);
    if (v >= c.lo && v <= c.hi) c.rows[i] = v;
    else c.setWider(i, v, n);
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
    return columns[column].allocated;
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
    resized(this.#kind, 0, false);
    resized(this.#suspicious, 0, false);
    for (const column of this.#allColumns()) column.clear();
    this.#empty();
  }

  /** No events and no rows (the columns' own state is the caller's). */
  #empty(): void {
    this.#kind = new Uint8Array(0);
    this.#suspicious = new Uint8Array(0);
    this.#capacity = 0;
    this.#handedOut = false;
    this.length = 0;
    this.#columns = undefined;
  }

  /**
   * Every event as plain data, for another thread, without copying the
   * columns (their buffers can be transferred: {@linkcode storeDataBuffers}).
   * The store is empty afterwards, like after {@linkcode release}; its
   * dictionaries and files stay.
   */
  export(): StoreData {
    const n = this.length;
    if (this.#capacity !== n) this.#resize(n);
    const ints = {} as StoreData["ints"];
    for (const name of INT_COLUMNS) ints[name] = this.#ints[name].take();
    for (const name of DICTIONARY_COLUMNS) ints[name] = this.#strings[name].take();
    const data: StoreData = {
      length: n,
      files: [...this.files],
      kind: this.#kind,
      suspicious: this.#suspicious,
      floats: {
        time: this.#time.take(),
        bytes: this.#bytes.take(),
        banSeconds: this.#banSeconds.take(),
      },
      ints,
      dictionaries: Object.fromEntries(
        DICTIONARY_COLUMNS.map((name) => [name, [...this.dictionaries[name].values]]),
      ) as StoreData["dictionaries"],
    };
    this.#empty();
    return data;
  }

  /**
   * Add the events of `data` (another store's {@linkcode export}) after this
   * store's, as if they had been added one by one: its files go after this
   * store's files, and its strings into this store's dictionaries.
   */
  append(data: StoreData): void {
    const at = this.length;
    const count = data.length;
    const fileOffset = this.files.length;
    this.files = [...this.files, ...data.files];
    if (count === 0) return;
    const need = at + count;
    if (need > this.#capacity) this.#resize(Math.max(need, 4096));
    this.length = need;
    this.#columns = undefined;
    const capacity = this.#capacity;
    this.#kind.set(data.kind.subarray(0, count), at);
    this.#suspicious.set(data.suspicious.subarray(0, count), at);
    this.#time.setRows(at, data.floats.time, count, capacity);
    this.#bytes.setRows(at, data.floats.bytes, count, capacity);
    this.#banSeconds.setRows(at, data.floats.banSeconds, count, capacity);
    for (const name of INT_COLUMNS) {
      const column = this.#ints[name];
      if (name !== "file") column.setRows(at, data.ints[name], count, capacity);
      else {
        // the file indices of `data` go after this store's
        const remap = new Int32Array(Math.max(1, data.files.length));
        for (let j = 0; j < remap.length; j++) remap[j] = j + fileOffset;
        column.setRowsMapped(at, data.ints.file, count, capacity, remap);
      }
    }
    for (const name of DICTIONARY_COLUMNS) {
      const ids = data.ints[name];
      if (ids === undefined) this.#strings[name].setRows(at, undefined, count, capacity);
      else {
        const dictionary = this.dictionaries[name];
        const values = data.dictionaries[name];
        const remap = new Int32Array(values.length);
        for (let j = 0; j < values.length; j++) remap[j] = dictionary.id(values[j]);
        this.#strings[name].setRowsMapped(at, ids, count, capacity, remap);
      }
    }
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
