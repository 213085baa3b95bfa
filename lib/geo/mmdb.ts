/**
 * A MaxMind DB (`.mmdb`) reader that does not load the file.
 *
 * Reading a 60–70 MB database into memory costs more than the lookups a run
 * needs (5,000 random addresses touch about 6,000 of its 4 KiB blocks, the
 * addresses of a real log far fewer), so this reader opens the file, reads
 * the metadata from its tail, and then walks the search tree and decodes data
 * records with positioned reads through a small block cache
 * ({@linkcode BlockFile}, 256 KiB by default). {@linkcode MmdbReader.lookupAll}
 * and {@linkcode MmdbReader.getMany} visit the addresses in sorted order and
 * resume each tree walk where it parts from the previous address, so the
 * upper tree levels are read once and the file is read front to back.
 * Decoded records are kept by offset (up to 200,000 values), so the addresses
 * of one city or network decode their record once.
 *
 * Format: MaxMind DB File Format Specification 2.0
 * (https://maxmind.github.io/MaxMind-DB/). All data types are decoded:
 * pointer, UTF-8 string, double, bytes, uint16/32/64/128 (64 and 128 bits as
 * `bigint`), int32, map (plain object), array, boolean, float; record sizes
 * 24, 28 and 32; IPv4 lookups in IPv6 trees through the `::/96` subtree. The
 * values equal those of the `maxmind` npm package (bytes as `Uint8Array`).
 *
 * Corrupt files fail with an {@linkcode MmdbError} naming the file, never a
 * hang or a crash: every offset is bounds-checked against its section, a
 * pointer may not point to a pointer, data may nest at most 512 levels (as in
 * libmaxminddb), pointer targets are decoded once (so shared sub-structures
 * cannot blow up), and a tree walk stops after the address's last bit.
 *
 * @example
 * ```ts
 * import { MmdbReader } from "./mmdb.ts";
 * const reader = MmdbReader.open("tests/fixtures/maxmind/test-data/GeoIP2-City-Test.mmdb");
 * const found = reader.get("81.2.69.160");
 * // found?.network === "81.2.69.160/27", found?.data.city.names.en === "London"
 * reader.close();
 * ```
 *
 * @module
 */
import { formatIpv6, parseIpv6 } from "../logs/ip.ts";
import { numberToIpv4 } from "./classify.ts";

/**
 * A MaxMind DB file that cannot be opened or is corrupt. The message names the
 * file: `Cannot read MaxMind DB /path/x.mmdb: pointer at byte 123 points to
 * another pointer`.
 */
export class MmdbError extends Error {
  /** The database file. */
  readonly path: string;
  /** Byte offset in the file where the problem was found, when known. */
  readonly offset?: number;

  constructor(path: string, reason: string, options?: ErrorOptions & { offset?: number }) {
    super(`Cannot read MaxMind DB ${path}: ${reason}`, options);
    this.name = "MmdbError";
    this.path = path;
    if (options?.offset !== undefined) this.offset = options.offset;
  }
}

/** The metadata of a MaxMind DB file (the spec's keys, in camelCase). */
export interface MmdbMetadata {
  /** Number of nodes in the search tree. */
  nodeCount: number;
  /** Bits per record: 24, 28 or 32. */
  recordSize: 24 | 28 | 32;
  /** 4: IPv4 addresses only; 6: IPv6 (and IPv4 through `::/96`). */
  ipVersion: 4 | 6;
  /** Structure of the data records, e.g. `GeoIP2-City`. */
  databaseType: string;
  /** Locales the records may have names in. */
  languages: string[];
  binaryFormatMajorVersion: number;
  binaryFormatMinorVersion: number;
  /** Build time, seconds since the Unix epoch. */
  buildEpoch: number;
  /** Description by locale. */
  description: Record<string, string>;
}

/** What the database says about one address. */
export interface MmdbResult<T = unknown> {
  /** The decoded record. Shared between results: treat it as read-only. */
  data: T;
  /**
   * Prefix length of the matched network (the tree depth where the record was
   * found). For IPv4 addresses it counts IPv4 bits, also in IPv6 trees.
   */
  prefixLength: number;
  /** The matched network as CIDR text, e.g. `81.2.69.160/27`. */
  network: string;
}

/** One network of the search tree, from {@linkcode MmdbReader.networks}. */
export interface MmdbNetwork<T = unknown> {
  /** CIDR text; networks under `::/96` of an IPv6 tree are written as IPv4. */
  network: string;
  /** The first address of the network (IPv4 text for the `::/96` networks). */
  address: string;
  /** Prefix length as in {@linkcode MmdbResult.prefixLength}. */
  prefixLength: number;
  data: T;
}

/** Options of {@linkcode MmdbReader.open} and {@linkcode BlockFile}. */
export interface BlockFileOptions {
  /**
   * Bytes per cached block (a power of two, at least 512).
   * @default {4096}
   */
  blockSize?: number;
  /**
   * Most bytes of the file kept in memory at once (least recently used blocks
   * are dropped first). Lookups in sorted order move forward through the
   * file, so a small cache is enough, and a cache that fits in the CPU's L2
   * cache makes each block read 2–3 times cheaper than a 4 MiB one (measured:
   * 1.7 µs against 4–5 µs per 4 KiB read), more than paying for the extra
   * reads.
   * @default {262144} (256 KiB)
   */
  cacheBytes?: number;
}

