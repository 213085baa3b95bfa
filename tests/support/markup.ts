/**
 * Well-formedness checks for the HTML report and the SVG files, stricter than
 * a browser's forgiving parser: every element is closed in order (HTML void
 * elements excepted), attribute values are quoted, names are sane, `<` and
 * `&` in text start a tag or an entity, and `<script>`/`<style>` content
 * cannot end early.
 *
 * @module
 */

const HTML_VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "source",
  "track",
  "wbr",
]);
const RAW_TEXT = new Set(["script", "style"]);
const NAME = /^[A-Za-z][A-Za-z0-9:_.-]*$/;
const ENTITY = /^&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);/;

/**
 * Problems that make `text` not well-formed (empty when it is). `html: true`
 * allows HTML void elements and a doctype, and treats `<script>`/`<style>`
 * content as raw text; otherwise XML rules apply (SVG).
 *
 * @example
 * ```ts
 * import { markupProblems } from "./markup.ts";
 * markupProblems("<svg><g></svg>", { html: false }); // ["</svg> closes <g> at 5"]
 * ```
 */
export function markupProblems(text: string, options: { html: boolean }): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  let i = 0;
  const fail = (message: string) => {
    if (problems.length < 20) problems.push(message);
  };
  if (options.html) {
    const doctype = text.match(/^<!DOCTYPE html>\s*/i);
    if (!doctype) fail("no <!DOCTYPE html> at the start");
    else i = doctype[0].length;
  } else {
    const declaration = text.match(/^<\?xml[^?]*\?>\s*/);
    if (declaration) i = declaration[0].length;
  }
  while (i < text.length) {
    const c = text[i];
    if (c === "&") {
      if (!ENTITY.test(text.slice(i, i + 12))) fail(`bare & at ${i}`);
      i++;
      continue;
    }
    if (c === ">") {
      fail(`bare > at ${i}`);
      i++;
      continue;
    }
    if (c !== "<") {
      i++;
      continue;
    }
    if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end < 0) return [...problems, `unclosed comment at ${i}`];
      i = end + 3;
      continue;
    }
    if (text.startsWith("</", i)) {
      const end = text.indexOf(">", i);
      if (end < 0) return [...problems, `unclosed end tag at ${i}`];
      const name = text.slice(i + 2, end).trim().toLowerCase();
      const top = open.pop();
      if (top !== name) fail(`</${name}> closes <${top ?? "nothing"}> at ${i}`);
      i = end + 1;
      continue;
    }
    // start tag: name, then attributes with quoted values
    let j = i + 1;
    while (j < text.length && /[A-Za-z0-9:_.-]/.test(text[j])) j++;
    const name = text.slice(i + 1, j);
    if (!NAME.test(name)) {
      fail(`bare < at ${i}`);
      i++;
      continue;
    }
    let selfClosing = false;
    while (true) {
      while (/\s/.test(text[j] ?? "")) j++;
      if (j >= text.length) return [...problems, `unclosed <${name}> tag at ${i}`];
      if (text[j] === ">") {
        j++;
        break;
      }
      if (text.startsWith("/>", j)) {
        selfClosing = true;
        j += 2;
        break;
      }
      let k = j;
      while (k < text.length && /[^\s=>/"']/.test(text[k])) k++;
      const attribute = text.slice(j, k);
      if (!NAME.test(attribute)) {
        fail(`bad attribute name "${attribute}" in <${name}> at ${j}`);
        return problems;
      }
      j = k;
      if (text[j] === "=") {
        const quote = text[j + 1];
        if (quote !== '"' && quote !== "'") {
          fail(`unquoted value of ${attribute} in <${name}> at ${j}`);
          return problems;
        }
        const end = text.indexOf(quote, j + 2);
        if (end < 0) return [...problems, `unclosed value of ${attribute} at ${j}`];
        const value = text.slice(j + 2, end);
        if (value.includes("<")) fail(`< in the value of ${attribute} in <${name}> at ${j}`);
        j = end + 1;
      } else if (!options.html) {
        fail(`attribute ${attribute} without a value in <${name}> at ${j}`);
      }
    }
    const lower = options.html ? name.toLowerCase() : name;
    if (options.html && RAW_TEXT.has(lower) && !selfClosing) {
      const close = text.toLowerCase().indexOf(`</${lower}`, j);
      if (close < 0) return [...problems, `unclosed <${lower}> at ${i}`];
      const end = text.indexOf(">", close);
      i = end + 1;
      continue;
    }
    if (!selfClosing && !(options.html && HTML_VOID.has(lower))) open.push(lower);
    i = j;
  }
  if (open.length > 0) fail(`unclosed elements: ${open.join(" > ")}`);
  return problems;
}
