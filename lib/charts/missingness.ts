/**
 * The share of missing values per column, as horizontal bars (the seed notebook's "Missing Data
 * for IP Details").
 *
 * @module
 */
import {
  CHART_OPTION_NAMES,
  type ChartOptions,
  checkRows,
  cleanText,
  COLORS,
  Figure,
  formatPercent,
  horizontalBars,
  joinCaption,
  percentField,
  readBaseOptions,
  readOptions,
  type Records,
  textField,
} from "./_render.ts";

/** One row of {@link missingnessChart}: a column and the percentage of rows where it is null. */
export interface MissingnessRow {
  /** Column name. */
  column: string;
  /** Percentage (0–100) of rows where the column is null. */
  pct_missing: number;
}

/** Options of {@link missingnessChart}: only the common {@link ChartOptions}. */
export type MissingnessOptions = ChartOptions;

const CHART = "missingnessChart";

/**
 * Horizontal bars of the percentage of missing values per column, most missing at the top (ties
 * by column name), on a 0–100 % axis, each bar labelled with its percentage.
 *
 * @example
 * ```ts
 * import { missingnessChart, svgString } from "./mod.ts";
 * const svg = missingnessChart([
 *   { column: "city.names.en", pct_missing: 41.5 },
 *   { column: "country.iso_code", pct_missing: 2 },
 * ]);
 * console.log(svgString(svg).startsWith("<svg"));
 * ```
 *
 * @throws {TypeError} for bad options or rows without a column name
 * @throws {RangeError} for a percentage outside 0–100
 */
export function missingnessChart(
  rows: readonly MissingnessRow[] | Records,
  options?: MissingnessOptions,
): SVGSVGElement {
  const given = readOptions(CHART, options, CHART_OPTION_NAMES);
  const base = readBaseOptions(CHART, given, "Missing data per column");
  const items = checkRows(CHART, rows).map((row, i) => {
    const column = textField(CHART, row, i, "column");
    if (column === null) throw new TypeError(`${CHART}(): rows[${i}].column is missing`);
    return { column: cleanText(column), pct: percentField(CHART, row, i, "pct_missing") };
  });
  items.sort((a, b) => b.pct - a.pct || (a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
  const complete = items.filter((item) => item.pct === 0).length;
  const figure = new Figure(base.document, base.width, "missingness").heading(
    base.title,
    base.subtitle ??
      `${items.length} columns; ${complete} complete, ${
        items.filter((item) => item.pct === 100).length
      } always empty`,
  );
  if (items.length === 0) {
    figure.empty("No columns");
  } else {
    figure.plot(horizontalBars({
      document: base.document,
      width: base.width,
      xLabel: "Missing values (%)",
      xDomain: [0, 100],
      color: COLORS.blue,
      bars: items.map((item) => ({
        label: item.column,
        value: item.pct,
        text: formatPercent(item.pct),
        title: `${item.column}: ${formatPercent(item.pct)} missing`,
      })),
    }));
  }
  return figure.finish(joinCaption(base.caption));
}
