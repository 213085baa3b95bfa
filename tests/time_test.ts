import {
  digits,
  fractionMs,
  parseIsoStamp,
  parseSyslogStamp,
  placeInYear,
  twoDigits,
  ZoneConverter,
} from "../lib/logs/time.ts";
import { assertEquals, assertOk } from "./_assert.ts";

const TIME_MODULE = new URL("../lib/logs/time.ts", import.meta.url).href;

const iso = (t: number) => new Date(t).toISOString();

Deno.test("parseSyslogStamp() reads space-padded days and fractions", async (t) => {
  const cases: [string, string][] = [
    ["Jan  5 07:01:57 host", "2000-01-05T07:01:57.000Z"],
    ["Dec 31 23:59:59 host", "2000-12-31T23:59:59.000Z"],
    ["Feb 29 00:00:00 host", "2000-02-29T00:00:00.000Z"],
    ["Mar 10 10:11:12.345678 host", "2000-03-10T10:11:12.345Z"],
  ];
  for (const [line, want] of cases) {
    await t.step(line, () => assertEquals(iso(parseSyslogStamp(line)), want));
  }
  for (
    const bad of ["Foo 10 10:11:12 x", "Jan 32 10:11:12 x", "Jan 10 25:00:00 x", "2024-01-01", ""]
  ) {
    await t.step(
      `rejects ${JSON.stringify(bad)}`,
      () => assertOk(Number.isNaN(parseSyslogStamp(bad))),
    );
  }
});

Deno.test("placeInYear() moves provisional stamps into leap and non-leap years", () => {
  assertEquals(
    iso(placeInYear(parseSyslogStamp("Mar  1 00:00:00"), 2023)),
    "2023-03-01T00:00:00.000Z",
  );
  assertEquals(
    iso(placeInYear(parseSyslogStamp("Dec 31 12:00:00"), 2025)),
    "2025-12-31T12:00:00.000Z",
  );
  assertEquals(
    iso(placeInYear(parseSyslogStamp("Feb 29 12:00:00"), 2024)),
    "2024-02-29T12:00:00.000Z",
  );
  assertEquals(
    iso(placeInYear(parseSyslogStamp("Jan 15 12:00:00"), 2026)),
    "2026-01-15T12:00:00.000Z",
  );
});

Deno.test("parseIsoStamp() reads fail2ban, RFC 3339 and short-iso stamps", async (t) => {
  const cases: [string, string, boolean][] = [
    ["2019-01-28 07:01:57,512 fail2ban", "2019-01-28T07:01:57.512Z", false],
    ["2024-03-01T10:00:00.123456+01:00 host", "2024-03-01T09:00:00.123Z", true],
    ["2024-03-01T10:00:00+0100 host", "2024-03-01T09:00:00.000Z", true],
    ["2024-03-01T10:00:00Z host", "2024-03-01T10:00:00.000Z", true],
    ["2024-03-01T10:00:00-05:00", "2024-03-01T15:00:00.000Z", true],
  ];
  for (const [text, want, absolute] of cases) {
    await t.step(text, () => {
      const r = parseIsoStamp(text);
      assertEquals([iso(r.ms), r.absolute], [want, absolute]);
    });
  }
});

Deno.test("ZoneConverter.toUtc() applies DST offsets of an IANA zone", () => {
  const berlin = new ZoneConverter("Europe/Berlin");
  assertEquals(iso(berlin.toUtc(Date.UTC(2024, 0, 15, 12))), "2024-01-15T11:00:00.000Z");
  assertEquals(iso(berlin.toUtc(Date.UTC(2024, 6, 15, 12))), "2024-07-15T10:00:00.000Z");
  const utc = new ZoneConverter("UTC");
  assertEquals(utc.toUtc(123), 123);
});

Deno.test("ZoneConverter rejects an unknown zone with a RangeError naming it", () => {
  try {
    new ZoneConverter("Mars/Olympus");
    throw new Error("no error");
  } catch (error) {
    assertOk(error instanceof RangeError);
    assertOk((error as Error).message.includes("Mars/Olympus"));
  }
});

Deno.test("twoDigits(), digits() and fractionMs() do not read past the end of a string as digits", () => {
  assertEquals([twoDigits("7", 0), twoDigits("", 0), digits("12", 0, 4), fractionMs("12", 0)], [
    -1,
    -1,
    -1,
    120,
  ]);
  assertOk(Number.isNaN(parseSyslogStamp("Jan 28 07:01:5")));
  assertOk(Number.isNaN(parseIsoStamp("2024-01-28 07:01:5").ms));
});

Deno.test("defaultTimeZone() names the zone Intl names, for TZ set and unset", async (t) => {
  // defaultTimeZone answers UTC machines without loading ICU; in a process of
  // its own each time (a process's zone is read once)
  const script = `import { defaultTimeZone } from ${JSON.stringify(TIME_MODULE)};
    const fast = defaultTimeZone();
    // (Intl names no zone for a POSIX TZ such as UTC0: then UTC)
    const intl = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    console.log(JSON.stringify({ fast, intl }));`;
  const cases: [string, string | undefined][] = [
    ["TZ unset (/etc/localtime)", undefined],
    ["TZ=UTC", "UTC"],
    ["TZ=Etc/UTC", "Etc/UTC"],
    ["TZ=:UTC", ":UTC"],
    ["TZ=Etc/GMT", "Etc/GMT"],
    ["TZ=Europe/Berlin", "Europe/Berlin"],
    ["TZ=America/New_York", "America/New_York"],
    ["TZ=UTC0 (POSIX)", "UTC0"],
    ["TZ empty", ""],
  ];
  for (const [name, tz] of cases) {
    await t.step(name, async () => {
      const env: Record<string, string> = {};
      for (const key of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
        const value = Deno.env.get(key);
        if (value !== undefined) env[key] = value;
      }
      if (tz !== undefined) env.TZ = tz;
      const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "--quiet", script],
        env,
        clearEnv: true,
      }).output();
      assertOk(success, new TextDecoder().decode(stderr));
      const { fast, intl } = JSON.parse(new TextDecoder().decode(stdout));
      assertEquals(fast, intl);
    });
  }
});
