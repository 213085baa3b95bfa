/**
 * Streaming readers for log files, plain or gzip-compressed.
 *
 * Memory does not grow with file size: the file is read in chunks into one
 * reused buffer and an over-long line is skipped (and reported) rather than
 * buffered. There is one chunking implementation, {@linkcode readChunks},
 * which hands out byte ranges of whole lines; {@linkcode readLines} decodes
 * those ranges and hands out one string per line. Lines are handed to the
 * callback as slices of a decoded chunk: callers that keep a substring beyond
 * the callback must copy it ({@linkcode copyString}).
 *
 * @module
 */

/** Options of {@linkcode readLines} and {@linkcode readChunks}. */
export interface ReadOptions {
  /** Longest line kept, in bytes; longer lines are skipped and reported. @default 65536 */
  maxLineBytes?: number;
  /** Bytes read at a time from a plain file. @default 262144 */
  chunkBytes?: number;
  /** Treat the file as gzip. @default true when the name ends in `.gz` */
  gzip?: boolean;
  /** Read only up to this many bytes of (decompressed) text, e.g. to sniff a format. */
  limitBytes?: number;
  /**
   * Where {@linkcode readChunks} reads to: a buffer of at least `bytes` bytes
   * (the chunks handed on are parts of it), or undefined for a new one of
   * its own. The WebAssembly scanner gives its input area, which spares a copy.
   */
  buffer?: (bytes: number) => Uint8Array | undefined;
}

/** Problems found while reading, per line or per file. */
export interface ReadProblem {
  /** 1-based line, or 0 for the file as a whole. */
  line: number;
  reason: string;
}

/** What {@linkcode readLines} and {@linkcode readChunks} report at the end. */
export interface ReadResult {
  /** Lines handed to the callback (long lines are counted but not handed). */
  lines: number;
  /** Bytes of text read (after decompression). */
  bytes: number;
  problems: ReadProblem[];
  /** Lines with invalid UTF-8 (decoded with U+FFFD and still handed on). */
  invalidUtf8: number;
  /** Lines with NUL bytes (NULs removed, the rest handed on). */
  nulLines: number;
  /** Lines skipped because they were longer than `maxLineBytes`. */
  longLines: number;
  /** The gzip stream ended early or was corrupt: everything before was read. */
  truncated: boolean;
}

/** A line handler: `line` is 1-based. Return nothing. */
export type LineHandler = (text: string, line: number) => void;

/**
 * A chunk handler of {@linkcode readChunks}. `bytes[start, end)` holds whole
 * lines, each ending in `\n` (a last line without one gets one appended), the
 * first of them being line `firstLine` (1-based). `result` is the result
 * being built: a handler that decodes a line itself records damage on it with
 * {@linkcode decodeLine}. `bytes` is reused after the handler returns.
 *
 * Returns the number of lines in the range (the number of `\n`), or nothing
 * to let the reader count them (an extra pass over the bytes).
 */
export type ChunkHandler = (
  bytes: Uint8Array,
  start: number,
  end: number,
  firstLine: number,
  result: ReadResult,
) => number | void;

const NL = 10;
const defaults = { maxLineBytes: 65_536, chunkBytes: 1 << 18 } satisfies ReadOptions;
/** Spare bytes after the data in the buffer, so that scanners may read a word past a line's end. */
const PADDING = 16;

/** Copy a (possibly sliced) string so it does not keep a large parent alive. */
export function copyString(s: string): string {
  // Flattening a cons string makes a fresh sequential string of its own.
  return s.length < 13 ? s : (s + "\n").slice(0, -1);
}

/** Most problems recorded per file; later ones are only counted. */
const MAX_PROBLEMS = 200;

/**
 * An empty {@linkcode ReadResult}: no lines, bytes or problems yet. For a
 * caller that scans bytes it holds itself and records damage with
 * {@linkcode decodeLine}.
 *
 * @example
 * ```ts
 * import { decodeLine, newResult } from "./read.ts";
 * const result = newResult();
 * const bytes = new Uint8Array([0x61, 0xff]);
 * decodeLine(bytes, 0, bytes.length, 1, result);
 * console.log(result.invalidUtf8); // 1
 * ```
 */
export function newResult(): ReadResult {
  return {
    lines: 0,
    bytes: 0,
    problems: [],
    invalidUtf8: 0,
    nulLines: 0,
    longLines: 0,
    truncated: false,
  };
}

/** Record a problem on `result` (the first {@linkcode MAX_PROBLEMS} are kept). */
function addProblem(result: ReadResult, line: number, reason: string): void {
  if (result.problems.length < MAX_PROBLEMS) result.problems.push({ line, reason });
}

