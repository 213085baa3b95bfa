/**
 * Streaming aggregation of events: totals, per source/kind counts, and per-IP
 * statistics (attempts, first/last seen, users tried, kinds, bans). Memory
 * grows with the number of distinct IPs, never with the number of lines.
 *
 * @module
 */
import { KINDS, SOURCES } from "./kinds.ts";
import type { EventConsumer, FileReport, ParseReport } from "./pipeline.ts";
import type { ParsedEvent } from "./types.ts";
import { copyString } from "./read.ts";

/** Per-IP statistics. */
export interface IpStats {
  ip: string;
  /** Events of any kind (with `count` repeats). */
  events: number;
  /** Suspicious events. */
  suspicious: number;
  /** Events per kind index. */
  kinds: Int32Array;
  /** First and last event time, UTC ms. */
  first: number;
  last: number;
  /** Distinct user names tried in suspicious events (at most {@linkcode MAX_USERS_PER_IP} kept). */
  users: Set<string>;
  /** Ban events (ban, restore_ban, increase_ban, db_ban, blacklisted, banned). */
  bans: number;
  /** Successful logins. */
  accepted: number;
}

/** Distinct users remembered per IP (the count keeps growing past it). */
export const MAX_USERS_PER_IP = 1000;

const BAN_KINDS = new Set(["ban", "restore_ban", "increase_ban", "db_ban", "blacklisted", "banned"]);
const ACCEPTED_KINDS = new Set(["accepted_password", "accepted_publickey", "accepted_other"]);
const IS_BAN = Uint8Array.from(KINDS, (k) => (BAN_KINDS.has(k.name) ? 1 : 0));
const IS_ACCEPTED = Uint8Array.from(KINDS, (k) => (ACCEPTED_KINDS.has(k.name) ? 1 : 0));
const DEFAULT_SUSPICIOUS = Uint8Array.from(KINDS, (k) => (k.suspicious ? 1 : 0));

/** An {@linkcode EventConsumer} that aggregates as events stream by. */
export class SummaryAggregator implements EventConsumer {
  /** Events per kind index (with repeats). */
  readonly kinds = new Float64Array(KINDS.length);
  readonly ips = new Map<string, IpStats>();
  events = 0;
  suspicious = 0;
  /** Events without an IP. */
  withoutIp = 0;
  first = NaN;
  last = NaN;

  add(event: ParsedEvent, time: number, _file: number, _line: number): void {
    const n = event.count ?? 1;
    const kind = event.kind;
    const suspicious = event.suspicious ?? DEFAULT_SUSPICIOUS[kind] === 1;
    this.events += n;
    this.kinds[kind] += n;
    if (suspicious) this.suspicious += n;
    if (!(this.first <= time)) this.first = time;
    if (!(this.last >= time)) this.last = time;
    const ip = event.ip;
    if (ip === undefined) {
      this.withoutIp += n;
      return;
    }
    let stats = this.ips.get(ip);
    if (stats === undefined) {
      const key = copyString(ip);
      stats = {
        ip: key,
        events: 0,
        suspicious: 0,
        kinds: new Int32Array(KINDS.length),
        first: NaN,
        last: NaN,
        users: new Set(),
        bans: 0,
        accepted: 0,
      };
      this.ips.set(key, stats);
    }
    stats.events += n;
    stats.kinds[kind] += n;
    if (suspicious) {
      stats.suspicious += n;
      const user = event.user;
      if (user !== undefined && stats.users.size < MAX_USERS_PER_IP && !stats.users.has(user)) {
        stats.users.add(copyString(user));
      }
    }
    if (IS_BAN[kind] === 1) stats.bans += n;
    if (IS_ACCEPTED[kind] === 1) stats.accepted += n;
    if (!(stats.first <= time)) stats.first = time;
    if (!(stats.last >= time)) stats.last = time;
  }

  /** IPs by suspicious events, most first (ties: more events, then IP). */
  topIps(limit = 10): IpStats[] {
    return [...this.ips.values()]
      .sort((a, b) => b.suspicious - a.suspicious || b.events - a.events || (a.ip < b.ip ? -1 : 1))
      .slice(0, limit);
  }

  /** IPs that were banned and also logged in successfully. */
  bannedAndAccepted(): IpStats[] {
    return [...this.ips.values()].filter((s) => s.bans > 0 && s.accepted > 0);
  }
}

/** The summary as plain data (what `--json` prints). */
export interface SummaryData {
  timeZone: string;
  period: { first: string | null; last: string | null };
  files: {
    path: string;
    format: string;
    lines: number;
    events: number;
    bad: number;
    damaged: number;
    year?: string;
    incomplete?: string;
  }[];
  lines: number;
  events: number;
  suspicious: number;
  uniqueIps: number;
  bySourceKind: { source: string; kind: string; events: number; suspicious: boolean }[];
  topIps: {
    ip: string;
    suspicious: number;
    events: number;
    first: string | null;
    last: string | null;
    users: number;
    bans: number;
    kinds: Record<string, number>;
  }[];
  bannedAndAccepted: string[];
  badLines: number;
  problems: { file: string; line: number; reason: string; text?: string }[];
  discovery: { path: string; reason: string }[];
}

const iso = (t: number) => (Number.isNaN(t) ? null : new Date(t).toISOString());

