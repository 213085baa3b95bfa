/**
 * report.html in a real headless Chromium (Debian's `chromium`, driven over
 * the DevTools protocol by tests/support/browser.ts): it opens from disk with
 * no console error and no request but itself, the charts and the map render
 * (checked on a screenshot), hovering a dot shows its IP, clicking shows its
 * details, zoom and sorting work, and a report built from hostile logs runs
 * no injected script.
 *
 * Skipped, with a message, when no Chromium is installed (tools/setup.ts
 * installs it where it may).
 */
import { join } from "node:path";
import { SAMPLE_DIR } from "../lib/paths.ts";
import { runAnalysis } from "../lib/report/run.ts";
import { assertEquals, assertIncludes, assertOk } from "./_assert.ts";
import { HOSTILE_USERNAMES, hostileLogs } from "./support/analyse_fixtures.ts";
import { type Browser, findChromium, launchBrowser, type Page } from "./support/browser.ts";
import { type DecodedPng, decodePng, distinctColours, inkFraction } from "./support/png.ts";

const CHROMIUM = await findChromium();
if (!CHROMIUM) {
  console.warn(
    "report_browser_test: SKIPPED: no Chromium found (install Debian's chromium: " +
      "sudo apt-get install -y --no-install-recommends chromium, or run deno run -A tools/setup.ts)",
  );
}

/** The part of a screenshot inside a viewport rectangle. */
function crop(image: DecodedPng, rect: { x: number; y: number; width: number; height: number }) {
  const x0 = Math.max(0, Math.floor(rect.x)), y0 = Math.max(0, Math.floor(rect.y));
  const width = Math.min(image.width - x0, Math.floor(rect.width));
  const height = Math.min(image.height - y0, Math.floor(rect.height));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    rgba.set(
      image.rgba.subarray(
        ((y0 + y) * image.width + x0) * 4,
        ((y0 + y) * image.width + x0 + width) * 4,
      ),
      y * width * 4,
    );
  }
  return { width, height, rgba };
}

