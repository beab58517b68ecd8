#!/usr/bin/env bash
# The map interface's goals of issue 16 on PostGIS (see benches/README.md, "The map interface"):
# /collections against /conformance, a deep page against the first, vector tiles at z14 and z16
# (uncached, the server's time against the database's own ST_AsMVT), bytes per feature.
#   bash benches/map_interface.sh      # 200,000 parcels, 16 clients, 15 s per run
# Env: BENCH_PARCELS, BENCH_CLIENTS, BENCH_SECONDS, PARKLAND_BIN (default: release build),
# BENCH_FRESH=1 (re-import even when parkland_bench already holds the parcels).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${BENCH_PARCELS:-200000}"; CLIENTS="${BENCH_CLIENTS:-16}"; SECONDS_="${BENCH_SECONDS:-15}"
PORT=18791
BIN="${PARKLAND_BIN:-}"
if [ -z "$BIN" ]; then cargo build --release --quiet; BIN="${CARGO_TARGET_DIR:-target}/release/parkland"; fi
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
OUT=benches/out; mkdir -p "$OUT"
# The database (imported once, reused while it holds N parcels) and parkland on it, keeping no
# tiles (the tiles below are measured uncached; tiles_vs_martin.sh measures the kept ones).
export PARKLAND_TILE_CACHE_MB=0
# shellcheck source=benches/load_bench_db.sh
. benches/load_bench_db.sh

run() { # label, wrk args…
  local label="$1"; shift
  wrk -t2 -c"$CLIENTS" -d"${SECONDS_}s" --latency -H "$AUTH" "$@" > "$OUT/wrk-$label.txt"
  awk -v l="$label" '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%-24s %8s req/s  p50 %8s  p99 %8s\n", l, r, p50, p99}' "$OUT/wrk-$label.txt"
}
median_ms() { # url: the median of 15 sequential requests after 6 not counted, in ms
  # (PostgreSQL plans a prepared statement afresh five times on a connection, then may settle
  # on a generic plan: the figure is the page as a connection runs it from then on.)
  for _ in $(seq 6); do curl -s -o /dev/null -H "$AUTH" "$1"; done
  for _ in $(seq 15); do curl -s -o /dev/null -H "$AUTH" -w '%{time_total}\n' "$1"; done \
    | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}'
}

echo "== /collections against /conformance, $CLIENTS clients"
run conformance "$BASE/conformance"
run collections "$BASE/collections"

echo "== a deep page against the first (limit 1000), one client, median of 15 after 6"
FIRST=$(median_ms "$BASE/collections/parcels/items?limit=1000")
DEEP=$(median_ms "$BASE/collections/parcels/items?limit=1000&offset=150000")
AFTER_ID=$(curl -s -H "$AUTH" "$BASE/collections/parcels/items?limit=1&offset=149999&skipGeometry=true&properties=code" | python3 -c 'import json,sys; print(json.load(sys.stdin)["features"][0]["id"])')
KEYED=$(median_ms "$BASE/collections/parcels/items?limit=1000&after=$AFTER_ID")
echo "first page ${FIRST} ms; offset=150000 ${DEEP} ms; after= (the next link) ${KEYED} ms"
BYTES=$(curl -s -H "$AUTH" "$BASE/collections/parcels/items?limit=1000" | wc -c)
echo "bytes per feature on a 1000-feature page: $((BYTES / 1000))"

echo "== vector tiles over the park, uncached, $CLIENTS clients"
python3 benches/tile_list.py "$OUT" "$MINX" "$MINY" "$MAXX" "$MAXY"
for z in 14 16; do
  n=$(wc -l < "$OUT/tiles-z$z.txt")
  total=0; for p in $(head -40 "$OUT/tiles-z$z.txt"); do b=$(curl -s -H "$AUTH" "$BASE$p" | wc -c); total=$((total + b)); done
  echo "z$z: $n tiles over the park; mean $((total / 40)) bytes (first 40)"
  BENCH_PATHS="$OUT/tiles-z$z.txt" run "tiles-z$z" -s benches/paths.lua "$BASE"
done
RSS_KB=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"); HWM_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
echo "server RSS after the runs: $((RSS_KB / 1024)) MiB (peak $((HWM_KB / 1024)) MiB)"

echo "== one tile alone against the database's own ST_AsMVT for it (z14, median of 15)"
P=$(sed -n "$(( $(wc -l < "$OUT/tiles-z14.txt") / 2 ))p" "$OUT/tiles-z14.txt")
read -r Z Y X <<< "$(echo "$P" | awk -F/ '{print $6, $7, $8}')"
HTTP=$(median_ms "$BASE$P")
SQL=$(tile_sql "$Z" "$X" "$Y")
# One warm session, as the server's pooled connections are (a fresh backend pays PROJ's set-up).
DB=$( { printf '%s\n' '\timing on'; for _ in $(seq 16); do echo "$SQL;"; done; } \
  | psql -h 127.0.0.1 -U postgres -d parkland_bench -qAt -o /dev/null 2>&1 \
  | awk '/^Time:/ {print $2}' | tail -15 | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}')
echo "tile $P: HTTP ${HTTP} ms; database ${DB} ms (the same ST_AsMVT in psql, warm)"
