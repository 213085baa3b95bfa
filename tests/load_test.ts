/**
 * readLogs() on two threads against one: the same events in the same order,
 * the same dictionaries, reports and summary; and where the files are split.
 */
import { join } from "node:path";
import { readLogs, splitFor } from "../lib/logs/load.ts";
import type { LogFile } from "../lib/logs/discover.ts";
import { DICTIONARY_COLUMNS } from "../lib/logs/store.ts";
import { assertEquals, assertOk } from "./_assert.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const SAMPLE = join(ROOT, "data/sample");
const FIXTURES = join(ROOT, "tests/fixtures");

/** Everything readLogs() returned, as plain data. */
async function read(paths: string[], parallel: boolean) {
  const files: string[] = [];
  const logs = await readLogs(paths, {
    timeZone: "UTC",
    year: 2026,
    parallel,
    onFile: (file, index, total) => files.push(`${index}/${total} ${file.path}`),
  });
  const c = logs.store.columns();
  const columns = Object.fromEntries(
    Object.entries(c).map(([k, v]) => [k, typeof v === "number" ? v : Array.from(v, String)]),
  );
  return {
    progress: files.sort(),
    columns,
    files: logs.store.files,
    dictionaries: DICTIONARY_COLUMNS.map((name) => logs.store.dictionaries[name].values),
    report: JSON.stringify(logs.report),
    summary: logs.summary,
  };
}

Deno.test("readLogs: the later files read by a worker give what reading all here gives", async () => {
  for (const paths of [[SAMPLE], [SAMPLE, FIXTURES]]) {
    const one = await read(paths, false);
    const two = await read(paths, true);
    assertOk(one.columns.length as number > 1000, "events read");
    assertEquals(two, one, paths.join(" "));
  }
});

const file = (group: string, size: number, format: LogFile["format"] = "syslog"): LogFile => ({
  path: group,
  format,
  group,
  rotation: { kind: "current", n: 0 },
  gzip: false,
  size,
  mtime: null,
  formatBy: "name",
});

Deno.test("splitFor: between rotation sets, as evenly as their costs allow, only when worth it", () => {
  const MB = 1_000_000;
  const auth = file("/var/log/auth.log", 100 * MB);
  const auth1 = file("/var/log/auth.log", 90 * MB);
  const f2b = file("/var/log/fail2ban.log", 110 * MB, "fail2ban");
  const nginx = file("/var/log/nginx/access.log", 5 * MB, "http-access");
  // never inside a rotation set
  assertEquals(splitFor([auth, auth1], true), 2);
  assertEquals(splitFor([auth, auth1, f2b], "auto"), 2);
  assertEquals(splitFor([f2b, auth, auth1], "auto"), 1);
  // the cheaper side of the split gets the worker, which pays for its start
  assertEquals(splitFor([auth, nginx, f2b], "auto"), 2);
  // small logs, one file, or asked not to: all on this thread
  assertEquals(splitFor([file("a", MB), file("b", MB, "fail2ban")], "auto"), 2);
  assertEquals(splitFor([file("a", MB), file("b", MB, "fail2ban")], true), 1);
  assertEquals(splitFor([auth], true), 1);
  assertEquals(splitFor([auth, f2b], false), 2);
  assertEquals(splitFor([], "auto"), 0);
});

Deno.test("readLogs with perIp: false: the same totals and events, no per-IP statistics", async () => {
  for (const parallel of [false, true]) {
    const all = await readLogs([SAMPLE, FIXTURES], { timeZone: "UTC", year: 2026, parallel });
    const light = await readLogs([SAMPLE, FIXTURES], {
      timeZone: "UTC",
      year: 2026,
      parallel,
      perIp: false,
    });
    assertOk(all.summary.topIps.length > 0);
    assertEquals(light.summary, { ...all.summary, topIps: [], bannedAndAccepted: [] });
    assertEquals(light.store.length, all.store.length);
  }
});
