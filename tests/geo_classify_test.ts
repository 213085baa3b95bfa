import { classifyIp, ipv4ToNumber, numberToIpv4 } from "../lib/geo/classify.ts";
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

Deno.test("ipv4ToNumber() and numberToIpv4() round-trip", () => {
  for (const ip of ["0.0.0.0", "1.2.3.4", "255.255.255.255", "81.2.69.160"]) {
    assertEquals(numberToIpv4(ipv4ToNumber(ip)), ip);
  }
  assertEquals(ipv4ToNumber("1.0.0.0"), 16777216);
});
