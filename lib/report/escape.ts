/**
 * Escaping for everything the report renders. Log text is chosen by attackers
 * (user names, request paths, user agents, host names), so every value goes
 * through one of these before it reaches HTML or a `<script>` block (for
 * terminals and text files, lib/logs/summary.ts `printable`).
 *
 * @module
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

// Characters HTML cannot carry (C0 controls except tab/LF/CR, DEL, C1, non-characters).
// deno-lint-ignore no-control-regex -- matching control characters is the point
const NOT_HTML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g;

/**
 * Text as HTML text or attribute content: `& < > " '` become entities,
 * control characters and lone surrogates become U+FFFD, so the result is inert
 * anywhere outside `<script>`/`<style>` (in an element's text or a quoted
 * attribute value).
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./escape.ts";
 * escapeHtml('<img src=x onerror="alert(1)">'); // "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
 * ```
 */
export function escapeHtml(text: unknown): string {
  return String(text ?? "").toWellFormed().replace(NOT_HTML, "\ufffd").replace(
    /[&<>"']/g,
    (c) => HTML_ESCAPES[c],
  );
}

/**
 * A value as JSON that is safe inside an HTML `<script type="application/json">`
 * block: `<`, `>`, `&` and U+2028/U+2029 are written as `\u` escapes, so no
 * string in the data can close the block (`</script>`), open a comment or
 * change how the page is parsed; `JSON.parse` of the block's text gives the
 * value back.
 *
 * @example
 * ```ts
 * import { jsonForHtml } from "./escape.ts";
 * jsonForHtml({ user: "</script>" }); // '{"user":"\\u003c/script\\u003e"}'
 * ```
 */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
