"""The API's JSON parser: a body is read up to the server's size limit and no
further, and JSON nested deeper than Python can follow is refused as bad
input rather than crashing the request."""

import codecs

from django.conf import settings
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser as BaseJSONParser
from rest_framework.utils import json


class RequestTooLarge(APIException):
    status_code = 413
    default_code = "request_too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        super().__init__(f"The request body is larger than this server accepts ({limit:g} MB).")


def read_limited(stream) -> bytes:
    """The whole body, or RequestTooLarge once it passes the limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = stream.read(limit + 1) if limit is not None else stream.read()
    if limit is not None and len(body) > limit:
        raise RequestTooLarge()
    return body


class JSONParser(BaseJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        body = read_limited(stream) if stream is not None else b""
        try:
            constant = json.strict_constant if self.strict else None
            return json.loads(codecs.decode(body, encoding), parse_constant=constant)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply.") from error
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
