/**
 * RDAP (RFC 9083 IP network objects) as an online provider, through a
 * bootstrap redirector: `GET {baseUrl}/ip/{ip}` answers with a redirect to
 * the responsible RIR (rdap.org, RFC 7480 section 4.2), which the HTTP client
 * follows.
 *
 * Answers are per network (`cachesNetworks`): the answer carries the CIDR
 * (from the `cidr0_cidrs` extension, else from `startAddress`–`endAddress`)
 * that contains the IP. Within one run the IPs are sorted and every IP
 * inside a network already answered is answered from that answer without a
 * request.
 *
 * @module
 */
import { formatIpv6, isIpv4, normalizeIp, parseIpv6 } from "../logs/ip.ts";
import { ipv4ToNumber, numberToIpv4 } from "./classify.ts";
import { AnswerBook, runPool } from "./http.ts";
import type { Derived, DerivedColumns, FetchContext, OnlineProvider } from "./types.ts";

/** Options of {@linkcode createRdapProvider}. */
export interface RdapOptions {
  /** Bootstrap redirector root, without a trailing slash. @default "https://rdap.org" */
  baseUrl?: string;
  /** How long a positive answer stays fresh, ms. @default 30 days */
  ttlMs?: number;
  /** How long a `not_found` stays fresh, ms. @default 7 days */
  negativeTtlMs?: number;
  /** Address blocks (/8 IPv4, /16 IPv6) asked in parallel; one block is asked in order. @default 4 */
  parallel?: number;
}

const DAY_MS = 86_400_000;

const defaults = {
  baseUrl: "https://rdap.org",
  ttlMs: 30 * DAY_MS,
  negativeTtlMs: 7 * DAY_MS,
  parallel: 4,
} satisfies RdapOptions;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** An address as a number in its family. */
export interface Address {
  v6: boolean;
  value: bigint;
}

/** An inclusive address range of one family. */
export interface Range {
  v6: boolean;
  start: bigint;
  end: bigint;
}

/** Address text → number, or undefined. */
export function addressOf(ip: string): Address | undefined {
  const normal = normalizeIp(ip);
  if (normal === undefined) return undefined;
  if (isIpv4(normal)) return { v6: false, value: BigInt(ipv4ToNumber(normal)) };
  const groups = parseIpv6(normal);
  if (groups === undefined) return undefined;
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return { v6: true, value };
}

function addressText(value: bigint, v6: boolean): string {
  if (!v6) return numberToIpv4(Number(value));
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  return formatIpv6(groups);
}

function bitsOf(v6: boolean): bigint {
  return v6 ? 128n : 32n;
}

/** The smallest list of CIDRs covering `start`…`end` (inclusive). */
export function rangeToCidrs(range: Range): string[] {
  const bits = bitsOf(range.v6);
  const out: string[] = [];
  let start = range.start;
  while (start <= range.end && out.length < 300) {
    let size = 1n;
    let length = bits;
    // grow the block while it stays aligned and inside the range
    while (length > 0n && start % (size * 2n) === 0n && start + size * 2n - 1n <= range.end) {
      size *= 2n;
      length -= 1n;
    }
    out.push(`${addressText(start, range.v6)}/${length}`);
    start += size;
  }
  return out;
}

/** The CIDRs an RDAP ip network object declares (cidr0 extension or its range). */
function cidrsOf(raw: Json): { range: Range; cidr: string }[] {
  const out: { range: Range; cidr: string }[] = [];
  if (Array.isArray(raw.cidr0_cidrs)) {
    for (const entry of raw.cidr0_cidrs) {
      if (!isRecord(entry)) continue;
      const prefix = text(entry.v4prefix) ?? text(entry.v6prefix);
      const length = entry.length;
      if (prefix === undefined || typeof length !== "number" || !Number.isInteger(length)) continue;
      const base = addressOf(prefix);
      if (base === undefined || length < 0 || BigInt(length) > bitsOf(base.v6)) continue;
      const size = 1n << (bitsOf(base.v6) - BigInt(length));
      const start = base.value - (base.value % size);
      out.push({
        range: { v6: base.v6, start, end: start + size - 1n },
        cidr: `${addressText(start, base.v6)}/${length}`,
      });
    }
  }
  if (out.length > 0) return out;
  const range = declaredRange(raw);
  if (range === undefined) return out;
  return rangeToCidrs(range).map((cidr) => {
    const [base, length] = cidr.split("/");
    const start = addressOf(base)!.value;
    const size = 1n << (bitsOf(range.v6) - BigInt(length));
    return { range: { v6: range.v6, start, end: start + size - 1n }, cidr };
  });
}

