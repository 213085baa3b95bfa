/**
 * Attempts and bans per day, with the seed's summary of the worst offending IPs, subnets and
 * user names (the seed's "unauth.png").
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import {
  addTitle,
  charsThatFit,
  CHART_OPTION_NAMES,
  type ChartOptions,
  checkRows,
  cleanText,
  COLORS,
  countField,
  Figure,
  formatCount,
  isoDay,
  joinCaption,
  label,
  MAX_LABEL_CHARS,
  MUTED,
  numberOption,
  readBaseOptions,
  readOptions,
  type Records,
  type Row,
  rowsOption,
  svgElement,
  textField,
  textWidth,
  truncate,
} from "./_render.ts";

/** One row of {@link dailyChart}: one UTC calendar day. */
export interface DailyRow {
  /** The UTC day: a Date (its UTC date is used) or a `YYYY-MM-DD` / ISO 8601 string. */
  day: Date | string;
  /** Attempts that day. */
  attempts: number;
  /** Distinct IPs that made attempts that day (shown in the bar's tooltip). */
  unique_ips?: number;
  /** Bans that day; when no row has the column, the bans panel is left out. */
  bans?: number;
}

/** Options of {@link dailyChart}. */
export interface DailyOptions extends ChartOptions {
  /**
   * The worst offending IPs, listed under the chart (the first `summaryTop`, in the order given).
   *
   * @default none
   */
  topOffenders?: readonly { ip: string; attempts: number }[] | Records;
  /**
   * The worst offending subnets (/24, /64), listed under the chart.
   *
   * @default none
   */
  topSubnets?: readonly { subnet: string; attempts: number }[] | Records;
  /**
   * The most tried user names, listed under the chart.
   *
   * @default none
   */
  topUsernames?: readonly { user: string; attempts: number }[] | Records;
  /**
   * How many entries of each list to show, 1–10.
   *
   * @default 3
   */
  summaryTop?: number;
}

const CHART = "dailyChart";
const DAY_MS = 86_400_000;
const MARGIN_LEFT = 60;
const MARGIN_RIGHT = 20;

interface Day {
  day: Date;
  attempts: number;
  ips: number | null;
  bans: number;
}

/**
 * Attempts per UTC day as bars (days without attempts between the first and the last day are
 * drawn as zero), bans per day below on the same time axis (a line with dots), and a summary
 * block naming the worst offending IPs, subnets and user names with their attempts. Each
 * bar's tooltip gives the day's attempts, distinct IPs and bans.
 *
 * @example
 * ```ts
 * import { dailyChart } from "./mod.ts";
 * const svg = dailyChart([
 *   { day: "2024-01-01", attempts: 120, unique_ips: 8, bans: 2 },
 *   { day: "2024-01-03", attempts: 40, unique_ips: 3, bans: 1 },
 * ], { topOffenders: [{ ip: "203.0.113.7", attempts: 90 }] });
 * ```
 *
 * @throws {TypeError} for bad options, or a row whose day is not a date
 * @throws {RangeError} for negative counts
 */
