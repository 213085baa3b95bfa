/**
 * `deno task analyse` end to end: the command on the bundled sample writes
 * every output, each output parses (CSV with the documented headers, Parquet
 * read back by Polars, GeoJSON valid, PNG decodable, SVG and HTML
 * well-formed), and the summary's numbers are the frames' numbers. Then CSV
 * formula neutralisation, hostile log text, exit codes and the atomic
 * `latest`. The browser checks of report.html are in report_browser_test.ts.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import pl from "nodejs-polars";
import { parseHTML } from "linkedom";
import { EXPORTS, loadAnalysis } from "../lib/analysis.ts";
import { validateGeoJson } from "../lib/export/geojson.ts";
import { buildFrames, describeColumn, readParquet, writeCsv } from "../lib/frames/mod.ts";
import { kindIndex } from "../lib/logs/kinds.ts";
import { EventStore } from "../lib/logs/store.ts";
import type { ParsedEvent } from "../lib/logs/types.ts";
import { SAMPLE_DIR } from "../lib/paths.ts";
import { escapeHtml, jsonForHtml } from "../lib/report/escape.ts";
import {
  attemptsQuery,
  columnsMarkdown,
  EXPORT_FRAMES,
  type ExportName,
  startAttemptsFiles,
} from "../lib/report/exports.ts";
import { svgToPng } from "../lib/charts/mod.ts";
import { buildCharts, buildChartsInTurns, startChartFiles } from "../lib/report/charts.ts";
import { REPORT_CSP } from "../lib/report/html.ts";
import { REPORT_SCRIPT } from "../lib/report/report_script.ts";
import { runAnalysis } from "../lib/report/run.ts";
import type { ReportSummary } from "../lib/report/summary.ts";
import { assertEquals, assertIncludes, assertOk, assertRejects } from "./_assert.ts";
import { HOSTILE_USERNAMES, hostileLogs, runAnalyseCli } from "./support/analyse_fixtures.ts";
import { markupProblems } from "./support/markup.ts";
import { decodePng, inkFraction } from "./support/png.ts";

const STEMS = Object.keys(EXPORTS) as ExportName[];
const CHARTS = [
  "daily",
  "countries",
  "hour_weekday",
  "world_map",
  "usernames",
  "networks",
  "missingness",
];

/** RFC 4180 records (quoted fields with doubled quotes, CRLF or LF). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "", record: string[] = [], quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

let sampleRun: Promise<
  { out: string; folder: string; json: ReportSummary & Record<string, unknown> }
>;

/** One CLI run on the sample, shared by the tests that inspect its outputs. */
function sample() {
  sampleRun ??= (async () => {
    const out = await Deno.makeTempDir({ prefix: "jailbook-analyse-" });
    const run = await runAnalyseCli(["--out", out, "--json", "--offline"]);
    assertEquals(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout);
    return { out, folder: json.folder as string, json };
  })();
  return sampleRun;
}

Deno.test("analyse on the sample writes every output into a dated folder and points latest at it", async () => {
  const { out, folder, json } = await sample();
  assertOk(/\/\d{8}-\d{6}$/.test(folder), folder);
  assertEquals(await Deno.readLink(join(out, "latest")), folder.split("/").pop());
  const expected = [
    "report.html",
    "summary.txt",
    "summary.json",
    "README.txt",
    "columns.md",
    "ips.geojson",
    ...STEMS.flatMap((s) => [`${s}.csv`, `${s}.parquet`]),
    ...CHARTS.flatMap((c) => [`charts/${c}.svg`, `charts/${c}.png`]),
  ];
  for (const file of expected) {
    const info = await Deno.stat(join(out, "latest", file));
    assertOk(info.isFile && info.size > 0, `${file} is written`);
  }
  // the files listed in the JSON are exactly the files in the folder
  const listed = (json.outputs as { path: string }[]).map((f) => f.path).sort();
  assertEquals(listed, [...expected].sort());
  // nothing half-written is left behind
  const names = [...Deno.readDirSync(out)].map((e) => e.name).sort();
  assertEquals(names, ["latest", folder.split("/").pop()!].sort());
  // the sample was written in UTC, and the run said so
  assertEquals(json.timeZone, "UTC");
});