/** Keeps a byte-order mark: only the one at the start of a file is dropped (by the reader). */
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Damage checks of one decoded line, shared by {@linkcode readLines} and
 * {@linkcode decodeLine}: drops a trailing CR, removes NUL characters and
 * counts (and reports) NULs and invalid UTF-8 on `result`. `mayHaveNul` and
 * `mayHaveBadUtf8` let a caller that checked a whole chunk skip the searches.
 */
function cleanLine(
  line: string,
  lineNo: number,
  result: ReadResult,
  mayHaveNul: boolean,
  mayHaveBadUtf8: boolean,
): string {
  if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1); // CRLF
  if (mayHaveNul && line.indexOf("\0") !== -1) {
    result.nulLines++;
    addProblem(result, lineNo, "NUL bytes in line (removed)");
    line = line.replaceAll("\0", "");
  }
  if (mayHaveBadUtf8 && line.indexOf("\uFFFD") !== -1) {
    result.invalidUtf8++;
    addProblem(result, lineNo, "invalid UTF-8 (replaced with U+FFFD)");
  }
  return line;
}

/**
 * Decode one line `bytes[start, end)` (without its `\n`) exactly as
 * {@linkcode readLines} would hand it on: a trailing CR dropped, invalid
 * UTF-8 replaced with U+FFFD and NULs removed, both counted and reported on
 * `result` at line `lineNo`.
 *
 * @example
 * ```ts
 * import { decodeLine, readChunks } from "./read.ts";
 * await readChunks("data/sample/auth.log", (bytes, start, end, firstLine, result) => {
 *   const nl = bytes.indexOf(10, start);
 *   console.log(decodeLine(bytes, start, nl, firstLine, result)); // the first line of each chunk
 * });
 * ```
 */
export function decodeLine(
  bytes: Uint8Array,
  start: number,
  end: number,
  lineNo: number,
  result: ReadResult,
): string {
  return cleanLine(decoder.decode(bytes.subarray(start, end)), lineNo, result, true, true);
}

/**
 * Read a file in chunks of whole lines, as bytes: the fastest way through a
 * large log. Over-long lines are skipped and reported (they are counted in
 * the line numbers but not handed on), gzip is decompressed, a byte-order
 * mark at the start of the file is dropped, and a gzip stream that ends early
 * is reported with everything before it handed on.
 *
 * @example
 * ```ts
 * import { readChunks } from "./read.ts";
 * let failed = 0;
 * await readChunks("data/sample/auth.log", (bytes, start, end) => {
 *   for (let i = bytes.indexOf(70, start); i !== -1 && i < end; i = bytes.indexOf(70, i + 1)) {
 *     if (bytes[i + 1] === 97) failed++; // "Fa…"
 *   }
 * });
 * ```
 */
