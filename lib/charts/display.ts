/**
 * Make a chart displayable in Jupyter without the library calling
 * `Deno.jupyter`: the returned object implements the display protocol the
 * Deno kernel honours (`Symbol.for("Jupyter.display")`), so a notebook cell
 * that ends with `show(chart)` draws it.
 *
 * @module
 */
import { svgString } from "./svg_string.ts";

/** An object the Deno Jupyter kernel displays as an SVG image. */
export interface Displayable {
  [key: symbol]: () => Record<string, string>;
}

/**
 * Wrap an SVG element (or SVG text) for display in a notebook.
 *
 * @example
 * ```ts ignore
 * import { show } from "./display.ts";
 * show(worldMap(rows)); // last expression of a notebook cell
 * ```
 */
export function show(svg: SVGSVGElement | string): Displayable {
  const text = typeof svg === "string" ? svg : svgString(svg);
  return { [Symbol.for("Jupyter.display")]: () => ({ "image/svg+xml": text }) };
}

/** Wrap plain text (e.g. an attribution) for display as text. */
export function showText(text: string): Displayable {
  return { [Symbol.for("Jupyter.display")]: () => ({ "text/plain": text }) };
}
