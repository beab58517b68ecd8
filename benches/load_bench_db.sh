# shellcheck shell=bash
# Sourced by map_interface.sh and tiles_vs_martin.sh: the PostGIS database `parkland_bench` with
# N generated parcels (gen_parcels.py) imported through parkland, and parkland running on it.
#
# The import is skipped when the database already holds exactly N parcels (a previous run of
# either script: the generator is deterministic); BENCH_FRESH=1 reloads anyway.
#
# In:  BIN (the parkland binary), OUT (benches/out), N, PORT.
# Out: DATABASE_URL (exported), BASE, TOKEN, AUTH, SERVER (parkland's pid), MINX MINY MAXX MAXY
#      (the parcels' extent), BENCH_PIDS (processes killed on exit; append yours).
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/parkland_bench?sslmode=disable"
BASE="http://127.0.0.1:$PORT"
BENCH_PIDS=()
bench_cleanup() { for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap bench_cleanup EXIT

HAVE=$(psql -qAt -h 127.0.0.1 -U postgres -d parkland_bench -c "SELECT count(*) FROM parcels" 2>/dev/null || echo 0)
if [ "${BENCH_FRESH:-0}" != 1 ] && [ "$HAVE" = "$N" ]; then
  LOAD=0
  python3 benches/gen_parcels.py "$OUT" "$N" --extent-only
  echo "== parkland_bench already holds $N parcels: reused (BENCH_FRESH=1 reloads)"
else
  LOAD=1
  python3 benches/gen_parcels.py "$OUT" "$N"
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS parkland_bench WITH (FORCE)" -c "CREATE DATABASE parkland_bench"
fi
# shellcheck disable=SC2034 # used by the scripts that source this one
read -r MINX MINY MAXX MAXY < "$OUT/extent.txt"

PARKLAND_LOG=warn PARKLAND_BIND="127.0.0.1:$PORT" "$BIN" > "$OUT/server.log" 2>&1 &
SERVER=$!; BENCH_PIDS+=("$SERVER")
for _ in $(seq 50); do curl -sf "$BASE/ready" >/dev/null && break; sleep 0.2; done
# On a reused database the user is already there.
"$BIN" user add bench --role admin >/dev/null 2>&1 || [ "$LOAD" = 0 ]
TOKEN=$("$BIN" token create --user bench 2>/dev/null)
AUTH="Authorization: Bearer $TOKEN"

if [ "$LOAD" = 1 ]; then
  curl -sf "$BASE/api/parks" -H "$AUTH" -H 'Content-Type: application/geo+json' -d @"$OUT/park.json" >/dev/null
  # An import file holds at most 5,000,000 attribute values: import in parts of 100,000.
  rm -f "$OUT"/part-*.geojson
  python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
features = json.load(open(f"{out}/parcels.geojson"))["features"]
for i in range(0, len(features), 100_000):
    with open(f"{out}/part-{i // 100_000}.geojson", "w") as f:
        json.dump({"type": "FeatureCollection", "features": features[i:i + 100_000]}, f)
PY
  for part in "$OUT"/part-*.geojson; do "$BIN" import --park BENCH "$part" >/dev/null; done
  psql -q -h 127.0.0.1 -U postgres -d parkland_bench -c "VACUUM ANALYZE"
  echo "== $N parcels imported"
fi

# parkland's SQL for the z14 parcels tile Z/X/Y (store::parcels::tile at low zoom: the tile's
# box widened by mvt::READ_MARGIN, 8 units, an index test only), for timing it in psql.
tile_sql() { # z, x, y
  local Z=$1 X=$2 Y=$3 B BX0 BY0 BX1 BY1
  B=$(python3 -c "
import math
z,x,y=$Z,$X,$Y; n=2**z; e=4096; b=8
lon=lambda px:(x+px/e)/n*360-180
lat=lambda py:math.degrees(math.atan(math.sinh(math.pi*(1-2*(y+py/e)/n))))
print(lon(-b), lat(e+b), lon(e+b), lat(-b))")
  read -r BX0 BY0 BX1 BY1 <<< "$B"
  echo "SELECT ST_AsMVT(t, 'parcels', 4096, 'geom', 'id') FROM (SELECT ST_AsMVTGeom(ST_Transform(parcels.geom, 3857), ST_TileEnvelope($Z, $X, $Y), 4096, 64, true) AS geom, parcels.id AS id, parcels.code AS code, parcels.status AS status, parcels.land_use AS land_use FROM parcels WHERE parcels.status <> 'retired' AND parcels.geom && ST_MakeEnvelope($BX0, $BY0, $BX1, $BY1, 4490)) AS t"
}
