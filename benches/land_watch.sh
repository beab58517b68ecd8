#!/usr/bin/env bash
# The land-watch benchmark (see benches/README.md): the idle-land and 五未 verdicts of a whole
# park, computed per request, on PostGIS.
#   bash benches/land_watch.sh      # 20,000 parcels (8,000 supplied), 8 clients, 20 s
# Env: BENCH_PARCELS, BENCH_CLIENTS, BENCH_SECONDS, BENCH_DB, PARKLAND_BIN (as run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${BENCH_PARCELS:-20000}"; CLIENTS="${BENCH_CLIENTS:-8}"; SECONDS_="${BENCH_SECONDS:-20}"
SERVER_URL="${BENCH_DB:-postgres://postgres@127.0.0.1:5432}"
PORT=18791
BIN="${PARKLAND_BIN:-}"
if [ -z "$BIN" ]; then cargo build --release --quiet; BIN="${CARGO_TARGET_DIR:-target}/release/parkland"; fi
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
OUT=benches/out; mkdir -p "$OUT"
python3 benches/gen_parcels.py "$OUT" "$N"

psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS parkland_watch" -c "CREATE DATABASE parkland_watch"
export DATABASE_URL="$SERVER_URL/parkland_watch?sslmode=disable"
PARKLAND_LOG=warn PARKLAND_BIND="127.0.0.1:$PORT" "$BIN" > "$OUT/watch-server.log" 2>&1 &
SERVER=$!; trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.2; done
"$BIN" user add bench --role admin 2>/dev/null
TOKEN=$("$BIN" token create --user bench 2>/dev/null)
AUTH="Authorization: Bearer $TOKEN"
PARK=$(curl -sf "http://127.0.0.1:$PORT/api/parks" -H "$AUTH" -H 'Content-Type: application/geo+json' -d @"$OUT/park.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$BIN" import --park BENCH "$OUT/parcels.geojson" >/dev/null

echo "== recording supplies and facts over HTTP"
START=$(date +%s.%N)
PARKLAND_TOKEN="$TOKEN" python3 benches/gen_supplies.py "http://127.0.0.1:$PORT" "$PARK"
END=$(date +%s.%N)
echo "recorded in $(python3 -c "print(round($END - $START, 1))") s"
psql -q -h 127.0.0.1 -U postgres -d parkland_watch -c "VACUUM ANALYZE"

for path in "/api/idle-land?as_of=2024-06-30" "/api/underused-land?as_of=2025-11-22" "/collections/idle-land/items?as_of=2024-06-30&limit=1000" \
            "/api/parks/$PARK/renewal-candidates?as_of=2025-11-22" "/api/parks/$PARK/reports/dispatch?month=2025-11"; do
  echo "== $path"
  for _ in 1 2 3; do curl -s -o /dev/null -w "one request: %{time_total} s, %{size_download} bytes\n" -H "$AUTH" "http://127.0.0.1:$PORT$path"; done
  wrk -t2 -c"$CLIENTS" -d"${SECONDS_}s" --latency -H "$AUTH" "http://127.0.0.1:$PORT$path" | grep -E "Requests/sec|50%|99%"
done
RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
echo "server peak RSS: $((RSS_KB / 1024)) MiB"