/** Options of {@linkcode MmdbReader.open}. */
export type MmdbOpenOptions = BlockFileOptions;

const DEFAULT_BLOCK_SIZE = 4096;
const DEFAULT_CACHE_BYTES = 256 * 1024;
/** `\xAB\xCD\xEFMaxMind.com`: the metadata starts after its last occurrence. */
const METADATA_MARKER = [0xab, 0xcd, 0xef, ...new TextEncoder().encode("MaxMind.com")];
const METADATA_MAX_BYTES = 128 * 1024;
const DATA_SECTION_SEPARATOR = 16;
/** Deepest nesting of maps, arrays and pointers (libmaxminddb's limit). */
const MAX_DATA_DEPTH = 512;
const EMPTY = new Uint8Array(0);
/** Decoded values kept for reuse (records, strings and maps pointed to). */
const MEMO_LIMIT = 200_000;

/**
 * Positioned reads of a file through a cache of fixed-size blocks: a block is
 * read (one seek and one read) the first time a byte of it is needed and kept
 * in a fixed arena until the CLOCK policy (an approximation of least recently
 * used) needs its slot. Shared by the MaxMind DB reader and the ASN CSV reader
 * (`asn_csv.ts`).
 *
 * `Deno.FsFile` (seek, then read) rather than `node:fs`
 * `readSync(fd, buf, 0, n, position)` (one `pread`): the extra seek costs a
 * microsecond or two per block (none when blocks are read in a row), while
 * importing `node:fs` costs 20–30 ms and 7 MB of RSS in a fresh process —
 * more than all the seeks of 5,000 lookups.
 */
export class BlockFile {
  /** The file. */
  readonly path: string;
  /** File size in bytes. */
  readonly size: number;
  /** Bytes per block. */
  readonly blockSize: number;
  /** Reads from the file so far (a block or a preloaded range each). */
  reads = 0;
  #file: Deno.FsFile | undefined;
  /** Where the file's offset is, -1 when unknown. */
  #position = -1;
  #capacity: number;
  #arena: Uint8Array = EMPTY;
  /** Block index → arena slot + 1 (0: not cached). */
  #slotOf: Int32Array;
  /** Arena slot → block index. */
  #blockOf: Int32Array;
  #referenced: Uint8Array;
  #used = 0;
  #hand = 0;
  /** A range read by {@linkcode BlockFile.preload}, kept for good. */
  #pinned: Uint8Array = EMPTY;
  #pinnedStart = 0;
  // The window: file bytes [#low, #high) are at buffer[offset + #delta]
  // (the arena or the pinned range). Most reads hit it.
  #buffer: Uint8Array = EMPTY;
  #low = 0;
  #high = 0;
  #delta = 0;

  /**
   * Open `path` for reading.
   *
   * @throws {Deno.errors.NotFound} and the like when the file cannot be
   * opened, a `TypeError` when it is not a regular file, a `RangeError` for
   * a bad option.
   */
  constructor(path: string, options: BlockFileOptions = {}) {
    const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    const cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
    if (!(blockSize >= 512 && (blockSize & (blockSize - 1)) === 0)) {
      throw new RangeError(`blockSize must be a power of two of at least 512, not ${blockSize}`);
    }
    if (!(cacheBytes >= blockSize * 4)) {
      throw new RangeError(`cacheBytes must hold at least 4 blocks, not ${cacheBytes}`);
    }
    this.path = path;
    this.blockSize = blockSize;
    this.#file = Deno.openSync(path, { read: true });
    try {
      const stat = this.#file.statSync();
      if (!stat.isFile) throw new TypeError(`${path} is not a regular file`);
      this.size = stat.size;
    } catch (error) {
      this.#file.close();
      throw error;
    }
    const blocks = Math.ceil(this.size / blockSize);
    this.#capacity = Math.max(1, Math.min(blocks, Math.floor(cacheBytes / blockSize)));
    this.#slotOf = new Int32Array(blocks);
    this.#blockOf = new Int32Array(this.#capacity);
    this.#referenced = new Uint8Array(this.#capacity);
  }

