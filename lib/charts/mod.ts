/**
 * Charts of the attacks, drawn with Observable Plot as standalone SVG elements that render
 * without a browser (linkedom), serialise to `.svg` files ({@link svgString}) and rasterise to
 * PNG with the bundled font ({@link svgToPng}).
 *
 * Every chart is a function `xxxChart(rows, options?)` taking plain row objects (as
 * `frame.toRecords()` gives them) and returning an `<svg>` element; options are checked when the
 * chart is built (a `TypeError` names a bad option). Percentages are 0–100. Text from the logs is
 * always set as text, never markup.
 *
 * @example
 * ```ts
 * import { svgString, svgToPng, topBarChart } from "./mod.ts";
 * const svg = topBarChart([{ user: "root", attempts: 812 }], { label: "user" });
 * await Deno.writeTextFile("/tmp/users.svg", svgString(svg));
 * await Deno.writeFile("/tmp/users.png", svgToPng(svg));
 * ```
 *
 * @module
 */
export type { ChartOptions, Records } from "./_render.ts";
export { missingnessChart, type MissingnessOptions, type MissingnessRow } from "./missingness.ts";
export {
  COUNTRY_MEASURES,
  countryChart,
  countryComparisonChart,
  type CountryComparisonOptions,
  type CountryMeasure,
  type CountryOptions,
  type CountryRow,
} from "./country.ts";
export { dailyChart, type DailyOptions, type DailyRow } from "./daily.ts";
export {
  hourWeekdayChart,
  type HourWeekdayOptions,
  type HourWeekdayRow,
  WEEKDAYS,
} from "./hour_weekday.ts";
export {
  MAP_PROJECTIONS,
  type MapPoint,
  type MapProjection,
  worldMap,
  type WorldMapOptions,
  type WorldMapResult,
  type WorldMapRow,
  worldMapText,
  type WorldMapTextResult,
  worldMapWithPoints,
} from "./world_map.ts";
export { type RowAccessor, topBarChart, type TopBarOptions } from "./top_bar.ts";
export {
  BUNDLED_FONT_FAMILY,
  BUNDLED_FONT_FILES,
  type PngOptions,
  svgToPng,
  svgToPngAsync,
} from "./png.ts";
export { svgString } from "./svg_string.ts";
export { type Displayable, show, showText } from "./display.ts";
