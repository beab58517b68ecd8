# shellcheck shell=bash
# Sourced by tiles_vs_martin.sh and scaling.sh: CPU time from /proc, in clock ticks (TCK a
# second) — a process's own, and PostgreSQL's: the oldest postmaster (the primary's) and its
# processes, plus what it collected from backends and parallel workers that ended (a replica
# cluster on the same machine is not counted).
TCK=$(getconf CLK_TCK); PG_MAIN=$(pgrep -x -o postgres || true)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pg_ticks() {
  [ -n "$PG_MAIN" ] || { echo 0; return; }
  for p in "$PG_MAIN" $(pgrep -P "$PG_MAIN"); do cat "/proc/$p/stat" 2>/dev/null || true; done \
    | awk -v m="$PG_MAIN" '{t += $14 + $15; if ($1 == m) t += $16 + $17} END {print t}'
}
