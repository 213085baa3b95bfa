/**
 * A small PNG decoder for tests: checks the signature and every chunk's CRC,
 * inflates the image data and undoes the scanline filters, so a test can say
 * a PNG is decodable and look at its pixels (is a screenshot blank?).
 * Supports 8-bit greyscale, RGB, palette, grey + alpha and RGBA, not
 * interlaced: what resvg and Chromium write.
 *
 * @example
 * ```ts ignore
 * import { decodePng, inkFraction } from "./png.ts";
 * const image = await decodePng(await Deno.readFile("chart.png"));
 * console.log(image.width, image.height, inkFraction(image));
 * ```
 *
 * @module
 */

/** A decoded image: RGBA, 4 bytes per pixel, rows top to bottom. */
export interface DecodedPng {
  width: number;
  height: number;
  rgba: Uint8Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("deflate"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Decode a PNG.
 *
 * @throws {Error} for a bad signature, a CRC mismatch, a missing chunk or an unsupported format
 */
export async function decodePng(bytes: Uint8Array): Promise<DecodedPng> {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new Error("Cannot decode PNG: bad signature");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let width = 0, height = 0, depth = 0, colour = -1, interlace = 0;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const data: Uint8Array[] = [];
  let ended = false;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) throw new Error(`Cannot decode PNG: ${type} is truncated`);
    const body = bytes.subarray(at + 8, at + 8 + length);
    const crc = view.getUint32(at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== crc) {
      throw new Error(`Cannot decode PNG: CRC mismatch in ${type}`);
    }
    if (type === "IHDR") {
      const header = new DataView(body.buffer, body.byteOffset, body.byteLength);
      width = header.getUint32(0);
      height = header.getUint32(4);
      depth = body[8];
      colour = body[9];
      interlace = body[12];
    } else if (type === "PLTE") palette = body.slice();
    else if (type === "tRNS") transparency = body.slice();
    else if (type === "IDAT") data.push(body);
    else if (type === "IEND") {
      ended = true;
      break;
    }
    at += 12 + length;
  }
  if (!ended) throw new Error("Cannot decode PNG: no IEND chunk");
  if (width === 0 || height === 0) throw new Error("Cannot decode PNG: no or empty IHDR");
  if (depth !== 8 || interlace !== 0) {
    throw new Error(`Cannot decode PNG: only 8-bit non-interlaced images (depth ${depth})`);
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colour];
  if (channels === undefined) throw new Error(`Cannot decode PNG: colour type ${colour}`);
  if (colour === 3 && !palette) throw new Error("Cannot decode PNG: palette image without PLTE");
  const joined = new Uint8Array(data.reduce((n, d) => n + d.length, 0));
  let offset = 0;
  for (const d of data) {
    joined.set(d, offset);
    offset += d.length;
  }
  const raw = await inflate(joined);
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) {
    throw new Error("Cannot decode PNG: image data too short");
  }
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const previous = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0;
      const b = previous[x];
      const c = x >= channels ? previous[x - channels] : 0;
      let value = line[x];
      switch (filter) {
        case 0:
          break;
        case 1:
          value += a;
          break;
        case 2:
          value += b;
          break;
        case 3:
          value += (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          value += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new Error(`Cannot decode PNG: filter ${filter} on row ${y}`);
      }
      out[x] = value & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = i * channels, d = i * 4;
    switch (colour) {
      case 0:
        rgba.set([pixels[s], pixels[s], pixels[s], 255], d);
        break;
      case 2:
        rgba.set([pixels[s], pixels[s + 1], pixels[s + 2], 255], d);
        break;
      case 3: {
        const index = pixels[s];
        rgba.set([
          palette![index * 3],
          palette![index * 3 + 1],
          palette![index * 3 + 2],
          transparency && index < transparency.length ? transparency[index] : 255,
        ], d);
        break;
      }
      case 4:
        rgba.set([pixels[s], pixels[s], pixels[s], pixels[s + 1]], d);
        break;
      case 6:
        rgba.set(pixels.subarray(s, s + 4), d);
        break;
    }
  }
  return { width, height, rgba };
}

/**
 * The fraction of pixels that are not (near) the background colour, the
 * colour of the top-left pixel: 0 for a blank image.
 */
export function inkFraction(image: DecodedPng): number {
  const { rgba } = image;
  const [r0, g0, b0] = [rgba[0], rgba[1], rgba[2]];
  let ink = 0;
  const pixels = image.width * image.height;
  for (let i = 0; i < pixels; i++) {
    const d = i * 4;
    if (
      Math.abs(rgba[d] - r0) + Math.abs(rgba[d + 1] - g0) + Math.abs(rgba[d + 2] - b0) > 30
    ) ink++;
  }
  return ink / pixels;
}

/** Distinct colours (of at most `limit` counted), a quick measure of how much is drawn. */
export function distinctColours(image: DecodedPng, limit = 10_000): number {
  const seen = new Set<number>();
  const { rgba } = image;
  for (let d = 0; d < rgba.length && seen.size < limit; d += 4) {
    seen.add((rgba[d] << 16) | (rgba[d + 1] << 8) | rgba[d + 2]);
  }
  return seen.size;
}
