"""Schemathesis: property-based requests generated from our own OpenAPI
schema, positive and negative, against every operation, with every check
(no server error, documented status codes, content types and response
schemas, invalid data rejected, valid data accepted, auth not ignored)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import ignored_auth

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/schema/?format=json"
EDITOR_TOKEN = "5c4e7a1f0b9d8e2c3a6f5b4d7e8c9a0b1f2e3d4c"
HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Schemathesis calls the WSGI app in-process, as host "localhost" (allowed in
# the test settings).
anonymous = schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application())

# An editor's writes. A schema cannot say that a slug must name an existing
# actor, or that a quote must occur in its source's text, so well-formed but
# unknown data may also get a 400 with its message, a made-up If-Match a
# 412, and a change to a published position without If-Match a 428; every
# other check stays.
editor = schemathesis.openapi.from_wsgi(
    SCHEMA_URL,
    get_wsgi_application(),
    config=SchemathesisConfig.from_dict(
        {
            "headers": {"Authorization": f"Token {EDITOR_TOKEN}"},
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": [
                        "2xx",
                        "400",
                        "401",
                        "403",
                        "404",
                        "409",
                        "412",
                        "428",
                        "429",
                    ]
                }
            },
        }
    ),
).include(method=["POST", "PUT", "PATCH"])


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Calling the WSGI app directly, unlike Django's test client, would close
    the database connection after each request, and the test's transaction
    with it (on PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def editor_token(editor):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=editor, key=EDITOR_TOKEN)


@pytest.mark.usefixtures("seeded_class")
class TestAgainstTheSchema:
    @anonymous.parametrize()
    @HYPOTHESIS
    def test_anonymous(self, case):
        case.call_and_validate()

    @editor.parametrize()
    @HYPOTHESIS
    def test_editor_writes(self, case, editor_token):
        # Auth being honoured is the anonymous run's check: here every request
        # also carries a valid token, so a made-up cookie beside it proves nothing.
        case.call_and_validate(excluded_checks=[ignored_auth])


@pytest.mark.parametrize(
    ("path", "query", "worked_out"),
    [
        ("/api/v1/coverage/", {"as_of": "1900-04-26"}, ("stale_from", "1899-10-26")),
        (
            "/api/v1/timeline/",
            {"topic": "own-troops", "end": "1900-06-01"},
            ("start", "1898-06-01"),
        ),
    ],
)
def test_dates_worked_out_before_the_first_keep_to_the_schema(seeded, path, query, worked_out):
    """Found by the fuzzer: a date the answer works out from the one asked
    for (the stale bound, six months before; a window's first day, two years
    before) can fall before the record's range of dates; the schema says it
    is a plain date."""
    response = anonymous[path]["GET"].Case(query=query).call_and_validate()
    name, day = worked_out
    assert response.json()[name] == day
