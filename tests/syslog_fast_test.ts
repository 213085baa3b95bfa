/**
 * The byte scanner (lib/logs/syslog_fast.ts) against the reference string
 * parser (lib/logs/syslog.ts): every line must yield the same events, bad
 * reports and skips, and the same damage reports, whichever path it takes.
 * The comparison and the tests every scanner gets are in
 * tests/_scanner_harness.ts; here are the sshd lines and the checks
 * specific to syslog.
 */
import { join } from "node:path";
import { formatIpv6, normalizeIp } from "../lib/logs/ip.ts";
import { createSyslogParser } from "../lib/logs/syslog.ts";
import { SyslogScanner, TEXT_MATCHERS } from "../lib/logs/syslog_fast.ts";
import { SOURCE_SHA256, SyslogWasmScanner } from "../lib/logs/syslog_wasm.ts";
import { decodeBase64, encodeBase64, sha256Hex } from "../lib/logs/wasm_bytes.ts";
import { assertEquals, assertOk } from "./_assert.ts";
import { idCounts } from "./_ids.ts";
import { scannerHarness } from "./_scanner_harness.ts";

const FIXTURES = join(import.meta.dirname!, "fixtures/sshd");
const encoder = new TextEncoder();
/** The TypeScript scanner, and the WebAssembly one in front of it: the same tests for both. */
const SCANNERS = [SyslogScanner, SyslogWasmScanner];
const harnesses = SCANNERS.map((Scanner) =>
  scannerHarness({ createParser: createSyslogParser, Scanner, generatorFlag: "--auth-lines" })
);

const H = "Jan 28 07:01:57 web1 sshd[812]: ";

