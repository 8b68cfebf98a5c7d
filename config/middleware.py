"""Answers for requests that never reach a view in a usable state: API
errors in JSON whatever Django's own handlers would render, and query
strings that no database would accept."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest, JsonResponse

from .parsers import RequestTooLarge


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
