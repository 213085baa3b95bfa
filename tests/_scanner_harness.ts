/**
 * Differential tests of a byte scanner against its reference string parser
 * (SyslogScanner against createSyslogParser(), Fail2banScanner against
 * createFail2banParser()): every line must yield the same events, bad
 * reports and skips, and the same damage reports, whichever path it takes.
 * The comparison lives here, and the tests every scanner gets
 * ({@linkcode ScannerHarness.testSharedCases}); the test files keep what is
 * specific to a format: its lines, and the tests only it needs.
 *
 * @example
 * ```ts
 * import { createSyslogParser } from "../lib/logs/syslog.ts";
 * import { SyslogScanner } from "../lib/logs/syslog_fast.ts";
 * import { joinLines, scannerHarness } from "./_scanner_harness.ts";
 *
 * const { checkBytes } = scannerHarness({
 *   createParser: createSyslogParser,
 *   Scanner: SyslogScanner,
 *   generatorFlag: "--auth-lines",
 * });
 * checkBytes(joinLines(["Jan 28 07:01:57 web1 sshd[1]: Invalid user a from 192.0.2.1"]));
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import {
  type ChunkHandler,
  decodeLine,
  newResult,
  readChunks,
  type ReadOptions,
  type ReadResult,
} from "../lib/logs/read.ts";
import type { LineSink, LogParser, ParsedEvent } from "../lib/logs/types.ts";
import { assertEquals, assertOk } from "./_assert.ts";
import { withoutIds } from "./_ids.ts";

const GENERATE_LOGS = join(import.meta.dirname!, "../tools/generate_logs.ts");
const encoder = new TextEncoder();

/**
 * What the random damage inserts into the templates of every format, before
 * the format's own `damagePieces`: spacing, separators, digits and hex
 * letters, control bytes, `"\xff"` (the byte 0xff: invalid UTF-8), a
 * non-ASCII letter and a line break.
 */
const DAMAGE_PIECES = [
  " ",
  "  ",
  ":",
  "]",
  "[",
  "] ",
  "\t",
  "\r",
  "0",
  "9",
  "a",
  "f",
  ".",
  ",",
  "-",
  "x",
  "\0",
  "\x01",
  "\xff",
  "é",
  "\n",
];

/** What a parser reported for one line. */
export type Outcome =
  | { line: number; emit: Omit<ParsedEvent, "ipId" | "userId"> }
  | { line: number; bad: string }
  | { line: number; skip: true };

/** The damage reports of a read, for comparison. */
export type Damage = Pick<ReadResult, "problems" | "invalidUtf8" | "nulLines">;

/** Everything one path reported for some bytes. */
export interface Outcomes {
  outcomes: Outcome[];
  damage: Damage;
  /** Lines read. */
  lines: number;
}

/** Events a scanner read itself (`fast`) and handed to its string path (`slow`). */
export interface PathCounts {
  fast: number;
  slow: number;
}

/** What the harness needs of a byte scanner (SyslogScanner, Fail2banScanner). */
export interface Scanner {
  /** 1-based number of the line being read. */
  readonly line: number;
  /** Text of the line being read when it went the string path, else "". */
  readonly text: string;
  /** Read the whole lines of a chunk (as a readChunks handler); returns the number of lines. */
  scan(...chunk: Parameters<ChunkHandler>): number;
  /** A buffer for readChunks to read to (`ReadOptions.buffer`), when the scanner has one. */
  buffer?(bytes: number): Uint8Array | undefined;
}

/** Options of {@linkcode scannerHarness}. */
export interface HarnessOptions {
  /** The reference parser of the format, e.g. `createSyslogParser`. */
  createParser: () => LogParser;
  /** The byte scanner of the format, e.g. `SyslogScanner`. */
  Scanner: new (sink: LineSink) => Scanner;
  /** The flag of tools/generate_logs.ts that writes a log of N lines, e.g. `"--auth-lines"`. */
  generatorFlag: string;
}