  /** The byte at `offset`. @throws {RangeError} outside the file. */
  u8(offset: number): number {
    if (offset >= this.#low && offset < this.#high) return this.#buffer[offset + this.#delta];
    this.#moveWindow(offset);
    return this.#buffer[offset + this.#delta];
  }

  /**
   * Where the bytes `[offset, offset + length)` are in {@linkcode buffer}, or
   * -1 when they cross a block boundary (use {@linkcode bytes} then). Valid
   * until the next read.
   *
   * @throws {RangeError} outside the file.
   */
  locate(offset: number, length: number): number {
    if (!(offset >= this.#low && offset + length <= this.#high)) {
      this.#moveWindow(offset);
      if (offset + length > this.#high) return -1;
    }
    return offset + this.#delta;
  }

  /** The array {@linkcode locate} indexes into. */
  get buffer(): Uint8Array {
    return this.#buffer;
  }

  /**
   * The offset of the first byte equal to `value` at or after `from`, or -1
   * when there is none before the end of the file.
   */
  indexOf(value: number, from: number): number {
    while (from < this.size) {
      if (!(from >= this.#low && from < this.#high)) this.#moveWindow(from);
      const buffer = this.#buffer;
      const delta = this.#delta;
      const limit = this.#high + delta;
      for (let i = from + delta; i < limit; i++) if (buffer[i] === value) return i - delta;
      from = this.#high;
    }
    return -1;
  }

  /** Make the window hold `offset`. */
  #moveWindow(offset: number): void {
    if (!(offset >= 0 && offset < this.size)) {
      throw new RangeError(`read at byte ${offset} is outside the file (${this.size} bytes)`);
    }
    const pinnedRel = offset - this.#pinnedStart;
    if (pinnedRel >= 0 && pinnedRel < this.#pinned.length) {
      this.#buffer = this.#pinned;
      this.#low = this.#pinnedStart;
      this.#high = this.#pinnedStart + this.#pinned.length;
      this.#delta = -this.#pinnedStart;
      return;
    }
    const bs = this.blockSize;
    const index = Math.floor(offset / bs);
    let slot = this.#slotOf[index] - 1;
    if (slot < 0) slot = this.#load(index);
    this.#referenced[slot] = 1;
    const start = index * bs;
    this.#buffer = this.#arena;
    this.#low = start;
    this.#high = Math.min(start + bs, this.size);
    this.#delta = slot * bs - start;
  }

  /**
   * A copy of the `length` bytes from `offset`.
   *
   * @throws {RangeError} outside the file.
   */
  bytes(offset: number, length: number): Uint8Array {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.size)) {
      throw new RangeError(
        `read of ${length} bytes at ${offset} is outside the file (${this.size} bytes)`,
      );
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const at = offset + done;
      if (!(at >= this.#low && at < this.#high)) this.#moveWindow(at);
      const take = Math.min(this.#high - at, length - done);
      out.set(this.#buffer.subarray(at + this.#delta, at + this.#delta + take), done);
      done += take;
    }
    return out;
  }

  /**
   * Read `[offset, offset + length)` with one read and keep it in memory for
   * good (replacing an earlier preload); returns the bytes.
   */
  preload(offset: number, length: number): Uint8Array {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.size)) {
      throw new RangeError(
        `preload of ${length} bytes at ${offset} is outside the file (${this.size} bytes)`,
      );
    }
    const buffer = new Uint8Array(length);
    this.#readFully(buffer, offset);
    this.#pinned = buffer;
    this.#pinnedStart = offset;
    this.#low = this.#high = 0;
    return buffer;
  }

  /** Read block `index` into a free or reclaimed slot; returns the slot. */
  #load(index: number): number {
    const bs = this.blockSize;
    let slot: number;
    if (this.#used < this.#capacity) {
      if (this.#arena.length === 0) this.#arena = new Uint8Array(this.#capacity * bs);
      slot = this.#used++;
    } else {
      const referenced = this.#referenced;
      while (referenced[this.#hand] === 1) {
        referenced[this.#hand] = 0;
        this.#hand = (this.#hand + 1) % this.#capacity;
      }
      slot = this.#hand;
      this.#hand = (this.#hand + 1) % this.#capacity;
      this.#slotOf[this.#blockOf[slot]] = 0;
    }
    const position = index * bs;
    const length = Math.min(bs, this.size - position);
    this.#readFully(this.#arena.subarray(slot * bs, slot * bs + length), position);
    this.#slotOf[index] = slot + 1;
    this.#blockOf[slot] = index;
    return slot;
  }

  #readFully(buffer: Uint8Array, position: number): void {
    const file = this.#file;
    if (file === undefined) throw new RangeError(`${this.path} is closed`);
    // a read right after the previous one needs no seek
    if (position !== this.#position) file.seekSync(position, Deno.SeekMode.Start);
    this.#position = -1;
    let done = 0;
    while (done < buffer.length) {
      const n = file.readSync(done === 0 ? buffer : buffer.subarray(done));
      if (n === null || n <= 0) {
        throw new RangeError(`the file ended at byte ${position + done} (did it change?)`);
      }
      done += n;
    }
    this.#position = position + done;
    this.reads++;
  }

  /** Close the file and drop the cache. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
    this.#arena = this.#pinned = this.#buffer = EMPTY;
    this.#low = this.#high = 0;
    this.#slotOf = new Int32Array(0);
    this.#used = 0;
  }
}

/** Thrown inside the decoder; turned into an {@linkcode MmdbError} with the path. */
class CorruptData extends Error {
  constructor(message: string, readonly offset?: number) {
    super(message);
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const SHORT_STRING = 48;
/** `CHAR_CODES[n]` is an array of length n, reused to build short ASCII strings. */
const CHAR_CODES: number[][] = Array.from(
  { length: SHORT_STRING + 1 },
  (_, n) => new Array<number>(n).fill(0),
);
const SCRATCH = new DataView(new ArrayBuffer(8));

/** Decodes the data format from one section of a {@linkcode BlockFile}. */
class Decoder {
  /** Read position (absolute file offset). */
  pos = 0;
  /** Decoded pointer targets and records by offset. */
  readonly memo = new Map<number, unknown>();

  /**
   * @param sectionStart pointers count from here
   * @param sectionEnd no byte at or after this belongs to the section
   */
  constructor(
    readonly file: BlockFile,
    readonly sectionStart: number,
    readonly sectionEnd: number,
  ) {}

  /** The value at `offset` (memoized). */
  valueAt(offset: number): unknown {
    const cached = this.memo.get(offset);
    if (cached !== undefined) return cached;
    if (!(offset >= this.sectionStart && offset < this.sectionEnd)) {
      throw new CorruptData(`data offset ${offset} lies outside the data section`, offset);
    }
    // bound the memory of long runs; never cleared inside one record, which
    // keeps shared sub-structures linear
    if (this.memo.size > MEMO_LIMIT) this.memo.clear();
    this.pos = offset;
    const value = this.#value(0);
    this.memo.set(offset, value);
    return value;
  }

  #byte(): number {
    if (this.pos >= this.sectionEnd) {
      throw new CorruptData(`data runs past the end of its section at byte ${this.pos}`, this.pos);
    }
    return this.file.u8(this.pos++);
  }

  #need(size: number, what: string, start: number): void {
    if (size > this.sectionEnd - this.pos) {
      throw new CorruptData(
        `${what} of ${size} bytes at byte ${start} runs past the end of its section`,
        start,
      );
    }
  }

  #value(depth: number): unknown {
    if (depth > MAX_DATA_DEPTH) {
      throw new CorruptData(
        `data nested more than ${MAX_DATA_DEPTH} levels deep at byte ${this.pos}`,
        this.pos,
      );
    }
    const start = this.pos;
    const control = this.#byte();
    let type = control >>> 5;
    if (type === 1) return this.#pointer(control, start, depth);
    if (type === 0) {
      const extended = this.#byte();
      if (extended < 1 || extended > 8) {
        throw new CorruptData(`invalid extended type ${7 + extended} at byte ${start}`, start);
      }
      type = 7 + extended;
    }
    let size = control & 31;
    if (size === 29) size = 29 + this.#byte();
    else if (size === 30) size = 285 + this.#byte() * 256 + this.#byte();
    else if (size === 31) size = 65821 + this.#byte() * 65536 + this.#byte() * 256 + this.#byte();
    switch (type) {
      case 2:
        return this.#string(size, start);
      case 7:
        return this.#map(size, start, depth);
      case 3:
        if (size !== 8) {
          throw new CorruptData(`double of ${size} bytes at byte ${start} (must be 8)`, start);
        }
        return this.#float(8, start);
      case 15:
        if (size !== 4) {
          throw new CorruptData(`float of ${size} bytes at byte ${start} (must be 4)`, start);
        }
        return this.#float(4, start);
      case 5:
        return this.#uint(size, 2, "uint16", start);
      case 6:
        return this.#uint(size, 4, "uint32", start);
      case 8: {
        const value = this.#uint(size, 4, "int32", start);
        return size === 4 && value > 0x7fffffff ? value - 0x100000000 : value;
      }
      case 9:
        return this.#bigUint(size, 8, "uint64", start);
      case 10:
        return this.#bigUint(size, 16, "uint128", start);
      case 11:
        return this.#array(size, start, depth);
      case 14:
        if (size > 1) throw new CorruptData(`boolean of value ${size} at byte ${start}`, start);
        return size === 1;
      case 4: {
        this.#need(size, "bytes", start);
        const bytes = this.file.bytes(this.pos, size);
        this.pos += size;
        return bytes;
      }
      default:
        throw new CorruptData(`unexpected data type ${type} at byte ${start}`, start);
    }
  }

  #pointer(control: number, start: number, depth: number): unknown {
    const sizeBits = (control >>> 3) & 3;
    let value: number;
    if (sizeBits === 0) value = (control & 7) * 256 + this.#byte();
    else if (sizeBits === 1) {
      value = 2048 + (control & 7) * 65536 + this.#byte() * 256 + this.#byte();
    } else if (sizeBits === 2) {
      value = 526336 + (control & 7) * 16777216 + this.#byte() * 65536 + this.#byte() * 256 +
        this.#byte();
    } else {value = this.#byte() * 16777216 + this.#byte() * 65536 + this.#byte() * 256 +
        this.#byte();}
    const target = this.sectionStart + value;
    const after = this.pos;
    let result = this.memo.get(target);
    if (result === undefined) {
      if (target >= this.sectionEnd) {
        throw new CorruptData(`pointer at byte ${start} points past the end of its section`, start);
      }
      if (this.file.u8(target) >>> 5 === 1) {
        throw new CorruptData(`pointer at byte ${start} points to another pointer`, start);
      }
      this.pos = target;
      result = this.#value(depth + 1);
      this.memo.set(target, result);
    }
    this.pos = after;
    return result;
  }

  #string(size: number, start: number): string {
    if (size === 0) return "";
    this.#need(size, "string", start);
    const file = this.file;
    const at = file.locate(this.pos, size);
    this.pos += size;
    if (at >= 0 && size <= SHORT_STRING) {
      // ASCII, the common case: character codes into a reused array, one
      // string built from it (no intermediate strings, no views, no op call)
      const buffer = file.buffer;
      const codes = CHAR_CODES[size];
      let i = 0;
      for (; i < size; i++) {
        const b = buffer[at + i];
        if (b >= 0x80) break;
        codes[i] = b;
      }
      if (i === size) return String.fromCharCode.apply(null, codes);
    }
    const bytes = at >= 0 ? file.buffer.subarray(at, at + size) : file.bytes(this.pos - size, size);
    try {
      return UTF8.decode(bytes);
    } catch {
      throw new CorruptData(`invalid UTF-8 in the string at byte ${start}`, start);
    }
  }

  #float(size: 4 | 8, start: number): number {
    this.#need(size, "number", start);
    for (let i = 0; i < size; i++) SCRATCH.setUint8(i, this.file.u8(this.pos++));
    return size === 8 ? SCRATCH.getFloat64(0) : SCRATCH.getFloat32(0);
  }

  #uint(size: number, max: number, what: string, start: number): number {
    if (size > max) throw new CorruptData(`${what} of ${size} bytes at byte ${start}`, start);
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + this.#byte();
    return value;
  }

  #bigUint(size: number, max: number, what: string, start: number): bigint {
    if (size > max) throw new CorruptData(`${what} of ${size} bytes at byte ${start}`, start);
    let value = 0n;
    for (let i = 0; i < size; i++) value = (value << 8n) | BigInt(this.#byte());
    return value;
  }

  #map(size: number, start: number, depth: number): Record<string, unknown> {
    // every entry takes at least two bytes: a corrupt size fails here, not after a long loop
    this.#need(size * 2, "map", start);
    const map: Record<string, unknown> = {};
    for (let i = 0; i < size; i++) {
      const keyAt = this.pos;
      const key = this.#value(depth + 1);
      if (typeof key !== "string") {
        throw new CorruptData(`map key at byte ${keyAt} is not a string`, keyAt);
      }
      const value = this.#value(depth + 1);
      if (key === "__proto__") {
        Object.defineProperty(map, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else map[key] = value;
    }
    return map;
  }

  #array(size: number, start: number, depth: number): unknown[] {
    this.#need(size, "array", start);
    const array = new Array<unknown>(size);
    for (let i = 0; i < size; i++) array[i] = this.#value(depth + 1);
    return array;
  }
}

/** An address as 4 unsigned 32-bit words (IPv4: word 0 only). */
interface ParsedIp {
  text: string;
  /** Position in the caller's list. */
  index: number;
  v6: boolean;
  w0: number;
  w1: number;
  w2: number;
  w3: number;
}

/**
 * The number of a dotted-quad IPv4 address, or -1 when `text` is not one
 * (validation and conversion in one pass).
 */
export function ipv4Value(text: string): number {
  let value = 0, part = 0, digits = 0, dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + part;
      part = digits = 0;
      dots++;
    } else return -1;
  }
  return dots === 3 && digits > 0 ? value * 256 + part : -1;
}

function parseAddress(text: string, index: number): ParsedIp | undefined {
  if (text.indexOf(":") === -1) {
    const value = ipv4Value(text);
    if (value < 0) return undefined;
    return { text, index, v6: false, w0: value, w1: 0, w2: 0, w3: 0 };
  }
  const g = parseIpv6(text);
  if (g === undefined) return undefined;
  return {
    text,
    index,
    v6: true,
    w0: g[0] * 65536 + g[1],
    w1: g[2] * 65536 + g[3],
    w2: g[4] * 65536 + g[5],
    w3: g[6] * 65536 + g[7],
  };
}

function wordOf(ip: ParsedIp, index: number): number {
  return index === 0 ? ip.w0 : index === 1 ? ip.w1 : index === 2 ? ip.w2 : ip.w3;
}

/** Bits `a` and `b` share from the top, up to `bits`. */
function commonPrefix(a: ParsedIp, b: ParsedIp, bits: number): number {
  for (let w = 0; w * 32 < bits; w++) {
    const x = (wordOf(a, w) ^ wordOf(b, w)) >>> 0;
    if (x !== 0) return Math.min(bits, w * 32 + Math.clz32(x));
  }
  return bits;
}

function compareIps(a: ParsedIp, b: ParsedIp): number {
  return a.w0 - b.w0 || a.w1 - b.w1 || a.w2 - b.w2 || a.w3 - b.w3;
}

/** IPv4 addresses in numeric order: a typed-array sort of `number × 2^20 + index`. */
function sortIpv4(ips: ParsedIp[]): ParsedIp[] {
  if (ips.length >= 2 ** 20) return ips.sort(compareIps);
  const keys = new Float64Array(ips.length);
  for (let i = 0; i < ips.length; i++) keys[i] = ips[i].w0 * 1048576 + i;
  keys.sort();
  const sorted = new Array<ParsedIp>(ips.length);
  for (let i = 0; i < ips.length; i++) sorted[i] = ips[keys[i] % 1048576];
  return sorted;
}

function maskWord(word: number, bitsInWord: number): number {
  if (bitsInWord <= 0) return 0;
  if (bitsInWord >= 32) return word;
  return (word - (word % 2 ** (32 - bitsInWord)));
}

function formatV6Words(w: readonly number[]): string {
  const groups = [];
  for (const word of w) groups.push(Math.floor(word / 65536), word % 65536);
  return formatIpv6(groups);
}

/**
 * A MaxMind DB opened for lookups. Not thread-safe; one instance per file.
 */
export class MmdbReader {
  /** The database file. */
  readonly path: string;
  /** Its metadata. */
  readonly metadata: MmdbMetadata;
  readonly #file: BlockFile;
  readonly #data: Decoder;
  readonly #nodeCount: number;
  readonly #nodeBytes: number;
  readonly #dataStart: number;
  readonly #dataEnd: number;
  #ipv4Start = -1;
  // the tree path of the previous lookup, for resuming in getMany
  readonly #path = new Float64Array(129);

