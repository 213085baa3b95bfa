/**
 * Streaming aggregation of events: totals, per source/kind counts, and per-IP
 * statistics (attempts, first/last seen, users tried, kinds, bans). Memory
 * grows with the number of distinct IPs, never with the number of lines.
 *
 * @module
 */
import { KINDS, SOURCES } from "./kinds.ts";
import type { EventConsumer, FileReport, ParseReport } from "./pipeline.ts";
import type { EventRecords, IpGatherer, IpRecords, ParsedEvent } from "./types.ts";
import { copyString } from "./read.ts";
import { IdCache } from "./bytes.ts";

/** Per-IP statistics. */
export interface IpStats {
  ip: string;
  /** Events of any kind (with `count` repeats). */
  events: number;
  /** Suspicious events. */
  suspicious: number;
  /** Events per kind index. */
  kinds: Int32Array;
  /** First and last event time, UTC ms. */
  first: number;
  last: number;
  /** Distinct user names tried in suspicious events (at most {@linkcode MAX_USERS_PER_IP} kept). */
  users: Set<string>;
  /**
   * Bans: `ban` events (fail2ban.log), database and blacklist rows, status
   * listings. A restored or increased ban continues an existing ban and is not
   * counted again.
   */
  bans: number;
  /** Successful logins. */
  accepted: number;
}

/**
 * Rows and pairs gathered per IP in columns before they are added (see
 * `addRecords`): the module's room for pairs (65,536), so that an IP's row
 * is added as few times as can be (the 1M-line bench log: 5,936 rows and
 * 49,970 pairs, added once, or not at all, see `#pending`). It must not be
 * above the module's pair room (MAX_PAIRS in lib/logs/syslog_wasm.ts): with
 * pairs full the module stops at once and waits for a drain, which only
 * this threshold starts during a scan (at 1,000,000 the scan never ends).
 */
const DRAIN_AT = 1 << 16;

/** Distinct users remembered per IP (the count keeps growing past it). */
export const MAX_USERS_PER_IP = 1000;

const BAN_KINDS = new Set(["ban", "db_ban", "blacklisted", "banned"]);
const ACCEPTED_KINDS = new Set(["accepted_password", "accepted_publickey", "accepted_other"]);
const IS_BAN = Uint8Array.from(KINDS, (k) => (BAN_KINDS.has(k.name) ? 1 : 0));
const IS_ACCEPTED = Uint8Array.from(KINDS, (k) => (ACCEPTED_KINDS.has(k.name) ? 1 : 0));
const DEFAULT_SUSPICIOUS = Uint8Array.from(KINDS, (k) => (k.suspicious ? 1 : 0));

/**
 * The totals (events and first and last time as well as per kind) with
 * what is gathered and not added (see `SummaryAggregator.#pending`).
 */
interface PendingView {
  records: IpRecords;
  kinds: Float64Array;
  events: number;
  suspicious: number;
  /** First and last event time. */
  span: Float64Array;
}

/** `#userState` of a row whose distinct users are kept exactly, and of one that has them all. */
const HEAVY = -1, FULL = -2;

/** Numbers kept per IP, in this order, in one row of a Float64Array. */
const EVENTS = 0, SUSPICIOUS = 1, FIRST = 2, LAST = 3, BANS = 4, ACCEPTED = 5;
/** Doubles per row (six used; eight keep a row in one cache line). */
const FIELDS = 8;

/**
 * What a {@linkcode SummaryAggregator} has gathered, as plain data for
 * another thread (see {@linkcode SummaryAggregator.export}).
 */
export interface SummaryState {
  kinds: Float64Array;
  events: number;
  suspicious: number;
  withoutIp: number;
  first: number;
  last: number;
  /** The IPs by row, in the order first seen. */
  ips: string[];
  /** Per row, its numbers (events, suspicious, first, last, bans, accepted, two unused). */
  numbers: Float64Array;
  /** Per row, its events per kind index. */
  kindCounts: Int32Array;
  /** (row, user) pairs in the order tried (indices into `users`). */
  pairs: Int32Array;
  users: string[];
}

/** An {@linkcode EventConsumer} that aggregates as events stream by. */
export class SummaryAggregator implements EventConsumer, IpGatherer {
  // the totals (read through the getters below, which first add what the
  // WebAssembly scanner gathered for this aggregator)
  readonly #kinds = new Float64Array(KINDS.length);
  #events = 0;
  #suspicious = 0;
  #withoutIp = 0;
  /** First and last event time (an array: numbers kept in fields would be boxed). */
  readonly #span = new Float64Array([NaN, NaN]);
  /** Where events are gathered per IP for this aggregator (see `addRecords`). */
  #gathering: EventRecords | undefined;
  /** See `#pending` (undefined: not known; reset when anything is added). */
  #pendingView: PendingView | undefined;
  /** Per-IP statistics are kept (see the constructor). */
  readonly #perIp: boolean;

