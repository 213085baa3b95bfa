/**
 * The run's summary: what was read, the totals, the top IPs, subnets,
 * countries, networks and user names, the bans, the banned IPs that also
 * logged in, and how long each step took. Built once from the frames, so its
 * numbers are the frames' numbers, and rendered as text (`summary.txt`, the
 * terminal), as JSON (`--json`, `summary.json`) and in the HTML report.
 *
 * @module
 */
import pl from "nodejs-polars";
import type { Analysis } from "../analysis.ts";
import { bannedAndLoggedIn, friendlyCheck } from "../analysis.ts";
import { COUNTED_BAN_STARTS, LOGIN_KINDS } from "../frames/columns.ts";
import { type FileLine, printable, renderFilesRead } from "../logs/summary.ts";

/** Seconds per step of a run. */
export interface StepSeconds {
  parse: number;
  lookup: number;
  frames: number;
  exports: number;
  charts: number;
  report: number;
  total: number;
}

/** One row of the top IPs. */
export interface TopIp {
  ip: string;
  attempts: number;
  bans: number;
  country: string | null;
  country_name: string | null;
  city: string | null;
  asn: number | null;
  organization: string | null;
  first_seen: string | null;
  last_seen: string | null;
  users_tried: number;
  logged_in: boolean;
}

/** One row of the top subnets. */
export interface TopSubnet {
  subnet: string;
  attempts: number;
  unique_ips: number;
  country: string | null;
  first_seen: string | null;
  last_seen: string | null;
}

/** One row of the top countries. */
export interface TopCountry {
  country: string;
  country_name: string | null;
  attempts: number;
  unique_ips: number;
  unique_subnets: number;
  pct_attempts: number;
  pct_ips: number;
  pct_subnets: number;
}

/** One row of the top networks (autonomous systems). */
export interface TopNetwork {
  asn: number;
  organization: string | null;
  attempts: number;
  unique_ips: number;
  unique_subnets: number;
  pct_attempts: number;
  pct_ips: number;
  pct_subnets: number;
}

/** One row of the top user names. */
export interface TopUsername {
  user: string;
  attempts: number;
  unique_ips: number;
  invalid: boolean;
  logins: number;
}

/** A banned IP of interest (banned and logged in; banned from a friendly place). */
export interface FlaggedIp {
  ip: string;
  bans: number;
  attempts: number;
  country: string | null;
  city: string | null;
  asn: number | null;
  organization: string | null;
  first_seen: string | null;
  last_seen: string | null;
}

/** What a run found, as plain data (the `--json` output and `summary.json`). */
export interface ReportSummary {
  /** When the run started (UTC, ISO 8601). */
  generatedAt: string;
  /** Zone assumed for stamps without one. */
  timeZone: string;
  /** First and last event (any kind) and the UTC days from first to last. */
  period: { first: string | null; last: string | null; days: number };
  files: FileLine[];
  /** Paths that could not be used. */
  discovery: { path: string; reason: string }[];
  totals: {
    lines: number;
    /** Events (with repeats) of any kind. */
    events: number;
    /** Lines that were not of their file's format, or damaged. */
    badLines: number;
    /** Attempts under the shared definition (sum of the `ips` frame's `attempts`). */
    attempts: number;
    /** Addresses seen in any event. */
    ips: number;
    /** Addresses with at least one attempt. */
    attackingIps: number;
    /** Rows of the `subnets`, `countries`, `networks` frames. */
    subnets: number;
    countries: number;
    networks: number;
    /** Attacking addresses of unknown country / unknown network (not in the frames above). */
    unknownCountry: { attempts: number; unique_ips: number; unique_subnets: number };
    unknownNetwork: { attempts: number; unique_ips: number; unique_subnets: number };
    /** Bans under the shared definition, and the addresses banned. */
    bans: number;
    bannedIps: number;
    /** Successful logins and the addresses they came from. */
    logins: number;
    loginIps: number;
    /** Distinct user names tried, and how many of them sshd called invalid. */
    usernames: number;
    invalidUsernames: number;
  };
  top: {
    ips: TopIp[];
    subnets: TopSubnet[];
    countries: TopCountry[];
    networks: TopNetwork[];
    usernames: TopUsername[];
  };
  /** Bans per jail, most first. */
  bansByJail: { jail: string | null; bans: number; ips: number }[];
  /** Banned IPs that also logged in successfully (false positives, or a compromise). */
  bannedAndLoggedIn: FlaggedIp[];
  /** Banned IPs from the countries or networks given as the admin's own (when given). */
  friendly: { countries: string[]; networks: number[]; banned: FlaggedIp[] } | null;
  /** Events by source and kind (the parse summary's table). */
  bySourceKind: { source: string; kind: string; events: number; suspicious: boolean }[];
  geo: {
    providers: string[];
    /** Attacking IPs with coordinates (drawn on the map). */
    located: number;
    /** IPs no provider answered (offline cache misses, failures). */
    unanswered: number;
    failures: { ip: string; provider: string; reason: string }[];
    attributions: string[];
  };
  /** Bad lines and read problems, the first of them. */
  problems: { file: string; line: number; reason: string; text?: string }[];
  problemCount: number;
  seconds: StepSeconds;
}

