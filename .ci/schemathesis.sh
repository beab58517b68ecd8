#!/usr/bin/env bash
# The OpenAPI document against the running service: start parkland with the demo park, let
# schemathesis generate requests from /openapi.json, and check every answer against the document —
# no 5xx, and status codes, content types, response headers and bodies as documented. Three passes:
# as an administrator (all phases, stateful included), as a park committee member (whose refusals are
# 403) and anonymously (public layers; 401 elsewhere) — on SQLite, and on PostGIS too when
# PARKLAND_TEST_DATABASE_URL is set. Deterministic (fixed seed, one worker, no example database, a
# fresh demo register per store) and bounded (examples per operation; a timeout per pass).
# Usage: .ci/schemathesis.sh path/to/parkland   (PostGIS part needs PARKLAND_TEST_DATABASE_URL)
# Knobs: ST_SEED, ST_EXAMPLES (admin pass; the others take a fifth), ST_PASS_TIMEOUT (s),
#        ST_REPORT_DIR (keep the NDJSON/JUnit reports there), ST_VENV.
set -euo pipefail
BIN="$(realpath "${1:?path to the parkland binary}")"
ST_VERSION=4.32.5
ST_VENV="${ST_VENV:-/opt/st-venv}"
SEED="${ST_SEED:-20260509}"
EXAMPLES="${ST_EXAMPLES:-25}"
PASS_TIMEOUT="${ST_PASS_TIMEOUT:-240}"
WORK="$(mktemp -d)"
REPORTS="${ST_REPORT_DIR:-$WORK/reports}"
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# schemathesis, pinned, in its own venv (installed once; kept by the machine between runs).
if [ "$("$ST_VENV/bin/st" --version 2>/dev/null | sed -n 's/.*version //p')" != "$ST_VERSION" ]; then
  echo "-- installing schemathesis $ST_VERSION into $ST_VENV"
  python3 -m venv "$ST_VENV"
  "$ST_VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$ST_VERSION"
fi
"$ST_VENV/bin/st" --version

# schemathesis has no serializer for application/zip (the parcel import); send it the generated
# bytes as it would send application/octet-stream.
mkdir -p "$WORK/hooks" "$REPORTS"
cat >"$WORK/hooks/parkland_st_hooks.py" <<'EOF'
import schemathesis

schemathesis.serializer.alias("application/zip", "application/octet-stream")
EOF

CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Group a pass's failures (from its NDJSON report): an undocumented status code once, with the
# operations that answered it; every other kind once per operation; one example request each.
summarize() {
  python3 - "$1" <<'EOF'
import base64, collections, json, sys
groups, errors, cases = collections.OrderedDict(), collections.OrderedDict(), set()
for line in open(sys.argv[1], encoding="utf-8"):
    kind, ev = next(iter(json.loads(line).items()))
    if kind == "NonFatalError":
        errors.setdefault((ev.get("label"), ev["value"]["type"]), ev["value"]["message"].splitlines()[0])
    if kind != "ScenarioFinished":
        continue
    rec = ev["recorder"]
    for cid, checks in rec.get("checks", {}).items():
        cases.add(cid)
        for check in checks:
            if check["status"] != "failure":
                continue
            failure = check["failure_info"]["failure"]
            inter = rec.get("interactions", {}).get(cid) or {}
            status = (inter.get("response") or {}).get("status_code")
            op = failure["operation"]
            if failure["type"] == "UndefinedStatusCode":
                key = (failure.get("code", ""), f"undocumented status {status}")
            else:
                first = (failure.get("message") or "").splitlines() or [""]
                key = (failure.get("code", ""), f"{op}: {failure['title']} (status {status}): {first[0][:200]}")
            group = groups.setdefault(key, {"ops": collections.OrderedDict(), "example": None})
            group["ops"][op] = group["ops"].get(op, 0) + 1
            if group["example"] is None:
                request = inter.get("request") or {}
                body = base64.b64decode((request.get("body") or {}).get("$base64", "") or b"")
                group["example"] = f"{request.get('method', '')} {request.get('uri', '')}" + (
                    f"  body {body[:100].decode('utf-8', 'replace')}" if body else "")
print(f"   {len(cases)} test cases; {sum(len(g['ops']) for g in groups.values())} failures (operation × kind)"
      + (f"; {len(errors)} errors" if errors else ""))
for (code, what), group in groups.items():
    ops = list(group["ops"])
    if what.startswith("undocumented status"):
        more = f", … ({len(ops)} operations)" if len(ops) > 3 else ""
        print(f"   {code} {what}: {', '.join(ops[:3])}{more}")
    else:
        print(f"   {code} {what}")
    print(f"        e.g. {group['example']}")
for (label, kind), message in errors.items():
    print(f"   error {label}: {kind}: {message}")
EOF
}

