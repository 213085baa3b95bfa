/**
 * The MaxMind databases a user has (GeoLite2/GeoIP2 City, Country,
 * Enterprise, ASN, ISP, Anonymous-IP, Connection-Type, Domain), combined
 * into one offline provider, `maxmind-db`, and read with the `maxmind` npm
 * package.
 *
 * Records become the dotted columns of the GeoIP2 web services' JSON
 * (`country.iso_code`, `traits.autonomous_system_number`, …): the flat
 * records of the ASN/ISP/Anonymous-IP databases land under `traits.` as in
 * the Insights response. When several databases answer, the first in
 * {@linkcode KIND_ORDER} that has a value gives each column.
 *
 * Every file is checked with the reader of `mmdb.ts` before the npm reader
 * sees it (metadata, record size, tree size against the file size, and the
 * first 32 records decoded); a lookup that the npm reader cannot decode fails
 * with an {@linkcode MmdbError} naming the file. Corruption deeper in a file
 * that the npm reader decodes without complaint (it does not check sizes of
 * doubles, for one) goes unnoticed.
 *
 * The `maxmind` package is loaded on first use: importing it costs about
 * 40 ms and 12 MB of RSS, which a run without MaxMind databases should not
 * pay.
 *
 * @example
 * ```ts
 * import { openMaxmindDatabases } from "./maxmind_db.ts";
 * const db = openMaxmindDatabases(["tests/fixtures/maxmind/test-data/GeoIP2-City-Test.mmdb"]);
 * db.lookup(["81.2.69.160"]).get("81.2.69.160")?.columns["city.names.en"]; // "London"
 * db.close();
 * ```
 *
 * @module
 */
import { isIpv4, parseIpv6 } from "../logs/ip.ts";
import { networkOf } from "./cidr.ts";
import { buildDate, MmdbError, type MmdbMetadata, MmdbReader } from "./mmdb.ts";
import type {
  Derived,
  DerivedColumns,
  DetailColumn,
  DetailValue,
  OfflineProvider,
} from "./types.ts";

/** Where geoipupdate and distribution packages put the databases. */
export const DEFAULT_MAXMIND_DIRS: readonly string[] = ["/usr/share/GeoIP", "/var/lib/GeoIP"];

/** What a database holds, from its `database_type`. */
export type MaxmindDatabaseKind =
  | "enterprise"
  | "city"
  | "country"
  | "isp"
  | "asn"
  | "anonymous-ip"
  | "connection-type"
  | "domain";

/** Column priority: the first kind with a value gives a column. */
export const KIND_ORDER: readonly MaxmindDatabaseKind[] = [
  "enterprise",
  "city",
  "country",
  "isp",
  "asn",
  "anonymous-ip",
  "connection-type",
  "domain",
];

/** A database found by {@linkcode findMaxmindDatabases}. */
export interface MaxmindDatabaseInfo {
  path: string;
  /** `database_type` from its metadata, e.g. `GeoLite2-City`. */
  databaseType: string;
  kind: MaxmindDatabaseKind;
  /** Build date, `YYYY-MM-DD`. */
  buildDate: string;
  ipVersion: 4 | 6;
}

/** Options of {@linkcode findMaxmindDatabases}. */
export interface FindMaxmindOptions {
  /** Told about each `.mmdb` file that is not used, and why. */
  onSkip?: (path: string, reason: string) => void;
}

/**
 * The kind of a GeoIP2/GeoLite2 `database_type`, or undefined for other
 * databases (DB-IP's, MaxMind's other products).
 *
 * @example
 * ```ts
 * import { maxmindKind } from "./maxmind_db.ts";
 * maxmindKind("GeoLite2-ASN"); // "asn"
 * maxmindKind("GeoIP2-Precision-Enterprise"); // "enterprise"
 * maxmindKind("city ipv4"); // undefined
 * ```
 */
export function maxmindKind(databaseType: string): MaxmindDatabaseKind | undefined {
  if (!/^Geo(?:IP2|Lite2|IP)-/.test(databaseType)) return undefined;
  const type = databaseType.replace(/^Geo(?:IP2|Lite2|IP)-(?:Precision-)?/, "");
  if (/^Enterprise\b/.test(type)) return "enterprise";
  if (/^Anonymous-(?:IP|Plus)\b/.test(type)) return "anonymous-ip";
  if (/^Connection-Type\b/.test(type)) return "connection-type";
  if (/^Domain\b/.test(type)) return "domain";
  if (/^ISP\b/.test(type)) return "isp";
  if (/^ASN\b/.test(type)) return "asn";
  if (/^City\b/.test(type)) return "city";
  if (/^Country\b/.test(type)) return "country";
  return undefined;
}