  private constructor(file: BlockFile, metadata: MmdbMetadata, dataStart: number, dataEnd: number) {
    this.path = file.path;
    this.#file = file;
    this.metadata = metadata;
    this.#nodeCount = metadata.nodeCount;
    this.#nodeBytes = metadata.recordSize / 4;
    this.#dataStart = dataStart;
    this.#dataEnd = dataEnd;
    this.#data = new Decoder(file, dataStart, dataEnd);
  }

  /**
   * Open a database: reads only the metadata (the file's last 128 KiB).
   *
   * @throws {MmdbError} when the file cannot be read or is not a valid
   * MaxMind DB (`Cannot read MaxMind DB /path: …`).
   */
  static open(path: string, options: MmdbOpenOptions = {}): MmdbReader {
    let file: BlockFile;
    try {
      file = new BlockFile(path, options);
    } catch (error) {
      if (error instanceof RangeError) throw error;
      throw new MmdbError(path, (error as Error).message, { cause: error });
    }
    try {
      const tailStart = Math.max(0, file.size - METADATA_MAX_BYTES);
      const tail = file.preload(tailStart, file.size - tailStart);
      const marker = lastIndexOf(tail, METADATA_MARKER);
      if (marker === -1) {
        throw new CorruptData(
          "no metadata marker (\\xAB\\xCD\\xEFMaxMind.com) in its last 128 KiB: not a MaxMind DB file",
        );
      }
      const markerAt = tailStart + marker;
      const metaStart = markerAt + METADATA_MARKER.length;
      if (metaStart >= file.size) throw new CorruptData("nothing follows its metadata marker");
      const raw = new Decoder(file, metaStart, file.size).valueAt(metaStart);
      const metadata = checkMetadata(raw);
      const treeSize = metadata.nodeCount * metadata.recordSize / 4;
      const dataStart = treeSize + DATA_SECTION_SEPARATOR;
      if (dataStart > markerAt) {
        throw new CorruptData(
          `its search tree (node_count ${metadata.nodeCount} × ${
            metadata.recordSize / 4
          } bytes) is larger than the file`,
        );
      }
      return new MmdbReader(file, metadata, dataStart, markerAt);
    } catch (error) {
      file.close();
      throw wrap(path, error);
    }
  }

