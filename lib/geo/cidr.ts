/**
 * CIDR arithmetic on normalised IPv4 and IPv6 addresses.
 *
 * @module
 */
import { formatIpv6, isIpv4, normalizeIp, parseIpv6 } from "../logs/ip.ts";
import { ipv4ToNumber, numberToIpv4 } from "./classify.ts";

/** A parsed network. */
export interface Cidr {
  /** Canonical text, e.g. `81.2.69.160/27` or `2001:db8::/32`. */
  text: string;
  version: 4 | 6;
  bits: number;
}

/**
 * The network of `ip` with a prefix of `bits`, as canonical CIDR text.
 *
 * @example
 * ```ts
 * import { networkOf } from "./cidr.ts";
 * networkOf("23.45.67.89", 24); // "23.45.67.0/24"
 * networkOf("2001:db8:1:2:3::4", 64); // "2001:db8:1:2::/64"
 * ```
 */
export function networkOf(ip: string, bits: number): string {
  if (isIpv4(ip)) {
    if (bits < 0 || bits > 32) throw new RangeError(`IPv4 prefix length must be 0–32, not ${bits}`);
    const n = ipv4ToNumber(ip);
    const size = 2 ** (32 - bits);
    return `${numberToIpv4(Math.floor(n / size) * size)}/${bits}`;
  }
  if (bits < 0 || bits > 128) throw new RangeError(`IPv6 prefix length must be 0–128, not ${bits}`);
  const groups = parseIpv6(ip)?.slice();
  if (!groups) throw new TypeError(`Not an IP address: "${ip}"`);
  for (let g = 0; g < 8; g++) {
    const keep = Math.max(0, Math.min(16, bits - g * 16));
    groups[g] = keep === 0 ? 0 : groups[g] & ((0xffff << (16 - keep)) & 0xffff);
  }
  return `${formatIpv6(groups)}/${bits}`;
}

/** Parse `a.b.c.d/n` or `v6/n` (a bare address is a /32 or /128), or undefined. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const ip = normalizeIp(slash === -1 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  const version = isIpv4(ip) ? 4 : 6;
  const max = version === 4 ? 32 : 128;
  const suffix = text.slice(slash + 1);
  if (slash !== -1 && !/^\d{1,3}$/.test(suffix)) return undefined;
  const bits = slash === -1 ? max : Number(suffix);
  if (bits > max) return undefined;
  return { text: networkOf(ip, bits), version, bits };
}

/** True when `ip` (normalised) lies in `cidr`. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  if ((cidr.version === 4) !== isIpv4(ip)) return false;
  return networkOf(ip, cidr.bits) === cidr.text;
}

/**
 * The smallest list of CIDRs covering an inclusive IPv4 range given as numbers.
 */
export function ipv4RangeToCidrs(start: number, end: number): string[] {
  const out: string[] = [];
  while (start <= end) {
    let bits = 32;
    while (bits > 0) {
      const size = 2 ** (33 - bits);
      if (start % size !== 0 || start + size - 1 > end) break;
      bits--;
    }
    out.push(`${numberToIpv4(start)}/${bits}`);
    start += 2 ** (32 - bits);
  }
  return out;
}

/**
 * A set of networks answering "which of them contains this IP" quickly: one
 * map lookup per prefix length present.
 */
export class NetworkIndex<T> {
  readonly #byBits = new Map<number, Map<string, T>>();
  #lengths: number[] = [];

  /** Add a network (CIDR text) with its value; invalid text is ignored (returns false). */
  add(cidrText: string, value: T): boolean {
    const cidr = parseCidr(cidrText);
    if (!cidr) return false;
    const key = cidr.version * 1000 + cidr.bits;
    let map = this.#byBits.get(key);
    if (!map) {
      map = new Map();
      this.#byBits.set(key, map);
      this.#lengths = [...this.#byBits.keys()].sort((a, b) => b - a); // most specific first
    }
    map.set(cidr.text, value);
    return true;
  }

  /** The value of the most specific network containing `ip`, or undefined. */
  find(ip: string): { network: string; value: T } | undefined {
    const version = isIpv4(ip) ? 4 : 6;
    for (const key of this.#lengths) {
      if (Math.floor(key / 1000) !== version) continue;
      const network = networkOf(ip, key % 1000);
      const value = this.#byBits.get(key)!.get(network);
      if (value !== undefined) return { network, value };
    }
    return undefined;
  }

  get size(): number {
    let n = 0;
    for (const m of this.#byBits.values()) n += m.size;
    return n;
  }
}
