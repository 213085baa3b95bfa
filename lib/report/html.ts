/**
 * `report.html`: one self-contained page with the summary, every chart, an
 * interactive world map, sortable top tables and the data credits. It loads
 * nothing (no CDN, no map tiles, no fonts): styles and script are inline, a
 * Content-Security-Policy forbids every request, and it works opened straight
 * from disk.
 *
 * Log text is attacker-controlled: it reaches the page only as escaped HTML
 * text ({@linkcode escapeHtml}), inside SVG serialised by `svgString`, or as
 * JSON in a `<script type="application/json">` block ({@linkcode jsonForHtml})
 * that the script reads and shows with `textContent`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { escapeHtml, jsonForHtml } from "./escape.ts";
import type { MapDetails, ReportChart } from "./charts.ts";
import { REPORT_CSS } from "./report_css.ts";
import { REPORT_SCRIPT } from "./report_script.ts";
import type {
  FlaggedIp,
  ReportSummary,
  TopCountry,
  TopIp,
  TopNetwork,
  TopSubnet,
  TopUsername,
} from "./summary.ts";

/** The SHA-256 of the report's script, as a CSP source (`'sha256-…'`). */
export const REPORT_SCRIPT_HASH = `'sha256-${
  createHash("sha256").update(REPORT_SCRIPT, "utf8").digest("base64")
}'`;

/**
 * The page's Content-Security-Policy: nothing may be fetched (no source but
 * `data:` images), inline styles are allowed (the charts carry them), and the
 * only script that may run is the report's own, by its hash: a `<script>` or
 * an `onerror=` smuggled in through log text would be refused even if it
 * escaped the escaping.
 */
export const REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; " +
  `script-src ${REPORT_SCRIPT_HASH}; base-uri 'none'; form-action 'none'`;

/** The rows of the report's tables (longer lists than the text summary's). */
export interface ReportTables {
  ips: TopIp[];
  subnets: TopSubnet[];
  countries: TopCountry[];
  networks: TopNetwork[];
  usernames: TopUsername[];
}

/** A file of the run, linked from the report. */
export interface ReportFile {
  /** Path relative to the run folder (`ips.csv`, `charts/daily.png`). */
  path: string;
  what: string;
  /** Rows, for data files. */
  rows?: number;
}

/** Everything the report shows. */
export interface ReportInput {
  summary: ReportSummary;
  /** The text summary, shown as it is in summary.txt. */
  summaryText: string;
  tables: ReportTables;
  charts: readonly ReportChart[];
  map: {
    /** Attacking IPs without coordinates. */
    unlocated: number;
    /** Attacking IPs left off the map. */
    omitted: number;
    details: MapDetails;
  };
  files: readonly ReportFile[];
}

const count = (n: number) => n.toLocaleString("en-US");
const percent = (n: number) => `${n >= 9.95 ? n.toFixed(0) : n.toFixed(1)}%`;
const minute = (t: string | null) => (t === null ? "—" : `${t.slice(0, 16).replace("T", " ")}`);

/** One table column: header, how to get the cell, number or text. */
interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | null;
  /** The cell's HTML (already escaped); default: the escaped value. */
  html?: (row: T) => string;
  type: "number" | "text";
  /** Shown as: default the count format for numbers. */
  format?: (row: T) => string;
}

