/**
 * Reading discovered log files into a consumer of events: the one place
 * where files, line numbers, years and time zones meet the pure parsers.
 *
 * Syslog files (auth.log, secure) and fail2ban.log, the large ones, are read
 * as bytes by {@linkcode SyslogWasmScanner} (WebAssembly, with
 * `SyslogScanner` behind it) and `Fail2banScanner` (fail2ban_fast.ts),
 * which hand the lines they are not sure about to the string parser of their
 * format; the other formats are read line by line.
 *
 * @module
 */
import { describeFsError, type LogFile } from "./discover.ts";
import { lineFormat } from "./formats.ts";
import { copyString, readChunks, readLines, type ReadResult } from "./read.ts";
import { SyslogWasmScanner } from "./syslog_wasm.ts";
import { TimeKind } from "./types.ts";
import type { EventRecords, LineSink, LogFormat, ParsedEvent } from "./types.ts";
import {
  defaultTimeZone,
  parseSyslogStamp,
  placeInYear,
  type SyslogTimes,
  type YearInference,
  ZoneConverter,
} from "./time.ts";

/** Receives every event, with its UTC time and provenance. */
export interface EventConsumer {
  /**
   * One event. `event` (and its strings, which may be slices of a large
   * chunk) is only valid during the call: copy what you keep.
   * @param time UTC milliseconds, NaN when the event has no time.
   * @param file index into `ParseReport.files`.
   * @param line 1-based line (row id for databases).
   */
  add(event: ParsedEvent, time: number, file: number, line: number): void;
  /**
   * Many events at once, their `times` already UTC ms (NaN: none); records
   * with `kindOf(k)` -1 are lines passed over. Optional: without it each
   * event goes to `add`.
   */
  addRecords?(records: EventRecords, file: number): void;
}

/**
 * Hand `records` (their times UTC ms) to `consumer`: all at once when it
 * takes them so, else one event at a time.
 */
export function addRecordsTo(consumer: EventConsumer, records: EventRecords, file: number): void {
  if (consumer.addRecords !== undefined) {
    consumer.addRecords(records, file);
    return;
  }
  const times = records.times;
  for (let k = 0; k < records.count; k++) {
    if (records.kindOf(k) >= 0) consumer.add(records.eventOf(k), times[k], file, records.lineOf(k));
  }
}

/** A line that could not be used. */
export interface LineProblem {
  line: number;
  reason: string;
  /** The start of the line (at most 160 characters), as data. */
  text?: string;
}

/** What happened to one file. */
export interface FileReport {
  path: string;
  format: LogFormat;
  lines: number;
  bytes: number;
  events: number;
  /** Lines not of the file's format. */
  bad: number;
  /** Lines with invalid UTF-8, NUL bytes or over-long (subset of problems). */
  damaged: number;
  /** The first problems (at most 200), with line numbers. */
  problems: LineProblem[];
  /** How the year of syslog stamps was decided (syslog files only). */
  year?: YearInference;
  /** The file could not be read to the end (truncated gzip, read error). */
  incomplete?: string;
  /** First and last event time (UTC ms), NaN when none. */
  firstTime: number;
  lastTime: number;
}

/** Options of {@linkcode parseFiles}. */
export interface ParseOptions {
  /** Time zone of zone-less stamps. @default the machine's zone */
  timeZone?: string;
  /** Force the year of syslog stamps in every file (the year of the first stamp). */
  year?: number;
  /** Called before each file is read (for progress). */
  onFile?: (file: LogFile, index: number, total: number) => void;
  /** Longest line kept, in bytes. @default 65536 */
  maxLineBytes?: number;
}

/** The result of {@linkcode parseFiles}: per-file reports. */
export interface ParseReport {
  files: FileReport[];
  timeZone: string;
}

const DAY = 86_400_000;
const MAX_PROBLEMS = 200;

/** The first syslog stamp of a file (provisional), NaN when none in its head. */
async function firstSyslogStamp(file: LogFile): Promise<number> {
  let first = NaN;
  try {
    await readLines(file.path, (line) => {
      if (Number.isNaN(first)) first = parseSyslogStamp(line, 0);
    }, { gzip: file.gzip, limitBytes: 65_536, chunkBytes: 65_536 });
  } catch { /* unreadable: reported when the file is read */ }
  return first;
}

