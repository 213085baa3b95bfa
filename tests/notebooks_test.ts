import { join } from "node:path";
import { findCellFailure, hasJupyter, NOTEBOOK_DIR, runNotebooks } from "../lib/cli/notebooks.ts";
import { assertEquals, assertIncludes, assertOk } from "./_assert.ts";

interface Cell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: {
    output_type: string;
    data?: Record<string, string | string[]>;
    text?: string | string[];
  }[];
}

const notebookNames = [...Deno.readDirSync(NOTEBOOK_DIR)].map((e) => e.name).filter((n) =>
  n.endsWith(".ipynb")
).sort();

Deno.test("notebooks are numbered and committed without outputs or execution counts", () => {
  assertEquals(notebookNames, [
    "01_read_logs.ipynb",
    "02_enrich_ips.ipynb",
    "03_explore.ipynb",
    "04_export.ipynb",
  ]);
  for (const name of notebookNames) {
    const nb = JSON.parse(Deno.readTextFileSync(join(NOTEBOOK_DIR, name)));
    assertEquals(nb.metadata.kernelspec.name, "deno", `${name} uses the Deno kernel`);
    for (const cell of nb.cells as Cell[]) {
      if (cell.cell_type !== "code") continue;
      assertEquals(cell.outputs, [], `${name}: a code cell has outputs`);
      assertEquals(cell.execution_count, null, `${name}: a code cell has an execution count`);
    }
  }
});

Deno.test("findCellFailure() names the failing cell and its error", () => {
  const failure = findCellFailure("notebooks/x.ipynb", {
    cells: [
      { cell_type: "markdown", source: "# x" },
      { cell_type: "code", source: ["const a = 1;\n"], execution_count: 1, outputs: [] },
      {
        cell_type: "code",
        source: "throw new TypeError('boom')\n",
        execution_count: 2,
        outputs: [{ output_type: "error", ename: "TypeError", evalue: "\x1b[31mboom\x1b[0m" }],
      },
    ],
  });
  assertEquals(failure, {
    notebook: "notebooks/x.ipynb",
    cell: 3,
    executionCount: 2,
    error: "TypeError: boom",
    source: "throw new TypeError('boom')",
  });
});

const jupyter = await hasJupyter();

Deno.test({
  name: "every notebook runs through Jupyter on the Deno kernel and shows what it should",
  ignore: !jupyter,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "jailbook-notebooks-" });
    const exports = join(out, "exports");
    try {
      const runs = await runNotebooks({
        outDir: out,
        env: {
          JAILBOOK_OUT: exports,
          JAILBOOK_FRIENDLY_COUNTRIES: "DE",
          JAILBOOK_CACHE: join(out, "cache"),
        },
      });
      assertEquals(
        runs.map((r) => [r.notebook, r.failure]),
        notebookNames.map((n) => [n, undefined]),
      );
      const outputs = (name: string) => {
        const nb = JSON.parse(Deno.readTextFileSync(join(out, name)));
        return (nb.cells as Cell[]).filter((c) => c.cell_type === "code").map((c) =>
          (c.outputs ?? []).map((o) => {
            const data = o.data ?? {};
            const pick = (
              k: string,
            ) => (Array.isArray(data[k])
              ? (data[k] as string[]).join("")
              : (data[k] as string) ?? "");
            return {
              html: pick("text/html"),
              svg: pick("image/svg+xml"),
              text: pick("text/plain"),
            };
          })
        );
      };
      const all = (name: string) => outputs(name).flat();
      const count = (text: string, tag: string) => text.split(`<${tag}`).length - 1;

      const n1 = all("01_read_logs.ipynb");
      const tables1 = n1.filter((o) => o.html.includes("<table"));
      assertOk(tables1.length >= 4, "01 shows the files, problems, events and kinds tables");
      assertIncludes(tables1[0].html, "auth.log.2.gz");
      assertIncludes(tables1[0].html, "<td>2026 "); // the year of each syslog file, and how it was decided
      assertOk(tables1.some((t) => t.html.includes("failed_password")), "events by kind");
      const daily = n1.find((o) => o.svg.includes("Attempts per day"));
      assertOk(daily && count(daily.svg, "rect") >= 21, "daily chart with a bar per day");

      const n2 = all("02_enrich_ips.ipynb");
      assertOk(
        n2.some((o) => o.html.includes("dbip") && o.html.includes("fromCache")),
        "provider statistics",
      );
      assertOk(n2.some((o) => o.html.includes("country.iso_code")), "IP details table");
      const missing = n2.find((o) => o.svg.includes("missing"));
      assertOk(missing && count(missing.svg, "rect") >= 10, "missingness bars");
      assertOk(n2.some((o) => o.text.includes("DB-IP")), "DB-IP attribution");

      const n3 = all("03_explore.ipynb");
      const svgs = n3.filter((o) => o.svg);
      assertOk(svgs.length >= 7, `03 draws its charts (${svgs.length})`);
      const map = svgs.find((o) => o.svg.includes("Where the attacks come from"));
      assertOk(map && count(map.svg, "circle") > 400, "world map with a dot per located IP");
      const heatmap = svgs.find((o) => o.svg.includes('data-chart="hour-weekday"'));
      const cells = /<g[^>]*aria-label="cell"[^>]*>(.*?)<\/g>/s.exec(heatmap?.svg ?? "")?.[1] ?? "";
      assertEquals(count(cells, "rect"), 168, "heatmap has 7 × 24 cells");
      assertOk(n3.some((o) => o.html.includes("109.40.141.78")), "banned IP that also logged in");
      assertOk(
        n3.some((o) => o.html.includes("78.46.216.139")),
        "friendly-country check lists banned German IPs",
      );

      const n4 = all("04_export.ipynb");
      assertIncludes(n4.map((o) => o.html).join(""), "ips.geojson");
      for (const f of ["attempts.csv", "ips.csv", "countries.csv", "ips.parquet", "ips.geojson"]) {
        assertOk((await Deno.stat(join(exports, f))).size > 0, `${f} written`);
      }
      for (const name of notebookNames) {
        assertOk((await Deno.stat(join(out, name.replace(".ipynb", ".html")))).size > 0);
      }
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
