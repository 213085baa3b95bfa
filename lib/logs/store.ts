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

/** A growing list of distinct strings, each with a stable integer id. */
export class StringDictionary {
  readonly values: string[] = [];
  readonly #ids = new Map<string, number>();

  /** The id of `value`, adding it (copied) when new; -1 for undefined. */
  id(value: string | undefined): number {
    if (value === undefined) return -1;
    let id = this.#ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      const copy = copyString(value);
      this.values.push(copy);
      this.#ids.set(copy, id);
    }
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

type NumberArray = Float64Array | Int32Array | Uint8Array;

/** A typed array that doubles when full. */
class Column<T extends NumberArray> {
  data: T;
  readonly #make: (n: number) => T;
  constructor(make: (n: number) => T, capacity: number) {
    this.#make = make;
    this.data = make(capacity);
  }
  set(i: number, v: number) {
    if (i >= this.data.length) {
      const next = this.#make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[i] = v;
  }
}

/** The columns of the store, trimmed to its length. */
export interface EventColumns {
  length: number;
  /** UTC ms, NaN unknown. */
  time: Float64Array;
  /** Index into KINDS. */
  kind: Uint8Array;
  /** 1 = suspicious. */
  suspicious: Uint8Array;
  /** Index into the store's file list. */
  file: Int32Array;
  line: Int32Array;
  /** Repeat count (`message repeated N times`), 1 otherwise. */
  count: Int32Array;
  /** -1 = unknown. */
  port: Int32Array;
  status: Int32Array;
  /** NaN = unknown. */
  bytes: Float64Array;
  banSeconds: Float64Array;
  /** fail2ban ban count (Increase Ban's `(2 # …)`, the database's bancount), -1 = unknown. */
  banCount: Int32Array;
  /** Dictionary ids, -1 = unknown. */
  ip: Int32Array;
  user: Int32Array;
  jail: Int32Array;
  host: Int32Array;
  method: Int32Array;
  path: Int32Array;
  agent: Int32Array;
  detail: Int32Array;
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
  readonly #time: Column<Float64Array>;
  readonly #kind: Column<Uint8Array>;
  readonly #suspicious: Column<Uint8Array>;
  readonly #file: Column<Int32Array>;
  readonly #line: Column<Int32Array>;
  readonly #count: Column<Int32Array>;
  readonly #port: Column<Int32Array>;
  readonly #status: Column<Int32Array>;
  readonly #bytes: Column<Float64Array>;
  readonly #banSeconds: Column<Float64Array>;
  readonly #banCount: Column<Int32Array>;
  readonly #strings: Record<typeof DICTIONARY_COLUMNS[number], Column<Int32Array>>;

  constructor(capacity = 4096) {
    const f64 = (n: number) => new Float64Array(n);
    const i32 = (n: number) => new Int32Array(n);
    const u8 = (n: number) => new Uint8Array(n);
    this.#time = new Column(f64, capacity);
    this.#kind = new Column(u8, capacity);
    this.#suspicious = new Column(u8, capacity);
    this.#file = new Column(i32, capacity);
    this.#line = new Column(i32, capacity);
    this.#count = new Column(i32, capacity);
    this.#port = new Column(i32, capacity);
    this.#status = new Column(i32, capacity);
    this.#bytes = new Column(f64, capacity);
    this.#banSeconds = new Column(f64, capacity);
    this.#banCount = new Column(i32, capacity);
    this.#strings = Object.fromEntries(
      DICTIONARY_COLUMNS.map((c) => [c, new Column(i32, capacity)]),
    ) as Record<
      typeof DICTIONARY_COLUMNS[number],
      Column<Int32Array>
    >;
  }

  add(e: ParsedEvent, time: number, file: number, line: number): void {
    const i = this.length++;
    this.#time.set(i, time);
    this.#kind.set(i, e.kind);
    this.#suspicious.set(i, (e.suspicious ?? KINDS[e.kind].suspicious) ? 1 : 0);
    this.#file.set(i, file);
    this.#line.set(i, line);
    this.#count.set(i, e.count ?? 1);
    this.#port.set(i, e.port ?? -1);
    this.#status.set(i, e.status ?? -1);
    this.#bytes.set(i, e.bytes ?? NaN);
    this.#banSeconds.set(i, e.banSeconds ?? NaN);
    this.#banCount.set(i, e.banCount ?? -1);
    const d = this.dictionaries, s = this.#strings;
    s.ip.set(i, d.ip.id(e.ip));
    s.user.set(i, d.user.id(e.user));
    s.jail.set(i, d.jail.id(e.jail));
    s.host.set(i, d.host.id(e.host));
    s.method.set(i, d.method.id(e.method));
    s.path.set(i, d.path.id(e.path));
    s.agent.set(i, d.agent.id(e.agent));
    s.detail.set(i, d.detail.id(e.detail));
  }

  /** The columns, as views trimmed to the store's length. */
  columns(): EventColumns {
    const n = this.length;
    const s = this.#strings;
    return {
      length: n,
      time: this.#time.data.subarray(0, n),
      kind: this.#kind.data.subarray(0, n),
      suspicious: this.#suspicious.data.subarray(0, n),
      file: this.#file.data.subarray(0, n),
      line: this.#line.data.subarray(0, n),
      count: this.#count.data.subarray(0, n),
      port: this.#port.data.subarray(0, n),
      status: this.#status.data.subarray(0, n),
      bytes: this.#bytes.data.subarray(0, n),
      banSeconds: this.#banSeconds.data.subarray(0, n),
      banCount: this.#banCount.data.subarray(0, n),
      ip: s.ip.data.subarray(0, n),
      user: s.user.data.subarray(0, n),
      jail: s.jail.data.subarray(0, n),
      host: s.host.data.subarray(0, n),
      method: s.method.data.subarray(0, n),
      path: s.path.data.subarray(0, n),
      agent: s.agent.data.subarray(0, n),
      detail: s.detail.data.subarray(0, n),
    };
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
