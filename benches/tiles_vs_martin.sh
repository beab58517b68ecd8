#!/usr/bin/env bash
# parkland's parcels tiles against Martin's, side by side on the same PostGIS data and the same
# tile lists (see benches/README.md, "Tiles against Martin"):
#   bash benches/tiles_vs_martin.sh   # 200,000 parcels (map_interface.sh's), 16 clients, 15 s a run
# 1. uncached: every z14 and z16 tile over the park at random, wrk, the servers alternating;
#    tiles/s, p50, p99, mean bytes a tile (first 40), each server's memory; the features of a few
#    tiles compared one by one (mvt_check.py);
# 2. one client: a middle z14 tile, median of 15, and the database's own time for each
#    server's SQL in one warm psql session;
# 3. cached: Martin with its tile cache on (default size) against parkland with its tile memo
#    on (PARKLAND_TILE_CACHE_MB, default 64: tiles kept until the next write to the register,
#    checked with one primary-key lookup a request), both filled with every tile of the list;
#    and parkland's answer to a revalidation (If-None-Match with each tile's ETag -> 304), which
#    is what a proxy cache in front of it asks.
# Martin is not built here: cargo install martin@1.14.0 --no-default-features --features postgres --locked
# Env: MARTIN_BIN (default: martin on PATH), PARKLAND_BIN (default: release build), BENCH_PARCELS,
# BENCH_CLIENTS, BENCH_SECONDS, BENCH_ROUNDS (uncached rounds, default 2), BENCH_FRESH=1 (re-import),
# PARKLAND_POOL_SIZE (default 10, parkland's; Martin's pool is set to the same).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${BENCH_PARCELS:-200000}"; CLIENTS="${BENCH_CLIENTS:-16}"; SECONDS_="${BENCH_SECONDS:-15}"
ROUNDS="${BENCH_ROUNDS:-2}"
PORT=18791; MPORT=18792
MARTIN="${MARTIN_BIN:-martin}"
if ! command -v "$MARTIN" >/dev/null; then
  echo "Martin is needed and is not built by this script:" >&2
  echo "  cargo install martin@1.14.0 --no-default-features --features postgres --locked" >&2
  echo "then run again (or set MARTIN_BIN to its path)." >&2
  exit 1
fi
BIN="${PARKLAND_BIN:-}"
if [ -z "$BIN" ]; then cargo build --release --quiet; BIN="${CARGO_TARGET_DIR:-target}/release/parkland"; fi
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
export PARKLAND_POOL_SIZE="${PARKLAND_POOL_SIZE:-10}"
OUT=benches/out; mkdir -p "$OUT"
echo "== $("$MARTIN" --version 2>&1 | head -1) against parkland ($BIN); pool $PARKLAND_POOL_SIZE connections each"

# Uncached first: parkland keeps no tiles until the cached part restarts it.
export PARKLAND_TILE_CACHE_MB=0
# shellcheck source=benches/load_bench_db.sh
. benches/load_bench_db.sh
MBASE="http://127.0.0.1:$MPORT"
python3 benches/tile_list.py "$OUT" "$MINX" "$MINY" "$MAXX" "$MAXY"
# Martin's sources: the properties parkland's tiles carry below z15 and from z15 (the store's
# TILE_PROPERTIES). Raw columns where parkland rounds (area_m2) or formats (approved_on, a date,
# which ST_AsMVT writes as the same ISO text); area_mu (area_m2 x 0.0015) is no column, so
# Martin's z16 tiles carry 19 of parkland's 20 properties.
for z in 14 16; do
  src=parcels_low; [ "$z" -ge 15 ] && src=parcels_full
  awk -v s="$src" '{printf "/%s/%s/%s/%s\n", s, $1, $2, $3}' "$OUT/tiles-z$z.zxy" > "$OUT/martin-tiles-z$z.txt"
done

# Are parkland's tiles public? Then both servers are asked anonymously; otherwise parkland's
# requests carry the token (one indexed lookup each) and the table says so.
MID14=$(sed -n "$(( ($(wc -l < "$OUT/tiles-z14.zxy") + 1) / 2 ))p" "$OUT/tiles-z14.zxy")
read -r Z X Y <<< "$MID14"
PH=()
if [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/collections/parcels/tiles/WebMercatorQuad/$Z/$Y/$X")" = 200 ]; then
  echo "== parkland's parcels tiles are public: both servers asked without credentials"
