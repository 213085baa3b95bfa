/**
 * Shared by the analyse tests: running `lib/cli/analyse.ts` as a process, and
 * log folders seeded with hostile text.
 *
 * @module
 */
import { join } from "node:path";

/** The analyse command's entry point. */
export const ANALYSE_CLI = new URL("../../lib/cli/analyse.ts", import.meta.url).pathname;

/** What a CLI run printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `deno run … lib/cli/analyse.ts ARGS` (offline, UTC, a private geo cache). */
export async function runAnalyseCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-net",
      "--allow-sys",
      "--allow-ffi",
      ANALYSE_CLI,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
    env: { TZ: "UTC", NO_COLOR: "1", JAILBOOK_CONFIG: "", ...env },
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** User names and web paths an attacker might send to break a report. */
export const HOSTILE_USERNAMES = [
  "<img src=x onerror=alert(1)>",
  "</script><script>alert(2)</script>",
  '"><svg onload=alert(3)>',
  "=cmd|' /C calc'!A0",
  "+SUM(1,2)",
  "-2+3",
  "@SUM(1)",
  "javascript:alert(4)",
  "&lt;b&gt;entity",
  "line\u2028sep",
] as const;

/** Public addresses (so they get a location and a dot on the map). */
const ATTACKERS = ["218.92.0.135", "61.177.172.46", "188.166.54.138"];

/**
 * A log folder with auth.log, fail2ban.log and nginx logs whose user names,
 * paths, user agents and host names are hostile (see {@linkcode HOSTILE_USERNAMES}).
 */
export async function hostileLogs(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "jailbook-hostile-" });
  const auth: string[] = [];
  let second = 0;
  const stamp = () => {
    const s = second++;
    return `Nov 20 10:${String(Math.floor(s / 60) % 60).padStart(2, "0")}:${
      String(s % 60).padStart(2, "0")
    }`;
  };
  HOSTILE_USERNAMES.forEach((user, i) => {
    const ip = ATTACKERS[i % ATTACKERS.length];
    for (let n = 0; n <= i; n++) {
      auth.push(
        `${stamp()} web01 sshd[${100 + i}]: Invalid user ${user} from ${ip} port ${40000 + n}`,
      );
      auth.push(
        `${stamp()} web01 sshd[${
          100 + i
        }]: Failed password for invalid user ${user} from ${ip} port ${40000 + n} ssh2`,
      );
    }
  });
  // a host name with markup in the syslog header
  auth.push(
    `${stamp()} <b>web01</b> sshd[999]: Failed password for root from 218.92.0.135 port 1 ssh2`,
  );
  // and a line that is not a log line at all
  auth.push("this is not a syslog line <script>alert(5)</script>");
  await Deno.writeTextFile(join(dir, "auth.log"), auth.join("\n") + "\n");
  const fail2ban = [
    "2026-11-20 10:30:00,000 fail2ban.actions        [812]: NOTICE  [sshd] Ban 218.92.0.135",
    "2026-11-20 10:40:00,000 fail2ban.actions        [812]: NOTICE  [sshd] Unban 218.92.0.135",
  ];
  await Deno.writeTextFile(join(dir, "fail2ban.log"), fail2ban.join("\n") + "\n");
  await Deno.mkdir(join(dir, "nginx"));
  const access = [
    `188.166.54.138 - - [20/Nov/2026:10:00:00 +0000] "GET /<script>alert(6)</script> HTTP/1.1" 404 153 "-" "\\"><svg onload=alert(7)>"`,
    `188.166.54.138 - <img src=x> [20/Nov/2026:10:00:01 +0000] "GET /admin?q=</script> HTTP/1.1" 401 12 "javascript:alert(8)" "Mozilla/5.0"`,
  ];
  await Deno.writeTextFile(join(dir, "nginx", "access.log"), access.join("\n") + "\n");
  const error = [
    `2026/11/20 10:00:02 [error] 77#77: *1 user "<img src=x onerror=alert(9)>" was not found in "/etc/nginx/.htpasswd", client: 61.177.172.46, server: <b>example.org</b>, request: "GET /private HTTP/1.1", host: "example.org"`,
  ];
  await Deno.writeTextFile(join(dir, "nginx", "error.log"), error.join("\n") + "\n");
  return dir;
}
