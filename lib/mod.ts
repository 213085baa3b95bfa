/**
 * jailbook's public API, as notebooks import it: logs → events → IP details →
 * frames → charts and exports.
 *
 * @module
 */
export { type LoadedLogs, readLogs } from "./logs/load.ts";
export { discoverLogs, type LogFile } from "./logs/discover.ts";
export { parseFiles, type ParseReport } from "./logs/pipeline.ts";
export { EventStore } from "./logs/store.ts";
export { KINDS, SOURCES } from "./logs/kinds.ts";
export { renderSummary, type SummaryData } from "./logs/summary.ts";
export { lookupIps, type LookupResult } from "./geo/lookup.ts";
export { defaultProviders, openProviders, PROVIDER_NAMES, readGeoSettings } from "./geo/config.ts";
export { DETAIL_COLUMNS, type IpDetails } from "./geo/types.ts";
export { classifyIp } from "./geo/classify.ts";
export { networkOf } from "./geo/cidr.ts";
export * from "./frames/mod.ts";
export * from "./charts/mod.ts";
export { pointsToGeoJson, validateGeoJson } from "./export/geojson.ts";
export { exportFrames } from "./report/exports.ts";
export {
  type Analysis,
  type AnalysisParams,
  analysisParams,
  bannedAndLoggedIn,
  enrichIps,
  EXPORTS,
  friendlyCheck,
  ipsGeoJson,
  loadAnalysis,
} from "./analysis.ts";
