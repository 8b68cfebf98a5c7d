"""The OpenAPI schema: drf-spectacular's, plus the error responses each
operation can give, so clients and the schema fuzzer know them all."""

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS = {
    "type": "object",
    "description": "Messages per field (`non_field_errors` for the whole object); a nested "
    "object's fields are nested the same way. Some errors carry only `detail`.",
    "additionalProperties": True,
    "example": {"as_of": ["Enter a valid date."]},
}
ERRORS = {
    400: OpenApiResponse(_FIELD_ERRORS, description="Invalid input; nothing was written."),
    401: OpenApiResponse(_DETAIL, description="Missing or invalid token."),
    403: OpenApiResponse(_DETAIL, description="The token's user may not do this."),
    404: OpenApiResponse(
        {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "additionalProperties": True,
            "description": "`detail`, or messages per parameter naming what does not exist.",
        },
        description="No such record, page or cursor, or a parameter names what does not exist.",
    ),
    409: OpenApiResponse(_DETAIL, description="Conflicts with a record saved meanwhile."),
    412: OpenApiResponse(
        _DETAIL, description="The record changed since it was read: its ETag no longer matches."
    ),
    429: OpenApiResponse(_DETAIL, description="Too many requests; retry after `Retry-After`."),
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the error responses each operation can give."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        unsafe = self.method in ("POST", "PUT", "PATCH", "DELETE")
        detail = "{" in self.path
        # Any request may carry a bad token, and any may be throttled.
        codes = {401, 429}
        if unsafe:
            codes |= {400, 403, 409} | ({404} if detail else set())
        elif detail:
            codes |= {404}
        if unsafe and detail and getattr(self.view, "versioned", False):
            codes |= {412}
        else:
            # Lists and computed reads: a bad filter, or a page that does not exist.
            codes |= {400, 404}
        for code in sorted(codes):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(ERRORS[code], str(code))
        return responses

    def get_auth(self):
        auths = super().get_auth()
        # Reads are open to anonymous clients: say so, as AllowAny already does.
        anonymous_reads = any(
            isinstance(permission, DjangoModelPermissionsOrAnonReadOnly)
            for permission in self.view.get_permissions()
        )
        if anonymous_reads and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method in ("PUT", "PATCH") and getattr(self.view, "versioned", False):
            parameters = [*parameters, IF_MATCH]
        return parameters


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag from reading the record: the change is refused (412) if someone "
    "else saved it since. Required (428 without it) to change a published or retracted "
    "position; elsewhere, leave it out to write regardless.",
)


def closed_request_bodies(result, generator, request, public):
    """Write bodies take only the fields they list (config.serializers.
    RejectUnknownFields): say so in the schema, so clients and the fuzzer
    know an unknown field is an error."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result
