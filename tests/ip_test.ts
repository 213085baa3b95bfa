import { formatIpv6, isIpv4, normalizeIp, parseIpv6 } from "../lib/logs/ip.ts";
import { assertEquals } from "./_assert.ts";

Deno.test("normalizeIp() normalises IPv4, mapped and IPv6 addresses", async (t) => {
  const cases: [string, string | undefined][] = [
    ["192.0.2.7", "192.0.2.7"],
    ["010.001.002.003", "10.1.2.3"],
    ["::ffff:192.0.2.7", "192.0.2.7"],
    ["::FFFF:198.51.100.1", "198.51.100.1"],
    ["::ffff:c000:0207", "192.0.2.7"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0000:0000:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8:85a3::8a2e:370:7334"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["::1", "::1"],
    ["::", "::"],
    ["1::", "1::"],
    ["fe80::1%eth0", "fe80::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["2001:db8::192.0.2.1", "2001:db8::c000:201"],
    ["64:ff9b::192.0.2.1", "64:ff9b::c000:201"],
    // not addresses
    ["", undefined],
    ["1.2.3", undefined],
    ["1.2.3.256", undefined],
    ["1.2.3.4.5", undefined],
    ["example.org", undefined],
    ["2001:db8::1::2", undefined],
    ["2001:db8:1", undefined],
    ["1:2:3:4:5:6:7:8:9", undefined],
    ["12345::1", undefined],
    ["2001:db8:", undefined],
    [":2001:db8::1", undefined],
    ["gggg::1", undefined],
    ["1:2:3:4:5:6:7::8", undefined],
  ];
  for (const [input, want] of cases) {
    await t.step(JSON.stringify(input), () => assertEquals(normalizeIp(input), want));
  }
});

Deno.test("formatIpv6() compresses the longest zero run, the first on ties", () => {
  assertEquals(formatIpv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), "2001:db8::1:0:0:1");
  assertEquals(formatIpv6([1, 0, 0, 2, 0, 0, 0, 3]), "1:0:0:2::3");
  assertEquals(formatIpv6([1, 2, 3, 4, 5, 6, 0, 8]), "1:2:3:4:5:6:0:8");
  assertEquals(parseIpv6("::2:3:4:5:6:7:8")?.slice(), [0, 2, 3, 4, 5, 6, 7, 8]);
});

Deno.test("isIpv4() rejects signs, spaces and out-of-range parts", () => {
  assertEquals(["1.2.3.4", "+1.2.3.4", "1.2.3.4 ", "300.1.1.1", "1..2.3"].map(isIpv4), [
    true,
    false,
    false,
    false,
    false,
  ]);
});
