/**
 * The columns of every frame jailbook builds, named once: each frame's
 * columns in frame order with a one-line description, reused by the frame
 * builders, the report and the CSV documentation.
 *
 * Conventions shared by all frames:
 * - times are UTC (`Datetime("ms", "UTC")`), days are UTC calendar days (`Date`);
 * - the text columns of `events` are Categorical (dictionary-encoded, a
 *   quarter of the memory of String at a million rows): compare them with
 *   `eq`/`isIn` directly, cast to `pl.Utf8` before `.str` functions; text
 *   columns of the other frames are String;
 * - missing is `null`, never `""`, `0` or NaN;
 * - an *attempt* is a suspicious event counted with its repeat count, excluding
 *   fail2ban bookkeeping kinds; a fail2ban `found` counts only for an IP with no
 *   attempt from sshd or a web server log (see {@linkcode ATTEMPT_DEFINITION});
 * - percentages are 0–100 (not fractions) of the *known* total: rows whose key
 *   is unknown (no country, no ASN) are left out of the frame and of the
 *   denominator, and are counted separately (`unknownCountry`, `unknownNetwork`);
 * - `countries`, `networks` and `subnets` aggregate *attacking* IPs, those with
 *   at least one attempt; `ips` lists every IP seen.
 *
 * @module
 */
import { DETAIL_COLUMNS, type DetailColumn } from "../geo/types.ts";
import { KINDS } from "../logs/kinds.ts";

/** A frame's columns: name → one-line description, in frame order. */
export type ColumnDocs = Readonly<Record<string, string>>;

/** The shared definition of an attempt, in words (for reports and CSV documentation). */
export const ATTEMPT_DEFINITION =
  "An attempt is a suspicious event counted with its repeat count (`message repeated N times`), " +
  "excluding fail2ban bookkeeping (ban, unban, restore_ban, increase_ban, already_banned, " +
  "ignore, banned, blacklisted, db_ban). A fail2ban `found` counts only for an IP that has no " +
  "attempt in an sshd or web server log, so the same failure is never counted twice.";

/** Kinds that are fail2ban bookkeeping, never attempts. */
export const BOOKKEEPING_KINDS = [
  "ban",
  "unban",
  "restore_ban",
  "increase_ban",
  "already_banned",
  "ignore",
  "banned",
  "blacklisted",
  "db_ban",
] as const;

/** Kinds that are successful logins. */
export const LOGIN_KINDS = ["accepted_password", "accepted_publickey", "accepted_other"] as const;

/** Columns of the `events` frame: one row per event, in file and line order. */
export const EVENT_COLUMNS = {
  time: "When the event happened (UTC, ms); null when the source carries no time",
  source: "Which log the event came from (fail2ban, sshd, http-access, http-error, …)",
  kind: "Event kind (see the kind catalogue), e.g. failed_password, ban",
  suspicious: "True for a failed or hostile access attempt, or a ban",
  attempts: "Attempts this row counts (its repeat count, or 0) under the shared definition",
  ip: "Client address, normalised (IPv4-mapped IPv6 as IPv4); null when the event has none",
  user: "User name tried or logged in with (attacker-controlled text)",
  port: "Client source port",
  jail: "fail2ban jail",
  host: "Host name from the log header, or the virtual host of a web request",
  method: "HTTP method of a web request",
  path: "Requested path of a web request (attacker-controlled text)",
  status: "HTTP status of a web request",
  file: "Log file the event was read from (null when the store's `files` list lacks it)",
  line: "Line number in that file (row id for databases)",
} as const satisfies ColumnDocs;

/** An `events` column name. */
export type EventColumn = keyof typeof EVENT_COLUMNS;

/** Where a ban is known from, the values of the `bans` frame's `source` column. */
export const BAN_SOURCES = ["fail2ban.log", "fail2ban db", "blacklist", "status"] as const;

/** One of {@linkcode BAN_SOURCES}. */
export type BanSource = typeof BAN_SOURCES[number];

/** Columns of the `bans` frame: one row per ban. */
export const BAN_COLUMNS = {
  ip: "Banned address",
  jail: "fail2ban jail; null for a blacklist CSV row that no logged ban explains",
  banned_at: "When the ban started (UTC); null when only its end or its current state is known",
  unbanned_at: "When the ban was lifted (UTC); null while still banned or when unknown",
  duration_s:
    "Ban length in seconds: unbanned_at − banned_at, else the ban time fail2ban announced " +
    "(Increase Ban, database bantime); null when unknown or permanent",
  restored: "Times fail2ban restored the ban after a restart (Restore Ban)",
  rebans:
    "fail2ban's ban count of the address at this ban (the n of `Increase Ban … (n # …)`, or the " +
    "database bancount); null when fail2ban did not report one",
  source: "Where the ban is known from: fail2ban.log, fail2ban db, blacklist or status " +
    "(fail2ban-client status)",
  started_by:
    "Event that opened the row: ban, db_ban, blacklisted (counted as bans); restore_ban, " +
    "unban, banned (a ban whose start is not in the data, not counted)",
} as const satisfies ColumnDocs;

