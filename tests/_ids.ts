/**
 * Checks of the ids the byte scanners give interned values
 * (`ParsedEvent.ipId`, `userId`): an id must only ever stand for one value.
 */
import type { ParsedEvent } from "../lib/logs/types.ts";
import { assertEquals, assertOk } from "./_assert.ts";

/** The value each id seen so far stands for. */
const idValues = new Map<number, string>();

/** Events seen with an IP id (a scanner's fast path sets one; the string path none). */
export const idCounts = { withIpId: 0 };

/** A copy of `event` without its ids, after checking them against every id seen before. */
export function withoutIds(event: ParsedEvent): Omit<ParsedEvent, "ipId" | "userId"> {
  const { ipId, userId, ...rest } = event;
  if (ipId !== undefined) idCounts.withIpId++;
  for (const [id, value] of [[ipId, event.ip], [userId, event.user]] as const) {
    if (id === undefined) continue;
    assertOk(value !== undefined, `an id without a value: ${JSON.stringify(event)}`);
    const known = idValues.get(id);
    if (known === undefined) idValues.set(id, value);
    else assertEquals(value, known, `id ${id} stands for one value`);
  }
  return rest;
}
