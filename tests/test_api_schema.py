"""Schemathesis: property-based requests generated from our own OpenAPI
schema, positive and negative, against every operation, with every check
(no server error, documented status codes, content types and response
schemas, invalid data rejected, valid data accepted, ...)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.django_db

# Schemathesis calls the WSGI app in-process, as host "localhost" (allowed in
# the test settings).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.mark.usefixtures("seeded_class")
class TestAgainstTheSchema:
    @schema.parametrize()
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def test_anonymous(self, case):
        case.call_and_validate()
