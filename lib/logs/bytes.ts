/**
 * Helpers of the byte-level scanners (lib/logs/syslog_fast.ts,
 * lib/logs/fail2ban_fast.ts): finding the end of a line four bytes at a
 * time, reading tokens, and interning byte ranges as strings.
 *
 * They read little-endian 32-bit words and may read up to three bytes past
 * the `\n` that ends a line: a scanner first makes its chunk fit with
 * {@linkcode scannableChunk}.
 *
 * @module
 */

/** A byte of a token: printable ASCII other than space. */
export function isTokenByte(c: number): boolean {
  return c - 33 >>> 0 < 94;
}

/** ASCII bytes → string (only ASCII is ever interned). */
export const asciiDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

const HASH_SEED = 0x811c9dc5 | 0;

function finishHash(hash: number, tail: number): number {
  hash = Math.imul(hash ^ tail, 0x85ebca6b);
  return hash ^ (hash >>> 13);
}

/**
 * Hash of `b[start, end)`: over whole little-endian words, then the last 0–3
 * bytes. {@linkcode scanToken} computes the same while it scans.
 */
export function hashRange(view: DataView, b: Uint8Array, start: number, end: number): number {
  let hash = HASH_SEED;
  let i = start;
  for (; i + 4 <= end; i += 4) hash = Math.imul(hash ^ view.getInt32(i, true), 0x9e3779b1);
  let tail = 0;
  for (; i < end; i++) tail = (tail << 8) | b[i];
  return finishHash(hash, tail);
}

/** Hash of the token found by the last {@linkcode scanToken}. */
export let scannedHash = 0;

/**
 * Index of the first byte at or after `i` that is not a token byte (a space,
 * a control character, DEL or beyond), four bytes at a time; sets
 * `scannedHash` to the {@linkcode hashRange} of the token before it.
 */
export function scanToken(view: DataView, b: Uint8Array, i: number): number {
  let hash = HASH_SEED;
  for (;;) {
    const w = view.getInt32(i, true);
    // any byte < 0x21, or any byte > 0x7e
    if (((((w - 0x21212121) & ~w) | (w + 0x01010101) | w) & 0x80808080) !== 0) break;
    hash = Math.imul(hash ^ w, 0x9e3779b1);
    i += 4;
  }
  let tail = 0;
  let c = b[i];
  while (isTokenByte(c)) {
    tail = (tail << 8) | c;
    c = b[++i];
  }
  scannedHash = finishHash(hash, tail);
  return i;
}

/** End of the token read by the last {@linkcode Interner.token}. */
export let tokenEnd = 0;

/** Slots of an {@linkcode Interner}: hash, offset of the key in the arena (-1: empty), length, value. */
const SLOT = 4;

/** The id the next value interned anywhere gets (see {@linkcode Interner.id}). */
let nextId = 0;

/**
 * A new process-wide id for an interned value, for interners other than
 * {@linkcode Interner} (the WebAssembly scanner's): ids never stand for two
 * values, whichever interner gave them.
 */
export function newInternId(): number {
  return nextId++;
}

/**
 * Strings by the bytes they were read from: an open-addressing table keyed
 * by hash, the keys' bytes kept in an arena and compared a word at a time.
 * The last key found is tried first (attackers repeat themselves line after
 * line). `toValue` maps the key text to what is handed out (the IP table
 * normalises; `""` marks "not an IP"). Bounded: when full it starts over.
 *
 * Each value added gets an id, unique among all interners of the process and
 * never given to another value: consumers of events cache by it
 * (`ParsedEvent.ipId`) instead of hashing the string again. After a start
 * over the same text gets a new id.
 */
export class Interner {
  /** The id of the value returned by the last {@linkcode token} or {@linkcode get}. */
  id = -1;
  #table: Int32Array;
  #mask: number;
  #count = 0;
  #values: string[] = [];
  #ids: number[] = [];
  #arena: Uint8Array;
  #arenaView: DataView;
  #used = 0;
  /** Where the key found or added by the last get() is in the arena. */
  #foundOffset = 0;
  // the last token looked up, tried first by token()
  #lastLength = -1;
  #lastOffset = 0;
  #lastValue = "";
  #lastId = -1;
  readonly #toValue: (text: string) => string;
  readonly #bits: number;
  readonly #maxBits: number;

