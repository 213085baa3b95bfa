/**
 * Parser for saved output of `fail2ban-client status <jail>` (and of
 * `fail2ban-client banned`): the addresses fail2ban had banned when the
 * output was taken. The output carries no time, so events have
 * {@linkcode TimeKind.None}.
 *
 * ```
 * Status for the jail: sshd
 * |- Filter
 * |  |- Currently failed:	2
 * |  |- Total failed:	125
 * |  `- File list:	/var/log/auth.log
 * `- Actions
 *    |- Currently banned:	3
 *    |- Total banned:	40
 *    `- Banned IP list:	192.0.2.1 192.0.2.2 2001:db8::5
 * ```
 *
 * fail2ban 0.8 wrote the list as `|  `- IP list:` under `|- Currently banned:`.
 * Several outputs may follow each other in one file; each
 * `Status for the jail:` line starts a new jail. Lines echoing a
 * `fail2ban-client` command (a shell prompt in a terminal capture) are skipped.
 *
 * A long list copied from a terminal may be hard-wrapped onto following
 * lines, possibly in the middle of an address. Lines after the list that are
 * not part of the status tree continue it, and the last address of a line is
 * held back until the next line shows whether the wrap split it: a held
 * address is reported with the next line, or when the input ends.
 *
 * @module
 */
import { kindIndex } from "./kinds.ts";
import { normalizeIp } from "./ip.ts";
import type { LineSink, LogParser, ParsedEvent } from "./types.ts";
import { TimeKind } from "./types.ts";

/** Where a listed address came from, by pattern name (the `pattern` of each event). */
export const PATTERNS = {
  /** An address on the `` `- Banned IP list: `` line (`IP list:` in 0.8). */
  bannedIpList: "`- Banned IP list:\t<ip> <ip> …",
  /** An address on a line that continues a hard-wrapped list, or joined across the wrap. */
  bannedIpListWrapped: "<ip> <ip> … (continuation of the Banned IP list)",
  /** An address in `fail2ban-client banned` output: `[{'sshd': ['192.0.2.1']}]`. */
  bannedCommand: "[{'<jail>': ['<ip>', …]}, …]",
} as const;

/** Name of one of {@linkcode PATTERNS}. */
export type Fail2banStatusPattern = keyof typeof PATTERNS;

const BANNED = kindIndex("banned");
const SPACE = 32;
const TAB = 9;
const JAIL_HEADER = "Status for the jail:";

/** True for a space or a tab. */
function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** Index of the first character that is not a space or a tab at or after `pos`. */
function skipBlanks(line: string, pos: number, end: number): number {
  while (pos < end && isBlank(line.charCodeAt(pos))) pos++;
  return pos;
}

/**
 * The label of a status tree line (`|  |- Total failed:\t125` → `Total failed`)
 * and where its value starts, or undefined when `line` is not a tree line.
 */
function treeItem(
  line: string,
  end: number,
): { label: string; valueStart: number } | undefined {
  const start = skipBlanks(line, 0, end);
  const first = line.charCodeAt(start);
  if (first !== 124 /* | */ && first !== 96 /* ` */) return undefined;
  let pos = start;
  for (; pos < end; pos++) {
    const c = line.charCodeAt(pos);
    if (c !== 124 && c !== 96 && c !== 45 /* - */ && !isBlank(c)) break;
  }
  const colon = line.indexOf(":", pos);
  if (colon === -1 || colon >= end) return { label: line.slice(pos, end).trim(), valueStart: end };
  return { label: line.slice(pos, colon).trim(), valueStart: colon + 1 };
}

/**
 * True when `line` looks like `fail2ban-client status` or
 * `fail2ban-client banned` output.
 *
 * @example
 * ```ts
 * import { sniffFail2banStatus } from "./fail2ban_status.ts";
 * sniffFail2banStatus("Status for the jail: sshd"); // true
 * sniffFail2banStatus("DATE,TIME,IP_ADDRESS"); // false
 * ```
 */
