/**
 * Rasterises charts to PNG with resvg, using the fonts bundled in `data/fonts/` so that text looks
 * the same on every machine, including servers without any system font.
 *
 * @module
 */
import { existsSync } from "node:fs";
import zlib from "node:zlib";
import { createRequire } from "node:module";
import type * as ResvgModule from "@resvg/resvg-js";
import { PROJECT_ROOT } from "../paths.ts";
import { svgString } from "./svg_string.ts";

/** The fonts bundled with jailbook (DejaVu Sans, Bitstream Vera licence; see data/fonts/). */
export const BUNDLED_FONT_FILES: readonly string[] = [
  `${PROJECT_ROOT}/data/fonts/DejaVuSans.ttf`,
  `${PROJECT_ROOT}/data/fonts/DejaVuSans-Bold.ttf`,
];

/** The family name of the bundled font. */
export const BUNDLED_FONT_FAMILY = "DejaVu Sans";

/** Options of {@link svgToPng}. */
export interface PngOptions {
  /**
   * Pixels per SVG unit (2 gives a sharp image on high-density screens), from 0.1 to 10.
   *
   * @default 2
   */
  scale?: number;
  /**
   * Background colour (any CSS colour); `null` keeps the background transparent.
   *
   * @default "white"
   */
  background?: string | null;
  /**
   * Font files to use. Every generic family (`sans-serif`, `system-ui` falls back to it, …) maps to
   * `fontFamily`.
   *
   * @default {@link BUNDLED_FONT_FILES}
   */
  fontFiles?: readonly string[];
  /**
   * The family used for text whose family is not found.
   *
   * @default {@link BUNDLED_FONT_FAMILY}
   */
  fontFamily?: string;
  /**
   * Also load the machine's fonts (slower, and the picture then depends on the machine).
   *
   * @default false
   */
  loadSystemFonts?: boolean;
}

const OPTION_NAMES = ["scale", "background", "fontFiles", "fontFamily", "loadSystemFonts"];

/**
 * Renders an SVG chart (element or text) to PNG bytes.
 *
 * @example
 * ```ts
 * import { missingnessChart, svgToPng } from "./mod.ts";
 * const png = svgToPng(missingnessChart([{ column: "city", pct_missing: 40 }]));
 * await Deno.writeFile("/tmp/missing.png", png);
 * ```
 *
 * resvg is a native module: it is loaded on the first call, which needs `--allow-ffi` and
 * `--allow-sys` (the charts themselves only need `--allow-read`).
 *
 * @throws {TypeError} for bad options
 * @throws {Error} when a font file is missing or resvg cannot read the SVG
 */
export function svgToPng(
  svg: SVGSVGElement | Element | string,
  options: PngOptions = {},
): Uint8Array {
  const settings = resvgOptions(options);
  const { Resvg } = loadResvg();
  return pngBytes(new Resvg(svgString(svg), settings).render());
}

/**
 * {@link svgToPng} with the SVG parsed and drawn on another thread (resvg's
 * `renderAsync`): the same bytes, while this thread goes on with other work.
 * Only the PNG encoding (about a third of the time) runs on this thread,
 * when the picture is ready.
 *
 * @example
 * ```ts
 * import { missingnessChart, svgToPngAsync } from "./mod.ts";
 * const png = await svgToPngAsync(missingnessChart([{ column: "city", pct_missing: 40 }]));
 * ```
 *
 * @throws {TypeError} for bad options (at once, not through the promise)
 * @throws {Error} when a font file is missing (at once); rejects when resvg cannot read the SVG
 */
export function svgToPngAsync(
  svg: SVGSVGElement | Element | string,
  options: PngOptions = {},
): Promise<Uint8Array> {
  const settings = resvgOptions(options);
  return loadResvg().renderAsync(svgString(svg), settings).then(pngBytes);
}

/**
 * The PNG of a rendered image, encoded here rather than by resvg (`asPng`):
 * RGB when every pixel is opaque (the charts' white background), the `Up`
 * filter and zlib level 3: about a third less time than `asPng` for a
 * chart, and a file about a third smaller.
 */
function pngBytes(image: ResvgModule.RenderedImage): Uint8Array {
  const pixels = image.pixels;
  return encodePng(
    new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength),
    image.width,
    image.height,
  );
}

/**
 * Encode premultiplied RGBA pixels (resvg's) as a PNG: 8-bit RGB when all
 * are opaque, else RGBA (un-premultiplied).
 */
