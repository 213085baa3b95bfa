/**
 * GeoJSON (RFC 7946) of attacking IPs as points, for QGIS, Leaflet or
 * geojson.io.
 *
 * - Coordinates are `[longitude, latitude]` in WGS 84, at most 6 decimals
 *   (about 0.1 m; the databases are far coarser).
 * - No `crs` member (RFC 7946 removed it); a `bbox` of all points is given.
 * - IPs without valid coordinates are left out and counted.
 *
 * @module
 */

/** A GeoJSON property value. */
export type PropertyValue = string | number | boolean | null;

/** A point feature. */
export interface PointFeature {
  type: "Feature";
  id: string;
  geometry: { type: "Point"; coordinates: [number, number] };
  properties: Record<string, PropertyValue>;
}

/** The collection. */
export interface FeatureCollection {
  type: "FeatureCollection";
  bbox?: [number, number, number, number];
  features: PointFeature[];
}

/** Options of {@linkcode pointsToGeoJson}. */
export interface GeoJsonOptions {
  /** Field of the IP (the feature id). @default "ip" */
  id?: string;
  /** Field of the latitude. @default "latitude" */
  latitude?: string;
  /** Field of the longitude. @default "longitude" */
  longitude?: string;
  /** Fields copied into `properties` (default: every other field). */
  properties?: readonly string[];
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function toProperty(value: unknown): PropertyValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  return String(value);
}

/**
 * Build a FeatureCollection from rows (e.g. the `ips` frame's records).
 * Returns the collection and how many rows had no usable coordinates.
 *
 * @example
 * ```ts
 * import { pointsToGeoJson } from "./geojson.ts";
 * const { collection } = pointsToGeoJson([{ ip: "81.2.69.160", latitude: 51.5, longitude: -0.09, attempts: 3 }]);
 * collection.features[0].geometry.coordinates; // [-0.09, 51.5]
 * ```
 */
export function pointsToGeoJson(
  rows: readonly Record<string, unknown>[],
  options: GeoJsonOptions = {},
): { collection: FeatureCollection; skipped: number } {
  const idField = options.id ?? "ip";
  const latField = options.latitude ?? "latitude";
  const lonField = options.longitude ?? "longitude";
  const features: PointFeature[] = [];
  let skipped = 0;
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  for (const row of rows) {
    const lat = Number(row[latField]), lon = Number(row[lonField]);
    if (
      row[latField] === null || row[lonField] === null || row[latField] === undefined ||
      row[lonField] === undefined || !Number.isFinite(lat) || !Number.isFinite(lon) ||
      lat < -90 || lat > 90 || lon < -180 || lon > 180
    ) {
      skipped++;
      continue;
    }
    const properties: Record<string, PropertyValue> = {};
    const fields = options.properties ??
      Object.keys(row).filter((k) => k !== latField && k !== lonField);
    for (const field of fields) properties[field] = toProperty(row[field]);
    const coordinates: [number, number] = [round6(lon), round6(lat)];
    minLon = Math.min(minLon, coordinates[0]);
    maxLon = Math.max(maxLon, coordinates[0]);
    minLat = Math.min(minLat, coordinates[1]);
    maxLat = Math.max(maxLat, coordinates[1]);
    features.push({
      type: "Feature",
      id: String(row[idField]),
      geometry: { type: "Point", coordinates },
      properties,
    });
  }
  const collection: FeatureCollection = { type: "FeatureCollection", features };
  if (features.length > 0) collection.bbox = [minLon, minLat, maxLon, maxLat];
  return { collection, skipped };
}

/**
 * Problems that make a value invalid GeoJSON per RFC 7946 (empty when valid):
 * used by tests and as a last check before writing.
 */
export function validateGeoJson(value: unknown): string[] {
  const problems: string[] = [];
  const c = value as FeatureCollection & { crs?: unknown };
  if (c?.type !== "FeatureCollection") problems.push('type must be "FeatureCollection"');
  if (!Array.isArray(c?.features)) return [...problems, "features must be an array"];
  if ("crs" in c) problems.push("crs is not allowed (RFC 7946 §4)");
  c.features.forEach((f, i) => {
    if (f?.type !== "Feature") problems.push(`features[${i}].type must be "Feature"`);
    const g = f?.geometry;
    if (g?.type !== "Point" || !Array.isArray(g.coordinates) || g.coordinates.length < 2) {
      problems.push(`features[${i}].geometry must be a Point with [lon, lat]`);
      return;
    }
    const [lon, lat] = g.coordinates;
    if (!(lon >= -180 && lon <= 180) || !(lat >= -90 && lat <= 90)) {
      problems.push(`features[${i}] coordinates out of range`);
    }
    if (f.properties === undefined || (f.properties !== null && typeof f.properties !== "object")) {
      problems.push(`features[${i}].properties must be an object or null`);
    }
    if (f.id !== undefined && typeof f.id !== "string" && typeof f.id !== "number") {
      problems.push(`features[${i}].id must be a string or number`);
    }
  });
  return problems;
}
