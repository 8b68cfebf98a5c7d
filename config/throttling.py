"""API throttles (a module of its own: DRF imports it while config.api loads)."""

from rest_framework.throttling import UserRateThrottle


class TokenRateThrottle(UserRateThrottle):
    """The "user" rate, for clients that are logged in or carry a token only.
    DRF's UserRateThrottle also counts anonymous clients (by address), so
    their limit was the lower of the two rates, whatever API_ANON_RATE said."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
