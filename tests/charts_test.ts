/**
 * Tests for lib/charts/: the marks each chart draws, its texts and tooltips, option checking,
 * attacker-controlled text staying text, deterministic output, and PNG rendering with the bundled
 * font.
 */
import { createRequire } from "node:module";
import type * as ResvgModule from "@resvg/resvg-js";
import { parseHTML } from "linkedom";
import {
  countryChart,
  countryComparisonChart,
  type CountryRow,
  dailyChart,
  hourWeekdayChart,
  missingnessChart,
  svgString,
  svgToPng,
  svgToPngAsync,
  topBarChart,
  worldMap,
  type WorldMapRow,
  worldMapText,
  worldMapWithPoints,
} from "../lib/charts/mod.ts";
import { encodePng } from "../lib/charts/png.ts";
import { assertEquals, assertIncludes, assertOk, assertRejects } from "./_assert.ts";

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * resvg is a native module: the PNG tests need `--allow-ffi --allow-sys` (`deno task test` runs
 * with `-A`); without them they are skipped and the charts are still tested.
 */
const CAN_RENDER = (["ffi", "sys"] as const).every((name) =>
  Deno.permissions.querySync({ name }).state === "granted"
);

function resvg(): typeof ResvgModule {
  return createRequire(import.meta.url)("@resvg/resvg-js");
}

/** The groups Plot (or the figure) labelled `label`. */
function layers(svg: Element, label: string): Element[] {
  return Array.from(svg.querySelectorAll(`g[aria-label="${label}"]`));
}

/** The children of the first group labelled `label`. */
function marks(svg: Element, label: string): Element[] {
  const [layer] = layers(svg, label);
  return layer ? Array.from(layer.children) : [];
}

/** The visible text of `<text>` elements (without their `<title>` tooltips). */
function texts(root: Element): string[] {
  return Array.from(root.querySelectorAll("text")).map((text) =>
    Array.from(text.childNodes).filter((node) => node.nodeType === 3).map((node) => node.nodeValue)
      .join("")
  );
}

/** The texts of all `<title>` tooltips. */
function titles(root: Element): string[] {
  return Array.from(root.querySelectorAll("title")).map((title) => title.textContent ?? "");
}

/** The aria-labels of the mark groups, in drawing order (a structural snapshot). */
function layerNames(svg: Element): string[] {
  return Array.from(svg.querySelectorAll("g[aria-label]")).map((g) =>
    g.getAttribute("aria-label") ?? ""
  );
}

/** Serialised SVG with numbers rounded and Plot's class ids renumbered, for comparisons. */
function normalized(svg: Element): string {
  const ids = new Map<string, string>();
  return svgString(svg)
    .replace(/plot-[0-9a-f]{6}/g, (id) => {
      if (!ids.has(id)) ids.set(id, `plot-${ids.size}`);
      return ids.get(id)!;
    })
    .replace(/-?\d+\.\d+/g, (number) => String(Math.round(Number(number) * 10) / 10));
}

const HOSTILE = [
  "<img src=x onerror=alert(1)>",
  "</script><script>alert(2)</script>",
  '"><svg onload=alert(3)>',
  "a&amp;b <!-- c --> ]]> d",
  "../../etc/passwd\u0000\u001b[31m\u202eevil",
];

/** Asserts the serialised chart shows hostile text only as escaped text. */
function assertNoMarkup(svg: Element, what: string): void {
  const text = svgString(svg);
  for (const tag of ["<img", "<script", "</script", "<!--"]) {
    assertOk(!text.includes(tag), `${what}: raw ${tag} in the SVG`);
  }
  assertEquals(text.match(/<svg/g)?.length, 1, `${what}: one <svg> element`);
  for (const [tag] of text.matchAll(/<[a-zA-Z][^>]*>/g)) {
    // Attribute values are quoted with `"` escaped inside, so this finds every attribute name.
    for (const [, name] of tag.matchAll(/\s([^\s=]+)="[^"]*"/g)) {
      assertOk(!/^on/i.test(name), `${what}: attribute ${name}`);
    }
    assertOk(/^<[a-zA-Z][\w:-]*(\s+[^\s=]+="[^"]*")*\s*\/?>$/.test(tag), `${what}: tag ${tag}`);
  }
  // deno-lint-ignore no-control-regex -- looking for control characters
  assertOk(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u202e]/.test(text), `${what}: control chars`);
  assertEquals(svg.querySelectorAll("img, script, foreignObject").length, 0, what);
  if (CAN_RENDER) {
    // resvg parses strict XML: the serialised chart must be well-formed.
    const rendered = new (resvg().Resvg)(text, { font: { loadSystemFonts: false } });
    assertOk(rendered.width > 0, `${what}: resvg reads it`);
  }
}

