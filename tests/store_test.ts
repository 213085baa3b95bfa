/**
 * The event store against a plain reference: every column's values and
 * typed-array kind (as narrow as its values allow: Int8, Int16, Int32),
 * `has()`, the dictionaries, and the columns handed out, across widening at
 * any row, events added after the columns were read, and `release()`.
 */
import { DICTIONARY_COLUMNS, type EventColumns, EventStore } from "../lib/logs/store.ts";
import { KINDS } from "../lib/logs/kinds.ts";
import { type ParsedEvent, TimeKind } from "../lib/logs/types.ts";
import { assertEquals, assertOk } from "./_assert.ts";

type IntName =
  | "file"
  | "line"
  | "count"
  | "port"
  | "status"
  | "banCount"
  | typeof DICTIONARY_COLUMNS[number];
const INT_FILLS: Record<IntName, number> = {
  file: 0,
  line: 0,
  count: 1,
  port: -1,
  status: -1,
  banCount: -1,
  ip: -1,
  user: -1,
  jail: -1,
  host: -1,
  method: -1,
  path: -1,
  agent: -1,
  detail: -1,
};
const FLOATS = ["time", "bytes", "banSeconds"] as const;

/** What the store should hold: plain arrays, one entry per event. */
class Reference {
  ints = Object.fromEntries(Object.keys(INT_FILLS).map((k) => [k, [] as number[]])) as Record<
    IntName,
    number[]
  >;
  floats = { time: [] as number[], bytes: [] as number[], banSeconds: [] as number[] };
  kind: number[] = [];
  suspicious: number[] = [];
  strings = Object.fromEntries(DICTIONARY_COLUMNS.map((k) => [k, [] as string[]])) as Record<
    typeof DICTIONARY_COLUMNS[number],
    string[]
  >;

  add(e: ParsedEvent, time: number, file: number, line: number) {
    this.kind.push(e.kind);
    this.suspicious.push((e.suspicious ?? KINDS[e.kind].suspicious) ? 1 : 0);
    this.floats.time.push(time);
    this.floats.bytes.push(e.bytes ?? NaN);
    this.floats.banSeconds.push(e.banSeconds ?? NaN);
    const ints = this.ints;
    ints.file.push(file);
    ints.line.push(line);
    ints.count.push(e.count ?? 1);
    ints.port.push(e.port ?? -1);
    ints.status.push(e.status ?? -1);
    ints.banCount.push(e.banCount ?? -1);
    for (const name of DICTIONARY_COLUMNS) {
      const value = e[name];
      if (value === undefined) ints[name].push(-1);
      else {
        const values = this.strings[name];
        let id = values.indexOf(value);
        if (id < 0) id = values.push(value) - 1;
        ints[name].push(id);
      }
    }
  }

  /** The typed-array kind of an integer column: the width its values need, Int8Array when all are the fill. */
  kindOf(name: IntName): string {
    let width = 1;
    for (const v of this.ints[name]) {
      if (v === INT_FILLS[name]) continue;
      const need = v >= -128 && v <= 127 ? 1 : v >= -32_768 && v <= 32_767 ? 2 : 4;
      width = Math.max(width, need);
    }
    return width === 1 ? "Int8Array" : width === 2 ? "Int16Array" : "Int32Array";
  }

  has(name: IntName | typeof FLOATS[number]): boolean {
    if (name in INT_FILLS) {
      return this.ints[name as IntName].some((v) => v !== INT_FILLS[name as IntName]);
    }
    return this.floats[name as typeof FLOATS[number]].some((v) => !Number.isNaN(v));
  }
}

/** An Int32Array stores `v` so (beyond 32 bits and NaN included). */
const int32 = (v: number) => new Int32Array([v])[0];