export async function readChunks(
  path: string,
  onChunk: ChunkHandler,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const maxLine = options.maxLineBytes ?? defaults.maxLineBytes;
  const chunkBytes = Math.min(Math.max(1, options.chunkBytes ?? defaults.chunkBytes), 1 << 26);
  const gzip = options.gzip ?? path.endsWith(".gz");
  const limit = options.limitBytes ?? Infinity;
  const result = newResult();
  // The buffer holds the start of an unfinished line (at most maxLine bytes)
  // followed by a chunk of new data, and room for an appended final "\n".
  const size = chunkBytes + maxLine + 1 + PADDING;
  const given = options.buffer?.(size);
  const buffer = given !== undefined && given.length >= size ? given : new Uint8Array(size);
  let filled = 0; // bytes of data in the buffer
  let skipping = -1; // ≥ 0: inside an over-long line, bytes skipped so far
  let lineNo = 1; // number of the next line
  let atFileStart = true;

  const longLine = (length: number) => {
    result.longLines++;
    addProblem(result, lineNo, `line is ${length} bytes long (limit ${maxLine}): skipped`);
    lineNo++;
  };

  /** Hand on the lines in buffer[start, end) (end after a "\n"), cutting out over-long ones. */
  const deliver = (start: number, end: number) => {
    // Every window of maxLine + 1 bytes must hold a "\n": jump from line to
    // line by the last newline within reach, which looks at few bytes.
    let segment = start;
    let p = start;
    while (end - p > maxLine + 1) {
      const nl = buffer.lastIndexOf(NL, p + maxLine);
      if (nl >= p) {
        p = nl + 1;
        continue;
      }
      const lineEnd = buffer.indexOf(NL, p + maxLine + 1);
      if (p > segment) handOn(segment, p);
      longLine(lineEnd - p);
      p = segment = lineEnd + 1;
    }
    if (end > segment) handOn(segment, end);
  };

  const handOn = (start: number, end: number) => {
    let count = onChunk(buffer, start, end, lineNo, result);
    if (typeof count !== "number") count = countNewlines(buffer, start, end);
    lineNo += count;
    result.lines += count;
  };

  /** Process the data in the buffer; `final` at the end of the input. */
  const process = (final: boolean) => {
    let pos = 0;
    if (atFileStart) {
      if (filled < 3 && !final) return; // wait for enough bytes to see a byte-order mark
      atFileStart = false;
      if (filled >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) pos = 3;
    }
    if (skipping >= 0) {
      const nl = buffer.subarray(0, filled).indexOf(NL);
      if (nl === -1) {
        skipping += filled;
        filled = 0;
        if (final) {
          longLine(skipping);
          skipping = -1;
        }
        return;
      }
      longLine(skipping + nl);
      skipping = -1;
      pos = nl + 1;
    }
    const lastNl = filled > pos ? buffer.lastIndexOf(NL, filled - 1) : -1;
    if (lastNl >= pos) {
      deliver(pos, lastNl + 1);
      pos = lastNl + 1;
    }
    const rest = filled - pos;
    if (rest > maxLine) {
      filled = 0;
      if (final) longLine(rest);
      else skipping = rest;
    } else if (final) {
      if (rest > 0) {
        buffer[filled] = NL; // the buffer has room for it
        deliver(pos, filled + 1);
      }
      filled = 0;
    } else {
      if (rest > 0 && pos > 0) buffer.copyWithin(0, pos, filled);
      filled = rest;
    }
  };

  /** Append `data` (gzip output) to the buffer, processing whenever it is full. */
  const append = (data: Uint8Array) => {
    let offset = 0;
    while (offset < data.length) {
      // after process(false) at most maxLine bytes are left: room for chunkBytes
      const n = Math.min(data.length - offset, chunkBytes);
      buffer.set(data.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      process(false);
    }
  };

  if (gzip) {
    const file = await Deno.open(path);
    try {
      const stream = file.readable.pipeThrough(new DecompressionStream("gzip"));
      const reader = stream.getReader();
      try {
        while (result.bytes < limit) {
          const { value, done } = await reader.read();
          if (done) break;
          result.bytes += value.length;
          append(value);
        }
      } catch (error) {
        result.truncated = true;
        addProblem(
          result,
          0,
          `gzip data ends early or is corrupt after line ${lineNo - 1} (${
            (error as Error).message
          }): the lines before were read`,
        );
      } finally {
        await reader.cancel().catch(() => {});
      }
      process(true);
    } finally {
      try {
        file.close();
      } catch { /* already closed by the stream */ }
    }
  } else {
    // Synchronous reads of a few hundred KB: much faster than async ones, and
    // the chunk stays in the CPU cache while it is scanned.
    using file = await Deno.open(path);
    while (result.bytes < limit) {
      const want = Math.min(chunkBytes, limit - result.bytes);
      const n = file.readSync(buffer.subarray(filled, filled + want));
      if (n === null || n === 0) break;
      result.bytes += n;
      filled += n;
      process(false);
    }
    process(true);
  }
  return result;
}

/** Number of `\n` in `bytes[start, end)`. */
function countNewlines(bytes: Uint8Array, start: number, end: number): number {
  let count = 0;
  for (let i = bytes.indexOf(NL, start); i !== -1 && i < end; i = bytes.indexOf(NL, i + 1)) {
    count++;
  }
  return count;
}

/**
 * Read a file line by line (decoded, without the line break).
 *
 * @example
 * ```ts
 * import { readLines } from "./read.ts";
 * let n = 0;
 * const result = await readLines("data/sample/auth.log", () => n++);
 * console.log(n === result.lines);
 * ```
 */
export function readLines(
  path: string,
  onLine: LineHandler,
  options: ReadOptions = {},
): Promise<ReadResult> {
  return readChunks(path, (bytes, start, end, firstLine, result) => {
    // one decode per chunk; the text holds whole lines, each ending in "\n"
    const text = decoder.decode(bytes.subarray(start, end));
    const mayHaveBadUtf8 = text.indexOf("\uFFFD") !== -1;
    const mayHaveNul = text.indexOf("\0") !== -1;
    let lineNo = firstLine;
    let from = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", from)) {
      const line = cleanLine(text.slice(from, nl), lineNo, result, mayHaveNul, mayHaveBadUtf8);
      onLine(line, lineNo);
      lineNo++;
      from = nl + 1;
    }
    return lineNo - firstLine;
  }, options);
}