/** A `bans` column name. */
export type BanColumn = keyof typeof BAN_COLUMNS;

/** Values of `started_by` that count as a ban under the shared definition. */
export const COUNTED_BAN_STARTS = ["ban", "db_ban", "blacklisted"] as const;

/** Descriptions of the geo/network columns of lib/geo (GeoIP2 vocabulary). */
export const DETAIL_COLUMN_DOCS: Readonly<Record<DetailColumn, string>> = {
  "continent.code": "Continent code (AF, AN, AS, EU, NA, OC, SA)",
  "country.iso_code": "Country of the address, ISO 3166-1 alpha-2; null when unknown",
  "country.names.en": "Country name in English",
  "subdivisions.0.names.en": "Largest subdivision (state, region) in English",
  "city.names.en": "City in English",
  "postal.code": "Postal code",
  "location.latitude": "Approximate latitude (degrees)",
  "location.longitude": "Approximate longitude (degrees)",
  "location.accuracy_radius": "Radius (km) around the location the address is likely within",
  "location.time_zone": "IANA time zone of the location",
  "traits.autonomous_system_number": "Autonomous system number (ASN) announcing the address",
  "traits.autonomous_system_organization": "Organisation of that autonomous system",
  "traits.isp": "Internet service provider",
  "traits.organization": "Organisation the address is assigned to",
  "traits.user_type": "Kind of user or network (hosting, residential, business, …)",
  "traits.is_anonymous": "Known anonymising service (VPN, proxy, Tor)",
  "traits.is_anonymous_vpn": "Known anonymising VPN",
  "traits.is_hosting_provider": "Hosting or data-centre address",
  "traits.is_public_proxy": "Known public proxy",
  "traits.is_tor_exit_node": "Known Tor exit node",
  "registered_country.iso_code": "Country the address block is registered in (ISO alpha-2)",
  "rdap.name": "Network name in the regional registry (RDAP)",
  "rdap.handle": "Network handle in the regional registry (RDAP)",
  "rdap.abuse_email": "Abuse contact of the network (RDAP)",
};

/** How each geo/network column is typed in frames. */
export const DETAIL_COLUMN_TYPES: Readonly<
  Record<DetailColumn, "string" | "float" | "int" | "bool">
> = {
  "continent.code": "string",
  "country.iso_code": "string",
  "country.names.en": "string",
  "subdivisions.0.names.en": "string",
  "city.names.en": "string",
  "postal.code": "string",
  "location.latitude": "float",
  "location.longitude": "float",
  "location.accuracy_radius": "int",
  "location.time_zone": "string",
  "traits.autonomous_system_number": "int",
  "traits.autonomous_system_organization": "string",
  "traits.isp": "string",
  "traits.organization": "string",
  "traits.user_type": "string",
  "traits.is_anonymous": "bool",
  "traits.is_anonymous_vpn": "bool",
  "traits.is_hosting_provider": "bool",
  "traits.is_public_proxy": "bool",
  "traits.is_tor_exit_node": "bool",
  "registered_country.iso_code": "string",
  "rdap.name": "string",
  "rdap.handle": "string",
  "rdap.abuse_email": "string",
};

/** The IP details the attempts table carries (the `ips` frame has them all). */
export const ATTEMPT_DETAIL_COLUMNS = [
  "country.iso_code",
  "country.names.en",
  "city.names.en",
  "location.latitude",
  "location.longitude",
  "traits.autonomous_system_number",
  "traits.autonomous_system_organization",
] as const satisfies readonly DetailColumn[];

/** Columns of the `ipDetails` frame: one row per IP. */
export const IP_DETAIL_COLUMNS = {
  ip: "Address, normalised",
  ip_class: "Address class: public, private, loopback, documentation, … (only public is looked up)",
  network: "Network (CIDR) the answering provider matched",
  ...DETAIL_COLUMN_DOCS,
  provider: "Providers that contributed a column, in priority order",
  source_version: "Database build dates or API names of those providers",
  fetched_at: "When the newest contributing answer was obtained (UTC)",
} as const satisfies ColumnDocs;

/** An `ipDetails` column name. */
export type IpDetailColumn = keyof typeof IP_DETAIL_COLUMNS;

/** Prefix of the per-kind attempt columns of `ips` (`attempts_failed_password`, …). */
export const ATTEMPTS_BY_KIND_PREFIX = "attempts_";