function rank(kind: MaxmindDatabaseKind, databaseType: string): number {
  // GeoIP2 (commercial) before GeoLite2 of the same kind
  return KIND_ORDER.indexOf(kind) * 2 + (databaseType.startsWith("GeoLite2-") ? 1 : 0);
}

/** Records decoded as a spot check when a database is opened. */
const SPOT_CHECK_RECORDS = 32;

/**
 * Metadata of a file, through the checks of the `mmdb.ts` reader: the
 * metadata, the tree size and, with `spotCheck`, the first records of the
 * tree (a systematic corruption, such as doubles of the wrong size, shows
 * there; the npm reader would return garbage for it).
 */
function inspect(path: string, spotCheck = false): MmdbMetadata {
  const reader = MmdbReader.open(path);
  try {
    if (spotCheck) {
      let count = 0;
      for (const _ of reader.networks()) if (++count >= SPOT_CHECK_RECORDS) break;
    }
    return reader.metadata;
  } finally {
    reader.close();
  }
}

/**
 * The GeoIP2/GeoLite2 databases in `dirs` (`*.mmdb`, recognised by their
 * `database_type`, not their name), highest column priority first; of two
 * files of the same `database_type` the newer build is kept. Missing or
 * unreadable folders are skipped; files that are corrupt or of another type
 * are skipped and reported to `options.onSkip`.
 *
 * @example
 * ```ts
 * import { findMaxmindDatabases } from "./maxmind_db.ts";
 * findMaxmindDatabases(["tests/fixtures/maxmind/test-data"]).map((d) => d.kind);
 * ```
 */
export function findMaxmindDatabases(
  dirs: readonly string[] = DEFAULT_MAXMIND_DIRS,
  options: FindMaxmindOptions = {},
): MaxmindDatabaseInfo[] {
  const byType = new Map<string, MaxmindDatabaseInfo & { buildEpoch: number }>();
  for (const dir of dirs) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (!entry.name.endsWith(".mmdb") || entry.isDirectory) continue;
      const path = `${dir.replace(/\/+$/, "")}/${entry.name}`;
      let metadata: MmdbMetadata;
      try {
        metadata = inspect(path);
      } catch (error) {
        options.onSkip?.(path, (error as Error).message);
        continue;
      }
      const kind = maxmindKind(metadata.databaseType);
      if (kind === undefined) {
        options.onSkip?.(
          path,
          `database type "${metadata.databaseType}" is not a GeoIP2/GeoLite2 database this provider reads`,
        );
        continue;
      }
      const info = {
        path,
        databaseType: metadata.databaseType,
        kind,
        buildDate: buildDate(metadata),
        ipVersion: metadata.ipVersion,
        buildEpoch: metadata.buildEpoch,
      };
      const other = byType.get(info.databaseType);
      if (other === undefined || other.buildEpoch < info.buildEpoch) {
        if (other !== undefined) {
          options.onSkip?.(other.path, `${info.path} is a newer ${info.databaseType}`);
        }
        byType.set(info.databaseType, info);
      } else options.onSkip?.(path, `${other.path} is a newer or equal ${info.databaseType}`);
    }
  }
  return [...byType.values()]
    .sort((a, b) => rank(a.kind, a.databaseType) - rank(b.kind, b.databaseType))
    .map(({ buildEpoch: _, ...info }) => info);
}

// ---- GeoIP2 records → columns ----

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? value as Json
    : undefined;
}

function nonEmptyText(value: unknown): string | undefined {
  return typeof value === "string" && value.trim().length > 0 ? value : undefined;
}

