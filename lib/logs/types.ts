/**
 * The contract between parsers and the event store.
 *
 * A parser is pure: it receives one line of text at a time and reports what
 * it found through a {@linkcode LineSink}; it never opens files, prints or
 * reads the clock. The store decides the file, line number, year and time
 * zone.
 *
 * @module
 */

/** How `ParsedEvent.time` is to be read. */
export const enum TimeKind {
  /** Milliseconds since the epoch, UTC. */
  Absolute = 0,
  /** Wall clock "as if UTC", with a year, in the log's time zone. */
  Wall = 1,
  /** Syslog wall clock placed in the provisional year; year decided per file. */
  SyslogWall = 2,
  /** The line carries no time (e.g. `fail2ban-client status`). */
  None = 3,
}

/** What a parser reports for one event. Strings may be slices of the line. */
export interface ParsedEvent {
  /** See {@linkcode TimeKind}. NaN with `TimeKind.None`. */
  time: number;
  timeKind: TimeKind;
  /** Index into `KINDS` (use `kindIndex("name")` once at module load). */
  kind: number;
  /** Normalised IP (see `normalizeIp`), or undefined when the event has none. */
  ip: string | undefined;
  /**
   * A number that stands for this `ip` value and no other, process-wide, when
   * the parser interns IPs (the byte scanners): consumers may cache by it
   * instead of hashing the string. The same IP may come with several ids.
   */
  ipId?: number;
  user?: string;
  /** Like `ipId`, for `user`. */
  userId?: number;
  port?: number;
  jail?: string;
  /** Host name from the log header, or the virtual host of a web request. */
  host?: string;
  /** Overrides the kind's default `suspicious`. */
  suspicious?: boolean;
  /** Process name and id that wrote the line (`sshd-session`, 1234). */
  program?: string;
  pid?: number;
  // web requests
  method?: string;
  path?: string;
  status?: number;
  bytes?: number;
  referrer?: string;
  agent?: string;
  /** fail2ban: log level (NOTICE, WARNING, INFO). */
  level?: string;
  /** fail2ban database / increase-ban: ban time in seconds (-1 = permanent). */
  banSeconds?: number;
  /** fail2ban database: times banned. */
  banCount?: number;
  /** Free text detail kept for people (e.g. the negotiation failure). */
  detail?: string;
  /** How many times the line says it happened (`message repeated 3 times`); default 1. */
  count?: number;
  /** Name of the parser pattern that matched (a key of the module's `PATTERNS`), for tests. */
  pattern?: string;
}

/**
 * Events in columns, as the WebAssembly syslog scanner reads them: record
 * `k` is an event at line `lineOf(k)`, or a line passed over (`kindOf(k)`
 * -1). Every event has an IP, a time already in UTC ms (placed in its year
 * by the scanner's clock) in `times`, and the kind's default `suspicious`.
 * Valid only during the call it is handed to.
 */
export interface EventRecords {
  readonly count: number;
  /** Per record its time, UTC ms. */
  readonly times: Float64Array;
  /** Records that are events, and their first and last time. */
  readonly eventCount: number;
  readonly firstTime: number;
  readonly lastTime: number;
  lineOf(k: number): number;
  /** Index into `KINDS`, or -1 for a line passed over. */
  kindOf(k: number): number;
  /** How many times the line says it happened (1 without `message repeated`). */
  countOf(k: number): number;
  ipOf(k: number): string;
  ipIdOf(k: number): number;
  userOf(k: number): string | undefined;
  userIdOf(k: number): number | undefined;
  /** The whole event of record `k` (with `times[k]` as it is now), in a reused object. */
  eventOf(k: number): ParsedEvent;
  /**
   * Add this batch's events to what is gathered per IP for `owner`, which receives it ({@linkcode IpGatherer.addIps})
   * when it asks ({@linkcode drain}), when another owner gathers, or when it
   * can be kept no longer. An owner must drain before it adds any other
   * event or reads its totals: then the order of events is kept. Returns
   * how many rows and pairs are gathered (an owner may drain them early).
   */
  gather(owner: IpGatherer): number;
  /** Hand `owner` what was gathered for it, if anything. */
  drain(owner: IpGatherer): void;
  /**
   * What is gathered for `owner` and not drained, to read without draining
   * it (valid until more is gathered or drained), when each IP has one row
   * there (no two rows' values are the same IP): else, or when nothing is
   * gathered for `owner`, undefined.
   */
  pending(owner: IpGatherer): IpRecords | undefined;
}

/** What receives events gathered per IP (see {@linkcode EventRecords.gather}). */
export interface IpGatherer {
  addIps(ips: IpRecords): void;
}

/**
 * Events gathered per IP (see {@linkcode EventRecords.gather}): for each IP,
 * in the order of its first event, its events, suspicious events (each with
 * its `count`), first and last time and events per kind; and the (IP, user)
 * of its suspicious events in the order tried (each listed once). Adding
 * these gives what adding each event in line order gives.
 */
export interface IpRecords {
  readonly ipCount: number;
  /**
   * Per IP `i`, `stride` numbers from `i * stride`: the index of its value
   * in `ipValues` and `ipIds`, its events, its suspicious events, its slots
   * (bit `slot` set when slot `slot` has events), then the events of each
   * slot (valid where its bit is set). Columns, not an accessor per field:
   * the first of these is added while the process is young, when every call
   * costs many times what it will later.
   */
  readonly rows: Uint32Array;
  readonly stride: number;
  /** The IP of a value index, and its intern id (as `ParsedEvent.ipId`). */
  readonly ipValues: readonly string[];
  readonly ipIds: Int32Array;
  /**
   * The first and last event time of IP `i` at `2 * i` and `2 * i + 1` (in
   * an array: a number returned that is not a small integer would be boxed).
   */
  readonly firstLast: Float64Array;
  /** The kinds that may have events here (indices into `KINDS`, with repeats): at most 31. */
  readonly kindSlots: readonly number[];
  readonly pairCount: number;
  /** Pair `j`: the IP (an index `i`) at `2 * j`, the value index of its user at `2 * j + 1`. */
  readonly pairs: Uint32Array;
  /** The user name of a value index, and its intern id (as `ParsedEvent.userId`). */
  readonly userValues: readonly string[];
  readonly userIds: Int32Array;
}

/** Where a parser sends what it found in a line. */
export interface LineSink {
  /** Record one event at the current line. The object may be reused by the caller after return. */
  emit(event: ParsedEvent): void;
  /**
   * Take many events at once (and the lines passed over among them) instead
   * of one `emit` (or `skip`) call each; scanners that read in columns use it
   * when it is there.
   */
  emitRecords?(records: EventRecords): void;
  /** The line is not of the parser's format: counted and reported with file and line. */
  bad(reason: string): void;
  /** The line is of the format but carries nothing jailbook uses (counted, not reported). */
  skip?(): void;
}

/** Formats jailbook reads. */
export type LogFormat =
  | "fail2ban"
  | "syslog"
  | "journal-json"
  | "http-access"
  | "http-error"
  | "fail2ban-status"
  | "fail2ban-blacklist"
  | "fail2ban-sqlite";

/** A parser for one format. `parseLine` is called for each line in order. */
export interface LogParser {
  readonly format: LogFormat;
  parseLine(line: string, sink: LineSink): void;
  /** Called after the last line (parsers with multi-line state flush here). */
  end?(sink: LineSink): void;
}
