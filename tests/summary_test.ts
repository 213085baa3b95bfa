// The summary of syslog files read from what the WebAssembly module gathered
// per IP, without adding it row by row (SummaryAggregator's `#pending`), must
// be the one that adding each event gives. The tests in this file run in
// order in one isolate: the first ones read only canonical addresses, so that
// the module's values are one IP each and that path is taken.
import { join } from "node:path";
import { discoverLogs } from "../lib/logs/discover.ts";
import { parseFiles } from "../lib/logs/pipeline.ts";
import { summarize, SummaryAggregator } from "../lib/logs/summary.ts";
import type { LogFile } from "../lib/logs/discover.ts";
import type { IpRecords, ParsedEvent } from "../lib/logs/types.ts";
import { assertEquals, assertOk } from "./_assert.ts";
import { generateLog } from "./_scanner_harness.ts";

const failed = (stamp: string, ip: string, user: string) =>
  `${stamp} web1 sshd[4242]: Failed password for invalid user ${user} from ${ip} port 50022 ssh2`;
const stampOf = (i: number) =>
  `Mar  3 ${String(Math.floor(i / 3600) % 24).padStart(2, "0")}:${
    String(Math.floor(i / 60) % 60).padStart(2, "0")
  }:${String(i % 60).padStart(2, "0")}`;

/** An aggregator that counts the times rows were added to it (`addIps`). */
function watched(): { agg: SummaryAggregator; added: () => number } {
  const agg = new SummaryAggregator();
  let added = 0;
  const addIps = agg.addIps.bind(agg);
  agg.addIps = (records: IpRecords) => {
    added++;
    addIps(records);
  };
  return { agg, added: () => added };
}

/** The summary one add() per event gives (no gathering). */
async function reference(files: LogFile[], options: { timeZone: string; year: number }) {
  const single = new SummaryAggregator();
  const report = await parseFiles(files, {
    add: (e: ParsedEvent, t: number, f: number, l: number) => single.add(e, t, f, l),
  }, options);
  return { single, report };
}

async function tempFiles(contents: Record<string, string[]>): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const [name, lines] of Object.entries(contents)) {
    await Deno.writeTextFile(join(dir, name), lines.join("\n") + "\n");
  }
  return dir;
}

Deno.test("a syslog file's summary is read from what the module gathered, as adding each event gives it", async () => {
  const dir = await tempFiles({
    // ties in the top list (same counts: ordered by IP), one IP trying more users than are
    // kept, repeats, accepted logins, canonical IPv6
    "secure": [
      ...Array.from({ length: 3000 }, (_, i) => failed(stampOf(i), "203.0.113.9", `u${i % 1300}`)),
      ...Array.from(
        { length: 600 },
        (_, i) => failed(stampOf(i), `198.51.100.${i % 20}`, `x${i % 7}`),
      ),
      ...Array.from({ length: 40 }, (_, i) => failed(stampOf(i), `2001:db8::${i % 4 + 1}`, "git")),
      `${
        stampOf(5)
      } web1 sshd[9]: message repeated 4 times: [ Failed password for root from 198.51.100.3 port 1 ssh2]`,
      `${
        stampOf(6)
      } web1 sshd[9]: Accepted publickey for admin from 192.0.2.10 port 2 ssh2: ED25519 SHA256:x`,
      `${stampOf(7)} web1 sshd[9]: Accepted password for admin from 198.51.100.4 port 2 ssh2`,
    ],
  });
  try {
    await generateLog("--auth-lines", 30_000, join(dir, "auth.log"));
    const { files } = await discoverLogs([dir]);
    const options = { timeZone: "UTC", year: 2024 };
    for (const set of [[files[0]], [files[1]], files]) {
      const { agg, added } = watched();
      const report = await parseFiles(set, agg, options);
      const { single, report: expectedReport } = await reference(set, options);
      assertEquals(report, expectedReport);
      const lazy = summarize(agg, report, [], 25);
      assertEquals(added(), 0, "the rows were added: the summary did not come from the module");
      assertEquals(lazy, summarize(single, report, [], 25));
      assertOk(lazy.uniqueIps > 20 && lazy.topIps.length === 25);
      // every IP's statistics, read after adding the rows, are those of one add() per event
      assertEquals([...agg.ips.values()], [...single.ips.values()]);
      assertEquals(added(), 1);
      assertEquals(summarize(agg, report, [], 25), lazy);
    }
    // a summary read between files: the next file's events are gathered after those
    const { agg, added } = watched();
    await parseFiles([files[0]], agg, options);
    const first = summarize(agg, { files: [], timeZone: "UTC" });
    assertEquals(added(), 0);
    await parseFiles([files[1]], agg, options);
    const { single } = await reference([files[0], files[1]], options);
    assertEquals(
      summarize(agg, { files: [], timeZone: "UTC" }, [], 25),
      summarize(single, { files: [], timeZone: "UTC" }, [], 25),
    );
    assertOk(first.events < agg.events);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("two forms of one IP in a syslog file are one IP of its summary", async () => {
  const dir = await tempFiles({
    "auth.log": [
      failed(stampOf(1), "192.0.2.7", "a"),
      failed(stampOf(2), "::ffff:192.0.2.7", "b"),
      failed(stampOf(3), "2001:DB8::1", "a"),
      failed(stampOf(4), "2001:db8::1", "c"),
      failed(stampOf(5), "192.0.2.7", "b"),
      failed(stampOf(6), "198.51.100.1", "a"),
    ],
  });
  try {
    const { files } = await discoverLogs([dir]);
    const options = { timeZone: "UTC", year: 2024 };
    const { agg } = watched();
    const report = await parseFiles(files, agg, options);
    const { single } = await reference(files, options);
    const summary = summarize(agg, report);
    assertEquals(summary, summarize(single, report));
    assertEquals(summary.uniqueIps, 3);
    assertEquals(
      summary.topIps.map((s) => [s.ip, s.events, s.users]),
      [["192.0.2.7", 3, 2], ["2001:db8::1", 2, 2], ["198.51.100.1", 1, 1]],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
