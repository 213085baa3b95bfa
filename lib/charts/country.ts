/**
 * Where the attacks come from, by country: the seed's "unauth-country" percentage bars, and the
 * three shares (attempts, IPs, subnets) side by side.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import {
  CHART_OPTION_NAMES,
  type ChartOptions,
  checkRows,
  cleanText,
  COLORS,
  countField,
  enumOption,
  Figure,
  formatCount,
  formatPercent,
  horizontalBars,
  joinCaption,
  marginForLabels,
  numberOption,
  type OptionRecord,
  percentField,
  readBaseOptions,
  readOptions,
  type Records,
  type Row,
  textField,
  truncate,
} from "./_render.ts";

/**
 * One row of the country charts: one known country, as the `countries` frame gives it. A row with
 * `country: null` (IPs of unknown country) is accepted too: it is never a bar, only mentioned in
 * the caption, like the `unknown` option.
 */
export interface CountryRow {
  /** ISO 3166-1 alpha-2 code, or null for "unknown country" (shown in the caption, never a bar). */
  country: string | null;
  /** English name; the code is shown when null. */
  country_name: string | null;
  /** Attempts from the country's IPs. */
  attempts: number;
  /** Distinct IPs. */
  unique_ips: number;
  /** Distinct subnets (/24 for IPv4, /64 for IPv6). */
  unique_subnets: number;
  /** Percentage (0–100) of all attempts. */
  pct_attempts: number;
  /** Percentage (0–100) of all IPs. */
  pct_ips: number;
  /** Percentage (0–100) of all subnets. */
  pct_subnets: number;
}

/** What a country chart measures. */
export type CountryMeasure = "attempts" | "ips" | "subnets";

/** The measures, in the order of {@link countryComparisonChart}'s panels. */
export const COUNTRY_MEASURES: readonly CountryMeasure[] = ["attempts", "ips", "subnets"];

const MEASURES: Record<CountryMeasure, {
  count: keyof CountryRow;
  pct: keyof CountryRow;
  noun: string;
  title: string;
  color: string;
}> = {
  attempts: {
    count: "attempts",
    pct: "pct_attempts",
    noun: "attempts",
    title: "Attempts by country",
    color: COLORS.blue,
  },
  ips: {
    count: "unique_ips",
    pct: "pct_ips",
    noun: "IPs",
    title: "Attacking IPs by country",
    color: COLORS.orange,
  },
  subnets: {
    count: "unique_subnets",
    pct: "pct_subnets",
    noun: "subnets",
    title: "Attacking subnets by country",
    color: COLORS.green,
  },
};

/** What the IPs of unknown country add up to (the frames' `unknownCountry`). */
export interface UnknownCountry {
  attempts: number;
  unique_ips: number;
  unique_subnets: number;
}

/** Options of {@link countryChart}. */
export interface CountryOptions extends ChartOptions {
  /**
   * Totals of the IPs of unknown country, to say in the caption how much the shares leave out.
   *
   * @default none (rows with `country: null` are used when present)
   */
  unknown?: UnknownCountry;
  /**
   * Which share to draw: of attempts, of distinct IPs, or of distinct subnets.
   *
   * @default "attempts"
   */
  measure?: CountryMeasure;
  /**
   * How many countries to draw (the largest shares), 1–250.
   *
   * @default 15
   */
  top?: number;
}

/** Options of {@link countryComparisonChart}. */
export interface CountryComparisonOptions extends ChartOptions {
  /**
   * Totals of the IPs of unknown country, for the caption.
   *
   * @default none
   */
  unknown?: UnknownCountry;
  /**
   * Which share picks and orders the countries.
   *
   * @default "attempts"
   */
  sortBy?: CountryMeasure;
  /**
   * How many countries to draw, 1–250.
   *
   * @default 10
   */
  top?: number;
}

interface Country {
  code: string | null;
  label: string;
  counts: Record<CountryMeasure, number>;
  pcts: Record<CountryMeasure, number>;
}

function readCountries(chart: string, rows: unknown): Country[] {
  return checkRows(chart, rows).map((row: Row, i) => {
    const code = textField(chart, row, i, "country");
    const name = textField(chart, row, i, "country_name");
    const counts = {} as Record<CountryMeasure, number>;
    const pcts = {} as Record<CountryMeasure, number>;
    for (const measure of COUNTRY_MEASURES) {
      counts[measure] = countField(chart, row, i, MEASURES[measure].count);
      pcts[measure] = percentField(chart, row, i, MEASURES[measure].pct);
    }
    const label = cleanText(
      code === null ? "Unknown country" : name !== null ? `${name} (${code})` : code,
    );
    return { code, label, counts, pcts };
  });
}

