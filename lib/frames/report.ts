/**
 * Frames of what was read and looked up: files, bad lines, provider
 * statistics, failed IPs. Small, but shown as tables in the notebooks.
 *
 * @module
 */
import pl from "nodejs-polars";
import type { ParseReport } from "../logs/pipeline.ts";
import type { LookupResult } from "../geo/lookup.ts";

/** Build a frame from rows, keeping the columns (and string types) when there are no rows. */
function frameOf(
  columns: readonly string[],
  rows: Record<string, unknown>[],
  integers: readonly string[] = [],
): pl.DataFrame {
  const typeOf = (c: string) => (integers.includes(c) ? pl.Int64 : pl.Utf8);
  if (rows.length === 0) {
    return pl.DataFrame(Object.fromEntries(columns.map((c) => [c, pl.Series(c, [], typeOf(c))])));
  }
  const series = columns.map((c) => pl.Series(c, rows.map((r) => r[c] ?? null), typeOf(c)));
  return pl.DataFrame(series);
}

/** One row per file read: format, lines, events, bad and damaged lines, how its year was decided. */
export function filesFrame(report: ParseReport): pl.DataFrame {
  return frameOf(
    [
      "path",
      "format",
      "lines",
      "events",
      "bad",
      "damaged",
      "year",
      "incomplete",
      "first_time",
      "last_time",
    ],
    report.files.map((f) => ({
      path: f.path,
      format: f.format,
      lines: f.lines,
      events: f.events,
      bad: f.bad,
      damaged: f.damaged,
      year: f.year?.detail ?? null,
      incomplete: f.incomplete ?? null,
      first_time: Number.isNaN(f.firstTime) ? null : new Date(f.firstTime).toISOString(),
      last_time: Number.isNaN(f.lastTime) ? null : new Date(f.lastTime).toISOString(),
    })),
    ["lines", "events", "bad", "damaged"],
  );
}

/** One row per reported problem (bad line, damaged bytes, unreadable file), with file and line. */
export function problemsFrame(report: ParseReport): pl.DataFrame {
  return frameOf(
    ["file", "line", "reason", "text"],
    report.files.flatMap((f) => [
      ...f.problems.map((p) => ({
        file: f.path,
        line: p.line,
        reason: p.reason,
        text: p.text ?? null,
      })),
      ...(f.incomplete ? [{ file: f.path, line: null, reason: f.incomplete, text: null }] : []),
    ]),
    ["line"],
  );
}

/** Per provider: answered, from cache, asked, not found, failed. */
export function lookupStatsFrame(lookup: LookupResult): pl.DataFrame {
  return frameOf(
    [
      "provider",
      "kind",
      "asked",
      "answered",
      "fromCache",
      "fetched",
      "notFound",
      "failed",
      "notAsked",
      "expired",
    ],
    lookup.stats as unknown as Record<string, unknown>[],
    ["asked", "answered", "fromCache", "fetched", "notFound", "failed", "notAsked", "expired"],
  );
}

/** IPs that could not be looked up, with the provider and reason. */
export function failedIpsFrame(lookup: LookupResult): pl.DataFrame {
  const rows = lookup.failed.map((f) => ({ ...f, retryable: String(f.retryable) }));
  return frameOf(["ip", "provider", "reason", "retryable"], rows);
}