function country(
  code: string | null,
  name: string | null,
  attempts: number,
  ips: number,
  subnets: number,
  totals = { attempts: 1000, ips: 100, subnets: 50 },
): CountryRow {
  return {
    country: code,
    country_name: name,
    attempts,
    unique_ips: ips,
    unique_subnets: subnets,
    pct_attempts: 100 * attempts / totals.attempts,
    pct_ips: 100 * ips / totals.ips,
    pct_subnets: 100 * subnets / totals.subnets,
  };
}

const COUNTRIES: CountryRow[] = [
  country("US", "United States", 200, 30, 10),
  country("CN", "China", 500, 20, 15),
  country("DE", "Germany", 50, 10, 9),
  country("BR", null, 100, 25, 10),
  country(null, null, 150, 15, 6),
];

// ---------------------------------------------------------------------------------------------
// svgString

Deno.test("svgString() adds xmlns and escapes text and attributes as XML", () => {
  const { document } = parseHTML("<!DOCTYPE html><html><body></body></html>");
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  const text = document.createElementNS("http://www.w3.org/2000/svg", "text");
  text.setAttribute("data-x", '"<a>&\n');
  text.setAttribute("onclick", "alert(1)");
  text.textContent = "<b>&\u0001";
  svg.appendChild(text);
  assertEquals(
    svgString(svg as unknown as Element),
    '<svg xmlns="http://www.w3.org/2000/svg"><text data-x="&quot;&lt;a&gt;&amp;&#10;">' +
      "&lt;b&gt;&amp;\ufffd</text></svg>",
  );
  assertEquals(svgString("<svg/>"), "<svg/>");
});

// ---------------------------------------------------------------------------------------------
// missingnessChart

Deno.test("missingnessChart() draws one bar per column, most missing first, on 0–100 %", () => {
  const svg = missingnessChart([
    { column: "ip", pct_missing: 0 },
    { column: "city.names.en", pct_missing: 41.5 },
    { column: "rdap.abuse_email", pct_missing: 100 },
    { column: "country.iso_code", pct_missing: 2 },
  ]);
  assertEquals(svg.getAttribute("data-chart"), "missingness");
  const bars = marks(svg, "bar");
  assertEquals(bars.length, 4);
  assertEquals(bars.map((bar) => titles(bar)[0]), [
    "rdap.abuse_email: 100.0% missing",
    "city.names.en: 41.5% missing",
    "country.iso_code: 2.0% missing",
    "ip: 0.0% missing",
  ]);
  const shown = texts(svg);
  assertIncludes(shown, "Missing data per column");
  assertIncludes(shown, "Missing values (%) →");
  assertIncludes(shown, "100");
  assertIncludes(shown, "41.5%");
  assertIncludes(shown, "4 columns; 1 complete, 1 always empty");
  assertEquals(layerNames(svg), [
    "x-grid",
    "x-axis tick",
    "x-axis tick label",
    "x-axis label",
    "y-axis tick label",
    "bar",
    "text",
    "rule",
  ]);
});

Deno.test("missingnessChart() cuts long labels with an ellipsis and keeps the full text", () => {
  const long = "traits.autonomous_system_organization.names.en";
  const svg = missingnessChart([{ column: long, pct_missing: 10 }]);
  const [tick] = marks(svg, "y-axis tick label");
  assertEquals(texts(tick.parentElement!)[0], "traits.autonomous_system_orga…");
  assertEquals(titles(tick), [long]);
});

Deno.test("missingnessChart() checks options and rows", async () => {
  await assertRejects(() => missingnessChart([], { width: -5 }), TypeError, "option width");
  await assertRejects(
    () => missingnessChart([], { colour: "red" } as never),
    TypeError,
    "unknown option colour",
  );
  await assertRejects(() => missingnessChart([], { title: 3 } as never), TypeError, "title");
  await assertRejects(() => missingnessChart({} as never), TypeError, "array");
  await assertRejects(
    () => missingnessChart([{ column: "a", pct_missing: 120 }]),
    RangeError,
    "rows[0].pct_missing",
  );
  await assertRejects(
    () => missingnessChart([{ column: "a", pct_missing: "x" as never }]),
    TypeError,
    "rows[0].pct_missing must be a number",
  );
  const empty = missingnessChart([], { title: "", caption: "nothing here" });
  assertEquals(marks(empty, "bar").length, 0);
  assertIncludes(texts(empty), "No columns");
  assertIncludes(texts(empty), "nothing here");
});

// ---------------------------------------------------------------------------------------------
// countryChart, countryComparisonChart