/**
 * Decide the year of the first syslog stamp of each syslog file: the latest
 * year in which that stamp is not after the file's reference time — its
 * modification time, or the first stamp of the next newer file in the same
 * rotation set when that is earlier — allowing a day of slack for zones.
 */
async function inferYears(
  files: readonly LogFile[],
  zone: ZoneConverter,
  forcedYear: number | undefined,
): Promise<Map<LogFile, { year: number; method: YearInference["method"]; reference: number }>> {
  const out = new Map<
    LogFile,
    { year: number; method: YearInference["method"]; reference: number }
  >();
  // newest first within each group
  const syslog = files.filter((f) => f.format === "syslog");
  let nextGroup = "";
  let newerFirst = NaN; // UTC ms of the first stamp of the next newer file in the group
  for (let i = syslog.length - 1; i >= 0; i--) {
    const file = syslog[i];
    if (file.group !== nextGroup) {
      nextGroup = file.group;
      newerFirst = NaN;
    }
    if (forcedYear !== undefined) {
      out.set(file, { year: forcedYear, method: "--year", reference: NaN });
      continue;
    }
    const first = await firstSyslogStamp(file);
    let reference = file.mtime?.getTime() ?? NaN;
    let method: YearInference["method"] = "mtime";
    if (!Number.isNaN(newerFirst) && (Number.isNaN(reference) || newerFirst < reference)) {
      reference = newerFirst;
      method = "newer file";
    }
    if (Number.isNaN(reference)) {
      reference = Date.now();
      method = "clock";
    }
    let year = new Date(reference).getUTCFullYear();
    if (!Number.isNaN(first)) {
      const refWall = reference + zone.offsetAt(reference);
      year = new Date(refWall).getUTCFullYear();
      while (placeInYear(first, year) > refWall + DAY && year > 1970) year--;
    }
    out.set(file, { year, method, reference });
    if (!Number.isNaN(first)) newerFirst = zone.toUtc(placeInYear(first, out.get(file)!.year));
  }
  return out;
}

/**
 * Read `files` in order and hand every event to `consumer`. Bad lines, damaged
 * bytes and unreadable files are reported in the result, never thrown.
 */
export async function parseFiles(
  files: readonly LogFile[],
  consumer: EventConsumer,
  options: ParseOptions = {},
): Promise<ParseReport> {
  const zone = new ZoneConverter(options.timeZone ?? defaultTimeZone());
  const years = await inferYears(files, zone, options.year);
  const reports: FileReport[] = [];
  for (let index = 0; index < files.length; index++) {
    const file = files[index];
    options.onFile?.(file, index, files.length);
    const report: FileReport = {
      path: file.path,
      format: file.format,
      lines: 0,
      bytes: 0,
      events: 0,
      bad: 0,
      damaged: 0,
      problems: [],
      firstTime: NaN,
      lastTime: NaN,
    };
    reports.push(report);
    try {
      if (file.format === "fail2ban-sqlite") await readDatabase(file, index, report, consumer);
      else await readLineFile(file, index, report, consumer, zone, years.get(file), options);
    } catch (error) {
      report.incomplete = describeFsError(error);
    }
  }
  return { files: reports, timeZone: zone.timeZone };
}

function noteTime(report: FileReport, time: number): void {
  if (!(report.firstTime <= time)) report.firstTime = time; // also replaces NaN
  if (!(report.lastTime >= time)) report.lastTime = time;
}

