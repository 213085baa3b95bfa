/**
 * Aggregate frames: per IP, subnet, country, network, day, hour of the week
 * and user name, and the missingness of any frame.
 *
 * Frames over events (`ips`, `daily`, `hourWeekday`, `usernames`,
 * `usernamesByCountry`) are summed over the store's typed arrays in one
 * pass each (measured: a Polars `groupBy` over a million events costs about
 * 110 ms on two cores, the typed-array pass about 15 ms). Frames over
 * addresses (`subnets`, `countries`, `networks`) are Polars queries over the
 * `ips` frame, so a notebook can build them for any subset of addresses.
 *
 * Counts are Int64, percentages Float64 in 0–100 of the *known* total (see
 * lib/frames/columns.ts); an unknown country or ASN is never a row.
 *
 * @module
 */
import pl from "nodejs-polars";
import { networkOf } from "../geo/cidr.ts";
import { isIpv4 } from "../logs/ip.ts";
import { KINDS } from "../logs/kinds.ts";
import { bansOf, isCountedBan } from "./bans.ts";
import {
  attemptsColumn,
  COUNTRY_COLUMNS,
  DAILY_COLUMNS,
  HOUR_WEEKDAY_COLUMNS,
  IP_COLUMNS,
  LOGIN_KINDS,
  MISSINGNESS_COLUMNS,
  NETWORK_COLUMNS,
  SUBNET_COLUMNS,
  USERNAME_BY_COUNTRY_COLUMNS,
  USERNAME_COLUMNS,
  WEEKDAY_NAMES,
} from "./columns.ts";
import { analysisDetailsFrame, type EventAnalysis, FrameBuilder } from "./events.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const LOGIN = Uint8Array.from(
  KINDS,
  (kind) => (LOGIN_KINDS as readonly string[]).includes(kind.name) ? 1 : 0,
);
const FAILED = Uint8Array.from(KINDS, (kind) => kind.name.startsWith("failed_") ? 1 : 0);
const INVALID_USER = KINDS.findIndex((kind) => kind.name === "invalid_user");
const INVALID_USER_DETAIL = "invalid user";

/**
 * A set of distinct pairs (a, b) with a < rows and b < width: a bit set when
 * it takes at most 16 MB, else a hash set of `a * width + b`.
 */
interface PairSet {
  bits: Uint32Array | undefined;
  keys: Set<number> | undefined;
  width: number;
}

function pairSet(rows: number, width: number): PairSet {
  return rows * width <= 2 ** 27
    ? { bits: new Uint32Array(Math.ceil((rows * width) / 32)), keys: undefined, width }
    : { bits: undefined, keys: new Set(), width };
}

/** Add (a, b); true when it was not in the set. */
function addPair(set: PairSet, a: number, b: number): boolean {
  const key = a * set.width + b;
  const bits = set.bits;
  if (bits !== undefined) {
    const word = key >>> 5, bit = 1 << (key & 31);
    if ((bits[word] & bit) !== 0) return false;
    bits[word] |= bit;
    return true;
  }
  const keys = set.keys!;
  if (keys.has(key)) return false;
  keys.add(key);
  return true;
}

/**
 * Everything the event frames sum (memoised per analysis): per IP, per user
 * name, per UTC day, per weekday × hour and per (country, user name). A few
 * small passes over the store's typed arrays, each simple enough for V8 to
 * optimise at once (one loop doing it all was four times slower).
 */
interface EventTotals {
  ip: IpTotals;
  user: UserTotals;
  /** UTC day number of index 0 of the day arrays; NaN without times. */
  firstDay: number;
  day: { events: Float64Array; attempts: Float64Array; uniqueIps: Float64Array };
  /** 7 × 24 attempts, weekday 0 = Monday. */
  hourWeekday: Float64Array;
  /** Country codes by index, and attempts / distinct IPs per (country, user). */
  countries: string[];
  countryUser: Map<number, { attempts: number; ips: number }>;
}