export function dailyChart(
  rows: readonly DailyRow[] | Records,
  options?: DailyOptions,
): SVGSVGElement {
  const given = readOptions(CHART, options, [
    ...CHART_OPTION_NAMES,
    "topOffenders",
    "topSubnets",
    "topUsernames",
    "summaryTop",
  ]);
  const base = readBaseOptions(CHART, given, "Attempts per day");
  const summaryTop = numberOption(CHART, given, "summaryTop", 3, {
    min: 1,
    max: 10,
    integer: true,
  });
  const lists = [
    summaryList(given, "topOffenders", "ip", "Worst IPs", summaryTop),
    summaryList(given, "topSubnets", "subnet", "Worst subnets", summaryTop),
    summaryList(given, "topUsernames", "user", "Top user names", summaryTop),
  ].filter((list): list is SummaryList => list !== undefined);

  const checked = checkRows(CHART, rows);
  const hasBans = checked.some((row) => row.bans !== undefined);
  const days = fillDays(checked);
  const totalAttempts = days.reduce((sum, day) => sum + day.attempts, 0);
  const totalBans = days.reduce((sum, day) => sum + day.bans, 0);
  const figure = new Figure(base.document, base.width, "daily");
  if (days.length === 0) {
    figure.heading(base.title, base.subtitle).empty("No attempts recorded");
  } else {
    const first = days[0].day;
    const last = days[days.length - 1].day;
    const busiest = days.reduce((best, day) => day.attempts > best.attempts ? day : best);
    figure.heading(
      base.title,
      base.subtitle ??
        `${formatCount(totalAttempts)} attempts${
          hasBans ? ` and ${formatCount(totalBans)} bans` : ""
        } from ${isoDay(first)} to ${isoDay(last)} (${days.length} ${
          days.length === 1 ? "day" : "days"
        }, UTC)\nBusiest day ${isoDay(busiest.day)}: ${formatCount(busiest.attempts)} attempts`,
    );
    const xDomain = [first, new Date(last.getTime() + DAY_MS)];
    const x = { type: "utc" as const, domain: xDomain, label: null };
    figure.plot(Plot.plot({
      document: base.document,
      width: base.width,
      height: 230,
      marginLeft: MARGIN_LEFT,
      marginRight: MARGIN_RIGHT,
      marginTop: 24,
      marginBottom: 26,
      x,
      y: {
        label: "Attempts per day",
        grid: true,
        nice: true,
        ticks: countTicks(busiest.attempts, 5),
      },
      marks: [
        Plot.rectY(days, {
          x1: (d: Day) => d.day,
          x2: (d: Day) => new Date(d.day.getTime() + DAY_MS),
          y: (d: Day) => d.attempts,
          fill: COLORS.blue,
          insetLeft: days.length > 120 ? 0 : 0.5,
          insetRight: days.length > 120 ? 0 : 0.5,
          title: (d: Day) =>
            `${isoDay(d.day)}: ${formatCount(d.attempts)} attempts${
              d.ips === null ? "" : ` from ${formatCount(d.ips)} IPs`
            }${hasBans ? `, ${formatCount(d.bans)} bans` : ""}`,
        }),
        Plot.ruleY([0]),
      ],
    }));
    if (hasBans) {
      const middle = (d: Day) => new Date(d.day.getTime() + DAY_MS / 2);
      figure.plot(Plot.plot({
        document: base.document,
        width: base.width,
        height: 120,
        marginLeft: MARGIN_LEFT,
        marginRight: MARGIN_RIGHT,
        marginTop: 24,
        marginBottom: 30,
        x,
        y: {
          label: "Bans per day",
          grid: true,
          nice: true,
          ticks: countTicks(Math.max(...days.map((d) => d.bans)), 4),
        },
        marks: [
          Plot.lineY(days, { x: middle, y: (d: Day) => d.bans, stroke: COLORS.vermillion }),
          Plot.dot(days.filter((d) => d.bans > 0), {
            x: middle,
            y: (d: Day) => d.bans,
            fill: COLORS.vermillion,
            r: 2.5,
            title: (d: Day) => `${isoDay(d.day)}: ${formatCount(d.bans)} bans`,
          }),
          Plot.ruleY([0]),
        ],
      }));
    }
  }
  if (lists.length > 0) drawSummary(figure, lists, summaryTop);
  return figure.finish(joinCaption(base.caption));
}

/** Parses a day value to the UTC midnight it falls in. */
function toDay(value: unknown, index: number): Date {
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === "string") {
    date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  } else if (typeof value === "number") date = new Date(value);
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new TypeError(
      `${CHART}(): rows[${index}].day must be a Date or a YYYY-MM-DD string, got ${
        typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : String(value)
      }`,
    );
  }
  return new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);
}