/** Lines of every message form the scanner reads itself, and of what it passes over. */
const TEMPLATES = [
  `${H}Failed password for root from 192.0.2.1 port 22 ssh2`,
  `${H}Failed password for invalid user admin from 192.0.2.2 port 50273 ssh2`,
  `${H}Failed password for illegal user admin from 192.0.2.2 port 50273 ssh2`,
  `${H}Failed password for root from 192.0.2.1 port 22 ssh2 [preauth]`,
  `${H}Failed password for root from 192.0.2.1 port 22`,
  `${H}Failed password for root from 192.0.2.1`,
  `${H}Failed password for root from 192.0.2.1 port 22 ssh1`,
  `${H}Failed publickey for root from 192.0.2.3 port 22 ssh2: RSA SHA256:abcdefghijklmnop`,
  `${H}Failed publickey for invalid user git from 2001:db8::1 port 22 ssh2: ECDSA SHA256:xyz`,
  `${H}Failed keyboard-interactive/pam for invalid user mysql from 192.0.2.4 port 50771 ssh2`,
  `${H}Failed none for invalid user sol from 192.0.2.5 port 34792 ssh2`,
  `${H}Failed hostbased for root from 192.0.2.5 port 34792 ssh2`,
  `${H}Accepted password for alice from 198.51.100.7 port 50000 ssh2`,
  `${H}Accepted publickey for admin from 198.51.100.8 port 54403 ssh2: ED25519 SHA256:5aDfVOGhh`,
  `${H}Accepted keyboard-interactive/pam for bob from 198.51.100.9 port 1 ssh2`,
  `${H}Invalid user jenkins from 2a02:c207:dcce:ec31::46 port 35201`,
  `${H}Invalid user test from 192.0.2.6`,
  `${H}Illegal user test from 192.0.2.6`,
  `${H}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.7`,
  `${H}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.7  user=root`,
  `${H}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.7 user=root`,
  `${H}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser=bob rhost=192.0.2.7`,
  `${H}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=host.example  user=root`,
  `${H}pam_unix(sshd:auth): check pass; user unknown`,
  `${H}pam_unix(sshd:session): session opened for user root(uid=0) by (uid=0)`,
  `${H}pam_unix(sshd:session): session closed for user root`,
  `${H}PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.8  user=root`,
  `${H}PAM service(sshd) ignoring max retries; 6 > 3`,
  `${H}Connection closed by invalid user jenkins 2a02:c207:dcce:ec31::46 port 35201 [preauth]`,
  `${H}Connection closed by authenticating user root 192.0.2.9 port 49633 [preauth]`,
  `${H}Connection closed by 192.0.2.10 port 13822 [preauth]`,
  `${H}Connection closed by 192.0.2.10 port 13822`,
  `${H}Connection closed by 192.0.2.10 [preauth]`,
  `${H}Connection reset by invalid user office 192.0.2.11 port 49831 [preauth]`,
  `${H}Connection reset by 192.0.2.12 port 53040 [preauth]`,
  `${H}Connection closed by invalid user  192.0.2.13 port 1 [preauth]`,
  `${H}Disconnected from invalid user gpadmin 192.0.2.14 port 39774 [preauth]`,
  `${H}Disconnected from authenticating user root 192.0.2.15 port 1 [preauth]`,
  `${H}Disconnected from 192.0.2.16 port 2 [preauth]`,
  `${H}Disconnected from 192.0.2.16 port 2`,
  `${H}Disconnected from user root 192.0.2.17 port 3`,
  `${H}Disconnecting authenticating user root 192.0.2.18 port 40212: Too many authentication failures [preauth]`,
  `${H}Disconnecting invalid user admin 192.0.2.18 port 40212: Too many authentication failures`,
  `${H}Disconnecting invalid user admin 192.0.2.18 port 1: Change of username or service not allowed: (admin,ssh-connection) -> (root,ssh-connection) [preauth]`,
  `${H}Disconnecting: Too many authentication failures [preauth]`,
  `${H}error: maximum authentication attempts exceeded for root from 192.0.2.19 port 40212 ssh2 [preauth]`,
  `${H}error: maximum authentication attempts exceeded for invalid user a from 192.0.2.19 port 4 ssh2 [preauth]`,
  `${H}Received disconnect from 192.0.2.20 port 39774:3: com.jcraft.jsch.JSchException: Auth fail [preauth]`,
  `${H}Received disconnect from 192.0.2.21 port 36154:11: Bye Bye [preauth]`,
  `${H}Received disconnect from 192.0.2.22 port 5:14: No supported authentication methods available [preauth]`,
  `${H}Received disconnect from 192.0.2.22 port 5:14: No authentication methods available`,
  `${H}Received disconnect from 192.0.2.22 port 5:14: Something else [preauth]`,
  `${H}Received disconnect from 192.0.2.22 port 5:3: no auth fail here [preauth]`,
  `${H}Received disconnect from 2001:db8::5 port 5:11: disconnected by user`,
  `${H}Did not receive identification string from 192.0.2.23 port 54980`,
  `${H}Did not receive identification string from 192.0.2.23`,
  `${H}Bad protocol version identification 'GET / HTTP/1.1' from 192.0.2.24 port 52617`,
  `${H}Bad protocol version identification '\\003' from 192.0.2.25 port 39262`,
  `${H}Bad protocol version identification 'x from 198.51.100.1 port 1' from 192.0.2.26 port 2`,
  `${H}Bad protocol version identification 'SSH-2.0-x' from 192.0.2.26 port 2 x`,
  `${H}Unable to negotiate with 192.0.2.27 port 37730: no matching key exchange method found. Their offer: diffie-hellman-group14-sha1 [preauth]`,
  `${H}Unable to negotiate with 192.0.2.27 port 37730: no matching cipher found [preauth]`,
  `${H}Unable to negotiate with :: port 1: x. Their offer: y`,
  `${H}Unable to negotiate with 2001:db8::: port 1: x`,
  `${H}banner exchange: Connection from 192.0.2.28 port 50000: invalid format`,
  `${H}banner exchange: Connection from 192.0.2.28 port 50000: `,
  `${H}reverse mapping checking getaddrinfo for 190-224-179-238.example [192.0.2.29] failed - POSSIBLE BREAK-IN ATTEMPT!`,
  `${H}reverse mapping checking getaddrinfo for x [y] [192.0.2.30] failed - POSSIBLE BREAK-IN ATTEMPT! [preauth]`,
  `${H}reverse mapping checking getaddrinfo for host [not-an-ip] failed - POSSIBLE BREAK-IN ATTEMPT!`,
  `${H}fatal: Timeout before authentication for 192.0.2.31 port 50000`,
  `${H}fatal: Timeout before authentication for connection from 192.0.2.31 to 203.0.113.1, pid = 123`,
  `${H}error: kex_exchange_identification: Connection closed by remote host`,
  `${H}error: PAM: Authentication failure for illegal user x from 192.0.2.32`,
  `${H}PAM: Authentication failure for root from 192.0.2.33`,
  `${H}User root from 192.0.2.34 not allowed because not listed in AllowUsers`,
  `${H}ROOT LOGIN REFUSED FROM 192.0.2.35`,
  `${H}Address 192.0.2.36 maps to x.example, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!`,
  `${H}Nasty PTR record "1.2.3.4" is set up for 192.0.2.37, ignoring`,
  `${H}refused connect from x.example (192.0.2.38)`,
  `${H}[ID 800047 auth.info] Failed password for root from 192.0.2.39 port 22 ssh2`,
  `${H}Server listening on 0.0.0.0 port 22.`,
  `${H}message repeated 5 times: [ Failed password for root from 192.0.2.40 port 40212 ssh2]`,
  `${H}message repeated 2 times: [ Failed password for invalid user a from 192.0.2.41 port 1 ssh2 [preauth]]`,
  `${H}message repeated 2 times: [ Connection closed by 192.0.2.42 port 1 [preauth]]`,
  `${H}message repeated 2 times: [ Connection closed by 192.0.2.42 port 1]`,
  `${H}message repeated 3 times: [ pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.43  user=root]`,
  `${H}message repeated 3 times: [ pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.43]`,
  `${H}message repeated 2 times: [ Received disconnect from 192.0.2.44 port 1:3: x: Auth fail [preauth]]`,
  `${H}message repeated 2 times: [ Received disconnect from 192.0.2.44 port 1:11: Bye [preauth]]`,
  `${H}message repeated 2 times: [ Failed password for root from 192.0.2.45 port 1 ssh2] [preauth]`,
  `${H}message repeated 2 times: [ message repeated 2 times: [ Failed password for root from 192.0.2.46 port 1 ssh2]]`,
  `${H}message repeated 2 times: [ Failed password for root from 192.0.2.47 port 1 ssh2`,
  `${H}message repeated x times: [ Failed password for root from 192.0.2.48 port 1 ssh2]`,
  `${H}message repeated 2 times: [ Failed publickey for root from 192.0.2.49 port 1 ssh2: RSA x]`,
  "Jan 28 07:01:58 web1 sshd-session[2210]: Failed password for root from 2001:db8::1 port 33112 ssh2",
  "Jan 28 07:01:58 web1 sshd-auth[2211]: Connection closed by 192.0.2.50 port 1",
  "Jan 28 07:01:58 web1 sshd-auth[2211]: Disconnected from 192.0.2.50 port 1",
  "Jan 28 07:01:58 web1 /usr/sbin/sshd[1]: Failed password for root from 192.0.2.51 port 1 ssh2",
  "Jan 28 07:01:58 web1 sshd: Failed password for root from 192.0.2.52 port 1 ssh2",
  "Jan 28 07:01:58 web1 sshd[12345678901]: Failed password for root from 192.0.2.53 port 1 ssh2",
  // pids of 8 and 9 digits (the module reads eight digits at a time), and 10
  "Jan 28 07:01:58 web1 sshd[12345678]: Failed password for root from 192.0.2.53 port 1 ssh2",
  "Jan 28 07:01:58 web1 sshd[123456789]: Failed password for root from 192.0.2.53 port 1 ssh2",
  "Jan 28 07:01:58 web1 sshd[1234567890]: Failed password for root from 192.0.2.53 port 1 ssh2",
  "Jan 28 07:01:58 web1 sshd[1]:Failed password for root from 192.0.2.54 port 1 ssh2",
  "Jan 28 07:01:58 web1 sshd[1] Failed password for root from 192.0.2.54 port 1 ssh2",
  "Jan 28 07:01:58 web1 sshdx[1]: Failed password for root from 192.0.2.55 port 1 ssh2",
  "Jan 28 07:01:58 web1 systemd-logind[1]: New session 1 of user root.",
  "Jan 28 07:01:58 web1 sudo:     root : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/bin/true",
  "Jan 28 07:01:58 web1 su[12]: pam_unix(su:session): session opened for user root",
  "Jan 28 07:01:58 web1 CRON[1344]: pam_unix(cron:session): session closed for user root",
  "Jan 28 07:01:58 web2 sshd[1]: Failed password for root from 192.0.2.56 port 1 ssh2",
  "Jan 28 07:01:58 w sshd[1]: Failed password for root from 192.0.2.57 port 1 ssh2",
  "Jan 28 07:01:58 ab sshd[1]: Failed password for root from 192.0.2.57 port 1 ssh2",
  "Jan 28 07:01:58 host: sshd[1]: Failed password for root from 192.0.2.58 port 1 ssh2",
  "Nov 23 21:50:19 sshd[8148]: Failed password for root from 192.0.2.59 port 1 ssh2",
  "Jan  2 07:01:58 web1 sshd[1]: Failed password for root from 192.0.2.60 port 1 ssh2",
  "Jan 02 07:01:58 web1 sshd[1]: Failed password for root from 192.0.2.60 port 1 ssh2",
  "Feb 29 23:59:60 web1 sshd[1]: Failed password for root from 192.0.2.61 port 1 ssh2",
  "Feb 31 07:01:58 web1 sshd[1]: Failed password for root from 192.0.2.62 port 1 ssh2",
  "Feb  7 16:01:07 web1 sshd[1]: Failed password for root from 192.0.2.63 port 1 ssh2",
  "Feb 7 16:01:07 web1 sshd[1]: Failed password for root from 192.0.2.63 port 1 ssh2",
  "Jan 28 07:01:57.123456 web1 sshd[1]: Failed password for root from 192.0.2.64 port 1 ssh2",
  "Jan 28 07:01:61 web1 sshd[1]: Failed password for root from 192.0.2.65 port 1 ssh2",
  "Jan 28 24:01:58 web1 sshd[1]: Failed password for root from 192.0.2.65 port 1 ssh2",
  "jan 28 07:01:58 web1 sshd[1]: Failed password for root from 192.0.2.66 port 1 ssh2",
  "<38>Jan 28 07:01:58 web1 sshd[1]: Failed password for root from 192.0.2.67 port 1 ssh2",
  "2024-01-28T07:01:57.123456+01:00 web1 sshd[1]: Failed password for root from 192.0.2.68 port 1 ssh2",
  "2024-01-28T07:01:57+0100 web1 sshd-session[1]: Invalid user a from 192.0.2.69 port 1",
  "-- Boot 0123456789abcdef --",
  "-- No entries --",
  "-- something",
  "    continuation of a journal message",
  "",
  " ",
  "garbage",
  "# a comment",
];

