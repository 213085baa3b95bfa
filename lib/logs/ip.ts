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

const GROUPS = new Array<number>(8);

/**
 * Parse IPv6 text into 8 16-bit groups, or `undefined`. One pass over the
 * characters, no intermediate strings. The returned array is reused by the
 * next call: copy it to keep it.
 */
export function parseIpv6(text: string): number[] | undefined {
  const groups = GROUPS;
  let count = 0; // groups written
  let gap = -1; // index in groups where "::" stands
  let value = 0;
  let digits = 0;
  let groupStart = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 58 /* : */) {
      if (digits === 0) {
        if (i === 0 && text.charCodeAt(1) === 58) continue; // leading "::"
        if (i > 0 && text.charCodeAt(i - 1) === 58 && gap === -1) {
          gap = count;
          groupStart = i + 1;
          continue;
        }
        return undefined;
      }
      if (count === 8) return undefined;
      groups[count++] = value;
      value = 0;
      digits = 0;
      groupStart = i + 1;
      if (i === n - 1) return undefined; // trailing single ":"
      continue;
    }
    if (c === 46 /* . */) {
      // embedded IPv4 in the last 32 bits
      const v4 = text.slice(groupStart);
      if (!isIpv4(v4) || count > 6) return undefined;
      const p = v4.split(".");
      groups[count++] = Number(p[0]) * 256 + Number(p[1]);
      groups[count++] = Number(p[2]) * 256 + Number(p[3]);
      digits = -1; // consumed
      break;
    }
    const l = c | 32;
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (l >= 97 && l <= 102) d = l - 87;
    else return undefined;
    if (++digits > 4) return undefined;
    value = value * 16 + d;
  }
  if (digits > 0) {
    if (count === 8) return undefined;
    groups[count++] = value;
  } else if (digits === 0 && gap !== count) {
    return undefined; // ends in ":" without "::"
  }
  if (gap === -1) return count === 8 ? groups : undefined;
  if (count > 7) return undefined;
  // move the groups after the gap to the end, fill zeros
  const tail = count - gap;
  for (let j = 0; j < tail; j++) groups[7 - j] = groups[count - 1 - j];
  for (let j = gap; j < 8 - tail; j++) groups[j] = 0;
  return groups;
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
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += "::";
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && out.charCodeAt(out.length - 1) !== 58) out += ":";
    out += groups[i].toString(16);
  }
  return out;
}

/** True when the (normalised) address is IPv6. */
export function isIpv6(ip: string): boolean {
  return ip.indexOf(":") !== -1;
}
