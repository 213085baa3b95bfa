import { join } from "node:path";
import { discoverLogs, orderRotations, parseRotation } from "../lib/logs/discover.ts";
import type { LogFile } from "../lib/logs/discover.ts";
import { LINE_FORMAT_NAMES, sniffFormat } from "../lib/logs/formats.ts";
import { assertEquals, assertIncludes, assertOk } from "./_assert.ts";

Deno.test("parseRotation() recognises Debian and CentOS rotation suffixes", async (t) => {
  const cases: [string, ReturnType<typeof parseRotation>][] = [
    ["auth.log", { base: "auth.log", gzip: false, rotation: { kind: "current", n: 0 } }],
    ["auth.log.1", { base: "auth.log", gzip: false, rotation: { kind: "numbered", n: 1 } }],
    ["auth.log.10.gz", { base: "auth.log", gzip: true, rotation: { kind: "numbered", n: 10 } }],
    ["secure-20240107", { base: "secure", gzip: false, rotation: { kind: "dated", n: 20240107 } }],
    ["secure-20240114.gz", {
      base: "secure",
      gzip: true,
      rotation: { kind: "dated", n: 20240114 },
    }],
    ["access_log-2024011412", {
      base: "access_log",
      gzip: false,
      rotation: { kind: "dated", n: 20240114 },
    }],
  ];
  for (const [name, want] of cases) {
    await t.step(name, () => assertEquals(parseRotation(name), want));
  }
});

function fake(path: string, mtime = 0): LogFile {
  const name = path.split("/").pop()!;
  const { base, gzip, rotation } = parseRotation(name);
  return {
    path,
    format: "syslog",
    group: path.slice(0, path.lastIndexOf("/") + 1) + base,
    rotation,
    gzip,
    size: 1,
    mtime: new Date(mtime),
    formatBy: "name",
  };
}

Deno.test("orderRotations() reads .10.gz before .9.gz and the current file last", () => {
  const names = [
    "auth.log",
    "auth.log.1",
    "auth.log.2.gz",
    "auth.log.9.gz",
    "auth.log.10.gz",
    "auth.log.11.gz",
  ];
  const ordered = orderRotations(names.map((n) => fake(`/l/${n}`)));
  assertEquals(ordered.map((f) => f.path.slice(3)), [
    "auth.log.11.gz",
    "auth.log.10.gz",
    "auth.log.9.gz",
    "auth.log.2.gz",
    "auth.log.1",
    "auth.log",
  ]);
});

Deno.test("orderRotations() orders dated rotations by date and mixed sets by mtime", () => {
  const dated = orderRotations(
    ["secure", "secure-20240121.gz", "secure-20240107", "secure-20240114.gz"].map((n) =>
      fake(`/l/${n}`)
    ),
  );
  assertEquals(dated.map((f) => f.path.slice(3)), [
    "secure-20240107",
    "secure-20240114.gz",
    "secure-20240121.gz",
    "secure",
  ]);
  const mixed = orderRotations([
    fake("/l/secure", 40),
    fake("/l/secure.1", 30),
    fake("/l/secure-20240107", 10),
    fake("/l/secure-20240114", 20),
  ]);
  assertEquals(mixed.map((f) => f.path.slice(3)), [
    "secure-20240107",
    "secure-20240114",
    "secure.1",
    "secure",
  ]);
});

Deno.test("discoverLogs() finds the logs of a /var/log-like tree and ignores the rest", async () => {
  const dir = await Deno.makeTempDir();
  const write = (p: string, text: string) => Deno.writeTextFile(join(dir, p), text);
  await Deno.mkdir(join(dir, "nginx"));
  await Deno.mkdir(join(dir, "apt"));
  await write("auth.log", "Jan  5 07:01:57 host sshd[1]: Invalid user a from 192.0.2.1 port 22\n");
  await write(
    "auth.log.1",
    "Jan  4 07:01:57 host sshd[1]: Invalid user a from 192.0.2.1 port 22\n",
  );
  await write(
    "fail2ban.log",
    "2024-01-28 07:01:57,512 fail2ban.actions        [1224]: NOTICE  [sshd] Ban 192.0.2.1\n",
  );
  await write("syslog", "Jan  5 07:01:57 host kernel: hello\n");
  await write("apt/history.log", "Start-Date: 2024-01-01\n");
  await write(
    "nginx/access.log",
    '192.0.2.1 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/8"\n',
  );
  await write("nginx/error.log", "");
  const { files, problems } = await discoverLogs([dir]);
  assertEquals(files.map((f) => [f.path.slice(dir.length + 1), f.format]), [
    ["auth.log.1", "syslog"],
    ["auth.log", "syslog"],
    ["fail2ban.log", "fail2ban"],
    ["nginx/access.log", "http-access"],
    ["nginx/error.log", "http-error"],
  ]);
  assertEquals(problems.map((p) => [p.path.slice(dir.length + 1), p.reason]), [[
    "nginx/error.log",
    "empty file",
  ]]);
});