Deno.test("analyse CSV files have the documented headers, RFC 4180 quoting and ISO 8601 UTC times; Parquet reads back the same", async () => {
  const { folder } = await sample();
  const doc = await Deno.readTextFile(join(folder, "columns.md"));
  for (const stem of STEMS) {
    const text = await Deno.readTextFile(join(folder, `${stem}.csv`));
    assertOk(!text.startsWith("\ufeff"), "no byte order mark");
    const [header, ...rows] = parseCsv(text);
    for (const column of header) {
      assertOk(
        describeColumn(EXPORT_FRAMES[stem], column) !== undefined,
        `${stem}.csv column ${column} has a description`,
      );
      assertIncludes(doc, `| \`${column}\` |`);
    }
    assertOk(
      rows.every((r) => r.length === header.length),
      `${stem}.csv rows have ${header.length} fields`,
    );
    const frame = readParquet(join(folder, `${stem}.parquet`));
    assertEquals(frame.columns, header, `${stem}.parquet has the CSV's columns`);
    assertEquals(frame.height, rows.length, `${stem}.parquet has the CSV's rows`);
    for (const [i, name] of header.entries()) {
      if (!/(^|_)(seen|at)$|^time$/.test(name)) continue;
      const values = rows.map((r) => r[i]).filter((v) => v !== "");
      assertOk(
        values.every((v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/.test(v)),
        `${stem}.csv ${name} is ISO 8601 UTC (${values[0]})`,
      );
    }
  }
  // attempts keep the logs' order: by file, then line
  const [head, ...attempts] = parseCsv(await Deno.readTextFile(join(folder, "attempts.csv")));
  const [file, line] = [head.indexOf("file"), head.indexOf("line")];
  const files: string[] = [];
  attempts.forEach((row, i) => {
    if (files.at(-1) !== row[file]) {
      assertOk(!files.includes(row[file]), `${row[file]} comes in one run`);
      files.push(row[file]);
    } else {
      assertOk(Number(row[line]) >= Number(attempts[i - 1][line]), `row ${i + 2} is in line order`);
    }
  });
  const daily = parseCsv(await Deno.readTextFile(join(folder, "daily.csv")));
  assertOk(daily.slice(1).every((r) => /^\d{4}-\d\d-\d\d$/.test(r[0])), "days are dates");
});

Deno.test("analyse GeoJSON is a valid RFC 7946 FeatureCollection of the located attacking IPs", async () => {
  const { folder, json } = await sample();
  const geo = JSON.parse(await Deno.readTextFile(join(folder, "ips.geojson")));
  assertEquals(validateGeoJson(geo), []);
  assertEquals(geo.features.length, json.geo.located);
  const first = geo.features[0];
  assertEquals(first.id, first.properties.ip);
  for (const key of ["attempts", "bans", "country", "city", "asn", "organization"]) {
    assertOk(key in first.properties, `property ${key}`);
  }
});

Deno.test("analyse charts: every PNG decodes and is not blank, every SVG is well-formed", async () => {
  const { folder } = await sample();
  for (const chart of CHARTS) {
    const image = await decodePng(await Deno.readFile(join(folder, "charts", `${chart}.png`)));
    assertOk(
      image.width >= 900 && image.height > 100,
      `${chart}.png is ${image.width}×${image.height}`,
    );
    assertOk(inkFraction(image) > 0.01, `${chart}.png is not blank`);
    const svg = await Deno.readTextFile(join(folder, "charts", `${chart}.svg`));
    assertOk(svg.startsWith("<svg"), `${chart}.svg starts with <svg`);
    assertEquals(markupProblems(svg, { html: false }), [], `${chart}.svg is well-formed`);
  }
});

Deno.test("analyse report.html is well-formed, self-contained and forbids every request", async () => {
  const { folder } = await sample();
  const html = await Deno.readTextFile(join(folder, "report.html"));
  assertEquals(markupProblems(html, { html: true }), []);
  assertIncludes(html, `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
  // the one script allowed to run is the report's own, by its hash
  const script = html.slice(html.lastIndexOf("<script>") + 8, html.lastIndexOf("</script>"));
  assertEquals(script, REPORT_SCRIPT);
  const hash = createHash("sha256").update(script).digest("base64");
  assertIncludes(REPORT_CSP, `script-src 'sha256-${hash}';`);
  assertOk(
    !REPORT_CSP.includes("unsafe-inline'; base") && !/script-src[^;]*unsafe/.test(REPORT_CSP),
  );
  assertIncludes(html, '<meta charset="utf-8">');
  assertIncludes(html, "IP Geolocation by DB-IP");
  const { document } = parseHTML(html);
  // nothing is loaded: no external script, stylesheet, image, frame or font
  assertEquals(
    document.querySelectorAll("script[src], link, img, iframe, object, embed").length,
    0,
  );
  assertOk(!/url\(\s*['"]?(https?:|\/\/)/i.test(html), "no url() to the network");
  for (const a of document.querySelectorAll("a[href]")) {
    const href = a.getAttribute("href")!;
    assertOk(/^(#|https:\/\/|[A-Za-z_]+\.[a-z]+$|charts\/)/.test(href), `link ${href}`);
  }
  // every chart is inline, the map has one dot per located IP
  assertEquals(document.querySelectorAll("svg[data-chart]").length, CHARTS.length);
  const data = JSON.parse(document.getElementById("jailbook-data")!.textContent!);
  assertEquals(
    document.querySelectorAll("#map-figure circle[data-ip]").length,
    data.map.rows.length,
  );
  assertOk(data.map.rows.length > 500);
  // sortable top tables
  for (const id of ["ips", "subnets", "countries", "networks", "usernames"]) {
    assertOk(document.querySelector(`#table-${id}.sortable tbody tr`), `table ${id}`);
  }
});

Deno.test("analyse summary numbers agree with the frames written", async () => {
  const { folder, json } = await sample();
  const read = (stem: string) => readParquet(join(folder, `${stem}.parquet`));
  const sum = (frame: pl.DataFrame, column: string) => Number(frame.getColumn(column).sum());
  const t = json.totals;
  const ips = read("ips");
  const attempts = read("attempts");
  assertEquals(t.attempts, sum(attempts, "attempts"));
  assertEquals(t.attempts, sum(ips, "attempts"));
  assertEquals(t.attempts, sum(read("daily"), "attempts"));
  assertEquals(t.ips, ips.height);
  assertEquals(t.attackingIps, ips.filter(pl.col("attempts").gt(0)).height);
  assertEquals(t.subnets, read("subnets").height);
  assertEquals(t.countries, read("countries").height);
  assertEquals(t.networks, read("networks").height);
  assertEquals(t.usernames, read("usernames").filter(pl.col("attempts").gt(0)).height);
  const bans = read("bans").filter(pl.col("started_by").isIn(["ban", "db_ban", "blacklisted"]));
  assertEquals(t.bans, bans.height);
  assertEquals(t.bans, sum(ips, "bans"));
  assertEquals(t.bans, sum(read("daily"), "bans"));
  assertEquals(json.period.days, read("daily").height);
  // the top lists are the frames' first rows
  const topIps = ips.head(json.top.ips.length).getColumn("ip").toArray();
  assertEquals(json.top.ips.map((r) => r.ip), topIps);
  assertEquals(
    json.top.countries.map((r) => r.country),
    read("countries").head(json.top.countries.length).getColumn("country").toArray(),
  );
  // and the sample's known facts
  const truth = JSON.parse(await Deno.readTextFile(join(SAMPLE_DIR, "truth.json")));
  assertEquals(
    Object.fromEntries(json.bansByJail.map((j) => [j.jail, j.bans])),
    truth.bans,
  );
  assertEquals(json.bannedAndLoggedIn.map((r) => r.ip), [truth.falsePositiveIp]);
  assertEquals(json.files.length, 10);
  assertEquals(t.badLines, 0);
  // the text summary says the same
  const text = await Deno.readTextFile(join(folder, "summary.txt"));
  assertIncludes(text, `${t.attempts.toLocaleString("en-US")} attempts from ${t.attackingIps} IPs`);
  assertIncludes(text, truth.falsePositiveIp);
  assertIncludes(text, "IP Geolocation by DB-IP (https://db-ip.com)");
  assertIncludes(text, "Run time:");
  assertEquals(
    JSON.parse(await Deno.readTextFile(join(folder, "summary.json"))).totals,
    t,
  );
});

Deno.test("analyse neutralises formula-like CSV cells by default and writes them raw with --raw-csv", async () => {
  const logs = await hostileLogs();
  const out = await Deno.makeTempDir();
  const safe = await runAnalyseCli([
    "--logs",
    logs,
    "--out",
    join(out, "safe"),
    "--offline",
    "--quiet",
    "--year",
    "2026",
  ]);
  assertEquals(safe.code, 0, safe.stderr);
  const raw = await runAnalyseCli([
    "--logs",
    logs,
    "--out",
    join(out, "raw"),
    "--offline",
    "--quiet",
    "--year",
    "2026",
    "--raw-csv",
  ]);
  assertEquals(raw.code, 0, raw.stderr);
  const users = async (kind: string) =>
    parseCsv(await Deno.readTextFile(join(out, kind, "latest", "usernames.csv"))).slice(1).map((
      r,
    ) => r[0]);
  const neutral = await users("safe");
  for (const formula of ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(1)"]) {
    assertIncludes(neutral, `'${formula}`);
    assertOk(!neutral.includes(formula), `${formula} is not written as it is`);
    assertIncludes(await users("raw"), formula);
  }
  assertIncludes(neutral, "<img src=x onerror=alert(1)>"); // text, not a formula: unchanged
  assertIncludes(await Deno.readTextFile(join(out, "raw", "latest", "columns.md")), "--raw-csv");
  // numbers are never touched
  const daily = parseCsv(await Deno.readTextFile(join(out, "safe", "latest", "daily.csv")));
  assertOk(daily.slice(1).every((r) => /^\d+$/.test(r[2])));
});

Deno.test("analyse shows hostile user names as text in the HTML report, the SVGs and summary.txt", async () => {
  const logs = await hostileLogs();
  const out = await Deno.makeTempDir();
  const run = await runAnalyseCli(["--logs", logs, "--out", out, "--offline", "--year", "2026"]);
  assertEquals(run.code, 0, run.stderr);
  const folder = join(out, "latest");
  const html = await Deno.readTextFile(join(folder, "report.html"));
  assertEquals(markupProblems(html, { html: true }), []);
  const { document } = parseHTML(html);
  assertEquals(document.querySelectorAll("img").length, 0, "no <img> from the data");
  assertEquals(document.querySelectorAll("script").length, 2, "only the report's two scripts");
  assertEquals(document.querySelectorAll("svg").length, CHARTS.length, "no <svg> from the data");
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      assertOk(
        !/^on/i.test(attribute.name),
        `no ${attribute.name} attribute on <${element.tagName}>`,
      );
    }
  }
  const table = document.getElementById("table-usernames")!.textContent!;
  for (const user of HOSTILE_USERNAMES.slice(0, 3)) assertIncludes(table, user);
  assertIncludes(html, escapeHtml("<img src=x onerror=alert(1)>"));
  // the JSON block cannot be closed early
  const data = document.getElementById("jailbook-data")!.textContent!;
  assertOk(!/[<>]/.test(data));
  for (const chart of CHARTS) {
    const svg = await Deno.readTextFile(join(folder, "charts", `${chart}.svg`));
    assertEquals(markupProblems(svg, { html: false }), [], `${chart}.svg is well-formed`);
    const parsed = parseHTML(`<html><body>${svg}</body></html>`).document;
    assertEquals(parsed.querySelectorAll("script, img, foreignObject").length, 0, chart);
  }
  const usernamesSvg = await Deno.readTextFile(join(folder, "charts", "usernames.svg"));
  assertIncludes(usernamesSvg, "&lt;img src=x onerror=alert(1)&gt;");
  const text = await Deno.readTextFile(join(folder, "summary.txt"));
  assertIncludes(text, "<img src=x onerror=alert(1)>");
  // the bad line is counted, and the run still succeeds
  const summary = JSON.parse(await Deno.readTextFile(join(folder, "summary.json")));
  assertEquals(summary.totals.badLines, 1);
});