/** Sums rows per day and adds zero days between the first and the last day. */
function fillDays(rows: Row[]): Day[] {
  const byDay = new Map<number, Day>();
  rows.forEach((row, i) => {
    const day = toDay(row.day, i);
    const attempts = countField(CHART, row, i, "attempts");
    const ips = row.unique_ips === undefined ? null : countField(CHART, row, i, "unique_ips");
    const bans = countField(CHART, row, i, "bans");
    const seen = byDay.get(day.getTime());
    if (seen) {
      seen.attempts += attempts;
      seen.bans += bans;
      if (ips !== null) seen.ips = (seen.ips ?? 0) + ips;
    } else byDay.set(day.getTime(), { day, attempts, ips, bans });
  });
  if (byDay.size === 0) return [];
  const times = [...byDay.keys()];
  const first = Math.min(...times);
  const last = Math.max(...times);
  if ((last - first) / DAY_MS > 366 * 20) {
    throw new RangeError(
      `${CHART}(): days span ${isoDay(new Date(first))} to ${
        isoDay(new Date(last))
      }, over 20 years`,
    );
  }
  const days: Day[] = [];
  for (let time = first; time <= last; time += DAY_MS) {
    days.push(byDay.get(time) ?? { day: new Date(time), attempts: 0, ips: 0, bans: 0 });
  }
  return days;
}

interface SummaryList {
  heading: string;
  /** Longest label shown in full. */
  maxChars: number;
  entries: { full: string; attempts: number }[];
}

function summaryList(
  given: Record<string, unknown>,
  option: string,
  column: string,
  heading: string,
  top: number,
): SummaryList | undefined {
  const rows = rowsOption(CHART, given, option);
  if (rows === undefined) return undefined;
  const entries = rows.slice(0, top).map((row, i) => {
    const full = textField(CHART, row, i, column, option) ?? "(none)";
    return { full, attempts: countField(CHART, row, i, "attempts", option) };
  });
  // IPv6 addresses and networks are long but should be read whole.
  return { heading, entries, maxChars: column === "user" ? MAX_LABEL_CHARS : 43 };
}

/**
 * Draws the lists side by side: a heading, then "name … attempts" lines. Columns are as wide as
 * their longest line needs (an IPv6 address is long, a user name short), shrunk to fit.
 */
function drawSummary(figure: Figure, lists: SummaryList[], top: number): void {
  const { document } = figure;
  const fontSize = 11;
  const lineHeight = 15;
  const gap = 24;
  const left0 = 20;
  const needs = lists.map((list) =>
    Math.max(
      textWidth(list.heading, fontSize) + 8,
      ...list.entries.map((entry) =>
        textWidth(truncate(cleanText(entry.full), list.maxChars), fontSize) +
        textWidth(formatCount(entry.attempts), fontSize) + 14
      ),
    )
  );
  const room = figure.width - left0 - 10 - gap * (lists.length - 1);
  // Narrow columns get what they need; the others share what is left equally.
  const widths = needs.slice();
  let remaining = room;
  let open = lists.length;
  for (const column of needs.map((_, i) => i).sort((a, b) => needs[a] - needs[b])) {
    widths[column] = Math.min(needs[column], remaining / open);
    remaining -= widths[column];
    open--;
  }
  figure.block(lineHeight * (top + 1) + 4, (group) => {
    let left = left0;
    lists.forEach((list, column) => {
      const right = left + widths[column];
      group.appendChild(svgElement(document, "text", {
        x: round(left),
        y: lineHeight - 3,
        "font-size": fontSize,
        "font-weight": "bold",
      }, list.heading));
      if (list.entries.length === 0) {
        group.appendChild(svgElement(document, "text", {
          x: round(left),
          y: 2 * lineHeight - 3,
          "font-size": fontSize,
          fill: MUTED,
        }, "none"));
      }
      list.entries.forEach((entry, i) => {
        const count = formatCount(entry.attempts);
        const fits = charsThatFit(right - left - textWidth(count, fontSize) - 12, fontSize);
        const shown = label(entry.full, Math.min(list.maxChars, fits));
        const y = (i + 2) * lineHeight - 3;
        const name = svgElement(
          document,
          "text",
          { x: round(left), y, "font-size": fontSize },
          shown,
        );
        addTitle(name, `${entry.full}: ${count} attempts`);
        group.appendChild(name);
        group.appendChild(svgElement(document, "text", {
          x: round(right),
          y,
          "font-size": fontSize,
          "text-anchor": "end",
          fill: MUTED,
          "font-variant": "tabular-nums",
        }, count));
      });
      left = right + gap;
    });
  }, "summary");
}

/** A tick count that gives whole numbers for small counts (Plot would tick 0, 0.5, 1, …). */
function countTicks(largest: number, most = 10): number {
  return largest < most ? Math.max(1, Math.ceil(largest)) : most;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
