/**
 * POSIX path helpers with the results of `node:path`'s (`normalize`, `join`,
 * `resolve`, `relative`, `dirname`, `basename`), for the code that runs at
 * the start of `deno task parse`: loading `node:path` (and the Node
 * compatibility layer behind it) costs about 12 ms of start-up.
 * tests/posix_path_test.ts compares them with `node:path` on many paths.
 *
 * @module
 */

/** `path` without `.` segments, `..` resolved where it can be, single slashes. */
export function normalize(path: string): string {
  if (path === "") return ".";
  const absolute = path.startsWith("/");
  const trailing = path.endsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else out.push(part);
  }
  let result = (absolute ? "/" : "") + out.join("/");
  if (result === "") return absolute ? "/" : trailing ? "./" : ".";
  if (trailing && result !== "/") result += "/";
  return result;
}

/** The parts joined by `/`, normalised. */
export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/** An absolute, normalised path: `parts` from the right until one is absolute, then the working directory. */
export function resolve(...parts: string[]): string {
  let path = "";
  for (let i = parts.length - 1; i >= 0 && !path.startsWith("/"); i--) {
    if (parts[i] !== "") path = path === "" ? parts[i] : `${parts[i]}/${path}`;
  }
  if (!path.startsWith("/")) path = path === "" ? Deno.cwd() : `${Deno.cwd()}/${path}`;
  const result = normalize(path);
  return result.length > 1 && result.endsWith("/") ? result.slice(0, -1) : result;
}

/** The path from `from` to `to` (both resolved first). */
export function relative(from: string, to: string): string {
  const a = resolve(from).split("/").filter((p) => p !== "");
  const b = resolve(to).split("/").filter((p) => p !== "");
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return [...a.slice(common).map(() => ".."), ...b.slice(common)].join("/");
}

/** `path` without its last segment (trailing slashes ignored), as node:path cuts it. */
export function dirname(path: string): string {
  if (path === "") return ".";
  const hasRoot = path[0] === "/";
  let end = -1;
  let matchedSlash = true;
  for (let i = path.length - 1; i >= 1; i--) {
    if (path[i] === "/") {
      if (!matchedSlash) {
        end = i;
        break;
      }
    } else matchedSlash = false;
  }
  if (end === -1) return hasRoot ? "/" : ".";
  if (hasRoot && end === 1) return "//";
  return path.slice(0, end);
}

/** The last segment of `path` (trailing slashes ignored). */
export function basename(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === "/") end--;
  if (end === 1 && path[0] === "/") return "";
  return path.slice(path.lastIndexOf("/", end - 1) + 1, end);
}