Deno.test("analyse exit status: 2 for bad options, 1 for missing logs or unwritable output", async (t) => {
  const empty = await Deno.makeTempDir();
  const file = join(empty, "a-file");
  await Deno.writeTextFile(file, "not a folder");
  const cases: [string, string[], number, string][] = [
    ["an unknown option", ["--bogus"], 2, "Try: deno task analyse --help"],
    ["a bad --top", ["--top", "many"], 2, "--top"],
    ["an unknown time zone", ["--timezone", "Mars/Olympus"], 2, "Mars/Olympus"],
    ["an unknown provider", ["--provider", "crystal-ball"], 2, "crystal-ball"],
    ["a bad friendly country", ["--friendly-countries", "Germany"], 2, "--friendly-countries"],
    ["a folder without logs", ["--logs", empty, "--out", join(empty, "out")], 1, "No logs found"],
    [
      "a missing path",
      ["--logs", join(empty, "nope"), "--out", join(empty, "out")],
      1,
      "Cannot read",
    ],
    ["an output under a file", ["--out", join(file, "out")], 1, "Cannot write to"],
  ];
  for (const [name, args, code, message] of cases) {
    await t.step(name, async () => {
      const run = await runAnalyseCli([...args, "--offline"]);
      assertEquals(run.code, code, run.stderr);
      assertIncludes(run.stderr, message);
      assertEquals(run.stdout, "");
    });
  }
  assertOk(!(await Deno.stat(join(empty, "out")).catch(() => undefined)), "no output folder");
  const help = await runAnalyseCli(["--help"]);
  assertEquals(help.code, 0);
  assertIncludes(help.stdout, "Usage: deno task analyse");
});