Deno.test("countryChart() draws percentage bars by country, unknown country only in the caption", () => {
  const svg = countryChart(COUNTRIES);
  const bars = marks(svg, "bar");
  assertEquals(bars.length, 4);
  assertEquals(bars.map((bar) => titles(bar)[0]), [
    "China (CN): 50.0% of attempts (500)",
    "United States (US): 20.0% of attempts (200)",
    "BR: 10.0% of attempts (100)",
    "Germany (DE): 5.0% of attempts (50)",
  ]);
  const shown = texts(svg);
  assertIncludes(shown, "Attempts by country");
  assertIncludes(shown, "China (CN)");
  assertIncludes(shown, "50.0% (500)");
  assertIncludes(shown, "Share of attempts (%) →");
  assertIncludes(shown, "Unknown country: 15.0% of attempts (150), not shown.");
  assertOk(!shown.some((text) => /null/.test(text)), "no bar labelled null");
});

Deno.test("countryChart() measures IPs or subnets and keeps the top countries", () => {
  const svg = countryChart(COUNTRIES, { measure: "ips", top: 2 });
  assertEquals(marks(svg, "bar").map((bar) => titles(bar)[0]), [
    "United States (US): 30.0% of IPs (30)",
    "BR: 25.0% of IPs (25)",
  ]);
  const shown = texts(svg);
  assertIncludes(shown, "Attacking IPs by country");
  assertIncludes(shown, "Top 2 of 4 countries; the other 2 hold 30.0% of IPs.");
  const subnets = countryChart(COUNTRIES, { measure: "subnets" });
  assertIncludes(texts(subnets), "Attacking subnets by country");
  assertEquals(titles(marks(subnets, "bar")[0])[0], "China (CN): 30.0% of subnets (15)");
});

Deno.test("countryChart() says how much the unknown country leaves out", () => {
  const known = COUNTRIES.filter((row) => row.country !== null);
  const svg = countryChart(known, {
    unknown: { attempts: 250, unique_ips: 5, unique_subnets: 0 },
  });
  assertEquals(marks(svg, "bar").length, 4);
  assertIncludes(texts(svg), "Unknown country: 250 attempts (22.7% of all), not in the shares.");
  const subnets = countryComparisonChart(known, {
    sortBy: "subnets",
    unknown: { attempts: 250, unique_ips: 5, unique_subnets: 0 },
  });
  assertOk(!texts(subnets).some((text) => text.includes("Unknown country")), "none unknown");
});

Deno.test("countryChart() checks its options", async () => {
  await assertRejects(
    () => countryChart(COUNTRIES, { measure: "bans" as never }),
    TypeError,
    "option measure",
  );
  await assertRejects(() => countryChart(COUNTRIES, { top: 0 }), TypeError, "option top");
  await assertRejects(() => countryChart(COUNTRIES, { top: 2.5 }), TypeError, "option top");
  await assertRejects(
    () => countryChart(COUNTRIES, { unknown: 3 as never }),
    TypeError,
    "option unknown",
  );
  await assertRejects(
    () => countryChart(COUNTRIES, { unknown: { attempts: -1, unique_ips: 0, unique_subnets: 0 } }),
    RangeError,
    "unknown[0].attempts",
  );
});

Deno.test("countryComparisonChart() shows the three shares side by side", async () => {
  const svg = countryComparisonChart(COUNTRIES, { top: 3 });
  const bars = Array.from(layers(svg, "bar")[0].querySelectorAll("rect"));
  assertEquals(bars.length, 9, "three facets of three bars");
  assertEquals(new Set(bars.map((bar) => bar.getAttribute("fill"))).size, 3);
  const shown = texts(svg);
  for (const header of ["% of attempts", "% of IPs", "% of subnets"]) {
    assertIncludes(shown, header);
  }
  for (const name of ["China (CN)", "United States (US)", "BR"]) assertIncludes(shown, name);
  assertOk(!shown.includes("Germany (DE)"), "only the top 3");
  assertIncludes(titles(svg), "China (CN): 30.0% of subnets (15)");
  const byIps = countryComparisonChart(COUNTRIES, { top: 1, sortBy: "ips" });
  assertIncludes(titles(byIps), "United States (US): 20.0% of attempts (200)");
  await assertRejects(
    () => countryComparisonChart(COUNTRIES, { sortBy: "x" as never }),
    TypeError,
    "option sortBy",
  );
});

// ---------------------------------------------------------------------------------------------
// dailyChart

const DAYS = [
  { day: "2024-01-01", attempts: 120, unique_ips: 8, bans: 2 },
  { day: new Date("2024-01-03T00:00:00Z"), attempts: 40, unique_ips: 3, bans: 0 },
  { day: "2024-01-05", attempts: 300, unique_ips: 12, bans: 5 },
];

