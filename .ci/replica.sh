#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL 15 cluster `main` (issue 18): Debian's
# pg_createcluster for a cluster `replica` on port 5433, its data replaced by a pg_basebackup
# of `main` with the standby settings (-R), then started as a hot standby. Every run copies the
# primary afresh (a standby left stopped may have fallen behind the WAL the primary keeps).
# Prints the URL base of the replica.
set -euo pipefail
VERSION="$(ls /etc/postgresql | sort -n | tail -1)"
PORT=5433
MAIN_HBA="/etc/postgresql/$VERSION/main/pg_hba.conf"

# The primary lets local replication connections in, as it lets every local connection in.
if ! grep -q '^host[[:space:]]\+replication' "$MAIN_HBA"; then
  echo "host replication all 127.0.0.1/32 trust" >>"$MAIN_HBA"
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" main reload
fi

DATA="/var/lib/postgresql/$VERSION/replica"
if ! pg_lsclusters -h | awk '{print $2}' | grep -qx replica; then
  pg_createcluster "$VERSION" replica -p "$PORT" >/dev/null
  cp "$MAIN_HBA" "/etc/postgresql/$VERSION/replica/pg_hba.conf"
fi
pg_ctlcluster --skip-systemctl-redirect "$VERSION" replica stop >/dev/null 2>&1 || true
# The cluster's data is replaced by a copy of the primary's.
{
  mkdir -p "$DATA"
  find "$DATA" -mindepth 1 -delete
  chown postgres:postgres "$DATA"
  chmod 700 "$DATA"
  su postgres -c "pg_basebackup -h 127.0.0.1 -p 5432 -U postgres -D $DATA -R -X stream -c fast"
}
if ! pg_isready -q -h 127.0.0.1 -p "$PORT"; then
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" replica start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p "$PORT" && break; sleep 1; done
fi
state="$(psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atc 'SELECT pg_is_in_recovery()')"
[ "$state" = t ] || { echo "the cluster on $PORT is not a standby" >&2; exit 1; }
echo "postgres://postgres@127.0.0.1:$PORT"
