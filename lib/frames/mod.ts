/**
 * Frames: the parsed events and the IP details as Polars DataFrames, and
 * every aggregate the notebooks, charts and report use. The only module
 * that imports nodejs-polars.
 *
 * Column names and descriptions live in `columns.ts`; the shared
 * definitions (attempt, ban, successful login, invalid user, unknown
 * country, UTC days) are applied here once.
 *
 * @example
 * ```ts ignore
 * import { buildFrames, writeCsv } from "./mod.ts";
 * const frames = buildFrames(store, details);
 * frames.countries.head(10);
 * frames.unknownCountry; // { attempts, unique_ips, unique_subnets } left out of countries
 * writeCsv(frames.usernames, "out/usernames.csv");
 * ```
 *
 * @module
 */
import type pl from "nodejs-polars";
import type { IpDetails } from "../geo/types.ts";
import type { EventStore } from "../logs/store.ts";
import {
  countriesFrame,
  dailyFrame,
  hourWeekdayFrame,
  ipsFrame,
  networksFrame,
  subnetsFrame,
  unknownCountry,
  unknownNetwork,
  type UnknownTotals,
  usernamesByCountryFrame,
  usernamesFrame,
} from "./aggregates.ts";
import { type AttemptTable, attemptTable } from "./attempts.ts";
import { bansFrame } from "./bans.ts";
import {
  analyseEvents,
  analysisDetailsFrame,
  type EventAnalysis,
  eventColumns,
  eventsFrame,
  type FrameOptions,
} from "./events.ts";

export * from "./columns.ts";
export {
  analyseEvents,
  type EventAnalysis,
  eventsFrame,
  FRAME_DEFAULTS,
  type FrameOptions,
  ipDetailsFrame,
  joinDetails,
  releaseEvents,
} from "./events.ts";
export { type BanRecord, bansFrame, bansOf, isCountedBan } from "./bans.ts";
export {
  ATTEMPT_CSV_OPTIONS,
  type AttemptQueryOptions,
  type AttemptTable,
  attemptTable,
} from "./attempts.ts";
export {
  countriesFrame,
  dailyFrame,
  hourWeekdayFrame,
  ipsFrame,
  missingness,
  networksFrame,
  subnetsFrame,
  unknownCountry,
  unknownNetwork,
  type UnknownTotals,
  usernamesByCountryFrame,
  usernamesFrame,
} from "./aggregates.ts";
export { FORMULA_START, readParquet, writeCsv, type WriteCsvOptions, writeParquet } from "./io.ts";

/** Every frame of a run (see lib/frames/columns.ts for their columns). */
export interface Frames {
  /** One row per event (built on first use: a million events take about 130 MB). */
  readonly events: pl.DataFrame;
  /**
   * Every attempt with its IP's details, kept compactly and written through
   * lazy queries (built on first use; see lib/frames/attempts.ts).
   */
  readonly attempts: AttemptTable;
  /** One row per ban. */
  bans: pl.DataFrame;
  /** One row per address seen, with its details (nulls where none). */
  ipDetails: pl.DataFrame;
  /** Per address: attempts, bans, logins, … joined with its details; by attempts. */
  ips: pl.DataFrame;
  /** Per subnet of attacking addresses. */
  subnets: pl.DataFrame;
  /** Per known country of attacking addresses (unknown: {@linkcode Frames.unknownCountry}). */
  countries: pl.DataFrame;
  /** What `countries` leaves out: attacking addresses of unknown country. */
  unknownCountry: UnknownTotals;
  /** Per known autonomous system of attacking addresses. */
  networks: pl.DataFrame;
  /** What `networks` leaves out: attacking addresses of unknown ASN. */
  unknownNetwork: UnknownTotals;
  /** Per UTC day, first to last event, zero days included. */
  daily: pl.DataFrame;
  /** Attempts per UTC weekday × hour, all 168 cells. */
  hourWeekday: pl.DataFrame;
  /** Per user name. */
  usernames: pl.DataFrame;
  /** Top user names per known country. */
  usernamesByCountry: pl.DataFrame;
}

/**
 * Build every frame from the parsed events and the IP details, reading the
 * store once.
 *
 * @param store the parsed events (`parseFiles` into an `EventStore`)
 * @param details the IP details (`lookupIps(...).details`); IPs without a record get nulls
 * @param options subnet prefixes, top-N, ban matching tolerance
 *
 * @example
 * ```ts ignore
 * import { buildFrames } from "./mod.ts";
 * const { ips, daily } = buildFrames(store, details, { v4Prefix: 16 });
 * ```
 */
export function buildFrames(
  store: EventStore,
  details: readonly IpDetails[] = [],
  options: FrameOptions = {},
): Frames {
  return framesOf(analyseEvents(store, details, options));
}

/**
 * Every frame of an analysis of the store ({@linkcode analyseEvents}):
 * {@linkcode buildFrames} for a caller that needs the analysis too (for
 * example to start writing its attempts while the other frames are built).
 *
 * @example
 * ```ts ignore
 * import { analyseEvents, attemptTable, framesOf } from "./mod.ts";
 * const analysis = analyseEvents(store, details);
 * const writing = attemptTable(analysis).query().sinkParquet("attempts.parquet")
 *   .collect({ commSubexprElim: false });
 * const frames = framesOf(analysis);
 * ```
 */
export function framesOf(analysis: EventAnalysis): Frames {
  eventColumns(analysis, "frames");
  const ips = ipsFrame(analysis);
  let events: pl.DataFrame | undefined;
  let attempts: AttemptTable | undefined;
  return {
    get events() {
      return events ??= eventsFrame(analysis);
    },
    get attempts() {
      return attempts ??= attemptTable(analysis);
    },
    bans: bansFrame(analysis),
    ipDetails: analysisDetailsFrame(analysis),
    ips,
    subnets: subnetsFrame(ips),
    countries: countriesFrame(ips),
    unknownCountry: unknownCountry(ips),
    networks: networksFrame(ips),
    unknownNetwork: unknownNetwork(ips),
    daily: dailyFrame(analysis),
    hourWeekday: hourWeekdayFrame(analysis),
    usernames: usernamesFrame(analysis),
    usernamesByCountry: usernamesByCountryFrame(analysis),
  };
}
export { failedIpsFrame, filesFrame, lookupStatsFrame, problemsFrame } from "./report.ts";
