/// <reference lib="dom" />
/**
 * Shared helpers for the charts: option and row checking, text cleaning and formatting, and the
 * {@link Figure} that stacks a title, Plot panels, legends and text blocks into one standalone
 * `<svg>` element.
 *
 * Every chart is drawn into one SVG (not Plot's HTML `<figure>`), so that the same element can
 * be serialised to a `.svg` file, rasterised with resvg, or inlined in the HTML report.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

/** The SVG namespace. */
export const SVG_NS = "http://www.w3.org/2000/svg";

/** Colour-blind-safe categorical colours (Okabe & Ito 2008). */
export const COLORS = {
  blue: "#0072B2",
  orange: "#E69F00",
  green: "#009E73",
  vermillion: "#D55E00",
  skyBlue: "#56B4E9",
  purple: "#CC79A7",
  yellow: "#F0E442",
  grey: "#999999",
} as const;

/** Grey used for subtitles, captions and secondary text. */
export const MUTED = "#555555";

/** Longest label shown in full; longer labels are cut with an ellipsis (full text in a title). */
export const MAX_LABEL_CHARS = 30;

/** Average advance of a character in em (DejaVu Sans is wide; browsers' system-ui is narrower). */
const CHAR_EM = 0.62;

/** Options every chart takes. */
export interface ChartOptions {
  /**
   * The document used to create elements; pass `window.document` in a browser.
   *
   * @default a fresh linkedom document (`parseHTML`), so charts render without a browser
   */
  document?: Document;
  /**
   * Width of the whole figure in pixels (200–4000).
   *
   * @default 640
   */
  width?: number;
  /**
   * Title drawn at the top of the figure; `""` draws none.
   *
   * @default a title describing the chart
   */
  title?: string;
  /**
   * A line under the title.
   *
   * @default a summary of the data (totals, time range) where the chart has one, else none
   */
  subtitle?: string;
  /**
   * Text drawn under the chart, e.g. the data credit "IP Geolocation by DB-IP (https://db-ip.com)".
   *
   * @default none (charts may add their own notes, e.g. how many rows were left out)
   */
  caption?: string;
}

/** Names of the {@link ChartOptions} fields, for {@link readOptions}. */
export const CHART_OPTION_NAMES = ["document", "width", "title", "subtitle", "caption"] as const;

/** The checked common options. */
export interface BaseSettings {
  document: Document;
  width: number;
  title: string;
  subtitle: string | undefined;
  caption: string | undefined;
}

/** A plain options record after {@link readOptions} has checked its keys. */
export type OptionRecord = Record<string, unknown>;

/** One row object as given by `frame.toRecords()`. */
export type Row = Record<string, unknown>;

/**
 * Rows as `frame.toRecords()` types them. Every chart also takes these (besides its typed row
 * interface): the columns are checked when the chart is built.
 */
export type Records = readonly Record<string, unknown>[];

/**
 * Checks that `options` is undefined or a plain object with only `known` keys.
 *
 * @throws {TypeError} naming the chart and the unknown option
 */
export function readOptions(
  chart: string,
  options: unknown,
  known: readonly string[],
): OptionRecord {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${chart}(): options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `${chart}(): unknown option ${key} (known options: ${known.join(", ")})`,
      );
    }
  }
  return options as OptionRecord;
}

/** Reads the common options ({@link ChartOptions}); `defaultTitle` applies when none is given. */
export function readBaseOptions(
  chart: string,
  options: OptionRecord,
  defaultTitle: string,
): BaseSettings {
  return {
    document: documentOption(chart, options),
    width: numberOption(chart, options, "width", 640, { min: 200, max: 4000 }),
    title: stringOption(chart, options, "title") ?? defaultTitle,
    subtitle: stringOption(chart, options, "subtitle"),
    caption: stringOption(chart, options, "caption"),
  };
}

/** A fresh linkedom document for rendering without a browser. */
export function newDocument(): Document {
  return parseHTML("<!DOCTYPE html><html><head></head><body></body></html>")
    .document as unknown as Document;
}

function documentOption(chart: string, options: OptionRecord): Document {
  const value = options.document;
  if (value === undefined) return newDocument();
  if (
    value === null || typeof value !== "object" ||
    typeof (value as Document).createElementNS !== "function"
  ) {
    throw new TypeError(
      `${chart}(): option document must be a DOM Document (e.g. linkedom's parseHTML().document)`,
    );
  }
  return value as Document;
}

/**
 * Reads a number option within `[min, max]` (an integer when `integer`).
 *
 * @throws {TypeError} naming the option when it is not such a number
 */
