"""Fast, deterministic settings for the test suite (any DATABASE_URL works)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")

from .base import *  # noqa: E402, F403
from .base import REST_FRAMEWORK, STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# Serve static files from the finders: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The schema fuzzer sends thousands of anonymous requests; the throttle has a
# test of its own.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "anon": "100000/minute",
        "user": "100000/minute",
        "research": "100000/minute",
    },
}
# The schema fuzzer calls the app in-process as "localhost".
ALLOWED_HOSTS = ["localhost", "testserver"]
# Each test empties the cache (tests/conftest.py): always the process's own,
# never a Redis another program uses. tests/test_cache_redis.py uses Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared in-memory database: in memory, two threads
    # writing at once fail with "database table is locked" at once, where a
    # file (WAL, IMMEDIATE transactions) makes the second wait for the first,
    # as in production. tests/test_integrity.py races real threads.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}  # noqa: F405