/** Options of {@linkcode buildReportSummary}. */
export interface SummaryOptions {
  /**
   * Rows of each top list.
   *
   * @default 10
   */
  top?: number;
  /** When the run started. @default now */
  generatedAt?: Date;
  /** Step times known so far. */
  seconds?: Partial<StepSeconds>;
  /** Providers used, in priority order. */
  providers?: readonly string[];
  /**
   * Problems listed (the count is always complete).
   *
   * @default 20
   */
  maxProblems?: number;
}

const iso = (value: unknown): string | null =>
  value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : null;
const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const text = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);
const int = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

function flagged(rows: Record<string, unknown>[]): FlaggedIp[] {
  return rows.map((r) => ({
    ip: String(r.ip),
    bans: num(r.bans),
    attempts: num(r.attempts),
    country: text(r["country.iso_code"]),
    city: text(r["city.names.en"]),
    asn: int(r["traits.autonomous_system_number"]),
    organization: text(r["traits.autonomous_system_organization"]),
    first_seen: iso(r.first_seen),
    last_seen: iso(r.last_seen),
  }));
}

/** The columns of `ips` the summary and report read (toRecords of all is slow). */
export const IP_SUMMARY_COLUMNS = [
  "ip",
  "attempts",
  "bans",
  "first_seen",
  "last_seen",
  "users_tried",
  "logged_in",
  "country.iso_code",
  "country.names.en",
  "city.names.en",
  "traits.autonomous_system_number",
  "traits.autonomous_system_organization",
] as const;

/** The top `n` attacking IPs of the `ips` frame as {@linkcode TopIp} rows. */
export function topIps(ips: pl.DataFrame, n: number): TopIp[] {
  const rows = ips.filter(pl.col("attempts").gt(0)).head(n).select(...IP_SUMMARY_COLUMNS)
    .toRecords() as Record<string, unknown>[];
  return rows.map((r) => ({
    ip: String(r.ip),
    attempts: num(r.attempts),
    bans: num(r.bans),
    country: text(r["country.iso_code"]),
    country_name: text(r["country.names.en"]),
    city: text(r["city.names.en"]),
    asn: int(r["traits.autonomous_system_number"]),
    organization: text(r["traits.autonomous_system_organization"]),
    first_seen: iso(r.first_seen),
    last_seen: iso(r.last_seen),
    users_tried: num(r.users_tried),
    logged_in: r.logged_in === true,
  }));
}

/** The top rows of the other frames, as plain objects. */
export function topRows(analysis: Analysis, n: number): Omit<ReportSummary["top"], "ips"> {
  const f = analysis.frames;
  return {
    subnets: (f.subnets.head(n).toRecords() as Record<string, unknown>[]).map((r) => ({
      subnet: String(r.subnet),
      attempts: num(r.attempts),
      unique_ips: num(r.unique_ips),
      country: text(r.country),
      first_seen: iso(r.first_seen),
      last_seen: iso(r.last_seen),
    })),
    countries: (f.countries.head(n).toRecords() as Record<string, unknown>[]).map((r) => ({
      country: String(r.country),
      country_name: text(r.country_name),
      attempts: num(r.attempts),
      unique_ips: num(r.unique_ips),
      unique_subnets: num(r.unique_subnets),
      pct_attempts: num(r.pct_attempts),
      pct_ips: num(r.pct_ips),
      pct_subnets: num(r.pct_subnets),
    })),
    networks: (f.networks.head(n).toRecords() as Record<string, unknown>[]).map((r) => ({
      asn: num(r.asn),
      organization: text(r.organization),
      attempts: num(r.attempts),
      unique_ips: num(r.unique_ips),
      unique_subnets: num(r.unique_subnets),
      pct_attempts: num(r.pct_attempts),
      pct_ips: num(r.pct_ips),
      pct_subnets: num(r.pct_subnets),
    })),
    usernames: (f.usernames.filter(pl.col("attempts").gt(0)).head(n).toRecords() as Record<
      string,
      unknown
    >[]).map((r) => ({
      user: String(r.user),
      attempts: num(r.attempts),
      unique_ips: num(r.unique_ips),
      invalid: r.invalid === true,
      logins: num(r.logins),
    })),
  };
}

