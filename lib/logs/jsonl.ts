/**
 * Events as JSON Lines: one object per event, fields in a fixed order, fields
 * that are not known left out.
 *
 * Field names (a contract): `file`, `line`, `time` (ISO 8601 UTC), `source`,
 * `kind`, `suspicious`, `ip`, `user`, `port`, `jail`, then where present
 * `host`, `program`, `pid`, `method`, `path`, `status`, `bytes`, `referrer`,
 * `agent`, `level`, `banSeconds`, `banCount`, `detail`, `count`.
 *
 * @module
 */
import { KINDS } from "./kinds.ts";
import { addRecordsTo, type EventConsumer } from "./pipeline.ts";
import type { EventRecords, ParsedEvent } from "./types.ts";

const KIND_PREFIX = KINDS.map((k) =>
  `,"source":${JSON.stringify(k.source)},"kind":${JSON.stringify(k.name)},"suspicious":`
);
const DEFAULT_SUSPICIOUS = KINDS.map((k) => k.suspicious);

/** Format one event as a JSON object (no newline). */
export function eventToJson(
  event: ParsedEvent,
  time: number,
  fileJson: string,
  line: number,
): string {
  let s = `{"file":${fileJson},"line":${line}`;
  if (time === time) s += `,"time":"${new Date(time).toISOString()}"`;
  s += KIND_PREFIX[event.kind] + (event.suspicious ?? DEFAULT_SUSPICIOUS[event.kind]);
  if (event.ip !== undefined) s += `,"ip":"${event.ip}"`; // normalised IPs need no escaping
  if (event.user !== undefined) s += `,"user":${JSON.stringify(event.user)}`;
  if (event.port !== undefined && event.port >= 0) s += `,"port":${event.port}`;
  if (event.jail !== undefined) s += `,"jail":${JSON.stringify(event.jail)}`;
  if (event.host !== undefined) s += `,"host":${JSON.stringify(event.host)}`;
  if (event.program !== undefined) s += `,"program":${JSON.stringify(event.program)}`;
  if (event.pid !== undefined && event.pid >= 0) s += `,"pid":${event.pid}`;
  if (event.method !== undefined) s += `,"method":${JSON.stringify(event.method)}`;
  if (event.path !== undefined) s += `,"path":${JSON.stringify(event.path)}`;
  if (event.status !== undefined && event.status >= 0) s += `,"status":${event.status}`;
  if (event.bytes !== undefined && event.bytes >= 0) s += `,"bytes":${event.bytes}`;
  if (event.referrer !== undefined) s += `,"referrer":${JSON.stringify(event.referrer)}`;
  if (event.agent !== undefined) s += `,"agent":${JSON.stringify(event.agent)}`;
  if (event.level !== undefined) s += `,"level":${JSON.stringify(event.level)}`;
  if (event.banSeconds !== undefined) s += `,"banSeconds":${event.banSeconds}`;
  if (event.banCount !== undefined) s += `,"banCount":${event.banCount}`;
  if (event.detail !== undefined) s += `,"detail":${JSON.stringify(event.detail)}`;
  if (event.count !== undefined && event.count !== 1) s += `,"count":${event.count}`;
  return s + "}";
}

/** A synchronous byte sink such as `Deno.stdout`. */
export interface SyncWriter {
  writeSync(bytes: Uint8Array): number;
}

/** Writes events as JSON Lines to a writer, in batches. */
export class JsonLinesWriter implements EventConsumer {
  readonly #out: SyncWriter;
  readonly #files: readonly string[];
  readonly #fileJson: string[] = [];
  readonly #encoder = new TextEncoder();
  #pending: string[] = [];
  #pendingLength = 0;
  /** Lines written. */
  written = 0;

  /** @param files the paths of the files, by index (as in the parse report). */
  constructor(out: SyncWriter, files: readonly string[]) {
    this.#out = out;
    this.#files = files;
  }

  add(event: ParsedEvent, time: number, file: number, line: number): void {
    const fileJson = this.#fileJson[file] ??= JSON.stringify(this.#files[file]);
    const text = eventToJson(event, time, fileJson, line);
    this.#pending.push(text);
    this.#pendingLength += text.length;
    this.written++;
    if (this.#pendingLength > 1 << 18) this.flush();
  }

  /** Write what is buffered. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const bytes = this.#encoder.encode(this.#pending.join("\n") + "\n");
    this.#pending = [];
    this.#pendingLength = 0;
    let offset = 0;
    while (offset < bytes.length) offset += this.#out.writeSync(bytes.subarray(offset));
  }
}

/** Fan one event stream out to several consumers. */
export class Tee implements EventConsumer {
  readonly #consumers: EventConsumer[];
  constructor(...consumers: EventConsumer[]) {
    this.#consumers = consumers;
  }
  add(event: ParsedEvent, time: number, file: number, line: number): void {
    for (const c of this.#consumers) c.add(event, time, file, line);
  }
  /** Records in columns: to each consumer as it takes them (see {@linkcode addRecordsTo}). */
  addRecords(records: EventRecords, file: number): void {
    for (const c of this.#consumers) addRecordsTo(c, records, file);
  }
}