Deno.test("analyse --quiet prints only the summary; --json prints it as JSON", async () => {
  const out = await Deno.makeTempDir();
  const quiet = await runAnalyseCli(["--out", out, "--quiet", "--offline"]);
  assertEquals(quiet.code, 0);
  assertEquals(quiet.stderr, "");
  assertIncludes(quiet.stdout, "Top IPs by attempts:");
  const { json } = await sample();
  assertEquals(typeof json.folder, "string");
  assertEquals(typeof json.totals.attempts, "number");
});

Deno.test("an interrupted run publishes nothing: latest keeps pointing at the last complete run", async () => {
  const out = await Deno.makeTempDir();
  const first = await runAnalysis({
    logs: [SAMPLE_DIR],
    out,
    timeZone: "UTC",
    offline: true,
    now: new Date("2026-11-20T10:00:00Z"),
  });
  const before = await Deno.readLink(join(out, "latest"));
  assertEquals(join(out, before), first.folder);
  for (const step of ["exports", "charts", "report", "publish"]) {
    const abort = new AbortController();
    await assertRejects(
      () =>
        runAnalysis({
          logs: [SAMPLE_DIR],
          out,
          timeZone: "UTC",
          offline: true,
          now: new Date("2026-11-21T10:00:00Z"),
          signal: abort.signal,
          onProgress: (p) => {
            if (p.step === step) abort.abort(new Error(`stopped at ${step}`));
          },
        }),
      Error,
      `stopped at ${step}`,
    );
    assertEquals(await Deno.readLink(join(out, "latest")), before, `after stopping at ${step}`);
    const names = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assertEquals(names, [before, "latest"].sort(), `nothing else is left after ${step}`);
  }
  // killed from outside at a random moment: latest is the old run or a complete new one
  const cli = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../lib/cli/analyse.ts", import.meta.url).pathname,
      "--out",
      out,
      "--offline",
      "--quiet",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await new Promise((resolve) => setTimeout(resolve, 700));
  try {
    cli.kill("SIGKILL");
  } catch { /* already done */ }
  await cli.status;
  const latest = join(out, await Deno.readLink(join(out, "latest")));
  for (const file of ["report.html", "summary.json", "attempts.csv", "charts/world_map.png"]) {
    assertOk((await Deno.stat(join(latest, file))).size > 0, `latest has ${file}`);
  }
});