export function encodePng(rgba: Uint8Array, width: number, height: number): Uint8Array {
  let opaque = true;
  for (let i = 3; i < rgba.length; i += 4) {
    if (rgba[i] !== 255) {
      opaque = false;
      break;
    }
  }
  const channels = opaque ? 3 : 4;
  const stride = width * channels;
  // one row of straight (not premultiplied) samples, and the one before it
  let row = new Uint8Array(stride);
  let above = new Uint8Array(stride);
  const filtered = new Uint8Array((stride + 1) * height);
  for (let y = 0, from = 0; y < height; y++) {
    for (let x = 0, at = 0; x < width; x++, from += 4, at += channels) {
      const a = rgba[from + 3];
      if (a === 255 || a === 0) {
        row[at] = rgba[from];
        row[at + 1] = rgba[from + 1];
        row[at + 2] = rgba[from + 2];
      } else {
        // as resvg (tiny-skia) un-premultiplies
        row[at] = Math.min(255, Math.round((rgba[from] * 255) / a));
        row[at + 1] = Math.min(255, Math.round((rgba[from + 1] * 255) / a));
        row[at + 2] = Math.min(255, Math.round((rgba[from + 2] * 255) / a));
      }
      if (!opaque) row[at + 3] = a;
    }
    // filter Up: each byte less the one above it (the first row: above it, zeros)
    const out = y * (stride + 1);
    filtered[out] = 2;
    for (let i = 0; i < stride; i++) filtered[out + 1 + i] = row[i] - above[i];
    [row, above] = [above, row];
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, opaque ? 2 : 6, 0, 0, 0], 8); // 8 bits, RGB or RGBA, deflate, filters, no interlace
  const data = zlib.deflateSync(filtered, { level: 3 });
  const chunks = [
    pngChunk("IHDR", header),
    pngChunk("IDAT", new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
    pngChunk("IEND", new Uint8Array(0)),
  ];
  const png = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  for (const chunk of chunks) {
    png.set(chunk, at);
    at += chunk.length;
  }
  return png;
}

/** A PNG chunk: length, type, data and the CRC of type and data. */
function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) chunk[4 + i] = type.charCodeAt(i);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, zlib.crc32(chunk.subarray(4, 8 + data.length)) >>> 0);
  return chunk;
}

/** resvg's options for `options`, checked (and the font files found). */
function resvgOptions(options: PngOptions): ResvgModule.ResvgRenderOptions {
  const settings = readPngOptions(options);
  const missing = settings.fontFiles.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `Cannot render PNG: font file ${
        missing[0]
      } not found (the bundled fonts live in data/fonts/)`,
    );
  }
  const family = settings.fontFamily;
  return {
    fitTo: { mode: "zoom", value: settings.scale },
    background: settings.background ?? undefined,
    font: {
      loadSystemFonts: settings.loadSystemFonts,
      fontFiles: [...settings.fontFiles],
      defaultFontFamily: family,
      sansSerifFamily: family,
      serifFamily: family,
      monospaceFamily: family,
      cursiveFamily: family,
      fantasyFamily: family,
    },
    logLevel: "off",
  };
}

function readPngOptions(options: PngOptions): Required<Omit<PngOptions, "background">> & {
  background: string | null;
} {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError("svgToPng(): options must be an object");
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) {
      throw new TypeError(
        `svgToPng(): unknown option ${key} (known options: ${OPTION_NAMES.join(", ")})`,
      );
    }
  }
  const scale = options.scale ?? 2;
  if (typeof scale !== "number" || !(scale >= 0.1 && scale <= 10)) {
    throw new TypeError(`svgToPng(): option scale must be a number from 0.1 to 10, got ${scale}`);
  }
  const background = options.background === undefined ? "white" : options.background;
  if (background !== null && typeof background !== "string") {
    throw new TypeError("svgToPng(): option background must be a CSS colour string or null");
  }
  const fontFiles = options.fontFiles ?? BUNDLED_FONT_FILES;
  if (!Array.isArray(fontFiles) || fontFiles.some((file) => typeof file !== "string")) {
    throw new TypeError("svgToPng(): option fontFiles must be an array of file paths");
  }
  const fontFamily = options.fontFamily ?? BUNDLED_FONT_FAMILY;
  if (typeof fontFamily !== "string" || fontFamily === "") {
    throw new TypeError("svgToPng(): option fontFamily must be a non-empty string");
  }
  const loadSystemFonts = options.loadSystemFonts ?? false;
  if (typeof loadSystemFonts !== "boolean") {
    throw new TypeError("svgToPng(): option loadSystemFonts must be a boolean");
  }
  return { scale, background, fontFiles, fontFamily, loadSystemFonts };
}

let resvgModule: typeof ResvgModule | undefined;

/** Loads resvg on first use, so that importing the charts needs no FFI permission. */
function loadResvg(): typeof ResvgModule {
  resvgModule ??= createRequire(import.meta.url)("@resvg/resvg-js") as typeof ResvgModule;
  return resvgModule;
}