Deno.test("dailyChart() draws a bar per day, zero days included, and bans below", () => {
  const svg = dailyChart(DAYS);
  const [attemptBars] = layers(svg, "rect");
  assertEquals(attemptBars.children.length, 5, "2024-01-01 … 2024-01-05");
  assertEquals(titles(attemptBars), [
    "2024-01-01: 120 attempts from 8 IPs, 2 bans",
    "2024-01-02: 0 attempts from 0 IPs, 0 bans",
    "2024-01-03: 40 attempts from 3 IPs, 0 bans",
    "2024-01-04: 0 attempts from 0 IPs, 0 bans",
    "2024-01-05: 300 attempts from 12 IPs, 5 bans",
  ]);
  assertEquals(Number(attemptBars.children[1].getAttribute("height")), 0);
  assertEquals(marks(svg, "line").length, 1, "bans line");
  assertEquals(marks(svg, "dot").length, 2, "a dot per day with bans");
  const shown = texts(svg);
  assertIncludes(shown, "↑ Attempts per day");
  assertIncludes(shown, "↑ Bans per day");
  assertIncludes(shown, "460 attempts and 7 bans from 2024-01-01 to 2024-01-05 (5 days, UTC)");
  assertIncludes(shown, "Busiest day 2024-01-05: 300 attempts");
});

Deno.test("dailyChart() lists the worst IPs, subnets and user names", () => {
  const svg = dailyChart(DAYS, {
    topOffenders: [
      { ip: "203.0.113.7", attempts: 300 },
      { ip: "198.51.100.9", attempts: 90 },
      { ip: "192.0.2.1", attempts: 5 },
      { ip: "192.0.2.2", attempts: 4 },
    ],
    topSubnets: [{ subnet: "203.0.113.0/24", attempts: 310 }],
    topUsernames: [{ user: "root", attempts: 200 }, { user: "admin", attempts: 1200 }],
  });
  const summary = layers(svg, "summary")[0];
  assertOk(summary, "summary block");
  assertEquals(texts(summary), [
    "Worst IPs",
    "203.0.113.7",
    "300",
    "198.51.100.9",
    "90",
    "192.0.2.1",
    "5",
    "Worst subnets",
    "203.0.113.0/24",
    "310",
    "Top user names",
    "root",
    "200",
    "admin",
    "1,200",
  ]);
  const only = dailyChart(DAYS, { topUsernames: [], summaryTop: 1 });
  assertEquals(texts(layers(only, "summary")[0]), ["Top user names", "none"]);
});

Deno.test("dailyChart() leaves out the bans panel without a bans column, and handles no days", () => {
  const svg = dailyChart([{ day: "2024-02-29", attempts: 3 }]);
  assertEquals(marks(svg, "line").length, 0);
  assertEquals(layers(svg, "rect")[0].children.length, 1);
  assertIncludes(titles(svg), "2024-02-29: 3 attempts");
  const empty = dailyChart([]);
  assertIncludes(texts(empty), "No attempts recorded");
});

Deno.test("long subtitles and captions wrap at spaces", () => {
  const caption = "word ".repeat(60).trim();
  const svg = missingnessChart([], { caption, subtitle: "x".repeat(200) });
  const shown = texts(svg);
  const lines = shown.filter((text) => text.startsWith("word"));
  assertOk(lines.length >= 2 && lines.length <= 4, `${lines.length} caption lines`);
  assertEquals(lines.join(" "), caption);
  const cut = shown.find((text) => text.startsWith("xxx"));
  assertOk(cut?.endsWith("…") && cut.length < 100, "a word longer than the line is cut");
  assertIncludes(titles(svg), "x".repeat(200));
});

Deno.test("dailyChart() checks days and options", async () => {
  await assertRejects(
    () => dailyChart([{ day: "yesterday", attempts: 1 }]),
    TypeError,
    "rows[0].day",
  );
  await assertRejects(
    () => dailyChart([{ day: "2024-01-01", attempts: -1 }]),
    RangeError,
    "rows[0].attempts",
  );
  await assertRejects(
    () => dailyChart(DAYS, { topOffenders: "203.0.113.7" as never }),
    TypeError,
    "option topOffenders",
  );
  await assertRejects(
    () => dailyChart(DAYS, { topOffenders: [{ ip: "192.0.2.1", attempts: "many" as never }] }),
    TypeError,
    "topOffenders[0].attempts",
  );
  await assertRejects(() => dailyChart(DAYS, { summaryTop: 0 }), TypeError, "option summaryTop");
});

// ---------------------------------------------------------------------------------------------
// hourWeekdayChart

