#!/bin/sh
# Run once by the postgres image when it initialises the primary's data:
# let the read replica (docker compose --profile scale) stream from it.
set -eu
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