async function readLineFile(
  file: LogFile,
  index: number,
  report: FileReport,
  consumer: EventConsumer,
  zone: ZoneConverter,
  yearInfo: { year: number; method: YearInference["method"]; reference: number } | undefined,
  options: ParseOptions,
) {
  const parser = (await lineFormat(file.format)).create();
  const firstYear = yearInfo?.year ?? NaN;
  /** The clock of a syslog file: its WebAssembly scanner's (the only source of syslog stamps). */
  let clock: SyslogTimes | undefined;
  /** Where the reader is: the line number and (for bad lines) the text. */
  let cursor: { line: number; text: string } = { line: 0, text: "" };
  const sink: LineSink = {
    emit(event) {
      let time: number;
      switch (event.timeKind) {
        case TimeKind.SyslogWall: // the usual case first
          time = clock!.utc(event.time);
          break;
        case TimeKind.Absolute:
          time = event.time;
          break;
        case TimeKind.Wall:
          time = zone.toUtc(event.time);
          break;
        default:
          time = NaN;
      }
      if (time === time) noteTime(report, time);
      report.events++;
      consumer.add(event, time, index, cursor.line);
    },
    emitRecords(records) {
      // (their times were placed by the scanner's clock, which is `clock`)
      if (records.eventCount > 0) {
        report.events += records.eventCount;
        noteTime(report, records.firstTime);
        noteTime(report, records.lastTime);
      }
      addRecordsTo(consumer, records, index);
    },
    bad(reason) {
      report.bad++;
      if (report.problems.length < MAX_PROBLEMS) {
        report.problems.push({
          line: cursor.line,
          reason,
          text: copyString(cursor.text.slice(0, 160)),
        });
      }
    },
  };
  const readOptions = { gzip: file.gzip, maxLineBytes: options.maxLineBytes };
  let result: ReadResult;
  if (file.format === "syslog" || file.format === "fail2ban") {
    // the byte scanner, which hands the lines it is not sure about to the string parser
    // (fail2ban's module is loaded for a fail2ban file only)
    const scanner = file.format === "syslog"
      ? new SyslogWasmScanner(sink)
      : new (await import("./fail2ban_fast.ts")).Fail2banScanner(sink);
    // the WebAssembly scanner places its events' times itself: every event of the file uses its clock
    if (scanner instanceof SyslogWasmScanner) clock = scanner.startClock(firstYear, zone);
    cursor = scanner;
    result = await readChunks(
      file.path,
      (bytes, start, end, firstLine, read) => scanner.scan(bytes, start, end, firstLine, read),
      scanner instanceof SyslogWasmScanner
        ? { ...readOptions, buffer: (bytes) => scanner.buffer(bytes) }
        : readOptions,
    );
  } else {
    const position = { line: 0, text: "" };
    cursor = position;
    result = await readLines(file.path, (text, line) => {
      position.line = line;
      position.text = text;
      try {
        parser.parseLine(text, sink);
      } catch (error) {
        // a parser must not throw; if one does, the line is reported, not the run
        sink.bad(`parser error: ${(error as Error).message}`);
      }
    }, readOptions);
  }
  parser.end?.(sink);
  report.lines = result.lines + result.longLines;
  report.bytes = result.bytes;
  report.damaged = result.invalidUtf8 + result.nulLines + result.longLines;
  for (const p of result.problems) {
    if (report.problems.length < MAX_PROBLEMS) {
      report.problems.push({ line: p.line, reason: p.reason });
    }
  }
  report.problems.sort((a, b) => a.line - b.line);
  if (result.truncated) {
    report.incomplete = result.problems.find((p) => p.line === 0)?.reason ?? "truncated";
  }
  if (yearInfo !== undefined && file.format === "syslog") {
    const ref = Number.isNaN(yearInfo.reference)
      ? ""
      : ` ${new Date(yearInfo.reference).toISOString().slice(0, 10)}`;
    const how = yearInfo.method === "--year"
      ? "given by --year or the bundled sample's manifest"
      : yearInfo.method === "mtime"
      ? `from the file's modification time${ref}`
      : yearInfo.method === "newer file"
      ? `from the first line of the next newer file${ref}`
      : "from the clock (no modification time)";
    const year = clock!.year;
    const rollovers = clock!.rollovers;
    report.year = {
      firstYear,
      lastYear: year,
      method: yearInfo.method,
      detail: `${firstYear === year ? firstYear : `${firstYear}–${year}`} ${how}${
        rollovers > 0
          ? `, ${rollovers} New Year rollover${rollovers > 1 ? "s" : ""} inside the file`
          : ""
      }`,
    };
  }
}

async function readDatabase(
  file: LogFile,
  index: number,
  report: FileReport,
  consumer: EventConsumer,
) {
  // loaded when needed: node:sqlite costs start-up time
  const { fail2banDbEvents, openFail2banDb } = await import("./fail2ban_db.ts");
  const db = openFail2banDb(file.path);
  try {
    for (const row of fail2banDbEvents(db)) {
      report.lines++;
      if (row.event) {
        report.events++;
        const time = row.event.timeKind === TimeKind.Absolute ? row.event.time : NaN;
        if (time === time) noteTime(report, time);
        consumer.add(row.event, time, index, row.row);
      } else if (row.bad) {
        report.bad++;
        if (report.problems.length < MAX_PROBLEMS) {
          report.problems.push({ line: row.row, reason: `${row.table}: ${row.bad}` });
        }
      }
    }
  } finally {
    db.close();
  }
}