/** Lines meant to trip the scanner: odd users, addresses, spacing, bytes. */
const ADVERSARIAL: (string | Uint8Array)[] = [
  `${H}Failed password for invalid user test from 198.51.100.1 port 55555 ssh2 from 203.0.113.10 port 58946 ssh2`,
  `${H}Failed password for from from 192.0.2.70 port 1 ssh2`,
  `${H}Failed password for invalid user from 192.0.2.71 port 1 ssh2`,
  `${H}Failed password for invalid user  from 192.0.2.72 port 41000 ssh2`,
  `${H}Failed password for ad min from 192.0.2.73 port 22 ssh2`,
  `${H}Failed password for root from 192.0.2.74 port 22 ssh2 `,
  `${H}Failed password for root from 192.0.2.74 port 22 ssh2\r`,
  `${H}Failed password for root from 192.0.2.74 port 22 ssh2\t`,
  `${H}Failed password for root\tx from 192.0.2.75 port 22 ssh2`,
  `${H}Failed password for root from 192.0.2.76 port 022 ssh2`,
  `${H}Failed password for root from 192.0.2.76 port 00000022 ssh2`,
  `${H}Failed password for root from 192.0.2.76 port 65536 ssh2`,
  `${H}Failed password for root from 192.0.2.76 port 65535 ssh2`,
  `${H}Failed password for root from 192.0.2.76 port 99999 ssh2`,
  `${H}Failed password for root from 192.0.2.76 port 000009 ssh2`,
  `${H}Failed password for root from 192.0.2.76 port 7`,
  `${H}Failed password for root from 192.0.2.76 port  ssh2`,
  `${H}Failed password for root from 192.0.2.76 port 22 ssh22`,
  `${H}Failed password for root from 192.0.2.76 port 22 sshx`,
  `${H}Failed password for root from 010.000.002.077 port 22 ssh2`,
  `${H}Failed password for root from ::ffff:192.0.2.78 port 22 ssh2`,
  `${H}Failed password for root from ::FFFF:192.0.2.78 port 22 ssh2`,
  `${H}Failed password for root from 2001:DB8:0:1:0:0:0:5 port 22 ssh2`,
  `${H}Failed password for root from fe80::1%eth0 port 22 ssh2`,
  `${H}Failed password for root from [2001:db8::9] port 22 ssh2`,
  `${H}Failed password for root from 1.2.3 port 22 ssh2`,
  `${H}Failed password for root from 1.2.3.4.5 port 22 ssh2`,
  `${H}Failed password for root from 256.1.1.1 port 22 ssh2`,
  `${H}Failed password for root from host.example port 22 ssh2`,
  `${H}Failed password for root from deadbeef port 22 ssh2`,
  `${H}Failed password for root from :: port 22 ssh2`,
  `${H}Failed password for root from 192.0.2.79: port 22 ssh2`,
  `${H}Failed password for root from 192.0.2.80 port 22 ssh2: x from 192.0.2.81 port 1 ssh2`,
  `${H}Failed password for root from 192.0.2.80 port 22 ssh2: x from y`,
  `${H}Failed publickey for root from 192.0.2.82 port 22 ssh2: RSA from SHA256:x`,
  `${H}Failed publickey for root from 192.0.2.82 port 22 ssh2:`,
  `${H}Failed publickey for root from 192.0.2.82 port 22 ssh2: `,
  `${H}Failed publickey for root from 192.0.2.82 port 22 ssh2: RSA x [preauth]`,
  `${H}Failed keyboard-interactive for root from 192.0.2.83 port 22 ssh2`,
  `${H}Failed keyboard-interactivex for root from 192.0.2.83 port 22 ssh2`,
  `${H}Failed keyboard for root from 192.0.2.83 port 22 ssh2`,
  `${H}Failed  for root from 192.0.2.83 port 22 ssh2`,
  `${H}Failed password  for root from 192.0.2.83 port 22 ssh2`,
  `${H}Failed none for invalid user a from 192.0.2.84 port 1 ssh2`,
  `${H}Failed none for illegal user a from 192.0.2.84 port 1 ssh2`,
  `${H}Accepted none for invalid user a from 192.0.2.84 port 1 ssh2`,
  `${H}Accepted keyboard-interactive/pam for invalid user a from 192.0.2.84 port 1 ssh2`,
  `${H}Invalid user a b from 192.0.2.85 port 1`,
  `${H}Invalid user a from 192.0.2.85 port 1 from 192.0.2.86 port 2`,
  `${H}Invalid user a from 192.0.2.85 port 1: x`,
  `${H}Invalid user  from 192.0.2.85`,
  `${H}Invalid user`,
  `${H}Invalid user `,
  `${H}Connection closed by invalid user a b 192.0.2.87 port 1 [preauth]`,
  `${H}Connection closed by invalid user 192.0.2.87 port 1 [preauth]`,
  `${H}Connection closed by invalid user a 192.0.2.87 port 1  [preauth]`,
  `${H}Connection closed by invalid user a 192.0.2.87 port 1 [preauth] `,
  `${H}Connection closed by invalid user a 192.0.2.87 port 123456 [preauth]`,
  `${H}Connection closed by invalid user a 192.0.2.87: port 1 [preauth]`,
  `${H}Connection closed by invalid user a host.example port 1 [preauth]`,
  `${H}Connection closed by 192.0.2.88 port 1 [preauth]x`,
  `${H}Connection closed by  192.0.2.88 port 1 [preauth]`,
  `${H}Connection closed by port 1 [preauth]`,
  `${H}Disconnected from invalid user a 192.0.2.89 port 1`,
  `${H}Disconnected from userx 192.0.2.89 port 1 [preauth]`,
  `${H}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.90  user=a b`,
  `${H}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.90  user=`,
  `${H}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.90  user=root [preauth]`,
  `${H}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.90 `,
  `${H}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=`,
  `${H}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=::ffff:192.0.2.91`,
  `${H}pam_unix(sshd:auth): check pass; user unknown `,
  `${H}pam_unix(sshd:auth): check pass; user unknown x:auth): authentication failure; rhost=192.0.2.92`,
  `${H}pam_unix(sshd:session): session opened for user x:auth): authentication failure; rhost=192.0.2.92`,
  `${H}pam_unix(sshd:session): session opened for user x(uid=1) by (uid=0)\r`,
  `${H}pam_unix(sshd:session): session closed for user ü`,
  `${H}pam_unix(sshd:session): session `,
  `${H}pam_unix(sshd:session): sessio`,
  `${H}Received disconnect from 192.0.2.93 port 1:3: Auth fail`,
  `${H}Received disconnect from 192.0.2.93 port 1: 3: Auth fail`,
  `${H}Received disconnect from 192.0.2.93 port 1:03: x: Auth fail`,
  `${H}Received disconnect from 192.0.2.93 port 1:3:Auth fail`,
  `${H}Received disconnect from 192.0.2.93 port 1:3: x: Auth fail  [preauth]  `,
  `${H}Received disconnect from 192.0.2.93 port 1:1234567890: x`,
  `${H}Received disconnect from 192.0.2.93 port 1:12345678: x`,
  `${H}Received disconnect from 192.0.2.93 port 1:123456789: x`,
  `${H}Received disconnect from 192.0.2.93 port 1:000000003: x: Auth fail`,
  `${H}Received disconnect from 192.0.2.93:11: x`,
  `${H}Received disconnect from 192.0.2.93 port 1`,
  `${H}Received disconnect from 2001:db8:: port 1:3: x: Auth fail`,
  `${H}Received disconnect from :: port 1:3: x: Auth fail`,
  `${H}Did not receive identification string from 192.0.2.94 port 1 [preauth]`,
  `${H}Did not receive identification string from 192.0.2.94 x`,
  `${H}Did not receive identification string from unknown`,
  `${H}Bad protocol version identification '' from 192.0.2.95`,
  `${H}Bad protocol version identification ' from 192.0.2.95`,
  `${H}Bad protocol version identification from 192.0.2.95 port 1`,
  `${H}Bad protocol version identification 'x' from 192.0.2.95 port 1 from`,
  `${H}Unable to negotiate with 192.0.2.96 port 1: x. Their offer: y. Their offer: z`,
  `${H}Unable to negotiate with 192.0.2.96 port 1:. Their offer: y`,
  `${H}Unable to negotiate with 192.0.2.96 port 1`,
  `${H}Unable to negotiate with 192.0.2.96: no port`,
  `${H}banner exchange: Connection from 192.0.2.97 port 1:`,
  `${H}reverse mapping checking getaddrinfo for h [192.0.2.98] failed`,
  `${H}reverse mapping checking getaddrinfo for h [192.0.2.98]failed`,
  `${H}reverse mapping checking getaddrinfo for [192.0.2.98] failed`,
  `${H}reverse mapping checking getaddrinfo for h [] failed`,
  `${H}reverse mapping checking getaddrinfo for h [[2001:db8::1]] failed`,
  `${H}Disconnecting invalid user a 192.0.2.99 port 1: Too many authentication failures x`,
  `${H}Disconnecting invalid user a 192.0.2.99: Too many authentication failures`,
  `${H}Disconnecting invalid user a b 192.0.2.99 port 1: Too many authentication failures`,
  `${H}maximum authentication attempts exceeded for a b from 192.0.2.100 port 1 ssh2`,
  `${H}error: error: Failed password for root from 192.0.2.101 port 1 ssh2`,
  `${H}error:  Failed password for root from 192.0.2.101 port 1 ssh2`,
  `${H}fatal: Timeout before authentication for 192.0.2.102`,
  `${H}PAM: PAM: Authentication failure for x from 192.0.2.103`,
  `${H}message repeated 2 times: [Failed password for root from 192.0.2.104 port 1 ssh2]`,
  `${H}message repeated 2 times: [  Failed password for root from 192.0.2.104 port 1 ssh2]`,
  `${H}message repeated 2 times: [ Failed password for root from 192.0.2.104 port 1 ssh2] `,
  `${H}message repeated 2 times: [ Failed password for root] from 192.0.2.104 port 1 ssh2]`,
  `${H}message repeated 2 times: [ Failed password for root from 192.0.2.104 port 1 ssh2]]`,
  `${H}message repeated 2 times: [ ]`,
  `${H}message repeated 2 times: [`,
  `${H}message repeated 1234567890 times: [ Failed password for root from 192.0.2.104 port 1 ssh2]`,
  `${H}message repeated 12345678 times: [ Failed password for root from 192.0.2.104 port 1 ssh2]`,
  `${H}message repeated 123456789 times: [ Failed password for root from 192.0.2.104 port 1 ssh2]`,
  `${H}message repeated 2 times: [ Invalid user a from 192.0.2.104]`,
  `${H}message repeated 2 times: [ Disconnected from user a 192.0.2.104 port 1]`,
  `${H}`,
  `${H} `,
  `${H}  [preauth]`,
  `${H}error:  [preauth]`,
  "Jan 28 07:01:58  web1 sshd[1]: Failed password for root from 192.0.2.105 port 1 ssh2",
  "Jan 28 07:01:58 web1  sshd[1]: Failed password for root from 192.0.2.105 port 1 ssh2",
  "Jan 28 07:01:58\tweb1 sshd[1]: Failed password for root from 192.0.2.105 port 1 ssh2",
  "Jan 28 07:01:58 web1\tsshd[1]: Failed password for root from 192.0.2.105 port 1 ssh2",
  "Jan 28 07:01:58 : sshd[1]: Failed password for root from 192.0.2.105 port 1 ssh2",
  "Jan 28 07:01:58 web1",
  "Jan 28 07:01:58 web1 ",
  "Jan 28 07:01:58 ",
  "Jan 28 07:01:58",
  "Jan 28 07:01",
  `${H.slice(0, 16)}web1 ${"s".repeat(200)}: x`,
  `${H.slice(0, 16)}web1 s${"x".repeat(126)}`,
  `Jan 28 07:01:57 web1 sshd[812]: Failed password for ${
    "u".repeat(2000)
  } from 192.0.2.106 port 1 ssh2`,
  `Jan 28 07:01:57 web1 sshd[812]: Failed password for invalid user ${
    "a b ".repeat(500)
  }from 192.0.2.107 port 1 ssh2`,
  `Jan 28 07:01:57 web1 sshd[812]: Connection closed by invalid user ${
    "v".repeat(2000)
  } 192.0.2.108 port 1 [preauth]`,
  `Jan 28 07:01:57 web1 sshd[812]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.109  user=${
    "w".repeat(2000)
  }`,
  `Jan 28 07:01:57 ${
    "h".repeat(300)
  } sshd[812]: Failed password for root from 192.0.2.110 port 1 ssh2`,
  "Jan 28 07:01:57 web1 sshd[812]: Failed password for invalid user jürgen from 192.0.2.111 port 1 ssh2",
  "Jan 28 07:01:57 web1 sshd[812]: Failed password for invalid user 管理员 from 192.0.2.112 port 1 ssh2",
  "Jan 28 07:01:57 wéb1 sshd[812]: Failed password for root from 192.0.2.113 port 1 ssh2",
  "\uFEFFJan 28 07:01:57 web1 sshd[812]: Failed password for root from 192.0.2.114 port 1 ssh2",
  "Jan 28 07:01:57 web1 sshd[812]: Failed password for invalid user \u007f from 192.0.2.115 port 1 ssh2",
  "Jan 28 07:01:57 web1 sshd[812]: Failed password for invalid user \u0001 from 192.0.2.115 port 1 ssh2",
  new Uint8Array([
    ...encoder.encode(`${H}Failed password for b`),
    0xff,
    ...encoder.encode(" from 192.0.2.116 port 1 ssh2"),
  ]),
  new Uint8Array([
    ...encoder.encode(`${H}Failed password for b`),
    0,
    ...encoder.encode(" from 192.0.2.117 port 1 ssh2"),
  ]),
  new Uint8Array([
    ...encoder.encode(`${H}Failed password for root from 192.0.2.118 port 1 ssh2`),
    0,
  ]),
  new Uint8Array([
    0,
    0,
    0,
    0,
    ...encoder.encode(`${H}Failed password for root from 192.0.2.119 port 1 ssh2`),
  ]),
  new Uint8Array([
    ...encoder.encode(`${H}Received disconnect from 192.0.2.120 port 1:11: `),
    0xc3,
    0x28,
  ]),
  new Uint8Array([...encoder.encode(`${H}pam_unix(sshd:auth): check pass; user unknown`), 0]),
  new Uint8Array([...encoder.encode("Jan 28 07:01:57 web1 CRON[1]: "), 0xff, 0xfe]),
  new Uint8Array([...encoder.encode("Jan 28 07:01:57 web1 sshd[1"), 0, ...encoder.encode("]: x")]),
  new Uint8Array([0xff, 0xfe, 0x00, 0x01, 0x9c]),
];
for (const [n, harness] of harnesses.entries()) {
  harness.testSharedCases({
    textMatchers: n === 0 ? TEXT_MATCHERS : [],
    templates: TEMPLATES,
    templatesName: "message templates",
    adversarial: ADVERSARIAL,
    damagePieces: [" from ", " port ", " [preauth]"],
    aroundLongLines: [
      TEMPLATES[0],
      `${H}Failed password for ${"x".repeat(5000)} from 192.0.2.1 port 1 ssh2`,
      TEMPLATES[1],
      "y".repeat(3000),
      TEMPLATES[2],
    ],
  });
}