function table<T>(
  id: string,
  caption: string,
  columns: readonly Column<T>[],
  rows: readonly T[],
  sortedBy?: string,
): string {
  if (rows.length === 0) return `<p class="muted">None.</p>`;
  const head = columns.map((c) => {
    const sort = c.header === sortedBy ? ` aria-sort="descending"` : "";
    const numeric = c.type === "number" ? ' class="num"' : "";
    return `<th scope="col" data-type="${c.type}"${numeric}${sort}>` +
      `<button type="button">${escapeHtml(c.header)}</button></th>`;
  }).join("");
  const body = rows.map((row) =>
    "<tr>" + columns.map((c) => {
      const value = c.value(row);
      const shown = c.html ? c.html(row) : escapeHtml(
        c.format
          ? c.format(row)
          : value === null
          ? "—"
          : typeof value === "number"
          ? count(value)
          : String(value),
      );
      const sortValue = value === null ? "" : String(value);
      return `<td class="${c.type === "number" ? "num" : "text"}" data-value="${
        escapeHtml(sortValue)
      }">${shown}</td>`;
    }).join("") + "</tr>"
  ).join("\n");
  return `<div class="table-wrap"><table class="sortable" id="${escapeHtml(id)}">` +
    `<caption class="muted small">${escapeHtml(caption)}</caption>` +
    `<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

function ipCell(ip: string): string {
  return `<button type="button" class="ip-link" data-ip="${
    escapeHtml(ip)
  }" title="Show on the map">${escapeHtml(ip)}</button>`;
}

function place(row: { city: string | null; country: string | null }): string {
  return [row.city, row.country].filter((p) => p !== null).join(", ");
}

function network(row: { asn: number | null; organization: string | null }): string | null {
  if (row.asn === null) return row.organization;
  return `AS${row.asn}${row.organization ? ` ${row.organization}` : ""}`;
}

/** A row with first and last seen times. */
type Seen = { first_seen: string | null; last_seen: string | null };

/** First and last seen, shown to the minute and sorted by the full time. */
function seenColumns<T extends Seen>(): Column<T>[] {
  return [
    {
      header: "first seen",
      value: (r) => r.first_seen,
      format: (r) => minute(r.first_seen),
      type: "text",
    },
    {
      header: "last seen",
      value: (r) => r.last_seen,
      format: (r) => minute(r.last_seen),
      type: "text",
    },
  ];
}

const IP_COLUMNS: Column<TopIp>[] = [
  { header: "IP", value: (r) => r.ip, html: (r) => ipCell(r.ip), type: "text" },
  { header: "attempts", value: (r) => r.attempts, type: "number" },
  { header: "bans", value: (r) => r.bans, type: "number" },
  { header: "country", value: (r) => r.country, type: "text" },
  { header: "city", value: (r) => r.city, type: "text" },
  { header: "network", value: (r) => network(r), type: "text" },
  { header: "users tried", value: (r) => r.users_tried, type: "number" },
  { header: "logged in", value: (r) => (r.logged_in ? "yes" : "no"), type: "text" },
  ...seenColumns(),
];

const SUBNET_COLUMNS: Column<TopSubnet>[] = [
  { header: "subnet", value: (r) => r.subnet, type: "text" },
  { header: "attempts", value: (r) => r.attempts, type: "number" },
  { header: "IPs", value: (r) => r.unique_ips, type: "number" },
  { header: "country", value: (r) => r.country, type: "text" },
  ...seenColumns(),
];

const COUNTRY_COLUMNS: Column<TopCountry>[] = [
  { header: "country", value: (r) => r.country, type: "text" },
  { header: "name", value: (r) => r.country_name, type: "text" },
  { header: "attempts", value: (r) => r.attempts, type: "number" },
  {
    header: "% attempts",
    value: (r) => r.pct_attempts,
    format: (r) => percent(r.pct_attempts),
    type: "number",
  },
  { header: "IPs", value: (r) => r.unique_ips, type: "number" },
  { header: "% IPs", value: (r) => r.pct_ips, format: (r) => percent(r.pct_ips), type: "number" },
  { header: "subnets", value: (r) => r.unique_subnets, type: "number" },
  {
    header: "% subnets",
    value: (r) => r.pct_subnets,
    format: (r) => percent(r.pct_subnets),
    type: "number",
  },
];

