"""Redis as the shared cache, but never as a point of failure: the cache
only saves work (cached renderings are keyed on the record's version in the
database, throttle counts are a courtesy), so while Redis is unreachable
every call answers as a miss and the site serves from the database.

After a failure the backend leaves Redis alone for a few seconds instead of
paying a connection timeout on every call, and logs one warning per outage."""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds without trying Redis after a failure


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # A dead Redis must cost a request milliseconds, not the OS's timeout.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._down_until = 0.0

    def _guarded(self, name, fallback, *args, **kwargs):
        if self._down_until and time.monotonic() < self._down_until:
            return fallback
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except (RedisError, OSError) as error:
            if not self._down_until:
                logger.warning(
                    "Redis unreachable (%s); serving without the cache until it is back.", error
                )
            self._down_until = time.monotonic() + RETRY_AFTER
            return fallback
        if self._down_until:
            logger.warning("Redis is reachable again.")
            self._down_until = 0.0
        return result

    def get(self, key, default=None, version=None):
        return self._guarded("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._guarded("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded("delete", False, key, version)

    def delete_many(self, keys, version=None):
        self._guarded("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        # Django's contract: a missing key is a ValueError; so is an unreachable one.
        found = self._guarded("incr", None, key, delta, version)
        if found is None:
            raise ValueError(f"Key '{key}' not found (or the cache is unreachable).")
        return found

    def clear(self):
        return self._guarded("clear", False)
