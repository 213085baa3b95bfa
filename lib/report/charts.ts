/**
 * The charts of a run, drawn once from the frames: written as `.svg` and
 * `.png` files and inlined in the HTML report.
 *
 * @module
 */
import pl from "nodejs-polars";
import { join } from "node:path";
import type { ExportedFile } from "../analysis.ts";
import {
  countryComparisonChart,
  dailyChart,
  hourWeekdayChart,
  type MapPoint,
  missingnessChart,
  svgString,
  svgToPng,
  svgToPngAsync,
  topBarChart,
  worldMapText,
} from "../charts/mod.ts";
import { DETAIL_COLUMNS, type Frames, missingness } from "../frames/mod.ts";
import { nextTurn } from "./turns.ts";

/** One chart of the report. */
export interface ReportChart {
  /** File stem (`daily` → `charts/daily.svg`, `charts/daily.png`). */
  name: string;
  /** Heading in the report. */
  title: string;
  /** What it shows, one sentence. */
  description: string;
  /** The standalone SVG text (escaped by `svgString`). */
  svg: string;
}

/** The charts, and the map's dots for the report's interaction. */
export interface ReportCharts {
  charts: ReportChart[];
  map: {
    points: MapPoint[];
    /** Attacking IPs without coordinates. */
    unlocated: number;
    /** Attacking IPs not drawn because of `maxMapPoints`. */
    omitted: number;
    /** Details of each drawn IP, for the report's tooltip and details panel. */
    details: MapDetails;
  };
}

/** Details of the IPs on the map, as columns and rows (compact JSON). */
export interface MapDetails {
  columns: readonly string[];
  rows: unknown[][];
}

/** The columns of {@linkcode MapDetails}, as the report's script reads them. */
export const MAP_DETAIL_COLUMNS = [
  "ip",
  "attempts",
  "bans",
  "country",
  "country_name",
  "city",
  "asn",
  "organization",
  "subnet",
  "first_seen",
  "last_seen",
  "users_tried",
  "logged_in",
  "banned_and_logged_in",
] as const;

const MAP_DETAIL_SOURCES: Record<(typeof MAP_DETAIL_COLUMNS)[number], string> = {
  ip: "ip",
  attempts: "attempts",
  bans: "bans",
  country: "country.iso_code",
  country_name: "country.names.en",
  city: "city.names.en",
  asn: "traits.autonomous_system_number",
  organization: "traits.autonomous_system_organization",
  subnet: "subnet",
  first_seen: "first_seen",
  last_seen: "last_seen",
  users_tried: "users_tried",
  logged_in: "logged_in",
  banned_and_logged_in: "banned_and_logged_in",
};

/**
 * The rows of `frame` as objects, as `toRecords()` gives them, from its
 * columns (20k rows of the map: about half the time).
 */
function records(frame: pl.DataFrame): Record<string, unknown>[] {
  const names = frame.columns;
  const columns = names.map((name) => frame.getColumn(name).toArray());
  return Array.from({ length: frame.height }, (_, i) => {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) row[names[c]] = columns[c][i];
    return row;
  });
}

function detailValue(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === "bigint") return Number(value);
  return value ?? null;
}

/** Options of {@linkcode buildCharts}. */
export interface ReportChartOptions {
  /** Data credits drawn under the map and the country chart (e.g. DB-IP's). */
  attribution?: string;
  /**
   * Most IPs drawn on the map (those with the most attempts); the rest are
   * counted in the caption.
   *
   * @default 20000
   */
  maxMapPoints?: number;
  /**
   * Bars of the top user names and networks charts.
   *
   * @default 15
   */
  top?: number;
}

const MAP_COLUMNS = [
  ...new Set([
    "location.latitude",
    "location.longitude",
    "traits.autonomous_system_organization",
    ...Object.values(MAP_DETAIL_SOURCES),
  ]),
];

/**
 * Draw every chart of the report from the frames: attempts per day with the
 * worst offenders, countries (attempts / IPs / subnets, percent), the hour ×
 * weekday heatmap, the world map, top user names, top networks and the
 * missing data of the attacking IPs' columns.
 *
 * @example
 * ```ts ignore
 * import { buildCharts } from "./charts.ts";
 * const { charts } = buildCharts(frames, { attribution: "IP Geolocation by DB-IP (https://db-ip.com)" });
 * charts.map((c) => c.name); // ["daily", "countries", "hour_weekday", "world_map", …]
 * ```
 */
