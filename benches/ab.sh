#!/usr/bin/env bash
# Two builds of parkland, the same requests, alternating: req/s and the CPU a request costs in
# the server and in PostgreSQL (from /proc), for `/conformance`, `/collections` and random z16
# parcels tiles (uncached), 16 clients, 10 s each, two rounds. For a change whose effect is
# smaller than run-to-run noise of a single load test.
#
#   A=/path/to/old/parkland B=/path/to/new/parkland bash benches/ab.sh
#
# Needs PostgreSQL + PostGIS on 127.0.0.1:5432 and wrk; uses (or loads) the 200,000 generated
# parcels of `parkland_bench` (benches/load_bench_db.sh), every request with a token.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${A:?the first build}" "${B:?the second build}"
OUT=benches/out/ab; mkdir -p "$OUT"
N=200000 PORT=18113 BIN="$B"
# shellcheck source=benches/load_bench_db.sh
. benches/load_bench_db.sh
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
python3 benches/tile_list.py "$OUT" "$MINX" "$MINY" "$MAXX" "$MAXY"
# shellcheck source=benches/cpu.sh
. benches/cpu.sh
run() { # label, the server's pid, wrk's arguments
  local label=$1 s=$2 t0 p0 out n
  shift 2
  t0=$(ticks "$s"); p0=$(pg_ticks)
  out=$(wrk -t2 -c16 -d10s -H "$AUTH" "$@")
  n=$(echo "$out" | awk '/requests in/{print $1}')
  awk -v l="$label" -v n="$n" -v s=$(($(ticks "$s") - t0)) -v p=$(($(pg_ticks) - p0)) -v tck="$TCK" \
    -v r="$(echo "$out" | awk '/Requests\/sec/{print $2}')" \
    'BEGIN {printf "%-24s %9s req/s  server %.3f ms  PostgreSQL %.3f ms a request\n", l, r, s*1000/tck/n, p*1000/tck/n}'
}
for round in 1 2; do
  for which in A B; do
    bin=${!which}
    PARKLAND_LOG=warn PARKLAND_BIND="127.0.0.1:$PORT" PARKLAND_TILE_CACHE_MB=0 "$bin" > "$OUT/server-$which.log" 2>&1 &
    S=$!; BENCH_PIDS+=("$S")
    for _ in $(seq 100); do curl -sf "$BASE/ready" >/dev/null && break; sleep 0.2; done
    sleep 2
    run "r$round $which /conformance" "$S" "$BASE/conformance"
    run "r$round $which /collections" "$S" "$BASE/collections"
    BENCH_PATHS="$OUT/tiles-z16.txt" run "r$round $which z16 tiles" "$S" -s benches/paths.lua "$BASE"
    kill "$S"; wait "$S" 2>/dev/null || true
  done
done