const NETWORK_COLUMNS: Column<TopNetwork>[] = [
  { header: "ASN", value: (r) => r.asn, format: (r) => `AS${r.asn}`, type: "number" },
  { header: "organisation", value: (r) => r.organization, type: "text" },
  { header: "attempts", value: (r) => r.attempts, type: "number" },
  {
    header: "% attempts",
    value: (r) => r.pct_attempts,
    format: (r) => percent(r.pct_attempts),
    type: "number",
  },
  { header: "IPs", value: (r) => r.unique_ips, type: "number" },
  { header: "subnets", value: (r) => r.unique_subnets, type: "number" },
];

const USERNAME_COLUMNS: Column<TopUsername>[] = [
  { header: "user name", value: (r) => r.user, type: "text" },
  { header: "attempts", value: (r) => r.attempts, type: "number" },
  { header: "IPs", value: (r) => r.unique_ips, type: "number" },
  { header: "sshd said", value: (r) => (r.invalid ? "invalid user" : "existing"), type: "text" },
  { header: "logins", value: (r) => r.logins, type: "number" },
];

const FLAGGED_COLUMNS: Column<FlaggedIp>[] = [
  { header: "IP", value: (r) => r.ip, html: (r) => ipCell(r.ip), type: "text" },
  { header: "bans", value: (r) => r.bans, type: "number" },
  { header: "attempts", value: (r) => r.attempts, type: "number" },
  { header: "place", value: (r) => place(r) || null, type: "text" },
  { header: "network", value: (r) => network(r), type: "text" },
  ...seenColumns(),
];

function card(value: string, label: string, alert = false): string {
  return `<div class="card${alert ? " alert" : ""}"><span class="value">${
    escapeHtml(value)
  }</span>` +
    `<span class="label">${escapeHtml(label)}</span></div>`;
}

function chartFigure(chart: ReportChart): string {
  return `<figure class="chart" id="chart-${escapeHtml(chart.name)}">\n${chart.svg}\n` +
    `<figcaption class="muted small">${escapeHtml(chart.description)} ` +
    `<span class="links"><a href="charts/${escapeHtml(chart.name)}.svg">SVG</a> · ` +
    `<a href="charts/${escapeHtml(chart.name)}.png">PNG</a></span></figcaption></figure>`;
}

/**
 * The report page as HTML text.
 *
 * @example
 * ```ts ignore
 * import { renderReportHtml } from "./html.ts";
 * await Deno.writeTextFile("report.html", renderReportHtml(input));
 * ```
 */
