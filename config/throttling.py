"""API throttles (a module of its own: DRF imports it while config.api loads)."""

import time

from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS

# Who may read the editors' whole record (analysts, editors, senior editors).
RESEARCH_PERMISSION = "positions.view_position"


class FixedWindow:
    """Counts a client's requests per window of the rate's period (a minute)
    in one number in the cache: added, then incremented.

    DRF's throttles keep the time of each request of the last period in one
    cache value, read and written whole on every request: at the research
    rate, 12,000 a minute, that is 108 KB each way (0.8 ms a request), and
    under load with the rate lifted it grew without bound. A fixed window
    lets a client spend its whole allowance at the end of one window and
    again at the start of the next; the limit is for fairness, not a quota.
    While the cache is unreachable nothing is counted (config.cache)."""

    timer = staticmethod(time.time)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        counter = f"{key}:{window}"
        if self.cache.add(counter, 1, self.duration + 1):
            return True
        try:
            count = self.cache.incr(counter)
        except ValueError:  # expired since, or the cache is down
            return True
        return count <= self.num_requests

    def wait(self):
        return max(self.window_ends - self.now, 0)


class AnonRateThrottle(FixedWindow, throttling.AnonRateThrottle):
    pass


class TokenRateThrottle(FixedWindow, throttling.UserRateThrottle):
    """For clients that are logged in or carry a token only. DRF's
    UserRateThrottle also counts anonymous clients (by address), so their
    limit was the lower of the two rates, whatever API_ANON_RATE said.

    Reads by a member of an editorial group (an analyst's token, say) count
    against the higher "research" rate, so a script can page through the
    record; writes, and other accounts' reads, against the "user" rate."""

    def allow_request(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return True
        researching = request.method in SAFE_METHODS and request.user.has_perm(RESEARCH_PERMISSION)
        self.scope = "research" if researching else "user"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
