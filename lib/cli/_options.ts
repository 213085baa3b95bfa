/**
 * Option checks shared by the commands: each throws a {@linkcode UsageError}
 * (exit status 2) naming the option.
 *
 * @module
 */
import { ZoneConverter } from "../logs/time.ts";

/** A wrong option or argument: the command exits with status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A whole number option in `[min, max]`, or undefined when not given. */
export function wholeOption(
  name: string,
  text: string | undefined,
  min: number,
  max = Infinity,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${name} takes a whole number ${range}, not "${text}"`);
  }
  return n;
}

/** `--year`: a year such as 2024, or undefined when not given. */
export function yearOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const year = Number(text);
  if (!Number.isInteger(year) || year < 1970 || year > 9999) {
    throw new UsageError(`--year takes a year such as 2024, not "${text}"`);
  }
  return year;
}

/** `--timezone`: an IANA zone name, checked, or undefined when not given. */
export function timeZoneOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    new ZoneConverter(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return text;
}