Deno.test("hourWeekdayChart() draws 168 cells, Monday to Sunday, with a legend", () => {
  const svg = hourWeekdayChart([
    { weekday: 0, hour: 3, attempts: 250 },
    { weekday: 0, hour: 3, attempts: 50 },
    { weekday: "Sun", hour: 23, attempts: 12 },
    { weekday: "wednesday", hour: 0, attempts: 1 },
  ]);
  const cells = marks(svg, "cell");
  assertEquals(cells.length, 168);
  const tips = titles(layers(svg, "cell")[0]);
  assertEquals(tips[3], "Mon 03:00–03:59 UTC: 300 attempts");
  assertEquals(tips[48], "Wed 00:00–00:59 UTC: 1 attempts");
  assertEquals(tips[167], "Sun 23:00–23:59 UTC: 12 attempts");
  const fills = new Set(cells.map((cell) => cell.getAttribute("fill")));
  assertOk(fills.size >= 3, "zero, few and many get different colours");
  const shown = texts(svg);
  for (const day of ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]) assertIncludes(shown, day);
  assertIncludes(shown, "00");
  assertIncludes(shown, "23");
  assertIncludes(shown, "Hour of day (UTC)");
  assertIncludes(shown, "313 attempts; busiest Mon 03:00–03:59 UTC (300)");
  const legend = layers(svg, "legend")[0];
  assertOk(legend, "legend");
  assertIncludes(texts(legend), "Attempts per hour slot");
  assertIncludes(texts(legend), "300");
});

Deno.test("hourWeekdayChart() rejects weekdays and hours out of range", async () => {
  await assertRejects(
    () => hourWeekdayChart([{ weekday: 7, hour: 1, attempts: 1 }]),
    RangeError,
    "0 (Monday) to 6 (Sunday)",
  );
  await assertRejects(
    () => hourWeekdayChart([{ weekday: "Funday", hour: 1, attempts: 1 }]),
    TypeError,
    "weekday",
  );
  await assertRejects(
    () => hourWeekdayChart([{ weekday: 2, hour: 24, attempts: 1 }]),
    RangeError,
    "hour",
  );
  assertEquals(marks(hourWeekdayChart([]), "cell").length, 168);
});

// ---------------------------------------------------------------------------------------------
// worldMap

const IPS = [
  {
    ip: "203.0.113.7",
    lat: 39.9,
    lon: 116.4,
    attempts: 400,
    country: "China",
    city: "Beijing",
    asn_org: "Example Telecom",
  },
  { ip: "198.51.100.2", lat: 52.5, lon: 13.4, attempts: 100, country: "Germany", city: null },
  { ip: "2001:db8::1", lat: -33.9, lon: 151.2, attempts: 1 },
  { ip: "198.51.100.3", lat: null, lon: null, attempts: 7, country: "France" },
  { ip: "198.51.100.4", lat: 10, lon: null, attempts: 3 },
];

Deno.test("worldMap() draws land, graticule and one dot per located IP", () => {
  const svg = worldMap(IPS);
  const geo = layers(svg, "geo");
  assertEquals(geo.length, 3, "sphere, graticule, land");
  for (const layer of geo) assertOk(layer.querySelector("path")?.getAttribute("d"));
  assertOk((geo[2].querySelector("path")!.getAttribute("d") ?? "").length > 10_000, "land");
  const dots = marks(svg, "dot");
  assertEquals(dots.length, 3);
  assertEquals(dots.map((dot) => dot.getAttribute("data-ip")), [
    "203.0.113.7",
    "198.51.100.2",
    "2001:db8::1",
  ]);
  assertEquals(dots.map((dot) => titles(dot)[0]), [
    "203.0.113.7 — Beijing, China — 400 attempts\nExample Telecom",
    "198.51.100.2 — Germany — 100 attempts",
    "2001:db8::1 — unknown place — 1 attempt",
  ]);
  assertEquals(dots.map((dot) => Number(dot.getAttribute("r"))), [14, 7, 1.5]);
  const shown = texts(svg);
  assertIncludes(shown, "2 IPs without coordinates (10 attempts) not shown.");
  assertIncludes(shown, "Attempts per IP:");
  assertIncludes(shown, "5 IPs, 511 attempts; dot area proportional to attempts");
});

