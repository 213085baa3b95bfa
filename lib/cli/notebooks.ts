/**
 * `deno task notebooks`: execute every notebook in notebooks/ headless, in
 * order, through real Jupyter (nbconvert/nbclient) on the Deno kernel, and
 * write executed `.ipynb` and HTML copies to the output directory. A failing
 * cell fails the command and names the notebook and cell.
 *
 * The Deno kernel spec is written inside the project (`.jupyter/kernels/deno`,
 * found through `JUPYTER_PATH`), so nothing outside the project is touched.
 * Parameters reach the notebooks as environment variables (see the first cell
 * of each notebook): JAILBOOK_LOGS, JAILBOOK_PROVIDERS, JAILBOOK_OUT,
 * JAILBOOK_FRIENDLY_COUNTRIES, JAILBOOK_FRIENDLY_NETWORKS, JAILBOOK_TIMEZONE,
 * JAILBOOK_YEAR, JAILBOOK_CACHE.
 *
 * @module
 */
import { parseArgs } from "./args.ts";
import { basename, join, resolve } from "node:path";
import { PROJECT_ROOT } from "../paths.ts";

/** The notebooks folder. */
export const NOTEBOOK_DIR = join(PROJECT_ROOT, "notebooks");
/** Where the project-local kernel spec lives. */
export const JUPYTER_DIR = join(PROJECT_ROOT, ".jupyter");

/** A notebook cell that raised. */
export interface CellFailure {
  notebook: string;
  /** 1-based index among all cells. */
  cell: number;
  /** Execution count shown as `In [n]`, if any. */
  executionCount: number | null;
  error: string;
  /** The first line of the cell's source. */
  source: string;
}

