#!/usr/bin/env bash
# The map-view and import benchmark on PostGIS (see benches/README.md).
#   bash benches/run.sh            # 100,000 parcels, 16 clients, 30 s
# Env: BENCH_PARCELS, BENCH_CLIENTS, BENCH_SECONDS, BENCH_DB (a PostgreSQL server URL without
# database, default postgres://postgres@127.0.0.1:5432), PARKLAND_BIN (default: release build).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${BENCH_PARCELS:-100000}"; CLIENTS="${BENCH_CLIENTS:-16}"; SECONDS_="${BENCH_SECONDS:-30}"
SERVER_URL="${BENCH_DB:-postgres://postgres@127.0.0.1:5432}"
# Same host: no TLS on the loopback, as with a local socket or the compose network.
DB_PARAMS="${BENCH_DB_PARAMS:-?sslmode=disable}"
PORT=18790
BIN="${PARKLAND_BIN:-}"
if [ -z "$BIN" ]; then cargo build --release --quiet; BIN="${CARGO_TARGET_DIR:-target}/release/parkland"; fi
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
OUT=benches/out; mkdir -p "$OUT"
python3 benches/gen_parcels.py "$OUT" "$N"
read -r MINX MINY MAXX MAXY < "$OUT/extent.txt"

psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS parkland_bench" -c "CREATE DATABASE parkland_bench"
export DATABASE_URL="$SERVER_URL/parkland_bench$DB_PARAMS"
PARKLAND_LOG=warn PARKLAND_BIND="127.0.0.1:$PORT" "$BIN" > "$OUT/server.log" 2>&1 &
SERVER=$!; trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.2; done
"$BIN" user add bench --role admin 2>/dev/null
TOKEN=$("$BIN" token create --user bench 2>/dev/null)
AUTH="Authorization: Bearer $TOKEN"
curl -sf "http://127.0.0.1:$PORT/api/parks" -H "$AUTH" -H 'Content-Type: application/geo+json' -d @"$OUT/park.json" >/dev/null

echo "== import of $N parcels (PostGIS)"
START=$(date +%s.%N)
"$BIN" import --park BENCH "$OUT/parcels.geojson"
END=$(date +%s.%N)
IMPORT_S=$(python3 -c "print(round($END - $START, 1))")
echo "import: ${IMPORT_S} s"
psql -q -h 127.0.0.1 -U postgres -d parkland_bench -c "VACUUM ANALYZE"

echo "== map view: ~1 km² boxes, limit 1000, $CLIENTS clients, ${SECONDS_} s"
curl -s -o /dev/null -H "$AUTH" "http://127.0.0.1:$PORT/collections/parcels/items?limit=10"   # warm the pool
BENCH_EXTENT="$MINX $MINY $MAXX $MAXY" wrk -t2 -c"$CLIENTS" -d"${SECONDS_}s" --latency -H "$AUTH" -s benches/map_view.lua "http://127.0.0.1:$PORT" | tee "$OUT/wrk.txt"
RSS_KB=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"); HWM_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
echo "server RSS after the run: $((RSS_KB / 1024)) MiB (peak $((HWM_KB / 1024)) MiB)"

echo "== one request alone, and the database's own time for the same query"
PARKLAND_TOKEN="$TOKEN" python3 benches/db_time.py "http://127.0.0.1:$PORT" "$MINX $MINY $MAXX $MAXY" | tee "$OUT/db_time.txt"

echo "== the database alone under the same load: the same query, random boxes, $CLIENTS clients (pgbench)"
rm -f "$OUT"/pgbench_log.*
(cd "$OUT" && pgbench -n -c "$CLIENTS" -j 2 -T "$SECONDS_" -l -f ../map_view.pgbench "$DATABASE_URL") | grep -E "^tps|latency average"
cat "$OUT"/pgbench_log.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {printf "database under load: p50 %.1f ms, p99 %.1f ms (%d queries)\n", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000, NR}' | tee "$OUT/pgbench.txt"