  /**
   * @param options.perIp keep per-IP statistics (`ips`, `topIps`…); without
   * them only the totals are counted, for a caller that has the events in
   * columns anyway. @default true
   */
  constructor(options: { perIp?: boolean } = {}) {
    this.#perIp = options.perIp ?? true;
  }

  /** Events per kind index (with repeats). */
  get kinds(): Float64Array {
    return this.#pending()?.kinds ?? this.#kinds;
  }

  get events(): number {
    return this.#pending()?.events ?? this.#events;
  }

  get suspicious(): number {
    return this.#pending()?.suspicious ?? this.#suspicious;
  }

  /** Events without an IP. */
  get withoutIp(): number {
    this.#pending(); // (what is gathered has an IP each)
    return this.#withoutIp;
  }

  /** First event time, UTC ms (NaN: none). */
  get first(): number {
    return (this.#pending()?.span ?? this.#span)[0];
  }

  /** Last event time, UTC ms (NaN: none). */
  get last(): number {
    return (this.#pending()?.span ?? this.#span)[1];
  }

  /** Add what was gathered per IP for this aggregator and not added yet. */
  #drain(): void {
    this.#pendingView = undefined;
    this.#gathering?.drain(this);
  }

  /**
   * The totals with what the module gathered and not added, when the
   * summary can be read from that without adding it: this aggregator has no
   * rows of its own, and no two of the rows gathered are one IP. Else
   * (undefined) what was gathered is added now. Adding the rows one by one
   * is left until something needs all of them (`ips`, `export`, `merge`,
   * an event of another reader): reading a file is over when the summary is
   * asked for, and the code adding them would run once, not yet warm (the
   * 1M-line bench log: 5,936 rows, 20–30 ms in a fresh process).
   */
  #pending(): PendingView | undefined {
    if (this.#pendingView !== undefined) return this.#pendingView;
    const records = this.#perIp && this.#ipOf.length === 0
      ? this.#gathering?.pending(this)
      : undefined;
    if (records === undefined) {
      this.#drain();
      return undefined;
    }
    const kinds = this.#kinds.slice();
    const span = this.#span.slice();
    const [events, suspicious] = addTotals(records, kinds, span);
    return this.#pendingView = {
      records,
      kinds,
      events: this.#events + events,
      suspicious: this.#suspicious + suspicious,
      span,
    };
  }

  // Per IP a row number; the numbers of all IPs in a few large typed arrays
  // (a million events touch little memory).
  #rows = new Map<string, number>();
  #ipOf: string[] = [];
  #numbers = new Float64Array(FIELDS * 256);
  #kindCounts = new Int32Array(KINDS.length * 256);
  // User names by number; per IP a set of numbers (looking at a number needs no
  // string from memory), and the number of its last suspicious event's user.
  #userIds = new Map<string, number>();
  #userNames: string[] = [];
  #lastUser: string | undefined;
  #lastUserId = -1;
  /**
   * Per row: the number of its last user, and how many (row, user) pairs it
   * has in the log — or HEAVY once that passed 2 × MAX_USERS_PER_IP: then
   * `#heavy` holds its distinct users exactly (FULL: MAX_USERS_PER_IP of them).
   */
  #userState = new Int32Array(2 * 256);
  /**
   * The (row, user) pairs in the order tried, with repeats (not one after the
   * other for a row): the users of a row are the first MAX_USERS_PER_IP
   * distinct ones of its pairs, found when asked for (#usersOf). Logging a
   * pair costs a write, where keeping them distinct cost a hash-table probe.
   */
  #pairLog = new Int32Array(2 * 1024);
  #pairCount = 0;
  #heavy = new Map<number, Set<number>>();
  // rows and user numbers by the ids the byte scanners give strings
  #rowById = new IdCache();
  #userById = new IdCache();
  // runs of events from one IP (an attacker's session) are the rule
  #lastIp: string | undefined;
  #lastRow = -1;
  #snapshot: Map<string, IpStats> | undefined;
  /** Rows of the IPs of the batch being added (see `addRecords`). */
  #batchRows = new Int32Array(256);
  /** The time of the event being added (see `#add`). */
  readonly #time = new Float64Array(1);