  constructor(toValue: (text: string) => string, bits: number, maxBits: number) {
    this.#toValue = toValue;
    this.#bits = bits;
    this.#maxBits = maxBits;
    this.#mask = (1 << bits) - 1;
    this.#table = new Int32Array((1 << bits) * SLOT).fill(-1);
    this.#arena = new Uint8Array(16 << bits);
    this.#arenaView = new DataView(this.#arena.buffer);
  }

  /**
   * The value for the token at `i` (see {@linkcode scanToken}); sets
   * `tokenEnd`.
   */
  token(view: DataView, b: Uint8Array, i: number): string {
    const length = this.#lastLength;
    if (
      length >= 0 && !isTokenByte(b[i + length]) && this.#same(view, b, i, length, this.#lastOffset)
    ) {
      tokenEnd = i + length;
      this.id = this.#lastId;
      return this.#lastValue;
    }
    const end = scanToken(view, b, i);
    tokenEnd = end;
    const value = this.get(view, b, i, end, scannedHash);
    // remembered only here: a key given to get() may hold bytes a token cannot
    this.#lastLength = end - i;
    this.#lastOffset = this.#foundOffset;
    this.#lastValue = value;
    this.#lastId = this.id;
    return value;
  }

  /** The value for `b[start, end)`, whose {@linkcode hashRange} is `hash`. */
  get(view: DataView, b: Uint8Array, start: number, end: number, hash: number): string {
    const length = end - start;
    const table = this.#table;
    const mask = this.#mask;
    let slot = hash & mask;
    for (;;) {
      const at = slot * SLOT;
      const offset = table[at + 1];
      if (offset === -1) break;
      if (
        table[at] === hash && table[at + 2] === length && this.#same(view, b, start, length, offset)
      ) {
        this.#foundOffset = offset;
        const index = table[at + 3];
        this.id = this.#ids[index];
        return this.#values[index];
      }
      slot = (slot + 1) & mask;
    }
    return this.#add(b, start, end, hash);
  }

  /** `b[start, start + length)` equals the key at `offset` of the arena. */
  #same(view: DataView, b: Uint8Array, start: number, length: number, offset: number): boolean {
    const arenaView = this.#arenaView;
    let k = 0;
    for (; k + 4 <= length; k += 4) {
      if (view.getInt32(start + k, true) !== arenaView.getInt32(offset + k, true)) return false;
    }
    const arena = this.#arena;
    for (; k < length; k++) if (b[start + k] !== arena[offset + k]) return false;
    return true;
  }

  #add(b: Uint8Array, start: number, end: number, hash: number): string {
    const length = end - start;
    const key = asciiDecoder.decode(b.subarray(start, end));
    const value = this.#toValue(key);
    if (this.#count >= (this.#mask + 1) >> 1 || this.#used + length > this.#arena.length) {
      this.#grow(length);
    }
    const offset = this.#used;
    this.#arena.set(b.subarray(start, end), offset);
    this.#used += length;
    const table = this.#table;
    let slot = hash & this.#mask;
    while (table[slot * SLOT + 1] !== -1) slot = (slot + 1) & this.#mask;
    const at = slot * SLOT;
    table[at] = hash;
    table[at + 1] = offset;
    table[at + 2] = length;
    table[at + 3] = this.#values.length;
    this.#values.push(value);
    this.#ids.push(this.id = nextId++);
    this.#count++;
    this.#foundOffset = offset;
    return value;
  }

  /** Double the table and the arena (room for a key of `length`), or start over when large enough. */
  #grow(length: number): void {
    const bits = Math.log2(this.#mask + 1) + 1;
    if (bits > this.#maxBits || length > this.#arena.length) {
      // start over: memory stays bounded whatever the log holds
      this.#mask = (1 << this.#bits) - 1;
      this.#table = new Int32Array((1 << this.#bits) * SLOT).fill(-1);
      this.#arena = new Uint8Array(Math.max(16 << this.#bits, length));
      this.#arenaView = new DataView(this.#arena.buffer);
      this.#count = 0;
      this.#values = [];
      this.#ids = [];
      this.#used = 0;
      this.#lastLength = -1;
      return;
    }
    const old = this.#table;
    this.#mask = (1 << bits) - 1;
    const table = this.#table = new Int32Array((1 << bits) * SLOT).fill(-1);
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at + 1] === -1) continue;
      let slot = old[at] & this.#mask;
      while (table[slot * SLOT + 1] !== -1) slot = (slot + 1) & this.#mask;
      table.set(old.subarray(at, at + SLOT), slot * SLOT);
    }
    const arena = new Uint8Array(this.#arena.length * 2);
    arena.set(this.#arena.subarray(0, this.#used));
    this.#arena = arena;
    this.#arenaView = new DataView(arena.buffer);
  }
}

