#!/usr/bin/env bash
# The README's "A tour of the API", run in order as written against a fresh demo park, with every
# documented output compared — so the README cannot drift from the service.
#
#   bash tests/readme_tour.sh [path/to/parkland]     (default: the debug build)
#
# TOUR_KEEP=1 keeps the scratch directory (the database, each command's output, the server log).
#
# It reads README.md itself (never a copy of its commands): every ```sh block from "## A tour of
# the API" up to "## Where things are" is split into commands, run one after another in one shell
# (so the README's own variables — $TOKEN, $APPLICANT — and its `curl` alias carry over), from a
# scratch directory where `tests/` points at this repository's tests/ (for the sample files).
#
# How the README is read:
# - `cargo run --release -q -- ARGS` and `parkland ARGS` run the binary under test;
#   http://127.0.0.1:8080 becomes the port the service was started on.
# - A command's documented output is the run of `# …` comment lines (at the start of the line)
#   right under it; inline comments, and their indented continuations, are prose. `HTTP/1.1 201 …` and `name: value` lines are the status and headers;
#   `{…}`/`[…]` is JSON where `...`/`…` stand for whatever the README leaves out (members, array
#   items, a value, the rest of a string) and everything written must match; any other text must
#   appear in the output in order, `...` again skipping. Under a `curl -OJ` the comment names the
#   file it saves.
# - The expected status is the documented one (`HTTP/1.1 NNN`, or a problem's "status"); without
#   one a curl must answer 2xx. Every command must exit 0.
# - The demo's dates count back from the day it is loaded, and the README's figures are those of a
#   demo loaded on the day it names (`<!-- tour: day YYYY-MM-DD -->`): every parkland process here
#   runs under libfaketime with its clock set back to that day (installed with apt-get if missing).
# - `<!-- tour: varies KEY … -->` before a block names fields whose values change from run to run;
#   they must be there, their values are not compared.
# - GDAL's commands (ogrinfo, ogr2ogr) run when GDAL is installed and are skipped otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=$(realpath "${1:-${CARGO_TARGET_DIR:-$root/target}/debug/parkland}")
[ -x "$bin" ] || { echo "readme_tour: no parkland binary at $bin" >&2; exit 2; }
command -v jq >/dev/null || { echo "readme_tour: the README's examples use jq; install it" >&2; exit 2; }
fakelib=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
if [ ! -f "$fakelib" ]; then
  [ "$(id -u)" = 0 ] || { echo "readme_tour: needs faketime (apt-get install faketime)" >&2; exit 2; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; }
fi
fakelib=$(dpkg -L libfaketime 2>/dev/null | grep 'libfaketimeMT\.so\.1$' | head -1)
[ -f "$fakelib" ] || { echo "readme_tour: libfaketime is not installed" >&2; exit 2; }

work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  [ -n "$server" ] && wait "$server" 2>/dev/null
  if [ -n "${TOUR_KEEP-}" ]; then echo "readme_tour: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

cat >"$work/tour.py" <<'PY'
"""Reads the README's tour into commands and their documented outputs; compares outputs."""
import json, os, re, sys

ELL = object()  # `...` or `…` in a documented output


def tour_blocks(readme):
    text = open(readme, encoding="utf-8").read()
    start = text.index("\n## A tour of the API")
    end = text.index("\n## Where things are", start)
    blocks, varies = [], []
    lines = text[start:end].split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"\s*<!--\s*tour:\s*varies\s+(.*?)\s*-->", line)
        if m:
            varies = m.group(1).split()
        if line.strip() == "```sh":
            j = i + 1
            while lines[j].strip() != "```":
                j += 1
            blocks.append((lines[i + 1:j], varies))
            varies = []
            i = j
        i += 1
    return blocks


def complete(text):
    """Whether text is a whole shell command: quotes closed, no trailing backslash."""
    q = None
    k = 0
    while k < len(text):
        c = text[k]
        if q == "'":
            if c == "'":
                q = None
        elif q == '"':
            if c == "\\":
                k += 1
            elif c == '"':
                q = None
        elif c in "'\"":
            q = c
        elif c == "\\":
            k += 1
        elif c == "#" and (k == 0 or text[k - 1] in " \t\n"):
            nl = text.find("\n", k)
            if nl < 0:
                break
            k = nl
        k += 1
    return q is None and not text.rstrip("\n").endswith("\\")