function check(store: EventStore, reference: Reference, columns: EventColumns, label: string) {
  const n = reference.kind.length;
  assertEquals(store.length, n, label);
  assertEquals(columns.length, n, label);
  assertEquals([...columns.kind], reference.kind, `${label}: kind`);
  assertEquals([...columns.suspicious], reference.suspicious, `${label}: suspicious`);
  for (const name of FLOATS) {
    assertEquals(
      Array.from(columns[name], (v) => Number.isNaN(v) ? "NaN" : v),
      reference.floats[name].map((v) => Number.isNaN(v) ? "NaN" : v),
      `${label}: ${name}`,
    );
    assertEquals(store.has(name), reference.has(name), `${label}: has(${name})`);
  }
  for (const name of Object.keys(INT_FILLS) as IntName[]) {
    const column = columns[name];
    assertEquals(column.constructor.name, reference.kindOf(name), `${label}: kind of ${name}`);
    // each value as the narrow array stores it (a value wider than the column's width is never kept narrow)
    assertEquals([...column], reference.ints[name].map(int32), `${label}: ${name}`);
    assertEquals(store.has(name), reference.has(name), `${label}: has(${name})`);
  }
  for (const name of DICTIONARY_COLUMNS) {
    assertEquals(store.dictionaries[name].values, reference.strings[name], `${label}: ${name}s`);
  }
}

