import { parseArgs as nodeParseArgs } from "node:util";
import { parseArgs } from "../lib/cli/args.ts";
import { assertEquals, assertOk } from "./_assert.ts";

const OPTIONS = {
  logs: { type: "string", multiple: true },
  top: { type: "string", default: "10" },
  year: { type: "string" },
  summary: { type: "boolean", default: false },
  json: { type: "boolean" },
  only: { type: "string", multiple: true },
  "dry-run": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

Deno.test("parseArgs() reads what node:util's parseArgs reads", () => {
  const cases = [
    [],
    ["auth.log"],
    ["--summary", "auth.log", "secure"],
    ["--top", "5", "--top", "7"],
    ["--top=3", "--year", "2024"],
    ["--logs", "a", "--logs", "b", "c"],
    ["--logs=a=b"],
    ["-h"],
    ["--help", "--json", "--dry-run"],
    ["--", "--summary", "-h"],
    ["--year", "", "x"],
    ["--only", "a", "--", "b"],
    ["-"],
  ];
  for (const args of cases) {
    const ours = parseArgs({ args, options: OPTIONS, allowPositionals: true });
    const theirs = nodeParseArgs({ args, options: OPTIONS, allowPositionals: true });
    assertEquals(
      { values: { ...ours.values }, positionals: ours.positionals },
      { values: { ...theirs.values }, positionals: theirs.positionals },
      JSON.stringify(args),
    );
  }
});

Deno.test("parseArgs() rejects what node:util's parseArgs rejects, naming the option", () => {
  const cases: [string[], string][] = [
    [["--bogus"], "--bogus"],
    [["-x"], "-x"],
    [["--top"], "--top"],
    [["--top", "--json"], "--top"],
    [["--top", "-1"], "--top"],
    [["--summary=yes"], "--summary"],
    [["-abc"], "-abc"],
  ];
  for (const [args, named] of cases) {
    let ours: Error | undefined;
    try {
      parseArgs({ args, options: OPTIONS, allowPositionals: true });
    } catch (error) {
      ours = error as Error;
    }
    assertOk(ours instanceof TypeError, `${JSON.stringify(args)} is rejected`);
    assertOk(ours.message.includes(named), `${ours.message} names ${named}`);
    let theirs: unknown;
    try {
      nodeParseArgs({ args, options: OPTIONS, allowPositionals: true });
    } catch (error) {
      theirs = error;
    }
    assertOk(theirs !== undefined, `node:util rejects ${JSON.stringify(args)} too`);
  }
  // positionals only where allowed
  let rejected = false;
  try {
    parseArgs({ args: ["file"], options: OPTIONS });
  } catch {
    rejected = true;
  }
  assertOk(rejected);
});