/** Pixels close to the map's dot colour (vermillion #D55E00, drawn at 65 % opacity). */
function dotPixels(image: DecodedPng): number {
  let n = 0;
  for (let d = 0; d < image.rgba.length; d += 4) {
    const [r, g, b] = [image.rgba[d], image.rgba[d + 1], image.rgba[d + 2]];
    if (r > 180 && g > 70 && g < 160 && b < 110 && r - b > 120) n++;
  }
  return n;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function openReport(browser: Browser, file: string): Promise<Page> {
  const page = await browser.newPage({ width: 1280, height: 1000 });
  await page.goto(`file://${file}`);
  await sleep(100);
  return page;
}

function assertQuiet(page: Page, file: string) {
  assertEquals(page.record.exceptions, [], "no uncaught exception");
  assertEquals(page.record.errors, [], "no console error, CSP violation or failed load");
  assertEquals(page.record.dialogs, [], "no dialog");
  assertEquals(page.record.requests, [`file://${file}`], "no request but the page itself");
}

Deno.test({
  name: "report.html in headless Chromium: renders offline, the map is interactive, tables sort",
  ignore: !CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const out = await Deno.makeTempDir({ prefix: "jailbook-report-" });
    const run = await runAnalysis({ logs: [SAMPLE_DIR], out, timeZone: "UTC", offline: true });
    const file = join(run.folder, "report.html");
    const browser = await launchBrowser(CHROMIUM!);
    try {
      const page = await openReport(browser, file);

      await t.step("it opens from disk with no error and no network request", async () => {
        assertEquals(await page.evaluate("document.readyState"), "complete");
        assertIncludes(await page.evaluate<string>("document.title"), "jailbook report");
        assertQuiet(page, file);
      });

      await t.step("every chart renders, and a screenshot of the page is not blank", async () => {
        const sizes = await page.evaluate<{ chart: string; width: number; height: number }[]>(`
          Array.from(document.querySelectorAll("svg[data-chart]")).map((svg) => {
            const r = svg.getBoundingClientRect();
            return { chart: svg.getAttribute("data-chart"), width: r.width, height: r.height };
          })`);
        assertEquals(sizes.length, 7);
        for (const s of sizes) {
          assertOk(s.width > 500 && s.height > 100, `${s.chart} is ${s.width}×${s.height}`);
        }
        const image = await decodePng(await page.screenshot());
        assertOk(inkFraction(image) > 0.05, "the top of the page shows something");
        assertOk(distinctColours(image) > 50);
      });

      await t.step("the map draws land and one dot per located IP", async () => {
        await page.evaluate(`document.getElementById("map").scrollIntoView()`);
        await sleep(100);
        const map = await page.evaluate<
          {
            dots: number;
            rows: number;
            rect: { x: number; y: number; width: number; height: number };
          }
        >(`(() => {
          const wrap = document.querySelector("#map-figure .map-wrap");
          const r = wrap.getBoundingClientRect();
          return {
            dots: document.querySelectorAll("#map-figure circle[data-ip]").length,
            rows: JSON.parse(document.getElementById("jailbook-data").textContent).map.rows.length,
            rect: { x: r.x, y: r.y, width: r.width, height: Math.min(r.height, 1000 - r.y) },
          };
        })()`);
        assertEquals(map.dots, map.rows);
        assertEquals(map.dots, run.summary.geo.located);
        const shot = crop(await decodePng(await page.screenshot()), map.rect);
        assertOk(inkFraction(shot) > 0.2, `the map is drawn (${inkFraction(shot)})`);
        assertOk(dotPixels(shot) > 200, `dots are visible (${dotPixels(shot)} dot pixels)`);
      });

      await t.step("hovering a dot shows its IP; clicking shows its details", async () => {
        // a dot that is on top at its centre (small dots are drawn over big ones)
        const target = await page.evaluate<{ ip: string; x: number; y: number } | null>(`(() => {
          for (const c of document.querySelectorAll("#map-figure circle[data-ip]")) {
            const r = c.getBoundingClientRect();
            const x = r.x + r.width / 2, y = r.y + r.height / 2;
            if (y > 0 && y < innerHeight && document.elementFromPoint(x, y) === c) {
              return { ip: c.getAttribute("data-ip"), x, y };
            }
          }
          return null;
        })()`);
        assertOk(target, "a dot can be hovered");
        await page.mouseMove(target.x, target.y);
        await sleep(50);
        const tooltip = await page.evaluate<{ hidden: boolean; text: string; visible: boolean }>(
          `(() => {
          const t = document.getElementById("map-tooltip");
          const r = t.getBoundingClientRect();
          return { hidden: t.hidden, text: t.textContent, visible: r.width > 0 && r.height > 0 };
        })()`,
        );
        assertOk(!tooltip.hidden && tooltip.visible, "the tooltip shows");
        assertIncludes(tooltip.text, target.ip);
        assertIncludes(tooltip.text, "attempts");
        await page.click(target.x, target.y);
        await sleep(50);
        const details = await page.evaluate<string>(
          `document.getElementById("map-details").textContent`,
        );
        assertIncludes(details, target.ip);
        assertIncludes(details, "Attempts");
        assertEquals(
          await page.evaluate(`document.querySelector("circle.selected").getAttribute("data-ip")`),
          target.ip,
        );
        // moving away hides the tooltip
        await page.mouseMove(5, 5);
        await sleep(50);
        assertEquals(await page.evaluate(`document.getElementById("map-tooltip").hidden`), true);
      });

      await t.step("the map zooms (buttons, wheel) and pans, and resets", async () => {
        const scale = () =>
          page.evaluate<number>(`(() => {
            const m = /scale\\(([0-9.]+)\\)/.exec(document.querySelector(".jb-zoom").getAttribute("transform") || "");
            return m ? Number(m[1]) : 1;
          })()`);
        await page.evaluate(`document.getElementById("map-reset").click()`);
        await sleep(50);
        assertEquals(await scale(), 1);
        await page.evaluate(`document.getElementById("map-zoom-in").click()`);
        await sleep(50);
        assertEquals(await scale(), 2);
        const box = await page.evaluate<{ x: number; y: number }>(`(() => {
          const r = document.querySelector("#map-figure svg").getBoundingClientRect();
          return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
        })()`);
        await page.send("Input.dispatchMouseEvent", {
          type: "mouseWheel",
          x: box.x,
          y: box.y,
          deltaX: 0,
          deltaY: -400,
        });
        await sleep(100);
        assertOk((await scale()) > 2, "the wheel zooms in");
        const before = await page.evaluate<string>(
          `document.querySelector(".jb-zoom").getAttribute("transform")`,
        );
        await page.send("Input.dispatchMouseEvent", {
          type: "mousePressed",
          x: box.x,
          y: box.y,
          button: "left",
          buttons: 1,
          clickCount: 1,
        });
        for (let i = 1; i <= 5; i++) {
          await page.send("Input.dispatchMouseEvent", {
            type: "mouseMoved",
            x: box.x + 12 * i,
            y: box.y + 6 * i,
            button: "left",
            buttons: 1,
          });
        }
        await page.send("Input.dispatchMouseEvent", {
          type: "mouseReleased",
          x: box.x + 60,
          y: box.y + 30,
          button: "left",
          buttons: 0,
          clickCount: 1,
        });
        await sleep(100);
        const after = await page.evaluate<string>(
          `document.querySelector(".jb-zoom").getAttribute("transform")`,
        );
        assertOk(before !== after, "dragging pans the map");
        // dots keep their size on screen when zoomed
        const radius = await page.evaluate<number>(
          `Number(document.querySelector("#map-figure circle[data-ip]").getAttribute("r"))`,
        );
        assertOk(radius < 14 / 2, "dot radii are scaled back");
        await page.evaluate(`document.getElementById("map-reset").click()`);
        await sleep(50);
        assertEquals(await scale(), 1);
      });

      await t.step("an IP in a table shows on the map; Find an IP too", async () => {
        const ip = await page.evaluate<string>(`(() => {
          const b = document.querySelector("#table-ips button.ip-link");
          b.click();
          return b.getAttribute("data-ip");
        })()`);
        await sleep(50);
        assertIncludes(
          await page.evaluate<string>(`document.getElementById("map-details").textContent`),
          ip,
        );
        await page.evaluate(`(() => {
          const form = document.getElementById("map-find");
          form.querySelector("input").value = "192.0.2.99";
          form.requestSubmit();
        })()`);
        await sleep(50);
        assertIncludes(
          await page.evaluate<string>(`document.getElementById("map-details").textContent`),
          "not on the map",
        );
      });

      await t.step("clicking a column header sorts the table", async () => {
        const column = (index: number) =>
          page.evaluate<string[]>(
            `Array.from(document.querySelectorAll("#table-countries tbody tr")).map((r) => r.cells[${index}].getAttribute("data-value"))`,
          );
        const attempts = (await column(2)).map(Number);
        assertEquals(attempts, [...attempts].sort((a, b) => b - a), "sorted by attempts at first");
        await page.evaluate(
          `document.querySelector("#table-countries thead th:nth-child(1) button").click()`,
        );
        const codes = await column(0);
        assertEquals(codes, [...codes].sort(), "by country, ascending");
        await page.evaluate(
          `document.querySelector("#table-countries thead th:nth-child(1) button").click()`,
        );
        assertEquals(await column(0), [...codes].sort().reverse(), "then descending");
        await page.evaluate(
          `document.querySelector("#table-countries thead th:nth-child(5) button").click()`,
        );
        const ips = (await column(4)).map(Number);
        assertEquals(ips, [...ips].sort((a, b) => b - a), "numbers sort descending first");
      });

      await t.step("after all that, still no error and no request", () => assertQuiet(page, file));

      await t.step(
        "a report of hostile logs runs no injected script and shows the text",
        async () => {
          const logs = await hostileLogs();
          const hostile = await runAnalysis({
            logs: [logs],
            out: join(out, "hostile"),
            timeZone: "UTC",
            year: 2026,
            offline: true,
          });
          const hostileFile = join(hostile.folder, "report.html");
          const hostilePage = await openReport(browser, hostileFile);
          // hover and click every dot, sort every table: no handler may run injected code
          await hostilePage.evaluate(`(() => {
          for (const c of document.querySelectorAll("circle[data-ip]")) {
            const r = c.getBoundingClientRect();
            for (const type of ["pointermove", "pointerdown", "pointerup", "click", "dblclick"]) {
              c.dispatchEvent(new PointerEvent(type, { bubbles: true, clientX: r.x + 1, clientY: r.y + 1 }));
            }
          }
          for (const b of document.querySelectorAll("thead button, button.ip-link")) b.click();
        })()`);
          await sleep(200);
          assertQuiet(hostilePage, hostileFile);
          const state = await hostilePage.evaluate<
            { scripts: number; images: number; text: string; svgs: number }
          >(`({
          scripts: document.scripts.length,
          images: document.images.length,
          svgs: document.querySelectorAll("svg").length,
          text: document.body.textContent,
        })`);
          assertEquals(state.scripts, 2);
          assertEquals(state.images, 0);
          assertEquals(state.svgs, 7);
          for (const user of HOSTILE_USERNAMES.slice(0, 3)) assertIncludes(state.text, user);
        },
      );
    } finally {
      await browser.close();
    }
  },
});
