#!/usr/bin/env bash
# deploy/nginx.conf in front of two parkland instances on one PostgreSQL, as the compose
# profile `scale` runs them (Debian's nginx; the instances' host names replaced by local ports):
# requests pass through, a client cannot choose the address it is rate-limited by, JSON is
# compressed, public tiles are kept and revalidated while private ones never are, and with one
# instance stopped the other answers everything.
#   bash .ci/proxy-check.sh path/to/parkland      (needs PostgreSQL + PostGIS on 127.0.0.1:5432)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(realpath "${1:-target/debug/parkland}")"
command -v nginx >/dev/null || { echo "nginx is needed: apt-get install nginx-light" >&2; exit 1; }
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
fail() { echo "proxy check: $*" >&2; exit 1; }

psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS parkland_proxy" -c "CREATE DATABASE parkland_proxy"
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/parkland_proxy
P1=$(free_port); P2=$(free_port); PX=$(free_port)
# A burst of 20 anonymous requests, then one a minute: enough for the checks before the limit's.
for port in "$P1" "$P2"; do
  PARKLAND_BIND="127.0.0.1:$port" PARKLAND_TRUST_FORWARDED=true PARKLAND_ANON_BURST=20 \
    PARKLAND_ANON_RATE_PER_MINUTE=1 PARKLAND_LOG=warn "$BIN" serve >"$WORK/parkland-$port.log" 2>&1 &
  PIDS+=($!)
  # One at a time: the first migrates the new database.
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
done
mkdir -p "$WORK/cache"
sed -e "s/parkland-1:8080/127.0.0.1:$P1/" -e "s/parkland-2:8080/127.0.0.1:$P2/" \
    -e "s/listen 8080;/listen 127.0.0.1:$PX;/" -e "s#/var/cache/nginx/tiles#$WORK/cache#" \
    deploy/nginx.conf >"$WORK/nginx.conf"
nginx -t -q -c "$WORK/nginx.conf" -g "pid $WORK/nginx.pid; error_log $WORK/error.log; user root;" 2>&1 \
  | grep -v 'could not open error log file' || true
nginx -c "$WORK/nginx.conf" -g "pid $WORK/nginx.pid; error_log $WORK/error.log; user root;"
X="http://127.0.0.1:$PX"
for _ in $(seq 50); do curl -sf "$X/health" >/dev/null && break; sleep 0.2; done

"$BIN" user add proxy.admin --role admin >/dev/null
AUTH="Authorization: Bearer $("$BIN" token create --user proxy.admin 2>/dev/null)"
curl -sf "$X/api/parks" -H "$AUTH" -H 'Content-Type: application/geo+json' \
  -d '{"type":"Feature","properties":{"code":"NCGY","name":"南城县工业园区","admin_code":"361021"},"geometry":{"type":"Polygon","coordinates":[[[116.62,27.55],[116.66,27.55],[116.66,27.58],[116.62,27.58],[116.62,27.55]]]}}' >/dev/null \
  || fail "a park could not be created through the proxy"
curl -sf "$X/api/parks/1/parcels" -H "$AUTH" -H 'Content-Type: application/geo+json' \
  -d '{"type":"Feature","properties":{"code":"A-1","land_use":"100101","status":"available"},"geometry":{"type":"Polygon","coordinates":[[[116.63,27.56],[116.632,27.56],[116.632,27.562],[116.63,27.562],[116.63,27.56]]]}}' >/dev/null \
  || fail "a parcel could not be created through the proxy"
echo "proxy: writes pass through"

# Links carry the public host the proxy was asked for.
curl -sf "$X/collections" -H "$AUTH" -H "Host: gis.example.gov.cn" | grep -q '"http://gis.example.gov.cn/collections"' \
  || fail "links do not carry the forwarded host"
echo "proxy: links carry the forwarded host"

# JSON is compressed.
curl -s -o /dev/null -D - -H "$AUTH" -H 'Accept-Encoding: gzip' "$X/collections/parcels/items?limit=100" \
  | grep -qi '^content-encoding: gzip' || fail "GeoJSON was not compressed"
echo "proxy: GeoJSON compressed"

# Public tiles are kept and revalidated; private ones (with a token) never are.
T="$X/collections/available-plots/tiles/WebMercatorQuad/16/27545/54000"
status() { curl -s -o /dev/null -D - "$@" | awk 'tolower($1) == "x-cache-status:" {print $2}' | tr -d '\r'; }
first=$(status "$T"); second=$(status "$T")
[ "$first" = MISS ] && [ "$second" = HIT ] || fail "a public tile was not kept: $first then $second"
# Kept one second (nginx counts whole seconds, so it may serve a hit up to two): then revalidated.
for _ in $(seq 10); do
  sleep 0.5
  third=$(status "$T")
  [ "$third" = REVALIDATED ] || [ "$third" = EXPIRED ] && break
done
[ "$third" = REVALIDATED ] || [ "$third" = EXPIRED ] || fail "an expired public tile was not revalidated: $third"
private=$(status -H "$AUTH" "$X/collections/parcels/tiles/WebMercatorQuad/16/27545/54000")
[ "$private" = BYPASS ] || fail "a tile asked with a token went through the cache: $private"
echo "proxy: public tile $first, $second, then $third; with a token $private"

# A made-up X-Forwarded-For per request does not escape the anonymous limit (a burst of 20,
# some of it taken above).
codes=""
for i in $(seq 24); do
  codes+="$(curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: 198.51.100.$i" "$X/conformance") "
done
[ "$(echo "$codes" | tr ' ' '\n' | grep -c 429)" -ge 4 ] || fail "the limit was escaped: $codes"
echo "proxy: spoofed X-Forwarded-For counts as the client's own address ($codes)"

# One instance stops (SIGTERM, as docker sends): the other answers everything.
kill -TERM "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true
for _ in $(seq 20); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$X/collections/parcels/items")
  [ "$code" = 200 ] || fail "with one instance stopped, a read got $code"
done
echo "proxy: with one instance stopped, 20 of 20 reads answered by the other"
psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE parkland_proxy WITH (FORCE)"
echo "proxy check passed"
