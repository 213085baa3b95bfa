/**
 * A headless Chromium driven over the Chrome DevTools Protocol (CDP), straight
 * from Deno: no npm driver, and never a browser download. The tests use the
 * system's Chromium (Debian's `chromium`, installed by tools/setup.ts when
 * missing); {@linkcode findChromium} returns undefined when there is none, and
 * the tests that need it are skipped.
 *
 * A {@linkcode Page} records what the tests check: every network request,
 * console errors, uncaught exceptions, log entries (CSP violations, failed
 * loads) and JavaScript dialogs (an `alert()` from injected script).
 *
 * @example
 * ```ts ignore
 * import { findChromium, launchBrowser } from "./browser.ts";
 * const path = await findChromium();
 * if (path) {
 *   const browser = await launchBrowser(path);
 *   const page = await browser.newPage();
 *   await page.goto("file:///tmp/report.html");
 *   console.log(await page.evaluate("document.title"));
 *   await browser.close();
 * }
 * ```
 *
 * @module
 */

/** Where Chromium is looked for, after `JAILBOOK_CHROMIUM`. */
export const CHROMIUM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
] as const;

/** The path of a Chromium that runs (`--version` succeeds), or undefined. */
export async function findChromium(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<string | undefined> {
  const candidates = [env.JAILBOOK_CHROMIUM, ...CHROMIUM_CANDIDATES].filter((p): p is string =>
    !!p
  );
  for (const path of candidates) {
    try {
      const out = await new Deno.Command(path, {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (out.success) return path;
    } catch { /* not there */ }
  }
  return undefined;
}

/** A CDP event as received. */
export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** One WebSocket connection to the browser; commands go to the browser or a page session. */
class Connection {
  #socket: WebSocket;
  #next = 1;
  #pending = new Map<number, Pending>();
  #listeners = new Set<(event: CdpEvent) => void>();
  #closed = false;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (message) => this.#receive(String(message.data));
    socket.onclose = () => this.#fail(new Error("The DevTools connection closed"));
  }

  static open(url: string, timeoutMs: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const timer = setTimeout(() => {
        reject(new Error(`Cannot connect to ${url} within ${timeoutMs} ms`));
        socket.close();
      }, timeoutMs);
      socket.onopen = () => {
        clearTimeout(timer);
        resolve(new Connection(socket));
      };
      socket.onerror = () => {
        clearTimeout(timer);
        reject(new Error(`Cannot connect to ${url}`));
      };
    });
  }

  #receive(text: string): void {
    const message = JSON.parse(text);
    if (typeof message.id === "number") {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.error) {
        pending.reject(new Error(`CDP ${message.error.code}: ${message.error.message}`));
      } else pending.resolve(message.result ?? {});
      return;
    }
    for (const listener of this.#listeners) listener(message as CdpEvent);
  }

  #fail(error: Error): void {
    this.#closed = true;
    for (const [, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
    timeoutMs = 20_000,
  ): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(new Error("The DevTools connection is closed"));
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`CDP ${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#socket.send(
        JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }),
      );
    });
  }

  listen(listener: (event: CdpEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#socket.close();
    } catch { /* already closed */ }
  }
}

/** What a page did, for the tests to check. */
export interface PageRecord {
  /** URLs of every request the page made (including the page itself). */
  requests: string[];
  /** Console messages of type error or assert, and log entries of level error. */
  errors: string[];
  /** Uncaught exceptions. */
  exceptions: string[];
  /** JavaScript dialogs opened (alert, confirm, prompt), by message. */
  dialogs: string[];
}

/** One tab. */
export class Page {
  readonly record: PageRecord = { requests: [], errors: [], exceptions: [], dialogs: [] };
  #connection: Connection;
  #session: string;
  #waiters: { method: string; resolve: (event: CdpEvent) => void }[] = [];

  /** @internal */
  constructor(connection: Connection, session: string) {
    this.#connection = connection;
    this.#session = session;
    connection.listen((event) => {
      if (event.sessionId !== session) return;
      this.#observe(event);
      this.#waiters = this.#waiters.filter((waiter) => {
        if (waiter.method !== event.method) return true;
        waiter.resolve(event);
        return false;
      });
    });
  }

  #observe(event: CdpEvent): void {
    // deno-lint-ignore no-explicit-any -- CDP event payloads are loosely typed JSON
    const p = event.params as Record<string, any>;
    switch (event.method) {
      case "Network.requestWillBeSent":
        this.record.requests.push(String(p.request?.url));
        break;
      case "Runtime.consoleAPICalled":
        if (p.type === "error" || p.type === "assert") {
          this.record.errors.push(
            `console.${p.type}: ${
              (p.args ?? []).map((a: { value?: unknown; description?: string }) =>
                a.value ?? a.description
              ).join(" ")
            }`,
          );
        }
        break;
      case "Log.entryAdded":
        if (p.entry?.level === "error") {
          this.record.errors.push(`${p.entry.source}: ${p.entry.text} ${p.entry.url ?? ""}`);
        }
        break;
      case "Runtime.exceptionThrown":
        this.record.exceptions.push(
          String(p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text),
        );
        break;
      case "Page.javascriptDialogOpening":
        this.record.dialogs.push(String(p.message));
        this.send("Page.handleJavaScriptDialog", { accept: true }).catch(() => {});
        break;
    }
  }

  /** Send a CDP command to this page. */
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.#connection.send(method, params, this.#session);
  }

  /** Resolves with the next event of `method` (rejects after `timeoutMs`). */
  waitFor(method: string, timeoutMs = 20_000): Promise<CdpEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`No ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (event: CdpEvent) => {
        clearTimeout(timer);
        resolve(event);
      };
      this.#waiters.push({ method, resolve: done });
    });
  }

  /** Open `url` and wait for its load event. */
  async goto(url: string): Promise<void> {
    const loaded = this.waitFor("Page.loadEventFired");
    const result = await this.send("Page.navigate", { url });
    if (result.errorText) throw new Error(`Cannot open ${url}: ${result.errorText}`);
    await loaded;
  }

  /** Evaluate an expression in the page and return its value (awaiting promises). */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const result = await this.send("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
    }) as {
      result?: { value?: unknown };
      exceptionDetails?: { text?: string; exception?: { description?: string } };
    };
    if (result.exceptionDetails) {
      throw new Error(
        `Evaluation failed: ${
          result.exceptionDetails.exception?.description ?? result.exceptionDetails.text
        }`,
      );
    }
    return result.result?.value as T;
  }

  /** A PNG screenshot of the viewport. */
  async screenshot(): Promise<Uint8Array> {
    const { data } = await this.send("Page.captureScreenshot", { format: "png" });
    const text = atob(String(data));
    return Uint8Array.from(text, (c) => c.charCodeAt(0));
  }

  /** Move the mouse to viewport coordinates. */
  async mouseMove(x: number, y: number): Promise<void> {
    await this.send("Input.dispatchMouseEvent", { type: "mouseMoved", x, y });
  }

  /** Click at viewport coordinates. */
  async click(x: number, y: number): Promise<void> {
    await this.mouseMove(x, y);
    for (const type of ["mousePressed", "mouseReleased"]) {
      await this.send("Input.dispatchMouseEvent", {
        type,
        x,
        y,
        button: "left",
        buttons: type === "mousePressed" ? 1 : 0,
        clickCount: 1,
      });
    }
  }
}

