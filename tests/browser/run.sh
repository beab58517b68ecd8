#!/usr/bin/env bash
# The dashboard in a real browser: loads the demo park into a fresh SQLite file, starts
# parkland on a free port, and drives Debian's chromium through dashboard.mjs.
#
#   bash tests/browser/run.sh [path/to/parkland]     (default: the debug build)
#   PARKLAND_DEMO_PARCELS=50000 bash tests/browser/run.sh target/release/parkland
#     the same paths on a generated park of that many parcels (screenshots named large-…;
#     no GCJ-02 run: over an offset base map the layers come whole, not as tiles)
#
# Needs /usr/bin/chromium (apt-get install chromium) and Node.js; screenshots land in
# tests/screenshots/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-${CARGO_TARGET_DIR:-$root/target}/debug/parkland}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

export DATABASE_URL="sqlite://$work/park.db"
"$bin" migrate >/dev/null
if [ -n "${PARKLAND_DEMO_PARCELS:-}" ]; then
  "$bin" demo --parcels "$PARKLAND_DEMO_PARCELS"
  export SHOT_PREFIX=large-
else
  "$bin" demo
fi
"$bin" user add committee.demo --role committee --park NCGY --display-name "南城园区管委会"
password="demo-committee-$(date +%s)"
PARKLAND_PASSWORD="$password" "$bin" user password committee.demo
"$bin" user add applicant.demo --role applicant --display-name "江西某新材料有限公司"
applicant_password="demo-applicant-$(date +%s)"
PARKLAND_PASSWORD="$applicant_password" "$bin" user password applicant.demo
"$bin" user add bureau.demo --role bureau --jurisdiction 361021 --display-name "南城县自然资源局"
bureau_password="demo-bureau-$(date +%s)"
PARKLAND_PASSWORD="$bureau_password" "$bin" user password bureau.demo
# The administrator adds a second park late in the run (the phone's header with a park picker).
"$bin" user add admin.ci --role admin >/dev/null
admin_token=$("$bin" token create --user admin.ci)

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() {
  for _ in $(seq 1 100); do
    curl -sf "$1" >/dev/null && return 0
    sleep 0.1
  done
  echo "$1 did not answer" >&2
  return 1
}

# The service as installed: no base map.
port=$(free_port)
PARKLAND_BIND="127.0.0.1:$port" "$bin" serve >"$work/server.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$port/conformance"
# The same register behind an AMap-like GCJ-02 base map, its tiles from a local stand-in (the
# demo park only: on the large park it would be a second service warming up beside the first).
gcj_url=
if [ -z "${PARKLAND_DEMO_PARCELS:-}" ]; then
  tiles=$(free_port)
  python3 "$here/tiles.py" "$tiles" &
  pids+=($!)
  gcj=$(free_port)
  PARKLAND_BIND="127.0.0.1:$gcj" PARKLAND_BASEMAP_COORDINATES=gcj02 \
    PARKLAND_BASEMAP_URL="http://127.0.0.1:$tiles/{z}/{x}/{y}.png" PARKLAND_BASEMAP_ATTRIBUTION="test tiles" \
    "$bin" serve >"$work/server-gcj.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$gcj/conformance"
  wait_for "http://127.0.0.1:$tiles/0/0/0.png"
  gcj_url="http://127.0.0.1:$gcj"
fi
# A service is up long before its first visitors: the timings start once it has watched the
# parks ahead (a few seconds on the large park; logged when done).
for _ in $(seq 1 600); do
  grep -q "watched for today\|could not watch" "$work/server.log" && break
  sleep 0.1
done

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
PARKLAND_URL="http://127.0.0.1:$port" PARKLAND_GCJ02_URL="$gcj_url" \
  DASHBOARD_USER=committee.demo DASHBOARD_PASSWORD="$password" \
  APPLICANT_USER=applicant.demo APPLICANT_PASSWORD="$applicant_password" ADMIN_TOKEN="$admin_token" \
  BUREAU_USER=bureau.demo BUREAU_PASSWORD="$bureau_password" \
  SCREENSHOTS="$root/tests/screenshots" \
  node "$here/dashboard.mjs" || { echo "--- server log"; tail -n 40 "$work/server.log"; exit 1; }
# The requests that took longest, for reading the timings above.
echo "--- slowest requests"
# (sorted into a file first: `head` closing the pipe early would fail the script under pipefail)
sed 's/\x1b\[[0-9;]*m//g' "$work/server.log" | grep -o 'path=[^ ]* status=[0-9]* ms=[0-9]*' \
  | sort -t= -k4 -n -r >"$work/slowest.txt" || true
head -n 8 "$work/slowest.txt"
# The whole log, for reading the timings against the requests' order.
cp "$work/server.log" "${TMPDIR:-/tmp}/parkland-browser-server.log"