def commands(block):
    cmds, i = [], 0
    while i < len(block):
        line = block[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        cmd = [line]
        i += 1
        while not complete("\n".join(cmd)) and i < len(block):
            cmd.append(block[i])
            i += 1
        heredoc = re.search(r"<<-?\s*'?(\w+)'?", cmd[-1])
        if heredoc:
            while i < len(block):
                cmd.append(block[i])
                i += 1
                if block[i - 1].strip() == heredoc.group(1):
                    break
        out = []
        while i < len(block) and block[i].lstrip().startswith("#"):
            if block[i].startswith("#"):
                out.append(re.sub(r"^# ?", "", block[i]))
            i += 1
        cmds.append(("\n".join(cmd), "\n".join(out)))
    return cmds


# --- documented JSON, with ellipses -------------------------------------------------------
TOKEN = re.compile(r'\s*(\.\.\.|…|[{}\[\]:,]|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)')


def tokens(s):
    out, k = [], 0
    s = s.rstrip()
    while k < len(s):
        m = TOKEN.match(s, k)
        if not m:
            raise ValueError("cannot read the documented output near: " + s[k:k + 40])
        out.append(m.group(1))
        k = m.end()
        while k < len(s) and s[k].isspace():
            k += 1
    return out


def parse(toks, k=0):
    t = toks[k]
    if t in ("...", "…"):
        return ELL, k + 1
    if t == "{":
        members, k = {}, k + 1
        while toks[k] != "}":
            if toks[k] in (",",):
                k += 1
            elif toks[k] in ("...", "…"):
                k += 1
            else:
                key = json.loads(toks[k])
                assert toks[k + 1] == ":", "expected : after " + toks[k]
                members[key], k = parse(toks, k + 2)
        return ("obj", members), k + 1
    if t == "[":
        items, k = [], k + 1
        while toks[k] != "]":
            if toks[k] == ",":
                k += 1
            elif toks[k] in ("...", "…"):
                items.append(ELL)
                k += 1
            else:
                v, k = parse(toks, k)
                items.append(v)
        return ("arr", items), k + 1
    return ("val", json.loads(t)), k + 1


def wild(s):
    return re.compile("^" + ".*".join(re.escape(p) for p in re.split(r"\.\.\.|…", s)) + "$", re.S)


def match(pat, actual, varies, path="$"):
    """None when actual matches the documented pattern, else what differs."""
    if pat is ELL:
        return None
    kind, p = pat
    if kind == "obj":
        if not isinstance(actual, dict):
            return f"{path}: documented an object, got {json.dumps(actual, ensure_ascii=False)[:120]}"
        for key, sub in p.items():
            if key not in actual:
                return f"{path}: no {key!r} (has {', '.join(list(actual)[:12])})"
            if key in varies:
                continue
            err = match(sub, actual[key], varies, f"{path}.{key}")
            if err:
                return err
        return None
    if kind == "arr":
        if not isinstance(actual, list):
            return f"{path}: documented an array, got {json.dumps(actual, ensure_ascii=False)[:120]}"
        want = [x for x in p if x is not ELL]
        if len(want) == len(p) and len(want) != len(actual):
            return f"{path}: documented {len(want)} items, got {len(actual)}"
        k = 0
        for n, sub in enumerate(want):
            while k < len(actual) and match(sub, actual[k], varies, f"{path}[{k}]"):
                k += 1
            if k == len(actual):
                first = match(sub, actual[min(n, len(actual) - 1)], varies, f"{path}[{n}]") if actual else "empty"
                return f"{path}: no item (in order) like documented item {n + 1}: {first}"
            k += 1
        return None
    if isinstance(p, str) and isinstance(actual, str) and re.search(r"\.\.\.|…", p):
        return None if wild(p).match(actual) else f"{path}: {actual!r} is not like {p!r}"
    if isinstance(p, bool) or isinstance(actual, bool) or p is None or actual is None:
        same = p is actual
    elif isinstance(p, (int, float)) and isinstance(actual, (int, float)):
        same = abs(p - actual) <= 1e-9 * max(1.0, abs(p))
    else:
        same = p == actual
    return None if same else f"{path}: documented {json.dumps(p, ensure_ascii=False)}, got {json.dumps(actual, ensure_ascii=False)}"


def text_in_order(doc, actual):
    pos = 0
    for part in re.split(r"\.\.\.|…|\n", doc):
        part = part.strip()
        if not part:
            continue
        at = actual.find(part, pos)
        if at < 0:
            return f"{part!r} not in the output (in order)"
        pos = at + len(part)
    return None


def plan(readme, port, outdir):
    """Writes the commands as a bash program and each one's expectations beside it."""
    base = f"127.0.0.1:{port}"
    prog = []
    n = 0
    for block, varies in tour_blocks(readme):
        for cmd, out in commands(block):
            n += 1
            cmd = cmd.replace("127.0.0.1:8080", base)
            out = out.replace("127.0.0.1:8080", base)
            status = None
            m = re.match(r"HTTP/[\d.]+ (\d{3})", out)
            if m:
                status = int(m.group(1))
            elif out.startswith("{"):
                m = re.search(r'"type":"tag:parkland,\d+:problem:[^"]*".*?"status":(\d{3})', out, re.S)
                if m:
                    status = int(m.group(1))
            words = re.findall(r"[\w./-]+", re.sub(r"'[^']*'|\"[^\"]*\"|#.*", "", cmd))
            exp = {
                "cmd": cmd, "out": out, "varies": varies, "status": status,
                "curl": "curl" in words and not cmd.startswith("alias "),
                "oj": bool(re.search(r"\bcurl\s+-\w*O\w*J|\bcurl\s+-\w*J\w*O", cmd)),
                "gdal": bool({"ogrinfo", "ogr2ogr"} & set(words)),
            }
            json.dump(exp, open(f"{outdir}/{n}.json", "w", encoding="utf-8"), ensure_ascii=False)
            prog.append(f"step {n}\nif want_step {n}; then\n{{\n{cmd}\n}} >\"$out/{n}.out\" 2>\"$out/{n}.err\"\n"
                        f"check {n} $?\nfi\n")
    open(f"{outdir}/tour.bash", "w", encoding="utf-8").write("".join(prog))
    print(n)


def check(outdir, n, rc):
    exp = json.load(open(f"{outdir}/{n}.json", encoding="utf-8"))
    out = open(f"{outdir}/{n}.out", encoding="utf-8", errors="replace").read()
    err = open(f"{outdir}/{n}.err", encoding="utf-8", errors="replace").read()
    statuses = [int(s) for s in re.findall(r"@@tour-status (\d{3})", err)]
    err = re.sub(r"\n?@@tour-status \d{3}\n?", "", err).strip()
    problems = []
    if int(rc) != 0:
        problems.append(f"exit status {rc}" + (f": {err[-400:]}" if err else ""))
    if exp["curl"]:
        got = statuses[-1] if statuses else None
        if exp["status"] is not None:
            if got != exp["status"]:
                problems.append(f"HTTP {got}, the README documents {exp['status']}")
        elif got is None or not 200 <= got < 300:
            problems.append(f"HTTP {got}, expected a 2xx")
    doc = exp["out"].strip()
    body = out
    try:
        if doc and exp["oj"]:
            name = doc.split()[0]
            if not os.path.isfile(name):
                problems.append(f"saved no file {name!r} (the directory has: {', '.join(sorted(os.listdir('.')))})")
            elif name.endswith(".xlsx") and open(name, "rb").read(2) != b"PK":
                problems.append(f"{name} is not an .xlsx workbook")
            doc = ""
        if doc.startswith("HTTP/"):
            head, _, body = out.replace("\r\n", "\n").partition("\n\n")
            lines = doc.split("\n")
            k = 1
            while k < len(lines) and re.match(r"[A-Za-z-]+: ", lines[k]):
                name, value = lines[k].split(": ", 1)
                have = [l.split(": ", 1)[1].strip() for l in head.split("\n")[1:]
                        if l.lower().startswith(name.lower() + ": ")]
                if value.strip() not in have:
                    problems.append(f"header {name}: documented {value.strip()}, got {have or 'none'}")
                k += 1
            doc = "\n".join(lines[k:]).strip()
        if doc.startswith(("{", "[")):
            pat, end = parse(tokens(doc))
            try:
                actual = json.loads(body)
            except ValueError:
                problems.append("the output is not JSON: " + body[:300])
            else:
                diff = match(pat, actual, set(exp["varies"]))
                if diff:
                    problems.append(diff)
        elif doc:
            diff = text_in_order(doc, body)
            if diff:
                problems.append(diff)
    except (ValueError, AssertionError, IndexError) as e:
        problems.append(f"the README's documented output does not read: {e}")
    if problems:
        print("  FAIL: " + "\n        ".join(problems))
        print("  output: " + (out.strip()[:600] or "(none)"))
        return 1
    print("  ok" + (f" (HTTP {statuses[-1]})" if exp["curl"] and statuses else ""))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "plan":
        plan(*sys.argv[2:5])
    elif sys.argv[1] == "check":
        sys.exit(check(*sys.argv[2:5]))
    elif sys.argv[1] == "day":
        m = re.search(r"<!--\s*tour:\s*day\s+(\d{4}-\d{2}-\d{2})\s*-->", open(sys.argv[2], encoding="utf-8").read())
        print(m.group(1) if m else "")
    elif sys.argv[1] == "show":
        exp = json.load(open(f"{sys.argv[2]}/{sys.argv[3]}.json", encoding="utf-8"))
        first = exp["cmd"].split("\n")[0]
        print(first if len(first) <= 150 else first[:147] + "...")
PY

day=$(python3 "$work/tour.py" day "$root/README.md")
[ -n "$day" ] || { echo "readme_tour: the README names no <!-- tour: day YYYY-MM-DD -->" >&2; exit 2; }
# 10:00 China Standard Time on that day, and the clock runs on from there.
fake="-$(($(date +%s) - $(date -d "$day 02:00:00 UTC" +%s)))s"
run_bin() { LD_PRELOAD="$fakelib" FAKETIME="$fake" "$bin" "$@"; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$work/parkland.db"
export PARKLAND_BIND="127.0.0.1:$port" PARKLAND_WORKERS=2
out="$work/out"
mkdir -p "$out" "$work/run"
ln -s "$root/tests" "$work/run/tests"

# "Run it": the schema, the demo park, the first administrator.
run_bin migrate >/dev/null 2>&1
run_bin demo
run_bin user add admin --role admin >/dev/null
LD_PRELOAD="$fakelib" FAKETIME="$fake" PARKLAND_LOG=info "$bin" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { echo "readme_tour: the service did not start" >&2; cat "$work/server.log" >&2; exit 1; }

steps=$(python3 "$work/tour.py" plan "$root/README.md" "$port" "$out")
echo "== the README's tour: $steps commands against a fresh demo (loaded on $day) on port $port"

# What the README's commands call: the binary under test for `cargo run --release --` and
# `parkland`; curl with its status written aside (stderr) for the comparison.
cat >"$work/prelude.bash" <<SH
bin="$bin"
fake="$fake"
fakelib="$fakelib"
out="$out"
tour="$work/tour.py"
SH
cat >>"$work/prelude.bash" <<'SH'
shopt -s expand_aliases
set +e
failures=0
gdal=1
command -v ogrinfo >/dev/null || gdal=0
cargo() {
  [ "$1 $2" = "run --release" ] || { echo "the tour runs only 'cargo run --release'" >&2; return 2; }
  shift 2
  [ "${1-}" = -q ] && shift
  [ "${1-}" = -- ] && shift
  LD_PRELOAD="$fakelib" FAKETIME="$fake" "$bin" "$@"
}
parkland() { LD_PRELOAD="$fakelib" FAKETIME="$fake" "$bin" "$@"; }
curl() { command curl -w '%{stderr}\n@@tour-status %{http_code}\n' "$@"; }
step() { echo "[$1] $(python3 "$tour" show "$out" "$1")"; }
want_step() {
  if [ "$gdal" = 0 ] && grep -q '"gdal": true' "$out/$1.json"; then echo "  skipped: GDAL is not installed"; return 1; fi
}
check() { python3 "$tour" check "$out" "$1" "$2" || failures=$((failures + 1)); }
SH
echo 'echo "$failures" >"$out/failures"' >"$work/epilogue.bash"

cd "$work/run"
cat "$work/prelude.bash" "$out/tour.bash" "$work/epilogue.bash" >"$work/all.bash"
PARKLAND_LOG=error bash "$work/all.bash"
failures=$(cat "$out/failures")
if grep -E ' (500|502|503) |panicked' "$work/server.log" >/dev/null; then
  echo "the server logged errors:"; grep -E ' (500|502|503) |panicked' "$work/server.log" | head -20
fi
if [ "$failures" != 0 ]; then
  echo "== README tour: $failures of $steps commands did not run as documented"
  exit 1
fi
echo "== README tour: all $steps commands ran as documented"