for (const [n, harness] of harnesses.entries()) {
  const name = SCANNERS[n].name;
  Deno.test(`${name} agrees with createSyslogParser() on every sshd fixture line`, async () => {
    for (const file of ["auth.log", "secure", "journal-short-iso.log"]) {
      const bytes = await Deno.readFile(join(FIXTURES, file));
      const expected = harness.checkBytes(bytes);
      assertOk(expected.outcomes.some((o) => "emit" in o), `${file} has events`);
      await harness.checkFromFile(bytes, expected, 333);
    }
  });

  Deno.test(`${name} agrees with createSyslogParser() on a generated auth.log (200k lines)`, async () => {
    const bytes = await harness.generatedLog(200_000);
    const withIdsBefore = idCounts.withIpId;
    const moduleBefore = SyslogWasmScanner.moduleEvents;
    const expected = harness.checkBytes(bytes);
    assertEquals(expected.lines, 200_000);
    // nearly every event of a generated log comes from the fast path, with ids to cache by
    assertOk(idCounts.withIpId - withIdsBefore > 100_000);
    const events = expected.outcomes.filter((o) => "emit" in o).length;
    assertOk(events > 100_000);
    if (SCANNERS[n] === SyslogWasmScanner) {
      // and from the WebAssembly module, not its fallback
      const fromModule = SyslogWasmScanner.moduleEvents - moduleBefore;
      assertOk(fromModule > 0.9 * events, `${fromModule} of ${events} events from the module`);
    }
    await harness.checkFromFile(bytes, expected, 1 << 16);
  });
}

