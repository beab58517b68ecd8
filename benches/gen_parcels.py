#!/usr/bin/env python3
"""Generate a benchmark park: N parcels (default 100,000) in a grid of ~30 m x 30 m plots
near Nancheng (116.6 E, 27.5 N), in CGCS2000 lon/lat, as a GeoJSON FeatureCollection, plus the
park boundary feature that contains them. Deterministic.

Usage: gen_parcels.py OUT_DIR [N]   -> OUT_DIR/parcels.geojson, OUT_DIR/park.json, OUT_DIR/extent.txt
       gen_parcels.py OUT_DIR N --extent-only   -> OUT_DIR/extent.txt alone (a database already loaded)
With ~885 m2 per parcel, a 1 km2 bounding box holds about 1,100 parcels."""
import json, math, os, sys

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
cols = int(math.ceil(math.sqrt(n * 1.6)))
rows = int(math.ceil(n / cols))
x0, y0, dx, dy = 116.55, 27.50, 0.0003, 0.00027
os.makedirs(out, exist_ok=True)
if "--extent-only" in sys.argv:
    with open(os.path.join(out, "extent.txt"), "w") as f:
        f.write(f"{x0} {y0} {x0 + cols * dx} {y0 + rows * dy}\n")
    sys.exit(0)
uses = ["100101", "100101", "100101", "100102", "110101", "0901"]
statuses = ["supplied", "supplied", "available", "reserve", "reserved"]
with open(os.path.join(out, "parcels.geojson"), "w") as f:
    f.write('{"type":"FeatureCollection","features":[\n')
    for i in range(n):
        c, r = i % cols, i // cols
        x, y = round(x0 + c * dx, 7), round(y0 + r * dy, 7)
        x1, y1 = round(x + dx, 7), round(y + dy, 7)
        feature = {
            "type": "Feature",
            "properties": {
                "code": f"B{r:04d}-{c:04d}",
                "land_use": uses[i % len(uses)],
                "status": statuses[i % len(statuses)],
                "far_min": 1.0,
                "far_max": 2.5,
                "infrastructure": ["water_supply", "drainage", "power", "road"],
            },
            "geometry": {"type": "Polygon", "coordinates": [[[x, y], [x1, y], [x1, y1], [x, y1], [x, y]]]},
        }
        f.write(("," if i else "") + json.dumps(feature, separators=(",", ":")) + "\n")
    f.write("]}\n")
m = 0.001
bx0, by0, bx1, by1 = x0 - m, y0 - m, x0 + cols * dx + m, y0 + rows * dy + m
park = {
    "type": "Feature",
    "geometry": {"type": "Polygon", "coordinates": [[[bx0, by0], [bx1, by0], [bx1, by1], [bx0, by1], [bx0, by0]]]},
    "properties": {"code": "BENCH", "name": "基准测试园区", "admin_code": "361021"},
}
with open(os.path.join(out, "park.json"), "w") as f:
    json.dump(park, f, ensure_ascii=False)
with open(os.path.join(out, "extent.txt"), "w") as f:
    f.write(f"{x0} {y0} {x0 + cols * dx} {y0 + rows * dy}\n")
print(f"{n} parcels in {cols} x {rows} cells, extent {x0},{y0} - {x0 + cols * dx:.5f},{y0 + rows * dy:.5f}")