export function buildCharts(frames: Frames, options: ReportChartOptions = {}): ReportCharts {
  const steps = drawCharts(frames, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Options of {@linkcode buildChartsInTurns}. */
export interface ChartTurns {
  /** Awaited between two charts. @default {@linkcode nextTurn} */
  between?: () => Promise<void>;
  /** Given each chart as soon as it is drawn (e.g. {@linkcode ChartFiles.add}). */
  onChart?: (chart: ReportChart) => void;
}

/**
 * {@linkcode buildCharts}, awaiting `between()` between two charts: with
 * {@linkcode nextTurn}, the event loop takes up what other threads finished
 * meanwhile (lib/report/run.ts draws the charts while Polars writes the
 * attempts) instead of waiting for all the charts. Each chart goes to
 * `onChart` as soon as it is drawn.
 */
export async function buildChartsInTurns(
  frames: Frames,
  options: ReportChartOptions = {},
  turns: ChartTurns = {},
): Promise<ReportCharts> {
  const between = turns.between ?? nextTurn;
  const steps = drawCharts(frames, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (step.value !== undefined) turns.onChart?.(step.value);
    await between();
  }
}

/**
 * The charts one at a time: each `yield` comes between two steps, with the
 * chart just drawn, if any.
 */
function* drawCharts(
  frames: Frames,
  options: ReportChartOptions,
): Generator<ReportChart | undefined, ReportCharts> {
  const top = options.top ?? 15;
  const maxMapPoints = options.maxMapPoints ?? 20000;
  const attribution = options.attribution || undefined;
  const attacking = frames.ips.filter(pl.col("attempts").gt(0));
  const charts: ReportChart[] = [];
  const add = (name: string, title: string, description: string, svg: Element | string) => {
    const chart = { name, title, description, svg: svgString(svg) };
    charts.push(chart);
    return chart;
  };

  const offenders = attacking.head(5).select("ip", "attempts").toRecords();
  yield add(
    "daily",
    "Attempts per day",
    "Attempts per UTC day (days without attempts drawn as zero) and bans per day, with the " +
      "worst offending IPs, subnets and user names.",
    dailyChart(frames.daily.toRecords(), {
      topOffenders: offenders,
      topSubnets: frames.subnets.head(5).toRecords(),
      topUsernames: frames.usernames.filter(pl.col("attempts").gt(0)).head(5).toRecords(),
      summaryTop: 5,
      width: 960,
    }),
  );
  yield add(
    "countries",
    "Countries",
    "Share of attempts, of attacking IPs and of their subnets per country (of those with a " +
      "known country).",
    countryComparisonChart(frames.countries.toRecords(), {
      unknown: frames.unknownCountry,
      top: 15,
      width: 960,
      caption: attribution,
    }),
  );
  yield add(
    "hour_weekday",
    "Hour and weekday",
    "Attempts by UTC weekday and hour over the whole period.",
    hourWeekdayChart(frames.hourWeekday.toRecords(), { width: 960 }),
  );
  const mapRows = records(
    attacking.head(maxMapPoints).select(
      ...MAP_COLUMNS.filter((c) => attacking.columns.includes(c)),
    ),
  );
  yield;
  const omitted = Math.max(0, attacking.height - maxMapPoints);
  const map = worldMapText(mapRows, {
    width: 960,
    caption: [
      omitted > 0
        ? `The ${maxMapPoints.toLocaleString("en-US")} IPs with the most attempts are shown; ${
          omitted.toLocaleString("en-US")
        } more are not.`
        : "",
      attribution ?? "",
    ].filter(Boolean).join(" "),
  });
  yield add(
    "world_map",
    "World map",
    "One dot per attacking IP with a location, its area proportional to the IP's attempts.",
    map.svg,
  );
  yield add(
    "usernames",
    "Top user names",
    "The user names tried most often (attacker-chosen text).",
    topBarChart(frames.usernames.filter(pl.col("attempts").gt(0)).toRecords(), {
      label: "user",
      top,
      title: "Most tried user names",
      width: 960,
    }),
  );
  yield add(
    "networks",
    "Top networks",
    "The autonomous systems with the most attempts; the darker part of a bar is the share of its " +
      "IPs that are hosting providers, where known.",
    topBarChart(frames.networks.toRecords(), {
      label: (row: Record<string, unknown>) =>
        `AS${row.asn}${row.organization ? ` ${row.organization}` : ""}`,
      share: "hosting_share",
      top,
      title: "Networks with the most attempts",
      width: 960,
      caption: attribution,
    }),
  );
  const examined = ["first_seen", "last_seen", "jails", "network", ...DETAIL_COLUMNS, "provider"]
    .filter((c) => attacking.columns.includes(c));
  yield add(
    "missingness",
    "Missing data",
    "How often each column is unknown for the attacking IPs (what the geo providers could not " +
      "say).",
    missingnessChart(missingness(attacking.select(...examined)).toRecords(), {
      title: "Missing data per column (attacking IPs)",
      width: 960,
    }),
  );
  const byIp = new Map(mapRows.map((row) => [row.ip as string, row]));
  const details: MapDetails = {
    columns: MAP_DETAIL_COLUMNS,
    rows: map.points.map((point) => {
      const row = byIp.get(point.ip) ?? {};
      return MAP_DETAIL_COLUMNS.map((column) => detailValue(row[MAP_DETAIL_SOURCES[column]]));
    }),
  };
  return {
    charts,
    map: { points: map.points, unlocated: map.unlocated, omitted, details },
  };
}

/**
 * V8's `gc()`, when it is exposed (`deno task analyse` runs with
 * `--v8-flags=--expose-gc`); elsewhere nothing.
 */
function collectYoungGarbage(): void {
  (globalThis as { gc?: (options: { type: "minor" }) => void }).gc?.({ type: "minor" });
}

/**
 * SVG text from which a chart's PNG is drawn on resvg's thread rather than
 * here: the world map of many IPs (1m+1m: 9,380 dots, a 2 MB SVG, 0.35–0.5 s
 * of the 1.0–1.3 s that the seven PNGs take). The other charts are a few
 * tens of kilobytes.
 */
const BACKGROUND_SVG_CHARS = 500_000;

/** Charts being written: {@linkcode startChartFiles}. */
export interface ChartFiles {
  /** Write the chart's SVG file (and start its PNG if it is a large one). */
  add(chart: ReportChart): void;
  /**
   * Draw the PNGs not started yet, here, and settle when every file is
   * written: the files in the order the charts were added (each SVG, then
   * its PNG). Rejects with the first failure, once nothing is being written
   * any more.
   */
  done(): Promise<ExportedFile[]>;
}

/**
 * Write charts into `dir` (which must exist) as `<name>.svg` and (unless
 * `png: false`) `<name>.png`, rendered with resvg and the bundled font. A
 * chart whose SVG is large (the world map) has its PNG drawn on resvg's own
 * thread from the moment it is added ({@linkcode svgToPngAsync}), while this
 * thread goes on with the other charts; the others are drawn here by
 * `done()`, in turn.
 */
export function startChartFiles(dir: string, options: { png?: boolean } = {}): ChartFiles {
  const png = options.png ?? true;
  const added: { chart: ReportChart; svg: Promise<void>; png?: Promise<Uint8Array> }[] = [];
  return {
    add(chart) {
      const svg = Deno.writeTextFile(join(dir, `${chart.name}.svg`), chart.svg);
      svg.catch(() => {}); // reported by done()
      const drawing = png && chart.svg.length > BACKGROUND_SVG_CHARS
        ? svgToPngAsync(chart.svg)
        : undefined;
      drawing?.catch(() => {}); // reported by done()
      added.push({ chart, svg, png: drawing });
    },
    async done() {
      const files: ExportedFile[] = [];
      const pending: Promise<unknown>[] = [];
      let failure: { error: unknown } | undefined;
      try {
        for (const { chart, svg, png: drawing } of added) {
          pending.push(svg);
          files.push({
            path: join(dir, `${chart.name}.svg`),
            rows: 0,
            what: `${chart.title} (SVG)`,
          });
          if (!png) continue;
          const path = join(dir, `${chart.name}.png`);
          files.push({ path, rows: 0, what: `${chart.title} (PNG)` });
          if (drawing !== undefined) {
            const written = drawing.then((bytes) => {
              collectYoungGarbage();
              return Deno.writeFile(path, bytes);
            });
            // reported below; until then the loop's awaits must not find it unhandled
            written.catch(() => {});
            pending.push(written);
            continue;
          }
          const bytes = svgToPng(chart.svg);
          // resvg's picture (7–11 MB of pixels a chart) is native memory V8
          // does not see: it goes only when its object is collected, and
          // nothing here allocates enough to make V8 collect. The object is
          // young, so a minor collection finds it; its memory goes back once
          // the file is written
          collectYoungGarbage();
          await Deno.writeFile(path, bytes);
        }
      } catch (error) {
        failure = { error };
      }
      // nothing is left writing into the folder when this settles
      const settled = await Promise.allSettled([...pending, ...added.map((a) => a.png)]);
      if (failure) throw failure.error;
      const rejected = settled.find((r) => r.status === "rejected");
      if (rejected) throw rejected.reason;
      return files;
    },
  };
}

/**
 * Write each chart as `<name>.svg` and (unless `png: false`) `<name>.png`
 * (rendered with resvg and the bundled font) into `dir`, which must exist.
 */
export function writeCharts(
  charts: readonly ReportChart[],
  dir: string,
  options: { png?: boolean } = {},
): Promise<ExportedFile[]> {
  const files = startChartFiles(dir, options);
  for (const chart of charts) files.add(chart);
  return files.done();
}