/**
 * The summary of an analysis, from its frames (so every number agrees with
 * the CSV files) and its parse report.
 *
 * @example
 * ```ts ignore
 * import { analysisParams, loadAnalysis } from "../mod.ts";
 * import { buildReportSummary, renderReportSummary } from "./summary.ts";
 * const analysis = await loadAnalysis(analysisParams());
 * console.log(renderReportSummary(buildReportSummary(analysis)));
 * ```
 */
export function buildReportSummary(
  analysis: Analysis,
  options: SummaryOptions = {},
): ReportSummary {
  const top = options.top ?? 10;
  const f = analysis.frames;
  const parsed = analysis.logs.summary;
  const ips = f.ips;
  const counts = ips.select(
    pl.col("attempts").sum().alias("attempts"),
    pl.col("attempts").gt(0).sum().alias("attacking"),
    pl.col("bans").sum().alias("bans"),
    pl.col("bans").gt(0).sum().alias("banned"),
    pl.col("logged_in").sum().alias("loginIps"),
  ).toRecords()[0] as Record<string, unknown>;
  const counted = f.bans.filter(pl.col("started_by").isIn([...COUNTED_BAN_STARTS]));
  const bansByJail = counted.height === 0 ? [] : (counted.groupBy("jail").agg(
    pl.len().alias("bans"),
    pl.col("ip").nUnique().alias("ips"),
  ).sort(["bans", "jail"], [true, false]).toRecords() as Record<string, unknown>[]).map((r) => ({
    jail: text(r.jail),
    bans: num(r.bans),
    ips: num(r.ips),
  }));
  const logins = LOGIN_KINDS.reduce((sum, kind) => {
    const row = parsed.bySourceKind.find((r) => r.kind === kind);
    return sum + (row?.events ?? 0);
  }, 0);
  const usernames = f.usernames.filter(pl.col("attempts").gt(0));
  const located = ips.filter(
    pl.col("attempts").gt(0).and(pl.col("location.latitude").isNotNull()).and(
      pl.col("location.longitude").isNotNull(),
    ),
  ).height;
  const params = analysis.params;
  const friendlyGiven = params.friendlyCountries.length > 0 || params.friendlyNetworks.length > 0;
  const maxProblems = options.maxProblems ?? 20;
  const lookup = analysis.lookup;
  const unanswered = lookup.details.filter((d) => d.provider === null && d.ip_class === "public")
    .length;
  const seconds: StepSeconds = {
    parse: analysis.timings.parse,
    lookup: analysis.timings.lookup,
    frames: analysis.timings.frames,
    exports: 0,
    charts: 0,
    report: 0,
    total: 0,
    ...options.seconds,
  };
  return {
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    timeZone: parsed.timeZone,
    period: { first: parsed.period.first, last: parsed.period.last, days: f.daily.height },
    files: parsed.files.map((file) => ({
      path: file.path,
      format: file.format,
      lines: file.lines,
      events: file.events,
      bad: file.bad + file.damaged,
      ...(file.year ? { year: file.year } : {}),
      ...(file.incomplete ? { incomplete: file.incomplete } : {}),
    })),
    discovery: parsed.discovery,
    totals: {
      lines: parsed.lines,
      events: parsed.events,
      badLines: parsed.badLines,
      attempts: num(counts.attempts),
      ips: ips.height,
      attackingIps: num(counts.attacking),
      subnets: f.subnets.height,
      countries: f.countries.height,
      networks: f.networks.height,
      unknownCountry: { ...f.unknownCountry },
      unknownNetwork: { ...f.unknownNetwork },
      bans: num(counts.bans),
      bannedIps: num(counts.banned),
      logins,
      loginIps: num(counts.loginIps),
      usernames: usernames.height,
      invalidUsernames: usernames.filter(pl.col("invalid").eq(pl.lit(true))).height,
    },
    top: { ips: topIps(ips, top), ...topRows(analysis, top) },
    bansByJail,
    bannedAndLoggedIn: flagged(
      bannedAndLoggedIn(f).select(...IP_SUMMARY_COLUMNS).toRecords() as Record<string, unknown>[],
    ),
    friendly: friendlyGiven
      ? {
        countries: [...params.friendlyCountries],
        networks: [...params.friendlyNetworks],
        banned: flagged(
          friendlyCheck(f, params).select(...IP_SUMMARY_COLUMNS).toRecords() as Record<
            string,
            unknown
          >[],
        ),
      }
      : null,
    bySourceKind: parsed.bySourceKind,
    geo: {
      providers: [...(options.providers ?? lookup.stats.map((s) => s.provider))],
      located,
      unanswered,
      failures: lookup.failed.slice(0, maxProblems).map((x) => ({
        ip: x.ip,
        provider: x.provider,
        reason: x.reason,
      })),
      attributions: lookup.attributions,
    },
    problems: parsed.problems.slice(0, maxProblems),
    problemCount: parsed.problems.length,
    seconds,
  };
}

