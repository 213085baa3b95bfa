import { classifyIp, classifyNormalIp, ipv4ToNumber, numberToIpv4 } from "../lib/geo/classify.ts";
import { normalizeIp } from "../lib/logs/ip.ts";
import { assertEquals } from "./_assert.ts";

Deno.test("classifyIp() labels special-purpose ranges and keeps public addresses", async (t) => {
  const cases: [string, string][] = [
    ["81.2.69.160", "public"],
    ["218.92.0.107", "public"],
    ["10.0.0.1", "private"],
    ["172.16.5.4", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "cgnat"],
    ["100.128.0.1", "public"],
    ["127.0.0.1", "loopback"],
    ["169.254.1.1", "link-local"],
    ["192.0.2.1", "documentation"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["198.18.0.1", "benchmarking"],
    ["224.0.0.251", "multicast"],
    ["255.255.255.255", "reserved"],
    ["0.0.0.0", "unspecified"],
    ["::ffff:10.0.0.1", "private"],
    ["2a01:4f8::1", "public"],
    ["2001:db8::1", "documentation"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["fd12:3456::1", "private"],
    ["ff02::1", "multicast"],
    ["64:ff9b::1.2.3.4", "reserved"],
    ["2001:2::1", "benchmarking"],
    ["4000::1", "reserved"],
    ["not-an-ip", "invalid"],
  ];
  for (const [ip, want] of cases) await t.step(ip, () => assertEquals(classifyIp(ip), want));
});

Deno.test("classifyNormalIp() agrees with classifyIp() at both ends of every IPv4 range", () => {
  const ranges: [string, number][] = [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["192.88.99.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ];
  const edges: [string, string][] = [];
  for (const [base, bits] of ranges) {
    const first = ipv4ToNumber(base);
    const last = first + 2 ** (32 - bits) - 1;
    edges.push([numberToIpv4(first), "in"], [numberToIpv4(last), "in"]);
    if (first > 0) edges.push([numberToIpv4(first - 1), "before"]);
    if (last < 2 ** 32 - 1) edges.push([numberToIpv4(last + 1), "after"]);
  }
  for (const [ip] of edges) assertEquals(classifyNormalIp(ip), classifyIp(ip), ip);
  // inside a range: its class; just outside: not that range's (public here, or a neighbour's)
  assertEquals(classifyNormalIp("100.127.255.255"), "cgnat");
  assertEquals(classifyNormalIp("100.128.0.0"), "public");
  assertEquals(classifyNormalIp("100.63.255.255"), "public");
  assertEquals(classifyNormalIp("198.19.255.255"), "benchmarking");
  assertEquals(classifyNormalIp("198.20.0.0"), "public");
  assertEquals(classifyNormalIp("223.255.255.255"), "public");
  for (
    const text of ["81.2.69.160", "::ffff:10.0.0.1", "2001:DB8::1", "fe80::1", "::", "4000::1"]
  ) {
    assertEquals(classifyNormalIp(normalizeIp(text)!), classifyIp(text), text);
  }
  assertEquals(classifyNormalIp("not-an-ip"), "invalid");
});

Deno.test("ipv4ToNumber() and numberToIpv4() round-trip", () => {
  for (const ip of ["0.0.0.0", "1.2.3.4", "255.255.255.255", "81.2.69.160"]) {
    assertEquals(numberToIpv4(ipv4ToNumber(ip)), ip);
  }
  assertEquals(ipv4ToNumber("1.0.0.0"), 16777216);
});
