/**
 * The default offline network provider: the AS number and organisation of an
 * address, from the CSV tables of `@ip-location-db/asn`
 * (`asn-ipv4-num.csv`: `start,end,asn,org` with numeric, sorted, inclusive
 * ranges; `asn-ipv6.csv`: the same with IPv6 text).
 *
 * The 21 MB IPv4 table is not parsed per run: the addresses are sorted and
 * searched together by byte offset, with block reads through the cache of
 * `mmdb.ts` ({@linkcode BlockFile}): probe the middle of the byte range, skip
 * to the next line start, parse the range start there, split the sorted
 * addresses on it, and recurse into both halves. Probes shared by many
 * addresses are read once.
 *
 * @example
 * ```ts
 * import { openAsnCsv } from "./asn_csv.ts";
 * const asn = openAsnCsv();
 * const answer = asn.lookup(["8.8.8.8"]).get("8.8.8.8");
 * // answer?.columns["traits.autonomous_system_number"] === 15169
 * asn.close();
 * ```
 *
 * @module
 */
import { PROJECT_ROOT } from "../paths.ts";
import { formatIpv6, parseIpv6 } from "../logs/ip.ts";
import { numberToIpv4 } from "./classify.ts";
import { BlockFile, type BlockFileOptions, ipv4Value } from "./mmdb.ts";
import type { Derived, DerivedColumns, OfflineProvider } from "./types.ts";

/** Where `deno install` puts the data package. */
export const ASN_CSV_DIRECTORY = `${PROJECT_ROOT}/node_modules/@ip-location-db/asn`;

/**
 * What users of the ASN columns should know (for the README and reports).
 */
export const ASN_CSV_CAVEAT =
  "The AS numbers and organisations of the `asn` provider come from the npm package " +
  "@ip-location-db/asn (RouteViews, the five RIRs and DB-IP, CC BY 4.0). Its README warns that " +
  "the data published to npm contains bugs that make some of it incorrect, and that updates " +
  "through npm are deprecated and will stop; corrected data is published in the GitHub releases " +
  "of sapics/ip-location-db. Treat these columns as indicative, and prefer your own MaxMind " +
  "GeoLite2/GeoIP2 ASN or ISP database (provider maxmind-db) or RDAP where accuracy matters.";

/** Attribution the data licence (CC BY 4.0) asks for. */
export const ASN_CSV_ATTRIBUTION =
  "ASN data: RouteViews, NRO (the five RIRs) and DB-IP (https://db-ip.com), CC BY 4.0, via @ip-location-db/asn";

/** Options of {@linkcode openAsnCsv}. */
export interface AsnCsvOptions extends BlockFileOptions {
  /**
   * The IPv4 table with numeric ranges.
   * @default {`${ASN_CSV_DIRECTORY}/asn-ipv4-num.csv`}
   */
  ipv4Path?: string;
  /**
   * The IPv6 table with text ranges, opened only for IPv6 lookups.
   * @default {`${ASN_CSV_DIRECTORY}/asn-ipv6.csv`}
   */
  ipv6Path?: string;
  /**
   * Build date to report as the version (`YYYY-MM-DD`).
   * @default {the date in the package version, `2.3.2026061719` → `2026-06-17`}
   */
  version?: string;
}