Deno.test("discoverLogs() recognises an explicitly named file by its content", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "copied-from-server.txt");
  await Deno.writeTextFile(
    path,
    "2024-01-28 07:01:57,512 fail2ban.actions        [1224]: NOTICE  [sshd] Ban 192.0.2.1\n",
  );
  const { files } = await discoverLogs([path]);
  assertEquals(files.map((f) => [f.format, f.formatBy]), [["fail2ban", "content"]]);
});

Deno.test("discoverLogs() reports missing paths and unknown explicit files", async () => {
  const dir = await Deno.makeTempDir();
  const junk = join(dir, "junk.bin");
  await Deno.writeFile(junk, new Uint8Array([0, 1, 2, 3, 255, 254, 10, 200, 201]));
  const { files, problems } = await discoverLogs([join(dir, "missing"), junk]);
  assertEquals(files, []);
  assertEquals(problems[0].reason, "no such file or directory");
  assertIncludes(problems[1].reason, "not a log format jailbook knows");
});

Deno.test("discoverLogs() recognises a whole saved 'fail2ban-client status sshd' output by content", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "status-sshd.out");
  await Deno.writeTextFile(
    path,
    [
      "Status for the jail: sshd",
      "|- Filter",
      "|  |- Currently failed:\t2",
      "|  |- Total failed:\t125",
      "|  `- File list:\t/var/log/auth.log",
      "`- Actions",
      "   |- Currently banned:\t2",
      "   |- Total banned:\t40",
      "   `- Banned IP list:\t192.0.2.1 2001:db8::5",
    ].join("\n") + "\n",
  );
  const { files } = await discoverLogs([path]);
  assertEquals(files.map((f) => f.format), ["fail2ban-status"]);
});

Deno.test("sniffFormat(): a format that recognises every line is the one trying them all finds", async () => {
  // (discovery tries the format a file's name says, or syslog, first, and
  // loads the other parsers only when that one misses a line)
  const root = join(import.meta.dirname!, "..");
  const files = [
    "tests/fixtures/fail2ban/blacklist.csv",
    "tests/fixtures/fail2ban/fail2ban.log",
    "tests/fixtures/fail2ban/status-sshd.txt",
    "tests/fixtures/http/access.log",
    "tests/fixtures/http/apache-error.log",
    "tests/fixtures/http/nginx-error.log",
    "tests/fixtures/journal/sshd.json",
    "tests/fixtures/sshd/auth.log",
    "tests/fixtures/sshd/journal-short-iso.log",
    "tests/fixtures/sshd/secure",
    "data/sample/auth.log",
    "data/sample/fail2ban.log",
  ];
  let shortcuts = 0;
  for (const file of files) {
    const lines = (await Deno.readTextFile(join(root, file))).split("\n").filter((l) => l.trim());
    // windows of 50 lines (what discovery reads), and single lines
    const heads = [
      ...Array.from(
        { length: Math.ceil(lines.length / 50) },
        (_, i) => lines.slice(i * 50, i * 50 + 50),
      ),
      ...lines.map((l) => [l]),
    ];
    for (const head of heads) {
      const full = await sniffFormat(head);
      for (const likely of LINE_FORMAT_NAMES) {
        assertEquals(await sniffFormat(head, likely), full, `${file}: ${likely}: ${head[0]}`);
      }
      if (full !== undefined) shortcuts++;
    }
  }
  assertOk(shortcuts > 500);
});
