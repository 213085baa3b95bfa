import { join } from "node:path";
import { abandonRun, finishRun, runName, startRun } from "../lib/export/run_dir.ts";
import { assertEquals, assertOk } from "./_assert.ts";

Deno.test("runName() is YYYYMMDD-HHMMSS in UTC", () => {
  assertEquals(runName(new Date("2026-11-20T23:59:07.500Z")), "20261120-235907");
});

Deno.test("finishRun() renames the staging folder and swaps latest atomically; an abandoned run leaves latest alone", async () => {
  const root = await Deno.makeTempDir();
  const first = await startRun(root, new Date("2026-11-20T10:00:00Z"));
  await Deno.writeTextFile(join(first.staging, "summary.txt"), "first");
  await finishRun(first);
  assertEquals(await Deno.readTextFile(join(root, "latest", "summary.txt")), "first");
  assertEquals(await Deno.readLink(join(root, "latest")), "20261120-100000");

  const broken = await startRun(root, new Date("2026-11-21T10:00:00Z"));
  await Deno.writeTextFile(join(broken.staging, "summary.txt"), "half");
  // simulated crash: nothing published; latest still shows the complete first run
  assertEquals(await Deno.readTextFile(join(root, "latest", "summary.txt")), "first");

  const second = await startRun(root, new Date("2026-11-20T10:00:00Z")); // same second as the first
  const names = [...Deno.readDirSync(root)].map((e) => e.name);
  assertOk(
    !names.some((n) => n.includes(".partial-") && n.startsWith(".20261121")),
    "stale staging folders are removed",
  );
  await Deno.writeTextFile(join(second.staging, "summary.txt"), "second");
  const final = await finishRun(second);
  assertEquals(final, join(root, "20261120-100000-2"));
  assertEquals(await Deno.readTextFile(join(root, "latest", "summary.txt")), "second");

  const third = await startRun(root);
  await abandonRun(third);
  assertEquals([...Deno.readDirSync(root)].filter((e) => e.name.includes("partial")).length, 0);
  assertEquals(await Deno.readTextFile(join(root, "latest", "summary.txt")), "second");
});
