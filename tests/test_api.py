"""The REST API on the seed data: whole payloads, filters, pagination,
permissions, atomic nested writes, CSV exports, throttling and query counts."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from positions.models import Position, Stance, Status
from sources.models import Quote, Source
from tests.conftest import query_counts

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def api():
    return APIClient()


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def editor_api(editor):
    return token_client(editor)


@pytest.fixture
def analyst_api(django_user_model):
    """Read-only: may view everything, drafts included, and change nothing."""
    analyst = django_user_model.objects.create_user(username="analyst", password="x" * 20)
    analyst.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return token_client(analyst)


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def peskov_position() -> Position:
    return Position.objects.get(quote__speaker__slug="dmitry-peskov")


@pytest.mark.usefixtures("seeded_class")
class TestReads:
    def test_actor_with_its_offices_and_memberships_today(self, api):
        assert api.get(f"{API}/actors/dmitry-peskov/").json() == {
            "slug": "dmitry-peskov",
            "name": "Dmitry Peskov",
            "kind": "official",
            "iso_code": "",
            "wikidata_id": "",
            "description": "",
            "aliases": ["Kremlin spokesman", "Peskov"],
            "current_roles": [
                {
                    "organisation": "russia",
                    "title": "Kremlin spokesman",
                    "speaks_for_rank": 3,
                    "start_date": "2012-05-22",
                    "end_date": None,
                }
            ],
            "current_memberships": [],
        }
        denmark = api.get(f"{API}/actors/denmark/").json()
        assert denmark["current_memberships"] == ["european-union", "nato", "nordic-baltic-eight"]

    def test_actor_filters(self, api):
        members = api.get(f"{API}/actors/", {"group": "nordic-baltic-eight"}).json()
        assert members["count"] == 8
        assert [a["slug"] for a in members["results"]][:3] == ["denmark", "estonia", "finland"]
        kremlin = api.get(f"{API}/actors/", {"q": "kremlin"}).json()["results"]
        assert [a["slug"] for a in kremlin] == ["dmitry-peskov", "russia"]
        states = api.get(f"{API}/actors/", {"kind": "state", "page_size": 200}).json()
        assert {a["kind"] for a in states["results"]} == {"state"}

    def test_roles_held_on_a_date(self, api):
        chancellors = api.get(
            f"{API}/roles/", {"organisation": "germany", "kind": "office", "held_on": "2025-02-25"}
        ).json()["results"]
        assert [(r["holder"], r["title"]) for r in chancellors] == [("olaf-scholz", "Chancellor")]

    def test_topic_and_conditions(self, api):
        assert api.get(f"{API}/topics/russian-veto/").json() == {
            "slug": "russian-veto",
            "short_name": "Russian consent first",
            "question": "Should European troops deploy only with Russia's consent?",
            "description": "Whether Moscow gets an informal veto over a European deployment.",
            "sort_order": 30,
            "wordings": [
                "Russia's prior agreement",
                "Russian veto",
                "green light",
                "permission from Russian leader Vladimir Putin",
            ],
        }
        conditions = api.get(f"{API}/conditions/").json()
        assert conditions["count"] == 5
        assert conditions["results"][0] == {
            "slug": "un-mandate",
            "name": "A UN mandate",
            "description": "A UN Security Council decision authorises the mission.",
        }

    def test_position_with_its_quote_speaker_and_source(self, api):
        position = peskov_position()
        body = api.get(f"{API}/positions/{position.pk}/").json()
        source = position.quote.source
        assert body == {
            "id": position.pk,
            "actor": {"slug": "russia", "name": "Russia", "kind": "state", "iso_code": "RU"},
            "topic": "reassurance-force",
            "stance": "opposes",
            "attribution": "speaking_for",
            "claimant": None,
            # Asked about Trump's claim, Peskov answers it.
            "responds_to": Position.objects.get(quote__text__startswith="I have specifically").pk,
            "response_kind": "clarification",
            "as_of": "2025-02-25",
            "status": "published",
            "summary": position.summary,
            "conditions": [],
            "correction_note": "",
            "quote": {
                "id": position.quote_id,
                "text": "There is a position on this matter that was expressed by the Russian "
                "foreign minister, [Sergei] Lavrov. I have nothing to add to this",
                "speaker": {
                    "slug": "dmitry-peskov",
                    "name": "Dmitry Peskov",
                    "kind": "official",
                    "iso_code": "",
                },
                "speaker_label": "",
                "said_on": "2025-02-25",
                "said_on_precision": "day",
                "language": "",
                "original_language": "",
                "original_text": "",
                "translated_by": "",
                "is_verified": True,
                "source": {
                    "id": source.pk,
                    "publisher": "Radio Free Europe/Radio Liberty",
                    "title": source.title,
                    "url": "",
                    "published_on": "2025-02-25",
                },
            },
            # Peskov's words count in Russia's row, through his office.
            "counts_for": [
                {
                    "actor": "russia",
                    "topic": "reassurance-force",
                    "why": "office",
                    "office": "Kremlin spokesman",
                }
            ],
            "created_at": body["created_at"],
            "updated_at": body["updated_at"],
        }

    def test_source_and_quote(self, api):
        source = Source.objects.get(publisher__startswith="Atlantic")
        listed = api.get(f"{API}/sources/").json()["results"]
        assert "text" not in listed[0]
        assert listed[0]["has_text"] is True
        detail = api.get(f"{API}/sources/{source.pk}/").json()
        assert detail["text"] == source.text
        assert detail["text_sha256"] == source.text_sha256
        quotes = api.get(f"{API}/quotes/", {"source": source.pk, "page_size": 100}).json()
        assert quotes["count"] == source.quotes.count()
        assert all(q["is_verified"] for q in quotes["results"])
        found = api.get(f"{API}/quotes/", {"q": "legitimate targets"}).json()["results"]
        # The Atlantic Council's words, quoting the officials': its own report.
        assert [q["speaker_label"] for q in found] == ["Atlantic Council"]

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            (
                {"country": "ru"},
                {
                    ("russia", "2025-02-24"),
                    ("russia", "2025-02-25"),
                    ("sergei-lavrov", "2025-02-25"),
                    ("russia", "2026-03-02"),
                    ("vladimir-putin", "2026-03-02"),
                },
            ),
            (
                {"topic": "russian-veto"},
                {("coalition-of-the-willing", "2026-03-02"), ("stephen-blank", "2026-03-02")},
            ),
            ({"condition": "russian-consent"}, {("coalition-of-the-willing", "2026-03-02")}),
            ({"stance": "hostile"}, {("russia", "2026-03-02")}),
            ({"attribution": "claim", "as_of_before": "2025-02-24"}, {("russia", "2025-02-24")}),
            (
                {"group": "coalition-of-the-willing", "as_of_after": "2026-01-01"},
                {("coalition-of-the-willing", "2026-03-02")},
            ),
        ],
    )
    def test_position_filters(self, api, params, expected):
        body = api.get(f"{API}/positions/", {**params, "page_size": 500}).json()
        found = {(p["actor"]["slug"], p["as_of"]) for p in body["results"]}
        assert found == expected

    def test_cursor_pages_through_everything(self, api):
        seen, url = [], f"{API}/positions/?page_size=5"
        while url:
            body = api.get(url).json()
            seen += [p["id"] for p in body["results"]]
            url = body["next"]
        published = Position.objects.published().order_by("-id")
        assert seen == list(published.values_list("id", flat=True))
        assert len(seen) == 28

    def test_matrix(self, api):
        body = api.get(
            f"{API}/matrix/",
            {"as_of": "2025-02-26", "kind": "organisation", "topics": "own-troops"},
        ).json()
        nordic = Position.objects.get(actor__slug="nordic-baltic-eight")
        assert body == {
            "as_of": "2025-02-26",
            "since": None,
            "group": None,
            "count": 1,
            "page": 1,
            "pages": 1,
            "topics": [
                {
                    "slug": "own-troops",
                    "short_name": "Own troops",
                    "question": "Will the actor send its own soldiers to such a force?",
                }
            ],
            "rows": [
                {
                    "actor": {
                        "slug": "nordic-baltic-eight",
                        "name": "Nordic-Baltic Eight",
                        "kind": "organisation",
                        "iso_code": "",
                    },
                    "cells": [
                        {
                            "topic": "own-troops",
                            "stance": "undecided",
                            "statement": {
                                "position": nordic.pk,
                                "stance": "undecided",
                                "as_of": "2025-02-24",
                                "attribution": "report",
                                "rank": 10,
                                "actor": "nordic-baltic-eight",
                                "office": None,
                                "claimant": None,
                                "responds_to": None,
                                "response_kind": "",
                                "conditions": [],
                                "quote": nordic.quote.text,
                                "speaker": "RFE/RL, on the Nordic-Baltic joint statement",
                                "source": {
                                    "id": nordic.quote.source_id,
                                    "publisher": "Radio Free Europe/Radio Liberty",
                                    "title": nordic.quote.source.title,
                                    "url": "",
                                    "published_on": "2025-02-25",
                                },
                            },
                            "claims": [],
                            "conflicts": [],
                            "answered": [],
                            "has_conflict": False,
                        }
                    ],
                }
            ],
            "changes": [],
        }

    def test_matrix_tells_the_seed_story(self, api):
        body = api.get(f"{API}/matrix/", {"as_of": "2025-02-26"}).json()
        cells = {
            (row["actor"]["slug"], cell["topic"]): cell
            for row in body["rows"]
            for cell in row["cells"]
        }
        russia = cells["russia", "reassurance-force"]
        assert russia["stance"] == "opposes"
        assert russia["statement"]["speaker"] == "Dmitry Peskov"
        assert russia["statement"]["office"] == "Kremlin spokesman"
        assert [(c["claimant"], c["stance"]) for c in russia["claims"]] == [
            ("donald-trump", "supports")
        ]
        # Peskov's words answer the claim: explained, so no conflict.
        assert russia["answered"] == [
            {
                "claim": russia["claims"][0]["position"],
                "by": russia["statement"]["position"],
                "response_kind": "clarification",
            }
        ]
        assert russia["statement"]["responds_to"] == russia["claims"][0]["position"]
        assert russia["has_conflict"] is False
        assert cells["united-kingdom", "own-troops"]["statement"]["conditions"] == ["us-backstop"]
        assert cells["poland", "own-troops"]["stance"] == "opposes"

    def test_changes_timeline_and_history(self, api):
        body = api.get(f"{API}/changes/", {"since": "2025-02-26", "as_of": "2026-03-02"}).json()
        assert {k: body[k] for k in ("since", "as_of", "page", "pages")} == {
            "since": "2025-02-26",
            "as_of": "2026-03-02",
            "page": 1,
            "pages": 1,
        }
        changes = body["changes"]
        assert sorted(
            (c["actor"]["slug"], c["topic"], c["before"], c["after"]) for c in changes
        ) == [
            ("coalition-of-the-willing", "own-troops", None, "conditional"),
            ("coalition-of-the-willing", "reassurance-force", None, "supports"),
            ("coalition-of-the-willing", "russian-veto", None, "supports"),
            ("russia", "reassurance-force", "opposes", "hostile"),
        ]
        timeline = api.get(f"{API}/timeline/", {"topic": "reassurance-force"}).json()
        assert [lane["actor"]["slug"] for lane in timeline["lanes"]] == [
            "denmark",
            "france",
            "russia",
            "united-kingdom",
            "coalition-of-the-willing",
        ]
        history = api.get(f"{API}/history/", {"actor": "russia", "topic": "reassurance-force"})
        assert [(s["on"], s["stance"]) for s in history.json()["steps"]] == [
            ("2025-02-24", None),
            ("2025-02-25", "opposes"),
            ("2026-03-02", "hostile"),
        ]

    def test_positions_csv_opens_in_a_spreadsheet(self, api):
        response = api.get(f"{API}/positions/export/", {"topic": "own-troops"})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="positions.csv"'
        rows = csv_rows(response)
        assert len(rows) == Position.objects.published().filter(topic__slug="own-troops").count()
        uk = next(r for r in rows if r["actor"] == "keir-starmer")
        assert uk["conditions"] == "us-backstop"
        assert uk["publisher"] == "Radio Free Europe/Radio Liberty"
        assert uk["quote"] == Position.objects.get(pk=uk["id"]).quote.text

    def test_csv_streams_a_few_rows_a_piece_and_loses_none(self, api, monkeypatch):
        monkeypatch.setattr("positions.api.exports.CSV_ROWS_PER_CHUNK", 2)
        published = Position.objects.published().count()
        response = api.get(f"{API}/positions/export/")
        pieces = [piece.decode() for piece in response.streaming_content]
        # The header and every row, two lines a piece and the rest in the last.
        assert [len(piece.splitlines()) for piece in pieces] == [2] * ((published + 1) // 2) + (
            [1] if (published + 1) % 2 else []
        )
        rows = list(csv.DictReader(io.StringIO("".join(pieces))))
        assert sorted(int(row["id"]) for row in rows) == sorted(
            Position.objects.published().values_list("pk", flat=True)
        )

    def test_positions_csv_rows_hold_every_column_of_their_position(self, api):
        rows = csv_rows(api.get(f"{API}/positions/export/"))
        assert rows
        for row in rows:
            p = Position.objects.get(pk=row["id"])
            quote, source = p.quote, p.quote.source
            # Sorted only where the database sorts in aggregates (SQLite from 3.44).
            conditions = sorted(filter(None, row.pop("conditions").split("; ")))
            assert conditions == sorted(c.slug for c in p.conditions.all())
            assert row == {
                "id": str(p.pk),
                "actor": p.actor.slug,
                "actor_name": p.actor.name,
                "actor_kind": p.actor.kind,
                "iso_code": p.actor.iso_code,
                "topic": p.topic.slug,
                "stance": p.stance,
                "attribution": p.attribution,
                "claimant": p.claimant.slug if p.claimant else "",
                "as_of": p.as_of.isoformat(),
                "status": p.status,
                "summary": p.summary,
                "correction_note": p.correction_note,
                "quote_id": str(quote.pk),
                "quote": quote.text,
                "speaker": quote.speaker_name,
                "said_on": quote.said_on.isoformat() if quote.said_on else "",
                "said_on_precision": quote.said_on_precision,
                "source_id": str(source.pk),
                "publisher": source.publisher,
                "source_title": source.title,
                "source_url": source.url,
                "published_on": source.published_on.isoformat(),
                "entered": p.created_at.isoformat(),
            }, row["id"]

    def test_matrix_csv(self, api):
        rows = csv_rows(api.get(f"{API}/matrix/export/", {"as_of": "2025-02-26"}))
        russia = next(
            r for r in rows if (r["actor"], r["topic"]) == ("russia", "reassurance-force")
        )
        assert russia["stance"] == "opposes"
        assert russia["speaker"] == "Dmitry Peskov"
        assert russia["claims"] == "Donald Trump: supports (2025-02-24)"
        assert russia["has_conflict"] == "no"  # the claim is answered
        assert len(rows) == 10 * 5  # ten rows of the matrix, five topics

    def test_bad_query_values_are_400_and_unknown_names_404(self, api):
        assert api.get(f"{API}/matrix/", {"as_of": "2025-02-30"}).json() == {
            "as_of": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
        }
        unknown = api.get(f"{API}/matrix/", {"group": "warsaw-pact"})
        assert unknown.status_code == 404
        assert unknown.json() == {"group": ["Object with slug=warsaw-pact does not exist."]}
        assert api.get(f"{API}/positions/", {"stance": "maybe"}).status_code == 400
        assert api.get(f"{API}/positions/", {"as_of_after": ""}).json() == {
            "as_of_after": ["May not be empty; leave the parameter out instead."]
        }
        assert api.get(f"{API}/actors/", {"page_size": "0"}).status_code == 400
        assert api.get(f"{API}/positions/", {"cursor": "garbage"}).status_code == 404
        assert api.get(f"{API}/positions/abc/").json() == {"detail": "Not found."}


class TestPermissions:
    def test_anonymous_reads_published_only(self, api, make):
        draft = make.position(
            actor=make.state("Draftland", "DX"),
            topic=make.topic(),
            as_of=dt.date(2025, 1, 1),
            status=Status.DRAFT,
        )
        assert api.get(f"{API}/positions/{draft.pk}/").status_code == 404
        assert api.get(f"{API}/positions/").json()["results"] == []

    def test_analyst_reads_drafts_but_writes_nothing(self, analyst_api, make):
        draft = make.position(
            actor=make.state("Draftland", "DX"),
            topic=make.topic(),
            as_of=dt.date(2025, 1, 1),
            status=Status.DRAFT,
        )
        assert analyst_api.get(f"{API}/positions/{draft.pk}/").json()["status"] == "draft"
        assert (
            analyst_api.patch(
                f"{API}/positions/{draft.pk}/", {"summary": "x"}, format="json"
            ).status_code
            == 403
        )
        assert analyst_api.post(f"{API}/sources/", {}, format="json").status_code == 403

    def test_anonymous_and_bad_tokens_cannot_write(self, api, make):
        assert api.post(f"{API}/sources/", {}, format="json").status_code == 401
        api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        assert api.get(f"{API}/positions/").status_code == 401
        assert api.post(f"{API}/sources/", {}, format="json").status_code == 401

    def test_there_is_no_delete(self, editor_api, make):
        source = make.source()
        assert editor_api.delete(f"{API}/sources/{source.pk}/").status_code == 405
        assert Source.objects.filter(pk=source.pk).exists()

    def test_session_writes_need_csrf(self, editor, make):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(editor)
        response = client.post(
            f"{API}/sources/",
            {"publisher": "P", "title": "T", "published_on": "2025-01-01"},
            format="json",
        )
        assert response.status_code == 403
        assert "CSRF" in response.json()["detail"]


NEW_POSITION = {
    "actor": "poland",
    "topic": "own-troops",
    "stance": "opposes",
    "attribution": "report",
    "status": "draft",
    "conditions": [],
    "new_quote": {
        "text": "Poland will not send troops.",
        "speaker_label": "Example Wire",
        "new_source": {
            "publisher": "Example Wire",
            "title": "Warsaw rules out troops",
            "url": "https://news.example.org/warsaw-troops?utm_source=x",
            "published_on": "2025-03-01",
            "text": "In Warsaw, the minister spoke. Poland will not send troops. More words.",
        },
    },
}


@pytest.mark.usefixtures("seeded_class")
class TestWrites:
    def test_position_with_a_new_quote_and_source_in_one_request(self, editor_api):
        response = editor_api.post(f"{API}/positions/", NEW_POSITION, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["actor"]["slug"] == "poland"
        assert body["as_of"] == "2025-03-01"  # the source's date: the quote has none
        assert body["quote"]["is_verified"] is True
        assert body["quote"]["source"]["url"] == "https://news.example.org/warsaw-troops"
        position = Position.objects.get(pk=body["id"])
        assert position.history.count() == 1
        assert position.quote.source.history.count() == 1

    def test_nothing_is_written_when_any_part_is_invalid(self, editor_api):
        counts = (Source.objects.count(), Quote.objects.count(), Position.objects.count())
        payload = {
            **NEW_POSITION,
            "new_quote": {**NEW_POSITION["new_quote"], "text": "Words the source never had."},
        }
        response = editor_api.post(f"{API}/positions/", payload, format="json")
        assert response.status_code == 400
        assert response.json() == {
            "new_quote": {
                "text": [
                    "These words do not occur in the source's stored text. "
                    "Copy them exactly as published."
                ]
            }
        }
        # The source was valid and saved first; the transaction took it back.
        assert (Source.objects.count(), Quote.objects.count(), Position.objects.count()) == counts

    @pytest.mark.parametrize(
        ("change", "errors"),
        [
            ({"stance": "maybe"}, {"stance": ['"maybe" is not a valid choice.']}),
            (
                {"as_of": "1 March"},
                {"as_of": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
            ),
            ({"new_quote": None}, {"new_quote": ["This field may not be null."]}),
            ({"actor": "atlantis"}, {"actor": ["Object with slug=atlantis does not exist."]}),
            (
                {"as_of": "2025-03-05"},
                {"as_of": ["The stance cannot postdate its source (2025-03-01)."]},
            ),
        ],
    )
    def test_invalid_positions(self, editor_api, change, errors):
        payload = {**NEW_POSITION, **change}
        if change.get("new_quote", 0) is None:
            payload.pop("new_quote")
            errors = {"quote": ["Give either an existing quote or a new quote, not both."]}
        response = editor_api.post(f"{API}/positions/", payload, format="json")
        assert response.status_code == 400
        assert response.json() == errors

    def test_duplicate_source_url(self, editor_api):
        payload = {
            "publisher": "Example Wire",
            "title": "Once",
            "url": "https://news.example.org/once",
            "published_on": "2025-01-01",
        }
        assert editor_api.post(f"{API}/sources/", payload, format="json").status_code == 201
        again = editor_api.post(
            f"{API}/sources/",
            {**payload, "url": "https://news.example.org/once/#top"},
            format="json",
        )
        assert again.status_code == 400
        assert again.json() == {"url": ["A source with this URL is already recorded."]}

    def test_quote_must_occur_in_its_source(self, editor_api):
        source = Source.objects.get(publisher__startswith="Atlantic")
        response = editor_api.post(
            f"{API}/quotes/",
            {"source": source.pk, "text": "Invented words.", "speaker_label": "Nobody"},
            format="json",
        )
        assert response.status_code == 400
        assert list(response.json()) == ["text"]

    def test_update_a_position(self, editor_api):
        position = peskov_position()
        url = f"{API}/positions/{position.pk}/"
        change = {"summary": "Declines to confirm.", "conditions": ["russian-consent"]}
        # A published position: the version read must be named.
        refused = editor_api.patch(url, change, format="json")
        assert refused.status_code == 428
        response = editor_api.patch(
            url, change, format="json", HTTP_IF_MATCH=editor_api.get(url)["ETag"]
        )
        assert response.status_code == 200, response.json()
        assert response.json()["conditions"] == ["russian-consent"]
        position.refresh_from_db()
        assert position.summary == "Declines to confirm."
        assert position.history.first().summary == "Declines to confirm."


@pytest.fixture
def throttle_clock(monkeypatch):
    """The throttles' clock, mid-minute and moved by hand: a test's requests
    never straddle two counting windows by chance."""
    from config.throttling import FixedWindow

    now = [1_800_000_030.0]
    monkeypatch.setattr(FixedWindow, "timer", staticmethod(lambda: now[0]))
    return now


def test_anonymous_reads_are_throttled(api, monkeypatch, throttle_clock):
    from django.core.cache import cache

    from config.throttling import AnonRateThrottle

    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    assert [api.get(f"{API}/topics/").status_code for _ in range(3)] == [200, 200, 429]
    throttle_clock[0] += 20
    response = api.get(f"{API}/topics/")
    assert response.status_code == 429
    assert response["Retry-After"] == "10"  # the minute's window ends in 10 s
    # The next minute counts afresh.
    throttle_clock[0] += 10
    assert [api.get(f"{API}/topics/").status_code for _ in range(3)] == [200, 200, 429]
    cache.clear()


def test_a_throttle_keeps_one_number_however_many_requests(api, monkeypatch, throttle_clock):
    """DRF's throttles kept each request's time in one cache value, read and
    written whole every time (108 KB at 12,000 a minute); ours count."""
    from django.core.cache import cache

    from config.throttling import AnonRateThrottle

    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1000/minute"})
    for _ in range(40):
        assert api.get(f"{API}/topics/").status_code == 200
    window = int(throttle_clock[0] // 60)
    assert cache.get(f"throttle_anon_127.0.0.1:{window}") == 40
    cache.clear()


def test_the_anonymous_rate_alone_limits_anonymous_clients(api, monkeypatch, throttle_clock):
    # Set above the token rate, the anonymous rate is the one that counts.
    from django.core.cache import cache

    from config.throttling import AnonRateThrottle, TokenRateThrottle

    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "5/minute"})
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    assert [api.get(f"{API}/topics/").status_code for _ in range(6)] == [200] * 5 + [429]
    cache.clear()


def test_schema_and_docs(api):
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/matrix/", "/api/v1/positions/export/", "/api/v1/history/"} <= set(paths)
    for url in ("/api/docs/", "/api/redoc/"):
        page = api.get(url)
        assert page.status_code == 200
        assert "cdn" not in page.content.decode().lower()
        assert "script-src 'self'" in page["Content-Security-Policy"]


def test_query_counts_do_not_grow_with_the_data(make, api):
    topic = make.topic(slug="own-troops")
    (state, _) = make.countries(topic, 2)
    some = state.positions.first()
    urls = [
        f"{API}/actors/",
        f"{API}/roles/",
        f"{API}/sources/",
        f"{API}/quotes/",
        f"{API}/positions/",
        f"{API}/positions/{some.pk}/",
        f"{API}/positions/export/",
        f"{API}/matrix/?since=2025-01-15",
        f"{API}/matrix/export/",
        f"{API}/changes/?since=2025-01-15",
        f"{API}/timeline/?topic=own-troops",
        f"{API}/history/?actor={state.slug}&topic=own-troops",
    ]
    small = query_counts(api, urls)
    make.countries(topic, 8)
    assert query_counts(api, urls) == small


def test_csv_cells_never_run_as_formulas(make, api):
    state = make.state('=HYPERLINK("http://evil.example")', "EV")
    make.position(
        actor=state,
        topic=make.topic(),
        as_of=dt.date(2025, 1, 1),
        summary="+1 and @SUM(A1)",
        stance=Stance.SUPPORTS,
    )
    (row,) = csv_rows(api.get(f"{API}/positions/export/"))
    assert row["actor_name"] == '\'=HYPERLINK("http://evil.example")'
    assert row["summary"] == "'+1 and @SUM(A1)"


def test_nul_characters_are_refused_not_crashed_on(editor_api, make):
    source = make.source()
    response = editor_api.post(
        f"{API}/quotes/",
        {"source": source.pk, "text": "Words", "speaker": "ab\x00c"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["speaker"]
    assert editor_api.get(f"{API}/actors/a%00b/").status_code == 404
    assert editor_api.get(f"{API}/positions/", {"actor": "a\x00b"}).status_code == 200


def test_a_nul_in_a_query_names_nothing(api, make):
    make.state("Poland", "PL", slug="poland")
    make.topic(slug="own-troops")
    response = api.get(f"{API}/history/", {"actor": "\x00", "topic": "own-troops"})
    assert response.status_code == 404
    assert list(response.json()) == ["actor"]
    assert api.get(f"{API}/matrix/", {"as_of": "2025-01-01\x00"}).status_code == 400


def test_text_that_is_not_unicode_is_refused(editor_api):
    response = editor_api.post(
        f"{API}/sources/",
        data=b'{"publisher": "P\\ud800", "title": "T", "published_on": "2025-01-01"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["publisher"]


def test_the_matrix_and_its_changes_come_a_page_of_rows_at_a_time(make, client):
    topic = make.topic()
    make.countries(topic, 5)
    body = client.get(f"{API}/matrix/", {"page_size": 2, "page": 3}).json()
    assert (body["count"], body["page"], body["pages"]) == (5, 3, 3)
    assert len(body["rows"]) == 1
    changes = client.get(f"{API}/changes/", {"since": "2025-01-15", "page_size": 2}).json()
    assert (changes["count"], changes["pages"]) == (5, 3)
    assert [c["after"] for c in changes["changes"]] == ["opposes", "opposes"]
    beyond = client.get(f"{API}/matrix/", {"page_size": 2, "page": 4})
    assert beyond.status_code == 404
    assert beyond.json() == {"page": ["There is no page 4: the matrix has 5 rows."]}
    too_big = client.get(f"{API}/matrix/", {"page_size": 201})
    assert too_big.status_code == 400
    assert "page_size" in too_big.json()
    # The whole matrix still comes in one CSV.
    export = client.get(f"{API}/matrix/export/")
    assert len(b"".join(export.streaming_content).decode().splitlines()) == 1 + 5


def test_the_timeline_shows_a_window_and_a_page_of_lanes(seeded, client):
    body = client.get(
        f"{API}/timeline/",
        {"topic": "reassurance-force", "start": "2025-12-01", "end": "2026-06-01", "page_size": 3},
    ).json()
    assert (body["start"], body["end"], body["count"], body["pages"]) == (
        "2025-12-01",
        "2026-06-01",
        5,
        2,
    )
    lanes = {lane["actor"]["slug"]: lane["steps"] for lane in body["lanes"]}
    assert list(lanes) == ["denmark", "france", "russia"]
    # Russia opposed before the window: the first step is that stance on its first day.
    assert [(s["on"], s["stance"], len(s["made"])) for s in lanes["russia"]] == [
        ("2025-12-01", "opposes", 0),
        ("2026-03-02", "hostile", 2),
    ]
    backwards = client.get(
        f"{API}/timeline/",
        {"topic": "reassurance-force", "start": "2026-01-01", "end": "2025-01-01"},
    )
    assert backwards.status_code == 400
    assert "start" in backwards.json()
    beyond = client.get(f"{API}/timeline/", {"topic": "reassurance-force", "page": 9})
    assert beyond.status_code == 404


def test_a_topic_and_a_cell_nobody_spoke_on(seeded, client, make):
    topic = make.topic()
    timeline = client.get(f"{API}/timeline/", {"topic": topic.slug})
    assert timeline.status_code == 200
    assert (timeline.json()["count"], timeline.json()["lanes"]) == (0, [])
    history = client.get(f"{API}/history/", {"actor": "poland", "topic": topic.slug})
    assert history.status_code == 200
    assert history.json()["steps"] == []


def test_text_longer_than_the_schema_allows_is_refused_before_trimming(editor_client):
    # 200 characters are allowed; a tab in front makes 201, as the schema counts.
    body = {"publisher": "\t" + "*" * 200, "title": "T", "published_on": "2025-01-01"}
    response = editor_client.post(f"{API}/sources/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"publisher": ["Ensure this field has no more than 200 characters."]}


@pytest.mark.django_db(transaction=True)
def test_csv_hands_over_its_first_rows_before_reading_the_rest(make, monkeypatch):
    """PostgreSQL computes a cursor declared outside a transaction (WITH
    HOLD) whole before its first row: at 1M positions a reader waited 1.3 s
    for the header. The export reads inside a transaction of its own, which
    ends with the stream, also when the reader leaves early."""
    topic = make.topic()
    for n in range(5):
        make.position(
            actor=make.state(f"State {n}", f"S{n}"), topic=topic, as_of=dt.date(2025, 1, 1)
        )
    monkeypatch.setattr("positions.api.exports.CSV_ROWS_PER_CHUNK", 2)
    api = APIClient()
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{API}/positions/export/")
        first = next(iter(response.streaming_content)).decode()
        assert connection.in_atomic_block  # the stream is open
        response.close()
    assert first.splitlines()[0].startswith("id,actor,actor_name")
    assert not connection.in_atomic_block
    if connection.vendor == "postgresql":
        (declared,) = [q["sql"] for q in queries if q["sql"].startswith("DECLARE")]
        assert " WITH HOLD " not in declared
    # Read to its end, the export holds every row and leaves no transaction open.
    assert len(csv_rows(api.get(f"{API}/positions/export/"))) == 5
    assert not connection.in_atomic_block
