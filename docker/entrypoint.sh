#!/bin/sh
# Migrations run before the server starts, so a new image never serves an old
# schema. SETUP=0 skips this for the extra app containers of the "scale"
# profile: the web service migrates, and several migrating at once would race.
set -e
if [ "${SETUP:-1}" = "1" ]; then
  python manage.py migrate --noinput
  # The analyst, editor and senior editor groups, kept in step with the code.
  python manage.py setup_groups
  # The desk assistant's default stance cues, where missing (editors' changes stay).
  python manage.py load_lexicon
  if [ "${LOAD_SEED:-0}" = "1" ]; then
    python manage.py load_seed
  fi
fi
exec "$@"
