/**
 * Where the attacking IPs are: a world map with one dot per located IP, sized by attempts.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import {
  geoEqualEarth,
  geoEquirectangular,
  geoNaturalEarth1,
  geoPath,
  type GeoProjection,
  type GeoStream,
} from "d3-geo";
import { feature } from "topojson-client";
import { PROJECT_ROOT } from "../paths.ts";
import { escapeAttribute, escapeText, svgString } from "./svg_string.ts";
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
  joinCaption,
  MUTED,
  niceBelow,
  numberField,
  numberOption,
  type OptionRecord,
  readBaseOptions,
  readOptions,
  type Records,
  svgElement,
  textField,
} from "./_render.ts";

/**
 * One row of {@link worldMap}: one IP. The GeoIP2-style columns of the `ips` / `ipDetails` frames
 * are read when the short names are absent: `location.latitude`, `location.longitude`,
 * `country.names.en` (then `country.iso_code`), `city.names.en`,
 * `traits.autonomous_system_organization` (then `traits.organization`, `traits.isp`), so
 * `frames.ips.toRecords()` can be passed as it is.
 */
export interface WorldMapRow {
  /** The IP address. */
  ip: string;
  /** Latitude in degrees; null when unknown (the IP is left out and counted in the caption). */
  lat?: number | null;
  /** Longitude in degrees; null when unknown. */
  lon?: number | null;
  /** Attempts from the IP. */
  attempts: number;
  /** Country (name or code), for the tooltip. */
  country?: string | null;
  /** City, for the tooltip. */
  city?: string | null;
  /** Network owner, for the tooltip. */
  asn_org?: string | null;
}

/** The map projections {@link worldMap} offers (all show the whole world). */
export const MAP_PROJECTIONS = ["equal-earth", "natural-earth", "equirectangular"] as const;

/** A projection name from {@link MAP_PROJECTIONS}. */
export type MapProjection = (typeof MAP_PROJECTIONS)[number];

/** Options of {@link worldMap} and {@link worldMapWithPoints}. */
export interface WorldMapOptions extends ChartOptions {
  /**
   * The map projection: Equal Earth (equal-area), Natural Earth or plate carrée.
   *
   * @default "equal-earth"
   */
  projection?: MapProjection;
  /**
   * Radius in pixels of the dot of the IP with the most attempts, 2–60; dot areas are
   * proportional to attempts (square-root scale).
   *
   * @default 14
   */
  maxRadius?: number;
  /**
   * Smallest dot radius in pixels, so that IPs with few attempts stay visible, 0.5–10.
   *
   * @default 1.5
   */
  minRadius?: number;
  /**
   * Draw the graticule (10° lines).
   *
   * @default true
   */
  graticule?: boolean;
  /**
   * The land to draw, as a GeoJSON object.
   *
   * @default world-atlas's land-110m, read from node_modules
   */
  land?: object;
}

/** One dot of the map, in the coordinates of the returned `<svg>` (its viewBox units). */
export interface MapPoint {
  ip: string;
  /** Centre of the dot. */
  x: number;
  y: number;
  /** Radius of the dot. */
  r: number;
  attempts: number;
  lat: number;
  lon: number;
  country: string | null;
  city: string | null;
  asn_org: string | null;
  /** The dot's tooltip text: `ip — city, country — N attempts` (then the network owner). */
  title: string;
}

/** What {@link worldMapWithPoints} gives. */
export interface WorldMapResult {
  svg: SVGSVGElement;
  /**
   * The dots, largest first, in the same order as the `<circle>` elements (each carries
   * `data-ip` and `data-attempts`), for a page that adds its own interaction.
   */
  points: MapPoint[];
  /** IPs without coordinates (left out of the map). */
  unlocated: number;
  /** Their attempts. */
  unlocatedAttempts: number;
}

const CHART = "worldMap";
const PROJECTIONS = {
  "equal-earth": geoEqualEarth,
  "natural-earth": geoNaturalEarth1,
  equirectangular: geoEquirectangular,
};
const SPHERE = { type: "Sphere" };
const PAD = 4;