Deno.test("worldMapWithPoints() gives each dot's position in the svg's coordinates", () => {
  const { svg, points, unlocated, unlocatedAttempts } = worldMapWithPoints(IPS, {
    projection: "natural-earth",
    width: 800,
  });
  assertEquals([unlocated, unlocatedAttempts], [2, 10]);
  assertEquals(points.map((point) => point.ip), ["203.0.113.7", "198.51.100.2", "2001:db8::1"]);
  const [height] = [Number(svg.getAttribute("height"))];
  const [beijing, berlin, sydney] = points;
  for (const point of points) {
    assertOk(point.x > 0 && point.x < 800 && point.y > 0 && point.y < height, point.ip);
  }
  assertOk(berlin.x < beijing.x && beijing.x < sydney.x, "west to east");
  assertOk(berlin.y < beijing.y && beijing.y < sydney.y, "north to south");
  assertEquals(beijing.title, "203.0.113.7 — Beijing, China — 400 attempts\nExample Telecom");
  // The offset of the map panel is included: the circle's own cy is smaller by it.
  const circle = svg.querySelector('circle[data-ip="203.0.113.7"]')!;
  const panel = circle.parentElement!.parentElement!;
  const offset = Number(/translate\(0,([\d.]+)\)/.exec(panel.getAttribute("transform") ?? "")![1]);
  assertEquals(Math.round(Number(circle.getAttribute("cy")) + offset), Math.round(beijing.y));
  assertEquals(circle.getAttribute("data-attempts"), "400");
});

Deno.test("worldMap() reads the GeoIP2-style columns of the ips frame", () => {
  const svg = worldMap([{
    ip: "192.0.2.8",
    attempts: 9,
    "location.latitude": 48.9,
    "location.longitude": 2.35,
    "country.names.en": "France",
    "country.iso_code": "FR",
    "city.names.en": "Paris",
    "traits.autonomous_system_organization": "Example SAS",
  } as never]);
  assertEquals(titles(marks(svg, "dot")[0]), [
    "192.0.2.8 — Paris, France — 9 attempts\nExample SAS",
  ]);
});

Deno.test("worldMap() checks its options and draws a map without any located IP", async () => {
  await assertRejects(
    () => worldMap(IPS, { projection: "mercator" as never }),
    TypeError,
    "option projection",
  );
  await assertRejects(() => worldMap(IPS, { maxRadius: 0 }), TypeError, "option maxRadius");
  await assertRejects(() => worldMap([{ lat: 1, lon: 1, attempts: 1 } as never]), TypeError, "ip");
  const svg = worldMap([{ ip: "192.0.2.1", lat: null, lon: null, attempts: 2 }], {
    graticule: false,
  });
  assertEquals(layers(svg, "geo").length, 2);
  assertEquals(marks(svg, "dot").length, 0);
  assertIncludes(texts(svg), "No IP has coordinates.");
});