  /** Reads from the file so far (a block, or the metadata tail, each). */
  get blockReads(): number {
    return this.#file.reads;
  }

  /**
   * Look up one address. `undefined` when the database has no record for it,
   * or when an IPv6 address is looked up in an IPv4-only database (an
   * IPv4-mapped `::ffff:a.b.c.d` is looked up as IPv4 there).
   *
   * @throws {TypeError} when `ip` is not an IP address.
   * @throws {MmdbError} when the database is corrupt.
   */
  get<T = unknown>(ip: string): MmdbResult<T> | undefined {
    return this.getMany<T>([ip]).get(ip);
  }

  /**
   * Look up many addresses, in sorted order for locality.
   *
   * @throws {TypeError} when one of `ips` is not an IP address.
   * @throws {MmdbError} when the database is corrupt.
   */
  getMany<T = unknown>(ips: Iterable<string>): Map<string, MmdbResult<T> | undefined> {
    const list = Array.isArray(ips) ? ips as readonly string[] : [...ips];
    const found = this.lookupAll<T>(list);
    const results = new Map<string, MmdbResult<T> | undefined>();
    for (let i = 0; i < list.length; i++) results.set(list[i], found[i]);
    return results;
  }

  /**
   * Look up many addresses, in sorted order for locality; the answers in the
   * order of `ips` (no `Map` to build when the caller has its own). Addresses
   * in the same network share one result object.
   *
   * @throws {TypeError} when one of `ips` is not an IP address, unless
   * `options.skipInvalid` (then its answer is undefined).
   * @throws {MmdbError} when the database is corrupt.
   */
  lookupAll<T = unknown>(
    ips: readonly string[],
    options: { skipInvalid?: boolean } = {},
  ): (MmdbResult<T> | undefined)[] {
    const results = new Array<MmdbResult<T> | undefined>(ips.length).fill(undefined);
    const v4: ParsedIp[] = [];
    const v6: ParsedIp[] = [];
    for (let i = 0; i < ips.length; i++) {
      const text = ips[i];
      const parsed = parseAddress(text, i);
      if (parsed === undefined) {
        if (options.skipInvalid) continue;
        throw new TypeError(
          `Cannot look up "${String(text).slice(0, 60)}" in ${this.path}: not an IP address`,
        );
      }
      if (parsed.v6 && this.metadata.ipVersion === 4) {
        // only an IPv4-mapped address has an answer in an IPv4 tree
        if (parsed.w0 === 0 && parsed.w1 === 0 && parsed.w2 === 0xffff) {
          v4.push({ text, index: i, v6: false, w0: parsed.w3, w1: 0, w2: 0, w3: 0 });
        }
        continue;
      }
      (parsed.v6 ? v6 : v4).push(parsed);
    }
    try {
      if (v4.length > 0) this.#walk(sortIpv4(v4), false, results);
      if (v6.length > 0) this.#walk(v6.sort(compareIps), true, results);
    } catch (error) {
      throw wrap(this.path, error);
    }
    return results;
  }

