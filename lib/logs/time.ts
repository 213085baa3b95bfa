/**
 * Timestamps in server logs, and how they become UTC.
 *
 * Three kinds of stamp occur:
 *
 * - **Absolute** (RFC 3339 with an offset, `journalctl -o json` microseconds,
 *   epoch seconds in the fail2ban database): used as is.
 * - **Zone-less with a year** (`2024-01-28 07:01:57,512` in fail2ban.log,
 *   `[28/Jan/2024:07:01:57 +0000]` has a zone and is absolute): read as wall
 *   clock time in the log's time zone.
 * - **Zone-less without a year** (syslog `Jan 28 07:01:57`): the year is
 *   inferred per file (see {@linkcode inferYear}) and the wall clock time is
 *   read in the log's time zone.
 *
 * The time-zone assumption for zone-less stamps: the zone the server wrote its
 * logs in, which is taken to be the zone of the machine running jailbook
 * (`TZ`, else the system zone) unless `--timezone` says otherwise. Copying
 * logs from a server in another zone therefore needs `--timezone`.
 *
 * Wall-clock times are carried as milliseconds "as if UTC" until the file is
 * finished, then converted in one pass ({@linkcode ZoneConverter}).
 *
 * @module
 */

const MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

/**
 * Month index (0–11) of a three-letter English month name at `pos` in `s`, or
 * -1.
 */
export function monthAt(s: string, pos: number): number {
  const a = s.charCodeAt(pos), b = s.charCodeAt(pos + 1), c = s.charCodeAt(pos + 2);
  for (let m = 0; m < 12; m++) {
    if (
      MONTHS.charCodeAt(m * 3) === a && MONTHS.charCodeAt(m * 3 + 1) === b &&
      MONTHS.charCodeAt(m * 3 + 2) === c
    ) return m;
  }
  return -1;
}

/** Two ASCII digits at `pos`, or -1. */
export function twoDigits(s: string, pos: number): number {
  const a = s.charCodeAt(pos) - 48, b = s.charCodeAt(pos + 1) - 48;
  // NaN (past the end of the string) fails these tests too
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9)) return -1;
  return a * 10 + b;
}

/** `n` ASCII digits at `pos`, or -1. */
export function digits(s: string, pos: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(pos + i) - 48;
    if (!(d >= 0 && d <= 9)) return -1; // NaN past the end is not a digit
    v = v * 10 + d;
  }
  return v;
}

const LEAP_YEAR = 2000;

/**
 * The year a syslog stamp is provisionally placed in: a leap year, so that
 * `Feb 29` is representable before the real year is known.
 */
export const PROVISIONAL_YEAR = LEAP_YEAR;

/**
 * Parse a syslog `Mmm dd HH:MM:SS` stamp (day may be space-padded) at `pos`,
 * returning wall-clock milliseconds in {@linkcode PROVISIONAL_YEAR} "as if
 * UTC", or NaN when the text is not such a stamp. Fractions (`.123456`) after
 * the seconds are honoured to the millisecond.
 */
export function parseSyslogStamp(s: string, pos = 0): number {
  const month = monthAt(s, pos);
  if (month < 0 || s.charCodeAt(pos + 3) !== 32) return NaN;
  let day: number;
  const d1 = s.charCodeAt(pos + 4);
  if (d1 === 32) day = s.charCodeAt(pos + 5) - 48;
  else day = twoDigits(s, pos + 4);
  if (!(day >= 1 && day <= 31) || s.charCodeAt(pos + 6) !== 32) return NaN;
  const h = twoDigits(s, pos + 7), mi = twoDigits(s, pos + 10), sec = twoDigits(s, pos + 13);
  if (
    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 ||
    s.charCodeAt(pos + 9) !== 58 || s.charCodeAt(pos + 12) !== 58
  ) return NaN;
  let ms = 0;
  if (s.charCodeAt(pos + 15) === 46) ms = fractionMs(s, pos + 16);
  return Date.UTC(PROVISIONAL_YEAR, month, day, h, mi, sec, ms);
}

/** Milliseconds from the digits of a fraction at `pos` (`123456` → 123). */
export function fractionMs(s: string, pos: number): number {
  let ms = 0, n = 0;
  while (n < 3) {
    const d = s.charCodeAt(pos + n) - 48;
    if (!(d >= 0 && d <= 9)) break; // NaN past the end is not a digit
    ms = ms * 10 + d;
    n++;
  }
  while (n++ < 3) ms *= 10;
  return ms;
}

