/**
 * The registry of line formats: how to recognise each by content, and how to
 * make its parser.
 *
 * @module
 */
import type { LogFormat, LogParser } from "./types.ts";
import { createSyslogParser, sniffSyslog } from "./syslog.ts";
import { createJournalJsonParser, sniffJournalJson } from "./journal.ts";
import { createFail2banParser, sniffFail2ban } from "./fail2ban.ts";
import { createFail2banStatusParser, sniffFail2banStatus } from "./fail2ban_status.ts";
import { createFail2banBlacklistParser, sniffFail2banBlacklist } from "./fail2ban_blacklist.ts";
import { createHttpAccessParser, sniffHttpAccess } from "./http_access.ts";
import { createHttpErrorParser, sniffHttpError } from "./http_error.ts";

/** A line format: recogniser and parser factory. */
export interface LineFormat {
  format: Exclude<LogFormat, "fail2ban-sqlite">;
  sniff(line: string): boolean;
  create(): LogParser;
}

/** Every line format, most specific first (ties in sniffing go to the earlier). */
export const LINE_FORMATS: readonly LineFormat[] = [
  { format: "fail2ban", sniff: sniffFail2ban, create: createFail2banParser },
  { format: "fail2ban-status", sniff: sniffFail2banStatus, create: createFail2banStatusParser },
  {
    format: "fail2ban-blacklist",
    sniff: sniffFail2banBlacklist,
    create: createFail2banBlacklistParser,
  },
  { format: "journal-json", sniff: sniffJournalJson, create: createJournalJsonParser },
  { format: "http-access", sniff: sniffHttpAccess, create: createHttpAccessParser },
  { format: "http-error", sniff: sniffHttpError, create: createHttpErrorParser },
  { format: "syslog", sniff: sniffSyslog, create: createSyslogParser },
];

/** The parser factory of a line format. */
export function lineFormat(format: LogFormat): LineFormat {
  const found = LINE_FORMATS.find((f) => f.format === format);
  if (!found) throw new TypeError(`"${format}" is not a line format`);
  return found;
}

/**
 * The format most of `lines` are in, or undefined when fewer than half of
 * them match any format.
 */
export function sniffFormat(lines: readonly string[]): LogFormat | undefined {
  if (lines.length === 0) return undefined;
  let best: LogFormat | undefined;
  let bestCount = 0;
  for (const f of LINE_FORMATS) {
    let count = 0;
    for (const line of lines) {
      try {
        if (f.sniff(line)) count++;
      } catch { /* a sniffer must not throw; treat as no match */ }
    }
    if (count > bestCount) {
      best = f.format;
      bestCount = count;
    }
  }
  return bestCount * 2 >= lines.length ? best : undefined;
}