  #record(node: number, bit: number): number {
    const f = this.#file;
    const size = this.#nodeBytes;
    const o = node * size;
    const at = f.locate(o, size);
    if (at >= 0) return recordValue(f.buffer, at, size, bit);
    const bytes = f.bytes(o, size);
    return recordValue(bytes, 0, size, bit);
  }

  /** The node where IPv4 addresses start (a record value when the `::/96` path ends early). */
  #ipv4Root(): number {
    if (this.#ipv4Start >= 0) return this.#ipv4Start;
    let node = 0;
    if (this.metadata.ipVersion === 6) {
      for (let depth = 0; depth < 96 && node < this.#nodeCount; depth++) {
        node = this.#record(node, 0);
      }
    }
    this.#ipv4Start = node;
    return node;
  }

  /** Walk the tree for `ips` (sorted), resuming each walk where it parts from the previous one. */
  #walk<T>(ips: ParsedIp[], v6: boolean, results: (MmdbResult<T> | undefined)[]): void {
    const bits = v6 ? 128 : 32;
    const root = v6 ? 0 : this.#ipv4Root();
    const path = this.#path;
    const nodeCount = this.#nodeCount;
    path[0] = root;
    let previous: ParsedIp | undefined;
    let previousDepth = 0;
    let previousResult: MmdbResult<T> | undefined;
    for (const ip of ips) {
      let depth = 0;
      let node = root;
      if (previous !== undefined) {
        const shared = commonPrefix(previous, ip, bits);
        if (shared >= previousDepth) {
          // same network as the previous address: same answer
          results[ip.index] = previousResult;
          continue;
        }
        depth = shared;
        node = path[shared];
      }
      while (node < nodeCount) {
        if (depth >= bits) {
          throw new CorruptData(
            `corrupt search tree: node ${node} below the last bit of ${ip.text}`,
          );
        }
        const word = depth < 32 ? ip.w0 : depth < 64 ? ip.w1 : depth < 96 ? ip.w2 : ip.w3;
        const bit = (word >>> (31 - (depth & 31))) & 1;
        node = this.#record(node, bit);
        depth++;
        path[depth] = node;
      }
      previous = ip;
      previousDepth = depth;
      previousResult = undefined;
      if (node === nodeCount) continue;
      const data = this.#decodeRecord(node);
      const prefixLength = !v6 && root >= nodeCount ? 0 : depth;
      results[ip.index] = previousResult = {
        data: data as T,
        prefixLength,
        network: networkText(ip, v6, prefixLength),
      };
    }
  }

  /** Decode the record a tree value points to. */
  #decodeRecord(value: number): unknown {
    const offset = value - this.#nodeCount - DATA_SECTION_SEPARATOR + this.#dataStart;
    if (offset < this.#dataStart || offset >= this.#dataEnd) {
      throw new CorruptData(
        `corrupt search tree: record value ${value} points outside the data section`,
      );
    }
    return this.#data.valueAt(offset);
  }

  /**
   * Every network of the search tree with its record, in address order. Each
   * tree node is visited once, so the aliases of the IPv4 subtree in IPv6
   * trees (`::ffff:0:0/96`, `2002::/16`) are not listed again.
   *
   * @throws {MmdbError} when the database is corrupt.
   */
  *networks<T = unknown>(): Generator<MmdbNetwork<T>> {
    const v6 = this.metadata.ipVersion === 6;
    const bits = v6 ? 128 : 32;
    const nodeCount = this.#nodeCount;
    const visited = new Uint8Array(nodeCount);
    // stack of [node, depth, words...]
    const stack: [number, number, number[]][] = [[0, 0, [0, 0, 0, 0]]];
    while (stack.length > 0) {
      const [node, depth, words] = stack.pop()!;
      let left: number, right: number;
      try {
        if (node >= nodeCount) {
          if (node === nodeCount) continue;
          const data = this.#decodeRecord(node) as T;
          yield this.#network(words, depth, v6, data);
          continue;
        }
        if (visited[node]) continue;
        visited[node] = 1;
        if (depth >= bits) {
          throw new CorruptData(`corrupt search tree: node ${node} below the last bit`);
        }
        left = this.#record(node, 0);
        right = this.#record(node, 1);
      } catch (error) {
        throw wrap(this.path, error);
      }
      const rightWords = words.slice();
      rightWords[depth >>> 5] = (rightWords[depth >>> 5] + 2 ** (31 - (depth & 31))) >>> 0;
      stack.push([right, depth + 1, rightWords], [left, depth + 1, words]);
    }
  }

  #network<T>(words: number[], depth: number, v6: boolean, data: T): MmdbNetwork<T> {
    if (!v6) {
      const address = numberToIpv4(words[0]);
      return { network: `${address}/${depth}`, address, prefixLength: depth, data };
    }
    if (depth >= 96 && words[0] === 0 && words[1] === 0 && words[2] === 0) {
      const address = numberToIpv4(words[3]);
      return { network: `${address}/${depth - 96}`, address, prefixLength: depth - 96, data };
    }
    const address = formatV6Words(words);
    return { network: `${address}/${depth}`, address, prefixLength: depth, data };
  }

  /**
   * Check the whole file: every node of the search tree (each visited once)
   * and every record it points to. Cost grows with the file: for tests and
   * `--verify`-style checks, not for every run.
   *
   * @throws {MmdbError} naming the first problem found.
   */
  verify(): void {
    let networks = 0;
    for (const _ of this.networks()) networks++; // decoding each record is the check
    try {
      // Every node is reached from the root by exactly one path, except the
      // IPv4 subtree of an IPv6 tree (aliased at ::ffff:0:0/96, 2002::/16, …).
      const nodeCount = this.#nodeCount;
      const ipv4Root = this.metadata.ipVersion === 6 ? this.#ipv4Root() : -1;
      const reached = new Uint8Array(nodeCount);
      reached[0] = 1;
      const stack = [0];
      let count = 1;
      const dataSize = this.#dataEnd - this.#dataStart;
      while (stack.length > 0) {
        const node = stack.pop()!;
        for (let bit = 0; bit < 2; bit++) {
          const value = this.#record(node, bit);
          if (value < nodeCount) {
            if (reached[value] === 0) {
              reached[value] = 1;
              count++;
              stack.push(value);
            } else if (value !== ipv4Root) {
              throw new CorruptData(
                `corrupt search tree: node ${value} is reached by more than one path`,
              );
            }
          } else if (value > nodeCount && value - nodeCount - DATA_SECTION_SEPARATOR >= dataSize) {
            throw new CorruptData(
              `corrupt search tree: node ${node} points outside the data section`,
            );
          }
        }
      }
      if (count < nodeCount) {
        throw new CorruptData(
          `corrupt search tree: ${
            nodeCount - count
          } of its ${nodeCount} nodes cannot be reached from the root`,
        );
      }
      if (networks === 0) throw new CorruptData("its search tree has no networks");
    } catch (error) {
      throw wrap(this.path, error);
    }
  }

  /** Close the file. */
  close(): void {
    this.#file.close();
  }
}

