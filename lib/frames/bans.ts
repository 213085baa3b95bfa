/**
 * Bans: the ban bookkeeping events of every source paired into one row per
 * ban.
 *
 * - fail2ban.log, per (jail, ip) in time order: `Ban` opens a ban, `Unban`
 *   closes the open one, `Restore Ban` re-activates the open ban after a
 *   restart (`restored` + 1) or, when none is open (its `Ban` is not in the
 *   data), opens one; `Increase Ban` gives the open ban its ban count
 *   (`rebans`) and planned length. An `Unban` without an open ban still makes
 *   a row, with an unknown start.
 * - fail2ban database rows and blacklist CSV rows are the same ban as a
 *   logged ban of the address (blacklist: in any jail) that started within
 *   `banMatchToleranceMs`, or as a logged ban whose start is not in the data
 *   (opened by `Restore Ban` or `Unban`) that the row explains; otherwise
 *   they are bans of their own.
 * - `fail2ban-client status` addresses are currently banned: when no ban of
 *   (jail, ip) is still open, a row with unknown start is added.
 *
 * Only rows started by `ban`, `db_ban` or `blacklisted` count as bans (the
 * shared definition: a restore is not a new ban).
 *
 * @module
 */
import pl from "nodejs-polars";
import { KINDS } from "../logs/kinds.ts";
import type { EventColumns } from "../logs/store.ts";
import { BAN_COLUMNS, type BanSource, COUNTED_BAN_STARTS } from "./columns.ts";
import { type EventAnalysis, FrameBuilder } from "./events.ts";

/** One ban, with dictionary ids (see {@linkcode bansOf}). */
export interface BanRecord {
  /** IP id (index into `analysis.ips`). */
  ip: number;
  /** Jail id (store's jail dictionary), −1 unknown. */
  jail: number;
  /** UTC ms, NaN unknown. */
  bannedAt: number;
  /** UTC ms, NaN while banned or unknown. */
  unbannedAt: number;
  /** Ban time fail2ban announced, seconds; −1 permanent, NaN unknown. */
  plannedSeconds: number;
  restored: number;
  /** fail2ban's ban count of the address (Increase Ban, database bancount); NaN unknown. */
  rebans: number;
  source: BanSource;
  /** Kind of the event that opened the row. */
  startedBy: "ban" | "db_ban" | "blacklisted" | "restore_ban" | "unban" | "banned";
}

/** Internal bookkeeping of a row while pairing. */
interface Pairing extends BanRecord {
  /** Sources whose rows were matched to this row. */
  matched: Set<string>;
}

const COUNTED = new Set<string>(COUNTED_BAN_STARTS);

/** True when the row counts as a ban under the shared definition. */
export function isCountedBan(record: BanRecord): boolean {
  return COUNTED.has(record.startedBy);
}

const memo = new WeakMap<EventAnalysis, readonly BanRecord[]>();

/**
 * The bans of the analysed events, paired as the module documentation says,
 * sorted by start (unknown last). Memoised per analysis.
 */
export function bansOf(analysis: EventAnalysis): readonly BanRecord[] {
  let bans = memo.get(analysis);
  if (bans === undefined) {
    bans = pairBans(analysis);
    memo.set(analysis, bans);
  }
  return bans;
}