export function sniffFail2banStatus(line: string): boolean {
  if (line.startsWith(JAIL_HEADER)) return true;
  const trimmed = line.trim();
  if (trimmed === "Status") return true;
  if (trimmed.startsWith("[{'") || trimmed.startsWith('[{"')) return true;
  // every line of the tree (`|- Filter`, `|  |- Currently failed:\t2`, `` `- Banned IP list: ``)
  // counts, so a whole saved status output is recognised by content
  return treeItem(line, line.length) !== undefined;
}

/**
 * Create a parser for saved `fail2ban-client status <jail>` output. Emits one
 * `banned` event per listed address, with the jail; a token of the list that
 * is not an address is reported as bad.
 *
 * @example
 * ```ts
 * import { createFail2banStatusParser } from "./fail2ban_status.ts";
 * import type { LineSink } from "./types.ts";
 * const parser = createFail2banStatusParser();
 * const sink: LineSink = { emit: (e) => console.log(e.jail, e.ip), bad: console.error };
 * parser.parseLine("Status for the jail: sshd", sink);
 * parser.parseLine("`- Banned IP list:\t192.0.2.1", sink);
 * parser.end?.(sink); // sshd 192.0.2.1
 * ```
 */
export function createFail2banStatusParser(): LogParser {
  const event: ParsedEvent = {
    time: NaN,
    timeKind: TimeKind.None,
    kind: BANNED,
    ip: undefined,
  };
  /** The jail of the `Status for the jail:` line in force. */
  let jail: string | undefined;
  /** What the lines after the last tree line continue. */
  let section: "none" | "ips" | "other" = "none";
  /** Last token of the previous list line, when a wrap may have split it. */
  let held: string | undefined;
  let heldJail: string | undefined;
  let heldPattern: Fail2banStatusPattern = "bannedIpList";

  const report = (
    text: string,
    eventJail: string | undefined,
    pattern: Fail2banStatusPattern,
    sink: LineSink,
  ): void => {
    const ip = normalizeIp(text);
    if (ip === undefined) {
      sink.bad(`not an IP address in the banned list: "${text.slice(0, 60)}"`);
      return;
    }
    event.ip = ip;
    event.jail = eventJail;
    event.pattern = pattern;
    sink.emit(event);
  };

  const flushHeld = (sink: LineSink): void => {
    if (held === undefined) return;
    const text = held;
    held = undefined;
    report(text, heldJail, heldPattern, sink);
  };

  /** Report the whitespace-separated tokens of `line[from, end)`, holding back the last one. */
  const listTokens = (
    line: string,
    from: number,
    end: number,
    pattern: Fail2banStatusPattern,
    sink: LineSink,
  ): void => {
    let pos = from;
    // A wrap that split an address leaves no blank on either side of the break.
    if (held !== undefined) {
      if (pos < end && !isBlank(line.charCodeAt(pos))) {
        const tokenEnd = nextBlank(line, pos, end);
        const token = line.slice(pos, tokenEnd);
        const joined = held + token;
        const splitByWrap = (normalizeIp(held) === undefined || normalizeIp(token) === undefined) &&
          normalizeIp(joined) !== undefined;
        if (splitByWrap) {
          held = undefined;
          pos = tokenEnd;
          if (tokenEnd === end) {
            held = joined;
            heldJail = jail;
            heldPattern = "bannedIpListWrapped";
            return;
          }
          report(joined, jail, "bannedIpListWrapped", sink);
        }
      }
      flushHeld(sink);
    }
    for (;;) {
      pos = skipBlanks(line, pos, end);
      if (pos >= end) return;
      const tokenEnd = nextBlank(line, pos, end);
      const token = line.slice(pos, tokenEnd);
      if (tokenEnd === end) {
        held = token;
        heldJail = jail;
        heldPattern = pattern;
        return;
      }
      report(token, jail, pattern, sink);
      pos = tokenEnd;
    }
  };

  const parseLine = (line: string, sink: LineSink): void => {
    let end = line.length;
    if (end > 0 && line.charCodeAt(end - 1) === 13 /* \r */) end--;
    const start = skipBlanks(line, 0, end);
    if (start === end) {
      flushHeld(sink);
      if (section === "ips") section = "other";
      sink.skip?.();
      return;
    }
    if (line.startsWith(JAIL_HEADER, start)) {
      flushHeld(sink);
      const name = line.slice(start + JAIL_HEADER.length, end).trim();
      if (name.length === 0) {
        sink.bad("no jail name after Status for the jail:");
        return;
      }
      jail = name;
      section = "other";
      sink.skip?.();
      return;
    }
    const item = treeItem(line, end);
    if (item !== undefined) {
      flushHeld(sink);
      if (item.label === "Banned IP list" || item.label === "IP list") {
        section = "ips";
        listTokens(line, item.valueStart, end, "bannedIpList", sink);
      } else {
        section = "other";
        sink.skip?.();
      }
      return;
    }
    if (line.charCodeAt(start) === 91 /* [ */) {
      flushHeld(sink);
      section = "other";
      parseBannedCommand(line, start, end, sink);
      return;
    }
    if (line.slice(start, end) === "Status" || line.includes("fail2ban-client")) {
      flushHeld(sink);
      if (line.slice(start, end) === "Status") jail = undefined;
      section = "other";
      sink.skip?.();
      return;
    }
    if (section === "ips") listTokens(line, 0, end, "bannedIpListWrapped", sink);
    else if (section === "other") sink.skip?.(); // a wrapped value of another item
    else sink.bad("not fail2ban-client status output");
  };

  /** `[{'sshd': ['192.0.2.1', '192.0.2.2']}, {'nginx': []}]`: all or nothing. */
  const parseBannedCommand = (line: string, start: number, end: number, sink: LineSink): void => {
    const found: { jail: string; ip: string | undefined; text: string }[] = [];
    let pos = start + 1;
    /** Read a quoted string at `pos`, or undefined. */
    const quoted = (): string | undefined => {
      pos = skipBlanks(line, pos, end);
      const quote = line.charCodeAt(pos);
      if (quote !== 39 /* ' */ && quote !== 34 /* " */) return undefined;
      const close = line.indexOf(line[pos], pos + 1);
      if (close === -1 || close >= end) return undefined;
      const text = line.slice(pos + 1, close);
      pos = close + 1;
      return text;
    };
    /** Consume `char` (after blanks) if it is next. */
    const accept = (char: number): boolean => {
      pos = skipBlanks(line, pos, end);
      if (line.charCodeAt(pos) !== char) return false;
      pos++;
      return true;
    };
    const malformed = () => sink.bad("malformed fail2ban-client banned output");
    if (!accept(93 /* ] */)) {
      do {
        if (!accept(123 /* { */)) return malformed();
        if (!accept(125 /* } */)) {
          do {
            const name = quoted();
            if (name === undefined || !accept(58 /* : */) || !accept(91 /* [ */)) {
              return malformed();
            }
            if (!accept(93)) {
              do {
                const text = quoted();
                if (text === undefined) return malformed();
                found.push({ jail: name, ip: normalizeIp(text), text });
              } while (accept(44 /* , */));
              if (!accept(93)) return malformed();
            }
          } while (accept(44));
          if (!accept(125)) return malformed();
        }
      } while (accept(44));
      if (!accept(93)) return malformed();
    }
    if (skipBlanks(line, pos, end) !== end) return malformed();
    for (const entry of found) {
      if (entry.ip === undefined) {
        sink.bad(`not an IP address in the banned list: "${entry.text.slice(0, 60)}"`);
        continue;
      }
      event.ip = entry.ip;
      event.jail = entry.jail;
      event.pattern = "bannedCommand";
      sink.emit(event);
    }
    if (found.length === 0) sink.skip?.();
  };

  return {
    format: "fail2ban-status",
    parseLine,
    end(sink: LineSink): void {
      flushHeld(sink);
    },
  };
}

/** Index of the next space or tab at or after `pos`, or `end`. */
function nextBlank(line: string, pos: number, end: number): number {
  while (pos < end && !isBlank(line.charCodeAt(pos))) pos++;
  return pos;
}
