"""Answers for requests that never reach a view in a usable state: API
errors in JSON whatever Django's own handlers would render, and query
strings that no database would accept."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse

from .parsers import RequestTooLarge

logger = logging.getLogger(__name__)

READS = ("GET", "HEAD", "OPTIONS")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/") and any(
            "\x00" in value for _, values in request.GET.lists() for value in values
        ):
            # PostgreSQL refuses NUL in any text; the admin's searches and
            # look-ups would pass it on and fail with a 500.
            return HttpResponseBadRequest(
                "A NUL character is not allowed in a request.", content_type="text/plain"
            )
        response = self.get_response(request)
        if _is_api(request) and response.status_code >= 400 and not _is_json(response):
            # Django's own error pages (DEBUG's technical 404, a 400 from the
            # request's parsing) are HTML; tools read JSON.
            return JsonResponse(
                {"detail": response.reason_phrase if response.status_code != 404 else "Not found."},
                status=response.status_code,
            )
        return response

    def process_exception(self, request, exception):
        if _is_api(request) and isinstance(exception, RequestDataTooBig):
            return JsonResponse({"detail": str(RequestTooLarge().detail)}, status=413)
        return None


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class RetryDroppedConnectionMiddleware:
    """A read that fails because its database connection dropped (a
    PostgreSQL restart, a pooler or a network cutting an idle connection) is
    run once more on a new connection instead of answering 500. Writes are
    never repeated: whether the first attempt committed is unknown."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A view's drop is marked on the request (process_exception below:
        # middleware between may rewrite the stand-in answer); a drop in a
        # middleware below this one arrives as a 500.
        dropped = getattr(request, "db_dropped", False) or (
            response.status_code == 500 and _a_connection_dropped()
        )
        if request.method in READS and dropped:
            logger.warning("Database connection dropped during %s; retrying once.", request.path)
            _reconnect()
            request.db_retried = True
            response = self.get_response(request)
        return response

    def process_exception(self, request, exception):
        if (
            request.method in READS
            and isinstance(exception, OperationalError | InterfaceError)
            and not getattr(request, "db_retried", False)
            and _a_connection_dropped()
        ):
            request.db_dropped = True
            # Stands in for the answer until the retry replaces it.
            return HttpResponse(status=503)
        return None


def retrying_a_dropped_connection(read):
    """``read()``, run once more on a new connection if the database
    connection dropped under it: for middleware that reads before any view."""
    try:
        return read()
    except (OperationalError, InterfaceError):
        if not _a_connection_dropped():
            raise
    logger.warning("Database connection dropped; retrying the read once.")
    _reconnect()
    return read()


def _reconnect() -> None:
    # Closed, a connection opens again on its next query.
    for connection in connections.all(initialized_only=True):
        connection.close()


def _a_connection_dropped() -> bool:
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or connection.in_atomic_block:
            continue
        try:
            if not connection.is_usable():
                return True
        except DatabaseError:
            return True
    return False