/** The lines every scanner is tested on, in {@linkcode ScannerHarness.testSharedCases}. */
export interface SharedCases {
  /** The scanner's `TEXT_MATCHERS`: each byte compare and the text it looks for (none: no test). */
  textMatchers: readonly (readonly [(view: DataView, i: number) => boolean, string])[];
  /** Lines of every form the scanner reads itself, and of what it passes over. */
  templates: readonly string[];
  /** What the templates are called in a test name, e.g. `"message templates"`. */
  templatesName: string;
  /** Lines meant to trip the scanner; they must hold invalid UTF-8 and NUL bytes. */
  adversarial: readonly (string | Uint8Array)[];
  /** Text of the format the random damage inserts too, e.g. `" port "`. */
  damagePieces: readonly string[];
  /**
   * Five lines for the test of line numbers around lines that readChunks
   * skips: event lines 1, 3 and 5, and lines 2 and 4 over 1000 bytes long.
   */
  aroundLongLines: readonly [string, string, string, string, string];
  /** Templates longer than this are left out of the prefix and random-damage tests. @default Infinity */
  maxTemplateLength?: number;
}

/** Damage reports of a result, for comparison. */
function damage(result: ReadResult): Damage {
  return {
    problems: result.problems,
    invalidUtf8: result.invalidUtf8,
    nulLines: result.nulLines,
  };
}

/** Text of line `line` (1-based) of `bytes`, for messages. */
function lineText(bytes: Uint8Array, line: number): string {
  let start = 0;
  for (let i = 1; i < line; i++) start = bytes.indexOf(10, start) + 1;
  let end = bytes.indexOf(10, start);
  if (end === -1) end = bytes.length;
  return JSON.stringify(new TextDecoder().decode(bytes.subarray(start, end)));
}

/** Compare outcome lists of `bytes`, naming the first line that differs. */
function assertSameOutcomes(actual: Outcomes, expected: Outcomes, bytes: Uint8Array): void {
  const n = Math.max(actual.outcomes.length, expected.outcomes.length);
  for (let i = 0; i < n; i++) {
    const a = actual.outcomes[i], e = expected.outcomes[i];
    if (isDeepStrictEqual(a, e)) continue;
    const line = Math.min(a?.line ?? Infinity, e?.line ?? Infinity);
    assertEquals(a, e, `outcome ${i}, line ${line}: ${lineText(bytes, line)}`);
  }
  assertEquals(actual.damage, expected.damage, "damage reports");
  assertEquals(actual.lines, expected.lines, "line count");
}

/** Write a log of `lines` lines to `path` with tools/generate_logs.ts (`flag`: e.g. `--auth-lines`). */
export async function generateLog(flag: string, lines: number, path: string): Promise<void> {
  const generated = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", GENERATE_LOGS, flag, `${lines}`, "--out", path],
    stdout: "null",
    stderr: "piped",
  }).output();
  assertOk(generated.success, new TextDecoder().decode(generated.stderr));
}

/** The lines as bytes, each followed by `eol`. */
export function joinLines(lines: readonly (string | Uint8Array)[], eol = "\n"): Uint8Array {
  const parts = lines.map((l) => (typeof l === "string" ? encoder.encode(l) : l));
  const brk = encoder.encode(eol);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + brk.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
    out.set(brk, at);
    at += brk.length;
  }
  return out;
}

/** Every prefix of every line, from the empty one to the whole line. */
function prefixes(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    for (let n = 0; n <= line.length; n++) out.push(line.slice(0, n));
  }
  return out;
}

/** A deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 30,000 lines, each a random template with 1 to 3 random edits: a random
 * piece inserted at a random place, half the time replacing up to 3 bytes.
 * The piece `"\xff"` stands for the single byte 0xff (invalid UTF-8). The
 * same arguments give the same lines.
 */
function damagedLines(templates: readonly string[], pieces: readonly string[]): Uint8Array[] {
  const next = random(20261121);
  const lines: Uint8Array[] = [];
  for (let i = 0; i < 30_000; i++) {
    const template = encoder.encode(templates[Math.floor(next() * templates.length)]);
    const edits = 1 + Math.floor(next() * 3);
    let bytes = template;
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * (bytes.length + 1));
      const piece = pieces[Math.floor(next() * pieces.length)];
      const insert = piece === "\xff" ? new Uint8Array([0xff]) : encoder.encode(piece);
      const drop = next() < 0.5 ? Math.floor(next() * 4) : 0;
      const out = new Uint8Array(bytes.length + insert.length);
      out.set(bytes.subarray(0, at));
      out.set(insert, at);
      out.set(bytes.subarray(Math.min(bytes.length, at + drop)), at + insert.length);
      bytes = out.subarray(0, bytes.length + insert.length - Math.min(drop, bytes.length - at));
    }
    lines.push(bytes);
  }
  return lines;
}

