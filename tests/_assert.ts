/**
 * Assertions for tests: `node:assert/strict` under the names the Deno
 * standard library uses (JSR is not reachable here).
 *
 * @module
 */
import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** Truthiness. */
export function assertOk(value: unknown, message?: string): asserts value {
  assert.ok(value, message);
}

/** `actual` includes `expected` (string or array). */
export function assertIncludes(
  actual: string | readonly unknown[],
  expected: unknown,
  message?: string,
): void {
  if (!(actual as { includes(x: unknown): boolean }).includes(expected)) {
    throw new assert.AssertionError({
      message: message ??
        `expected ${JSON.stringify(actual).slice(0, 400)} to include ${JSON.stringify(expected)}`,
      actual,
      expected,
    });
  }
}

/** `fn` throws an error of `ErrorClass` whose message includes `includes`. */
export async function assertRejects(
  fn: () => unknown,
  ErrorClass: new (...args: never[]) => Error = Error,
  includes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${error}`);
    if (includes !== undefined) assertIncludes((error as Error).message, includes);
    return error as Error;
  }
  throw new assert.AssertionError({ message: "expected the function to throw" });
}

export { assert };
