import * as node from "node:path";
import { basename, dirname, join, normalize, relative, resolve } from "../lib/posix_path.ts";
import { assertEquals } from "./_assert.ts";

const PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "a",
  "a/",
  "/a",
  "/a/",
  "a/b",
  "a//b",
  "/a/b/",
  "a/./b",
  "a/../b",
  "../a",
  "../../a/b",
  "/../a",
  "a/..",
  "a/../..",
  "./",
  "/var/log/auth.log",
  "/var/log/apache2/access.log.2.gz",
  "data/sample/",
  "data//sample///",
  "../jailbook/data/./sample/../sample",
  "a b/c d",
  "/var/log/..//lib/fail2ban/",
];

Deno.test("posix_path gives what node:path gives", () => {
  for (const p of PATHS) {
    assertEquals(normalize(p), node.posix.normalize(p), `normalize(${JSON.stringify(p)})`);
    assertEquals(dirname(p), node.posix.dirname(p), `dirname(${JSON.stringify(p)})`);
    assertEquals(basename(p), node.posix.basename(p), `basename(${JSON.stringify(p)})`);
    assertEquals(resolve(p), node.posix.resolve(p), `resolve(${JSON.stringify(p)})`);
    for (const q of PATHS.slice(0, 12)) {
      assertEquals(join(p, q), node.posix.join(p, q), `join(${JSON.stringify([p, q])})`);
      assertEquals(resolve(p, q), node.posix.resolve(p, q), `resolve(${JSON.stringify([p, q])})`);
      assertEquals(
        relative(p, q),
        node.posix.relative(p, q),
        `relative(${JSON.stringify([p, q])})`,
      );
    }
  }
  assertEquals(join("a", "", "b", ".."), node.posix.join("a", "", "b", ".."));
  assertEquals(join(), node.posix.join());
  assertEquals(resolve(), node.posix.resolve());
});
