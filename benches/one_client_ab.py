#!/usr/bin/env python3
"""Two running builds of parkland at one client, request by request: ten random ~1 km2 boxes
(1,000 features a page), each asked of A and B in turn, twelve rounds (the first not counted;
the order of A and B swapped every round), so both meet the same database, the same cache and
the same moment. For a change smaller than the noise between two separate runs.
Usage: PARKLAND_TOKEN=… BENCH_EXTENT="minx miny maxx maxy" one_client_ab.py A_URL B_URL [EXTRA]
where EXTRA is appended to every request's query (e.g. "&properties=code,status")."""
import os, random, statistics, sys, time, urllib.request

a, b = sys.argv[1], sys.argv[2]
extra = sys.argv[3] if len(sys.argv) > 3 else ""
ext = [float(v) for v in os.environ["BENCH_EXTENT"].split()]
token = os.environ["PARKLAND_TOKEN"]
w, h = 0.0101, 0.0090
random.seed(3)
boxes = []
for _ in range(10):
    x = ext[0] + random.random() * (ext[2] - ext[0] - w)
    y = ext[1] + random.random() * (ext[3] - ext[1] - h)
    boxes.append(f"{x:.6f},{y:.6f},{x + w:.6f},{y + h:.6f}")
times = {a: [], b: []}
size = {}
for round_ in range(12):
    for box in boxes:
        for base in (a, b) if round_ % 2 == 0 else (b, a):
            request = urllib.request.Request(f"{base}/collections/parcels/items?bbox={box}&limit=1000{extra}",
                                             headers={"Authorization": f"Bearer {token}"})
            t = time.perf_counter()
            size[base] = len(urllib.request.urlopen(request).read())
            if round_ > 0:
                times[base].append((time.perf_counter() - t) * 1000)
for label, base in (("A", a), ("B", b)):
    q = statistics.quantiles(times[base], n=4)
    print(f"{label} {base}: median {statistics.median(times[base]):.2f} ms (p25 {q[0]:.2f}, p75 {q[2]:.2f}), "
          f"{len(times[base])} requests, last page {size[base]} bytes")