function topCountries(countries: Country[], measure: CountryMeasure, top: number): Country[] {
  return countries.filter((country) => country.code !== null)
    .sort((a, b) =>
      b.pcts[measure] - a.pcts[measure] || b.counts[measure] - a.counts[measure] ||
      (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)
    )
    .slice(0, top);
}

function readUnknown(chart: string, given: OptionRecord): Record<CountryMeasure, number> | null {
  const value = given.unknown;
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(
      `${chart}(): option unknown must be an object { attempts, unique_ips, unique_subnets }`,
    );
  }
  const counts = {} as Record<CountryMeasure, number>;
  for (const measure of COUNTRY_MEASURES) {
    counts[measure] = countField(chart, value as Row, 0, MEASURES[measure].count, "unknown");
  }
  return counts;
}

function notes(
  countries: Country[],
  shown: Country[],
  measure: CountryMeasure,
  unknownTotals: Record<CountryMeasure, number> | null,
): string[] {
  const { noun } = MEASURES[measure];
  const known = countries.filter((country) => country.code !== null);
  const lines: string[] = [];
  if (known.length > shown.length) {
    const rest = known.length - shown.length;
    const restShare = known.filter((country) => !shown.includes(country))
      .reduce((sum, country) => sum + country.pcts[measure], 0);
    lines.push(
      `Top ${shown.length} of ${known.length} countries; the other ${rest} hold ${
        formatPercent(restShare)
      } of ${noun}.`,
    );
  }
  const unknown = countries.filter((country) => country.code === null);
  if (unknownTotals !== null) {
    const count = unknownTotals[measure];
    const knownCount = known.reduce((sum, country) => sum + country.counts[measure], 0);
    if (count > 0) {
      lines.push(
        `Unknown country: ${formatCount(count)} ${noun} (${
          formatPercent(100 * count / (count + knownCount))
        } of all), not in the shares.`,
      );
    }
  } else if (unknown.length > 0) {
    const count = unknown.reduce((sum, country) => sum + country.counts[measure], 0);
    const share = unknown.reduce((sum, country) => sum + country.pcts[measure], 0);
    lines.push(
      `Unknown country: ${formatPercent(share)} of ${noun} (${formatCount(count)}), not shown.`,
    );
  }
  return lines;
}

const COUNTRY_CHART = "countryChart";

/**
 * Percentage bars by country, largest first: the share of attempts, of distinct IPs or of
 * distinct subnets (`measure`) coming from each of the `top` countries, labelled
 * "Country name (CC)" with the percentage and count after each bar. IPs of unknown country are
 * never a bar; their share is given in the caption, with the share of the countries left out.
 *
 * @example
 * ```ts
 * import { countryChart } from "./mod.ts";
 * const svg = countryChart([
 *   { country: "CN", country_name: "China", attempts: 600, unique_ips: 30, unique_subnets: 20,
 *     pct_attempts: 60, pct_ips: 50, pct_subnets: 40 },
 *   { country: null, country_name: null, attempts: 400, unique_ips: 30, unique_subnets: 30,
 *     pct_attempts: 40, pct_ips: 50, pct_subnets: 60 },
 * ], { measure: "ips" });
 * ```
 *
 * @throws {TypeError} for bad options or rows
 * @throws {RangeError} for percentages outside 0–100 or negative counts
 */
export function countryChart(
  rows: readonly CountryRow[] | Records,
  options?: CountryOptions,
): SVGSVGElement {
  const given: OptionRecord = readOptions(COUNTRY_CHART, options, [
    ...CHART_OPTION_NAMES,
    "measure",
    "top",
    "unknown",
  ]);
  const measure = enumOption(COUNTRY_CHART, given, "measure", COUNTRY_MEASURES, "attempts");
  const top = numberOption(COUNTRY_CHART, given, "top", 15, { min: 1, max: 250, integer: true });
  const unknownTotals = readUnknown(COUNTRY_CHART, given);
  const spec = MEASURES[measure];
  const base = readBaseOptions(COUNTRY_CHART, given, spec.title);
  const countries = readCountries(COUNTRY_CHART, rows);
  const shown = topCountries(countries, measure, top);
  const total = countries.reduce((sum, country) => sum + country.counts[measure], 0);
  const figure = new Figure(base.document, base.width, `country-${measure}`).heading(
    base.title,
    base.subtitle ??
      `Share of ${formatCount(total)} ${spec.noun} from ${
        countries.filter((country) => country.code !== null).length
      } countries`,
  );
  if (shown.length === 0) {
    figure.empty("No country known");
  } else {
    figure.plot(horizontalBars({
      document: base.document,
      width: base.width,
      xLabel: `Share of ${spec.noun} (%)`,
      color: spec.color,
      bars: shown.map((country) => ({
        label: country.label,
        value: country.pcts[measure],
        text: `${formatPercent(country.pcts[measure])} (${formatCount(country.counts[measure])})`,
        title: `${country.label}: ${formatPercent(country.pcts[measure])} of ${spec.noun} (${
          formatCount(country.counts[measure])
        })`,
      })),
    }));
  }
  return figure.finish(
    joinCaption(...notes(countries, shown, measure, unknownTotals), base.caption),
  );
}