Deno.test("the embedded WebAssembly scanner was built from wasm/syslog_scan.rs (deno task wasm)", async () => {
  const source = await Deno.readFile(join(import.meta.dirname!, "../wasm/syslog_scan.rs"));
  assertEquals(await sha256Hex(source), SOURCE_SHA256);
});

Deno.test("SyslogWasmScanner reads IPv6 addresses as normalizeIp writes them, canonical ones without asking", () => {
  // 8 groups, zero runs of every length, in every way of writing them
  let state = 20261121;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const hex = (v: number) => v.toString(16);
  const forms: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const groups = Array.from({ length: 8 }, () => {
      const r = next();
      return r < 0.45
        ? 0
        : r < 0.5
        ? 0xffff
        : r < 0.6
        ? Math.floor(next() * 16)
        : Math.floor(next() * 65536);
    });
    if (i % 50 === 0) groups.splice(0, 6, 0, 0, 0, 0, 0, 0xffff); // IPv4-mapped
    const canonical = formatIpv6(groups);
    forms.push(canonical);
    // another run (or none) compressed, leading zeros, upper case, no compression
    const start = Math.floor(next() * 8), end = start + 1 + Math.floor(next() * (8 - start));
    const text = groups.map((g, k) => (k === 1 && i % 3 === 0 ? hex(g).padStart(4, "0") : hex(g)));
    if (groups.slice(start, end).every((g) => g === 0)) {
      forms.push(`${text.slice(0, start).join(":")}::${text.slice(end).join(":")}`);
    }
    forms.push(text.join(":"));
    if (i % 7 === 0) forms.push(canonical.toUpperCase());
  }
  forms.push(
    "::",
    "::1",
    "1::",
    "0::1",
    "1::0",
    "::0:1",
    "1:0::2",
    "1::0:2",
    "1:0:0:2::3",
    "1::2:0:0:3",
  );
  forms.push(
    "1:2:3:4:5:6:7::",
    "::2:3:4:5:6:7:8",
    "1:2:3:4:5:6::8",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
  );
  forms.push(
    "12345::1",
    "g::1",
    "1:::2",
    ":1::2",
    "1::2:",
    "::ffff:1.2.3.4",
    "fe80::1%eth0",
    "[::1]",
  );
  const harness = harnesses[SCANNERS.indexOf(SyslogWasmScanner)];
  const lines = forms.map((ip, k) => `${H}Failed password for u${k % 9} from ${ip} port 22 ssh2`);
  const needs = SyslogWasmScanner.needs;
  harness.checkBytes(encoder.encode(lines.join("\n") + "\n"));
  // each address not as normalizeIp writes it is asked once (the module knows it after)
  const other = new Set(forms.filter((ip) => normalizeIp(ip) !== ip)).size;
  assertEquals(SyslogWasmScanner.needs - needs, other);
  assertOk(other > 1000 && new Set(forms).size - other > 2000);
});

