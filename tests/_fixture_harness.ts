/**
 * Test harness for parser fixtures in the fail2ban `failJSON` style.
 *
 * A fixture is a text file of sample log lines. Each sample line is preceded
 * by one expectation comment:
 *
 * ```
 * # failJSON: {"kind": "failed_password", "ip": "192.0.2.1", "user": "root", "pattern": "failedPassword"}
 * Jan 28 07:01:57 host sshd[123]: Failed password for root from 192.0.2.1 port 22 ssh2
 * # failJSON: {"match": false}
 * Jan 28 07:01:58 host sshd[123]: pam_unix(sshd:session): session opened for user bob
 * # failJSON: [{"kind": "banned", "ip": "192.0.2.1"}, {"kind": "banned", "ip": "192.0.2.2"}]
 * ...
 * # failJSON: {"bad": true}
 * garbage that the parser must report as bad
 * ```
 *
 * - An object expects exactly one event, an array expects those events in
 *   order, `{"match": false}` expects no event and no bad report,
 *   `{"bad": true}` expects a bad report and no event.
 * - Only the keys written are compared (`time` as ISO 8601 UTC).
 * - A line `# failJSON-skip` means the next line is fed but not checked (used
 *   for multi-line state such as continuation lines).
 * - Other lines starting with `#` are comments. Lines after `# failJSON` are
 *   sample lines even if they start with `#`.
 * - Every key of the parser's `PATTERNS` must be named by at least one
 *   `"pattern"` expectation, or the test fails.
 *
 * Times: syslog stamps are placed in `options.year`, wall-clock stamps are
 * read as UTC; tests run with `TZ=UTC`.
 *
 * @module
 */
import { assertEquals } from "./_assert.ts";
import type { LineSink, LogParser, ParsedEvent } from "../lib/logs/types.ts";
import { TimeKind } from "../lib/logs/types.ts";
import { KINDS } from "../lib/logs/kinds.ts";
import { placeInYear } from "../lib/logs/time.ts";

/** One sample line and what must come of it. */
export interface FixtureCase {
  /** 1-based line number of the sample in the fixture file. */
  line: number;
  text: string;
  expect: Record<string, unknown>[] | "none" | "bad" | "unchecked";
}

/** Read a fixture file into cases. */
export function readFixture(text: string): FixtureCase[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const cases: FixtureCase[] = [];
  let pending: FixtureCase["expect"] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (pending === undefined) {
      if (line.startsWith("# failJSON-skip")) {
        pending = "unchecked";
        continue;
      }
      if (line.startsWith("# failJSON:")) {
        const json = JSON.parse(line.slice("# failJSON:".length));
        if (Array.isArray(json)) pending = json;
        else if (json.match === false) pending = "none";
        else if (json.bad === true) pending = "bad";
        else pending = [json];
        continue;
      }
      if (line.startsWith("#") || line.trim() === "") continue;
      throw new Error(`fixture line ${i + 1} has no failJSON expectation: ${line}`);
    }
    cases.push({ line: i + 1, text: line, expect: pending });
    pending = undefined;
  }
  return cases;
}

/** An event as the harness compares it: kind name, ISO time. */
export function describeEvent(e: ParsedEvent, year: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(e)) {
    if (value === undefined || key === "timeKind") continue;
    out[key] = value;
  }
  out.kind = KINDS[e.kind].name;
  out.suspicious = e.suspicious ?? KINDS[e.kind].suspicious;
  let t = e.time;
  if (e.timeKind === TimeKind.SyslogWall) t = placeInYear(t, year);
  out.time = e.timeKind === TimeKind.None || Number.isNaN(t)
    ? undefined
    : new Date(t).toISOString();
  return out;
}

/** Feed lines to a parser and collect what it reports. */
export function collect(
  parser: LogParser,
  lines: string[],
  year = 2024,
): { events: Record<string, unknown>[][]; bad: string[][] } {
  const events: Record<string, unknown>[][] = [];
  const bad: string[][] = [];
  let current = 0;
  const sink: LineSink = {
    emit: (e) => events[current].push(describeEvent({ ...e }, year)),
    bad: (reason) => bad[current].push(reason),
  };
  for (let i = 0; i < lines.length; i++) {
    current = i;
    events[i] = [];
    bad[i] = [];
    parser.parseLine(lines[i], sink);
  }
  current = lines.length - 1;
  parser.end?.(sink);
  return { events, bad };
}

/** Options of {@linkcode checkFixture}. */
export interface CheckOptions {
  /** Year for syslog stamps. @default 2024 */
  year?: number;
  /** The parser module's `PATTERNS`: each must have a sample. */
  patterns?: Record<string, unknown>;
}

/**
 * Run a parser over a fixture file and check every expectation, as `t.step`s
 * named by the fixture line, then that every pattern has a sample.
 */
export async function checkFixture(
  t: Deno.TestContext,
  fixturePath: string,
  makeParser: () => LogParser,
  options: CheckOptions = {},
): Promise<void> {
  const cases = readFixture(await Deno.readTextFile(fixturePath));
  const { events, bad } = collect(makeParser(), cases.map((c) => c.text), options.year ?? 2024);
  const seenPatterns = new Set<string>();
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const expect = c.expect;
    if (expect === "unchecked") continue;
    await t.step(`${fixturePath.split("/").pop()}:${c.line} ${c.text.slice(0, 70)}`, () => {
      if (expect === "none") {
        assertEquals(events[i], [], "expected no event");
        assertEquals(bad[i], [], "expected no bad-line report");
      } else if (expect === "bad") {
        assertEquals(events[i], [], "expected no event");
        if (bad[i].length === 0) throw new Error("expected a bad-line report");
      } else {
        assertEquals(bad[i], [], "expected no bad-line report");
        assertEquals(events[i].length, expect.length, "number of events");
        expect.forEach((want, j) => {
          const got = events[i][j];
          const picked: Record<string, unknown> = {};
          for (const key of Object.keys(want)) picked[key] = got[key];
          assertEquals(picked, want);
          if (typeof want.pattern === "string") seenPatterns.add(want.pattern);
        });
      }
    });
  }
  if (options.patterns) {
    const missing = Object.keys(options.patterns).filter((p) => !seenPatterns.has(p));
    if (missing.length > 0) {
      throw new Error(`patterns without a sample in ${fixturePath}: ${missing.join(", ")}`);
    }
  }
}
