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
  const parts: string[] = [];
  serialize(svg, true, parts);
  return parts.join("");
}

function serialize(node: Node, isRoot: boolean, out: string[]): void {
  if (node.nodeType === 3 /* text */ || node.nodeType === 4 /* CDATA */) {
    out.push(escapeText(node.nodeValue ?? ""));
    return;
  }
  if (node.nodeType !== 1 /* element */) return;
  const element = node as Element;
  const name = element.localName ?? element.nodeName.toLowerCase();
  out.push("<", name);
  const attributes = Array.from(element.attributes);
  if (isRoot) {
    if (!element.hasAttribute("xmlns")) out.push(` xmlns="${SVG_NS}"`);
    if (
      !element.hasAttribute("xmlns:xlink") && hasXlink(element)
    ) out.push(` xmlns:xlink="${XLINK_NS}"`);
  }
  for (const attribute of attributes) {
    const key = attribute.name;
    // Event handler attributes never belong in a chart.
    if (/^on/i.test(key)) continue;
    out.push(" ", key, '="', escapeAttribute(attribute.value), '"');
  }
  const children = Array.from(element.childNodes);
  if (children.length === 0) {
    out.push("/>");
    return;
  }
  out.push(">");
  for (const child of children) serialize(child, false, out);
  out.push("</", name, ">");
}

function hasXlink(element: Element): boolean {
  for (const attribute of Array.from(element.attributes)) {
    if (attribute.name.startsWith("xlink:")) return true;
  }
  for (const child of Array.from(element.children)) {
    if (hasXlink(child)) return true;
  }
  return false;
}

function escapeText(text: string): string {
  return text.toWellFormed().replace(NOT_XML, "\ufffd").replace(/&/g, "&amp;")
    .replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, "&quot;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}