/** Record `bit` (0 left, 1 right) of the node whose `size` bytes start at `b[at]`. */
function recordValue(b: Uint8Array, at: number, size: number, bit: number): number {
  if (size === 7) {
    if (bit === 0) {
      return (b[at + 3] >>> 4) * 16777216 + b[at] * 65536 + b[at + 1] * 256 + b[at + 2];
    }
    return (b[at + 3] & 15) * 16777216 + b[at + 4] * 65536 + b[at + 5] * 256 + b[at + 6];
  }
  if (size === 6) {
    const o = at + bit * 3;
    return b[o] * 65536 + b[o + 1] * 256 + b[o + 2];
  }
  const o = at + bit * 4;
  return b[o] * 16777216 + b[o + 1] * 65536 + b[o + 2] * 256 + b[o + 3];
}

function networkText(ip: ParsedIp, v6: boolean, prefixLength: number): string {
  if (!v6) return `${numberToIpv4(maskWord(ip.w0, prefixLength))}/${prefixLength}`;
  const words = [ip.w0, ip.w1, ip.w2, ip.w3].map((w, i) => maskWord(w, prefixLength - i * 32));
  return `${formatV6Words(words)}/${prefixLength}`;
}

function lastIndexOf(haystack: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = haystack.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function wrap(path: string, error: unknown): Error {
  if (error instanceof MmdbError) return error;
  if (error instanceof CorruptData) {
    return new MmdbError(path, error.message, { offset: error.offset });
  }
  const message = error instanceof RangeError && /call stack/i.test(error.message)
    ? "data nested too deeply"
    : (error as Error)?.message ?? String(error);
  return new MmdbError(path, message, { cause: error });
}

function checkMetadata(raw: unknown): MmdbMetadata {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || raw instanceof Uint8Array) {
    throw new CorruptData("its metadata is not a map");
  }
  const m = raw as Record<string, unknown>;
  const uint = (key: string): number => {
    const value = m[key];
    if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
    if (typeof value === "bigint" && value >= 0n) return Number(value);
    throw new CorruptData(`its metadata has no valid ${key}`);
  };
  const nodeCount = uint("node_count");
  const recordSize = uint("record_size");
  const ipVersion = uint("ip_version");
  const major = uint("binary_format_major_version");
  if (recordSize !== 24 && recordSize !== 28 && recordSize !== 32) {
    throw new CorruptData(`unsupported record_size ${recordSize} (24, 28 or 32)`);
  }
  if (ipVersion !== 4 && ipVersion !== 6) {
    throw new CorruptData(`unsupported ip_version ${ipVersion}`);
  }
  if (major !== 2) throw new CorruptData(`unsupported binary_format_major_version ${major}`);
  if (nodeCount === 0) throw new CorruptData("its metadata says the search tree has no nodes");
  const databaseType = m.database_type;
  if (typeof databaseType !== "string") throw new CorruptData("its metadata has no database_type");
  const languages = Array.isArray(m.languages)
    ? m.languages.filter((x) => typeof x === "string")
    : [];
  const description: Record<string, string> = {};
  if (
    m.description !== null && typeof m.description === "object" && !Array.isArray(m.description)
  ) {
    for (const [key, value] of Object.entries(m.description)) {
      if (typeof value === "string") description[key] = value;
    }
  }
  return {
    nodeCount,
    recordSize,
    ipVersion,
    databaseType,
    languages,
    binaryFormatMajorVersion: major,
    binaryFormatMinorVersion: m.binary_format_minor_version === undefined
      ? 0
      : uint("binary_format_minor_version"),
    buildEpoch: m.build_epoch === undefined ? 0 : uint("build_epoch"),
    description,
  };
}

/** The build date of a database (`YYYY-MM-DD`, UTC), or `unknown`. */
export function buildDate(metadata: MmdbMetadata): string {
  const ms = metadata.buildEpoch * 1000;
  if (!(ms > 0 && ms < 8.64e15)) return "unknown";
  return new Date(ms).toISOString().slice(0, 10);
}