else
  PH=(-H "$AUTH"); echo "== parkland's parcels tiles need a token: parkland's requests carry it"
fi

LOW_PROPERTIES="code:text status:text land_use:text"
FULL_PROPERTIES="$LOW_PROPERTIES name:text location:text park_id:int8 zone_id:int8 area_m2:float8 far_min:float8 far_max:float8 building_density_min_pct:float8 building_density_max_pct:float8 green_ratio_min_pct:float8 green_ratio_max_pct:float8 height_max_m:float8 site_levelled:bool approval_no:text approved_on:date version:int8"
martin_table() { # source id, "name: type" pairs as "name:type" words
  printf '    %s:\n      schema: public\n      table: parcels\n      layer_id: parcels\n' "$1"
  printf '      srid: 4490\n      geometry_column: geom\n      geometry_type: MULTIPOLYGON\n'
  printf '      id_column: id\n      extent: 4096\n      buffer: 64\n      clip_geom: true\n      properties:\n'
  for p in $2; do printf '        %s: %s\n' "${p%%:*}" "${p#*:}"; done
}
martin_config() { # file, the cache setting
  cat > "$1" <<YAML
# Written by benches/tiles_vs_martin.sh (keys as in Martin 1.14's docs/content/files/generated_config.md).
listen_addresses: "127.0.0.1:$MPORT"
$2
postgres:
  connection_string: "$DATABASE_URL"
  pool_size: $PARKLAND_POOL_SIZE
  auto_publish: false
  auto_bounds: skip
  tables:
$(martin_table parcels_low "$LOW_PROPERTIES")
$(martin_table parcels_full "$FULL_PROPERTIES")
YAML
}
martin_config "$OUT/martin-uncached.yaml" "cache: disable"
martin_config "$OUT/martin-cached.yaml" "# the tile cache at its default size (512 MB in all, half of it for tiles)"
MARTIN_PID=
start_martin() { # config, log
  env -u RUST_LOG "$MARTIN" --config "$1" > "$2" 2>&1 & # its default logging: martin=info, no request log
  MARTIN_PID=$!; BENCH_PIDS+=("$MARTIN_PID")
  for _ in $(seq 100); do curl -sf "$MBASE/health" >/dev/null && return; sleep 0.2; done
  echo "Martin did not start, see $2" >&2; exit 1
}
stop_martin() { kill "$MARTIN_PID"; wait "$MARTIN_PID" 2>/dev/null || true; }

