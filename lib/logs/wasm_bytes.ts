/**
 * Base64 and SHA-256 for the embedded WebAssembly module (JSR's std is not
 * reachable here; these are small).
 *
 * @module
 */

/** Bytes as base64 (RFC 4648, with padding). */
export function encodeBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** The bytes of base64 text (`Uint8Array.fromBase64` where there is one: 0.1 ms, not 5, for the scanner). */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const native =
    (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array<ArrayBuffer> })
      .fromBase64;
  if (native !== undefined) return native(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** SHA-256 of `bytes`, in lower-case hex. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
