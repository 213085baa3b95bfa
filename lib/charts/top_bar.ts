/**
 * Generic top-N horizontal bars: top user names, networks/ASNs, IPs, paths…
 *
 * @module
 */
import {
  CHART_OPTION_NAMES,
  type ChartOptions,
  checkRows,
  cleanText,
  COLORS,
  countField,
  Figure,
  formatCount,
  formatPercent,
  horizontalBars,
  joinCaption,
  numberOption,
  type OptionRecord,
  readBaseOptions,
  readOptions,
  type Row,
  stringOption,
  textField,
} from "./_render.ts";

/** Picks a value from a row: a column name, or a function of the row and its index. */
export type RowAccessor<R, T> = string | ((row: R, index: number) => T);

/** Options of {@link topBarChart}. */
export interface TopBarOptions<R = Record<string, unknown>> extends ChartOptions {
  /**
   * The bar label: a column name or a function. Null labels show as "(none)". Required.
   */
  label: RowAccessor<R, string | number | null>;
  /**
   * The bar length, a non-negative number: a column name or a function.
   *
   * @default "attempts"
   */
  value?: RowAccessor<R, number | bigint | null>;
  /**
   * How many bars (the largest values; ties by label), 1–250.
   *
   * @default 15
   */
  top?: number;
  /**
   * What the value counts, for the axis label and tooltips.
   *
   * @default "attempts"
   */
  valueLabel?: string;
  /**
   * A fraction (0–1) of each bar drawn as a darker inner bar, e.g. the `networks` frame's
   * `hosting_share` (the share of a network's IPs that are hosting providers): a column name or a
   * function; null draws no inner bar.
   *
   * @default none
   */
  share?: RowAccessor<R, number | null>;
  /**
   * What the share is, for the legend and tooltips.
   *
   * @default "hosting"
   */
  shareLabel?: string;
}

const CHART = "topBarChart";

/**
 * Horizontal bars of the `top` largest values, largest at the top, each labelled with its value
 * (long labels cut with an ellipsis, full text in a tooltip). With `share`, a darker inner bar
 * shows that fraction of each bar (e.g. hosting share of a network's IPs) and the bar text adds
 * it. The caption says how many rows were left out.
 *
 * @example
 * ```ts
 * import { topBarChart } from "./mod.ts";
 * const svg = topBarChart([
 *   { user: "root", attempts: 812 },
 *   { user: "admin", attempts: 95 },
 * ], { label: "user", title: "Most tried user names" });
 * const networks = topBarChart([
 *   { asn: 64500, organization: "Example Hosting", attempts: 400, hosting_share: 1 },
 * ], {
 *   label: (row) => `AS${row.asn} ${row.organization}`,
 *   share: "hosting_share",
 *   title: "Top networks",
 * });
 * ```
 *
 * @throws {TypeError} for bad options (including a missing `label`) or rows
 * @throws {RangeError} for negative values or shares outside 0–1
 */
export function topBarChart<R extends object = Record<string, unknown>>(
  rows: readonly R[],
  options: TopBarOptions<R>,
): SVGSVGElement {
  const given: OptionRecord = readOptions(CHART, options, [
    ...CHART_OPTION_NAMES,
    "label",
    "value",
    "top",
    "valueLabel",
    "share",
    "shareLabel",
  ]);
  if (given.label === undefined) {
    throw new TypeError(`${CHART}(): option label is required (a column name or a function)`);
  }
  const labelOf = accessor(given, "label");
  const valueOf = accessor(given, "value", "attempts");
  const shareOf = given.share === undefined ? undefined : accessor(given, "share");
  const top = numberOption(CHART, given, "top", 15, { min: 1, max: 250, integer: true });
  const valueLabel = cleanText(stringOption(CHART, given, "valueLabel") ?? "attempts");
  const shareLabel = cleanText(stringOption(CHART, given, "shareLabel") ?? "hosting");
  const base = readBaseOptions(CHART, given, `Top ${top} by ${valueLabel}`);

  const labelName = typeof given.label === "string" ? given.label : "label";
  const valueName = given.value === undefined
    ? "attempts"
    : typeof given.value === "string"
    ? given.value
    : "value";
  const items = checkRows(CHART, rows).map((row, i) => {
    const text = textField(CHART, { [labelName]: labelOf(row, i) }, i, labelName);
    const value = countField(CHART, { [valueName]: valueOf(row, i) }, i, valueName);
    let share: number | undefined;
    if (shareOf) {
      const raw = shareOf(row, i);
      if (raw !== null && raw !== undefined) {
        share = countField(CHART, { share: raw }, i, "share");
        if (share > 1 + 1e-9) {
          throw new RangeError(
            `${CHART}(): rows[${i}] share must be a fraction from 0 to 1, got ${share}`,
          );
        }
        share = 100 * Math.min(1, share);
      }
    }
    return { label: cleanText(text ?? "(none)"), value, share };
  });
  items.sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const shown = items.slice(0, top);
  const total = items.reduce((sum, item) => sum + item.value, 0);
  const figure = new Figure(base.document, base.width, "top-bar").heading(
    base.title,
    base.subtitle ??
      `${formatCount(total)} ${valueLabel} in all, ${items.length} ${
        items.length === 1 ? "entry" : "entries"
      }`,
  );
  if (shown.length === 0) {
    figure.empty("No data");
    return figure.finish(base.caption);
  }
  figure.plot(horizontalBars({
    document: base.document,
    width: base.width,
    xLabel: valueLabel.charAt(0).toUpperCase() + valueLabel.slice(1),
    color: shareOf ? COLORS.skyBlue : COLORS.blue,
    partColor: COLORS.blue,
    counts: shown.every((item) => Number.isInteger(item.value)),
    bars: shown.map((item) => {
      const shareText = item.share === undefined
        ? ""
        : `, ${formatPercent(item.share)} ${shareLabel}`;
      return {
        label: item.label,
        value: item.value,
        part: shareOf ? item.value * (item.share ?? 0) / 100 : undefined,
        text: `${formatCount(item.value)}${
          item.share === undefined ? "" : ` (${formatPercent(item.share)})`
        }`,
        title: `${item.label}: ${formatCount(item.value)} ${valueLabel}${shareText}`,
      };
    }),
  }));
  if (shareOf) {
    figure.swatches([
      { label: `all ${valueLabel}`, color: COLORS.skyBlue },
      { label: `${shareLabel} share (% in brackets)`, color: COLORS.blue },
    ]);
  }
  const rest = items.length - shown.length;
  return figure.finish(joinCaption(
    rest > 0
      ? `${rest} more not shown (${
        formatPercent(
          total > 0 ? 100 * items.slice(top).reduce((sum, item) => sum + item.value, 0) / total : 0,
        )
      } of ${valueLabel}).`
      : undefined,
    base.caption,
  ));
}

function accessor<R>(
  given: OptionRecord,
  name: string,
  fallback?: string,
): (row: R, index: number) => unknown {
  const value = given[name] ?? fallback;
  if (typeof value === "string") return (row: R) => (row as Row)[value];
  if (typeof value === "function") return value as (row: R, index: number) => unknown;
  throw new TypeError(`${CHART}(): option ${name} must be a column name or a function`);
}
