#!/bin/sh
# Migrations run before the server starts, so a new image never serves an old schema.
set -e
python manage.py migrate --noinput
# The analyst, editor and senior editor groups, kept in step with the code.
python manage.py setup_groups
if [ "${LOAD_SEED:-0}" = "1" ]; then
  python manage.py load_seed
fi
exec "$@"
