/**
 * Giving freed memory back to the system. Polars frees on its worker
 * threads, and glibc keeps what each thread freed in that thread's arena
 * for reuse: after a million rows are written, hundreds of megabytes that
 * nothing uses still count as the process's memory. `malloc_trim` returns
 * them. Only on Linux with glibc and when FFI is allowed; elsewhere nothing
 * happens.
 *
 * @module
 */

let trim: (() => void) | null | undefined;

/** Return the memory the allocator keeps but nothing uses (glibc `malloc_trim`). */
export function releaseFreedMemory(): void {
  if (trim === undefined) trim = openTrim();
  trim?.();
}

function openTrim(): (() => void) | null {
  if (Deno.build.os !== "linux") return null;
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    const libc = Deno.dlopen("libc.so.6", {
      malloc_trim: { parameters: ["usize"], result: "i32" },
    });
    return () => void libc.symbols.malloc_trim(0n);
  } catch {
    return null; // not glibc (musl has no libc.so.6)
  }
}
