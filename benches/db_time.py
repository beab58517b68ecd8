#!/usr/bin/env python3
"""For 25 random ~1 km2 boxes, box by box so both sides meet the database in the same moment:
the query the server runs for the box (the SQL diesel generates) received by psql, with the
settings parkland gives its connections (no JIT, no parallel workers; `\\timing`, the query
run twice, the second timed), and the request from curl on one kept-alive connection (five
timed after a warm one, their median) — the two in turn, their order swapped every box. Also
each request once from Python (a new connection a request and Python's own reading: an upper
bound, the client's cost included) and the query's EXPLAIN ANALYZE. Prints the medians, the
median of the boxes' own ratios and the ratio of the medians: the request against the
database's time for the same query, the issue's goal.

Given several BASE_URLs (builds of parkland serving the same database), each box is measured
ROUNDS times (env, default 1) with psql and every build in turn, the order rotated each time,
and each build's ratios are printed: a comparison that holds on a machine whose speed drifts
between runs (the per-box ratio takes psql's time of the same moment).
Usage: db_time.py BASE_URL [BASE_URL ...] "minx miny maxx maxy" (DATABASE_URL names the database)."""
import json, os, random, statistics, subprocess, sys, time, urllib.request

bases, ext = sys.argv[1:-1], [float(v) for v in sys.argv[-1].split()]
base = bases[0]
rounds = int(os.environ.get("ROUNDS", "1"))  # with several builds; one build is measured once
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
def url(box, base=base):
    return f"{base}/collections/parcels/items?bbox={box[0]:.6f},{box[1]:.6f},{box[2]:.6f},{box[3]:.6f}&limit=1000"
def query(b):
    return (f"SELECT {COLUMNS}, count(*) OVER () FROM parcels "
            f"WHERE parcels.status <> 'retired' AND ST_Intersects(parcels.geom, ST_MakeEnvelope({b[0]:.6f}, {b[1]:.6f}, {b[2]:.6f}, {b[3]:.6f}, 4490)) "
            f"ORDER BY parcels.id + 0 LIMIT 1001 OFFSET 0;\n")
def from_curl(box, base=base):
    args = ["curl", "-sf", "-H", f"Authorization: Bearer {os.environ['PARKLAND_TOKEN']}", "-w", "%{time_total}\n"]
    for _ in range(6):
        args += ["-o", "/dev/null", url(box, base)]
    got = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()
    return statistics.median(float(t) * 1000 for t in got[1:])
def from_psql(box):
    timed = ("SET jit = off; SET max_parallel_workers_per_gather = 0;\n\\o /dev/null\n"
             + query(box) + "\\timing on\n" + query(box))
    got = subprocess.run(["psql", db, "-At", "-f", "-"], input=timed, capture_output=True, text=True, check=True).stdout
    return [float(l.split()[1]) for l in got.splitlines() if l.startswith("Time:")][0]
def answer(box, base):
    request = urllib.request.Request(url(box, base), headers={"Authorization": f"Bearer {os.environ['PARKLAND_TOKEN']}"})
    return urllib.request.urlopen(request).read()
for box in boxes:
    answer(box, base)
    t = time.perf_counter(); body = answer(box, base); alone.append((time.perf_counter() - t) * 1000)
    returned.append(json.loads(body)["numberReturned"])
    for other in bases[1:]:
        # Every build warmed on every box, and each must answer the same page.
        got = json.loads(answer(box, other))
        assert got["numberReturned"] == returned[-1], f"{other} returned {got['numberReturned']}, {base} {returned[-1]}"
if len(bases) > 1:
    # Every build and psql, box by box, in rotated order.
    times = {b: [] for b in bases}
    received = []
    for r in range(rounds):
        for i, box in enumerate(boxes):
            sides = [None] + bases
            k = (i + r) % len(sides)
            got = {}
            for side in sides[k:] + sides[:k]:
                got[side] = from_psql(box) if side is None else from_curl(box, side)
            received.append(got[None])
            for b in bases:
                times[b].append(got[b])
    print(f"features per response: median {statistics.median(returned):.0f}")
    print(f"the query in psql, rows received: median {statistics.median(received):.1f} ms "
          f"({len(received)} boxes measured, {rounds} round(s))")
    for b in bases:
        t = times[b]
        own = statistics.median(ms / psql for ms, psql in zip(t, received))
        print(f"{b}: median {statistics.median(t):.2f} ms; {statistics.median(t) / statistics.median(received):.2f}x "
              f"the query in psql (each box's own ratio: median {own:.2f}x)")
    sys.exit(0)
kept, received = [], []
for i, box in enumerate(boxes):
    if i % 2:
        kept.append(from_curl(box)); received.append(from_psql(box))
    else:
        received.append(from_psql(box)); kept.append(from_curl(box))
script = "SET jit = off; SET max_parallel_workers_per_gather = 0;\nSELECT 1;\n" + "".join(
    "EXPLAIN (ANALYZE, FORMAT JSON) " + query(b) for b in boxes)
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
print(f"the query in psql, rows received: median {statistics.median(received):.1f} ms")
print(f"the request from curl, one kept-alive connection: median {statistics.median(kept):.1f} ms; "
      f"{statistics.median(kept) / statistics.median(received):.2f}x the query in psql "
      f"(each box's own ratio: median {statistics.median(k / r for k, r in zip(kept, received)):.2f}x)")
print(f"the request from Python, a new connection each: median {statistics.median(alone):.1f} ms; "
      f"{statistics.median(alone) / statistics.median(received):.2f}x (the client's cost included)")
print(f"database, warm session: execution median {statistics.median(execution):.1f} ms, "
      f"planning median {statistics.median(planning):.2f} ms, total {statistics.median([a + b for a, b in zip(execution, planning)]):.1f} ms")