  /**
   * Per-IP statistics by IP, in the order the IPs were first seen: a snapshot
   * (rebuilt after more events are added).
   */
  get ips(): Map<string, IpStats> {
    this.#drain();
    if (this.#snapshot !== undefined) return this.#snapshot;
    const map = new Map<string, IpStats>();
    const rows = Array.from(this.#ipOf, (_, row) => row);
    const users = this.#usersOf(rows);
    for (const row of rows) map.set(this.#ipOf[row], this.#stats(row, users.get(row)!));
    return this.#snapshot = map;
  }

  /** Number of distinct IPs. */
  get ipCount(): number {
    return this.#pending()?.records.ipCount ?? this.#ipOf.length;
  }

  /** The statistics of one row, as a new object. */
  #stats(row: number, users: Set<string>): IpStats {
    const numbers = this.#numbers;
    const at = row * FIELDS;
    const k = KINDS.length;
    return {
      ip: this.#ipOf[row],
      events: numbers[at + EVENTS],
      suspicious: numbers[at + SUSPICIOUS],
      kinds: this.#kindCounts.slice(row * k, row * k + k),
      first: numbers[at + FIRST],
      last: numbers[at + LAST],
      users,
      bans: numbers[at + BANS],
      accepted: numbers[at + ACCEPTED],
    };
  }

  add(event: ParsedEvent, time: number, _file: number, _line: number): void {
    this.#drain(); // what was gathered came first
    const count = event.count;
    const flag = event.suspicious;
    const kind = event.kind;
    this.#time[0] = time;
    this.#add(
      kind,
      count === undefined ? 1 : count,
      flag === undefined ? DEFAULT_SUSPICIOUS[kind] === 1 : flag,
      event.ip,
      event.ipId,
      event.user,
      event.userId,
    );
  }

  addRecords(records: EventRecords, _file: number): void {
    // gathered per IP where they are, and added one row per IP (addIps) when
    // anything else is added or read: a few thousand rows instead of a million events
    this.#pendingView = undefined;
    this.#gathering = records;
    // drained now and then, not all at the end: the code adding them is hot by then
    if (records.gather(this) >= DRAIN_AT) records.drain(this);
  }

  addIps(perIp: IpRecords): void {
    // The first call comes while the process is young, when each call and
    // field read costs far more than it will later: the arrays are read
    // into locals once, and the per-row arrays made large enough up front
    // (a new row cannot replace them in the loop).
    this.#snapshot = undefined;
    this.#pendingView = undefined;
    const [events, suspicious] = addTotals(perIp, this.#kinds, this.#span);
    this.#events += events;
    this.#suspicious += suspicious;
    if (!this.#perIp) return;
    const n = perIp.ipCount;
    const { rows, stride, firstLast, ipValues, ipIds, kindSlots } = perIp;
    this.#reserveRows(this.#ipOf.length + n);
    const numbers = this.#numbers;
    const kindCounts = this.#kindCounts;
    const rowById = this.#rowById;
    const kindsLength = KINDS.length;
    let batchRows = this.#batchRows;
    if (batchRows.length < n) batchRows = this.#batchRows = new Int32Array(n);
    for (let i = 0, r = 0; i < n; i++, r += stride) {
      const value = rows[r];
      const id = ipIds[value];
      let row = rowById.get(id);
      if (row < 0) row = this.#rowOf(ipValues[value], id);
      batchRows[i] = row;
      const ipEvents = rows[r + 1];
      const ipSuspicious = rows[r + 2];
      const ipFirst = firstLast[2 * i];
      const ipLast = firstLast[2 * i + 1];
      const at = row * FIELDS;
      numbers[at + EVENTS] += ipEvents;
      numbers[at + SUSPICIOUS] += ipSuspicious;
      if (!(numbers[at + FIRST] <= ipFirst)) numbers[at + FIRST] = ipFirst;
      if (!(numbers[at + LAST] >= ipLast)) numbers[at + LAST] = ipLast;
      const kindRow = row * kindsLength;
      for (let bits = rows[r + 3]; bits !== 0; bits &= bits - 1) {
        const slot = 31 - Math.clz32(bits & -bits);
        const count = rows[r + 4 + slot];
        const kind = kindSlots[slot];
        kindCounts[kindRow + kind] += count;
        if (IS_BAN[kind] === 1) numbers[at + BANS] += count;
        if (IS_ACCEPTED[kind] === 1) numbers[at + ACCEPTED] += count;
      }
    }
    const { pairs, userValues, userIds } = perIp;
    for (let j = 0; j < 2 * perIp.pairCount; j += 2) {
      const user = pairs[j + 1];
      this.#userTried(batchRows[pairs[j]], userValues[user], userIds[user]);
    }
  }

  /**
   * One event, `n` times, at `this.#time[0]` (the time is passed there: a
   * number argument that is not a small integer would be a new heap object
   * per call).
   */
  #add(
    kind: number,
    n: number,
    suspicious: boolean,
    ip: string | undefined,
    ipId: number | undefined,
    user: string | undefined,
    userId: number | undefined,
  ): void {
    const time = this.#time[0];
    this.#snapshot = undefined;
    this.#events += n;
    this.#kinds[kind] += n;
    if (suspicious) this.#suspicious += n;
    const span = this.#span;
    if (!(span[0] <= time)) span[0] = time;
    if (!(span[1] >= time)) span[1] = time;
    if (ip === undefined) {
      this.#withoutIp += n;
      return;
    }
    if (!this.#perIp) return;
    const row = this.#rowOf(ip, ipId);
    const numbers = this.#numbers;
    const at = row * FIELDS;
    numbers[at + EVENTS] += n;
    this.#kindCounts[row * KINDS.length + kind] += n;
    if (suspicious) {
      numbers[at + SUSPICIOUS] += n;
      if (user !== undefined) this.#userTried(row, user, userId);
    }
    if (IS_BAN[kind] === 1) numbers[at + BANS] += n;
    if (IS_ACCEPTED[kind] === 1) numbers[at + ACCEPTED] += n;
    if (!(numbers[at + FIRST] <= time)) numbers[at + FIRST] = time;
    if (!(numbers[at + LAST] >= time)) numbers[at + LAST] = time;
  }

  /** The row of `ip` (a new one for an IP not seen before). */
  #rowOf(ip: string, ipId: number | undefined): number {
    let row = this.#rowById.get(ipId);
    if (row < 0) {
      if (ip === this.#lastIp) row = this.#lastRow;
      else {
        const known = this.#rows.get(ip);
        row = known === undefined ? this.#newRow(ip) : known;
        this.#lastIp = this.#ipOf[row]; // the copy: `ip` may be a slice of a large chunk
        this.#lastRow = row;
      }
      this.#rowById.set(ipId, row);
    }
    return row;
  }

  /** Record that the IP of `row` tried `user` in a suspicious event. */
  #userTried(row: number, user: string, userId: number | undefined): void {
    const state = this.#userState;
    const pairs = state[2 * row + 1];
    if (pairs === FULL) return; // (a new name is not even kept in the dictionary)
    let id = this.#userById.get(userId);
    if (id < 0) {
      if (user === this.#lastUser) id = this.#lastUserId;
      else {
        const known = this.#userIds.get(user);
        id = known !== undefined ? known : this.#newUser(user);
        this.#lastUser = this.#userNames[id];
        this.#lastUserId = id;
      }
      this.#userById.set(userId, id);
    }
    if (id === state[2 * row]) return; // the same user again
    state[2 * row] = id;
    if (pairs !== HEAVY) {
      this.#logPair(row, id);
      if (pairs + 1 >= 2 * MAX_USERS_PER_IP) this.#makeHeavy(row);
      else state[2 * row + 1] = pairs + 1;
      return;
    }
    const distinct = this.#heavy.get(row)!;
    if (distinct.has(id)) return;
    distinct.add(id);
    this.#logPair(row, id);
    if (distinct.size >= MAX_USERS_PER_IP) state[2 * row + 1] = FULL;
  }

  /** A row with many pairs in the log: from now on its distinct users are kept exactly. */
  #makeHeavy(row: number): void {
    const distinct = new Set<number>();
    const log = this.#pairLog;
    for (let i = 0; i < 2 * this.#pairCount; i += 2) {
      if (log[i] === row) distinct.add(log[i + 1]);
    }
    this.#heavy.set(row, distinct);
    this.#userState[2 * row + 1] = distinct.size >= MAX_USERS_PER_IP ? FULL : HEAVY;
  }

  /** Append (row, user) to the log. */
  #logPair(row: number, id: number): void {
    if (2 * this.#pairCount + 2 > this.#pairLog.length) {
      const log = new Int32Array(this.#pairLog.length * 2);
      log.set(this.#pairLog);
      this.#pairLog = log;
    }
    this.#pairLog[2 * this.#pairCount] = row;
    this.#pairLog[2 * this.#pairCount + 1] = id;
    this.#pairCount++;
  }

  /** Room for `rows` rows in the per-row arrays (replaced when they grow). */
  #reserveRows(rows: number): void {
    let capacity = this.#numbers.length / FIELDS;
    if (rows <= capacity) return;
    while (capacity < rows) capacity *= 2;
    const numbers = new Float64Array(capacity * FIELDS);
    numbers.set(this.#numbers);
    this.#numbers = numbers;
    const kindCounts = new Int32Array(capacity * KINDS.length);
    kindCounts.set(this.#kindCounts);
    this.#kindCounts = kindCounts;
    const userState = new Int32Array(capacity * 2);
    userState.set(this.#userState);
    this.#userState = userState;
  }

  /** Start the row of an IP not seen before. */
  #newRow(ip: string): number {
    const row = this.#ipOf.length;
    this.#reserveRows(row + 1);
    this.#numbers[row * FIELDS + FIRST] = NaN;
    this.#numbers[row * FIELDS + LAST] = NaN;
    const key = copyString(ip);
    this.#ipOf.push(key);
    this.#userState[2 * row] = -1;
    this.#rows.set(key, row);
    return row;
  }

  /**
   * The user names of `rows`, each in the order they were first tried, at
   * most MAX_USERS_PER_IP (one pass over the pairs).
   */
  #usersOf(rows: readonly number[]): Map<number, Set<string>> {
    const users = new Map<number, Set<string>>();
    for (const row of rows) users.set(row, new Set());
    const log = this.#pairLog;
    for (let i = 0; i < 2 * this.#pairCount; i += 2) {
      const set = users.get(log[i]);
      if (set !== undefined && set.size < MAX_USERS_PER_IP) set.add(this.#userNames[log[i + 1]]);
    }
    return users;
  }

  /** The statistics of `rows`, as new objects. */
  #statsOf(rows: readonly number[]): IpStats[] {
    const users = this.#usersOf(rows);
    return rows.map((row) => this.#stats(row, users.get(row)!));
  }

  /** Number a user name not seen before. */
  #newUser(user: string): number {
    const id = this.#userNames.length;
    const copy = copyString(user); // `user` may be a slice of a large chunk
    this.#userNames.push(copy);
    this.#userIds.set(copy, id);
    return id;
  }

  /** Everything gathered, as plain data (the arrays are copies, which can be transferred). */
  export(): SummaryState {
    this.#drain();
    const rows = this.#ipOf.length;
    return {
      kinds: this.#kinds.slice(),
      events: this.#events,
      suspicious: this.#suspicious,
      withoutIp: this.#withoutIp,
      first: this.#span[0],
      last: this.#span[1],
      ips: [...this.#ipOf],
      numbers: this.#numbers.slice(0, rows * FIELDS),
      kindCounts: this.#kindCounts.slice(0, rows * KINDS.length),
      pairs: this.#pairLog.slice(0, 2 * this.#pairCount),
      users: [...this.#userNames],
    };
  }

  /**
   * Add what another aggregator gathered (its {@linkcode export}) after
   * what this one has, with the same result as if its events had come here
   * after this one's: the same rows in the same order, and the same users
   * per IP (the first {@linkcode MAX_USERS_PER_IP} distinct ones tried).
   */
  merge(state: SummaryState): void {
    this.#drain();
    this.#snapshot = undefined;
    for (let k = 0; k < this.#kinds.length; k++) this.#kinds[k] += state.kinds[k];
    this.#events += state.events;
    this.#suspicious += state.suspicious;
    this.#withoutIp += state.withoutIp;
    // (NaN: no time there; a NaN here is replaced)
    const span = this.#span;
    if (!(span[0] <= state.first) && state.first === state.first) span[0] = state.first;
    if (!(span[1] >= state.last) && state.last === state.last) span[1] = state.last;
    const rows = state.ips.length;
    const rowOf = new Int32Array(rows);
    this.#reserveRows(this.#ipOf.length + rows);
    const kindsLength = KINDS.length;
    for (let r = 0; r < rows; r++) {
      const row = rowOf[r] = this.#rowOf(state.ips[r], undefined);
      const numbers = this.#numbers;
      const at = row * FIELDS, from = r * FIELDS;
      numbers[at + EVENTS] += state.numbers[from + EVENTS];
      numbers[at + SUSPICIOUS] += state.numbers[from + SUSPICIOUS];
      numbers[at + BANS] += state.numbers[from + BANS];
      numbers[at + ACCEPTED] += state.numbers[from + ACCEPTED];
      const first = state.numbers[from + FIRST], last = state.numbers[from + LAST];
      if (!(numbers[at + FIRST] <= first) && first === first) numbers[at + FIRST] = first;
      if (!(numbers[at + LAST] >= last) && last === last) numbers[at + LAST] = last;
      const kindCounts = this.#kindCounts;
      for (let k = 0; k < kindsLength; k++) {
        kindCounts[row * kindsLength + k] += state.kindCounts[r * kindsLength + k];
      }
    }
    const pairs = state.pairs;
    for (let j = 0; j < pairs.length; j += 2) {
      this.#userTried(rowOf[pairs[j]], state.users[pairs[j + 1]], undefined);
    }
  }

  /** IPs by suspicious events, most first (ties: more events, then IP). */
  topIps(limit = 10): IpStats[] {
    const pending = this.#pending()?.records;
    if (pending !== undefined) {
      const { rows, stride, ipValues } = pending;
      const top = topRows(pending.ipCount, limit, (a, b) => {
        const d = rows[b * stride + 2] - rows[a * stride + 2] ||
          rows[b * stride + 1] - rows[a * stride + 1];
        return d !== 0 ? d < 0 : ipValues[rows[a * stride]] < ipValues[rows[b * stride]];
      });
      return pendingStats(pending, top);
    }
    const numbers = this.#numbers;
    const ipOf = this.#ipOf;
    const top = topRows(ipOf.length, limit, (a, b) => {
      const d = numbers[b * FIELDS + SUSPICIOUS] - numbers[a * FIELDS + SUSPICIOUS] ||
        numbers[b * FIELDS + EVENTS] - numbers[a * FIELDS + EVENTS];
      return d !== 0 ? d < 0 : ipOf[a] < ipOf[b];
    });
    return this.#statsOf(top);
  }

  /** IPs that were banned and also logged in successfully. */
  bannedAndAccepted(): IpStats[] {
    const pending = this.#pending()?.records;
    if (pending !== undefined) {
      // (the module's kinds have no bans: no row is looked at)
      const { rows, stride, kindSlots } = pending;
      let banSlots = 0, acceptedSlots = 0;
      kindSlots.forEach((kind, slot) => {
        if (IS_BAN[kind] === 1) banSlots |= 1 << slot;
        if (IS_ACCEPTED[kind] === 1) acceptedSlots |= 1 << slot;
      });
      const wanted: number[] = [];
      for (let i = 0; banSlots !== 0 && acceptedSlots !== 0 && i < pending.ipCount; i++) {
        const bits = rows[i * stride + 3];
        if ((bits & banSlots) === 0 || (bits & acceptedSlots) === 0) continue;
        const kinds = kindCountsOf(pending, i);
        if (countOf(kinds, IS_BAN) > 0 && countOf(kinds, IS_ACCEPTED) > 0) wanted.push(i);
      }
      return pendingStats(pending, wanted);
    }
    const rows: number[] = [];
    for (let row = 0; row < this.#ipOf.length; row++) {
      const at = row * FIELDS;
      if (this.#numbers[at + BANS] > 0 && this.#numbers[at + ACCEPTED] > 0) rows.push(row);
    }
    return this.#statsOf(rows);
  }
}

/** The first `limit` of `count` rows in the order of `before`, kept sorted while the rows go by. */
function topRows(count: number, limit: number, before: (a: number, b: number) => boolean) {
  const top: number[] = [];
  for (let row = 0; row < count && limit > 0; row++) {
    if (top.length === limit && !before(row, top[limit - 1])) continue;
    let i = top.length === limit ? limit - 1 : top.length;
    while (i > 0 && before(row, top[i - 1])) {
      top[i] = top[i - 1];
      i--;
    }
    top[i] = row;
  }
  return top;
}

/**
 * Add the totals of what was gathered per IP to `kinds` and `span` (first
 * and last time); returns its events and suspicious events.
 */
function addTotals(perIp: IpRecords, kinds: Float64Array, span: Float64Array): [number, number] {
  const { rows, stride, firstLast, kindSlots } = perIp;
  let events = 0, suspicious = 0;
  let first = span[0], last = span[1];
  for (let i = 0, r = 0; i < perIp.ipCount; i++, r += stride) {
    events += rows[r + 1];
    suspicious += rows[r + 2];
    const ipFirst = firstLast[2 * i], ipLast = firstLast[2 * i + 1];
    if (!(first <= ipFirst)) first = ipFirst; // also replaces NaN
    if (!(last >= ipLast)) last = ipLast;
    for (let bits = rows[r + 3]; bits !== 0; bits &= bits - 1) {
      const slot = 31 - Math.clz32(bits & -bits);
      kinds[kindSlots[slot]] += rows[r + 4 + slot];
    }
  }
  span[0] = first;
  span[1] = last;
  return [events, suspicious];
}

/** Events per kind index of gathered IP `i`. */
function kindCountsOf(perIp: IpRecords, i: number): Int32Array {
  const { rows, kindSlots } = perIp;
  const r = i * perIp.stride;
  const kinds = new Int32Array(KINDS.length);
  for (let bits = rows[r + 3]; bits !== 0; bits &= bits - 1) {
    const slot = 31 - Math.clz32(bits & -bits);
    kinds[kindSlots[slot]] += rows[r + 4 + slot];
  }
  return kinds;
}

/** Events of `kinds` (per kind index) of the kinds marked in `marked`. */
function countOf(kinds: Int32Array, marked: Uint8Array): number {
  let n = 0;
  for (let k = 0; k < kinds.length; k++) if (marked[k] === 1) n += kinds[k];
  return n;
}

/** The statistics of gathered IPs `wanted` (indices), as new objects. */
function pendingStats(perIp: IpRecords, wanted: readonly number[]): IpStats[] {
  if (wanted.length === 0) return [];
  const { rows, stride, firstLast, pairs, userValues } = perIp;
  // the users of each, in the order tried (each pair is listed once)
  const slotOf = new Int32Array(perIp.ipCount).fill(-1);
  wanted.forEach((i, slot) => slotOf[i] = slot);
  const users = wanted.map(() => new Set<string>());
  for (let j = 0; j < 2 * perIp.pairCount; j += 2) {
    const slot = slotOf[pairs[j]];
    if (slot >= 0 && users[slot].size < MAX_USERS_PER_IP) users[slot].add(userValues[pairs[j + 1]]);
  }
  return wanted.map((i, slot) => {
    const r = i * stride;
    const kinds = kindCountsOf(perIp, i);
    return {
      ip: perIp.ipValues[rows[r]],
      events: rows[r + 1],
      suspicious: rows[r + 2],
      kinds,
      first: firstLast[2 * i],
      last: firstLast[2 * i + 1],
      users: users[slot],
      bans: countOf(kinds, IS_BAN),
      accepted: countOf(kinds, IS_ACCEPTED),
    };
  });
}

/** The summary as plain data (what `--json` prints). */
export interface SummaryData {
  timeZone: string;
  period: { first: string | null; last: string | null };
  files: {
    path: string;
    format: string;
    lines: number;
    events: number;
    bad: number;
    damaged: number;
    year?: string;
    incomplete?: string;
  }[];
  lines: number;
  events: number;
  suspicious: number;
  uniqueIps: number;
  bySourceKind: { source: string; kind: string; events: number; suspicious: boolean }[];
  topIps: {
    ip: string;
    suspicious: number;
    events: number;
    first: string | null;
    last: string | null;
    users: number;
    bans: number;
    kinds: Record<string, number>;
  }[];
  bannedAndAccepted: string[];
  badLines: number;
  problems: { file: string; line: number; reason: string; text?: string }[];
  discovery: { path: string; reason: string }[];
}

const iso = (t: number) => (Number.isNaN(t) ? null : new Date(t).toISOString());

/** Build the plain-data summary. */
export function summarize(
  agg: SummaryAggregator,
  report: ParseReport,
  discovery: { path: string; reason: string }[] = [],
  top = 10,
): SummaryData {
  const bySourceKind = KINDS.map((k, i) => ({
    source: k.source,
    kind: k.name,
    events: agg.kinds[i],
    suspicious: k.suspicious,
  })).filter((r) => r.events > 0)
    .sort((a, b) => SOURCES.indexOf(a.source) - SOURCES.indexOf(b.source) || b.events - a.events);
  const problems = report.files.flatMap((f) =>
    f.problems.map((p) => ({ file: f.path, line: p.line, reason: p.reason, text: p.text }))
  );
  for (const f of report.files) {
    if (f.incomplete) {
      problems.push({ file: f.path, line: 0, reason: f.incomplete, text: undefined });
    }
  }
  return {
    timeZone: report.timeZone,
    period: { first: iso(agg.first), last: iso(agg.last) },
    files: report.files.map((f: FileReport) => ({
      path: f.path,
      format: f.format,
      lines: f.lines,
      events: f.events,
      bad: f.bad,
      damaged: f.damaged,
      year: f.year?.detail,
      incomplete: f.incomplete,
    })),
    lines: report.files.reduce((s, f) => s + f.lines, 0),
    events: agg.events,
    suspicious: agg.suspicious,
    uniqueIps: agg.ipCount,
    bySourceKind,
    topIps: agg.topIps(top).map((s) => ({
      ip: s.ip,
      suspicious: s.suspicious,
      events: s.events,
      first: iso(s.first),
      last: iso(s.last),
      users: s.users.size,
      bans: s.bans,
      kinds: Object.fromEntries(
        [...s.kinds].map((n, i) => [KINDS[i].name, n] as const).filter(([, n]) => n > 0)
          .sort((a, b) => b[1] - a[1]),
      ),
    })),
    bannedAndAccepted: agg.bannedAndAccepted().map((s) => s.ip).sort(),
    badLines: report.files.reduce((s, f) => s + f.bad + f.damaged, 0),
    problems,
    discovery,
  };
}

/** `1,234,567`: as `toLocaleString("en-US")`, without loading the locale data for counts. */
const num = (n: number): string => {
  if (!Number.isSafeInteger(n) || n < 0) return n.toLocaleString("en-US");
  const digits = String(n);
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return out;
};
const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);
const short = (t: string | null) => (t === null ? "—" : t.slice(0, 16).replace("T", " "));

/** Escape control characters so attacker text cannot move the terminal cursor. */
export function printable(s: string): string {
  // deno-lint-ignore no-control-regex
  const control = /[\u0000-\u001f\u007f-\u009f]/g;
  return s.replace(control, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** One file in the "Files read" table. */
export interface FileLine {
  path: string;
  format: string;
  lines: number;
  events: number;
  /** Bad and damaged lines. */
  bad: number;
  year?: string;
  incomplete?: string;
}

/**
 * The "Files read" table of the text summaries (parse and analyse): one line
 * per file, then the paths that could not be used. Paths and reasons are
 * attacker-influenced text and are made printable.
 */
export function renderFilesRead(
  files: readonly FileLine[],
  discovery: readonly { path: string; reason: string }[],
  count: (n: number) => string,
): string[] {
  const out: string[] = [];
  const nameWidth = Math.min(56, Math.max(4, ...files.map((f) => f.path.length)));
  for (const f of files) {
    const notes = [
      f.year ? `year ${f.year}` : "",
      f.incomplete ? `INCOMPLETE: ${f.incomplete}` : "",
    ]
      .filter(Boolean).join("; ");
    out.push(
      `  ${pad(printable(f.path), nameWidth)}  ${pad(f.format, 12)} ${
        lpad(count(f.lines), 11)
      } lines ${lpad(count(f.events), 10)} events ${lpad(count(f.bad), 7)} bad${
        notes ? `  (${printable(notes)})` : ""
      }`,
    );
  }
  for (const d of discovery) out.push(`  ! ${printable(d.path)}: ${printable(d.reason)}`);
  return out;
}

/** The summary as text for people. */
export function renderSummary(data: SummaryData, options: { maxProblems?: number } = {}): string {
  const out: string[] = [];
  const w = (s = "") => out.push(s);
  w(`Time zone assumed for zone-less stamps: ${data.timeZone}`);
  w(`Period: ${short(data.period.first)} → ${short(data.period.last)} UTC`);
  w();
  w(`Files read (${data.files.length}):`);
  out.push(
    ...renderFilesRead(
      data.files.map((f) => ({ ...f, bad: f.bad + f.damaged })),
      data.discovery,
      num,
    ),
  );
  w();
  w(
    `Lines: ${num(data.lines)}   events: ${num(data.events)}   suspicious: ${
      num(data.suspicious)
    }   unique IPs: ${num(data.uniqueIps)}`,
  );
  w();
  w("Events by source and kind:");
  for (const r of data.bySourceKind) {
    w(`  ${pad(r.source, 18)} ${pad(r.kind, 28)} ${lpad(num(r.events), 10)}${
      r.suspicious ? "" : "  (not suspicious)"
    }`);
  }
  w();
  w(`Top IPs by suspicious events:`);
  for (const ip of data.topIps) {
    const kinds = Object.entries(ip.kinds).slice(0, 3).map(([k, n]) => `${k} ${num(n)}`).join(", ");
    w(
      `  ${pad(ip.ip, 39)} ${lpad(num(ip.suspicious), 8)}  ${short(ip.first)} → ${
        short(ip.last)
      }  users ${num(ip.users)}  bans ${num(ip.bans)}  ${kinds}`,
    );
  }
  if (data.bannedAndAccepted.length > 0) {
    w();
    w(`Banned IPs that also logged in successfully (${data.bannedAndAccepted.length}): ${
      data.bannedAndAccepted.join(", ")
    }`);
  }
  w();
  const max = options.maxProblems ?? 20;
  w(`Bad or damaged lines: ${num(data.badLines)}`);
  for (const p of data.problems.slice(0, max)) {
    const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
    w(`  ${printable(where)}: ${p.reason}${p.text ? `: ${printable(p.text.slice(0, 80))}` : ""}`);
  }
  if (data.problems.length > max) w(`  … and ${num(data.problems.length - max)} more (see --json)`);
  return out.join("\n") + "\n";
}