/** A running headless Chromium. */
export class Browser {
  #process: Deno.ChildProcess;
  #connection: Connection;
  #profile: string;

  /** @internal */
  constructor(process: Deno.ChildProcess, connection: Connection, profile: string) {
    this.#process = process;
    this.#connection = connection;
    this.#profile = profile;
  }

  /** A new tab with Page, Runtime, Network and Log events recorded, at `width` × `height`. */
  async newPage(options: { width?: number; height?: number } = {}): Promise<Page> {
    const { targetId } = await this.#connection.send("Target.createTarget", {
      url: "about:blank",
    });
    const { sessionId } = await this.#connection.send("Target.attachToTarget", {
      targetId,
      flatten: true,
    });
    const page = new Page(this.#connection, String(sessionId));
    await Promise.all([
      page.send("Page.enable"),
      page.send("Runtime.enable"),
      page.send("Network.enable"),
      page.send("Log.enable"),
    ]);
    await page.send("Emulation.setDeviceMetricsOverride", {
      width: options.width ?? 1280,
      height: options.height ?? 900,
      deviceScaleFactor: 1,
      mobile: false,
    });
    return page;
  }

  /** Close the browser and remove its profile. */
  async close(): Promise<void> {
    await this.#connection.send("Browser.close", {}, undefined, 5_000).catch(() => {});
    this.#connection.close();
    const exited = await Promise.race([
      this.#process.status.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000)),
    ]);
    if (!exited) {
      try {
        this.#process.kill("SIGKILL");
      } catch { /* gone */ }
      await this.#process.status;
    }
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }
}

/** Flags for a quiet, offline, sandbox-free headless Chromium (CI containers run as root). */
export const CHROMIUM_FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-extensions",
  "--disable-default-apps",
  "--mute-audio",
  "--hide-scrollbars",
  "--remote-debugging-port=0",
] as const;

/**
 * Start Chromium at `path` with a fresh profile and connect to it.
 *
 * @throws {Error} when it does not announce its DevTools address within `timeoutMs`
 */
export async function launchBrowser(
  path: string,
  options: { timeoutMs?: number } = {},
): Promise<Browser> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const profile = await Deno.makeTempDir({ prefix: "jailbook-chromium-" });
  const process = new Deno.Command(path, {
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "about:blank"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Read stderr until the DevTools address, then keep draining it so Chromium never blocks.
  const lines = process.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`Chromium did not start within ${timeoutMs} ms:\n${seen.slice(-2000)}`)),
      timeoutMs,
    );
    (async () => {
      let found = false;
      while (true) {
        const { value, done } = await lines.read().catch(() => ({ value: undefined, done: true }));
        if (done) break;
        if (found) continue;
        seen += value;
        const match = seen.match(/DevTools listening on (ws:\/\/\S+)/);
        if (match) {
          found = true;
          clearTimeout(timer);
          resolve(match[1]);
        }
      }
      if (!found) {
        clearTimeout(timer);
        reject(new Error(`Chromium exited before it listened:\n${seen.slice(-2000)}`));
      }
    })();
  }).catch(async (error) => {
    try {
      process.kill("SIGKILL");
    } catch { /* gone */ }
    await process.status;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw error;
  });
  const connection = await Connection.open(address, timeoutMs);
  return new Browser(process, connection, profile);
}