/** Each matcher of a scanner's `TEXT_MATCHERS` matches its text and nothing one byte off. */
function assertTextMatchers(
  matchers: readonly (readonly [(view: DataView, i: number) => boolean, string])[],
): void {
  for (const [matches, text] of matchers) {
    const bytes = new Uint8Array(text.length + 8);
    bytes.set(encoder.encode(text), 2);
    const view = new DataView(bytes.buffer);
    assertOk(matches(view, 2), `matches "${text}"`);
    for (let i = 0; i < text.length; i++) {
      const saved = bytes[2 + i];
      bytes[2 + i] = saved ^ 0x20;
      assertOk(!matches(view, 2), `"${text}" with byte ${i} changed`);
      bytes[2 + i] = saved;
    }
  }
}

/**
 * The differential checks of one scanner against its reference parser.
 *
 * @example
 * ```ts
 * import { createFail2banParser } from "../lib/logs/fail2ban.ts";
 * import { Fail2banScanner } from "../lib/logs/fail2ban_fast.ts";
 * import { scannerHarness } from "./_scanner_harness.ts";
 *
 * const { checkLines } = scannerHarness({
 *   createParser: createFail2banParser,
 *   Scanner: Fail2banScanner,
 *   generatorFlag: "--fail2ban-lines",
 * });
 * await checkLines(["2024-03-01 10:00:00,000 fail2ban.actions [1]: NOTICE [sshd] Ban 192.0.2.1"]);
 * ```
 */
