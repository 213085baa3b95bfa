/**
 * The results of a run for people and tools: the data files (CSV, Parquet,
 * GeoJSON, columns.md), the charts, the summary (text and JSON) and the
 * self-contained HTML report, written into a dated run folder by
 * {@linkcode runAnalysis} (`deno task analyse`).
 *
 * @module
 */
export {
  findLogs,
  type FoundLogs,
  NoLogsError,
  OutputError,
  runAnalysis,
  type RunOptions,
  type RunProgress,
  type RunResult,
} from "./run.ts";
export {
  buildReportSummary,
  renderReportSummary,
  type ReportSummary,
  type StepSeconds,
  topIps,
  topRows,
} from "./summary.ts";
export {
  ATTEMPT_DETAIL_COLUMNS,
  attemptsQuery,
  columnsMarkdown,
  EXPORT_FRAMES,
  type ExportName,
  startAttemptsFiles,
  writeDataFiles,
} from "./exports.ts";
export {
  buildCharts,
  buildChartsInTurns,
  type ReportChart,
  type ReportCharts,
  writeCharts,
} from "./charts.ts";
export { renderReportHtml, REPORT_CSP, REPORT_SCRIPT_HASH, type ReportInput } from "./html.ts";
export { escapeHtml, jsonForHtml } from "./escape.ts";