/** `startAddress`…`endAddress` of an ip network object. */
function declaredRange(raw: Json): Range | undefined {
  const start = typeof raw.startAddress === "string" ? addressOf(raw.startAddress) : undefined;
  const end = typeof raw.endAddress === "string" ? addressOf(raw.endAddress) : undefined;
  if (start === undefined || end === undefined || start.v6 !== end.v6 || start.value > end.value) {
    return undefined;
  }
  return { v6: start.v6, start: start.value, end: end.value };
}

/** The whole range an answer covers: its declared range, else the span of its CIDRs. */
function coveredRange(raw: Json): Range | undefined {
  const declared = declaredRange(raw);
  if (declared !== undefined) return declared;
  const cidrs = cidrsOf(raw);
  if (cidrs.length === 0) return undefined;
  let { v6, start, end } = cidrs[0].range;
  for (const { range } of cidrs) {
    if (range.v6 !== v6) continue;
    if (range.start < start) start = range.start;
    if (range.end > end) end = range.end;
  }
  return { v6, start, end };
}

function contains(range: Range, address: Address): boolean {
  return range.v6 === address.v6 && range.start <= address.value && address.value <= range.end;
}

/** The CIDR of `raw` that contains `ip` (the first one when `ip` is in none). */
export function rdapNetworkOf(raw: unknown, ip: string): string | undefined {
  if (!isRecord(raw)) return undefined;
  const cidrs = cidrsOf(raw);
  const address = addressOf(ip);
  const match = address === undefined ? undefined : cidrs.find((c) => contains(c.range, address));
  return (match ?? cidrs[0])?.cidr;
}

/** The e-mail address of a jCard (`["vcard", [[name, params, type, value], …]]`). */
function emailOf(vcardArray: unknown): string | undefined {
  if (!Array.isArray(vcardArray) || !Array.isArray(vcardArray[1])) return undefined;
  for (const property of vcardArray[1]) {
    if (!Array.isArray(property) || typeof property[0] !== "string") continue;
    if (property[0].toLowerCase() !== "email") continue;
    const value = text(property[3]);
    if (value !== undefined && value.includes("@")) return value;
  }
  return undefined;
}

/** The e-mail of the nearest entity with role "abuse" (breadth first through nested entities). */
export function abuseEmailOf(raw: unknown): string | undefined {
  if (!isRecord(raw)) return undefined;
  let level: unknown[] = Array.isArray(raw.entities) ? raw.entities : [];
  let seen = 0;
  for (let depth = 0; depth < 6 && level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const entity of level) {
      if (!isRecord(entity) || ++seen > 500) continue;
      const roles = Array.isArray(entity.roles) ? entity.roles : [];
      if (roles.some((role) => typeof role === "string" && role.toLowerCase() === "abuse")) {
        const email = emailOf(entity.vcardArray);
        if (email !== undefined) return email;
      }
      if (Array.isArray(entity.entities)) next.push(...entity.entities);
    }
    level = next;
  }
  return undefined;
}

/** Columns from an RDAP ip network object: country, name, handle, abuse e-mail, CIDR. */
export function deriveRdap(raw: unknown, ip: string): Derived {
  const columns: DerivedColumns = {};
  if (!isRecord(raw)) return { columns, network: null };
  const country = text(raw.country)?.toUpperCase();
  if (country !== undefined && /^[A-Z]{2}$/.test(country)) {
    columns["registered_country.iso_code"] = country;
  }
  const name = text(raw.name);
  if (name !== undefined) columns["rdap.name"] = name;
  const handle = text(raw.handle);
  if (handle !== undefined) columns["rdap.handle"] = handle;
  const abuse = abuseEmailOf(raw);
  if (abuse !== undefined) columns["rdap.abuse_email"] = abuse;
  return { columns, network: rdapNetworkOf(raw, ip) ?? null };
}

/**
 * The RDAP provider, named `rdap`.
 *
 * @example
 * ```ts
 * import { createRdapProvider } from "./rdap.ts";
 * const rdap = createRdapProvider();
 * rdap.cachesNetworks; // true
 * ```
 */