export function scannerHarness(options: HarnessOptions) {
  const { createParser, Scanner, generatorFlag } = options;

  /** The reference: each line decoded as readLines does, then the string parser. */
  function referenceOutcomes(bytes: Uint8Array): Outcomes {
    const parser = createParser();
    const result = newResult();
    const outcomes: Outcome[] = [];
    let line = 0;
    const sink: LineSink = {
      emit: (event) => outcomes.push({ line, emit: withoutIds(event) }),
      bad: (reason) => outcomes.push({ line, bad: reason }),
      skip: () => outcomes.push({ line, skip: true }),
    };
    let start = 0;
    while (start < bytes.length) {
      let nl = bytes.indexOf(10, start);
      if (nl === -1) nl = bytes.length;
      line++;
      parser.parseLine(decodeLine(bytes, start, nl, line, result), sink);
      start = nl + 1;
    }
    parser.end?.(sink);
    return { outcomes, damage: damage(result), lines: line };
  }

  /** A scanner recording its outcomes, and in `counts` which path each event took. */
  function recorder(outcomes: Outcome[], counts: PathCounts = { fast: 0, slow: 0 }): Scanner {
    const sink: LineSink = {
      emit: (event) => {
        // the string path sets `text` (to the line, never empty for an event)
        if (scanner.text === "") counts.fast++;
        else counts.slow++;
        outcomes.push({ line: scanner.line, emit: withoutIds(event) });
      },
      bad: (reason) => outcomes.push({ line: scanner.line, bad: reason }),
      skip: () => outcomes.push({ line: scanner.line, skip: true }),
    };
    const scanner = new Scanner(sink);
    return scanner;
  }

  /** The scanner on all the bytes at once. */
  function fastOutcomes(bytes: Uint8Array, counts?: PathCounts): Outcomes {
    const outcomes: Outcome[] = [];
    const result = newResult();
    const lines = recorder(outcomes, counts).scan(bytes, 0, bytes.length, 1, result);
    return { outcomes, damage: damage(result), lines };
  }

  /** The scanner fed by readChunks from a temporary file holding `bytes`; `read` is its result. */
  async function fastOutcomesFromFile(
    bytes: Uint8Array,
    readOptions: ReadOptions,
  ): Promise<Outcomes & { read: ReadResult }> {
    const path = await Deno.makeTempFile({ suffix: ".log" });
    try {
      await Deno.writeFile(path, bytes);
      const outcomes: Outcome[] = [];
      const scanner = recorder(outcomes);
      // a scanner with its own buffer (the WebAssembly one) reads the file in it, as parseFiles does
      const read = await readChunks(
        path,
        (...chunk) => scanner.scan(...chunk),
        scanner.buffer ? { ...readOptions, buffer: (n) => scanner.buffer!(n) } : readOptions,
      );
      return { outcomes, damage: damage(read), lines: read.lines, read };
    } finally {
      await Deno.remove(path);
    }
  }

  /** The scanner on all of `bytes` agrees with the reference; returns the reference outcomes. */
  function checkBytes(bytes: Uint8Array, counts?: PathCounts): Outcomes {
    const expected = referenceOutcomes(bytes);
    assertSameOutcomes(fastOutcomes(bytes, counts), expected, bytes);
    return expected;
  }

  /** The scanner fed by readChunks in chunks of each of `chunkBytes` also gives `expected`. */
  async function checkFromFile(
    bytes: Uint8Array,
    expected: Outcomes,
    chunkBytes: number | readonly number[],
  ): Promise<void> {
    for (const size of typeof chunkBytes === "number" ? [chunkBytes] : chunkBytes) {
      assertSameOutcomes(await fastOutcomesFromFile(bytes, { chunkBytes: size }), expected, bytes);
    }
  }

  /** {@linkcode checkBytes} on the lines joined, then {@linkcode checkFromFile} in small chunks. */
  async function checkLines(
    lines: readonly (string | Uint8Array)[],
    lineOptions: { chunkBytes?: number; eol?: string; counts?: PathCounts } = {},
  ): Promise<Outcomes> {
    const bytes = joinLines(lines, lineOptions.eol);
    const expected = checkBytes(bytes, lineOptions.counts);
    await checkFromFile(bytes, expected, lineOptions.chunkBytes ?? 1000);
    return expected;
  }

  /** {@linkcode checkBytes} on each line on its own (nothing cached from the line before). */
  function checkEachLine(lines: readonly (string | Uint8Array)[]): void {
    for (const line of lines) checkBytes(joinLines([line]));
  }

  /** A log of `lines` lines written by tools/generate_logs.ts with the harness's flag. */
  async function generatedLog(lines: number): Promise<Uint8Array> {
    const dir = await Deno.makeTempDir();
    try {
      const path = join(dir, "generated.log");
      await generateLog(generatorFlag, lines, path);
      return await Deno.readFile(path);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }

  /**
   * Register the tests every scanner gets: its text matchers, and agreement
   * with the reference on the templates (together, in small chunks and each
   * on its own), on adversarial lines, on every prefix of every template and
   * on 30,000 randomly damaged templates; and its line numbers around
   * over-long lines.
   */
  function testSharedCases(cases: SharedCases): void {
    const agrees = `${Scanner.name} agrees with ${createParser.name}() on`;
    const { templates, adversarial, maxTemplateLength = Infinity } = cases;
    const shortTemplates = templates.filter((line) => line.length <= maxTemplateLength);

    if (cases.textMatchers.length > 0) {
      Deno.test("every text matcher matches its text and nothing one byte off", () => {
        assertTextMatchers(cases.textMatchers);
      });
    }

    Deno.test(`${agrees} the ${cases.templatesName}`, async () => {
      await checkLines(templates, { chunkBytes: 1000 });
      checkEachLine(templates);
    });

    Deno.test(`${agrees} adversarial lines`, async () => {
      const lines = [...adversarial, ...templates.slice(0, 5), ...adversarial];
      const expected = await checkLines(lines, { chunkBytes: 500 });
      assertOk(expected.damage.invalidUtf8 > 0 && expected.damage.nulLines > 0);
      checkEachLine(adversarial);
    });

    Deno.test(`${agrees} every prefix of every template`, () => {
      checkBytes(joinLines(prefixes(shortTemplates)));
    });

    Deno.test(`${agrees} randomly damaged lines`, () => {
      const pieces = [...DAMAGE_PIECES, ...cases.damagePieces];
      checkBytes(joinLines(damagedLines(shortTemplates, pieces)));
    });

    Deno.test(`${Scanner.name} numbers lines around over-long lines skipped by readChunks`, async () => {
      const lines = cases.aroundLongLines;
      const { outcomes, read } = await fastOutcomesFromFile(joinLines(lines), {
        chunkBytes: 700,
        maxLineBytes: 1000,
      });
      assertEquals(read.longLines, 2);
      assertEquals(read.problems.map((p) => p.line), [2, 4]);
      // lines 1, 3 and 5 give the events they give on their own, numbered as in the file
      const kept = referenceOutcomes(joinLines([lines[0], lines[2], lines[4]])).outcomes;
      assertEquals(kept.map((o) => "emit" in o), [true, true, true]);
      assertEquals(outcomes, kept.map((o) => ({ ...o, line: 2 * o.line - 1 })));
    });
  }

  return { testSharedCases, checkBytes, checkFromFile, checkLines, generatedLog };
}

/** The checks of one scanner, made by {@linkcode scannerHarness}. */
export type ScannerHarness = ReturnType<typeof scannerHarness>;
