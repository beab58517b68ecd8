#!/usr/bin/env python3
"""For 25 random ~1 km2 boxes: time one request alone (no concurrency; each box asked once
before, so both sides read warm pages), and the query the server runs for it (the SQL diesel
generates) in one warm psql session with the settings parkland gives its connections (no JIT, no parallel workers) — its rows received by psql (`\\timing`, the same query run
twice, the second timed) and its EXPLAIN ANALYZE; and the same requests again from curl on
one kept-alive connection, a check that Python's client (a new connection a request, its own
reading) is not what the first figure measures. Prints the medians and the ratio the issue's
goal is about: the request against the database's time for the same query.
Usage: db_time.py BASE_URL "minx miny maxx maxy" (DATABASE_URL names the database)."""
import json, os, random, statistics, subprocess, sys, time, urllib.request

base, ext = sys.argv[1], [float(v) for v in sys.argv[2].split()]
w, h = 0.0101, 0.0090
random.seed(7)
db = os.environ["DATABASE_URL"]
COLUMNS = ("parcels.id, parcels.park_id, parcels.zone_id, parcels.code, parcels.name, parcels.location, "
           "parcels.land_use, parcels.status, parcels.far_min, parcels.far_max, parcels.building_density_min_pct, "
           "parcels.building_density_max_pct, parcels.green_ratio_min_pct, parcels.green_ratio_max_pct, "
           "parcels.height_max_m, parcels.infrastructure, parcels.site_levelled, parcels.geom, parcels.area_m2, "
           "parcels.version, parcels.created_at, parcels.created_by, parcels.updated_at, parcels.updated_by, "
           "parcels.retired_at, parcels.retired_reason, parcels.approval_no, parcels.approved_on, "
           "parcels.clearances, parcels.plane_area_m2, parcels.plane_area_epsg")
boxes, alone, returned = [], [], []
for _ in range(25):
    x = ext[0] + random.random() * (ext[2] - ext[0] - w)
    y = ext[1] + random.random() * (ext[3] - ext[1] - h)
    boxes.append((x, y, x + w, y + h))
for box in boxes:
    url = f"{base}/collections/parcels/items?bbox={box[0]:.6f},{box[1]:.6f},{box[2]:.6f},{box[3]:.6f}&limit=1000"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {os.environ['PARKLAND_TOKEN']}"})
    urllib.request.urlopen(request).read()
    t = time.perf_counter(); body = urllib.request.urlopen(request).read(); alone.append((time.perf_counter() - t) * 1000)
    returned.append(json.loads(body)["numberReturned"])
# The same requests from a C client on one kept-alive connection (curl, five timed after a
# warm one, per box): whether Python's client adds to the first figure.
kept = []
for box in boxes:
    url = f"{base}/collections/parcels/items?bbox={box[0]:.6f},{box[1]:.6f},{box[2]:.6f},{box[3]:.6f}&limit=1000"
    args = ["curl", "-sf", "-H", f"Authorization: Bearer {os.environ['PARKLAND_TOKEN']}", "-w", "%{time_total}\n"]
    for _ in range(6):
        args += ["-o", "/dev/null", url]
    got = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()
    kept.append(statistics.median(float(t) * 1000 for t in got[1:]))
def query(b):
    return (f"SELECT {COLUMNS}, count(*) OVER () FROM parcels "
            f"WHERE parcels.status <> 'retired' AND ST_Intersects(parcels.geom, ST_MakeEnvelope({b[0]:.6f}, {b[1]:.6f}, {b[2]:.6f}, {b[3]:.6f}, 4490)) "
            f"ORDER BY parcels.id + 0 LIMIT 1001 OFFSET 0;\n")
timed = "SET jit = off; SET max_parallel_workers_per_gather = 0;\n\\o /dev/null\n" + "".join(query(b) + "\\timing on\n" + query(b) + "\\timing off\n" for b in boxes)
got = subprocess.run(["psql", db, "-At", "-f", "-"], input=timed, capture_output=True, text=True, check=True).stdout
received = [float(l.split()[1]) for l in got.splitlines() if l.startswith("Time:")]
script = "SET jit = off; SET max_parallel_workers_per_gather = 0;\nSELECT 1;\n" + "".join(
    f"EXPLAIN (ANALYZE, FORMAT JSON) SELECT {COLUMNS}, count(*) OVER () FROM parcels "
    f"WHERE parcels.status <> 'retired' AND ST_Intersects(parcels.geom, ST_MakeEnvelope({b[0]:.6f}, {b[1]:.6f}, {b[2]:.6f}, {b[3]:.6f}, 4490)) "
    f"ORDER BY parcels.id + 0 LIMIT 1001 OFFSET 0;\n" for b in boxes)
out = subprocess.run(["psql", db, "-At", "-f", "-"], input=script, capture_output=True, text=True, check=True).stdout
text = out[out.index("["):]
decoder, pos, plans = json.JSONDecoder(), 0, []
while pos < len(text):
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        break
    obj, pos = decoder.raw_decode(text, pos)
    plans.append(obj[0])
execution = [p["Execution Time"] for p in plans]
planning = [p["Planning Time"] for p in plans]
print(f"features per response: median {statistics.median(returned):.0f}")
print(f"one request alone, end to end: median {statistics.median(alone):.1f} ms")
print(f"the same query in psql, rows received: median {statistics.median(received):.1f} ms; "
      f"the request is {statistics.median(alone) / statistics.median(received):.2f}x that")
print(f"the same requests from curl, one kept-alive connection: median {statistics.median(kept):.1f} ms; "
      f"{statistics.median(kept) / statistics.median(received):.2f}x the query in psql")
print(f"database, warm session: execution median {statistics.median(execution):.1f} ms, "
      f"planning median {statistics.median(planning):.2f} ms, total {statistics.median([a + b for a, b in zip(execution, planning)]):.1f} ms")
