import {
  cidrContains,
  ipv4RangeToCidrs,
  NetworkIndex,
  networkOf,
  parseCidr,
} from "../lib/geo/cidr.ts";
import { assertEquals } from "./_assert.ts";

Deno.test("networkOf() masks IPv4 and IPv6 addresses with real CIDR arithmetic", async (t) => {
  const cases: [string, number, string][] = [
    ["23.45.67.89", 24, "23.45.67.0/24"],
    ["123.45.67.89", 24, "123.45.67.0/24"],
    ["10.255.255.255", 8, "10.0.0.0/8"],
    ["81.2.69.160", 27, "81.2.69.160/27"],
    ["81.2.69.191", 27, "81.2.69.160/27"],
    ["255.255.255.255", 0, "0.0.0.0/0"],
    ["1.2.3.4", 32, "1.2.3.4/32"],
    ["2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::/64"],
    ["2001:db8:1:2:3:4:5:6", 48, "2001:db8:1::/48"],
    ["2a01:4f8:c17:1a2b::1", 56, "2a01:4f8:c17:1a00::/56"],
    ["::1", 128, "::1/128"],
  ];
  for (const [ip, bits, want] of cases) {
    await t.step(`${ip}/${bits}`, () => assertEquals(networkOf(ip, bits), want));
  }
});

Deno.test("parseCidr() canonicalises and rejects bad prefixes", () => {
  assertEquals(parseCidr("81.2.69.170/27")?.text, "81.2.69.160/27");
  assertEquals(parseCidr("2001:DB8::/32")?.text, "2001:db8::/32");
  assertEquals(parseCidr("1.2.3.4")?.text, "1.2.3.4/32");
  assertEquals([parseCidr("1.2.3.4/33"), parseCidr("x/8"), parseCidr("1.2.3.4/")], [
    undefined,
    undefined,
    undefined,
  ]);
});

Deno.test("cidrContains() respects address families", () => {
  const net = parseCidr("23.45.67.0/24")!;
  assertEquals([
    cidrContains(net, "23.45.67.255"),
    cidrContains(net, "123.45.67.1"),
    cidrContains(net, "::1"),
  ], [
    true,
    false,
    false,
  ]);
});

Deno.test("ipv4RangeToCidrs() covers an inclusive range with the fewest CIDRs", () => {
  const n = (s: string) => s.split(".").reduce((a, p) => a * 256 + Number(p), 0);
  assertEquals(ipv4RangeToCidrs(n("1.0.0.0"), n("1.0.0.255")), ["1.0.0.0/24"]);
  assertEquals(ipv4RangeToCidrs(n("1.0.4.0"), n("1.0.7.255")), ["1.0.4.0/22"]);
  assertEquals(ipv4RangeToCidrs(n("10.0.0.1"), n("10.0.0.6")), [
    "10.0.0.1/32",
    "10.0.0.2/31",
    "10.0.0.4/31",
    "10.0.0.6/32",
  ]);
});

Deno.test("NetworkIndex.find() returns the most specific containing network", () => {
  const index = new NetworkIndex<string>();
  index.add("5.9.0.0/16", "wide");
  index.add("5.9.1.0/24", "narrow");
  index.add("2a01:4f8::/32", "v6");
  assertEquals(index.find("5.9.1.7"), { network: "5.9.1.0/24", value: "narrow" });
  assertEquals(index.find("5.9.2.7"), { network: "5.9.0.0/16", value: "wide" });
  assertEquals(index.find("2a01:4f8:1::1")?.value, "v6");
  assertEquals(index.find("6.0.0.1"), undefined);
  assertEquals(index.size, 3);
});