Deno.test("SyslogWasmScanner agrees with createSyslogParser() past the size of its tables", async () => {
  // 140,000 addresses and user names: each table of the module doubles up to its
  // largest size (65,536 values) and then starts over, twice
  const lines: string[] = [];
  for (let i = 0; i < 140_000; i++) {
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    lines.push(`${H}Failed password for invalid user u${i} from ${ip} port ${i % 65536} ssh2`);
    if (i % 7 === 0) lines.push(`${H}Connection closed by ${ip} port 22 [preauth]`);
  }
  const harness = harnesses[SCANNERS.indexOf(SyslogWasmScanner)];
  const bytes = encoder.encode(lines.join("\n") + "\n");
  const before = SyslogWasmScanner.moduleEvents;
  const expected = harness.checkBytes(bytes);
  assertEquals(expected.outcomes.filter((o) => "emit" in o).length, 160_000);
  assertOk(SyslogWasmScanner.moduleEvents - before >= 160_000);
  await harness.checkFromFile(bytes, expected, 1 << 18);
});

Deno.test("decodeBase64() gives back what encodeBase64() was given", () => {
  const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) & 255);
  assertEquals(decodeBase64(encodeBase64(bytes)), bytes);
  assertEquals(decodeBase64(""), new Uint8Array(0));
  assertEquals(decodeBase64(encodeBase64(Uint8Array.of(1, 2))), Uint8Array.of(1, 2));
  // and without Uint8Array.fromBase64
  const typed = Uint8Array as unknown as { fromBase64?: unknown };
  const native = typed.fromBase64;
  delete typed.fromBase64;
  try {
    assertEquals(decodeBase64(encodeBase64(bytes)), bytes);
  } finally {
    if (native !== undefined) typed.fromBase64 = native;
  }
});