/**
 * The `ips` column counting the attempts of one kind.
 *
 * @example
 * ```ts
 * import { attemptsColumn } from "./columns.ts";
 * attemptsColumn("invalid_user"); // "attempts_invalid_user"
 * ```
 */
export function attemptsColumn(kind: string): string {
  return ATTEMPTS_BY_KIND_PREFIX + kind;
}

/**
 * Columns of the `ips` frame before the per-kind attempt columns
 * (`attempts_<kind>`, one per suspicious kind present) and the `ipDetails`
 * columns after `ip`, which follow in that order.
 */
export const IP_COLUMNS = {
  ip: "Address, normalised",
  attempts: "Attempts from the address (shared definition)",
  events: "Events with the address, of any kind",
  bans: "Bans of the address (ban events, and database/blacklist bans no logged ban explains)",
  jails: "fail2ban jails the address appears in, comma-separated, sorted",
  first_seen: "First event with the address (UTC)",
  last_seen: "Last event with the address (UTC)",
  users_tried: "Distinct user names in its attempts",
  logged_in: "True when the address logged in successfully at least once",
  banned_and_logged_in: "True when the address was banned at some time and also logged in",
  subnet: "Its /24 (IPv4) or /64 (IPv6) network, or the prefixes chosen",
} as const satisfies ColumnDocs;

/** An `ips` column name (fixed part). */
export type IpColumn = keyof typeof IP_COLUMNS;

/** Columns of the `subnets` frame: one row per attacking subnet. */
export const SUBNET_COLUMNS = {
  subnet: "Network in CIDR notation (IPv4 /24 and IPv6 /64 unless chosen otherwise)",
  attempts: "Attempts from its addresses",
  unique_ips: "Attacking addresses in it",
  country: "Most common country among its attacking addresses (ISO alpha-2); null when none known",
  first_seen: "First event of its addresses (UTC)",
  last_seen: "Last event of its addresses (UTC)",
} as const satisfies ColumnDocs;

/** A `subnets` column name. */
export type SubnetColumn = keyof typeof SUBNET_COLUMNS;

/** Columns of the `countries` frame: one row per known country of attacking IPs. */
export const COUNTRY_COLUMNS = {
  country: "Country, ISO 3166-1 alpha-2 (unknown country is not a row)",
  country_name: "Country name in English",
  attempts: "Attempts from addresses in the country",
  unique_ips: "Attacking addresses in the country",
  unique_subnets: "Distinct subnets of those addresses",
  pct_attempts: "Share of the attempts of all addresses with a known country, percent (0–100)",
  pct_ips: "Share of the attacking addresses with a known country, percent",
  pct_subnets:
    "Share of the distinct subnets of addresses with a known country, percent (a subnet " +
    "spanning two countries counts in both, so the column may sum to more than 100)",
} as const satisfies ColumnDocs;

/** A `countries` column name. */
export type CountryColumn = keyof typeof COUNTRY_COLUMNS;

/** Columns of the `networks` frame: one row per known autonomous system of attacking IPs. */
export const NETWORK_COLUMNS = {
  asn: "Autonomous system number (unknown ASN is not a row)",
  organization: "Most common organisation name its addresses report",
  attempts: "Attempts from addresses in the AS",
  unique_ips: "Attacking addresses in the AS",
  unique_subnets: "Distinct subnets of those addresses",
  pct_attempts: "Share of the attempts of all addresses with a known ASN, percent (0–100)",
  pct_ips: "Share of the attacking addresses with a known ASN, percent",
  pct_subnets: "Share of the distinct subnets of addresses with a known ASN, percent",
  hosting_share:
    "Fraction (0–1) of its addresses flagged as hosting providers, of those where the flag is " +
    "known; null when no provider says",
} as const satisfies ColumnDocs;

/** A `networks` column name. */
export type NetworkColumn = keyof typeof NETWORK_COLUMNS;

/** Columns of the `daily` frame: one row per UTC day from the first to the last event. */
export const DAILY_COLUMNS = {
  day: "UTC calendar day (days without events are present, with zeros)",
  events: "Events that day, of any kind (a gap shows missing logs)",
  attempts: "Attempts that day",
  unique_ips: "Distinct addresses with an attempt that day",
  bans: "Bans that started that day",
} as const satisfies ColumnDocs;

/** A `daily` column name. */
export type DailyColumn = keyof typeof DAILY_COLUMNS;

/** Weekday names, Monday first (index = the `weekday` column). */
export const WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

/** Columns of the `hourWeekday` frame: all 168 (weekday, hour) cells, UTC. */
export const HOUR_WEEKDAY_COLUMNS = {
  weekday: "Day of the week, 0 = Monday … 6 = Sunday (UTC)",
  weekday_name: "Day of the week, Mon … Sun",
  hour: "Hour of the day, 0–23 (UTC)",
  attempts: "Attempts in that hour of that weekday over the whole period",
} as const satisfies ColumnDocs;