interface IpTotals {
  attempts: Float64Array;
  events: Float64Array;
  /** UTC ms; ±Infinity when the IP has no timed event. */
  first: Float64Array;
  last: Float64Array;
  /** nIp × KINDS.length attempts. */
  byKind: Float64Array;
  loggedIn: Uint8Array;
  usersTried: Float64Array;
  /** Jail ids of each IP's events. */
  jails: (number[] | undefined)[];
}

interface UserTotals {
  attempts: Float64Array;
  logins: Float64Array;
  invalid: Uint8Array;
  uniqueIps: Float64Array;
  first: Float64Array;
  last: Float64Array;
}

const totalsMemo = new WeakMap<EventAnalysis, EventTotals>();

function totalsOf(analysis: EventAnalysis): EventTotals {
  let totals = totalsMemo.get(analysis);
  if (totals) return totals;
  const ip = ipTotals(analysis);
  const user = userTotals(analysis);
  const firstDay = Math.floor(analysis.firstTime / DAY_MS);
  const { countries, countryUser } = pairTotals(analysis, ip, user);
  totals = { ip, user, firstDay, ...dayTotals(analysis, firstDay), countries, countryUser };
  totalsMemo.set(analysis, totals);
  return totals;
}

function ipTotals(analysis: EventAnalysis): IpTotals {
  const { ip: ipColumn, kind, time, jail: jailColumn, length: n } = analysis.columns;
  const a = analysis.attempts;
  const nIp = analysis.ips.length;
  const nKinds = KINDS.length;
  const attempts = new Float64Array(nIp);
  const events = new Float64Array(nIp);
  const first = new Float64Array(nIp).fill(Infinity);
  const last = new Float64Array(nIp).fill(-Infinity);
  const byKind = new Float64Array(nIp * nKinds);
  const loggedIn = new Uint8Array(nIp);
  for (let i = 0; i < n; i++) {
    const ip = ipColumn[i];
    if (ip < 0) continue;
    events[ip]++;
    const k = kind[i];
    const x = a[i];
    if (x !== 0) {
      attempts[ip] += x;
      byKind[ip * nKinds + k] += x;
    }
    const t = time[i];
    if (t < first[ip]) first[ip] = t; // false for NaN
    if (t > last[ip]) last[ip] = t;
    if (LOGIN[k] === 1) loggedIn[ip] = 1;
  }
  // jails: a bit mask per IP while there are at most 31 jails, else sets
  const jailCount = analysis.store.dictionaries.jail.size;
  const jails: (number[] | undefined)[] = new Array(nIp).fill(undefined);
  if (jailCount <= 31) {
    const masks = new Uint32Array(nIp);
    for (let i = 0; i < n; i++) {
      const jail = jailColumn[i], ip = ipColumn[i];
      if (jail >= 0 && ip >= 0) masks[ip] |= 1 << jail;
    }
    for (let ip = 0; ip < nIp; ip++) {
      if (masks[ip] === 0) continue;
      const ids: number[] = [];
      for (let j = 0, m = masks[ip]; m !== 0; j++, m >>>= 1) if (m & 1) ids.push(j);
      jails[ip] = ids;
    }
  } else {
    const sets = new Map<number, Set<number>>();
    for (let i = 0; i < n; i++) {
      const jail = jailColumn[i], ip = ipColumn[i];
      if (jail >= 0 && ip >= 0) (sets.get(ip) ?? sets.set(ip, new Set()).get(ip)!).add(jail);
    }
    for (const [ip, set] of sets) jails[ip] = [...set];
  }
  return {
    attempts,
    events,
    first,
    last,
    byKind,
    loggedIn,
    usersTried: new Float64Array(nIp), // filled by pairTotals
    jails,
  };
}