FAILED=()
PASSED=()
# One schemathesis pass: name, then extra arguments for `st run`.
st_pass() {
  local name="$1" port="$2"; shift 2
  local out="$REPORTS/$name"
  rm -rf "$out"; mkdir -p "$out"
  local started=$SECONDS rc=0
  # Run from the scratch folder: schemathesis keeps a cache of crashes where it runs.
  (cd "$WORK" && PYTHONPATH="$WORK/hooks" SCHEMATHESIS_HOOKS=parkland_st_hooks \
    timeout "$PASS_TIMEOUT" "$ST_VENV/bin/st" run "http://127.0.0.1:$port/openapi.json" \
    --checks "$CHECKS" --seed "$SEED" --generation-database none --workers 1 --continue-on-failure \
    --request-timeout 30 --no-color --report ndjson,junit --report-dir "$out" "$@" \
    >"$out/console.txt" 2>&1) || rc=$?
  local took=$((SECONDS - started))
  if [ "$rc" = 0 ]; then
    echo "   $name: passed in ${took}s"; PASSED+=("$name")
  else
    if [ "$rc" = 124 ]; then
      echo "   $name: FAILED — still running after ${PASS_TIMEOUT}s"
    else
      echo "   $name: FAILED (st exit $rc) in ${took}s"
    fi
    FAILED+=("$name")
  fi
  local report
  report=$(ls "$out"/ndjson-*.ndjson 2>/dev/null | head -1)
  if [ -n "$report" ]; then
    summarize "$report" || echo "   (could not summarize $report)"
  else
    tail -20 "$out/console.txt" | sed 's/^/   | /'
  fi
}

check() {
  local url="$1" label="$2"
  local port; port=$(free_port)
  echo "-- $label (port $port, seed $SEED)"
  DATABASE_URL="$url" "$BIN" demo >/dev/null
  DATABASE_URL="$url" "$BIN" user add st.admin --role admin >/dev/null 2>&1
  DATABASE_URL="$url" "$BIN" user add st.committee --role committee --park NCGY >/dev/null 2>&1
  local admin committee
  admin=$(DATABASE_URL="$url" "$BIN" token create --user st.admin --name "CI schemathesis" 2>/dev/null)
  committee=$(DATABASE_URL="$url" "$BIN" token create --user st.committee --name "CI schemathesis" 2>/dev/null)
  # Anonymous limits off, so that every anonymous request reaches the handler (the sign-in limit stays).
  DATABASE_URL="$url" PARKLAND_BIND="127.0.0.1:$port" PARKLAND_ANON_RATE_PER_MINUTE=0 PARKLAND_LOG=info \
    "$BIN" serve >"$WORK/server-$label.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
  if ! curl -sf "http://127.0.0.1:$port/ready" >/dev/null; then
    echo "   the server did not become ready"; tail -20 "$WORK/server-$label.log"; FAILED+=("$label start"); return
  fi

  local lower="$(( (EXAMPLES + 4) / 5 ))"
  # sign_out and revoke_token would end the token the pass runs with: they are tested anonymously.
  st_pass "$label-admin" "$port" --header "Authorization: Bearer $admin" --max-examples "$EXAMPLES" \
    --exclude-operation-id sign_out --exclude-operation-id revoke_token
  st_pass "$label-committee" "$port" --header "Authorization: Bearer $committee" --max-examples "$lower" \
    --phases examples,coverage,fuzzing --exclude-operation-id sign_out
  st_pass "$label-anonymous" "$port" --max-examples "$lower" --phases examples,coverage,fuzzing

  if grep -q 'status=5[0-9][0-9]' "$WORK/server-$label.log"; then
    echo "   the server answered 5xx; its errors:"
    sed 's/\x1b\[[0-9;]*m//g' "$WORK/server-$label.log" | grep -E ' ERROR ' | cut -c1-220 | head -10 | sed 's/^/   | /'
  fi
  kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""
}

check "sqlite://$WORK/st.db" "SQLite"
if [ -n "${PARKLAND_TEST_DATABASE_URL:-}" ]; then
  base="${PARKLAND_TEST_DATABASE_URL%/*}"
  PG="psql -v ON_ERROR_STOP=1 -q -h 127.0.0.1 -U postgres"
  $PG -d postgres -c "DROP DATABASE IF EXISTS parkland_st" -c "CREATE DATABASE parkland_st"
  $PG -d parkland_st -c "CREATE EXTENSION IF NOT EXISTS postgis"
  check "$base/parkland_st" "PostGIS"
  $PG -d postgres -c "DROP DATABASE IF EXISTS parkland_st"
fi

[ -n "${ST_REPORT_DIR:-}" ] && echo "reports (NDJSON, JUnit, console) in $REPORTS"
echo "schemathesis: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
if ((${#FAILED[@]})); then
  echo "schemathesis found answers the OpenAPI document does not describe: ${FAILED[*]}" >&2
  exit 1
fi
