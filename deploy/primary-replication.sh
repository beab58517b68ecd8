#!/bin/sh
# Run once when the primary's data directory is first made (docker-entrypoint-initdb.d): lets
# the read replica of `docker compose --profile scale` stream from it with the password.
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
