#!/bin/sh
# The read replica (docker compose --profile scale): on first start, copy the
# primary with pg_basebackup (-R writes the standby settings), then run
# PostgreSQL as the image does; it streams the primary's changes from then on.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h db -U "$POSTGRES_USER" -d "$POSTGRES_DB" >/dev/null 2>&1; do sleep 1; done
  mkdir -p "$PGDATA"
  chown postgres "$PGDATA"
  chmod 700 "$PGDATA"
  gosu postgres env PGPASSWORD="$POSTGRES_PASSWORD" \
    pg_basebackup -h db -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream
fi
exec docker-entrypoint.sh postgres