function userTotals(analysis: EventAnalysis): UserTotals {
  const { user: userColumn, kind, time, detail, length: n } = analysis.columns;
  const a = analysis.attempts;
  const nUser = analysis.store.dictionaries.user.size;
  const attempts = new Float64Array(nUser);
  const logins = new Float64Array(nUser);
  const invalid = new Uint8Array(nUser);
  const first = new Float64Array(nUser).fill(Infinity);
  const last = new Float64Array(nUser).fill(-Infinity);
  const invalidDetail = Uint8Array.from(
    analysis.store.dictionaries.detail.values,
    (d) => d === INVALID_USER_DETAIL || d.endsWith(`, ${INVALID_USER_DETAIL}`) ? 1 : 0,
  );
  for (let i = 0; i < n; i++) {
    const user = userColumn[i];
    if (user < 0) continue;
    const k = kind[i];
    if (LOGIN[k] === 1) logins[user]++;
    if (
      k === INVALID_USER || (FAILED[k] === 1 && detail[i] >= 0 && invalidDetail[detail[i]] === 1)
    ) {
      invalid[user] = 1;
    }
    const x = a[i];
    if (x === 0) continue;
    attempts[user] += x;
    const t = time[i];
    if (t < first[user]) first[user] = t;
    if (t > last[user]) last[user] = t;
  }
  return { attempts, logins, invalid, uniqueIps: new Float64Array(nUser), first, last };
}