/** An `hourWeekday` column name. */
export type HourWeekdayColumn = keyof typeof HOUR_WEEKDAY_COLUMNS;

/** Columns of the `usernames` frame: one row per user name seen. */
export const USERNAME_COLUMNS = {
  user: "User name (attacker-controlled text)",
  attempts: "Attempts with the name",
  unique_ips: "Distinct addresses that tried it",
  invalid: "True when sshd said the user does not exist (invalid user)",
  logins: "Successful logins with the name",
  first_seen: "First attempt with the name (UTC)",
  last_seen: "Last attempt with the name (UTC)",
} as const satisfies ColumnDocs;

/** A `usernames` column name. */
export type UsernameColumn = keyof typeof USERNAME_COLUMNS;

/** Columns of the `usernamesByCountry` frame: the top user names of each known country. */
export const USERNAME_BY_COUNTRY_COLUMNS = {
  country: "Country of the trying addresses, ISO alpha-2 (unknown country left out)",
  user: "User name",
  attempts: "Attempts with the name from the country",
  unique_ips: "Distinct addresses of the country that tried it",
  rank: "Rank of the name within the country, 1 = most attempts",
} as const satisfies ColumnDocs;

/** A `usernamesByCountry` column name. */
export type UsernameByCountryColumn = keyof typeof USERNAME_BY_COUNTRY_COLUMNS;

/** Columns of a `missingness` frame. */
export const MISSINGNESS_COLUMNS = {
  column: "Column of the frame examined",
  missing: "Rows where it is null",
  pct_missing: "Share of rows where it is null, percent (0–100)",
} as const satisfies ColumnDocs;

/** A `missingness` column name. */
export type MissingnessColumn = keyof typeof MISSINGNESS_COLUMNS;

/** Every frame, by the name `buildFrames` returns it under. */
export const FRAME_COLUMNS = {
  events: EVENT_COLUMNS,
  bans: BAN_COLUMNS,
  ipDetails: IP_DETAIL_COLUMNS,
  ips: IP_COLUMNS,
  subnets: SUBNET_COLUMNS,
  countries: COUNTRY_COLUMNS,
  networks: NETWORK_COLUMNS,
  daily: DAILY_COLUMNS,
  hourWeekday: HOUR_WEEKDAY_COLUMNS,
  usernames: USERNAME_COLUMNS,
  usernamesByCountry: USERNAME_BY_COUNTRY_COLUMNS,
  missingness: MISSINGNESS_COLUMNS,
} as const satisfies Record<string, ColumnDocs>;

/** A frame name. */
export type FrameName = keyof typeof FRAME_COLUMNS;

/**
 * The column names of a frame's documentation, in order.
 *
 * @example
 * ```ts
 * import { columnNames, DAILY_COLUMNS } from "./columns.ts";
 * columnNames(DAILY_COLUMNS); // ["day", "events", "attempts", "unique_ips", "bans"]
 * ```
 */
export function columnNames<T extends ColumnDocs>(docs: T): (keyof T & string)[] {
  return Object.keys(docs) as (keyof T & string)[];
}

const KIND_DESCRIPTIONS = new Map(KINDS.map((kind) => [kind.name, kind.description]));

/**
 * The one-line description of a column of a frame, including the dynamic
 * ones (`attempts_<kind>` and the `ipDetails` columns of `ips`); undefined
 * for a column jailbook does not make.
 *
 * @example
 * ```ts
 * import { describeColumn } from "./columns.ts";
 * describeColumn("ips", "attempts_failed_password"); // "Attempts of kind failed_password: Failed password"
 * ```
 */
export function describeColumn(frame: FrameName, column: string): string | undefined {
  const docs: ColumnDocs = FRAME_COLUMNS[frame];
  if (Object.hasOwn(docs, column)) return docs[column];
  if (frame === "ips" && column.startsWith(ATTEMPTS_BY_KIND_PREFIX)) {
    const kind = column.slice(ATTEMPTS_BY_KIND_PREFIX.length);
    const description = KIND_DESCRIPTIONS.get(kind);
    if (description !== undefined) return `Attempts of kind ${kind}: ${description}`;
  }
  // `ips` carries the details; `events` and `bans` after joinDetails
  if (
    (frame === "ips" || frame === "events" || frame === "bans") &&
    Object.hasOwn(IP_DETAIL_COLUMNS, column)
  ) {
    return (IP_DETAIL_COLUMNS as ColumnDocs)[column];
  }
  return undefined;
}

/** The geo/network columns, re-exported so frame users need one import. */
export { DETAIL_COLUMNS };