export function numberOption(
  chart: string,
  options: OptionRecord,
  name: string,
  fallback: number,
  { min = -Infinity, max = Infinity, integer = false } = {},
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" || !Number.isFinite(value) || value < min || value > max ||
    (integer && !Number.isInteger(value))
  ) {
    const kind = integer ? "an integer" : "a number";
    throw new TypeError(
      `${chart}(): option ${name} must be ${kind} from ${min} to ${max}, got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * Reads a string option (undefined when not given).
 *
 * @throws {TypeError} naming the option when it is not a string
 */
export function stringOption(
  chart: string,
  options: OptionRecord,
  name: string,
): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new TypeError(`${chart}(): option ${name} must be a string, got ${describe(value)}`);
  }
  return value;
}

/**
 * Reads an option that must be one of `values`.
 *
 * @throws {TypeError} naming the option and the allowed values
 */
export function enumOption<T extends string>(
  chart: string,
  options: OptionRecord,
  name: string,
  values: readonly T[],
  fallback: T,
): T {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
    throw new TypeError(
      `${chart}(): option ${name} must be one of ${values.map((v) => `"${v}"`).join(", ")}, got ${
        describe(value)
      }`,
    );
  }
  return value as T;
}

/**
 * Reads an option that must be an array of row objects (undefined when not given).
 *
 * @throws {TypeError} naming the option
 */
export function rowsOption(chart: string, options: OptionRecord, name: string): Row[] | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  return checkRows(chart, value, `option ${name}`);
}

/**
 * Checks that `rows` is an array of objects.
 *
 * @throws {TypeError} naming the chart and the first bad element
 */
export function checkRows(chart: string, rows: unknown, what = "rows"): Row[] {
  if (!Array.isArray(rows)) {
    throw new TypeError(
      `${chart}(): ${what} must be an array of row objects, got ${describe(rows)}`,
    );
  }
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      throw new TypeError(`${chart}(): ${what}[${i}] must be a row object, got ${describe(row)}`);
    }
  }
  return rows as Row[];
}

/**
 * Reads a count (a non-negative number or bigint; null and undefined read as 0).
 *
 * @throws {TypeError} when the value is not a number
 * @throws {RangeError} when it is negative or not finite
 */
export function countField(
  chart: string,
  row: Row,
  index: number,
  column: string,
  list = "rows",
): number {
  const value = numberField(chart, row, index, column, true, list);
  if (value === null) return 0;
  if (value < 0) {
    throw new RangeError(
      `${chart}(): ${list}[${index}].${column} must not be negative, got ${value}`,
    );
  }
  return value;
}

/**
 * Reads a number column; null and undefined give null when `nullable`.
 *
 * @throws {TypeError} when the value is missing (and not `nullable`) or not a number
 * @throws {RangeError} when it is not finite
 */
export function numberField(
  chart: string,
  row: Row,
  index: number,
  column: string,
  nullable: boolean,
  list = "rows",
): number | null {
  const value = row[column];
  if (value === null || value === undefined) {
    if (nullable) return null;
    throw new TypeError(`${chart}(): ${list}[${index}].${column} is missing (expected a number)`);
  }
  const number = typeof value === "bigint" ? Number(value) : value;
  if (typeof number !== "number") {
    throw new TypeError(
      `${chart}(): ${list}[${index}].${column} must be a number, got ${describe(value)}`,
    );
  }
  if (!Number.isFinite(number)) {
    throw new RangeError(`${chart}(): ${list}[${index}].${column} must be finite, got ${number}`);
  }
  return number;
}

/**
 * Reads a percentage column (0–100, a little rounding error allowed and clamped).
 *
 * @throws {RangeError} when the value is outside 0–100
 */
export function percentField(chart: string, row: Row, index: number, column: string): number {
  const value = numberField(chart, row, index, column, true) ?? 0;
  if (value < -1e-6 || value > 100 + 1e-6) {
    throw new RangeError(
      `${chart}(): rows[${index}].${column} must be a percentage from 0 to 100, got ${value}`,
    );
  }
  return Math.min(100, Math.max(0, value));
}

/**
 * Reads a text column (strings, numbers and bigints are accepted; null, undefined and "" give
 * null).
 *
 * @throws {TypeError} for other values
 */
export function textField(
  chart: string,
  row: Row,
  index: number,
  column: string,
  list = "rows",
): string | null {
  const value = row[column];
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  throw new TypeError(
    `${chart}(): ${list}[${index}].${column} must be a string, got ${describe(value)}`,
  );
}

// Control characters (C0 incl. tab/newline, DEL, C1), bidirectional overrides and isolates (which
// could make attacker text read backwards), and the XML non-characters U+FFFE/U+FFFF.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g;

/**
 * Makes attacker-controlled text safe to show on one line: control characters, bidi overrides and
 * characters XML cannot hold become U+FFFD, lone surrogates too.
 */
export function cleanText(text: string): string {
  return text.toWellFormed().replace(UNSAFE_CHARS, "\ufffd");
}

/** Cuts `text` to `max` characters (code points), ending with "…" when cut. */
export function truncate(text: string, max: number = MAX_LABEL_CHARS): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(1, max - 1)).join("") + "…";
}

/** {@link cleanText} then {@link truncate}: how a label is drawn. */
export function label(text: string, max: number = MAX_LABEL_CHARS): string {
  return truncate(cleanText(text), max);
}

const integerFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** Formats a count: `1234` → `"1,234"`. */
export function formatCount(value: number): string {
  return integerFormat.format(value);
}

/** Formats a percentage (0–100) with one decimal: `"12.3%"`, `"<0.1%"` for tiny shares. */
export function formatPercent(value: number): string {
  if (value > 0 && value < 0.05) return "<0.1%";
  return `${value.toFixed(1)}%`;
}

/** Estimated width in pixels of `text` at `fontSize`. */
export function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * CHAR_EM;
}

/** How many characters fit in `width` pixels at `fontSize`. */
export function charsThatFit(width: number, fontSize: number): number {
  return Math.max(4, Math.floor(width / (fontSize * CHAR_EM)));
}

/** A left margin wide enough for `labels` at Plot's 10 px tick font (between 40 and 220 px). */
export function marginForLabels(labels: readonly string[]): number {
  let longest = 0;
  for (const text of labels) longest = Math.max(longest, textWidth(text, 10));
  return Math.round(Math.min(220, Math.max(40, longest + 14)));
}

/** The 1, 2, 2.5, 5 × 10ⁿ value nearest below `value` (for legend steps). */
export function niceBelow(value: number): number {
  if (!(value > 0)) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [10, 5, 2.5, 2, 1]) {
    if (step * power <= value) return step * power;
  }
  return power;
}

/** `2024-01-05` for a UTC date. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(truncate(value, 40));
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}

/** Creates an SVG element with attributes (undefined values are skipped) and optional text. */
export function svgElement(
  document: Document,
  name: string,
  attributes: Record<string, string | number | undefined> = {},
  text?: string,
): SVGElement {
  const element = document.createElementNS(SVG_NS, name) as SVGElement;
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(key, String(value));
  }
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Adds a `<title>` child (a tooltip in browsers) holding `text`. */
export function addTitle(element: Element, text: string): void {
  const document = element.ownerDocument;
  element.appendChild(svgElement(document, "title", {}, cleanText(text)));
}

/** A line of text in a {@link Figure}. */
export interface TextLine {
  /** The text; it is cleaned and cut to the figure width (full text in a title when cut). */
  text: string;
  /** @default 11 */
  fontSize?: number;
  /** @default {@link MUTED} */
  fill?: string;
  /** @default "normal" */
  fontWeight?: "normal" | "bold";
  /** Wrap at spaces onto up to 4 lines instead of cutting at the figure width. */
  wrap?: boolean;
}

/** Splits `text` at spaces into lines of at most `width` characters; the last line is cut. */
export function wrap(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    const candidate = current === "" ? word : `${current} ${word}`;
    if ([...candidate].length <= width || current === "") {
      current = candidate;
    } else {
      lines.push(current);
      current = word;
    }
  }
  lines.push(current);
  const kept = lines.slice(0, maxLines).map((line) => truncate(line, width));
  if (lines.length > maxLines) kept[maxLines - 1] = truncate(`${kept[maxLines - 1]} …`, width);
  return kept;
}

/** One entry of a {@link Figure.swatches} legend. */
export interface Swatch {
  label: string;
  color: string;
  /** Draw a dot instead of a square. */
  dot?: boolean;
}

const PAD = 10;
const BLOCK_GAP = 6;

/**
 * A figure being assembled top to bottom: heading, Plot panels, legends, text. {@link finish}
 * gives the root `<svg>`.
 */
export class Figure {
  readonly document: Document;
  readonly width: number;
  readonly root: SVGSVGElement;
  /** The next free y position. */
  y = PAD;
  #styles = new Set<string>();

  constructor(document: Document, width: number, chart: string) {
    this.document = document;
    this.width = width;
    this.root = svgElement(document, "svg", {
      xmlns: SVG_NS,
      width,
      "font-family": "system-ui, sans-serif",
      "font-size": 10,
      fill: "currentColor",
      "data-chart": chart,
      role: "img",
    }) as SVGSVGElement;
  }

  /** Draws the title (bold, 16 px) and the subtitle (lines split at "\n"); empty texts are skipped. */
  heading(title: string, subtitle?: string): this {
    if (title !== "") {
      this.root.setAttribute("aria-label", cleanText(title));
      this.text([{ text: title, fontSize: 16, fill: "currentColor", fontWeight: "bold" }]);
    }
    if (subtitle) {
      this.text(subtitle.split("\n").map((text) => ({ text, fontSize: 12, wrap: true })));
    }
    if (title !== "" || subtitle) this.y += BLOCK_GAP;
    return this;
  }

  /** Draws lines of text, left-aligned, each cut to the figure width. */
  text(lines: readonly TextLine[], x: number = PAD): this {
    for (const line of lines) {
      const fontSize = line.fontSize ?? 11;
      const full = cleanText(line.text);
      const room = charsThatFit(this.width - x - PAD, fontSize);
      const wrapped = line.wrap ? wrap(full, room, 4) : [truncate(full, room)];
      for (const shown of wrapped) {
        this.y += Math.round(fontSize * 1.3);
        const element = svgElement(this.document, "text", {
          x,
          y: this.y,
          "font-size": fontSize,
          "font-weight": line.fontWeight === "bold" ? "bold" : undefined,
          fill: line.fill ?? MUTED,
        }, shown);
        if (shown.endsWith("…") && !full.endsWith("…")) addTitle(element, full);
        this.root.appendChild(element);
      }
    }
    this.y += Math.round(BLOCK_GAP / 2);
    return this;
  }

  /**
   * Moves a Plot `<svg>` (of this figure's width) into the figure as a `<g>` at the current y and
   * returns that group and its offset.
   */
  plot(plotted: Element): { group: SVGGElement; top: number } {
    if (plotted.nodeName.toLowerCase() !== "svg") {
      throw new Error(`Cannot place a Plot <${plotted.nodeName}> in a chart; expected an <svg>`);
    }
    const height = Number(plotted.getAttribute("height"));
    const top = this.y;
    const group = svgElement(this.document, "g", { transform: `translate(0,${top})` });
    for (const attribute of Array.from(plotted.attributes)) {
      if (!["viewBox", "width", "height", "xmlns", "style"].includes(attribute.name)) {
        group.setAttribute(attribute.name, attribute.value);
      }
    }
    for (const child of Array.from(plotted.childNodes)) {
      if (child.nodeName.toLowerCase() === "style") {
        // Plot's stylesheet is the same for every panel: keep one, at the top of the figure.
        const css = child.textContent ?? "";
        if (!this.#styles.has(css)) {
          this.#styles.add(css);
          this.root.insertBefore(child, this.root.firstChild);
        } else {
          plotted.removeChild(child);
        }
        continue;
      }
      group.appendChild(child);
    }
    this.root.appendChild(group);
    this.y += height;
    return { group: group as SVGGElement, top };
  }

  /** Draws a row of colour swatches with labels. */
  swatches(entries: readonly Swatch[], x: number = PAD): this {
    const size = 10;
    const group = svgElement(this.document, "g", {
      "aria-label": "legend",
      transform: `translate(0,${this.y + 4})`,
    });
    let left = x;
    for (const entry of entries) {
      const text = label(entry.label);
      group.appendChild(
        entry.dot
          ? svgElement(this.document, "circle", {
            cx: left + size / 2,
            cy: size / 2,
            r: size / 2,
            fill: entry.color,
          })
          : svgElement(this.document, "rect", {
            x: left,
            y: 0,
            width: size,
            height: size,
            fill: entry.color,
          }),
      );
      group.appendChild(
        svgElement(
          this.document,
          "text",
          { x: left + size + 4, y: size - 1, "font-size": 11 },
          text,
        ),
      );
      left += size + 4 + textWidth(text, 11) + 16;
    }
    this.root.appendChild(group);
    this.y += size + 4 + BLOCK_GAP;
    return this;
  }

  /** Reserves `height` pixels and hands a `<g>` placed there to `draw`. */
  block(height: number, draw: (group: SVGGElement) => void, name?: string): this {
    const group = svgElement(this.document, "g", {
      transform: `translate(0,${this.y})`,
      "aria-label": name,
    }) as SVGGElement;
    draw(group);
    this.root.appendChild(group);
    this.y += height + BLOCK_GAP;
    return this;
  }

  /** Draws a framed grey message in place of a chart (for empty data). */
  empty(message: string, height = 80): this {
    return this.block(height, (group) => {
      group.appendChild(svgElement(this.document, "rect", {
        x: PAD,
        y: 0,
        width: this.width - 2 * PAD,
        height,
        fill: "none",
        stroke: "#cccccc",
      }));
      group.appendChild(svgElement(this.document, "text", {
        x: this.width / 2,
        y: height / 2 + 4,
        "text-anchor": "middle",
        "font-size": 12,
        fill: MUTED,
      }, cleanText(message)));
    }, "no data");
  }

  /** Draws a caption (when given) and closes the figure: sets its height and view box. */
  finish(caption?: string): SVGSVGElement {
    if (caption) {
      this.text(caption.split("\n").map((text) => ({ text, fontSize: 11, wrap: true })));
    }
    const height = Math.ceil(this.y + PAD);
    this.root.setAttribute("height", String(height));
    this.root.setAttribute("viewBox", `0 0 ${this.width} ${height}`);
    return this.root;
  }
}

/** Joins caption parts (skipping empty ones) into lines. */
export function joinCaption(...parts: (string | undefined)[]): string | undefined {
  const lines = parts.filter((part): part is string => !!part);
  return lines.length > 0 ? lines.join("\n") : undefined;
}

/** One bar of {@link horizontalBars}. */
export interface Bar {
  /** Full label (cleaned); drawn cut to {@link MAX_LABEL_CHARS}, full text in the tick's title. */
  label: string;
  /** Length of the bar. */
  value: number;
  /** Text drawn after the bar end. */
  text: string;
  /** Tooltip of the bar. */
  title: string;
  /** Length of a darker bar drawn over the start of this one (e.g. the hosting share). */
  part?: number;
}

/** Settings of {@link horizontalBars}. */
export interface BarsSettings {
  document: Document;
  width: number;
  bars: readonly Bar[];
  xLabel: string;
  /** @default [0, largest value] */
  xDomain?: [number, number];
  /** @default {@link COLORS.blue} */
  color?: string;
  /** Colour of the {@link Bar.part} bars. */
  partColor?: string;
  /** Values are counts: no fractional ticks. */
  counts?: boolean;
}

/** Pixels per bar of {@link horizontalBars}. */
export const BAR_STEP = 20;

/**
 * Horizontal bars, one per item in the given order (top to bottom), labels on the left (long ones
 * cut, full text in a title), the value text after each bar. Rows are positioned by index, so
 * equal labels stay separate bars.
 */
export function horizontalBars(settings: BarsSettings): Element {
  const { document, width, bars } = settings;
  const shown = bars.map((bar) => truncate(bar.label));
  const marginLeft = marginForLabels(shown);
  const largest = Math.max(0, ...bars.map((bar) => bar.value));
  const xDomain = settings.xDomain ?? [0, largest > 0 ? largest : 1];
  const longestText = Math.max(0, ...bars.map((bar) => textWidth(bar.text, 10)));
  const index = bars.map((_, i) => i);
  const marks: Plot.Markish[] = [
    Plot.axisY({
      tickFormat: (i: number) => shown[i],
      title: (i: number) => bars[i].label,
      tickSize: 0,
    }),
    Plot.barX(index, {
      y: (i: number) => i,
      x: (i: number) => bars[i].value,
      fill: settings.color ?? COLORS.blue,
      title: (i: number) => bars[i].title,
    }),
  ];
  if (bars.some((bar) => bar.part !== undefined)) {
    const parts = index.filter((i) => (bars[i].part ?? 0) > 0);
    marks.push(
      Plot.barX(parts, {
        y: (i: number) => i,
        x: (i: number) => bars[i].part,
        fill: settings.partColor ?? COLORS.vermillion,
        insetTop: 5,
        insetBottom: 5,
        title: (i: number) => bars[i].title,
      }),
    );
  }
  marks.push(
    Plot.text(index, {
      y: (i: number) => i,
      x: (i: number) => bars[i].value,
      text: (i: number) => bars[i].text,
      textAnchor: "start",
      dx: 4,
    }),
    Plot.ruleX([0]),
  );
  return Plot.plot({
    document,
    width,
    height: 12 + 40 + BAR_STEP * Math.max(1, bars.length),
    marginTop: 12,
    marginBottom: 40,
    marginLeft,
    marginRight: Math.round(Math.min(200, longestText + 16)),
    x: {
      domain: xDomain,
      label: settings.xLabel,
      grid: true,
      labelAnchor: "center",
      // Plot would tick 0, 0.5, 1, … for small counts.
      ticks: settings.counts && xDomain[1] < 10 ? Math.max(1, Math.ceil(xDomain[1])) : undefined,
    },
    y: { domain: index, axis: null },
    marks,
  });
}