/**
 * Parse `YYYY-MM-DD HH:MM:SS` (separator space or `T`) with optional `,mmm` or
 * `.ffffff`, and an optional zone (`Z`, `+HH:MM`, `+HHMM`). Returns
 * `{ ms, absolute, end }`: `ms` is UTC when `absolute`, wall clock "as if UTC"
 * otherwise; `end` is the index after the stamp. NaN `ms` when it is not one.
 */
export function parseIsoStamp(
  s: string,
  pos = 0,
): { ms: number; absolute: boolean; end: number } {
  const y = digits(s, pos, 4), mo = twoDigits(s, pos + 5), d = twoDigits(s, pos + 8);
  const sep = s.charCodeAt(pos + 10);
  const h = twoDigits(s, pos + 11), mi = twoDigits(s, pos + 14), sec = twoDigits(s, pos + 17);
  if (
    y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
    sec < 0 || sec > 60 || s.charCodeAt(pos + 4) !== 45 || s.charCodeAt(pos + 7) !== 45 ||
    (sep !== 32 && sep !== 84) || s.charCodeAt(pos + 13) !== 58 || s.charCodeAt(pos + 16) !== 58
  ) return { ms: NaN, absolute: false, end: pos };
  let end = pos + 19;
  let ms = 0;
  const c = s.charCodeAt(end);
  if (c === 44 || c === 46) {
    ms = fractionMs(s, end + 1);
    end++;
    while (s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++;
  }
  let wall = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  const z = s.charCodeAt(end);
  if (z === 90 /* Z */) return { ms: wall, absolute: true, end: end + 1 };
  if (z === 43 || z === 45) {
    const oh = twoDigits(s, end + 1);
    const colon = s.charCodeAt(end + 3) === 58 ? 1 : 0;
    const om = twoDigits(s, end + 3 + colon);
    if (oh >= 0 && om >= 0) {
      const offset = (oh * 60 + om) * 60_000;
      wall += z === 43 ? -offset : offset;
      return { ms: wall, absolute: true, end: end + 5 + colon };
    }
  }
  return { ms: wall, absolute: false, end };
}

/** True for leap years. */
export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const PROVISIONAL_START = Date.UTC(PROVISIONAL_YEAR, 0, 1);
/** March 1st of the provisional year, UTC ms: where the shifts of {@linkcode yearShifts} change. */
export const PROVISIONAL_MARCH = Date.UTC(PROVISIONAL_YEAR, 2, 1);
const DAY = 86_400_000;

/**
 * What {@linkcode placeInYear} adds to a provisional time in `year`: one
 * shift before March of the provisional year, one from March.
 */
export function yearShifts(year: number): { beforeMarch: number; fromMarch: number } {
  return {
    beforeMarch: placeInYear(PROVISIONAL_START, year) - PROVISIONAL_START,
    fromMarch: placeInYear(PROVISIONAL_MARCH, year) - PROVISIONAL_MARCH,
  };
}

/**
 * Move a provisional syslog time ({@linkcode parseSyslogStamp}) into `year`.
 * A `Feb 29` in a non-leap year becomes `Mar 1` (and is reported by the
 * caller as a sign of a wrong year).
 */
export function placeInYear(provisional: number, year: number): number {
  let shifted = provisional - PROVISIONAL_START + Date.UTC(year, 0, 1);
  if (!isLeapYear(year) && provisional >= PROVISIONAL_MARCH) shifted -= DAY;
  return shifted;
}

/**
 * Places the provisional times of a syslog file's stamps (see
 * {@linkcode placeInYear}), in file order, in years and in UTC.
 */
export interface SyslogTimes {
  /** UTC ms of provisional time `p`: a stamp far before the one before it starts a new year. */
  utc(p: number): number;
  /** The year of the last stamp. */
  readonly year: number;
  /** New Year rollovers seen. */
  readonly rollovers: number;
}

/** How the year of a file's syslog stamps was decided. */
export interface YearInference {
  /** The year of the file's first syslog stamp. */
  firstYear: number;
  /** The year of the file's last syslog stamp. */
  lastYear: number;
  /** How: `"--year"`, `"mtime"`, `"newer file"`, `"clock"`. */
  method: "--year" | "mtime" | "newer file" | "clock";
  /** One line for people. */
  detail: string;
}

/**
 * Converts wall-clock milliseconds in an IANA time zone to UTC, caching the
 * offset per wall-clock hour (so a million events cost a few hundred
 * `Intl` calls).
 */
export class ZoneConverter {
  readonly timeZone: string;
  readonly #isUtc: boolean;
  readonly #cache = new Map<number, number>();
  #lastHour = NaN;
  #lastOffset = 0;
  readonly #format: Intl.DateTimeFormat | undefined;

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    this.#isUtc = timeZone === "Z" || UTC_NAMES.has(timeZone);
    if (!this.#isUtc) {
      try {
        this.#format = new Intl.DateTimeFormat("en-US", {
          timeZone,
          hourCycle: "h23",
          year: "numeric",
          month: "numeric",
          day: "numeric",
          hour: "numeric",
          minute: "numeric",
          second: "numeric",
        });
      } catch {
        throw new RangeError(
          `Unknown time zone "${timeZone}": use an IANA name such as Europe/Berlin or UTC`,
        );
      }
    }
  }

  /** Offset (zone − UTC) in ms at the UTC instant `utc`. */
  offsetAt(utc: number): number {
    if (this.#isUtc) return 0;
    const parts = this.#format!.formatToParts(new Date(utc));
    const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    const asUtc = Date.UTC(
      get("year"),
      get("month") - 1,
      get("day"),
      get("hour"),
      get("minute"),
      get("second"),
    );
    return asUtc - Math.floor(utc / 1000) * 1000;
  }

  /** UTC instant of a wall-clock time in this zone. */
  toUtc(wall: number): number {
    if (this.#isUtc || Number.isNaN(wall)) return wall;
    const hour = Math.floor(wall / 3_600_000);
    // log lines come in time order: mostly the hour of the line before
    if (hour === this.#lastHour) return wall - this.#lastOffset;
    const offset = this.wallHourOffset(hour);
    this.#lastHour = hour;
    this.#lastOffset = offset;
    return wall - offset;
  }

  /** True when the zone is UTC: {@linkcode toUtc} changes nothing. */
  get isUtc(): boolean {
    return this.#isUtc;
  }

  /**
   * The offset (ms) {@linkcode toUtc} takes off a wall-clock time in hour
   * `hour` (`Math.floor(wall / 3_600_000)`).
   */
  wallHourOffset(hour: number): number {
    if (this.#isUtc) return 0;
    let offset = this.#cache.get(hour);
    if (offset === undefined) {
      // two-step: guess with the offset at wall-as-UTC, then correct
      const guess = this.offsetAt(hour * 3_600_000);
      offset = this.offsetAt(hour * 3_600_000 - guess);
      this.#cache.set(hour, offset);
    }
    return offset;
  }
}

/** The time zone jailbook assumes for zone-less stamps when none is given: this machine's. */
export function defaultTimeZone(): string {
  return systemUtc() ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
}

/** Names of UTC that `Intl` reports as "UTC" (ZoneConverter converts nothing for them). */
const UTC_NAMES = new Set([
  "UTC",
  "Etc/UTC",
  "UCT",
  "Etc/UCT",
  "Universal",
  "Etc/Universal",
  "Zulu",
  "Etc/Zulu",
  "GMT",
  "Etc/GMT",
  "GMT0",
  "Etc/GMT0",
  "GMT+0",
  "Etc/GMT+0",
  "GMT-0",
  "Etc/GMT-0",
  "Greenwich",
  "Etc/Greenwich",
]);

/**
 * "UTC" when this machine's zone is UTC as ICU finds it — `TZ` naming UTC, or
 * `TZ` unset and /etc/localtime a link to a UTC zone in zoneinfo — else
 * undefined. It answers without `Intl`, whose first use loads ICU's data
 * (about 20 ms of every run's start-up); any other zone is left to `Intl`.
 */
function systemUtc(): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: "TZ" }).state !== "granted") {
      return undefined;
    }
    const tz = Deno.env.get("TZ");
    if (tz !== undefined) return UTC_NAMES.has(tz.replace(/^:/, "")) ? "UTC" : undefined;
    if (Deno.permissions.querySync({ name: "read", path: "/etc/localtime" }).state !== "granted") {
      return undefined;
    }
    const target = Deno.readLinkSync("/etc/localtime");
    const at = target.lastIndexOf("/zoneinfo/");
    return at >= 0 && UTC_NAMES.has(target.slice(at + 10)) ? "UTC" : undefined;
  } catch {
    return undefined; // not a link, no such file, no Deno permission API: ask Intl
  }
}