/**
 * A world map (land from world-atlas, graticule, outline of the globe) with one dot per IP that
 * has coordinates, its area proportional to the IP's attempts (legend below), and a tooltip
 * (`title`) `ip — city, country — N attempts` that a browser shows on hover. IPs without
 * coordinates are left out and counted in the caption.
 *
 * @example
 * ```ts
 * import { worldMap } from "./mod.ts";
 * const svg = worldMap([
 *   { ip: "203.0.113.7", lat: 52.52, lon: 13.4, attempts: 420, country: "Germany", city: "Berlin" },
 *   { ip: "198.51.100.9", lat: null, lon: null, attempts: 3 },
 * ]);
 * ```
 *
 * @throws {TypeError} for bad options or rows
 * @throws {RangeError} for negative attempts
 */
export function worldMap(
  rows: readonly WorldMapRow[] | Records,
  options?: WorldMapOptions,
): SVGSVGElement {
  return worldMapWithPoints(rows, options).svg;
}

/**
 * {@link worldMap}, also giving each dot's position, radius and details, so that the HTML report
 * can add its own interaction (highlight, click to show an IP's events). The same data is on the
 * elements: each `<circle>` of the dots carries `data-ip` and `data-attempts`.
 *
 * @example
 * ```ts
 * import { svgString, worldMapWithPoints } from "./mod.ts";
 * const { svg, points } = worldMapWithPoints([
 *   { ip: "203.0.113.7", lat: 52.52, lon: 13.4, attempts: 420 },
 * ]);
 * console.log(points[0].ip, Math.round(points[0].x), Math.round(points[0].y));
 * console.log(svgString(svg).includes('data-ip="203.0.113.7"'));
 * ```
 *
 * @throws {TypeError} for bad options or rows
 * @throws {RangeError} for negative attempts
 */
export function worldMapWithPoints(
  rows: readonly WorldMapRow[] | Records,
  options?: WorldMapOptions,
): WorldMapResult {
  const { dots: _dots, ...map } = drawWorldMap(rows, options, false);
  return map;
}

/** What {@link worldMapText} gives. */
export interface WorldMapTextResult extends Omit<WorldMapResult, "svg"> {
  /** The map as the text of a standalone `.svg` file. */
  svg: string;
}

/**
 * {@link worldMapWithPoints} as SVG text: the same text as
 * `svgString(worldMapWithPoints(rows, options).svg)`, made without an element
 * per dot (ten thousand IPs: about a fifth of the time and of the memory).
 *
 * @example
 * ```ts
 * import { worldMapText } from "./mod.ts";
 * const { svg, points } = worldMapText([{ ip: "203.0.113.7", lat: 52.52, lon: 13.4, attempts: 9 }]);
 * console.log(svg.includes('data-ip="203.0.113.7"'), points.length);
 * ```
 *
 * @throws {TypeError} for bad options or rows
 * @throws {RangeError} for negative attempts
 */
export function worldMapText(
  rows: readonly WorldMapRow[] | Records,
  options?: WorldMapOptions,
): WorldMapTextResult {
  const { dots, svg, ...map } = drawWorldMap(rows, options, true);
  const text = svgString(svg);
  // the dots layer was left empty; its dots go where the empty layer ends
  const at = text.indexOf(EMPTY_DOTS);
  if (dots === "" || at < 0 || text.indexOf(EMPTY_DOTS, at + 1) >= 0) {
    // nothing to add, or the serialisation is not the one expected: the slow way
    return { ...map, svg: dots === "" ? text : svgString(worldMapWithPoints(rows, options).svg) };
  }
  return {
    ...map,
    svg: `${text.slice(0, at)}aria-label="dot">${dots}</g>${text.slice(at + EMPTY_DOTS.length)}`,
  };
}

/** How the empty dots layer ends once serialised (its first attribute is written last). */
const EMPTY_DOTS = 'aria-label="dot"/>';

