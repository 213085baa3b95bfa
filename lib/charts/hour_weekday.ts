/**
 * When attacks happen: a weekday × hour-of-day heatmap.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import {
  CHART_OPTION_NAMES,
  type ChartOptions,
  checkRows,
  countField,
  Figure,
  formatCount,
  joinCaption,
  MUTED,
  numberField,
  readBaseOptions,
  readOptions,
  type Records,
  svgElement,
} from "./_render.ts";

/** One row of {@link hourWeekdayChart}. */
export interface HourWeekdayRow {
  /**
   * The UTC weekday: 0 (Monday) … 6 (Sunday), as the `hourWeekday` frame gives it, or an English
   * name or abbreviation ("Mon", "monday"). (Not Polars' `dt.weekday()`, which counts 1–7.)
   */
  weekday: number | string;
  /** The UTC hour, 0–23. */
  hour: number;
  /** Attempts in that hour of that weekday (summed over all weeks). */
  attempts: number;
}

/** Options of {@link hourWeekdayChart}: only the common {@link ChartOptions}. */
export type HourWeekdayOptions = ChartOptions;

/** Weekday labels, Monday first (ISO order). */
export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

const CHART = "hourWeekdayChart";
const SCHEME = "ylorrd";
const LEGEND_WIDTH = 240;
const LEGEND_STEPS = 48;

interface Cell {
  weekday: number;
  hour: number;
  attempts: number;
}

/**
 * A 7 × 24 heatmap of attempts by UTC weekday (rows, Monday at the top) and hour (columns): 168
 * cells, missing combinations drawn as zero, colour on a square-root scale (yellow → red,
 * colour-blind safe) so quiet hours stay visible next to a burst, with a colour legend. Each
 * cell's tooltip gives the weekday, hour and attempts.
 *
 * @example
 * ```ts
 * import { hourWeekdayChart } from "./mod.ts";
 * const svg = hourWeekdayChart([
 *   { weekday: 0, hour: 3, attempts: 250 },
 *   { weekday: "Sun", hour: 23, attempts: 12 },
 * ]);
 * ```
 *
 * @throws {TypeError} for bad options or rows
 * @throws {RangeError} for a weekday or hour out of range, or negative attempts
 */
export function hourWeekdayChart(
  rows: readonly HourWeekdayRow[] | Records,
  options?: HourWeekdayOptions,
): SVGSVGElement {
  const given = readOptions(CHART, options, CHART_OPTION_NAMES);
  const base = readBaseOptions(CHART, given, "Attempts by weekday and hour (UTC)");
  const cells: Cell[] = [];
  for (let weekday = 0; weekday < 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) cells.push({ weekday, hour, attempts: 0 });
  }
  checkRows(CHART, rows).forEach((row, i) => {
    const weekday = readWeekday(row.weekday, i);
    const hour = numberField(CHART, row, i, "hour", false) as number;
    if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
      throw new RangeError(`${CHART}(): rows[${i}].hour must be an integer 0–23, got ${hour}`);
    }
    cells[weekday * 24 + hour].attempts += countField(CHART, row, i, "attempts");
  });
  const total = cells.reduce((sum, cell) => sum + cell.attempts, 0);
  const largest = Math.max(...cells.map((cell) => cell.attempts));
  const busiest = cells.reduce((best, cell) => cell.attempts > best.attempts ? cell : best);
  const figure = new Figure(base.document, base.width, "hour-weekday").heading(
    base.title,
    base.subtitle ??
      (total === 0
        ? "No attempts"
        : `${formatCount(total)} attempts; busiest ${slotName(busiest)} (${
          formatCount(busiest.attempts)
        })`),
  );
  const domain: [number, number] = [0, largest > 0 ? largest : 1];
  const plotted = Plot.plot({
    document: base.document,
    width: base.width,
    height: 24 + 40 + 7 * Math.min(36, Math.max(16, Math.round((base.width - 60) / 24))),
    marginTop: 24,
    marginBottom: 40,
    marginLeft: 44,
    marginRight: 16,
    padding: 0,
    x: {
      domain: Array.from({ length: 24 }, (_, hour) => hour),
      label: "Hour of day (UTC)",
      tickFormat: (hour: number) => String(hour).padStart(2, "0"),
      labelAnchor: "center",
    },
    y: {
      domain: [0, 1, 2, 3, 4, 5, 6],
      tickFormat: (weekday: number) => WEEKDAYS[weekday],
      label: null,
      tickSize: 0,
    },
    color: { type: "sqrt", scheme: SCHEME, domain },
    marks: [
      Plot.cell(cells, {
        x: "hour",
        y: "weekday",
        fill: "attempts",
        inset: 0.5,
        title: (cell: Cell) => `${slotName(cell)}: ${formatCount(cell.attempts)} attempts`,
      }),
    ],
  }) as Element & { scale(name: string): { apply(value: number): string } };
  const color = plotted.scale("color");
  figure.plot(plotted);
  drawLegend(figure, domain, (value) => color.apply(value));
  return figure.finish(joinCaption(base.caption));
}

function slotName(cell: Cell): string {
  const hour = String(cell.hour).padStart(2, "0");
  return `${WEEKDAYS[cell.weekday]} ${hour}:00–${hour}:59 UTC`;
}

const WEEKDAY_NAMES = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
];

/** 0 for Monday … 6 for Sunday. */
function readWeekday(value: unknown, index: number): number {
  if (typeof value === "number" || typeof value === "bigint") {
    const number = Number(value);
    if (Number.isInteger(number) && number >= 0 && number <= 6) return number;
    throw new RangeError(
      `${CHART}(): rows[${index}].weekday must be 0 (Monday) to 6 (Sunday), got ${number}`,
    );
  }
  if (typeof value === "string") {
    const name = value.trim().toLowerCase();
    const found = name.length >= 3
      ? WEEKDAY_NAMES.findIndex((weekday) => weekday.startsWith(name))
      : -1;
    if (found >= 0) return found;
  }
  throw new TypeError(
    `${CHART}(): rows[${index}].weekday must be 0–6 (Monday–Sunday) or a weekday name, got ${
      typeof value === "string" ? JSON.stringify(value.slice(0, 20)) : String(value)
    }`,
  );
}

/** A horizontal colour ramp (linear in attempts) with ticks at 0, half and the maximum. */
function drawLegend(
  figure: Figure,
  [low, high]: [number, number],
  color: (value: number) => string,
): void {
  const { document } = figure;
  const left = 44;
  figure.block(36, (group) => {
    group.appendChild(svgElement(document, "text", {
      x: left,
      y: 9,
      "font-size": 11,
      fill: MUTED,
    }, "Attempts per hour slot"));
    const step = LEGEND_WIDTH / LEGEND_STEPS;
    for (let i = 0; i < LEGEND_STEPS; i++) {
      const value = low + (high - low) * (i + 0.5) / LEGEND_STEPS;
      group.appendChild(svgElement(document, "rect", {
        x: round(left + i * step),
        y: 14,
        width: round(step + 0.3),
        height: 10,
        fill: color(value),
      }));
    }
    const ticks = high >= 2 ? [low, Math.round(high / 2), high] : [low, high];
    for (const tick of ticks) {
      const x = round(left + (tick - low) / (high - low) * LEGEND_WIDTH);
      group.appendChild(svgElement(document, "line", {
        x1: x,
        x2: x,
        y1: 14,
        y2: 27,
        stroke: "currentColor",
      }));
      group.appendChild(svgElement(document, "text", {
        x,
        y: 36,
        "text-anchor": "middle",
        "font-variant": "tabular-nums",
      }, formatCount(tick)));
    }
  }, "legend");
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
