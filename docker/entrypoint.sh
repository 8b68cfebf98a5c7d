#!/bin/sh
# Migrations run before the server starts, so a new image never serves an old schema.
set -e
python manage.py migrate --noinput
# The analyst, editor and senior editor groups, kept in step with the code.
python manage.py setup_groups
# The desk assistant's default stance cues, where missing (editors' changes stay).
python manage.py load_lexicon
if [ "${LOAD_SEED:-0}" = "1" ]; then
  python manage.py load_seed
fi
exec "$@"
