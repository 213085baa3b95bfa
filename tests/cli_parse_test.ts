import { join } from "node:path";
import { assertEquals, assertIncludes, assertOk } from "./_assert.ts";

const CLI = new URL("../lib/cli/parse.ts", import.meta.url).pathname;

async function cli(args: string[], denoFlags = ["--allow-read", "--allow-env"]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...denoFlags, CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { TZ: "UTC", NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function dirWith(files: Record<string, string>) {
  const dir = await Deno.makeTempDir();
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
  return dir;
}

const AUTH = [
  "Jan  2 08:00:00 web1 sshd[1]: Failed password for invalid user admin from 192.0.2.1 port 50022 ssh2",
  "Jan  2 08:00:01 web1 sshd[1]: Invalid user <img src=x> from 2001:db8::1 port 22",
].join("\n") + "\n";

Deno.test("parse writes JSON Lines with the contract's field names to stdout and a summary to stderr", async () => {
  const dir = await dirWith({ "auth.log": AUTH });
  const { code, stdout, stderr } = await cli(["--year", "2024", dir]);
  assertEquals(code, 0);
  const events = stdout.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(events[0], {
    file: join(dir, "auth.log"),
    line: 1,
    time: "2024-01-02T08:00:00.000Z",
    source: "sshd",
    kind: "failed_password",
    suspicious: true,
    ip: "192.0.2.1",
    user: "admin",
    port: 50022,
    host: "web1",
    program: "sshd",
    pid: 1,
    detail: "invalid user",
  });
  assertEquals(events[1].user, "<img src=x>");
  assertIncludes(stderr, "Files read (1)");
  assertIncludes(stderr, "unique IPs: 2");
});

Deno.test("parse --summary prints only the summary, to stdout; --json makes it JSON", async () => {
  const dir = await dirWith({ "auth.log": AUTH });
  const text = await cli(["--summary", dir]);
  assertEquals(text.code, 0);
  assertIncludes(text.stdout, "Top IPs by suspicious events");
  assertOk(!text.stdout.includes('"kind"'));
  const json = await cli(["--summary", "--json", dir]);
  const data = JSON.parse(json.stdout);
  assertEquals([data.events, data.uniqueIps], [2, 2]);
});

Deno.test("parse with no PATH reads the bundled sample and says so", async () => {
  const { code, stderr } = await cli(["--summary", "--quiet"]);
  assertEquals(code, 0);
  assertEquals(stderr, "");
  const loud = await cli(["--summary"]);
  assertIncludes(loud.stderr, "bundled sample logs");
});

Deno.test("parse exits 1 with a clear message for a missing path or a directory without logs", async () => {
  const missing = await cli(["/nonexistent/logs"]);
  assertEquals(missing.code, 1);
  assertIncludes(missing.stderr, "cannot read /nonexistent/logs: no such file or directory");
  const empty = await cli([await Deno.makeTempDir()]);
  assertEquals(empty.code, 1);
  assertIncludes(empty.stderr, "no logs found in");
});

Deno.test("parse exits 2 for bad options", async (t) => {
  for (
    const args of [["--year", "soon"], ["--timezone", "Mars/Olympus"], ["--bogus"], ["--top", "-1"]]
  ) {
    await t.step(args.join(" "), async () => {
      const { code, stderr } = await cli(args);
      assertEquals(code, 2);
      assertIncludes(stderr, "jailbook parse:");
    });
  }
});

Deno.test("parse reports an unreadable file in a directory and reads the others", async () => {
  const dir = await dirWith({ "auth.log": AUTH, "auth.log.1": AUTH });
  // running as root ignores file modes, so deny the read through Deno's permissions
  const { code, stdout, stderr } = await cli(
    ["--summary", dir],
    [
      "--allow-env",
      `--allow-read=${dir},${new URL("..", import.meta.url).pathname}`,
      `--deny-read=${join(dir, "auth.log.1")}`,
    ],
  );
  assertEquals(code, 0, stderr);
  assertIncludes(stdout, "permission denied");
  assertIncludes(stdout, "unique IPs: 2");
});
