#!/usr/bin/env bash
# End-to-end checks with real GIS clients: start parkland with the demo park, then read it with
# GDAL's OGC API – Features driver (ogrinfo, ogr2ogr with a bbox and an attribute filter) and
# compare what GDAL got with what the server says, then run OWSLib's client through every
# endpoint (.ci/owslib_check.py) — on SQLite and on PostGIS.
# Usage: .ci/clients-check.sh path/to/parkland   (PostGIS part needs PARKLAND_TEST_DATABASE_URL)
set -euo pipefail
BIN="$(realpath "${1:?path to the parkland binary}")"
WORK="$(mktemp -d)"
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

fail() { echo "GDAL check FAILED: $*" >&2; [ -f "$WORK/server.log" ] && tail -20 "$WORK/server.log" >&2; exit 1; }

check() {
  local url="$1" label="$2" port="$3"
  echo "-- $label"
  DATABASE_URL="$url" "$BIN" demo
  # The register is private: a bureau account for the demo park's county, and its token.
  DATABASE_URL="$url" "$BIN" user add gis.desk --role bureau --jurisdiction 361021 2>/dev/null
  local token
  token=$(DATABASE_URL="$url" "$BIN" token create --user gis.desk --name "CI clients" 2>/dev/null)
  export GDAL_HTTP_HEADERS="Authorization: Bearer $token"
  DATABASE_URL="$url" PARKLAND_BIND="127.0.0.1:$port" PARKLAND_LOG=info "$BIN" >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null || fail "$label: the server did not become ready"
  local api="OAPIF:http://127.0.0.1:$port"
  local matched
  matched() { curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/collections/parcels/items?limit=1&$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])'; }

  ogrinfo -ro -q "$api" >"$WORK/layers.txt" || fail "$label: ogrinfo cannot open the service"
  for layer in parks zones parcels available-plots idle-land underused-land workshops available-units mu-performance renewal-candidates; do grep -q ": $layer " "$WORK/layers.txt" || fail "$label: GDAL does not list $layer"; done

  local total gdal_total
  total=$(matched "")
  gdal_total=$(ogrinfo -ro -so "$api" parcels | sed -n 's/^Feature Count: //p')
  [ "$gdal_total" = "$total" ] || fail "$label: GDAL counts $gdal_total parcels, the server $total"

  # ogr2ogr reads every page (following next links) into a GeoPackage.
  ogr2ogr -f GPKG "$WORK/all.gpkg" "$api" parcels -oo PAGE_SIZE=50 || fail "$label: ogr2ogr failed"
  local copied
  copied=$(ogrinfo -ro -so "$WORK/all.gpkg" parcels | sed -n 's/^Feature Count: //p')
  [ "$copied" = "$total" ] || fail "$label: ogr2ogr copied $copied of $total parcels"
  ogrinfo -ro -so "$WORK/all.gpkg" parcels | grep -q "area_mu: Real" || fail "$label: area_mu is not a real-valued field"

  # A bbox: GDAL sends it to the server; the counts must agree.
  local bbox="116.625,27.55,116.64,27.565" in_box gdal_box
  in_box=$(matched "bbox=$bbox")
  ogr2ogr -f GPKG "$WORK/box.gpkg" "$api" parcels -spat 116.625 27.55 116.64 27.565 || fail "$label: ogr2ogr -spat failed"
  gdal_box=$(ogrinfo -ro -so "$WORK/box.gpkg" parcels | sed -n 's/^Feature Count: //p')
  [ "$gdal_box" = "$in_box" ] && [ "$in_box" -gt 0 ] || fail "$label: bbox gave $gdal_box in GDAL, $in_box on the server"

  # An attribute filter GDAL can pass to the server (status is a documented query parameter).
  local available gdal_available
  available=$(matched "status=available")
  gdal_available=$(ogrinfo -ro -so "$api" parcels -where "status = 'available'" | sed -n 's/^Feature Count: //p')
  [ "$gdal_available" = "$available" ] || fail "$label: status filter gave $gdal_available in GDAL, $available on the server"

  # The public layer, anonymously, as a public web map reads it.
  local plots gdal_plots
  plots=$(curl -sf "http://127.0.0.1:$port/collections/available-plots/items?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')
  gdal_plots=$(GDAL_HTTP_HEADERS="" ogrinfo -ro -so "$api" available-plots | sed -n 's/^Feature Count: //p')
  [ "$gdal_plots" = "$plots" ] && [ "$plots" -gt 0 ] || fail "$label: anonymous GDAL read $gdal_plots available plots, the server has $plots"

  # The public units layer, anonymously.
  local units gdal_units
  units=$(curl -sf "http://127.0.0.1:$port/collections/available-units/items?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')
  gdal_units=$(GDAL_HTTP_HEADERS="" ogrinfo -ro -so "$api" available-units | sed -n 's/^Feature Count: //p')
  [ "$gdal_units" = "$units" ] && [ "$units" -gt 0 ] || fail "$label: anonymous GDAL read $gdal_units available units, the server has $units"

  # The land watch and workshop layers (computed for today): GDAL's counts agree with the server's, and it
  # passes attribute filters named after the properties (idle_status, class) to the server.
  local count_of layer_total gdal_layer filtered gdal_filtered
  count_of() { curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/collections/$1/items?limit=1&$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])'; }
  for spec in "idle-land idle_status idle" "underused-land class supplied_not_used" "workshops deadline_status overdue" "mu-performance class D" "renewal-candidates kind unit"; do
    set -- $spec
    layer_total=$(count_of "$1" "")
    gdal_layer=$(ogrinfo -ro -so "$api" "$1" | sed -n 's/^Feature Count: //p')
    [ "$gdal_layer" = "$layer_total" ] && [ "$layer_total" -gt 0 ] || fail "$label: GDAL counts $gdal_layer in $1, the server $layer_total"
    filtered=$(count_of "$1" "$2=$3")
    gdal_filtered=$(ogrinfo -ro -so "$api" "$1" -where "$2 = '$3'" | sed -n 's/^Feature Count: //p')
    [ "$gdal_filtered" = "$filtered" ] && [ "$filtered" -gt 0 ] || fail "$label: $2=$3 gave $gdal_filtered in GDAL, $filtered on the server"
    echo "   GDAL read $layer_total features of $1 ($filtered with $2=$3), as the server"
  done

  # A CQL2 filter through GDAL: its OAPIF driver finds `filter-lang` in the API document and
  # sends the -where to the server as CQL text (GDAL 3.6 names it cql-text, the draft's name).
  local cql gdal_cql
  cql=$(matched "filter=status%20%3D%20'available'%20AND%20land_use%20%3D%20'100101'")
  CPL_DEBUG=ON ogrinfo -ro -so "$api" parcels -where "status = 'available' AND land_use = '100101'" >"$WORK/cql.txt" 2>&1 || fail "$label: ogrinfo -where failed"
  grep -q "filter-lang=cql" "$WORK/cql.txt" || fail "$label: GDAL did not send the -where to the server as CQL"
  gdal_cql=$(sed -n 's/^Feature Count: //p' "$WORK/cql.txt")
  [ "$gdal_cql" = "$cql" ] && [ "$cql" -gt 0 ] || fail "$label: the CQL filter gave $gdal_cql in GDAL, $cql on the server"
  echo "   GDAL's -where went to the server as CQL: $cql parcels, as the server counts"

  # The same on a computed layer (filtered on its features in Rust, not in SQL).
  local idle_cql gdal_idle_cql
  idle_cql=$(count_of idle-land "filter=idle_status%20%3D%20'idle'%20AND%20idle_days%20%3E%20365")
  CPL_DEBUG=ON ogrinfo -ro -so "$api" idle-land -where "idle_status = 'idle' AND idle_days > 365" >"$WORK/cql-idle.txt" 2>&1 || fail "$label: ogrinfo -where on idle-land failed"
  grep -q "filter-lang=cql" "$WORK/cql-idle.txt" || fail "$label: GDAL did not send the idle-land -where to the server as CQL"
  gdal_idle_cql=$(sed -n 's/^Feature Count: //p' "$WORK/cql-idle.txt")
  [ "$gdal_idle_cql" = "$idle_cql" ] && [ "$idle_cql" -gt 0 ] || fail "$label: the idle-land CQL filter gave $gdal_idle_cql in GDAL, $idle_cql on the server"
  echo "   GDAL's -where on idle-land went to the server as CQL: $idle_cql parcels idle over a year"

  # A vector tile read by GDAL's MVT driver: the z11 tile holding the whole demo park carries
  # every active parcel (on PostGIS written by ST_AsMVT, on SQLite in Rust).
  curl -sf -H "Authorization: Bearer $token" -o "$WORK/park.mvt" \
    "http://127.0.0.1:$port/collections/parcels/tiles/WebMercatorQuad/11/860/1687" || fail "$label: no parcels tile"
  local gdal_tile
  gdal_tile=$(ogrinfo -ro -so -oo X=1687 -oo Y=860 -oo Z=11 "MVT:$WORK/park.mvt" parcels | sed -n 's/^Feature Count: //p')
  [ "$gdal_tile" = "$total" ] || fail "$label: GDAL read $gdal_tile parcels from the tile, the server has $total"
  echo "   GDAL's MVT driver read $gdal_tile parcels from one tile"

  if grep -E 'status=4[0-9][0-9]' "$WORK/server.log" | grep -v 'path=/favicon'; then
    fail "$label: the server refused a request GDAL made"
  fi
  echo "   GDAL read $total parcels; bbox $in_box; status=available $available; public plots $plots — all agree with the server"
  PARKLAND_TOKEN="$token" python3 "$(dirname "$0")/owslib_check.py" "http://127.0.0.1:$port/" >"$WORK/owslib.txt" 2>&1 \
    || { cat "$WORK/owslib.txt" >&2; fail "$label: OWSLib's client failed"; }
  echo "   OWSLib: $(tail -1 "$WORK/owslib.txt")"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
}

ogrinfo --version
check "sqlite://$WORK/gdal.db" "SQLite" 18711
if [ -n "${PARKLAND_TEST_DATABASE_URL:-}" ]; then
  base="${PARKLAND_TEST_DATABASE_URL%/*}"
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS parkland_gdal" -c "CREATE DATABASE parkland_gdal"
  check "$base/parkland_gdal" "PostGIS" 18712
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS parkland_gdal"
fi
echo "client checks passed"

