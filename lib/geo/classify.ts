/**
 * Which addresses may be looked up: special-purpose ranges (IANA IPv4 and
 * IPv6 Special-Purpose Address Registries, RFC 6890 and successors) are never
 * sent to any service and are labelled instead.
 *
 * @module
 */
import { isIpv4, normalizeIp, parseIpv6 } from "../logs/ip.ts";
import type { IpClass } from "./types.ts";

/** IPv4 text → unsigned 32-bit number (the text must be a valid IPv4 address). */
export function ipv4ToNumber(ip: string): number {
  let value = 0, part = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      value = value * 256 + part;
      part = 0;
    } else part = part * 10 + (c - 48);
  }
  return value * 256 + part;
}

/** Unsigned 32-bit number → IPv4 text. */
export function numberToIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** IPv4 special ranges: the first address and prefix length, and the class. */
const V4: readonly (readonly [string, number, IpClass])[] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "cgnat"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];
// the same as flat arrays, read by index (a loop that destructures entries is
// several times slower while the code is cold, which it is for all of a run's
// classification): per range the shift 32 − prefix length (8 to 28), and its
// first address shifted right by it
const V4_SHIFT = Int32Array.from(V4, ([, bits]) => 32 - bits);
const V4_PREFIX = Float64Array.from(V4, ([ip, bits]) => ipv4ToNumber(ip) >>> (32 - bits));
const V4_CLASS = V4.map(([, , cls]) => cls);

/** IPv6 special ranges as [first 4 groups prefix, bits, class]. */
const V6: [number[], number, IpClass][] = [
  [[0, 0, 0, 0, 0, 0, 0, 0], 128, "unspecified"],
  [[0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback"],
  [[0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96, "reserved"], // NAT64
  [[0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, "reserved"], // local-use NAT64
  [[0x100, 0, 0, 0, 0, 0, 0, 0], 64, "reserved"], // discard-only
  [[0x2001, 0x2, 0, 0, 0, 0, 0, 0], 48, "benchmarking"],
  [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, "documentation"],
  [[0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, "documentation"],
  [[0x2001, 0, 0, 0, 0, 0, 0, 0], 23, "reserved"], // IETF protocol assignments
  [[0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "private"], // unique local
  [[0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link-local"],
  [[0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast"],
];

function v6Matches(groups: number[], prefix: number[], bits: number): boolean {
  for (let g = 0; g < 8 && bits > 0; g++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((groups[g] & mask) !== (prefix[g] & mask)) return false;
  }
  return true;
}

/**
 * The class of an address (normalised or not).
 *
 * @example
 * ```ts
 * import { classifyIp } from "./classify.ts";
 * classifyIp("10.1.2.3"); // "private"
 * classifyIp("2001:db8::1"); // "documentation"
 * classifyIp("81.2.69.160"); // "public"
 * ```
 */
export function classifyIp(ip: string): IpClass {
  const normal = normalizeIp(ip);
  return normal === undefined ? "invalid" : classifyNormalIp(normal);
}

/**
 * The class of an address already normalised ({@linkcode normalizeIp}'s
 * output): {@linkcode classifyIp} without parsing the text twice.
 */
export function classifyNormalIp(normal: string): IpClass {
  if (isIpv4(normal)) {
    const n = ipv4ToNumber(normal);
    for (let r = 0; r < V4_SHIFT.length; r++) {
      if (n >>> V4_SHIFT[r] === V4_PREFIX[r]) return V4_CLASS[r];
    }
    return "public";
  }
  const groups = parseIpv6(normal);
  if (groups === undefined) return "invalid";
  for (const [prefix, bits, cls] of V6) if (v6Matches(groups, prefix, bits)) return cls;
  // only 2000::/3 is global unicast
  return (groups[0] & 0xe000) === 0x2000 ? "public" : "reserved";
}

/** True when the address may be sent to a geo service. */
export function isLookupable(ip: string): boolean {
  return classifyIp(ip) === "public";
}