const count = (n: number) => n.toLocaleString("en-US");
const pct = (n: number) => `${n >= 9.95 ? n.toFixed(0) : n.toFixed(1)}%`;
const minute = (t: string | null) => (t === null ? "—" : t.slice(0, 16).replace("T", " "));
const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);
/** A cell of attacker-influenced text: printable and cut to `n` characters. */
const cell = (s: string | null, n: number) => {
  const shown = printable(s ?? "—");
  return shown.length > n ? shown.slice(0, n - 1) + "…" : shown;
};
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

function place(row: { country: string | null; city: string | null }): string {
  return [row.city, row.country].filter((part) => part !== null).join(", ") || "unknown place";
}

function network(row: { asn: number | null; organization: string | null }): string {
  if (row.asn === null) return row.organization ?? "unknown network";
  return `AS${row.asn}${row.organization ? ` ${row.organization}` : ""}`;
}

/**
 * The summary as text for people (`summary.txt` and the terminal): period,
 * files, totals, top lists, bans, flagged IPs, geo sources and their
 * attributions, bad lines and run time. Log text is made printable (control
 * characters shown as `\xNN`).
 *
 * @example
 * ```ts ignore
 * import { renderReportSummary } from "./summary.ts";
 * await Deno.writeTextFile("summary.txt", renderReportSummary(summary));
 * ```
 */