/** An ASN table that cannot be read or is not in the expected format. */
export class AsnCsvError extends Error {
  /** The table file. */
  readonly path: string;

  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot read ASN table ${path}: ${reason}`, options);
    this.name = "AsnCsvError";
    this.path = path;
  }
}

/** One row of the table. */
export interface AsnRange {
  /** First and last address of the range (inclusive), IPv4 as numbers, IPv6 as bigint. */
  start: number | bigint;
  end: number | bigint;
  asn: number;
  /** Organisation, or null when the row has none. */
  organization: string | null;
}

const NEWLINE = 10;
const COMMA = 44;
const QUOTE = 34;
const UTF8_LENIENT = new TextDecoder("utf-8");

/**
 * A sorted CSV range table searched in place. `V` is `number` for the
 * numeric IPv4 table, `bigint` for the IPv6 text table.
 */
class RangeTable<V extends number | bigint> {
  readonly #file: BlockFile;

  /** @param startAt reads the range bound (text up to the next comma) at a byte offset */
  constructor(file: BlockFile, readonly startAt: (file: BlockFile, pos: number) => V | undefined) {
    this.#file = file;
  }

  get reads(): number {
    return this.#file.reads;
  }

  get path(): string {
    return this.#file.path;
  }

  /** The start of the line after the one holding `pos` (or the file size). */
  #nextLine(pos: number): number {
    const newline = this.#file.indexOf(NEWLINE, pos);
    return newline === -1 ? this.#file.size : newline + 1;
  }

  /** The first line start at or after `pos`. */
  #lineAtOrAfter(pos: number): number {
    return pos === 0 ? 0 : this.#nextLine(pos - 1);
  }

  /** The range start of the line at `line`. */
  #startAt(line: number): V {
    const value = this.startAt(this.#file, line);
    if (value === undefined) {
      throw new AsnCsvError(this.path, `the line at byte ${line} does not start with a range`);
    }
    return value;
  }

  /** The whole row at `line`. */
  row(line: number): AsnRange {
    const cached = this.#rows.get(line);
    if (cached !== undefined) return cached;
    const f = this.#file;
    const start = this.#startAt(line);
    const comma1 = f.indexOf(COMMA, line);
    const comma2 = comma1 === -1 ? -1 : f.indexOf(COMMA, comma1 + 1);
    const comma3 = comma2 === -1 ? -1 : f.indexOf(COMMA, comma2 + 1);
    const end = comma1 === -1 ? undefined : this.startAt(f, comma1 + 1);
    const asn = comma2 === -1 ? undefined : decimalAt(f, comma2 + 1);
    if (end === undefined || comma3 === -1 || asn === undefined) {
      throw new AsnCsvError(
        this.path,
        `the line at byte ${line} is not start,end,asn,organisation`,
      );
    }
    const row = { start, end, asn, organization: this.#organization(comma3 + 1) };
    this.#rows.set(line, row);
    return row;
  }
  /** Rows parsed by this lookup, by line offset (clustered addresses share rows). */
  #rows = new Map<number, AsnRange>();

  /** The last CSV field, unquoted (`"LLC ""SPUTNIK"""` → `LLC "SPUTNIK"`). */
  #organization(pos: number): string | null {
    const f = this.#file;
    const newline = f.indexOf(NEWLINE, pos);
    let end = newline === -1 ? f.size : newline;
    if (end > pos && f.u8(end - 1) === 13) end--;
    if (end - pos > 1024) end = pos + 1024;
    let text = UTF8_LENIENT.decode(f.bytes(pos, end - pos));
    if (
      text.length >= 2 && text.charCodeAt(0) === QUOTE && text.charCodeAt(text.length - 1) === QUOTE
    ) {
      text = text.slice(1, -1).replaceAll('""', '"');
    }
    text = text.trim();
    return text.length > 0 ? text : null;
  }

  /**
   * The row whose range holds each of `targets` (sorted ascending), or
   * undefined: calls `found(index, row)` for each target with a row.
   */
  search(targets: readonly V[], found: (index: number, row: AsnRange) => void): void {
    const size = this.#file.size;
    this.#rows.clear();
    if (size === 0 || targets.length === 0) return;
    const first = this.#startAt(0);
    const from = lowerBound(targets, 0, targets.length, first);
    this.#search(targets, from, targets.length, 0, size, found);
  }

  /**
   * `targets[i..j)` all lie at or after the range start of the line at `lo`
   * and before that of the line at `hi` (or `hi` is the file size). Probes
   * bisect the bytes; a probe splits the targets, and each part is searched
   * on its side (the lower part recursively), so probes near the top are
   * shared by many targets.
   */
  #search(
    targets: readonly V[],
    i: number,
    j: number,
    lo: number,
    hi: number,
    found: (index: number, row: AsnRange) => void,
  ): void {
    while (i < j) {
      const next = this.#nextLine(lo);
      if (next >= hi) {
        const row = this.row(lo);
        for (let k = i; k < j; k++) if (targets[k] <= row.end) found(k, row);
        return;
      }
      let middle = this.#lineAtOrAfter(lo + Math.floor((hi - lo) / 2));
      if (middle >= hi || middle <= lo) middle = next;
      const k = lowerBound(targets, i, j, this.#startAt(middle));
      if (k > i) this.#search(targets, i, k, lo, middle, found);
      i = k;
      lo = middle;
    }
  }

  close(): void {
    this.#file.close();
  }
}

/** First index in `[i, j)` of the sorted `values` with `values[index] >= value`. */
function lowerBound<V extends number | bigint>(
  values: readonly V[],
  i: number,
  j: number,
  value: V,
): number {
  while (i < j) {
    const middle = (i + j) >>> 1;
    if (values[middle] < value) i = middle + 1;
    else j = middle;
  }
  return i;
}

/** The decimal number at `pos` (up to the comma), read from the file's bytes. */
function decimalAt(file: BlockFile, pos: number): number | undefined {
  const at = file.locate(pos, 11);
  if (at < 0) return parseDecimal(fieldText(file, pos));
  const buffer = file.buffer;
  let value = 0;
  for (let i = 0; i < 11; i++) {
    const d = buffer[at + i] - 48;
    if (d >= 0 && d <= 9) value = value * 10 + d;
    else return i > 0 && buffer[at + i] === COMMA ? value : undefined;
  }
  return undefined;
}

/** The text from `pos` to the next comma or line end (at most 64 characters). */
function fieldText(file: BlockFile, pos: number): string {
  let text = "";
  while (pos < file.size && text.length < 64) {
    const c = file.u8(pos++);
    if (c === COMMA || c === NEWLINE) break;
    text += String.fromCharCode(c);
  }
  return text;
}

function ipv6At(file: BlockFile, pos: number): bigint | undefined {
  return ipv6ToBigint(fieldText(file, pos));
}

function parseDecimal(text: string): number | undefined {
  if (text.length === 0 || text.length > 10) return undefined;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    value = value * 10 + d;
  }
  return value;
}

function ipv6ToBigint(text: string): bigint | undefined {
  const groups = parseIpv6(text);
  if (groups === undefined) return undefined;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

function bigintToIpv6(value: bigint): string {
  const groups = new Array<number>(8);
  for (let g = 7; g >= 0; g--) {
    groups[g] = Number(value & 0xffffn);
    value >>= 16n;
  }
  return formatIpv6(groups);
}

/**
 * The network of `ip` within the inclusive range `[start, end]`: the range
 * itself when it is one CIDR block, else the largest CIDR block that holds
 * `ip` and lies inside the range (the block of the range's CIDR decomposition
 * that covers `ip`), so that every address of it has the same answer.
 */
export function networkInRange(ip: number, start: number, end: number): string;
export function networkInRange(ip: bigint, start: bigint, end: bigint): string;
export function networkInRange(
  ip: number | bigint,
  start: number | bigint,
  end: number | bigint,
): string {
  if (typeof ip === "number") {
    for (let bits = 0; bits <= 32; bits++) {
      const size = 2 ** (32 - bits);
      const base = Math.floor(ip / size) * size;
      if (base >= (start as number) && base + size - 1 <= (end as number)) {
        return `${numberToIpv4(base)}/${bits}`;
      }
    }
    return `${numberToIpv4(ip)}/32`;
  }
  for (let bits = 0n; bits <= 128n; bits++) {
    const size = 1n << (128n - bits);
    const base = ip - (ip % size);
    if (base >= (start as bigint) && base + size - 1n <= (end as bigint)) {
      return `${bigintToIpv6(base)}/${bits}`;
    }
  }
  return `${bigintToIpv6(ip)}/128`;
}

/** IPv4 texts in numeric order, with their numbers. */
function sortIpv4(
  ips: readonly string[],
  numbers: readonly number[],
): { values: number[]; order: string[] } {
  const n = ips.length;
  const values = new Array<number>(n);
  const order = new Array<string>(n);
  if (n < 2097152) {
    // a typed-array sort of `address × 2^21 + index`: no comparator calls
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = numbers[i] * 2097152 + i;
    keys.sort();
    for (let i = 0; i < n; i++) {
      values[i] = Math.floor(keys[i] / 2097152);
      order[i] = ips[keys[i] % 2097152];
    }
    return { values, order };
  }
  const pairs = ips.map((ip, i) => ({ ip, value: numbers[i] })).sort((a, b) => a.value - b.value);
  for (let i = 0; i < n; i++) {
    values[i] = pairs[i].value;
    order[i] = pairs[i].ip;
  }
  return { values, order };
}

/** The range as CIDR text when it is exactly one CIDR block, else null. */
function singleCidr(row: AsnRange): string | null {
  if (typeof row.start === "number") {
    const size = (row.end as number) - row.start + 1;
    const bits = 32 - Math.log2(size);
    if (Number.isInteger(bits) && row.start % size === 0) {
      return `${numberToIpv4(row.start)}/${bits}`;
    }
    return null;
  }
  const size = (row.end as bigint) - row.start + 1n;
  if (size <= 0n || (size & (size - 1n)) !== 0n || row.start % size !== 0n) return null;
  return `${bigintToIpv6(row.start)}/${128 - (size.toString(2).length - 1)}`;
}

/** `2.3.2026061719` → `2026-06-17`, or undefined. */
function versionDate(version: string): string | undefined {
  const last = version.slice(version.lastIndexOf(".") + 1);
  if (last.length < 8 || parseDecimal(last.slice(0, 8)) === undefined) return undefined;
  return `${last.slice(0, 4)}-${last.slice(4, 6)}-${last.slice(6, 8)}`;
}

function packageDate(directory: string, tablePath: string): string {
  try {
    const meta = JSON.parse(Deno.readTextFileSync(`${directory}/package.json`));
    const date = typeof meta.version === "string" ? versionDate(meta.version) : undefined;
    if (date !== undefined) return date;
  } catch {
    // fall back to the file date
  }
  try {
    const mtime = Deno.statSync(tablePath).mtime;
    if (mtime) return mtime.toISOString().slice(0, 10);
  } catch {
    // reported when the table is opened
  }
  return "unknown";
}

function openTable<V extends number | bigint>(
  path: string,
  options: BlockFileOptions,
  startAt: (file: BlockFile, pos: number) => V | undefined,
): RangeTable<V> {
  try {
    return new RangeTable(new BlockFile(path, options), startAt);
  } catch (error) {
    if (error instanceof RangeError) throw error;
    const reason = error instanceof Deno.errors.NotFound
      ? "the ASN table is missing: run `deno install` in the project (it comes with @ip-location-db/asn)"
      : (error as Error).message;
    throw new AsnCsvError(path, reason, { cause: error });
  }
}

/**
 * Open the ASN tables as the offline provider `asn`. The IPv6 table is opened
 * on the first IPv6 lookup. Columns: `traits.autonomous_system_number`,
 * `traits.autonomous_system_organization`; `network` per
 * {@linkcode networkInRange}. The addresses of one range share one `Derived`
 * object: treat answers as read-only. See {@linkcode ASN_CSV_CAVEAT}.
 *
 * @throws {AsnCsvError} when the IPv4 table is missing (`run deno install`);
 * {@linkcode OfflineProvider.lookup} throws it for a malformed table.
 */
export function openAsnCsv(options: AsnCsvOptions = {}): OfflineProvider {
  const ipv4Path = options.ipv4Path ?? `${ASN_CSV_DIRECTORY}/asn-ipv4-num.csv`;
  const ipv6Path = options.ipv6Path ?? `${ASN_CSV_DIRECTORY}/asn-ipv6.csv`;
  const cache: BlockFileOptions = {};
  if (options.blockSize !== undefined) cache.blockSize = options.blockSize;
  if (options.cacheBytes !== undefined) cache.cacheBytes = options.cacheBytes;
  let v4: RangeTable<number> | undefined = openTable(ipv4Path, cache, decimalAt);
  let v6: RangeTable<bigint> | undefined;
  const version = options.version ??
    packageDate(ipv4Path.slice(0, ipv4Path.lastIndexOf("/")), ipv4Path);
  /** Columns and single CIDR (or null) per row, shared by the addresses in it. */
  const derived = new Map<
    AsnRange,
    { columns: DerivedColumns; cidr: string | null; whole: Derived | null } | null
  >();
  const answer = (row: AsnRange, ip: number | bigint): Derived | undefined => {
    let shared = derived.get(row);
    if (shared === undefined) {
      // AS 0 is "not routed"/unknown: no answer, not a number
      if (!(row.asn > 0)) shared = null;
      else {
        const columns: DerivedColumns = { "traits.autonomous_system_number": row.asn };
        if (row.organization !== null) {
          columns["traits.autonomous_system_organization"] = row.organization;
        }
        const cidr = singleCidr(row);
        // a range that is one CIDR has one answer for all its addresses
        shared = { columns, cidr, whole: cidr === null ? null : { columns, network: cidr } };
      }
      derived.set(row, shared);
    }
    if (shared === null) return undefined;
    if (shared.whole !== null) return shared.whole;
    const network = typeof ip === "number"
      ? networkInRange(ip, row.start as number, row.end as number)
      : networkInRange(ip, row.start as bigint, row.end as bigint);
    return { columns: shared.columns, network };
  };
  return {
    name: "asn",
    kind: "offline",
    version,
    attribution: ASN_CSV_ATTRIBUTION,
    lookup(ips: readonly string[]): Map<string, Derived | undefined> {
      if (v4 === undefined) throw new TypeError("the asn provider is closed");
      const ipv4: string[] = [];
      const ipv4Values: number[] = [];
      const ipv6: { ip: string; value: bigint }[] = [];
      for (const ip of ips) {
        const value = ipv4Value(ip);
        if (value >= 0) {
          ipv4.push(ip);
          ipv4Values.push(value);
        } else if (ip.indexOf(":") !== -1) {
          const value = ipv6ToBigint(ip);
          if (value !== undefined) ipv6.push({ ip, value });
        }
      }
      derived.clear();
      const answers = new Map<string, Derived>();
      if (ipv4.length > 0) {
        const { values, order } = sortIpv4(ipv4, ipv4Values);
        v4.search(values, (index, row) => {
          const found = answer(row, values[index]);
          if (found !== undefined) answers.set(order[index], found);
        });
      }
      if (ipv6.length > 0) {
        v6 ??= openTable(ipv6Path, cache, ipv6At);
        ipv6.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
        const values = ipv6.map((x) => x.value);
        v6.search(values, (index, row) => {
          const found = answer(row, values[index]);
          if (found !== undefined) answers.set(ipv6[index].ip, found);
        });
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
