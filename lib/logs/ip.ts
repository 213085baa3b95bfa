/**
 * IP address recognition and normalisation, without regular expressions on the
 * hot path.
 *
 * - `::ffff:1.2.3.4` (IPv4-mapped IPv6) becomes `1.2.3.4`.
 * - IPv6 is written in the RFC 5952 canonical form: lower case, leading zeros
 *   dropped, the longest run of zero groups compressed to `::`.
 * - A zone index (`fe80::1%eth0`) is dropped.
 *
 * @module
 */

/**
 * Normalise an IPv4 or IPv6 address, or return `undefined` when `text` is not
 * one.
 *
 * @example
 * ```ts
 * import { normalizeIp } from "./ip.ts";
 * normalizeIp("::FFFF:192.0.2.7"); // "192.0.2.7"
 * normalizeIp("2001:DB8:0:0:0::1"); // "2001:db8::1"
 * normalizeIp("example.org"); // undefined
 * ```
 */
export function normalizeIp(text: string): string | undefined {
  if (text.length === 0 || text.length > 60) return undefined;
  if (text.charCodeAt(0) === 91 /* [ */ && text.charCodeAt(text.length - 1) === 93) {
    text = text.slice(1, -1);
  }
  if (text.indexOf(":") === -1) return isIpv4(text) ? canonicalIpv4(text) : undefined;
  const zone = text.indexOf("%");
  if (zone !== -1) text = text.slice(0, zone);
  const groups = parseIpv6(text);
  if (groups === undefined) return undefined;
  // IPv4-mapped ::ffff:a.b.c.d
  if (
    groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 &&
    groups[4] === 0 && groups[5] === 0xffff
  ) {
    return `${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
  }
  return formatIpv6(groups);
}

/** True when `text` is a dotted-quad IPv4 address (no leading `+`, 0–255 each). */
export function isIpv4(text: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else if (c === 46 /* . */) {
      if (digits === 0) return false;
      parts++;
      digits = 0;
      value = 0;
    } else return false;
  }
  return parts === 3 && digits > 0;
}

/** Drop leading zeros: `010.001.002.003` → `10.1.2.3`. */
function canonicalIpv4(text: string): string {
  // fast path: no leading zeros anywhere
  let clean = true;
  for (let i = 0; i < text.length - 1; i++) {
    if (
      text.charCodeAt(i) === 48 && (i === 0 || text.charCodeAt(i - 1) === 46) &&
      text.charCodeAt(i + 1) !== 46
    ) {
      clean = false;
      break;
    }
  }
  return clean ? text : text.split(".").map((p) => String(Number(p))).join(".");
}

/** Parse IPv6 text into 8 16-bit groups, or `undefined`. */
export function parseIpv6(text: string): number[] | undefined {
  const doubleColon = text.indexOf("::");
  if (doubleColon !== -1 && text.indexOf("::", doubleColon + 1) !== -1) return undefined;
  const head = doubleColon === -1 ? text : text.slice(0, doubleColon);
  const tail = doubleColon === -1 ? "" : text.slice(doubleColon + 2);
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === "" ? [] : tail.split(":");
  const out: number[] = [];
  const all = [...headGroups, ...tailGroups];
  // embedded IPv4 in the last group
  let v4: number[] | undefined;
  const last = all[all.length - 1];
  if (last !== undefined && last.indexOf(".") !== -1) {
    if (!isIpv4(last)) return undefined;
    v4 = last.split(".").map(Number);
    if (tailGroups.length > 0) tailGroups.pop();
    else headGroups.pop();
  }
  const width = headGroups.length + tailGroups.length + (v4 ? 2 : 0);
  if (doubleColon === -1 ? width !== 8 : width > 7) return undefined;
  const parseGroup = (g: string): number => {
    if (g.length === 0 || g.length > 4) return -1;
    let v = 0;
    for (let i = 0; i < g.length; i++) {
      const c = g.charCodeAt(i) | 32; // lower-case letters
      if (c >= 48 && c <= 57) v = v * 16 + c - 48;
      else if (c >= 97 && c <= 102) v = v * 16 + c - 87;
      else return -1;
    }
    return v;
  };
  for (const g of headGroups) {
    const v = parseGroup(g);
    if (v < 0) return undefined;
    out.push(v);
  }
  for (let i = 0; i < 8 - width; i++) out.push(0);
  for (const g of tailGroups) {
    const v = parseGroup(g);
    if (v < 0) return undefined;
    out.push(v);
  }
  if (v4) out.push(v4[0] * 256 + v4[1], v4[2] * 256 + v4[3]);
  return out.length === 8 ? out : undefined;
}

/** RFC 5952 text for 8 groups. */
export function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 1; // only runs of 2+ zero groups are compressed
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** True when the (normalised) address is IPv6. */
export function isIpv6(ip: string): boolean {
  return ip.indexOf(":") !== -1;
}