Deno.test("worldMapText() writes the text svgString() writes for worldMapWithPoints()", async (t) => {
  const hostile = {
    ip: '198.51.100.5"><script>',
    lat: 1,
    lon: 2,
    attempts: 3,
    city: "<b>&amp;</b>\u0007",
    asn_org: "=cmd|' /C calc'!A0",
  };
  const cases: Record<string, WorldMapRow[]> = {
    "located and unlocated IPs": IPS,
    "attacker-controlled text": [...IPS, hostile],
    "no located IP": [{ ip: "192.0.2.1", lat: null, lon: null, attempts: 2 }],
    "no IP": [],
  };
  for (const [name, rows] of Object.entries(cases)) {
    await t.step(name, () => {
      const options = {
        projection: "natural-earth",
        width: 700,
        caption: "IP data: example",
      } as const;
      const text = worldMapText(rows, options);
      const elements = worldMapWithPoints(rows, options);
      assertEquals(text.svg, svgString(elements.svg));
      assertEquals(text.points, elements.points);
      assertEquals([text.unlocated, text.unlocatedAttempts], [
        elements.unlocated,
        elements.unlocatedAttempts,
      ]);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// topBarChart

const USERS = [
  { user: "admin", attempts: 95 },
  { user: "root", attempts: 812n },
  { user: "test", attempts: 95 },
  { user: null, attempts: 3 },
  { user: "oracle", attempts: 10 },
];

Deno.test("topBarChart() draws the top N bars, largest first", () => {
  const svg = topBarChart(USERS, { label: "user", top: 3, title: "Most tried user names" });
  assertEquals(marks(svg, "bar").map((bar) => titles(bar)[0]), [
    "root: 812 attempts",
    "admin: 95 attempts",
    "test: 95 attempts",
  ]);
  const shown = texts(svg);
  assertIncludes(shown, "Most tried user names");
  assertIncludes(shown, "1,015 attempts in all, 5 entries");
  assertIncludes(shown, "2 more not shown (1.3% of attempts).");
  assertIncludes(shown, "Attempts →");
  const all = topBarChart(USERS, { label: (row) => row.user, value: (row) => row.attempts });
  assertIncludes(texts(all), "(none)");
});

Deno.test("topBarChart() draws the hosting share as an inner bar", () => {
  const svg = topBarChart([
    { org: "Example Hosting", attempts: 400, hosting_share: 1 },
    { org: "Home ISP", attempts: 100, hosting_share: 0 },
    { org: "Cloud", attempts: 50, hosting_share: null },
  ], { label: "org", share: "hosting_share", valueLabel: "IPs" });
  const [all, hosting] = layers(svg, "bar");
  assertEquals(all.children.length, 3);
  assertEquals(hosting.children.length, 1, "only shares above zero");
  assertEquals(all.children[0].getAttribute("width"), hosting.children[0].getAttribute("width"));
  assertIncludes(titles(all), "Example Hosting: 400 IPs, 100.0% hosting");
  assertIncludes(texts(svg), "400 (100.0%)");
  assertIncludes(texts(svg), "hosting share (% in brackets)");
});

Deno.test("topBarChart() checks its options", async () => {
  await assertRejects(() => topBarChart(USERS, {} as never), TypeError, "option label");
  await assertRejects(
    () => topBarChart(USERS, { label: 3 } as never),
    TypeError,
    "option label must be a column name or a function",
  );
  await assertRejects(
    () => topBarChart([{ u: "a", n: "x" }], { label: "u", value: "n" }),
    TypeError,
    "rows[0].n must be a number",
  );
  await assertRejects(
    () => topBarChart([{ u: "a", attempts: 1, s: 50 }], { label: "u", share: "s" }),
    RangeError,
    "share must be a fraction from 0 to 1",
  );
});

// ---------------------------------------------------------------------------------------------
// Across charts

function everyChart(label: string, options: Record<string, unknown> = {}): [string, Element][] {
  return [
    ["missingness", missingnessChart([{ column: label, pct_missing: 50 }], options)],
    [
      "country",
      countryChart([{ ...COUNTRIES[0], country_name: label }], options),
    ],
    [
      "comparison",
      countryComparisonChart([{ ...COUNTRIES[0], country_name: label }], options),
    ],
    [
      "daily",
      dailyChart(DAYS, {
        ...options,
        topUsernames: [{ user: label, attempts: 3 }],
        topOffenders: [{ ip: label, attempts: 2 }],
      }),
    ],
    ["hourWeekday", hourWeekdayChart([{ weekday: 0, hour: 1, attempts: 1 }], options)],
    [
      "worldMap",
      worldMap([{ ip: "192.0.2.1", lat: 1, lon: 2, attempts: 3, city: label, asn_org: label }], {
        ...options,
      }),
    ],
    ["topBar", topBarChart([{ user: label, attempts: 5 }], { ...options, label: "user" })],
  ];
}

Deno.test("charts show attacker-controlled text as escaped text only", async (t) => {
  for (const hostile of HOSTILE) {
    await t.step(JSON.stringify(hostile), () => {
      const escaped = hostile.slice(0, 12).replace(/&/g, "&amp;").replace(/</g, "&lt;")
        .replace(/>/g, "&gt;");
      for (const [name, svg] of everyChart(hostile, { title: hostile, caption: hostile })) {
        assertNoMarkup(svg, name);
        // deno-lint-ignore no-control-regex -- looking for control characters
        if (!/[\u0000-\u001f]/.test(hostile)) assertIncludes(svgString(svg), escaped, name);
      }
    });
  }
  const [, users] = everyChart(HOSTILE[0]).at(-1)!;
  assertIncludes(svgString(users), "&lt;img src=x onerror=alert(1)&gt;");
  assertIncludes(texts(users), "<img src=x onerror=alert(1)>");
});

Deno.test("charts use the given document and give the same output every time", () => {
  const { document } = parseHTML("<!DOCTYPE html><html><body></body></html>");
  for (const [name, svg] of everyChart("root", { document })) {
    assertOk(svg.ownerDocument === document, `${name} uses the given document`);
    assertEquals(svg.nodeName.toLowerCase(), "svg");
    assertOk(Number(svg.getAttribute("height")) > 50, name);
    assertEquals(svg.getAttribute("viewBox"), `0 0 640 ${svg.getAttribute("height")}`);
  }
  const first = everyChart("root").map(([, svg]) => normalized(svg));
  const second = everyChart("root").map(([, svg]) => normalized(svg));
  assertEquals(first, second);
  const wide = missingnessChart([{ column: "a", pct_missing: 1 }], { width: 900 });
  assertEquals(wide.getAttribute("width"), "900");
});

// ---------------------------------------------------------------------------------------------
// svgToPng

/** Decodes a PNG with resvg (as an embedded image) and returns its RGBA pixels. */
function decodePng(png: Uint8Array, width: number, height: number): Uint8Array {
  const base64 = btoa(Array.from(png, (byte) => String.fromCharCode(byte)).join(""));
  const wrapper = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<image href="data:image/png;base64,${base64}" width="${width}" height="${height}"/></svg>`;
  return new Uint8Array(new (resvg().Resvg)(wrapper).render().pixels);
}

/** Pixels darker than mid-grey (black text and axes). */
function darkPixels(rgba: Uint8Array): number {
  let dark = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] > 128 && rgba[i] < 100 && rgba[i + 1] < 100 && rgba[i + 2] < 100) dark++;
  }
  return dark;
}

Deno.test({
  name: "svgToPng() renders a chart with its text, using the bundled font",
  ignore: !CAN_RENDER,
}, () => {
  const svg = topBarChart(USERS, { label: "user", title: "Most tried user names" });
  const width = 640;
  const height = Number(svg.getAttribute("height"));
  const png = svgToPng(svg);
  assertEquals([...png.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset);
  assertEquals([view.getUint32(16), view.getUint32(20)], [2 * width, 2 * height], "scale 2");
  const pixels = decodePng(png, 2 * width, 2 * height);
  assertEquals(pixels.length, 4 * 4 * width * height);
  let white = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i] === 255 && pixels[i + 1] === 255 && pixels[i + 2] === 255) white++;
  }
  assertOk(white > pixels.length / 8, "white background");
  assertOk(white < pixels.length / 4 - 5000, "not blank");
  // Without any font the text vanishes: the bundled font is what draws it.
  const withText = darkPixels(pixels);
  const noFont = svgToPng(svg, { fontFiles: [] });
  const withoutText = darkPixels(decodePng(noFont, 2 * width, 2 * height));
  assertOk(withText > withoutText + 5000, `text drawn (${withText} vs ${withoutText} dark pixels)`);
});

Deno.test({
  name: "svgToPngAsync() gives svgToPng()'s bytes, drawn on resvg's thread",
  ignore: !CAN_RENDER,
}, async () => {
  const svg = topBarChart(USERS, { label: "user", title: "Most tried user names" });
  for (const options of [{}, { scale: 1, background: null }]) {
    assertEquals(await svgToPngAsync(svg, options), svgToPng(svg, options));
  }
  await assertRejects(() => svgToPngAsync(svg, { scale: 0 }), TypeError, "option scale");
  await assertRejects(() => svgToPngAsync("<svg"), Error);
});

Deno.test({
  name: "svgToPng() takes SVG text, a scale and a transparent background",
  ignore: !CAN_RENDER,
}, async () => {
  const svg = svgString(missingnessChart([{ column: "city", pct_missing: 40 }]));
  const png = svgToPng(svg, { scale: 1, background: null });
  const view = new DataView(png.buffer, png.byteOffset);
  assertEquals(view.getUint32(16), 640);
  const pixels = decodePng(png, 640, view.getUint32(20));
  assertEquals(pixels[3], 0, "top-left pixel is transparent");
  await assertRejects(() => svgToPng(svg, { scale: 0 }), TypeError, "option scale");
  await assertRejects(() => svgToPng(svg, { dpi: 3 } as never), TypeError, "unknown option dpi");
  await assertRejects(
    () => svgToPng(svg, { fontFiles: ["/nonexistent/font.ttf"] }),
    Error,
    "font file /nonexistent/font.ttf not found",
  );
});

Deno.test({
  name: "encodePng() gives the pixels resvg's own PNG gives, RGB when opaque, smaller",
  ignore: !CAN_RENDER,
}, () => {
  const svg = svgString(
    missingnessChart([{ column: "city", pct_missing: 40 }, { column: "asn", pct_missing: 7 }]),
  );
  for (const background of ["white", undefined]) {
    const image = new (resvg().Resvg)(svg, {
      fitTo: { mode: "zoom", value: 1.5 },
      background,
      font: { loadSystemFonts: false },
    }).render();
    const { width, height } = image;
    const pixels = image.pixels;
    const ours = encodePng(
      new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength),
      width,
      height,
    );
    const theirs = new Uint8Array(image.asPng());
    assertEquals(ours[25], background ? 2 : 6, "colour type: RGB when opaque, else RGBA");
    assertOk(ours.length < theirs.length, `${ours.length} < ${theirs.length} bytes`);
    const a = decodePng(ours, width, height), b = decodePng(theirs, width, height);
    assertEquals(a.length, b.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    // (un-premultiplying semi-transparent edges may round one step apart)
    assertOk(worst <= (background ? 0 : 1), `largest difference ${worst}`);
    if (!background) assertEquals(a[3], 0, "transparent stays transparent");
  }
});
