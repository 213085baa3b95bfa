/**
 * Serialises a chart to the text of a standalone `.svg` file.
 *
 * @module
 */
import { SVG_NS } from "./_render.ts";

const XLINK_NS = "http://www.w3.org/1999/xlink";

// Characters XML 1.0 cannot hold at all (even escaped), and lone surrogates.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/**
 * Serialises an SVG element as XML text that a browser, an image viewer or resvg can open as a
 * `.svg` file, and that can also be inlined in HTML: the root gets `xmlns` (and `xmlns:xlink` when
 * `xlink:` attributes are used); text and attribute values are escaped (`&`, `<`, `>`, `"`), so
 * attacker-controlled labels stay text; characters XML cannot hold become U+FFFD. Comments and
 * processing instructions are dropped. A string is returned unchanged.
 *
 * @example
 * ```ts
 * import { svgString, topBarChart } from "./mod.ts";
 * const svg = topBarChart([{ user: "root", attempts: 12 }], { label: "user" });
 * await Deno.writeTextFile("/tmp/users.svg", svgString(svg));
 * ```
 */
export function svgString(svg: SVGSVGElement | Element | string): string {
  if (typeof svg === "string") return svg;
  const out: string[] = [];
  const state = { xlink: false };
  serialize(svg, out, state);
  // the root's xmlns:xlink, once its descendants are known to use it
  if (state.xlink && !svg.hasAttribute("xmlns:xlink")) {
    out[XLINK_SLOT] = ` xmlns:xlink="${XLINK_NS}"`;
  }
  return out.join("");
}

/** Where the root's `xmlns:xlink` goes in the output, when needed (after `<`, name, `xmlns`). */
const XLINK_SLOT = 3;

function serialize(node: Node, out: string[], state: { xlink: boolean }): void {
  if (node.nodeType === 3 /* text */ || node.nodeType === 4 /* CDATA */) {
    out.push(escapeText(node.nodeValue ?? ""));
    return;
  }
  if (node.nodeType !== 1 /* element */) return;
  const element = node as Element;
  const name = element.localName ?? element.nodeName.toLowerCase();
  out.push("<", name);
  if (out.length === 2) {
    // the root
    out.push(element.hasAttribute("xmlns") ? "" : ` xmlns="${SVG_NS}"`, "");
  }
  for (const attribute of Array.from(element.attributes)) {
    const key = attribute.name;
    // Event handler attributes never belong in a chart.
    if (
      key.length > 1 && (key[0] === "o" || key[0] === "O") && (key[1] === "n" || key[1] === "N")
    ) {
      continue;
    }
    if (key.startsWith("xlink:")) state.xlink = true;
    out.push(" ", key, '="', escapeAttribute(attribute.value), '"');
  }
  const children = element.childNodes;
  if (children.length === 0) {
    out.push("/>");
    return;
  }
  out.push(">");
  for (const child of Array.from(children)) serialize(child, out, state);
  out.push("</", name, ">");
}

// What escapeText and escapeAttribute change: most values have none of it, and
// are written as they are (a map has tens of thousands of them).
// deno-lint-ignore no-control-regex -- matching control characters is the point
const TEXT_SPECIAL = /[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
// deno-lint-ignore no-control-regex -- matching control characters is the point
const ATTRIBUTE_SPECIAL = /[&<>"\u0000-\u001f\ufffe\uffff]/;

/** `text` as XML character data (`&`, `<`, `>` escaped; what XML cannot hold as U+FFFD). */
export function escapeText(text: string): string {
  if (!TEXT_SPECIAL.test(text) && text.isWellFormed()) return text;
  return text.toWellFormed().replace(NOT_XML, "\ufffd").replace(/&/g, "&amp;")
    .replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `text` as a double-quoted XML attribute value. */
export function escapeAttribute(text: string): string {
  if (!ATTRIBUTE_SPECIAL.test(text) && text.isWellFormed()) return text;
  return escapeText(text).replace(/"/g, "&quot;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}