# CPU time a tile, from /proc: the server process's, and PostgreSQL's.
# shellcheck source=benches/cpu.sh
. benches/cpu.sh
declare -A R C
run() { # label, server pid, base, paths file, lua script, wrk args…
  local label=$1 pid=$2 base=$3 paths=$4 lua=$5 s0 d0 n; shift 5
  s0=$(ticks "$pid"); d0=$(pg_ticks)
  BENCH_PATHS="$paths" wrk -t2 -c"$CLIENTS" -d"${SECONDS_}s" --latency -s "$lua" "$@" "$base" > "$OUT/wrk-$label.txt"
  n=$(awk '/requests in/ {print $1}' "$OUT/wrk-$label.txt")
  C[$label]="$n $(( $(ticks "$pid") - s0 )) $(( $(pg_ticks) - d0 ))"
  R[$label]=$(awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%.1f|%s|%s", r, p50, p99}' "$OUT/wrk-$label.txt")
  IFS='|' read -r r p50 p99 <<< "${R[$label]}"
  printf "%-26s %8s tiles/s  p50 %9s  p99 %9s  CPU a tile: %s" "$label" "$r" "$p50" "$p99" "$(cpu "$label")"
  grep -h -E 'Non-2xx|Socket errors|other than 304' "$OUT/wrk-$label.txt" | sed 's/^ */; /' | tr -d '\n' || true
  echo
}
cpu() { # labels…: "server ms + PostgreSQL ms" of CPU a tile over those runs
  local l n=0 s=0 d=0 a b c
  for l in "$@"; do read -r a b c <<< "${C[$l]}"; n=$((n + a)); s=$((s + b)); d=$((d + c)); done
  awk -v n="$n" -v s="$s" -v d="$d" -v t="$TCK" 'BEGIN {printf "server %.2f + PostgreSQL %.2f ms", s / t * 1000 / n, d / t * 1000 / n}'
}
warm() { # base, paths file, wrk args…: 3 s unmeasured, so every pooled connection is warm (PROJ
  # set up in its backend; Martin's statements prepared, past PostgreSQL's five custom plans)
  local base=$1 paths=$2; shift 2
  BENCH_PATHS="$paths" wrk -t2 -c"$CLIENTS" -d3s -s benches/paths.lua "$@" "$base" > /dev/null
}
mean_bytes() { # base, paths file, curl args…: the mean size of the first 40 tiles
  local base=$1 paths=$2 total=0 n=0 b; shift 2
  for p in $(head -40 "$paths"); do b=$(curl -s "$@" "$base$p" | wc -c); total=$((total + b)); n=$((n + 1)); done
  echo $((total / n))
}
rss() { # pid: "RSS MiB / peak MiB"
  echo "$(( $(awk '/VmRSS/ {print $2}' "/proc/$1/status") / 1024 )) / $(( $(awk '/VmHWM/ {print $2}' "/proc/$1/status") / 1024 ))"
}
median_ms() { # url, curl args…: the median of 15 sequential requests, in ms
  local url=$1; shift
  for _ in $(seq 15); do curl -s -o /dev/null "$@" -w '%{time_total}\n' "$url"; done \
    | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}'
}
db_ms() { # SQL, PREPARE statement or "": the median of the last 15 of 20 runs in one warm psql session
  { [ -n "$2" ] && echo "$2;"; printf '%s\n' '\timing on'; for _ in $(seq 20); do echo "$1;"; done; } \
    | psql -h 127.0.0.1 -U postgres -d parkland_bench -qAt -o /dev/null 2>&1 \
    | awk '/^Time:/ {print $2}' | tail -15 | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'
}

echo "== uncached: Martin with its cache off"
start_martin "$OUT/martin-uncached.yaml" "$OUT/martin-uncached.log"
grep -q "Tile caching is disabled" "$OUT/martin-uncached.log" || echo "(Martin's log does not say its tile cache is off: see $OUT/martin-uncached.log)"
declare -A BYTES
for z in 14 16; do
  BYTES[parkland-$z]=$(mean_bytes "$BASE" "$OUT/tiles-z$z.txt" "${PH[@]}")
  BYTES[martin-$z]=$(mean_bytes "$MBASE" "$OUT/martin-tiles-z$z.txt")
  echo "z$z: $(wc -l < "$OUT/tiles-z$z.txt") tiles over the park; mean bytes (first 40): parkland ${BYTES[parkland-$z]}, Martin ${BYTES[martin-$z]}"
done

echo "== do the tiles agree? (features by id: geometry, properties; parkland's buffer-only features)"
CHECK=()
for z in 14 16; do
  n=$(wc -l < "$OUT/tiles-z$z.zxy"); src=parcels_low; [ "$z" -ge 15 ] && src=parcels_full
  for i in 1 $(( (n + 1) / 2 )) $(( n / 3 )) "$n"; do
    read -r tz tx ty <<< "$(sed -n "${i}p" "$OUT/tiles-z$z.zxy")"
    CHECK+=("$tz/$tx/$ty/$src")
  done
done
if python3 benches/mvt_check.py "$BASE" "$MBASE" "${PH[1]:-}" "${CHECK[@]}" | tee "$OUT/mvt-check.txt"; then
  AGREE="agree"
else
  AGREE="DIFFER (see $OUT/mvt-check.txt)"
fi

echo "== uncached, $CLIENTS clients, ${SECONDS_} s a run, $ROUNDS rounds, the servers alternating"
for z in 14 16; do
  warm "$BASE" "$OUT/tiles-z$z.txt" "${PH[@]}"
  warm "$MBASE" "$OUT/martin-tiles-z$z.txt"
