"""API throttles (a module of its own: DRF imports it while config.api loads)."""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import UserRateThrottle

# Who may read the editors' whole record (analysts, editors, senior editors).
RESEARCH_PERMISSION = "positions.view_position"


class TokenRateThrottle(UserRateThrottle):
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
