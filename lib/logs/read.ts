/**
 * Streaming line reader for log files, plain or gzip-compressed.
 *
 * Memory does not grow with file size: the file is read in chunks, lines are
 * cut out of each decoded chunk, and an over-long line is skipped (and
 * reported) rather than buffered. Lines are handed to a callback as slices of
 * the decoded chunk; callers that keep a substring beyond the callback must
 * copy it ({@linkcode copyString}).
 *
 * @module
 */

/** Options of {@linkcode readLines}. */
export interface ReadOptions {
  /** Longest line kept, in bytes; longer lines are skipped and reported. @default 65536 */
  maxLineBytes?: number;
  /** Bytes read at a time from a plain file. @default 1048576 */
  chunkBytes?: number;
  /** Treat the file as gzip. @default true when the name ends in `.gz` */
  gzip?: boolean;
  /** Read only up to this many bytes of (decompressed) text, e.g. to sniff a format. */
  limitBytes?: number;
}

/** Problems found while reading, per line or per file. */
export interface ReadProblem {
  /** 1-based line, or 0 for the file as a whole. */
  line: number;
  reason: string;
}

/** What {@linkcode readLines} reports at the end. */
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

const NL = 10;
const defaults = { maxLineBytes: 65_536, chunkBytes: 1 << 20 } satisfies ReadOptions;

/** Copy a (possibly sliced) string so it does not keep a large parent alive. */
export function copyString(s: string): string {
  // Flattening a cons string makes a fresh sequential string of its own.
  return s.length < 13 ? s : (s + "\n").slice(0, -1);
}

/** Most problems recorded per file; later ones are only counted. */
const MAX_PROBLEMS = 200;

/**
 * Read a file line by line.
 *
 * @example
 * ```ts
 * import { readLines } from "./read.ts";
 * let n = 0;
 * const result = await readLines("data/sample/auth.log", () => n++);
 * console.log(n === result.lines);
 * ```
 */
export async function readLines(
  path: string,
  onLine: LineHandler,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const maxLine = options.maxLineBytes ?? defaults.maxLineBytes;
  const gzip = options.gzip ?? path.endsWith(".gz");
  const limit = options.limitBytes ?? Infinity;
  const result: ReadResult = {
    lines: 0,
    bytes: 0,
    problems: [],
    invalidUtf8: 0,
    nulLines: 0,
    longLines: 0,
    truncated: false,
  };
  const problem = (line: number, reason: string) => {
    if (result.problems.length < MAX_PROBLEMS) result.problems.push({ line, reason });
  };
  const decoder = new TextDecoder("utf-8");
  let carry: Uint8Array | undefined; // bytes after the last newline of the previous chunk
  let skippingLong = 0; // >0: inside an over-long line, bytes skipped so far
  let lineNo = 0;

  const emitText = (text: string) => {
    // text holds whole lines separated by \n (the last one without its \n)
    let start = 0;
    const hasBadUtf8 = text.indexOf("\uFFFD") !== -1;
    const hasNul = text.indexOf("\0") !== -1;
    while (start <= text.length) {
      let end = text.indexOf("\n", start);
      if (end === -1) end = text.length;
      if (end - start > maxLine) {
        longLine(end - start);
        start = end + 1;
        continue;
      }
      let line = text.slice(start, end);
      lineNo++;
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1); // CRLF
      if (hasNul && line.indexOf("\0") !== -1) {
        result.nulLines++;
        problem(lineNo, "NUL bytes in line (removed)");
        line = line.replaceAll("\0", "");
      }
      if (hasBadUtf8 && line.indexOf("\uFFFD") !== -1) {
        result.invalidUtf8++;
        problem(lineNo, "invalid UTF-8 (replaced with U+FFFD)");
      }
      result.lines++;
      onLine(line, lineNo);
      start = end + 1;
    }
  };

  const handleBytes = (chunk: Uint8Array, final: boolean) => {
    let pos = 0;
    if (skippingLong > 0) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        skippingLong += chunk.length;
        if (final) finishLong();
        return;
      }
      skippingLong += nl;
      finishLong();
      pos = nl + 1;
    }
    if (carry !== undefined) {
      const nl = chunk.indexOf(NL, pos);
      if (nl === -1) {
        const joined = concat(carry, chunk.subarray(pos));
        carry = undefined;
        if (joined.length > maxLine) {
          skippingLong = joined.length;
          if (final) finishLong();
        } else if (final) {
          if (joined.length > 0) emitText(decoder.decode(joined));
        } else carry = joined;
        return;
      }
      const joined = concat(carry, chunk.subarray(pos, nl));
      carry = undefined;
      if (joined.length > maxLine) longLine(joined.length);
      else emitText(decoder.decode(joined));
      pos = nl + 1;
    }
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl >= pos) {
      emitText(decoder.decode(chunk.subarray(pos, lastNl)));
      pos = lastNl + 1;
    }
    const rest = chunk.subarray(pos);
    if (rest.length > maxLine) {
      skippingLong = rest.length;
      if (final) finishLong();
    } else if (final) {
      if (rest.length > 0) emitText(decoder.decode(rest));
    } else if (rest.length > 0) {
      carry = rest.slice(); // copy: the chunk buffer is reused
    }
  };

  function longLine(length: number) {
    lineNo++;
    result.longLines++;
    problem(lineNo, `line is ${length} bytes long (limit ${maxLine}): skipped`);
  }
  function finishLong() {
    longLine(skippingLong);
    skippingLong = 0;
  }

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
          handleBytes(value, false);
        }
      } catch (error) {
        result.truncated = true;
        problem(
          0,
          `gzip data ends early or is corrupt after line ${lineNo} (${
            (error as Error).message
          }): the lines before were read`,
        );
      } finally {
        await reader.cancel().catch(() => {});
      }
      handleBytes(new Uint8Array(0), true);
    } finally {
      try {
        file.close();
      } catch { /* already closed by the stream */ }
    }
  } else {
    using file = await Deno.open(path);
    const buffer = new Uint8Array(options.chunkBytes ?? defaults.chunkBytes);
    while (result.bytes < limit) {
      const n = await file.read(buffer);
      if (n === null) break;
      result.bytes += n;
      handleBytes(buffer.subarray(0, n), false);
    }
    handleBytes(new Uint8Array(0), true);
  }
  return result;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