done
for round in $(seq "$ROUNDS"); do
  for z in 14 16; do
    if [ $((round % 2)) = 1 ]; then order="parkland martin"; else order="martin parkland"; fi
    for server in $order; do
      if [ "$server" = parkland ]; then
        run "parkland-z$z-r$round" "$SERVER" "$BASE" "$OUT/tiles-z$z.txt" benches/paths.lua "${PH[@]}"
      else
        run "martin-z$z-r$round" "$MARTIN_PID" "$MBASE" "$OUT/martin-tiles-z$z.txt" benches/paths.lua
      fi
    done
  done
done
RSS_P=$(rss "$SERVER"); RSS_M=$(rss "$MARTIN_PID")
echo "memory after the uncached runs, RSS / peak MiB: parkland $RSS_P, Martin $RSS_M"

echo "== one z14 tile alone ($Z/$X/$Y, the middle of the list), median of 15, and the database's time"
ONE_P=$(median_ms "$BASE/collections/parcels/tiles/WebMercatorQuad/$Z/$Y/$X" "${PH[@]}")
ONE_M=$(median_ms "$MBASE/parcels_low/$Z/$X/$Y")
# parkland's query (store::parcels::tile, as map_interface.sh; diesel sends it unnamed with its
# parameters, so PostgreSQL plans it for the values each time, as for literals) and Martin's
# (its table source, martin/src/config/file/tiles/postgres/resolver/query_tables.rs in 1.14: no
# margin on the search box unless the table is in 3857 or 4326), which Martin prepares once per
# connection and executes with z, x, y: after five executions PostgreSQL keeps a generic plan.
SQL_P=$(tile_sql "$Z" "$X" "$Y")
PREP_M="PREPARE martin_tile(integer, integer, integer) AS SELECT ST_AsMVT(tile, 'parcels', 4096, 'geom', 'id') FROM (SELECT ST_AsMVTGeom(ST_Transform(ST_CurveToLine(\"geom\"::geometry), 3857), ST_TileEnvelope(\$1::integer, \$2::integer, \$3::integer), 4096, 64, true) AS geom, \"id\", \"code\", \"land_use\", \"status\" FROM \"public\".\"parcels\" WHERE \"geom\" && ST_Transform(ST_TileEnvelope(\$1::integer, \$2::integer, \$3::integer), 4490)) AS tile"
# Each in the session settings its server gives its connections: parkland's have no JIT and no
# parallel workers (store::prepare_postgres), Martin's PostgreSQL's defaults.
DB_P=$(db_ms "$SQL_P" "SET jit = off; SET max_parallel_workers_per_gather = 0"); DB_M=$(db_ms "EXECUTE martin_tile($Z, $X, $Y)" "$PREP_M")
BOX_P=${SQL_P##*parcels.geom && }; BOX_P=${BOX_P%) AS t}
FEAT_P=$(psql -qAt -h 127.0.0.1 -U postgres -d parkland_bench -c "SELECT count(*) FROM parcels WHERE status <> 'retired' AND geom && $BOX_P")
FEAT_M=$(psql -qAt -h 127.0.0.1 -U postgres -d parkland_bench -c "SELECT count(*) FROM parcels WHERE geom && ST_Transform(ST_TileEnvelope($Z, $X, $Y), 4490)")
echo "parkland: HTTP $ONE_P ms, its SQL in psql $DB_P ms ($FEAT_P parcels)"
echo "Martin:   HTTP $ONE_M ms, its SQL in psql $DB_M ms ($FEAT_M parcels)"
stop_martin

echo "== cached: Martin's tile cache on; parkland's tile memo on, and its revalidations (If-None-Match -> 304)"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
PARKLAND_TILE_CACHE_MB=64 PARKLAND_LOG=warn PARKLAND_BIND="127.0.0.1:$PORT" "$BIN" > "$OUT/server-memo.log" 2>&1 &
SERVER=$!; BENCH_PIDS+=("$SERVER")
for _ in $(seq 50); do curl -sf "$BASE/ready" >/dev/null && break; sleep 0.2; done
start_martin "$OUT/martin-cached.yaml" "$OUT/martin-cached.log"
for z in 14 16; do # both filled with every tile of the list; parkland's ETags collected
  while read -r p; do curl -s -o /dev/null "$MBASE$p"; done < "$OUT/martin-tiles-z$z.txt"
  while read -r p; do
    printf '%s\t%s\n' "$p" "$(curl -s -o /dev/null -D - "${PH[@]}" "$BASE$p" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')"
  done < "$OUT/tiles-z$z.txt" > "$OUT/tiles-z$z.etag"
done
for z in 14 16; do
  run "martin-cached-z$z" "$MARTIN_PID" "$MBASE" "$OUT/martin-tiles-z$z.txt" benches/paths.lua
  run "parkland-memo-z$z" "$SERVER" "$BASE" "$OUT/tiles-z$z.txt" benches/paths.lua "${PH[@]}"
  run "parkland-304-z$z" "$SERVER" "$BASE" "$OUT/tiles-z$z.etag" benches/paths_etag.lua "${PH[@]}"
done
ETAG=$(awk -v p="/collections/parcels/tiles/WebMercatorQuad/$Z/$Y/$X" '$1 == p {print $2}' "$OUT/tiles-z14.etag")
ONE_P304=$(median_ms "$BASE/collections/parcels/tiles/WebMercatorQuad/$Z/$Y/$X" "${PH[@]}" -H "If-None-Match: $ETAG")
ONE_MC=$(median_ms "$MBASE/parcels_low/$Z/$X/$Y")
RSS_P2=$(rss "$SERVER"); RSS_MC=$(rss "$MARTIN_PID")
ONE_PM=$(median_ms "$BASE/collections/parcels/tiles/WebMercatorQuad/$Z/$Y/$X" "${PH[@]}")
echo "one client, the same z14 tile: parkland from its memo $ONE_PM ms (304: $ONE_P304 ms), Martin from its cache $ONE_MC ms"
echo "memory after the cached runs, RSS / peak MiB: parkland $RSS_P2, Martin (cache on, a fresh process) $RSS_MC"

cell() { IFS='|' read -r r p50 p99 <<< "${R[$1]}"; echo "$r tiles/s, p50 $p50, p99 $p99"; }
rounds() { local s="" r; for r in $(seq "$ROUNDS"); do s="$s${s:+; }$(cell "$1-z$2-r$r")"; done; echo "$s"; }
{
  echo
  echo "| $(date +%F), $(nproc) cores, $N parcels, $CLIENTS clients, ${SECONDS_} s a run | parkland | Martin $("$MARTIN" --version 2>&1 | awk '{print $NF; exit}') |"
  echo "|---|---|---|"
  for z in 14 16; do
    echo "| z$z uncached ($(wc -l < "$OUT/tiles-z$z.txt") tiles, rounds 1…$ROUNDS) | $(rounds parkland "$z") | $(rounds martin "$z") |"
  done
  for z in 14 16; do
    echo "| CPU a z$z tile, uncached (all rounds) | $(cpu $(seq -f "parkland-z$z-r%g" "$ROUNDS")) | $(cpu $(seq -f "martin-z$z-r%g" "$ROUNDS")) |"
  done
  for z in 14 16; do
    echo "| mean bytes a z$z tile (first 40) | ${BYTES[parkland-$z]} | ${BYTES[martin-$z]} |"
  done
  echo "| RSS / peak after the uncached runs | $RSS_P MiB | $RSS_M MiB |"
  for z in 14 16; do
    echo "| z$z cached: parkland's tile memo; Martin's tile cache | $(cell "parkland-memo-z$z"); $(cpu "parkland-memo-z$z") | $(cell "martin-cached-z$z"); $(cpu "martin-cached-z$z") |"
    echo "| z$z revalidated: parkland's 304 for each tile's ETag | $(cell "parkland-304-z$z"); $(cpu "parkland-304-z$z") | |"
  done
  echo "| RSS / peak after the cached runs | $RSS_P2 MiB (memo on, a fresh process) | $RSS_MC MiB (cache on, a fresh process) |"
  echo "| one client, z14 tile $Z/$X/$Y, median of 15 | $ONE_P ms (memo: $ONE_PM ms; 304: $ONE_P304 ms) | $ONE_M ms (cached: $ONE_MC ms) |"
  echo "| the database's time for the server's SQL (psql, warm; Martin's prepared) | $DB_P ms ($FEAT_P parcels) | $DB_M ms ($FEAT_M parcels) |"
  echo "| the features of ${#CHECK[@]} tiles compared | $AGREE | |"
} | tee "$OUT/tiles-vs-martin.md"