Deno.test("escapeHtml() and jsonForHtml() keep log text inert in HTML", () => {
  assertEquals(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
  assertEquals(escapeHtml("bell\u0007"), "bell\ufffd");
  assertEquals(escapeHtml(null), "");
  const value = { user: "</script><!--<script>", sep: "a\u2028b\u2029c", amp: "&" };
  const json = jsonForHtml(value);
  assertOk(!/[<>&\u2028\u2029]/.test(json), json);
  assertEquals(JSON.parse(json), value);
});

Deno.test("the report's script cannot end its <script> element early, and loads nothing", () => {
  assertOk(!/<\/script|<!--/i.test(REPORT_SCRIPT));
  assertOk(
    !/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/.test(
      REPORT_SCRIPT,
    ),
  );
  assertOk(
    !/fetch\(|XMLHttpRequest|import\(|https?:\/\//.test(
      REPORT_SCRIPT.replace("http://www.w3.org/2000/svg", ""),
    ),
  );
});

Deno.test("columnsMarkdown() describes every column of every export", () => {
  const text = columnsMarkdown({ daily: ["day", "events", "attempts", "unique_ips", "bans"] });
  assertIncludes(text, "## daily.csv / daily.parquet");
  assertIncludes(text, "| `unique_ips` | Distinct addresses with an attempt that day |");
  assertOk(!text.includes("(no description)"));
  assertIncludes(text, "with a leading `'`");
});

Deno.test("the attempts files written on Polars' threads equal writeCsv()/writeParquet() of the same frame", async () => {
  const logs = await hostileLogs();
  const out = await Deno.makeTempDir();
  const { analysis: run, folder } = await runAnalysis({
    logs: [logs],
    out,
    timeZone: "UTC",
    year: 2026,
    offline: true,
  });
  // the run let its events go; the same logs analysed again
  assertEquals(run.logs.store.length, 0);
  await assertRejects(() => run.frames.events, Error, "the events of this analysis were let go");
  const analysis = await loadAnalysis(run.params);
  const frame = attemptsQuery(analysis.frames).collectSync();
  for (const raw of [false, true]) {
    const dir = await Deno.makeTempDir();
    const started = startAttemptsFiles(analysis.frames, dir, { raw });
    const files = await started.done;
    assertEquals(files.map((f) => f.rows), [frame.height, frame.height]);
    const reference = join(dir, "reference.csv");
    writeCsv(frame, reference, { neutralizeFormulas: !raw });
    assertEquals(
      await Deno.readTextFile(join(dir, "attempts.csv")),
      await Deno.readTextFile(reference),
      `raw: ${raw}`,
    );
  }
  const written = readParquet(join(folder, "attempts.parquet"));
  assertEquals(written.columns, frame.columns);
  assertEquals(written.height, frame.height);
  assertEquals(
    written.getColumn("user").cast(pl.Utf8).toArray(),
    frame.getColumn("user").cast(pl.Utf8).toArray(),
  );
  const users = parseCsv(await Deno.readTextFile(join(folder, "attempts.csv")));
  const column = users[0].indexOf("user");
  assertIncludes(users.map((r) => r[column]), "'=cmd|' /C calc'!A0");
});

/** A store of `n` failed logins from `ips` addresses (no geo details). */
function failedLogins(n: number, ips: number): EventStore {
  const store = new EventStore();
  store.files = ["auth.log"];
  const kind = kindIndex("failed_password");
  for (let i = 0; i < n; i++) {
    const event = { timeKind: 0, kind, ip: `198.51.100.${i % ips}`, user: "root" };
    store.add(event as ParsedEvent, Date.UTC(2026, 10, 20) + i * 1000, 0, i + 1);
  }
  return store;
}

Deno.test("startAttemptsFiles() writes attempts whose IPs have no details (detail columns alike)", async () => {
  const frames = buildFrames(failedLogins(10, 2), []);
  const frame = attemptsQuery(frames).collectSync();
  const dir = await Deno.makeTempDir();
  try {
    const files = await startAttemptsFiles(frames, dir).done;
    assertEquals(files.map((f) => f.rows), [10, 10]);
    const reference = join(dir, "reference.csv");
    writeCsv(frame, reference);
    assertEquals(
      await Deno.readTextFile(join(dir, "attempts.csv")),
      await Deno.readTextFile(reference),
    );
    assertEquals(readParquet(join(dir, "attempts.parquet")).height, 10);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startAttemptsFiles() leaves no temporary file and keeps the earlier attempts.csv when the CSV fails", async () => {
  const frames = buildFrames(failedLogins(400_001, 3), []); // two batches
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "attempts.csv.writing")); // the CSV cannot be written
    // the attempts.csv of an earlier export stays as it was
    await Deno.writeTextFile(join(dir, "attempts.csv"), "earlier\n");
    await assertRejects(() => startAttemptsFiles(frames, dir).done, Error, "attempts.csv");
    const left = [];
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && /\.(part|writing)$/.test(entry.name)) left.push(entry.name);
    }
    assertEquals(left, []);
    assertEquals(await Deno.readTextFile(join(dir, "attempts.csv")), "earlier\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildChartsInTurns() draws what buildCharts() draws, with turns between the charts", async () => {
  const analysis = await loadAnalysis({
    logs: [SAMPLE_DIR],
    providers: ["dbip", "asn"],
    offline: true,
    timeZone: "UTC",
    friendlyCountries: [],
    friendlyNetworks: [],
    out: "",
  });
  const options = { attribution: analysis.lookup.attributions.join("\n") };
  const reference = buildCharts(analysis.frames, options);
  let turns = 0;
  const handed: string[] = [];
  const charts = await buildChartsInTurns(analysis.frames, options, {
    between: () => {
      turns++;
      return Promise.resolve();
    },
    onChart: (chart) => handed.push(chart.name),
  });
  assertEquals(charts, reference);
  assertEquals(charts.charts.map((c) => c.name), CHARTS);
  assertEquals(handed, CHARTS);
  assertOk(turns >= CHARTS.length, `${turns} turns`);
  assertOk(reference.map.points.length > 0, "the sample has located IPs");
});

Deno.test("startChartFiles() writes each chart's SVG and PNG, in order; a large chart's PNG is drawn on resvg's thread", async () => {
  const small = (fill: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">` +
    `<rect width="30" height="10" fill="${fill}"/></svg>`;
  // over 500,000 characters of SVG (a comment resvg ignores): drawn in the background
  const large = small("#0072B2").replace("</svg>", `<!--${"x".repeat(600_000)}--></svg>`);
  const charts = [
    { name: "a", title: "A", description: "", svg: small("#D55E00") },
    { name: "map", title: "Map", description: "", svg: large },
    { name: "b", title: "B", description: "", svg: small("#009E73") },
  ];
  const dir = await Deno.makeTempDir();
  try {
    const files = startChartFiles(dir);
    for (const chart of charts) files.add(chart);
    const written = await files.done();
    assertEquals(
      written.map((f) => f.path),
      charts.flatMap((c) => [join(dir, `${c.name}.svg`), join(dir, `${c.name}.png`)]),
    );
    for (const chart of charts) {
      assertEquals(await Deno.readTextFile(join(dir, `${chart.name}.svg`)), chart.svg);
      assertEquals(await Deno.readFile(join(dir, `${chart.name}.png`)), svgToPng(chart.svg));
    }
    // a chart that cannot be drawn fails done(), after the other files are written
    const failing = startChartFiles(dir);
    failing.add({ name: "bad", title: "Bad", description: "", svg: "<svg" + " ".repeat(600_000) });
    failing.add(charts[0]);
    await assertRejects(() => failing.done());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
