/**
 * The registry of line formats: how to recognise each by content, and how to
 * make its parser. Each format's module is loaded when it is first needed:
 * reading an auth.log loads neither the web nor the fail2ban parsers (some
 * 5–10 ms of a `parse --summary` run's start).
 *
 * @module
 */
import type { LogFormat, LogParser } from "./types.ts";

/** A line format: recogniser and parser factory. */
export interface LineFormat {
  format: Exclude<LogFormat, "fail2ban-sqlite">;
  sniff(line: string): boolean;
  create(): LogParser;
}

type LineFormatName = LineFormat["format"];

/** How to load each line format, most specific first (ties in sniffing go to the earlier). */
const LOADERS: readonly [LineFormatName, () => Promise<Omit<LineFormat, "format">>][] = [
  ["fail2ban", async () => {
    const m = await import("./fail2ban.ts");
    return { sniff: m.sniffFail2ban, create: m.createFail2banParser };
  }],
  ["fail2ban-status", async () => {
    const m = await import("./fail2ban_status.ts");
    return { sniff: m.sniffFail2banStatus, create: m.createFail2banStatusParser };
  }],
  ["fail2ban-blacklist", async () => {
    const m = await import("./fail2ban_blacklist.ts");
    return { sniff: m.sniffFail2banBlacklist, create: m.createFail2banBlacklistParser };
  }],
  ["journal-json", async () => {
    const m = await import("./journal.ts");
    return { sniff: m.sniffJournalJson, create: m.createJournalJsonParser };
  }],
  ["http-access", async () => {
    const m = await import("./http_access.ts");
    return { sniff: m.sniffHttpAccess, create: m.createHttpAccessParser };
  }],
  ["http-error", async () => {
    const m = await import("./http_error.ts");
    return { sniff: m.sniffHttpError, create: m.createHttpErrorParser };
  }],
  ["syslog", async () => {
    const m = await import("./syslog.ts");
    return { sniff: m.sniffSyslog, create: m.createSyslogParser };
  }],
];

/** The line formats in sniffing order. */
export const LINE_FORMAT_NAMES: readonly LineFormatName[] = LOADERS.map(([name]) => name);

const loaded = new Map<LogFormat, Promise<LineFormat>>();

/** A line format, its module loaded. */
export function lineFormat(format: LogFormat): Promise<LineFormat> {
  let found = loaded.get(format);
  if (found === undefined) {
    const loader = LOADERS.find(([name]) => name === format);
    if (!loader) throw new TypeError(`"${format}" is not a line format`);
    found = loader[1]().then((f) => ({ format: loader[0], ...f }));
    loaded.set(format, found);
  }
  return found;
}

/** How many of `lines` `format` recognises. */
function matches(format: LineFormat, lines: readonly string[]): number {
  let count = 0;
  for (const line of lines) {
    try {
      if (format.sniff(line)) count++;
    } catch { /* a sniffer must not throw; treat as no match */ }
  }
  return count;
}

/**
 * The format most of `lines` are in, or undefined when fewer than half of
 * them match any format. When `likely` (the format the file's name says)
 * recognises every line, it is the answer without trying the others (nor
 * loading them).
 */
export async function sniffFormat(
  lines: readonly string[],
  likely?: LogFormat,
): Promise<LogFormat | undefined> {
  if (lines.length === 0) return undefined;
  if (likely !== undefined && LINE_FORMAT_NAMES.includes(likely as LineFormatName)) {
    if (matches(await lineFormat(likely), lines) === lines.length) return likely;
  }
  let best: LogFormat | undefined;
  let bestCount = 0;
  for (const name of LINE_FORMAT_NAMES) {
    const count = matches(await lineFormat(name), lines);
    if (count > bestCount) {
      best = name;
      bestCount = count;
    }
  }
  return bestCount * 2 >= lines.length ? best : undefined;
}
