/**
 * Runs `deno test` (the `test` task) with its temporary files in one folder of
 * its own, removed afterwards whatever the outcome: the tests create many
 * temporary log folders, databases and run folders, and a failing or
 * interrupted test must not leave them behind in the system's temp folder.
 *
 * Arguments are passed on to `deno test` (default: `tests/`); the exit status
 * is that of `deno test`.
 *
 * @example
 * ```sh
 * deno run -A tools/test.ts tests/          # what `deno task test` runs
 * deno run -A tools/test.ts tests/sshd_test.ts --filter auth.log
 * ```
 *
 * @module
 */

if (import.meta.main) {
  const root = await Deno.makeTempDir({ prefix: "jailbook-tests-" });
  let code = 1;
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", "--quiet", ...(Deno.args.length ? Deno.args : ["tests/"])],
      // TMPDIR: where Deno.makeTempDir/makeTempFile (and child processes) put their files;
      // TZ: the tests' expectations are written for UTC unless they set a zone themselves
      env: { TMPDIR: root, TZ: "UTC" },
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    // pass Ctrl-C on to the tests and still clean up
    const interrupt = () => child.kill("SIGINT");
    Deno.addSignalListener("SIGINT", interrupt);
    code = (await child.status).code;
    Deno.removeSignalListener("SIGINT", interrupt);
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
  Deno.exit(code);
}