export function renderReportHtml(input: ReportInput): string {
  const s = input.summary;
  const t = s.totals;
  const period = `${minute(s.period.first)} → ${minute(s.period.last)} UTC`;
  const mapChart = input.charts.find((c) => c.name === "world_map");
  const others = input.charts.filter((c) => c.name !== "world_map");
  const attributions = s.geo.attributions;
  const located = input.map.details.rows.length;
  const data = { map: input.map.details };

  const cards = [
    card(count(t.attempts), "attempts"),
    card(count(t.attackingIps), `attacking IPs (of ${count(t.ips)} seen)`),
    card(count(t.subnets), "subnets (/24, /64)"),
    card(count(t.countries), "countries"),
    card(count(t.networks), "networks (AS)"),
    card(count(t.bans), `bans of ${count(t.bannedIps)} IPs`),
    card(count(t.logins), `successful logins from ${count(t.loginIps)} IPs`),
    card(
      count(s.bannedAndLoggedIn.length),
      "banned IPs that also logged in",
      s.bannedAndLoggedIn.length > 0,
    ),
    card(count(t.usernames), `user names tried (${count(t.invalidUsernames)} invalid)`),
    card(count(t.badLines), "bad lines", t.badLines > 0),
  ].join("\n");

  const unknownOf = (totals: { unique_ips: number; attempts: number }, what: string) =>
    totals.unique_ips > 0
      ? `${count(totals.unique_ips)} attacking ${totals.unique_ips === 1 ? "IP" : "IPs"} (${
        count(totals.attempts)
      } attempts) with no known ${what}, left out of the ${what} shares`
      : "";
  const unknown = [
    unknownOf(t.unknownCountry, "country"),
    unknownOf(t.unknownNetwork, "network"),
  ].filter(Boolean).join("; ");

  const files = `<div class="table-wrap"><table><thead><tr><th>file</th><th>format</th>` +
    `<th class="num">lines</th><th class="num">events</th><th class="num">bad</th><th>notes</th>` +
    `</tr></thead><tbody>\n${
      s.files.map((f) =>
        `<tr><td class="text mono">${escapeHtml(f.path)}</td><td>${escapeHtml(f.format)}</td>` +
        `<td class="num">${count(f.lines)}</td><td class="num">${count(f.events)}</td>` +
        `<td class="num">${count(f.bad)}</td><td class="text">${
          escapeHtml(
            [f.year ? `year ${f.year}` : "", f.incomplete ? `incomplete: ${f.incomplete}` : ""]
              .filter(Boolean).join("; "),
          )
        }</td></tr>`
      ).join("\n")
    }\n</tbody></table></div>` +
    (s.discovery.length > 0
      ? `<ul>${
        s.discovery.map((d) =>
          `<li><code>${escapeHtml(d.path)}</code>: ${escapeHtml(d.reason)}</li>`
        )
          .join("")
      }</ul>`
      : "");

  const jails = s.bansByJail.length > 0
    ? `<p>Bans by jail: ${
      s.bansByJail.map((j) =>
        `${escapeHtml(j.jail ?? "no jail")} ${count(j.bans)} (${count(j.ips)} IPs)`
      )
        .join(", ")
    }.</p>`
    : "";

  const friendly = s.friendly
    ? `<h3>Banned IPs from your own countries or networks</h3><p class="muted small">${
      escapeHtml(
        [...s.friendly.countries, ...s.friendly.networks.map((n) => `AS${n}`)].join(", "),
      )
    }: possible false positives.</p>` +
      table(
        "table-friendly",
        "Banned IPs from the places given as your own",
        FLAGGED_COLUMNS,
        s.friendly.banned,
        "bans",
      )
    : "";

  const mapSection = mapChart
    ? `<section id="map"><h2>World map</h2>
<p class="muted small">${count(located)} attacking IPs with a location${
      input.map.unlocated > 0 ? `; ${count(input.map.unlocated)} without one are not shown` : ""
    }${
      input.map.omitted > 0 ? `; ${count(input.map.omitted)} with fewer attempts are left out` : ""
    }. Hover over a dot for its IP, click it for details; zoom with the wheel, a double click or the buttons, drag to pan.</p>
<div class="map-layout"><figure class="chart" id="map-figure">
<div class="map-tools"><button type="button" id="map-zoom-in" title="Zoom in">+</button><button type="button" id="map-zoom-out" title="Zoom out">−</button><button type="button" id="map-reset">Reset</button><span id="map-zoom-level" class="muted small">1.0×</span>
<form id="map-find"><input type="search" placeholder="Find an IP" aria-label="Find an IP" spellcheck="false"> <button type="submit">Find</button></form></div>
<div class="map-wrap">${mapChart.svg}<div id="map-tooltip" role="tooltip" hidden></div></div>
<p class="links"><a href="charts/world_map.svg">SVG</a> · <a href="charts/world_map.png">PNG</a> · <a href="ips.geojson">GeoJSON</a></p></figure>
<aside class="details" id="map-details" aria-live="polite"><p class="muted">Click a dot (or an IP in the tables) to see its details here.</p></aside></div>
</section>`
    : "";

  const fileList = `<ul>${
    input.files.map((f) =>
      `<li><a href="${escapeHtml(encodeURI(f.path))}">${escapeHtml(f.path)}</a>: ${
        escapeHtml(f.what)
      }${f.rows !== undefined && f.rows > 0 ? ` (${count(f.rows)} rows)` : ""}</li>`
    ).join("\n")
  }</ul>`;

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="jailbook">
<title>jailbook report: ${escapeHtml(period)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>Who is attacking this server</h1>
<p class="muted">${escapeHtml(period)} (${count(s.period.days)} days) · ${
    count(s.files.length)
  } files, ${count(t.lines)} lines · generated ${escapeHtml(minute(s.generatedAt))} UTC in ${
    s.seconds.total.toFixed(1)
  } s</p>
<nav><ul><li><a href="#summary">Summary</a></li><li><a href="#map">Map</a></li><li><a href="#charts">Charts</a></li><li><a href="#tables">Top tables</a></li><li><a href="#bans">Bans</a></li><li><a href="#text-summary">Text summary</a></li><li><a href="#files">Files</a></li></ul></nav>
</header>
<main>
<section id="summary"><h2>Summary</h2>
<div class="cards">
${cards}
</div>
${unknown ? `<p class="muted small">${escapeHtml(unknown)}.</p>` : ""}
<p class="muted small">Time zone assumed for stamps without one: ${escapeHtml(s.timeZone)}. Geo: ${
    escapeHtml(s.geo.providers.join(", "))
  }${s.geo.unanswered > 0 ? `, ${count(s.geo.unanswered)} IPs without an answer` : ""}.</p>
<details><summary>Files read (${count(s.files.length)})</summary>
${files}
</details>
</section>
${mapSection}
<section id="charts"><h2>Charts</h2>
${others.map(chartFigure).join("\n")}
</section>
<section id="tables"><h2>Top tables</h2>
<p class="muted small">Click a column header to sort. The CSV files have every row.</p>
<h3>IPs</h3>
${table("table-ips", "IPs with the most attempts", IP_COLUMNS, input.tables.ips, "attempts")}
<h3>Subnets</h3>
${
    table(
      "table-subnets",
      "Subnets (/24, /64) with the most attempts",
      SUBNET_COLUMNS,
      input.tables.subnets,
      "attempts",
    )
  }
<h3>Countries</h3>
${
    table(
      "table-countries",
      "Countries with the most attempts",
      COUNTRY_COLUMNS,
      input.tables.countries,
      "attempts",
    )
  }
<h3>Networks</h3>
${
    table(
      "table-networks",
      "Autonomous systems with the most attempts",
      NETWORK_COLUMNS,
      input.tables.networks,
      "attempts",
    )
  }
<h3>User names</h3>
${
    table(
      "table-usernames",
      "User names tried most often",
      USERNAME_COLUMNS,
      input.tables.usernames,
      "attempts",
    )
  }
</section>
<section id="bans"><h2>Bans</h2>
<p>${count(t.bans)} bans of ${count(t.bannedIps)} IPs.</p>
${jails}
<h3>Banned IPs that also logged in</h3>
<p class="muted small">Possible false positives (your own users), or a compromise.</p>
${
    table(
      "table-banned-logged-in",
      "Banned IPs that also logged in successfully",
      FLAGGED_COLUMNS,
      s.bannedAndLoggedIn,
      "bans",
    )
  }
${friendly}
</section>
<section id="text-summary"><h2>Text summary</h2>
<details open><summary>summary.txt</summary><pre class="summary">${
    escapeHtml(input.summaryText)
  }</pre></details>
</section>
<section id="files"><h2>Files</h2>
<p class="muted small">Every file of this run, in the same folder as this report; <code>columns.md</code> describes every column.</p>
${fileList}
</section>
</main>
<footer>
${attributions.map((a) => `<p>${linkify(a)}</p>`).join("\n")}
<p>Made by jailbook. Locations are approximate: often a city or country centre.</p>
</footer>
<script type="application/json" id="jailbook-data">${jsonForHtml(data)}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

/** Escaped text with its `https://…` addresses as links (for the data credits). */
function linkify(text: string): string {
  const parts = text.split(/(https:\/\/[A-Za-z0-9.\-/]+)/);
  return parts.map((part, i) =>
    i % 2 === 1
      ? `<a href="${escapeHtml(part)}" rel="noreferrer">${escapeHtml(part)}</a>`
      : escapeHtml(part)
  ).join("");
}