/** Build the plain-data summary. */
export function summarize(
  agg: SummaryAggregator,
  report: ParseReport,
  discovery: { path: string; reason: string }[] = [],
  top = 10,
): SummaryData {
  const bySourceKind = KINDS.map((k, i) => ({
    source: k.source,
    kind: k.name,
    events: agg.kinds[i],
    suspicious: k.suspicious,
  })).filter((r) => r.events > 0)
    .sort((a, b) =>
      SOURCES.indexOf(a.source) - SOURCES.indexOf(b.source) || b.events - a.events
    );
  const problems = report.files.flatMap((f) =>
    f.problems.map((p) => ({ file: f.path, line: p.line, reason: p.reason, text: p.text }))
  );
  for (const f of report.files) {
    if (f.incomplete) problems.push({ file: f.path, line: 0, reason: f.incomplete, text: undefined });
  }
  return {
    timeZone: report.timeZone,
    period: { first: iso(agg.first), last: iso(agg.last) },
    files: report.files.map((f: FileReport) => ({
      path: f.path,
      format: f.format,
      lines: f.lines,
      events: f.events,
      bad: f.bad,
      damaged: f.damaged,
      year: f.year?.detail,
      incomplete: f.incomplete,
    })),
    lines: report.files.reduce((s, f) => s + f.lines, 0),
    events: agg.events,
    suspicious: agg.suspicious,
    uniqueIps: agg.ips.size,
    bySourceKind,
    topIps: agg.topIps(top).map((s) => ({
      ip: s.ip,
      suspicious: s.suspicious,
      events: s.events,
      first: iso(s.first),
      last: iso(s.last),
      users: s.users.size,
      bans: s.bans,
      kinds: Object.fromEntries(
        [...s.kinds].map((n, i) => [KINDS[i].name, n] as const).filter(([, n]) => n > 0)
          .sort((a, b) => b[1] - a[1]),
      ),
    })),
    bannedAndAccepted: agg.bannedAndAccepted().map((s) => s.ip).sort(),
    badLines: report.files.reduce((s, f) => s + f.bad + f.damaged, 0),
    problems,
    discovery,
  };
}

const num = (n: number) => n.toLocaleString("en-US");
const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);
const short = (t: string | null) => (t === null ? "—" : t.slice(0, 16).replace("T", " "));

/** Escape control characters so attacker text cannot move the terminal cursor. */
export function printable(s: string): string {
  // deno-lint-ignore no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** The summary as text for people. */
export function renderSummary(data: SummaryData, options: { maxProblems?: number } = {}): string {
  const out: string[] = [];
  const w = (s = "") => out.push(s);
  w(`Time zone assumed for zone-less stamps: ${data.timeZone}`);
  w(`Period: ${short(data.period.first)} → ${short(data.period.last)} UTC`);
  w();
  w(`Files read (${data.files.length}):`);
  const nameWidth = Math.min(48, Math.max(...data.files.map((f) => f.path.length), 4));
  for (const f of data.files) {
    const notes = [f.year ? `year ${f.year}` : "", f.incomplete ? `INCOMPLETE: ${f.incomplete}` : ""]
      .filter(Boolean).join("; ");
    w(
      `  ${pad(printable(f.path), nameWidth)}  ${pad(f.format, 18)} ${lpad(num(f.lines), 10)} lines ${
        lpad(num(f.events), 9)
      } events ${lpad(num(f.bad + f.damaged), 6)} bad${notes ? `  (${notes})` : ""}`,
    );
  }
  for (const d of data.discovery) w(`  ! ${printable(d.path)}: ${d.reason}`);
  w();
  w(
    `Lines: ${num(data.lines)}   events: ${num(data.events)}   suspicious: ${
      num(data.suspicious)
    }   unique IPs: ${num(data.uniqueIps)}`,
  );
  w();
  w("Events by source and kind:");
  for (const r of data.bySourceKind) {
    w(`  ${pad(r.source, 18)} ${pad(r.kind, 28)} ${lpad(num(r.events), 10)}${r.suspicious ? "" : "  (not suspicious)"}`);
  }
  w();
  w(`Top IPs by suspicious events:`);
  for (const ip of data.topIps) {
    const kinds = Object.entries(ip.kinds).slice(0, 3).map(([k, n]) => `${k} ${num(n)}`).join(", ");
    w(
      `  ${pad(ip.ip, 39)} ${lpad(num(ip.suspicious), 8)}  ${short(ip.first)} → ${short(ip.last)}  users ${
        num(ip.users)
      }  bans ${num(ip.bans)}  ${kinds}`,
    );
  }
  if (data.bannedAndAccepted.length > 0) {
    w();
    w(`Banned IPs that also logged in successfully (${data.bannedAndAccepted.length}): ${data.bannedAndAccepted.join(", ")}`);
  }
  w();
  const max = options.maxProblems ?? 20;
  w(`Bad or damaged lines: ${num(data.badLines)}`);
  for (const p of data.problems.slice(0, max)) {
    const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
    w(`  ${printable(where)}: ${p.reason}${p.text ? `: ${printable(p.text.slice(0, 80))}` : ""}`);
  }
  if (data.problems.length > max) w(`  … and ${num(data.problems.length - max)} more (see --json)`);
  return out.join("\n") + "\n";
}