/** A small deterministic generator. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const SPECIAL = [0, -1, 1, 127, 128, -128, -129, 32_767, 32_768, -32_769, 2 ** 31, 2 ** 33, NaN];

function eventOf(rand: () => number, i: number, widen: number): ParsedEvent {
  const pick = <T>(values: readonly T[]) => values[Math.floor(rand() * values.length)];
  const maybe = (p: number) => rand() < p;
  // values stay small (one byte) before row `widen`, any width after it
  const small = i < widen;
  const int = (fallback: number | undefined) =>
    maybe(0.5) ? fallback : small ? Math.floor(rand() * 100) : pick(SPECIAL);
  return {
    time: 0,
    timeKind: TimeKind.Absolute,
    kind: Math.floor(rand() * KINDS.length),
    ip: maybe(0.9) ? `192.0.2.${Math.floor(rand() * (small ? 50 : 250))}` : undefined,
    user: maybe(0.3) ? `user${Math.floor(rand() * (small ? 20 : 300))}` : undefined,
    port: int(undefined),
    count: maybe(0.9) ? undefined : int(1),
    status: maybe(0.95) ? undefined : int(undefined),
    banCount: int(undefined),
    bytes: maybe(0.8) ? undefined : rand() * 1000,
    banSeconds: maybe(0.97) ? undefined : pick([-1, 600, 86_400, NaN]),
    jail: maybe(0.5) ? undefined : pick(["sshd", "recidive"]),
    host: maybe(0.2) ? undefined : pick(["web1", "web2"]),
    method: small || maybe(0.9) ? undefined : pick(["GET", "POST"]),
    path: small || maybe(0.9) ? undefined : `/p${Math.floor(rand() * 400)}`,
    agent: undefined,
    detail: maybe(0.8) ? undefined : pick(["invalid user", "timeout before authentication"]),
    suspicious: maybe(0.9) ? undefined : maybe(0.5),
  };
}

Deno.test("EventStore: columns as narrow as their values, against a plain reference", () => {
  for (
    const [seed, rows, widen, capacity] of [
      [1, 50, 50, 4096], // one byte throughout
      [2, 10_000, 0, 4096], // wide from the first row
      [3, 10_000, 6_000, 4096], // widening late, past a resize
      [4, 9_000, 4_096, 16], // widening at a capacity boundary, small first capacity
      [5, 0, 0, 4096], // no events
    ]
  ) {
    const rand = random(seed);
    const store = new EventStore(capacity);
    const reference = new Reference();
    for (let i = 0; i < rows; i++) {
      const e = eventOf(rand, i, widen);
      const time = maybe(rand, 0.02) ? NaN : Date.UTC(2026, 0, 1) + i * 1000;
      const line = i % 3 === 0 ? i + 1 : i * 997;
      store.add(e, time, seed % 2, line);
      reference.add(e, time, seed % 2, line);
    }
    check(store, reference, store.columns(), `seed ${seed}`);
  }
});

function maybe(rand: () => number, p: number) {
  return rand() < p;
}

Deno.test("EventStore: events added after the columns were read, and after release()", () => {
  const rand = random(7);
  const store = new EventStore(8);
  const reference = new Reference();
  const add = (rows: number, widen: number) => {
    for (let k = 0; k < rows; k++) {
      const i = reference.kind.length;
      const e = eventOf(rand, i, widen);
      store.add(e, i, 0, i + 1);
      reference.add(e, i, 0, i + 1);
    }
  };
  add(300, 1_000_000);
  const first = store.columns();
  const snapshot = Object.fromEntries(
    Object.entries(first).map(([k, v]) => [k, typeof v === "number" ? v : Array.from(v)]),
  );
  check(store, reference, first, "first read");
  // more rows, wider values: the columns handed out stay as they were
  add(5_000, 0);
  assertEquals(
    Object.fromEntries(
      Object.entries(first).map(([k, v]) => [k, typeof v === "number" ? v : Array.from(v)]),
    ),
    snapshot,
    "the first columns after more events",
  );
  check(store, reference, store.columns(), "second read");
  // read twice without an event between: the same columns
  assertOk(store.columns() === store.columns());
  // released: the columns handed out are empty, the store takes events again
  const handed = store.columns();
  store.release();
  assertEquals([store.length, handed.kind.length, handed.ip.length, handed.time.length], [
    0,
    0,
    0,
    0,
  ]);
  for (const name of ["port", "ip", "line", "bytes"] as const) assertEquals(store.has(name), false);
  const again = new Reference();
  again.strings = reference.strings; // (the dictionaries stay)
  for (let i = 0; i < 700; i++) {
    const e = eventOf(rand, i, 200);
    store.add(e, i, 1, i + 1);
    again.add(e, i, 1, i + 1);
  }
  check(store, again, store.columns(), "after release");
});

Deno.test("EventStore: append(export()) adds another store's events as if added one by one", () => {
  for (
    const [seed, first, second, widen] of [
      [11, 3_000, 2_000, 1_000_000], // narrow on both sides
      [12, 3_000, 5_000, 4_000], // the second store's values widen this one's columns
      [13, 5_000, 3_000, 1_000], // this store wider than the second
      [14, 0, 700, 0], // this store empty
      [15, 900, 0, 0], // the second store empty
      [16, 200, 300, 1_000_000], // this store's columns unknown where the other's are known
    ]
  ) {
    const rand = random(seed);
    const mine = new EventStore(64);
    const theirs = new EventStore(64);
    mine.files = ["a.log", "a.log.1"];
    theirs.files = ["b.log", "b.log.1", "b.log.2"];
    const reference = new Reference();
    for (let i = 0; i < first + second; i++) {
      // the first store's events are narrow and lack most columns in case 16
      const e = seed === 16 && i < first
        ? { time: 0, timeKind: TimeKind.Absolute, kind: 1, ip: `192.0.2.${i % 7}` }
        : eventOf(rand, i, widen);
      const time = maybe(rand, 0.02) ? NaN : Date.UTC(2026, 0, 1) + i * 1000;
      const line = i * 37 + 1;
      const file = i % 3;
      if (i < first) {
        mine.add(e, time, file % 2, line);
        reference.add(e, time, file % 2, line);
      } else {
        theirs.add(e, time, file, line);
        reference.add(e, time, 2 + file, line); // after this store's two files
      }
    }
    const data = theirs.export();
    assertEquals([theirs.length, data.length], [0, second], `seed ${seed}: exported`);
    mine.append(data);
    assertEquals(mine.files, ["a.log", "a.log.1", "b.log", "b.log.1", "b.log.2"]);
    check(mine, reference, mine.columns(), `seed ${seed}`);
    // the store takes more events afterwards
    const e = eventOf(rand, 0, 0);
    mine.add(e, 5, 4, 9);
    reference.add(e, 5, 4, 9);
    check(mine, reference, mine.columns(), `seed ${seed}, one more`);
  }
});