const COMPARISON_CHART = "countryComparisonChart";

/** Panel headers of {@link countryComparisonChart}. */
const PANEL_LABELS: Record<CountryMeasure, string> = {
  attempts: "% of attempts",
  ips: "% of IPs",
  subnets: "% of subnets",
};

/**
 * The three shares of the top countries side by side: one panel each for the percentage of
 * attempts, of distinct IPs and of distinct subnets, countries in the same rows across the
 * panels, picked and ordered by `sortBy`. A country with many attempts from few IPs (one busy
 * host) stands out against one with many IPs each trying a little (a botnet).
 *
 * @example
 * ```ts
 * import { countryComparisonChart } from "./mod.ts";
 * const svg = countryComparisonChart([
 *   { country: "CN", country_name: "China", attempts: 600, unique_ips: 30, unique_subnets: 20,
 *     pct_attempts: 60, pct_ips: 50, pct_subnets: 40 },
 * ], { top: 5 });
 * ```
 *
 * @throws {TypeError} for bad options or rows
 * @throws {RangeError} for percentages outside 0–100 or negative counts
 */
export function countryComparisonChart(
  rows: readonly CountryRow[] | Records,
  options?: CountryComparisonOptions,
): SVGSVGElement {
  const given = readOptions(COMPARISON_CHART, options, [
    ...CHART_OPTION_NAMES,
    "sortBy",
    "top",
    "unknown",
  ]);
  const sortBy = enumOption(COMPARISON_CHART, given, "sortBy", COUNTRY_MEASURES, "attempts");
  const top = numberOption(COMPARISON_CHART, given, "top", 10, {
    min: 1,
    max: 250,
    integer: true,
  });
  const unknownTotals = readUnknown(COMPARISON_CHART, given);
  const base = readBaseOptions(
    COMPARISON_CHART,
    given,
    "Countries by share of attempts, IPs and subnets",
  );
  const countries = readCountries(COMPARISON_CHART, rows);
  const shown = topCountries(countries, sortBy, top);
  const figure = new Figure(base.document, base.width, "country-comparison").heading(
    base.title,
    base.subtitle ?? `Top ${shown.length} countries by share of ${MEASURES[sortBy].noun}`,
  );
  if (shown.length === 0) {
    figure.empty("No country known");
    return figure.finish(
      joinCaption(...notes(countries, shown, sortBy, unknownTotals), base.caption),
    );
  }
  const labels = shown.map((country) => truncate(country.label));
  const bars = shown.flatMap((country, row) =>
    COUNTRY_MEASURES.map((measure) => ({ row, measure, country }))
  );
  const largest = Math.max(
    1,
    ...shown.flatMap((country) => COUNTRY_MEASURES.map((m) => country.pcts[m])),
  );
  const index = shown.map((_, i) => i);
  type Cell = (typeof bars)[number];
  figure.plot(Plot.plot({
    document: base.document,
    width: base.width,
    height: 30 + 40 + 20 * shown.length,
    marginTop: 30,
    marginBottom: 40,
    marginLeft: marginForLabels(labels),
    marginRight: 16,
    fx: {
      domain: COUNTRY_MEASURES,
      tickFormat: (measure: CountryMeasure) => PANEL_LABELS[measure],
      label: null,
      axis: "top",
      padding: 0.12,
    },
    x: { domain: [0, largest], label: "Share (%)", grid: true, ticks: 4, labelAnchor: "center" },
    y: { domain: index, axis: null },
    color: {
      domain: COUNTRY_MEASURES,
      range: COUNTRY_MEASURES.map((measure) => MEASURES[measure].color),
    },
    marks: [
      Plot.axisY({
        tickFormat: (i: number) => labels[i],
        title: (i: number) => shown[i].label,
        tickSize: 0,
      }),
      Plot.barX(bars, {
        fx: (d: Cell) => d.measure,
        y: (d: Cell) => d.row,
        x: (d: Cell) => d.country.pcts[d.measure],
        fill: (d: Cell) => d.measure,
        title: (d: Cell) =>
          `${d.country.label}: ${formatPercent(d.country.pcts[d.measure])} of ${
            MEASURES[d.measure].noun
          } (${formatCount(d.country.counts[d.measure])})`,
      }),
      Plot.ruleX([0]),
    ],
  }));
  const lines = notes(countries, shown, sortBy, unknownTotals);
  return figure.finish(joinCaption(...lines, base.caption));
}
