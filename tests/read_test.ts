import { decodeLine, newResult, readChunks, readLines } from "../lib/logs/read.ts";
import { assertEquals, assertIncludes, assertOk } from "./_assert.ts";

async function tempFile(bytes: Uint8Array | string, suffix = ".log"): Promise<string> {
  const path = await Deno.makeTempFile({ suffix });
  await Deno.writeFile(path, typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes);
  return path;
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function lines(path: string, options = {}) {
  const got: [number, string][] = [];
  const result = await readLines(path, (text, line) => got.push([line, text]), options);
  return { got, result };
}

Deno.test("readLines() numbers lines from 1 and handles a missing final newline", async () => {
  const { got, result } = await lines(await tempFile("a\nb\r\nc"));
  assertEquals(got, [[1, "a"], [2, "b"], [3, "c"]]);
  assertEquals(result.lines, 3);
});

Deno.test("readLines() joins lines split across chunks", async () => {
  const text = Array.from({ length: 500 }, (_, i) => `line ${i} ${"x".repeat(i % 37)}`).join("\n") +
    "\n";
  const { got } = await lines(await tempFile(text), { chunkBytes: 64 });
  assertEquals(got.length, 500);
  assertEquals(got[499], [500, `line 499 ${"x".repeat(499 % 37)}`]);
  assertEquals(got.map(([, t]) => t).join("\n") + "\n", text);
});

Deno.test("readLines() skips and reports a 10 MB line, keeping the lines around it", async () => {
  const big = "A".repeat(10 * 1024 * 1024);
  const { got, result } = await lines(await tempFile(`before\n${big}\nafter\n`), {
    chunkBytes: 1 << 16,
  });
  assertEquals(got, [[1, "before"], [3, "after"]]);
  assertEquals(result.longLines, 1);
  assertEquals(result.problems[0].line, 2);
  assertIncludes(result.problems[0].reason, "10485760 bytes long");
});

Deno.test("readLines() reports a long last line without a newline", async () => {
  const { got, result } = await lines(await tempFile(`ok\n${"B".repeat(100_000)}`), {
    chunkBytes: 4096,
  });
  assertEquals(got, [[1, "ok"]]);
  assertEquals(result.longLines, 1);
});

Deno.test("readLines() replaces invalid UTF-8, counts it and keeps going", async () => {
  const bytes = new Uint8Array([
    ...new TextEncoder().encode("good\nbad "),
    0xff,
    0xfe,
    10,
    ...new TextEncoder().encode("next\n"),
  ]);
  const { got, result } = await lines(await tempFile(bytes));
  assertEquals(got.map(([, t]) => t), ["good", "bad \uFFFD\uFFFD", "next"]);
  assertEquals(result.invalidUtf8, 1);
  assertEquals(result.problems[0], { line: 2, reason: "invalid UTF-8 (replaced with U+FFFD)" });
});

Deno.test("readLines() removes NUL bytes and reports the line", async () => {
  const { got, result } = await lines(await tempFile("one\n\0\0\0\0two\nthree\n"));
  assertEquals(got.map(([, t]) => t), ["one", "two", "three"]);
  assertEquals(result.nulLines, 1);
  assertEquals(result.problems[0].line, 2);
});

Deno.test("readLines() reads binary garbage without throwing", async () => {
  const random = new Uint8Array(200_000);
  for (let i = 0; i < random.length; i += 65536) {
    crypto.getRandomValues(random.subarray(i, i + 65536));
  }
  const { result } = await lines(await tempFile(random));
  assertOk(result.lines > 0);
  assertOk(result.invalidUtf8 > 0);
});

Deno.test("readLines() reads an empty file as no lines", async () => {
  const { got, result } = await lines(await tempFile(""));
  assertEquals(got, []);
  assertEquals(result.problems, []);
});

Deno.test("readLines() decompresses gzip by name", async () => {
  const path = await tempFile(await gzip("x\ny\n"), ".log.2.gz");
  const { got } = await lines(path);
  assertEquals(got, [[1, "x"], [2, "y"]]);
});

Deno.test("readLines() keeps the lines before a truncated gzip and reports it", async () => {
  const text = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${Math.sin(i)}`).join("\n") +
    "\n";
  const full = await gzip(text);
  const path = await tempFile(full.subarray(0, Math.floor(full.length * 0.6)), ".gz");
  const { got, result } = await lines(path);
  assertOk(result.truncated, "truncated");
  assertOk(got.length > 1000, `kept ${got.length} lines`);
  assertEquals(got[0], [1, "line 0 0"]);
  assertIncludes(
    result.problems.find((p) => p.line === 0)!.reason,
    "gzip data ends early or is corrupt",
  );
});

Deno.test("readLines() reports a .gz file that is not gzip", async () => {
  const { got, result } = await lines(await tempFile("plain text\n", ".gz"));
  assertEquals(got, []);
  assertOk(result.truncated);
});

Deno.test("readLines() stops at limitBytes", async () => {
  const text = "0123456789\n".repeat(100_000);
  const { result } = await lines(await tempFile(text), { limitBytes: 1000, chunkBytes: 1024 });
  assertOk(result.bytes <= 2048);
});

async function chunks(path: string, options = {}, count = true) {
  const got: { firstLine: number; text: string }[] = [];
  const result = await readChunks(path, (bytes, start, end, firstLine) => {
    const text = new TextDecoder().decode(bytes.subarray(start, end));
    got.push({ firstLine, text });
    if (count) return text.split("\n").length - 1;
  }, options);
  return { got, result };
}

Deno.test("readChunks() hands out whole lines, each ending in a newline, numbered from 1", async () => {
  const text = Array.from({ length: 300 }, (_, i) => `line ${i} ${"x".repeat(i % 41)}`).join("\n");
  for (const count of [true, false]) {
    const { got, result } = await chunks(await tempFile(text), { chunkBytes: 100 }, count);
    assertOk(got.length > 10, `${got.length} chunks`);
    let next = 1;
    for (const chunk of got) {
      assertEquals(chunk.firstLine, next);
      assertOk(chunk.text.endsWith("\n"));
      next += chunk.text.split("\n").length - 1;
    }
    assertEquals(got.map((c) => c.text).join(""), text + "\n"); // the last line gets its newline
    assertEquals(result.lines, 300);
  }
});

Deno.test("readChunks() skips an over-long line inside a chunk and keeps the numbering", async () => {
  const lines = ["one", "x".repeat(5000), "three", "y".repeat(2001), "five"];
  const { got, result } = await chunks(await tempFile(lines.join("\n") + "\n"), {
    chunkBytes: 1 << 16,
    maxLineBytes: 2000,
  });
  assertEquals(got.map((c) => [c.firstLine, c.text]), [[1, "one\n"], [3, "three\n"], [
    5,
    "five\n",
  ]]);
  assertEquals(result.longLines, 2);
  assertEquals(result.lines, 3);
  assertEquals(result.problems.map((p) => p.line), [2, 4]);
  assertIncludes(result.problems[0].reason, "5000 bytes long");
});

Deno.test("readChunks() drops a byte-order mark at the start of the file only", async () => {
  const bom = "\uFEFF";
  const { got } = await chunks(await tempFile(`${bom}first\n${bom}second\n`));
  assertEquals(got.map((c) => c.text).join(""), `first\n${bom}second\n`);
  const { got: lines } = await lines2(await tempFile(`${bom}first\n${bom}second\n`));
  assertEquals(lines, ["first", `${bom}second`]);
});

async function lines2(path: string) {
  const got: string[] = [];
  await readLines(path, (text) => got.push(text), { chunkBytes: 3 });
  return { got };
}

Deno.test("readChunks() reads gzip and agrees with readLines() on line numbers", async () => {
  const text = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join("\n") + "\n";
  const path = await tempFile(await gzip(text), ".log.1.gz");
  const { got, result } = await chunks(path);
  assertEquals(got.map((c) => c.text).join(""), text);
  const viaLines = await lines(path);
  assertEquals(viaLines.result.lines, result.lines);
  assertEquals(viaLines.got[4999], [5000, "line 4999"]);
});

Deno.test("decodeLine() decodes one line as readLines() does, reporting damage", () => {
  const bytes = new Uint8Array([...new TextEncoder().encode("a\0b"), 0xff, 13]);
  const result = newResult();
  assertEquals(decodeLine(bytes, 0, bytes.length, 7, result), "ab\uFFFD");
  assertEquals(result.nulLines, 1);
  assertEquals(result.invalidUtf8, 1);
  assertEquals(result.problems.map((p) => p.line), [7, 7]);
});