function drawWorldMap(
  rows: readonly WorldMapRow[] | Records,
  options: WorldMapOptions | undefined,
  dotsAsText: boolean,
): WorldMapResult & { dots: string } {
  const given: OptionRecord = readOptions(CHART, options, [
    ...CHART_OPTION_NAMES,
    "projection",
    "maxRadius",
    "minRadius",
    "graticule",
    "land",
  ]);
  const projectionName = enumOption(CHART, given, "projection", MAP_PROJECTIONS, "equal-earth");
  const maxRadius = numberOption(CHART, given, "maxRadius", 14, { min: 2, max: 60 });
  const minRadius = numberOption(CHART, given, "minRadius", 1.5, { min: 0.5, max: 10 });
  const graticule = given.graticule ?? true;
  if (typeof graticule !== "boolean") {
    throw new TypeError(`${CHART}(): option graticule must be a boolean`);
  }
  if (given.land !== undefined && (given.land === null || typeof given.land !== "object")) {
    throw new TypeError(`${CHART}(): option land must be a GeoJSON object`);
  }
  const base = readBaseOptions(CHART, given, "Where the attacks come from");

  const located: Omit<MapPoint, "x" | "y" | "r">[] = [];
  let unlocated = 0;
  let unlocatedAttempts = 0;
  checkRows(CHART, rows).forEach((row, i) => {
    const ip = textField(CHART, row, i, "ip");
    if (ip === null) throw new TypeError(`${CHART}(): rows[${i}].ip is missing`);
    const attempts = countField(CHART, row, i, "attempts");
    const lat = numberField(CHART, row, i, columnOf(row, "lat"), true);
    const lon = numberField(CHART, row, i, columnOf(row, "lon"), true);
    if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      unlocated++;
      unlocatedAttempts += attempts;
      return;
    }
    const country = textField(CHART, row, i, columnOf(row, "country"));
    const city = textField(CHART, row, i, columnOf(row, "city"));
    const asnOrg = textField(CHART, row, i, columnOf(row, "asn_org"));
    const place = [city, country].filter((part) => part !== null).join(", ") ||
      "unknown place";
    const title = cleanText(
      `${ip} — ${place} — ${formatCount(attempts)} ${attempts === 1 ? "attempt" : "attempts"}`,
    ) + (asnOrg === null ? "" : `\n${cleanText(asnOrg)}`);
    located.push({ ip, attempts, lat, lon, country, city, asn_org: asnOrg, title });
  });
  // Largest first, so that small dots are drawn on top of big ones.
  located.sort((a, b) => b.attempts - a.attempts || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  const largest = Math.max(1, ...located.map((point) => point.attempts));
  const radius = (attempts: number) =>
    Math.max(minRadius, maxRadius * Math.sqrt(attempts / largest));

  const width = base.width;
  const projection = PROJECTIONS[projectionName]().fitWidth(width - 2 * PAD, SPHERE);
  const [[, top], [, bottom]] = geoPath(projection).bounds(SPHERE);
  const mapHeight = Math.ceil(bottom - top) + 2 * PAD;
  projection.fitExtent([[PAD, PAD], [width - PAD, mapHeight - PAD]], SPHERE);

  const totalAttempts = located.reduce((sum, point) => sum + point.attempts, 0) +
    unlocatedAttempts;
  const figure = new Figure(base.document, width, "world-map").heading(
    base.title,
    base.subtitle ??
      `${formatCount(located.length + unlocated)} IPs, ${
        formatCount(totalAttempts)
      } attempts; dot area proportional to attempts`,
  );
  const marks: Plot.Markish[] = [Plot.sphere({ fill: "#f2f6f9", stroke: "#b0b0b0" })];
  if (graticule) marks.push(Plot.graticule({ stroke: "#c8d2da", strokeOpacity: 0.6 }));
  marks.push(
    Plot.geo(given.land ?? worldLand(), { fill: "#d4d4d4", stroke: "#ffffff", strokeWidth: 0.3 }),
  );
  const plotted = Plot.plot({
    document: base.document,
    width,
    height: mapHeight,
    margin: 0,
    projection,
    marks,
  });
  const dots = drawDots(base.document, located, projection, radius, dotsAsText);
  plotted.appendChild(dots.layer);
  const { top: offset } = figure.plot(plotted);
  const points = dots.points.map((point) => ({ ...point, y: round(point.y + offset) }));
  if (located.length > 0) drawSizeLegend(figure, largest, radius);
  const notes = [
    unlocated > 0
      ? `${formatCount(unlocated)} ${unlocated === 1 ? "IP" : "IPs"} without coordinates (${
        formatCount(unlocatedAttempts)
      } attempts) not shown.`
      : undefined,
    located.length > 0
      ? "Locations are approximate (often a city or country centre)."
      : "No IP has coordinates.",
  ];
  const svg = figure.finish(joinCaption(...notes, base.caption));
  return { svg, points, unlocated, unlocatedAttempts, dots: dots.text };
}