/** Write the Deno kernel spec into the project; returns the JUPYTER_PATH to use. */
export async function installKernelSpec(denoPath = Deno.execPath()): Promise<string> {
  const dir = join(JUPYTER_DIR, "kernels", "deno");
  await Deno.mkdir(dir, { recursive: true });
  const spec = {
    argv: [denoPath, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
    env: { NO_COLOR: "1" },
  };
  await Deno.writeTextFile(join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  return JUPYTER_DIR;
}

/** True when `jupyter nbconvert` can be run. */
export async function hasJupyter(): Promise<boolean> {
  try {
    const out = await new Deno.Command("jupyter", {
      args: ["nbconvert", "--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** Remove terminal colour codes (kernels colour their tracebacks). */
function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex -- the escape character is what is being removed
  return text.replaceAll(/\u001b\[[0-9;]*m/g, "");
}

/** The first cell with an error output in an executed notebook, or undefined. */
export function findCellFailure(notebookPath: string, notebook: {
  cells: {
    cell_type: string;
    source: string | string[];
    execution_count?: number | null;
    outputs?: Record<string, unknown>[];
  }[];
}): CellFailure | undefined {
  for (let i = 0; i < notebook.cells.length; i++) {
    const cell = notebook.cells[i];
    const error = cell.outputs?.find((o) => o.output_type === "error");
    if (!error) continue;
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    return {
      notebook: notebookPath,
      cell: i + 1,
      executionCount: cell.execution_count ?? null,
      error: stripAnsi(`${error.ename}: ${error.evalue}`),
      source: source.split("\n")[0].slice(0, 120),
    };
  }
  return undefined;
}

/** Options of {@linkcode runNotebooks}. */
export interface RunNotebooksOptions {
  /** Output directory. @default data/out/notebooks */
  outDir?: string;
  /** Notebook file names to run (default: all, in name order). */
  only?: string[];
  /** Extra environment for the kernels (parameters). */
  env?: Record<string, string>;
  /** Seconds a cell may run. @default 600 */
  cellTimeout?: number;
  /** Called with a line of progress. */
  onProgress?: (line: string) => void;
}

/** What ran. */
export interface NotebookRun {
  notebook: string;
  executed: string;
  html: string;
  seconds: number;
  failure?: CellFailure;
}

async function run(cmd: string, args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  return { ok: out.success, stderr: new TextDecoder().decode(out.stderr) };
}

/**
 * Execute the notebooks in order; stops at the first notebook with a failing
 * cell (later notebooks depend on earlier ones' questions, not their state,
 * but a failure usually means bad parameters).
 */
export async function runNotebooks(options: RunNotebooksOptions = {}): Promise<NotebookRun[]> {
  const outDir = resolve(options.outDir ?? join(PROJECT_ROOT, "data", "out", "notebooks"));
  await Deno.mkdir(outDir, { recursive: true });
  const jupyterPath = await installKernelSpec();
  const names = (await Array.fromAsync(Deno.readDir(NOTEBOOK_DIR)))
    .map((e) => e.name)
    .filter((n) =>
      n.endsWith(".ipynb") &&
      (!options.only || options.only.includes(n) ||
        options.only.includes(n.replace(/\.ipynb$/, "")))
    )
    .sort();
  const runtime = await Deno.makeTempDir({ prefix: "jailbook-jupyter-" });
  const env = {
    ...Deno.env.toObject(),
    JUPYTER_PATH: jupyterPath,
    JUPYTER_RUNTIME_DIR: runtime,
    JUPYTER_PLATFORM_DIRS: "1",
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    JAILBOOK_OUT: options.env?.JAILBOOK_OUT ?? join(outDir, "data"),
    ...options.env,
  };
  const runs: NotebookRun[] = [];
  try {
    for (const name of names) {
      const started = performance.now();
      options.onProgress?.(`running ${name}`);
      const stem = name.replace(/\.ipynb$/, "");
      const executed = join(outDir, `${stem}.ipynb`);
      const result = await run("jupyter", [
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--allow-errors",
        `--ExecutePreprocessor.timeout=${options.cellTimeout ?? 600}`,
        "--ExecutePreprocessor.kernel_name=deno",
        "--output-dir",
        outDir,
        "--output",
        stem,
        join(NOTEBOOK_DIR, name),
      ], env);
      if (!result.ok) {
        throw new Error(
          `jupyter nbconvert could not run notebooks/${name}: ${
            result.stderr.trim().split("\n").slice(-3).join(" ")
          }`,
        );
      }
      const notebook = JSON.parse(await Deno.readTextFile(executed));
      const failure = findCellFailure(`notebooks/${name}`, notebook);
      const html = join(outDir, `${stem}.html`);
      const htmlResult = await run("jupyter", [
        "nbconvert",
        "--to",
        "html",
        "--output-dir",
        outDir,
        executed,
      ], env);
      if (!htmlResult.ok) {
        throw new Error(`jupyter nbconvert could not write HTML for ${basename(executed)}`);
      }
      runs.push({
        notebook: name,
        executed,
        html,
        seconds: (performance.now() - started) / 1000,
        failure,
      });
      if (failure) break;
    }
  } finally {
    await Deno.remove(runtime, { recursive: true }).catch(() => {});
  }
  return runs;
}

const HELP = `Usage: deno task notebooks [--out DIR] [--logs DIR] [--only NAME]...

Executes notebooks/*.ipynb in order through Jupyter (nbconvert) on the Deno
kernel and writes executed notebooks and HTML copies to --out (default
data/out/notebooks). Parameters are read by the notebooks from the environment:
JAILBOOK_LOGS (log folder, default the bundled sample), JAILBOOK_PROVIDERS
(default dbip,asn), JAILBOOK_FRIENDLY_COUNTRIES (e.g. DE,BE),
JAILBOOK_FRIENDLY_NETWORKS (ASNs), JAILBOOK_TIMEZONE, JAILBOOK_YEAR,
JAILBOOK_CACHE, JAILBOOK_OUT (exports of 04_export).

Needs Jupyter: on Debian/Ubuntu
  sudo apt-get install -y --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client`;

/** CLI entry. */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        out: { type: "string" },
        logs: { type: "string" },
        only: { type: "string", multiple: true },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    console.error(
      `jailbook notebooks: ${(error as Error).message}\nTry: deno task notebooks --help`,
    );
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!(await hasJupyter())) {
    console.error(
      "jailbook notebooks: Jupyter's nbconvert is not installed. On Debian/Ubuntu:\n" +
        "  sudo apt-get update && sudo apt-get install -y --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client",
    );
    return 1;
  }
  const env: Record<string, string> = {};
  if (values.logs) env.JAILBOOK_LOGS = resolve(values.logs);
  const runs = await runNotebooks({
    outDir: values.out,
    only: values.only,
    env,
    onProgress: (line) => console.error(line),
  });
  for (const r of runs) {
    console.error(
      `${r.failure ? "FAILED" : "ok"}  ${r.notebook}  ${r.seconds.toFixed(1)} s  → ${r.html}`,
    );
  }
  const failed = runs.find((r) => r.failure);
  if (failed?.failure) {
    const f = failed.failure;
    console.error(
      `jailbook notebooks: ${f.notebook} cell ${f.cell}${
        f.executionCount ? ` (In [${f.executionCount}])` : ""
      } failed: ${f.error}\n  ${f.source}`,
    );
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
