// Child process for cache crash/concurrency tests: writes N answers to a cache in a loop.
// Usage: cache_writer.ts DIR PROVIDER PREFIX COUNT
import { GeoCache } from "../../lib/geo/cache.ts";

const [dir, provider, prefix, count] = Deno.args;
const cache = GeoCache.open(dir, provider);
for (let i = 0; i < Number(count); i++) {
  const ip = `${prefix}.${Math.floor(i / 256) % 256}.${i % 256}`;
  cache.put({
    key: ip,
    status: "ok",
    fetchedAt: i,
    expiresAt: Number.MAX_SAFE_INTEGER,
    raw: { i, pad: "x".repeat(200) },
  }, ip);
  if (i === 50) console.log("started");
}
cache.close();
console.log("done");