/**
 * The dots layer, as Plot's dot mark would draw it (`<g aria-label="dot">` of
 * `<circle>`s with a `<title>`), each circle tagged with `data-ip` and
 * `data-attempts`; and the dots' positions in the map's coordinates. Drawn
 * here rather than by Plot: a map has thousands of dots, and Plot's general
 * machinery costs several times more for the same elements.
 */
function drawDots(
  document: Document,
  located: readonly Omit<MapPoint, "x" | "y" | "r">[],
  projection: GeoProjection,
  radius: (attempts: number) => number,
  asText: boolean,
): { layer: SVGGElement; points: MapPoint[]; text: string } {
  const layer = svgElement(document, "g", {
    "aria-label": "dot",
    fill: COLORS.vermillion,
    "fill-opacity": 0.65,
    stroke: "#ffffff",
    "stroke-width": 0.5,
  }) as SVGGElement;
  const points: MapPoint[] = [];
  const text: string[] = [];
  // projected as Plot projects a mark's points: through the projection's stream
  let x = NaN, y = NaN;
  const stream = projection.stream({
    point(px: number, py: number) {
      x = px;
      y = py;
    },
  } as GeoStream);
  for (const point of located) {
    x = y = NaN;
    stream.point(point.lon, point.lat);
    const r = radius(point.attempts);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue; // clipped away
    points.push({ ...point, x: round(x), y, r: round(r) });
    if (asText) {
      // what svgString writes for the element below (linkedom lists attributes last set first)
      text.push(
        `<circle data-attempts="${point.attempts}" data-ip="${escapeAttribute(point.ip)}" `,
        `r="${r}" cy="${y}" cx="${x}"><title>${escapeText(point.title)}</title></circle>`,
      );
      continue;
    }
    const circle = svgElement(document, "circle", {
      cx: x,
      cy: y,
      r,
      "data-ip": point.ip,
      "data-attempts": point.attempts,
    });
    circle.appendChild(svgElement(document, "title", {}, point.title));
    layer.appendChild(circle);
  }
  return { layer, points, text: text.join("") };
}

/** Circles for up to three round numbers of attempts, next to each other, with labels. */
function drawSizeLegend(figure: Figure, largest: number, radius: (n: number) => number): void {
  const values = [...new Set([largest, largest / 8, largest / 64].map(niceBelow))]
    .filter((value) => value >= 1);
  const biggest = radius(values[0]);
  const { document } = figure;
  figure.block(2 * biggest + 16, (group) => {
    group.appendChild(svgElement(document, "text", {
      x: 10,
      y: biggest + 4,
      "font-size": 11,
      fill: MUTED,
    }, "Attempts per IP:"));
    let left = 110;
    for (const value of values) {
      const r = radius(value);
      group.appendChild(svgElement(document, "circle", {
        cx: round(left + biggest),
        cy: round(2 * biggest - r),
        r: round(r),
        fill: COLORS.vermillion,
        "fill-opacity": 0.65,
        stroke: "#ffffff",
      }));
      group.appendChild(svgElement(document, "text", {
        x: round(left + biggest),
        y: round(2 * biggest + 12),
        "text-anchor": "middle",
      }, formatCount(value)));
      left += 2 * biggest + 24;
    }
  }, "size legend");
}

/** Where each field may be found, short name first. */
const COLUMNS = {
  lat: ["lat", "location.latitude"],
  lon: ["lon", "location.longitude"],
  country: ["country", "country.names.en", "country.iso_code"],
  city: ["city", "city.names.en"],
  asn_org: [
    "asn_org",
    "traits.autonomous_system_organization",
    "traits.organization",
    "traits.isp",
  ],
} as const;

/** The first of the field's columns that holds a value in `row` (else its short name). */
function columnOf(row: Record<string, unknown>, field: keyof typeof COLUMNS): string {
  for (const name of COLUMNS[field]) {
    if (row[name] !== null && row[name] !== undefined) return name;
  }
  return field;
}

let landCache: object | undefined;

/** world-atlas's land-110m as GeoJSON (read once). */
function worldLand(): object {
  if (landCache === undefined) {
    const path = `${PROJECT_ROOT}/node_modules/world-atlas/land-110m.json`;
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch (error) {
      throw new Error(`Cannot read ${path}: run \`deno install\` to fetch world-atlas`, {
        cause: error,
      });
    }
    const topology = JSON.parse(text);
    landCache = feature(topology, topology.objects.land) as object;
  }
  return landCache;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
