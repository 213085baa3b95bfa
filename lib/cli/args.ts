/**
 * Command-line options, as `node:util`'s `parseArgs` reads them (the subset
 * the commands use: string and boolean options, `multiple`, `short`,
 * `default`, positionals, `--name=value`, `--` ending the options). Loading
 * `node:util` (and the Node compatibility layer behind it) costs a start-up
 * of about 12 ms, a tenth of what `parse --summary` takes for a large file.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const { values, positionals } = parseArgs({
 *   args: ["--top", "5", "-h", "auth.log"],
 *   allowPositionals: true,
 *   options: { top: { type: "string", default: "10" }, help: { type: "boolean", short: "h" } },
 * });
 * console.log(values.top, values.help, positionals); // "5" true ["auth.log"]
 * ```
 *
 * @module
 */

/** One option. */
export interface OptionSpec {
  type: "string" | "boolean";
  /** Repeatable: the values are collected in an array. */
  multiple?: boolean;
  /** A one-letter alias, used as `-x`. */
  short?: string;
  default?: string | boolean | string[] | boolean[];
}

/** The value type of an option. */
type ValueOf<S extends OptionSpec> = S["type"] extends "boolean"
  ? S["multiple"] extends true ? boolean[] : boolean
  : S["multiple"] extends true ? string[]
  : string;

/** Parsed values: options with a default are always there. */
export type ParsedValues<T extends Record<string, OptionSpec>> =
  & { [K in keyof T as T[K] extends { default: unknown } ? K : never]: ValueOf<T[K]> }
  & { [K in keyof T as T[K] extends { default: unknown } ? never : K]?: ValueOf<T[K]> };

/** Read `args`; throws a TypeError naming the option for unknown options and missing values. */
export function parseArgs<const T extends Record<string, OptionSpec>>(config: {
  args: readonly string[];
  options: T;
  allowPositionals?: boolean;
}): { values: ParsedValues<T>; positionals: string[] } {
  const { args, options, allowPositionals = false } = config;
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  const shorts = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.short !== undefined) shorts.set(spec.short, name);
  }
  const set = (name: string, value: string | boolean) => {
    if (options[name].multiple) ((values[name] ??= []) as (string | boolean)[]).push(value);
    else values[name] = value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      if (!allowPositionals && i + 1 < args.length) {
        throw new TypeError(
          `Unexpected argument '${args[i + 1]}'. This command does not take positional arguments`,
        );
      }
      positionals.push(...args.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    let shown = arg;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      if (eq !== -1) inline = arg.slice(eq + 1);
      shown = `--${name}`;
    } else if (arg.length === 2 && arg[0] === "-" && arg[1] !== "-") {
      name = shorts.get(arg[1]);
      if (name === undefined) throw new TypeError(`Unknown option '${arg}'`);
    } else if (arg.startsWith("-") && arg.length > 1) {
      throw new TypeError(`Unknown option '${arg}'`);
    } else {
      if (!allowPositionals) {
        throw new TypeError(
          `Unexpected argument '${arg}'. This command does not take positional arguments`,
        );
      }
      positionals.push(arg);
      continue;
    }
    const spec = Object.hasOwn(options, name) ? options[name] : undefined;
    if (spec === undefined) throw new TypeError(`Unknown option '${shown}'`);
    if (spec.type === "boolean") {
      if (inline !== undefined) throw new TypeError(`Option '${shown}' does not take an argument`);
      set(name, true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      // a value that looks like an option is a mistake (`--top --json`), as in node:util
      if (next === undefined || next.startsWith("-")) {
        throw new TypeError(`Option '${shown} <value>' argument missing`);
      }
      value = next;
      i++;
    }
    set(name, value);
  }
  for (const [name, spec] of Object.entries(options)) {
    if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default;
  }
  return { values: values as ParsedValues<T>, positionals };
}