export function renderReportSummary(summary: ReportSummary): string {
  const out: string[] = [];
  const w = (line = "") => out.push(line);
  const t = summary.totals;
  w(`jailbook analysis, generated ${minute(summary.generatedAt)} UTC`);
  w(
    `Period: ${minute(summary.period.first)} → ${minute(summary.period.last)} UTC (${
      plural(summary.period.days, "day")
    })`,
  );
  w(`Time zone assumed for stamps without one: ${summary.timeZone}`);
  w();
  w(`Files read (${summary.files.length}):`);
  out.push(...renderFilesRead(summary.files, summary.discovery, count));
  w();
  w("Totals:");
  w(
    `  ${count(t.lines)} lines, ${count(t.events)} events, ${plural(t.badLines, "bad line")}`,
  );
  w(
    `  ${plural(t.attempts, "attempt")} from ${plural(t.attackingIps, "IP")} (of ${
      count(t.ips)
    } seen) in ${plural(t.subnets, "subnet")}, ${plural(t.countries, "country", "countries")}, ${
      plural(t.networks, "network")
    }`,
  );
  if (t.unknownCountry.unique_ips > 0) {
    w(
      `  unknown country: ${plural(t.unknownCountry.unique_ips, "IP")} (${
        plural(t.unknownCountry.attempts, "attempt")
      })`,
    );
  }
  if (t.unknownNetwork.unique_ips > 0) {
    w(
      `  unknown network: ${plural(t.unknownNetwork.unique_ips, "IP")} (${
        plural(t.unknownNetwork.attempts, "attempt")
      })`,
    );
  }
  w(
    `  ${plural(t.bans, "ban")} of ${plural(t.bannedIps, "IP")}${
      summary.bansByJail.length > 0
        ? ` (${
          summary.bansByJail.map((j) => `${printable(j.jail ?? "no jail")} ${count(j.bans)}`)
            .join(", ")
        })`
        : ""
    }`,
  );
  w(`  ${plural(t.logins, "successful login")} from ${plural(t.loginIps, "IP")}`);
  w(
    `  ${plural(t.usernames, "user name")} tried, ${count(t.invalidUsernames)} of them invalid`,
  );
  w();
  w("Events by source and kind:");
  for (const r of summary.bySourceKind) {
    w(
      `  ${pad(r.source, 12)} ${pad(r.kind, 28)} ${lpad(count(r.events), 11)}${
        r.suspicious ? "" : "  (not suspicious)"
      }`,
    );
  }
  w();
  w("Top IPs by attempts:");
  if (summary.top.ips.length === 0) w("  none");
  for (const r of summary.top.ips) {
    w(
      `  ${pad(r.ip, 39)} ${lpad(count(r.attempts), 9)}  bans ${lpad(count(r.bans), 4)}  ${
        pad(cell(place(r), 28), 28)
      }  ${pad(cell(network(r), 32), 32)}  ${minute(r.first_seen)} → ${minute(r.last_seen)}`,
    );
  }
  w();
  w("Top subnets:");
  if (summary.top.subnets.length === 0) w("  none");
  for (const r of summary.top.subnets) {
    w(
      `  ${pad(r.subnet, 43)} ${lpad(count(r.attempts), 9)}  ${
        lpad(plural(r.unique_ips, "IP"), 9)
      }  ${r.country ?? "—"}`,
    );
  }
  w();
  w("Top countries (share of attempts, IPs, subnets with a known country):");
  if (summary.top.countries.length === 0) w("  none");
  for (const r of summary.top.countries) {
    w(
      `  ${r.country}  ${pad(cell(r.country_name, 24), 24)} ${lpad(count(r.attempts), 9)} ${
        lpad(pct(r.pct_attempts), 6)
      }  ${lpad(count(r.unique_ips), 6)} IPs ${lpad(pct(r.pct_ips), 6)}  ${
        lpad(count(r.unique_subnets), 6)
      } subnets ${lpad(pct(r.pct_subnets), 6)}`,
    );
  }
  w();
  w("Top networks:");
  if (summary.top.networks.length === 0) w("  none");
  for (const r of summary.top.networks) {
    w(
      `  ${pad(cell(network(r), 44), 44)} ${lpad(count(r.attempts), 9)} ${
        lpad(pct(r.pct_attempts), 6)
      }  ${lpad(plural(r.unique_ips, "IP"), 9)}`,
    );
  }
  w();
  w("Top user names:");
  if (summary.top.usernames.length === 0) w("  none");
  for (const r of summary.top.usernames) {
    w(
      `  ${pad(cell(r.user, 32), 32)} ${lpad(count(r.attempts), 9)}  ${
        lpad(plural(r.unique_ips, "IP"), 9)
      }  ${r.invalid ? "invalid" : "existing"}${
        r.logins > 0 ? `, ${plural(r.logins, "login")}` : ""
      }`,
    );
  }
  w();
  const flaggedLine = (r: FlaggedIp) =>
    `  ${pad(r.ip, 39)} bans ${lpad(count(r.bans), 4)}  ${cell(place(r), 28)}  ${
      cell(network(r), 40)
    }`;
  w(`Banned IPs that also logged in successfully: ${summary.bannedAndLoggedIn.length}`);
  for (const r of summary.bannedAndLoggedIn) w(flaggedLine(r));
  if (summary.friendly) {
    const where = [...summary.friendly.countries, ...summary.friendly.networks.map((n) => `AS${n}`)]
      .join(", ");
    w(`Banned IPs from your own countries or networks (${where}): ${summary.friendly.banned.length}`);
    for (const r of summary.friendly.banned) w(flaggedLine(r));
  }
  w();
  w(
    `Geo: ${summary.geo.providers.join(", ")}; ${count(summary.geo.located)} of ${
      count(t.attackingIps)
    } attacking IPs located${
      summary.geo.unanswered > 0
        ? `; ${plural(summary.geo.unanswered, "IP")} without an answer`
        : ""
    }`,
  );
  for (const f of summary.geo.failures) {
    w(`  ${f.ip} (${f.provider}): ${printable(f.reason)}`);
  }
  for (const a of summary.geo.attributions) w(`  ${a}`);
  w();
  w(`Bad or damaged lines: ${count(t.badLines)}`);
  for (const p of summary.problems) {
    const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
    w(
      `  ${printable(where)}: ${printable(p.reason)}${
        p.text ? `: ${printable(p.text.slice(0, 80))}` : ""
      }`,
    );
  }
  if (summary.problemCount > summary.problems.length) {
    w(`  … and ${count(summary.problemCount - summary.problems.length)} more (see summary.json)`);
  }
  w();
  const s = summary.seconds;
  w(
    `Run time: ${s.total.toFixed(2)} s (read ${s.parse.toFixed(2)}, lookups ${
      s.lookup.toFixed(2)
    }, frames ${s.frames.toFixed(2)}, data files ${
      s.exports.toFixed(2)
    } (begun with the frames; the charts drawn meanwhile), charts ${s.charts.toFixed(2)}, report ${
      s.report.toFixed(2)
    })`,
  );
  return out.join("\n") + "\n";
}
