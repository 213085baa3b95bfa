/**
 * Installs the system packages the test suite needs on a fresh Debian/Ubuntu
 * machine, when they are missing and installing is permitted (running as
 * root with apt-get, and `JAILBOOK_NO_INSTALL` unset); otherwise says exactly
 * what to run. Never fails the test command: tests that need a missing tool
 * are skipped and say so.
 *
 * Usage: `deno run -A tools/setup.ts [--check]` (`--check`: report only).
 *
 * @module
 */

/** A system requirement and the Debian packages that provide it. */
export interface Requirement {
  name: string;
  /** Command and arguments that succeed when it is present. */
  probe: string[];
  packages: string[];
  /** What needs it. */
  purpose: string;
}

/** What the suite needs beyond Deno. */
export const REQUIREMENTS: Requirement[] = [
  {
    name: "Jupyter nbconvert",
    probe: ["jupyter", "nbconvert", "--version"],
    packages: ["jupyter-nbconvert", "python3-nbclient", "jupyter-client", "python3-ipykernel"],
    purpose: "executing the notebooks (deno task notebooks, tests/notebooks_test.ts)",
  },
  {
    name: "Chromium",
    probe: ["chromium", "--version"],
    packages: ["chromium"],
    purpose: "opening report.html in a real headless browser (tests/report_browser_test.ts)",
  },
];

async function present(probe: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(probe[0], {
      args: probe.slice(1),
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

async function canInstall(): Promise<boolean> {
  if (Deno.env.get("JAILBOOK_NO_INSTALL")) return false;
  if (Deno.uid?.() !== 0) return false;
  return await present(["apt-get", "--version"]);
}

async function apt(args: string[]): Promise<boolean> {
  const out = await new Deno.Command("apt-get", {
    args,
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    console.error(new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join("\n"));
  }
  return out.success;
}

/** Check (and where permitted install) every requirement; returns the missing ones. */
export async function ensureRequirements(
  options: { install?: boolean } = {},
): Promise<Requirement[]> {
  const missing: Requirement[] = [];
  for (const r of REQUIREMENTS) if (!(await present(r.probe))) missing.push(r);
  if (missing.length === 0 || options.install === false) return missing;
  if (!(await canInstall())) return missing;
  const packages = missing.flatMap((r) => r.packages);
  console.error(`setup: installing ${packages.join(" ")} (apt-get)…`);
  if (
    !(await apt(["update", "-qq"])) ||
    !(await apt(["install", "-y", "-qq", "--no-install-recommends", ...packages]))
  ) {
    console.error("setup: apt-get failed; the tests that need these packages will be skipped");
  }
  const still: Requirement[] = [];
  for (const r of missing) if (!(await present(r.probe))) still.push(r);
  return still;
}

if (import.meta.main) {
  const missing = await ensureRequirements({ install: !Deno.args.includes("--check") });
  for (const r of missing) {
    console.error(
      `setup: ${r.name} is missing (needed for ${r.purpose}). Install it with:\n` +
        `  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${
          r.packages.join(" ")
        }\n` +
        `The tests that need it are skipped until then.`,
    );
  }
}