/** Ids above this are not cached by {@linkcode IdCache} (16 MB of cache at most). */
const MAX_CACHED_ID = 1 << 22;

/**
 * Numbers (≥ 0) by the ids interners give their values (`ParsedEvent.ipId`,
 * `userId`): a cache in front of a consumer's own `Map` by string, which
 * stays the truth (an id may be absent, or past the cache).
 */
export class IdCache {
  #values = new Int32Array(1024).fill(-1);

  /** The number cached for `id`, or -1. */
  get(id: number | undefined): number {
    const values = this.#values;
    return id !== undefined && id < values.length ? values[id] : -1;
  }

  set(id: number | undefined, value: number): void {
    if (id === undefined || id >= MAX_CACHED_ID) return;
    if (id >= this.#values.length) {
      let length = this.#values.length * 2;
      while (length <= id) length *= 2;
      const values = new Int32Array(length).fill(-1);
      values.set(this.#values);
      this.#values = values;
    }
    this.#values[id] = value;
  }
}

// ---------------------------------------------------------------------------
// Chunks and lines.

/** Bytes of slack a scanner needs after the last line (it reads words). */
const SLACK = 8;

/**
 * `bytes[start, end)` (whole lines, as `readChunks` hands them out)
 * in a form the scanners can read a word at a time: the chunk itself when its
 * buffer is 4-byte aligned, has {@linkcode SLACK} bytes after `end` and the
 * last line ends in `\n`; else a copy that does.
 */
export function scannableChunk(
  bytes: Uint8Array,
  start: number,
  end: number,
): { bytes: Uint8Array; start: number; end: number } {
  if ((bytes.byteOffset & 3) === 0 && bytes.length >= end + SLACK && bytes[end - 1] === 10) {
    return { bytes, start, end };
  }
  const copy = new Uint8Array(((end - start + SLACK + 1) | 3) + 1);
  copy.set(bytes.subarray(start, end));
  if (end > start && bytes[end - 1] !== 10) copy[end++ - start] = 10;
  return { bytes: copy, start: 0, end: end - start };
}

/**
 * Index of the `\n` ending the line that holds `i` in `b`, or -1 when a NUL
 * or a non-ASCII byte comes first (the line must then be decoded). Four bytes
 * at a time: `words` is `b`'s buffer as 32-bit words, `base` is
 * `b.byteOffset` (a multiple of 4).
 */
export function findLineEnd(b: Uint8Array, words: Int32Array, base: number, i: number): number {
  let c: number;
  while (((base + i) & 3) !== 0) {
    c = b[i];
    if (c === 10) return i;
    if (c === 0 || c >= 128) return -1;
    i++;
  }
  let k = (base + i) >> 2;
  for (;;) {
    const v = words[k];
    const x = v ^ 0x0a0a0a0a;
    // any zero byte, any "\n", any byte ≥ 0x80
    if (((((v - 0x01010101) & ~v) | ((x - 0x01010101) & ~x) | v) & 0x80808080) !== 0) break;
    k++;
  }
  i = (k << 2) - base;
  for (;;) {
    c = b[i];
    if (c === 10) return i;
    if (c === 0 || c >= 128) return -1;
    i++;
  }
}