function finite(value: unknown): number | undefined {
  if (typeof value === "bigint") return Number(value);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function englishName(place: Json | undefined): string | undefined {
  return nonEmptyText(object(place?.names)?.en);
}

const TRAIT_TEXT = [
  "autonomous_system_organization",
  "isp",
  "organization",
  "user_type",
] as const;
const TRAIT_FLAGS = [
  "is_anonymous",
  "is_anonymous_vpn",
  "is_hosting_provider",
  "is_public_proxy",
  "is_tor_exit_node",
] as const;

function setIf(
  columns: DerivedColumns,
  column: DetailColumn,
  value: DetailValue | undefined,
): void {
  if (value !== undefined && value !== null) columns[column] = value;
}

/**
 * The traits of a flat ASN/ISP/Anonymous-IP record or of the `traits` object
 * of a City/Enterprise record. Anonymous-IP flags that a record of that
 * database leaves out are false (the database lists only the true ones);
 * elsewhere a missing flag stays missing.
 */
function traitColumns(traits: Json, columns: DerivedColumns, flagsDefaultFalse: boolean): void {
  const asn = finite(traits.autonomous_system_number);
  if (asn !== undefined && asn > 0) columns["traits.autonomous_system_number"] = asn;
  for (const key of TRAIT_TEXT) setIf(columns, `traits.${key}`, nonEmptyText(traits[key]));
  for (const key of TRAIT_FLAGS) {
    const value = traits[key];
    if (typeof value === "boolean") columns[`traits.${key}`] = value;
    else if (flagsDefaultFalse) columns[`traits.${key}`] = false;
  }
}

/**
 * The columns of one record of a GeoIP2/GeoLite2 database of `kind`, named
 * as in the GeoIP2 web services' JSON (so the same function serves their
 * City/Insights answers with kind `enterprise`). Missing values are left
 * out, never `""` or `0`.
 *
 * @example
 * ```ts
 * import { geoip2Columns } from "./maxmind_db.ts";
 * geoip2Columns({ autonomous_system_number: 1221, autonomous_system_organization: "Telstra Pty Ltd" }, "asn");
 * // { "traits.autonomous_system_number": 1221, "traits.autonomous_system_organization": "Telstra Pty Ltd" }
 * ```
 */
export function geoip2Columns(record: unknown, kind: MaxmindDatabaseKind): DerivedColumns {
  const columns: DerivedColumns = {};
  const r = object(record);
  if (r === undefined) return columns;
  switch (kind) {
    case "asn":
    case "isp":
      traitColumns(r, columns, false);
      return columns;
    case "anonymous-ip":
      traitColumns(r, columns, true);
      return columns;
    case "connection-type":
    case "domain":
      // no DETAIL_COLUMNS for connection_type and domain
      return columns;
  }
  const continent = object(r.continent);
  const country = object(r.country);
  const location = object(r.location);
  setIf(columns, "continent.code", nonEmptyText(continent?.code));
  setIf(columns, "country.iso_code", nonEmptyText(country?.iso_code));
  setIf(columns, "country.names.en", englishName(country));
  const subdivisions = Array.isArray(r.subdivisions) ? r.subdivisions : [];
  setIf(columns, "subdivisions.0.names.en", englishName(object(subdivisions[0])));
  setIf(columns, "city.names.en", englishName(object(r.city)));
  setIf(columns, "postal.code", nonEmptyText(object(r.postal)?.code));
  const latitude = finite(location?.latitude);
  const longitude = finite(location?.longitude);
  if (latitude !== undefined && longitude !== undefined) {
    columns["location.latitude"] = latitude;
    columns["location.longitude"] = longitude;
  }
  const radius = finite(location?.accuracy_radius);
  if (radius !== undefined && radius > 0) columns["location.accuracy_radius"] = radius;
  setIf(columns, "location.time_zone", nonEmptyText(location?.time_zone));
  setIf(
    columns,
    "registered_country.iso_code",
    nonEmptyText(object(r.registered_country)?.iso_code),
  );
  const traits = object(r.traits);
  if (traits !== undefined) traitColumns(traits, columns, false);
  return columns;
}

// ---- the npm reader, loaded on first use ----

interface NpmReader {
  metadata: unknown;
  getWithPrefixLength(ip: string): [unknown, number];
}
interface NpmModules {
  Reader: new (
    db: Uint8Array,
    options?: { cache?: { get(key: number): unknown; set(key: number, value: unknown): void } },
  ) => NpmReader;
  Buffer: { from(buffer: ArrayBuffer, offset: number, length: number): Uint8Array };
}
let npm: NpmModules | undefined;

/** `maxmind` (and node's `Buffer`), loaded synchronously on first use. */
function loadNpm(path: string): NpmModules {
  if (npm !== undefined) return npm;
  try {
    const process = (globalThis as unknown as {
      process: { getBuiltinModule(name: string): Record<string, unknown> };
    }).process;
    const { createRequire } = process.getBuiltinModule("node:module") as {
      createRequire(from: string): (name: string) => Record<string, unknown>;
    };
    const maxmind = createRequire(import.meta.url)("maxmind");
    const { Buffer } = process.getBuiltinModule("node:buffer") as unknown as Pick<
      NpmModules,
      "Buffer"
    >;
    npm = { Reader: maxmind.Reader as NpmModules["Reader"], Buffer };
    return npm;
  } catch (error) {
    throw new MmdbError(
      path,
      `the maxmind npm package cannot be loaded (${
        (error as Error).message
      }); run \`deno install\` in the project`,
      { cause: error },
    );
  }
}

/** A bounded cache of decoded pointer targets for the npm decoder. */
function decoderCache(
  limit = 50_000,
): { get(key: number): unknown; set(key: number, value: unknown): void } {
  const map = new Map<number, unknown>();
  return {
    get: (key) => map.get(key),
    set: (key, value) => {
      if (map.size >= limit) map.clear();
      map.set(key, value);
    },
  };
}

interface OpenDatabase extends MaxmindDatabaseInfo {
  reader: NpmReader;
}

function openOne(path: string): OpenDatabase {
  const metadata = inspect(path, true);
  const kind = maxmindKind(metadata.databaseType);
  if (kind === undefined) {
    throw new MmdbError(
      path,
      `database type "${metadata.databaseType}" is not one of GeoIP2/GeoLite2 ${
        KIND_ORDER.join(", ")
      }`,
    );
  }
  const { Reader, Buffer } = loadNpm(path);
  let reader: NpmReader;
  try {
    const bytes = Deno.readFileSync(path);
    reader = new Reader(Buffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length), {
      cache: decoderCache(),
    });
  } catch (error) {
    throw new MmdbError(path, `the maxmind reader rejects it: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    path,
    databaseType: metadata.databaseType,
    kind,
    buildDate: buildDate(metadata),
    ipVersion: metadata.ipVersion,
    reader,
  };
}

/**
 * Open MaxMind databases as the offline provider `maxmind-db`. Each file is
 * read whole (the `maxmind` package needs a buffer). `version` lists
 * `<database_type> <build date>` per database.
 *
 * @throws {TypeError} when `paths` is empty.
 * @throws {MmdbError} naming the file when one is missing, corrupt, or not a
 * GeoIP2/GeoLite2 database; {@linkcode OfflineProvider.lookup} throws it
 * when a record cannot be decoded.
 */
export function openMaxmindDatabases(paths: readonly string[]): OfflineProvider {
  if (paths.length === 0) throw new TypeError("openMaxmindDatabases: give at least one .mmdb file");
  let databases: OpenDatabase[] = paths.map(openOne)
    .sort((a, b) => rank(a.kind, a.databaseType) - rank(b.kind, b.databaseType));
  const version = databases.map((d) => `${d.databaseType} ${d.buildDate}`).join("; ");
  const attribution = databases.some((d) => d.databaseType.startsWith("GeoLite2-"))
    ? "This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com"
    : undefined;
  return {
    name: "maxmind-db",
    kind: "offline",
    version,
    ...(attribution ? { attribution } : {}),
    lookup(ips: readonly string[]): Map<string, Derived | undefined> {
      if (databases.length === 0) throw new TypeError("the maxmind-db provider is closed");
      const out = new Map<string, Derived | undefined>();
      for (const ip of ips) {
        if (out.has(ip)) continue;
        const v4 = isIpv4(ip);
        if (!v4 && (ip.indexOf(":") === -1 || parseIpv6(ip) === undefined)) {
          out.set(ip, undefined);
          continue;
        }
        let columns: DerivedColumns | undefined;
        let prefix = -1;
        for (const db of databases) {
          if (!v4 && db.ipVersion === 4) continue;
          let data: unknown, prefixLength: number;
          try {
            [data, prefixLength] = db.reader.getWithPrefixLength(ip);
          } catch (error) {
            const reason = error instanceof RangeError && /call stack/i.test(error.message)
              ? "its data is nested too deeply or cyclic"
              : (error as Error).message;
            throw new MmdbError(db.path, `the record of ${ip} cannot be decoded: ${reason}`, {
              cause: error,
            });
          }
          // the answer holds for the intersection of the matched networks: the longest prefix
          if (prefixLength > prefix) prefix = prefixLength;
          if (data === null || data === undefined) continue;
          const found = geoip2Columns(data, db.kind);
          columns ??= {};
          for (const [column, value] of Object.entries(found) as [DetailColumn, DetailValue][]) {
            if (columns[column] === undefined) columns[column] = value;
          }
        }
        // Connection-Type and Domain records alone give no column: no answer
        const answered = columns !== undefined && Object.keys(columns).length > 0;
        out.set(ip, answered ? { columns: columns!, network: networkOf(ip, prefix) } : undefined);
      }
      return out;
    },
    close(): void {
      databases = [];
    },
  };
}