function pairBans(analysis: EventAnalysis): BanRecord[] {
  const c = analysis.columns;
  // The store may keep fail2ban's ban count (bancount / `Increase Ban (n # …)`).
  const banCount = (c as EventColumns & { banCount?: ArrayLike<number> }).banCount;
  const countAt = (i: number) => {
    const v = banCount?.[i];
    return v !== undefined && v >= 0 ? v : NaN;
  };
  const tolerance = analysis.options.banMatchToleranceMs;
  const nIp = analysis.ips.length;
  const keyOf = (i: number) => (c.jail[i] + 1) * nIp + c.ip[i];

  const log: number[] = [];
  const database: number[] = [];
  const blacklist: number[] = [];
  const status: number[] = [];
  for (const i of analysis.banEvents) {
    if (c.ip[i] < 0) continue;
    const name = KINDS[c.kind[i]].name;
    if (name === "db_ban") database.push(i);
    else if (name === "blacklisted") blacklist.push(i);
    else if (name === "banned") status.push(i);
    else log.push(i);
  }
  const byTime = (a: number, b: number) => {
    const ta = c.time[a], tb = c.time[b];
    if (ta !== tb) {
      if (Number.isNaN(ta)) return 1;
      if (Number.isNaN(tb)) return -1;
      return ta - tb;
    }
    return a - b;
  };
  log.sort(byTime);
  database.sort(byTime);
  blacklist.sort(byTime);

  const rows: Pairing[] = [];
  const byKey = new Map<number, Pairing[]>();
  const byIp = new Map<number, Pairing[]>();
  const add = (
    i: number,
    jail: number,
    bannedAt: number,
    unbannedAt: number,
    source: BanSource,
    startedBy: BanRecord["startedBy"],
  ): Pairing => {
    const row: Pairing = {
      ip: c.ip[i],
      jail,
      bannedAt,
      unbannedAt,
      plannedSeconds: NaN,
      restored: 0,
      rebans: NaN,
      source,
      startedBy,
      matched: new Set(),
    };
    rows.push(row);
    const key = (jail + 1) * nIp + row.ip;
    (byKey.get(key) ?? byKey.set(key, []).get(key)!).push(row);
    (byIp.get(row.ip) ?? byIp.set(row.ip, []).get(row.ip)!).push(row);
    return row;
  };

  // fail2ban.log: pair per (jail, ip) in time order
  const open = new Map<number, Pairing>();
  const pendingIncrease = new Map<number, number>();
  const increase = (row: Pairing, i: number) => {
    // Only fail2ban's own count: one derived from the logged bans would be wrong whenever
    // fail2ban forgot older bans (bantime.increment counts within its findtime).
    const count = countAt(i);
    if (!Number.isNaN(count)) row.rebans = count;
    if (!Number.isNaN(c.banSeconds[i])) row.plannedSeconds = c.banSeconds[i];
  };
  for (const i of log) {
    const key = keyOf(i);
    const t = c.time[i];
    const row = open.get(key);
    switch (KINDS[c.kind[i]].name) {
      case "ban": {
        // an open ban without its Unban is left with an unknown end
        const ban = add(i, c.jail[i], t, NaN, "fail2ban.log", "ban");
        const pending = pendingIncrease.get(key);
        if (pending !== undefined && t - c.time[pending] <= tolerance) increase(ban, pending);
        pendingIncrease.delete(key);
        open.set(key, ban);
        break;
      }
      case "increase_ban":
        if (row) increase(row, i);
        else pendingIncrease.set(key, i); // logged before its Ban by some versions
        break;
      case "restore_ban":
        if (row) row.restored++;
        else {
          const restored = add(i, c.jail[i], t, NaN, "fail2ban.log", "restore_ban");
          restored.restored = 1;
          open.set(key, restored);
        }
        break;
      case "unban":
        if (row) {
          row.unbannedAt = t;
          open.delete(key);
        } else add(i, c.jail[i], NaN, t, "fail2ban.log", "unban");
        break;
    }
  }

  /** The logged row a database or blacklist ban at `t` is, or undefined. */
  const match = (
    candidates: readonly Pairing[] | undefined,
    t: number,
    source: string,
    seconds: number,
  ) => {
    if (!candidates || Number.isNaN(t)) return undefined;
    let best: Pairing | undefined;
    for (const row of candidates) {
      if (row.matched.has(source) || !COUNTED.has(row.startedBy)) continue;
      const gap = Math.abs(row.bannedAt - t);
      if (gap <= tolerance && (best === undefined || gap < Math.abs(best.bannedAt - t))) best = row;
    }
    if (best) return best;
    // a logged ban whose start is not in the data (Restore Ban / Unban only)
    for (const row of candidates) {
      if (row.matched.has(source) || COUNTED.has(row.startedBy) || row.startedBy === "banned") {
        continue;
      }
      const anchor = Number.isNaN(row.bannedAt) ? row.unbannedAt : row.bannedAt;
      const stillBanned = !(seconds >= 0) || t + seconds * 1000 + tolerance >= anchor;
      if (
        t <= anchor + tolerance && stillBanned && (best === undefined || anchor < bestAnchor(best))
      ) {
        best = row;
      }
    }
    return best;
  };
  const bestAnchor = (row: Pairing) => Number.isNaN(row.bannedAt) ? row.unbannedAt : row.bannedAt;
  const adopt = (row: Pairing, t: number, source: BanSource, startedBy: BanRecord["startedBy"]) => {
    if (COUNTED.has(row.startedBy)) return;
    row.bannedAt = t;
    row.source = source;
    row.startedBy = startedBy;
  };

  for (const i of database) {
    const t = c.time[i];
    const seconds = c.banSeconds[i];
    const count = countAt(i);
    let row = match(byKey.get(keyOf(i)), t, "db", seconds);
    if (row) adopt(row, t, "fail2ban db", "db_ban");
    else row = add(i, c.jail[i], t, NaN, "fail2ban db", "db_ban");
    row.matched.add("db");
    if (Number.isNaN(row.plannedSeconds) && !Number.isNaN(seconds)) row.plannedSeconds = seconds;
    if (!Number.isNaN(count) && !(count <= row.rebans)) row.rebans = count;
  }
  for (const i of blacklist) {
    const t = c.time[i];
    let row = match(byIp.get(c.ip[i]), t, "blacklist", NaN);
    if (row) adopt(row, t, "blacklist", "blacklisted");
    else row = add(i, -1, t, NaN, "blacklist", "blacklisted");
    row.matched.add("blacklist");
  }
  const lastTime = analysis.lastTime;
  const stillOpen = (row: Pairing) =>
    Number.isNaN(row.unbannedAt) &&
    !(row.plannedSeconds >= 0 && row.bannedAt + row.plannedSeconds * 1000 < lastTime);
  for (const i of status) {
    if (!byKey.get(keyOf(i))?.some(stillOpen)) add(i, c.jail[i], NaN, NaN, "status", "banned");
  }

  const ips = analysis.ips;
  const jails = analysis.store.dictionaries.jail.values;
  rows.sort((a, b) => {
    const ta = Number.isNaN(a.bannedAt) ? Infinity : a.bannedAt;
    const tb = Number.isNaN(b.bannedAt) ? Infinity : b.bannedAt;
    if (ta !== tb) return ta - tb;
    const ua = Number.isNaN(a.unbannedAt) ? Infinity : a.unbannedAt;
    const ub = Number.isNaN(b.unbannedAt) ? Infinity : b.unbannedAt;
    if (ua !== ub) return ua - ub;
    if (a.ip !== b.ip) return ips[a.ip] < ips[b.ip] ? -1 : 1;
    return (jails[a.jail] ?? "") < (jails[b.jail] ?? "") ? -1 : 1;
  });
  return rows.map(({ matched: _matched, ...record }) => record);
}

