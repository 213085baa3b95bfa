import { pointsToGeoJson, validateGeoJson } from "../lib/export/geojson.ts";
import { assertEquals } from "./_assert.ts";

Deno.test("pointsToGeoJson() writes [lon, lat] points with properties and a bbox, skipping unlocated IPs", () => {
  const { collection, skipped } = pointsToGeoJson([
    {
      ip: "81.2.69.160",
      latitude: 51.5142,
      longitude: -0.0931234567,
      attempts: 12,
      first_seen: new Date("2026-11-01T00:00:00Z"),
      user: "<img src=x>",
    },
    {
      ip: "218.92.0.135",
      latitude: 31.7762,
      longitude: 118.842,
      attempts: 2300,
      first_seen: null,
      user: null,
    },
    { ip: "10.0.0.1", latitude: null, longitude: null, attempts: 1 },
    { ip: "1.2.3.4", latitude: 95, longitude: 0, attempts: 1 },
  ]);
  assertEquals(skipped, 2);
  assertEquals(collection.features.map((f) => f.geometry.coordinates), [[-0.093123, 51.5142], [
    118.842,
    31.7762,
  ]]);
  assertEquals(collection.features[0].properties, {
    ip: "81.2.69.160",
    attempts: 12,
    first_seen: "2026-11-01T00:00:00.000Z",
    user: "<img src=x>",
  });
  assertEquals(collection.bbox, [-0.093123, 31.7762, 118.842, 51.5142]);
  assertEquals(validateGeoJson(JSON.parse(JSON.stringify(collection))), []);
});

Deno.test("validateGeoJson() names what breaks RFC 7946", () => {
  assertEquals(validateGeoJson({ type: "FeatureCollection", features: [], crs: {} }), [
    "crs is not allowed (RFC 7946 §4)",
  ]);
  assertEquals(
    validateGeoJson({
      type: "FeatureCollection",
      features: [{
        type: "Feature",
        geometry: { type: "Point", coordinates: [200, 0] },
        properties: {},
      }],
    }),
    [
      "features[0] coordinates out of range",
    ],
  );
});
