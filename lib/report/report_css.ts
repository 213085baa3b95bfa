/**
 * The report's stylesheet, inlined in `report.html` (the page loads nothing).
 *
 * @module
 */

/** CSS of report.html. */
export const REPORT_CSS = `
:root {
  color-scheme: light;
  --ink: #1d2329;
  --muted: #5b6670;
  --line: #d9dee3;
  --soft: #f4f6f8;
  --accent: #b8400d;
  --accent-soft: #fbe9df;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  font-size: 15px;
  line-height: 1.45;
  color: var(--ink);
  background: #fff;
}
* { box-sizing: border-box; }
body { margin: 0; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 36px 0 10px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 22px 0 6px; }
p { margin: 6px 0; }
a { color: #0b5cad; }
.muted { color: var(--muted); }
.small { font-size: 0.86rem; }
nav ul { list-style: none; padding: 0; margin: 12px 0 0; display: flex; flex-wrap: wrap; gap: 6px 16px; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.86rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 10px; margin: 14px 0; }
.card { background: var(--soft); border-radius: 8px; padding: 10px 12px; }
.card .value { font-size: 1.45rem; font-weight: 650; display: block; }
.card .label { color: var(--muted); font-size: 0.85rem; }
.card.alert { background: var(--accent-soft); }
.chart { margin: 10px 0 26px; }
.chart svg { display: block; max-width: 100%; height: auto; background: #fff; }
.chart .links { font-size: 0.85rem; }
.map-layout { display: grid; grid-template-columns: minmax(0, 1fr) 280px; gap: 16px; align-items: start; }
@media (max-width: 900px) { .map-layout { grid-template-columns: 1fr; } }
.map-wrap { position: relative; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; background: #fff; }
.map-wrap svg { display: block; width: 100%; height: auto; touch-action: none; cursor: grab; user-select: none; }
.map-wrap svg.dragging { cursor: grabbing; }
.map-wrap .jb-zoom path, .map-wrap .jb-zoom circle { vector-effect: non-scaling-stroke; }
.map-wrap circle[data-ip] { cursor: pointer; }
.map-wrap circle[data-ip].selected { stroke: #000; stroke-width: 2px; fill-opacity: 1; }
.map-tools { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 6px 0 8px; }
.map-tools button, .map-tools input { font: inherit; padding: 3px 10px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.map-tools button { cursor: pointer; min-width: 2.2em; }
.map-tools button:hover { background: var(--soft); }
#map-tooltip { position: absolute; pointer-events: none; background: rgba(29, 35, 41, 0.94); color: #fff; padding: 6px 9px; border-radius: 6px; font-size: 0.82rem; max-width: 320px; white-space: normal; z-index: 2; }
#map-tooltip[hidden] { display: none; }
#map-tooltip strong { display: block; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.details { background: var(--soft); border-radius: 8px; padding: 10px 14px; min-height: 120px; }
.details h3 { margin: 4px 0 8px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
.details dl { display: grid; grid-template-columns: auto 1fr; gap: 3px 10px; margin: 0; font-size: 0.9rem; }
.details dt { color: var(--muted); }
.details dd { margin: 0; overflow-wrap: anywhere; }
.flag { color: var(--accent); font-weight: 600; }
.table-wrap { max-height: 520px; overflow: auto; border: 1px solid var(--line); border-radius: 8px; margin: 8px 0 18px; }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; }
th, td { padding: 4px 8px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.text { overflow-wrap: anywhere; }
thead th { position: sticky; top: 0; background: #eef1f4; z-index: 1; white-space: nowrap; }
thead th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
thead th[aria-sort="ascending"] button::after { content: " \\25B2"; font-size: 0.7em; }
thead th[aria-sort="descending"] button::after { content: " \\25BC"; font-size: 0.7em; }
tbody tr:nth-child(even) { background: #fafbfc; }
button.ip-link { font: inherit; font-family: ui-monospace, "DejaVu Sans Mono", monospace; background: none; border: 0; padding: 0; color: #0b5cad; cursor: pointer; text-align: left; }
button.ip-link:hover { text-decoration: underline; }
pre.summary { background: var(--soft); padding: 12px; border-radius: 8px; overflow: auto; max-height: 640px; white-space: pre; }
details > summary { cursor: pointer; }
footer { margin-top: 40px; padding-bottom: 30px; border-top: 1px solid var(--line); color: var(--muted); font-size: 0.86rem; }
`;