function dayTotals(analysis: EventAnalysis, firstDay: number) {
  const { ip: ipColumn, time, length: n } = analysis.columns;
  const a = analysis.attempts;
  const days = Number.isNaN(firstDay) ? 0 : Math.floor(analysis.lastTime / DAY_MS) - firstDay + 1;
  const events = new Float64Array(days);
  const attempts = new Float64Array(days);
  const uniqueIps = new Float64Array(days);
  const hourWeekday = new Float64Array(7 * 24);
  const seen = pairSet(days, analysis.ips.length);
  for (let i = 0; i < n; i++) {
    const t = time[i];
    if (t !== t) continue; // NaN: no time
    const day = Math.floor(t / DAY_MS);
    const index = day - firstDay;
    events[index]++;
    const x = a[i];
    if (x === 0) continue;
    attempts[index] += x;
    const weekday = (((day + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    hourWeekday[weekday * 24 + Math.floor((t - day * DAY_MS) / HOUR_MS)] += x;
    const ip = ipColumn[i];
    if (ip >= 0 && addPair(seen, index, ip)) uniqueIps[index]++;
  }
  return { day: { events, attempts, uniqueIps }, hourWeekday };
}

/** Distinct (IP, user) pairs of attempts: users per IP, IPs per user, and per country. */
function pairTotals(analysis: EventAnalysis, ips: IpTotals, users: UserTotals) {
  const { ip: ipColumn, user: userColumn, length: n } = analysis.columns;
  const a = analysis.attempts;
  const nUser = analysis.store.dictionaries.user.size;
  const countries: string[] = [];
  const countryIndex = new Map<string, number>();
  const countryOfIp = Int32Array.from(analysis.details, (record) => {
    const iso = record?.["country.iso_code"];
    if (typeof iso !== "string" || iso === "") return -1;
    let index = countryIndex.get(iso);
    if (index === undefined) {
      index = countries.push(iso) - 1;
      countryIndex.set(iso, index);
    }
    return index;
  });
  const seen = pairSet(analysis.ips.length, nUser);
  // (country, user) cells, dense while small
  const dense = countries.length * nUser <= 2 ** 22;
  const cellAttempts = new Float64Array(dense ? countries.length * nUser : 0);
  const cellIps = new Float64Array(dense ? countries.length * nUser : 0);
  const sparse = new Map<number, { attempts: number; ips: number }>();
  for (let i = 0; i < n; i++) {
    const x = a[i], ip = ipColumn[i], user = userColumn[i];
    if (x === 0 || ip < 0 || user < 0) continue;
    const fresh = addPair(seen, ip, user);
    if (fresh) {
      ips.usersTried[ip]++;
      users.uniqueIps[user]++;
    }
    const country = countryOfIp[ip];
    if (country < 0) continue;
    const key = country * nUser + user;
    if (dense) {
      cellAttempts[key] += x;
      if (fresh) cellIps[key]++;
    } else {
      const cell = sparse.get(key);
      if (cell) {
        cell.attempts += x;
        if (fresh) cell.ips++;
      } else sparse.set(key, { attempts: x, ips: fresh ? 1 : 0 });
    }
  }
  if (dense) {
    for (let key = 0; key < cellAttempts.length; key++) {
      if (cellAttempts[key] !== 0) {
        sparse.set(key, { attempts: cellAttempts[key], ips: cellIps[key] });
      }
    }
  }
  return { countries, countryUser: sparse };
}

/** The subnet of each IP of the analysis with the chosen prefixes. */
function subnetsOf(analysis: EventAnalysis): string[] {
  const { v4Prefix, v6Prefix } = analysis.options;
  return analysis.ips.map((ip) => networkOf(ip, isIpv4(ip) ? v4Prefix : v6Prefix));
}

/**
 * The `ips` frame: one row per address seen, with the columns of
 * {@linkcode IP_COLUMNS}, then `attempts_<kind>` for each kind with attempts
 * (catalogue order), then the `ipDetails` columns; sorted by attempts, then
 * events (both descending), then address.
 *
 * @example
 * ```ts ignore
 * import { ipsFrame } from "./aggregates.ts";
 * ipsFrame(analyseEvents(store, details)).head(10);
 * ```
 */
export function ipsFrame(analysis: EventAnalysis): pl.DataFrame {
  const nIp = analysis.ips.length;
  const nKinds = KINDS.length;
  const totals = totalsOf(analysis).ip;
  const bans = new Float64Array(nIp);
  const banned = new Uint8Array(nIp);
  for (const ban of bansOf(analysis)) {
    banned[ban.ip] = 1;
    if (isCountedBan(ban)) bans[ban.ip]++;
  }
  const jailNames = analysis.store.dictionaries.jail.values;
  const jails = totals.jails.map((ids) => ids?.map((j) => jailNames[j]).sort().join(",") ?? null);
  const loggedIn = totals.loggedIn;
  const stats = new FrameBuilder()
    .encodedText("ip", Int32Array.from({ length: nIp }, (_, ip) => ip), analysis.ips)
    .count("attempts", totals.attempts)
    .count("events", totals.events)
    .count("bans", bans)
    .text("jails", jails)
    .time("first_seen", totals.first)
    .time("last_seen", totals.last)
    .count("users_tried", totals.usersTried)
    .boolean("logged_in", Array.from(loggedIn, (v) => v === 1))
    .boolean("banned_and_logged_in", Array.from(loggedIn, (v, ip) => v === 1 && banned[ip] === 1))
    .text("subnet", subnetsOf(analysis));
  const kinds: string[] = [];
  for (let k = 0; k < nKinds; k++) {
    const column = new Float64Array(nIp);
    let total = 0;
    for (let ip = 0; ip < nIp; ip++) total += column[ip] = totals.byKind[ip * nKinds + k];
    if (total === 0) continue;
    kinds.push(attemptsColumn(KINDS[k].name));
    stats.count(attemptsColumn(KINDS[k].name), column);
  }
  return pl.concat([
    stats.build([...Object.keys(IP_COLUMNS), ...kinds]),
    analysisDetailsFrame(analysis).drop("ip"),
  ], { how: "horizontal" }).sort(["attempts", "events", "ip"], [true, true, false]);
}

/** Rows of `ips` with at least one attempt. */
function attackers(ips: pl.DataFrame): pl.DataFrame {
  for (const column of ["ip", "attempts", "subnet"]) {
    if (!ips.columns.includes(column)) {
      throw new TypeError(`Expected the ips frame (from ipsFrame), but it has no ${column} column`);
    }
  }
  return ips.filter(pl.col("attempts").gt(0));
}

/**
 * The most common non-null `value` per `key` among `rows` (most addresses,
 * then most attempts, then the smallest value), as a frame of `key`, `as`.
 */
function mostCommon(rows: pl.DataFrame, key: string, value: string, as: string): pl.DataFrame {
  return rows
    .filter(pl.col(value).isNotNull())
    .groupBy([key, value])
    .agg(pl.len().alias("__ips"), pl.col("attempts").sum().alias("__attempts"))
    .sort([key, "__ips", "__attempts", value], [false, true, true, false])
    .unique({ subset: key, keep: "first", maintainOrder: true })
    .select(pl.col(key), pl.col(value).alias(as));
}

/**
 * The `subnets` frame from an `ips` frame: one row per subnet (the `ips`
 * frame's `subnet` column: /24 and /64 unless other prefixes were chosen)
 * of attacking addresses, with the columns of {@linkcode SUBNET_COLUMNS},
 * sorted by attempts (descending), then subnet.
 *
 * @example
 * ```ts ignore
 * import { ipsFrame, subnetsFrame } from "./aggregates.ts";
 * subnetsFrame(ipsFrame(analysis)).head(20);
 * ```
 */
export function subnetsFrame(ips: pl.DataFrame): pl.DataFrame {
  const rows = attackers(ips);
  const totals = rows.groupBy("subnet").agg(
    pl.col("attempts").sum().cast(pl.Int64).alias("attempts"),
    pl.len().cast(pl.Int64).alias("unique_ips"),
    pl.col("first_seen").min().alias("first_seen"),
    pl.col("last_seen").max().alias("last_seen"),
  );
  const countries = mostCommon(rows, "subnet", "country.iso_code", "country");
  return totals
    .join(countries, { on: "subnet", how: "left" })
    .select(...Object.keys(SUBNET_COLUMNS))
    .sort(["attempts", "subnet"], [true, false]);
}

/** Attempts, attacking addresses and their subnets whose key is unknown. */
export interface UnknownTotals {
  attempts: number;
  unique_ips: number;
  unique_subnets: number;
}

function unknownTotals(ips: pl.DataFrame, column: string): UnknownTotals {
  const rows = attackers(ips).filter(pl.col(column).isNull());
  return {
    attempts: Number(rows.getColumn("attempts").sum() ?? 0),
    unique_ips: rows.height,
    unique_subnets: rows.height === 0 ? 0 : rows.getColumn("subnet").nUnique(),
  };
}

/** Share of the column's total, percent. */
function percentOf(column: string, total: number): pl.Expr {
  return pl.col(column).cast(pl.Float64).div(pl.lit(total)).mul(pl.lit(100)).alias(
    `pct_${column.replace("unique_", "")}`,
  );
}

/**
 * Group attacking addresses with a known `key` column: attempts, addresses,
 * subnets and their percentages of the known totals.
 */
function shareFrame(ips: pl.DataFrame, key: string, extra: pl.Expr[]): pl.DataFrame {
  const known = attackers(ips).filter(pl.col(key).isNotNull());
  const attempts = Number(known.getColumn("attempts").sum() ?? 0);
  const addresses = known.height;
  const subnets = addresses === 0 ? 0 : known.getColumn("subnet").nUnique();
  return known
    .groupBy(key)
    .agg(
      pl.col("attempts").sum().cast(pl.Int64).alias("attempts"),
      pl.len().cast(pl.Int64).alias("unique_ips"),
      pl.col("subnet").nUnique().cast(pl.Int64).alias("unique_subnets"),
      ...extra,
    )
    .withColumns(
      percentOf("attempts", attempts),
      percentOf("unique_ips", addresses),
      percentOf("unique_subnets", subnets),
    );
}

/**
 * The `countries` frame from an `ips` frame: one row per known country of
 * attacking addresses, with the columns of {@linkcode COUNTRY_COLUMNS},
 * sorted by attempts (descending), then country. Percentages are of the
 * addresses *with a known country*; the rest is {@linkcode unknownCountry}.
 *
 * @example
 * ```ts ignore
 * import { countriesFrame, unknownCountry } from "./aggregates.ts";
 * countriesFrame(ips).head(10);
 * unknownCountry(ips); // { attempts: 12, unique_ips: 3, unique_subnets: 3 }
 * ```
 */
export function countriesFrame(ips: pl.DataFrame): pl.DataFrame {
  const names = mostCommon(attackers(ips), "country.iso_code", "country.names.en", "country_name");
  return shareFrame(ips, "country.iso_code", [])
    .join(names, { on: "country.iso_code", how: "left" })
    .rename({ "country.iso_code": "country" })
    .select(...Object.keys(COUNTRY_COLUMNS))
    .sort(["attempts", "country"], [true, false]);
}

/**
 * What the `countries` frame leaves out: attempts, attacking addresses and
 * their distinct subnets where no provider knows the country (private and
 * other non-public addresses included).
 */
export function unknownCountry(ips: pl.DataFrame): UnknownTotals {
  return unknownTotals(ips, "country.iso_code");
}

/**
 * The `networks` frame from an `ips` frame: one row per known autonomous
 * system of attacking addresses, with the columns of
 * {@linkcode NETWORK_COLUMNS}, sorted by attempts (descending), then ASN.
 * Percentages are of the addresses *with a known ASN*; the rest is
 * {@linkcode unknownNetwork}.
 */
export function networksFrame(ips: pl.DataFrame): pl.DataFrame {
  const asn = "traits.autonomous_system_number";
  const names = mostCommon(
    attackers(ips),
    asn,
    "traits.autonomous_system_organization",
    "organization",
  );
  return shareFrame(ips, asn, [
    pl.col("traits.is_hosting_provider").cast(pl.Float64).mean().alias("hosting_share"),
  ])
    .join(names, { on: asn, how: "left" })
    .rename({ [asn]: "asn" })
    .select(...Object.keys(NETWORK_COLUMNS))
    .sort(["attempts", "asn"], [true, false]);
}

/** What the `networks` frame leaves out: attacking addresses without a known ASN. */
export function unknownNetwork(ips: pl.DataFrame): UnknownTotals {
  return unknownTotals(ips, "traits.autonomous_system_number");
}

/**
 * The `daily` frame: one row per UTC day from the first to the last event
 * (days without events included, with zeros), with the columns of
 * {@linkcode DAILY_COLUMNS}.
 *
 * @example
 * ```ts ignore
 * import { dailyFrame } from "./aggregates.ts";
 * dailyFrame(analysis).filter(pl.col("events").eq(0)); // days the logs are silent
 * ```
 */
export function dailyFrame(analysis: EventAnalysis): pl.DataFrame {
  const totals = totalsOf(analysis);
  const { firstDay } = totals;
  const { events, attempts, uniqueIps } = totals.day;
  const bans = new Float64Array(events.length);
  for (const ban of bansOf(analysis)) {
    if (!isCountedBan(ban) || Number.isNaN(ban.bannedAt)) continue;
    const day = Math.floor(ban.bannedAt / DAY_MS) - firstDay;
    if (day >= 0 && day < bans.length) bans[day]++;
  }
  return new FrameBuilder()
    .number("day", Float64Array.from(events, (_, i) => firstDay + i), pl.Date)
    .count("events", events)
    .count("attempts", attempts)
    .count("unique_ips", uniqueIps)
    .count("bans", bans)
    .build(Object.keys(DAILY_COLUMNS));
}

/**
 * The `hourWeekday` frame: attempts by UTC weekday (0 = Monday) and hour,
 * all 168 cells present, ordered by weekday then hour; columns of
 * {@linkcode HOUR_WEEKDAY_COLUMNS}.
 */
export function hourWeekdayFrame(analysis: EventAnalysis): pl.DataFrame {
  const cells = totalsOf(analysis).hourWeekday;
  const weekdays = Array.from({ length: 168 }, (_, i) => Math.floor(i / 24));
  return new FrameBuilder()
    .number("weekday", weekdays, pl.Int8)
    .text("weekday_name", weekdays.map((w) => WEEKDAY_NAMES[w]))
    .number("hour", Array.from({ length: 168 }, (_, i) => i % 24), pl.Int8)
    .count("attempts", cells)
    .build(Object.keys(HOUR_WEEKDAY_COLUMNS));
}

/**
 * The `usernames` frame: one row per user name seen in any event, with the
 * columns of {@linkcode USERNAME_COLUMNS}, sorted by attempts (descending),
 * then name. `invalid` follows the shared definition: the name appeared in an
 * `invalid_user` event or in a `failed_*` event for an invalid user.
 */
export function usernamesFrame(analysis: EventAnalysis): pl.DataFrame {
  const names = analysis.store.dictionaries.user.values;
  const nUser = names.length;
  const { attempts, uniqueIps, invalid, logins, first, last } = totalsOf(analysis).user;
  return new FrameBuilder()
    .encodedText("user", Int32Array.from({ length: nUser }, (_, u) => u), names)
    .count("attempts", attempts)
    .count("unique_ips", uniqueIps)
    .boolean("invalid", Array.from(invalid, (v) => v === 1))
    .count("logins", logins)
    .time("first_seen", first)
    .time("last_seen", last)
    .build(Object.keys(USERNAME_COLUMNS))
    .sort(["attempts", "user"], [true, false]);
}

/**
 * The `usernamesByCountry` frame: for each known country of the trying
 * addresses, its `topUsersPerCountry` user names by attempts (ties by name),
 * with the columns of {@linkcode USERNAME_BY_COUNTRY_COLUMNS}; ordered by
 * country, then rank. Attempts from addresses of unknown country are left out.
 */
export function usernamesByCountryFrame(analysis: EventAnalysis): pl.DataFrame {
  const names = analysis.store.dictionaries.user.values;
  const { countries, countryUser } = totalsOf(analysis);
  const nUser = names.length;
  const perCountry = countries.map(() => [] as { user: number; attempts: number; ips: number }[]);
  for (const [key, cell] of countryUser) {
    perCountry[Math.floor(key / nUser)].push({ user: key % nUser, ...cell });
  }
  const out = {
    country: [] as string[],
    user: [] as string[],
    attempts: [] as number[],
    ips: [] as number[],
    rank: [] as number[],
  };
  const top = analysis.options.topUsersPerCountry;
  const order = countries.map((_, i) => i).sort((x, y) => (countries[x] < countries[y] ? -1 : 1));
  for (const country of order) {
    const list = perCountry[country].sort((x, y) =>
      y.attempts - x.attempts ||
      (names[x.user] < names[y.user] ? -1 : names[x.user] > names[y.user] ? 1 : 0)
    );
    list.slice(0, top).forEach((cell, rank) => {
      out.country.push(countries[country]);
      out.user.push(names[cell.user]);
      out.attempts.push(cell.attempts);
      out.ips.push(cell.ips);
      out.rank.push(rank + 1);
    });
  }
  return new FrameBuilder()
    .text("country", out.country)
    .text("user", out.user)
    .count("attempts", out.attempts)
    .count("unique_ips", out.ips)
    .count("rank", out.rank)
    .build(Object.keys(USERNAME_BY_COUNTRY_COLUMNS));
}

/**
 * How much of each column of `frame` is missing (null): one row per column
 * with the columns of {@linkcode MISSINGNESS_COLUMNS}, most missing first
 * (ties by column name). An empty frame has 0 % missing.
 *
 * @example
 * ```ts ignore
 * import { missingness } from "./aggregates.ts";
 * missingness(frames.ipDetails).head(5);
 * ```
 */
export function missingness(frame: pl.DataFrame): pl.DataFrame {
  const counts = frame.width === 0
    ? {}
    : frame.nullCount().toRecords()[0] as Record<string, number>;
  const rows = frame.columns.map((column) => {
    const missing = Number(counts[column] ?? 0);
    return { column, missing, pct: frame.height === 0 ? 0 : (missing / frame.height) * 100 };
  }).sort((x, y) => y.pct - x.pct || (x.column < y.column ? -1 : x.column > y.column ? 1 : 0));
  return new FrameBuilder()
    .text("column", rows.map((r) => r.column))
    .count("missing", rows.map((r) => r.missing))
    .number("pct_missing", rows.map((r) => r.pct))
    .build(Object.keys(MISSINGNESS_COLUMNS));
}