/** Seconds a ban lasted or was to last, NaN when unknown or permanent. */
export function banDurationSeconds(record: BanRecord): number {
  if (!Number.isNaN(record.bannedAt) && !Number.isNaN(record.unbannedAt)) {
    return (record.unbannedAt - record.bannedAt) / 1000;
  }
  return record.plannedSeconds >= 0 ? record.plannedSeconds : NaN;
}

/**
 * The `bans` frame: one row per ban with the columns of
 * {@linkcode BAN_COLUMNS}, sorted by `banned_at` (unknown last).
 *
 * @example
 * ```ts ignore
 * import { bansFrame } from "./bans.ts";
 * const bans = bansFrame(analyseEvents(store));
 * bans.filter(pl.col("unbanned_at").isNull()); // still banned, or end unknown
 * ```
 */
export function bansFrame(analysis: EventAnalysis): pl.DataFrame {
  const bans = bansOf(analysis);
  return new FrameBuilder()
    .encodedText("ip", Int32Array.from(bans, (b) => b.ip), analysis.ips)
    .encodedText(
      "jail",
      Int32Array.from(bans, (b) => b.jail),
      analysis.store.dictionaries.jail.values,
    )
    .time("banned_at", bans.map((b) => b.bannedAt))
    .time("unbanned_at", bans.map((b) => b.unbannedAt))
    .number("duration_s", bans.map(banDurationSeconds))
    .number("restored", bans.map((b) => b.restored), pl.Int32)
    .number("rebans", bans.map((b) => b.rebans), pl.Int32)
    .text("source", bans.map((b) => b.source))
    .text("started_by", bans.map((b) => b.startedBy))
    .build(Object.keys(BAN_COLUMNS));
}