export function createRdapProvider(options: RdapOptions = {}): OnlineProvider {
  const settings = { ...defaults, ...options };
  const baseUrl = settings.baseUrl.replace(/\/+$/, "");

  async function fetchAll(ips: readonly string[], context: FetchContext): Promise<void> {
    const book = new AnswerBook(ips, (ip, answer) => context.answer(ip, answer));
    const addresses: { ip: string; address: Address; normal: string }[] = [];
    for (const ip of book.pending) {
      const address = addressOf(ip);
      if (address === undefined) {
        book.answer(ip, { status: "error", reason: "not an IP address", retryable: false });
      } else addresses.push({ ip, address, normal: addressText(address.value, address.v6) });
    }
    addresses.sort((a, b) =>
      a.address.v6 !== b.address.v6
        ? (a.address.v6 ? 1 : -1)
        : a.address.value < b.address.value
        ? -1
        : a.address.value > b.address.value
        ? 1
        : 0
    );
    // blocks asked in parallel; inside a block, in address order
    const blocks = new Map<string, typeof addresses>();
    for (const entry of addresses) {
      const { v6, value } = entry.address;
      const key = v6 ? `6:${value >> 112n}` : `4:${value >> 24n}`;
      const block = blocks.get(key);
      if (block) block.push(entry);
      else blocks.set(key, [entry]);
    }

    // networks answered this run: the block's latest (IPs come in order) and those wider than a block
    const wide: { range: Range; raw: Json }[] = [];
    let stopReason: string | null = null;
    const blockOf = (v6: boolean, value: bigint) => v6 ? value >> 112n : value >> 24n;

    const answerFrom = (ip: string, raw: Json) => {
      const network = rdapNetworkOf(raw, ip);
      book.answer(ip, { status: "ok", raw, ...(network ? { network } : {}) });
    };

    await runPool([...blocks.values()], settings.parallel, async (block) => {
      let latest: { range: Range; raw: Json } | undefined;
      for (const { ip, address, normal } of block) {
        if (stopReason !== null) return;
        if (!book.isPending(ip)) continue;
        const reuse = latest !== undefined && contains(latest.range, address)
          ? latest
          : wide.find((known) => contains(known.range, address));
        if (reuse !== undefined) {
          answerFrom(ip, reuse.raw);
          continue;
        }
        const result = await context.request(`${baseUrl}/ip/${normal}`, {
          method: "GET",
          headers: { Accept: "application/rdap+json, application/json" },
        });
        if (result.ok) {
          if (!isRecord(result.body)) {
            book.answer(ip, {
              status: "error",
              reason: "RDAP answered with something other than a JSON object",
              retryable: true,
            });
            continue;
          }
          const raw = result.body;
          const range = coveredRange(raw);
          if (range !== undefined && contains(range, address)) {
            latest = { range, raw };
            const v6 = range.v6;
            if (blockOf(v6, range.start) !== blockOf(v6, range.end)) wide.push(latest);
          }
          answerFrom(ip, raw);
          continue;
        }
        if (result.status === 404) {
          book.answer(ip, { status: "not_found", raw: result.body });
          continue;
        }
        if (result.status === 429) {
          stopReason ??= `RDAP rate limit reached: ${result.reason}`;
          book.answer(ip, { status: "error", reason: stopReason, retryable: true });
          return;
        }
        if (result.status === null && context.stopped) {
          stopReason ??= result.reason;
          book.answer(ip, { status: "error", reason: stopReason, retryable: true });
          return;
        }
        const retryable = result.status === null || result.status >= 500 || result.status === 408;
        book.answer(ip, {
          status: "error",
          reason: retryable ? result.reason : `RDAP rejected the query (${result.reason})`,
          retryable,
        });
      }
    });
    book.failRest(stopReason ?? "RDAP gave no answer", true);
  }

  return {
    name: "rdap",
    kind: "online",
    paid: false,
    ttlMs: settings.ttlMs,
    negativeTtlMs: settings.negativeTtlMs,
    version: `RDAP (RFC 9083) via ${baseUrl.replace(/^https?:\/\//, "")}`,
    cachesNetworks: true,
    fetch: fetchAll,
    derive: (raw: unknown, ip: string) => deriveRdap(raw, ip),
  };
}
