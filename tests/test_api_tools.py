"""The API as a complete write path for tools: actors, offices and conditions
by slug, strict fields, undated sources, where a statement counts, look-ups
a tool can rely on, and the account a tool works with."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actors.models import Actor, Role
from positions.models import Condition

pytestmark = pytest.mark.django_db
API = "/api/v1"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def groups(db):
    call_command("setup_groups", stdout=io.StringIO())


def token_for(name: str, group: str) -> APIClient:
    out = io.StringIO()
    call_command("create_editor", name, "--group", group, stdout=out)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().splitlines()[1]}")
    return api


@pytest.fixture
def editor_api(groups):
    return token_for("tool", "editor")


class TestActorsRolesAndConditions:
    def test_an_actor_with_aliases_and_a_slug_made_from_its_name(self, editor_api):
        response = editor_api.post(
            f"{API}/actors/",
            {"name": "Сергей Лавров", "kind": "official", "aliases": ["Sergei Lavrov"]},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json() == {
            "slug": "sergey-lavrov",
            "name": "Сергей Лавров",
            "kind": "official",
            "iso_code": "",
            "wikidata_id": "",
            "description": "",
            "aliases": ["Sergei Lavrov"],
            "current_roles": [],
            "current_memberships": [],
        }
        again = editor_api.post(
            f"{API}/actors/", {"name": "Sergey Lavrov", "kind": "expert"}, format="json"
        )
        assert again.json()["slug"] == "sergey-lavrov-2"
        lavrov = Actor.objects.get(slug="sergey-lavrov")
        assert lavrov.history.get().history_type == "+"

    def test_an_actor_is_corrected_with_if_match_and_never_deleted(self, editor_api, make):
        make.state("Poland", "PL", slug="poland")
        url = f"{API}/actors/poland/"
        etag = editor_api.get(url)["ETag"]
        changed = editor_api.patch(
            url, {"wikidata_id": "Q36", "aliases": ["Polska"]}, format="json", HTTP_IF_MATCH=etag
        )
        assert changed.status_code == 200, changed.json()
        assert (changed.json()["wikidata_id"], changed.json()["aliases"]) == ("Q36", ["Polska"])
        stale = editor_api.patch(url, {"description": "x"}, format="json", HTTP_IF_MATCH=etag)
        assert stale.status_code == 412
        # Editors delete nothing; nobody deletes through the API.
        assert editor_api.delete(url).status_code in (403, 405)
        assert Actor.objects.filter(slug="poland").exists()
        bad = editor_api.patch(url, {"iso_code": "pl1"}, format="json")
        assert bad.status_code == 400
        assert "iso_code" in bad.json()

    def test_an_office_by_slugs_and_its_dates_checked(self, editor_api, make):
        make.state("Russia", "RU", slug="russia")
        make.official("Dmitry Peskov", slug="dmitry-peskov")
        office = {
            "holder": "dmitry-peskov",
            "organisation": "russia",
            "kind": "office",
            "title": "Kremlin spokesman",
            "speaks_for_rank": 3,
            "start_date": "2012-05-22",
        }
        backwards = editor_api.post(
            f"{API}/roles/", office | {"end_date": "2012-01-01"}, format="json"
        )
        assert backwards.status_code == 400
        assert set(backwards.json()) <= {"end_date", "non_field_errors"}
        response = editor_api.post(f"{API}/roles/", office, format="json")
        assert response.status_code == 201, response.json()
        assert response.json() == office | {"id": Role.objects.get().pk, "end_date": None}
        unknown = editor_api.post(
            f"{API}/roles/", office | {"organisation": "atlantis"}, format="json"
        )
        assert unknown.status_code == 400
        assert list(unknown.json()) == ["organisation"]

    def test_a_condition_with_a_slug_made_from_its_name(self, editor_api):
        response = editor_api.post(
            f"{API}/conditions/", {"name": "A US backstop such as air power"}, format="json"
        )
        assert response.status_code == 201
        assert response.json() == {
            "slug": "a-us-backstop-such-as-air-power",
            "name": "A US backstop such as air power",
            "description": "",
        }
        duplicate = editor_api.post(
            f"{API}/conditions/", {"name": "A US backstop such as air power"}, format="json"
        )
        assert duplicate.status_code == 400
        assert Condition.objects.count() == 1

    def test_readers_and_analysts_may_not_write(self, groups):
        body = {"name": "Atlantis", "kind": "organisation"}
        assert APIClient().post(f"{API}/actors/", body, format="json").status_code == 401
        analyst = token_for("reader", "analyst")
        assert analyst.post(f"{API}/actors/", body, format="json").status_code == 403
        assert not Actor.objects.exists()


class TestStrictInput:
    def test_an_unknown_field_is_named(self, editor_api, make):
        make.state("Poland", "PL", slug="poland")
        make.topic(slug="own-troops")
        response = editor_api.post(
            f"{API}/positions/",
            {
                "actor": "poland",
                "topic": "own-troops",
                "stance": "opposes",
                "attribution": "report",
                "new_quote": {
                    "text": "Poland will not send troops.",
                    "speaker_label": "Example Wire",
                    "said_date": "2025-02-25",
                    "new_source": {"publisher": "Example Wire", "title": "t", "published_on": None},
                },
            },
            format="json",
        )
        assert response.status_code == 400
        message = response.json()["new_quote"]["said_date"][0]
        assert message.startswith("Unknown field. The fields are: source, new_source, text,")
        bad_actor = editor_api.post(
            f"{API}/actors/", {"name": "X", "kind": "state", "isocode": "XX"}, format="json"
        )
        assert list(bad_actor.json()) == ["isocode"]

    def test_the_schema_closes_request_bodies(self):
        schema = APIClient().get("/api/schema/?format=json").json()["components"]["schemas"]
        assert schema["PositionWriteRequest"]["additionalProperties"] is False
        assert schema["ActorWriteRequest"]["additionalProperties"] is False


class TestUndatedSources:
    def position(self, said_on):
        return {
            "actor": "poland",
            "topic": "own-troops",
            "stance": "opposes",
            "attribution": "report",
            "new_quote": {
                "text": "Poland will not send troops.",
                "speaker_label": "Example Wire",
                "said_on": said_on,
                "new_source": {
                    "publisher": "Example Wire",
                    "title": "Warsaw rules out troops",
                    "url": "https://news.example.org/warsaw?open",
                },
            },
        }

    def test_the_said_date_stands_in_for_the_publication_date(self, editor_api, make):
        make.state("Poland", "PL", slug="poland")
        make.topic(slug="own-troops")
        refused = editor_api.post(f"{API}/positions/", self.position(None), format="json")
        assert refused.status_code == 400
        assert refused.json() == {
            "new_quote": {
                "said_on": [
                    "The source has no publication date, so give the date the words were "
                    "said (with its precision: day, month or year)."
                ]
            }
        }
        made = editor_api.post(f"{API}/positions/", self.position("2025-02-25"), format="json")
        assert made.status_code == 201, made.json()
        body = made.json()
        assert (body["as_of"], body["quote"]["source"]["published_on"]) == ("2025-02-25", None)
        # Kept as given: a bare parameter is not a parameter with an empty value.
        assert body["quote"]["source"]["url"] == "https://news.example.org/warsaw?open"


class TestWhereAStatementCounts:
    def test_an_official_without_an_office_is_warned_until_it_is_recorded(self, editor_api, make):
        make.state("Denmark", "DK", slug="denmark")
        make.official("Mette Frederiksen", slug="mette-frederiksen")
        make.topic(slug="own-troops")
        body = {
            "actor": "mette-frederiksen",
            "topic": "own-troops",
            "stance": "undecided",
            "attribution": "own",
            "new_quote": {
                "text": "We are open to it.",
                "speaker": "mette-frederiksen",
                "said_on": "2025-02-24",
                "new_source": {
                    "publisher": "Example Wire",
                    "title": "Copenhagen open to troops",
                    "published_on": "2025-02-25",
                },
            },
        }
        first = editor_api.post(f"{API}/positions/", body, format="json")
        assert first.status_code == 201
        assert first.json()["counts_for"] == []
        assert first.json()["warnings"] == [
            "This position counts in no cell of the matrix: Mette Frederiksen is not a state "
            "or organisation, and held no office speaking for one on 2025-02-24. Record the "
            "office (POST /api/v1/roles/) if they held one; the position then counts."
        ]
        editor_api.post(
            f"{API}/roles/",
            {
                "holder": "mette-frederiksen",
                "organisation": "denmark",
                "kind": "office",
                "title": "Prime Minister",
                "speaks_for_rank": 1,
                "start_date": "2019-06-27",
            },
            format="json",
        )
        position = editor_api.get(f"{API}/positions/{first.json()['id']}/").json()
        assert position["counts_for"] == [
            {"actor": "denmark", "topic": "own-troops", "why": "office", "office": "Prime Minister"}
        ]


class TestLookUps:
    @pytest.fixture
    def people(self, make):
        lavrov = make.official("Sergei Lavrov", slug="sergei-lavrov")
        lavrov.aliases.create(name="Лавров")
        make.official("Péter Szijjártó", slug="peter-szijjarto")
        make.official("Robert Kaliňák", slug="robert-kalinak")
        make.state("Poland", "PL", slug="poland", wikidata_id="Q36")

    @pytest.mark.parametrize(
        ("name", "slugs"),
        [
            ("Sergey Lavrov", ["sergei-lavrov"]),
            ("sergei  LAVROV", ["sergei-lavrov"]),
            ("Лавров", ["sergei-lavrov"]),
            ("Lavrov", ["sergei-lavrov"]),  # the Cyrillic alias, romanised
            ("Peter Szijjarto", ["peter-szijjarto"]),
            ("robert kalinak", ["robert-kalinak"]),
            ("Sergei", []),  # the whole name, not a part: ?q= finds parts
        ],
    )
    def test_by_name_or_alias(self, people, name, slugs):
        found = APIClient().get(f"{API}/actors/", {"name": name}).json()["results"]
        assert [a["slug"] for a in found] == slugs

    def test_by_code(self, people):
        api = APIClient()
        assert [a["slug"] for a in api.get(f"{API}/actors/?iso=pl").json()["results"]] == ["poland"]
        assert [a["slug"] for a in api.get(f"{API}/actors/?wikidata=Q36").json()["results"]] == [
            "poland"
        ]


def test_create_editor_prints_a_token_once(groups, django_user_model):
    out = io.StringIO()
    call_command("create_editor", "desk", "--group", "senior-editor", stdout=out)
    lines = out.getvalue().splitlines()
    user = django_user_model.objects.get(username="desk")
    assert lines[0] == "Created desk in “senior editor”. API token (shown once):"
    assert lines[1] == Token.objects.get(user=user).key
    assert user.is_staff and not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["senior editor"]
    with pytest.raises(Exception, match="exists already"):
        call_command("create_editor", "desk", stdout=io.StringIO())


def test_research_reads_have_a_rate_of_their_own(groups, monkeypatch):
    from django.core.cache import cache

    from config.throttling import FixedWindow, TokenRateThrottle

    # Mid-minute: the five requests fall in one counting window.
    monkeypatch.setattr(FixedWindow, "timer", staticmethod(lambda: 1_800_000_030.0))

    monkeypatch.setattr(
        TokenRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "research": "4/minute"}
    )
    cache.clear()
    analyst = token_for("analyst-script", "analyst")
    codes = [analyst.get(f"{API}/topics/").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_the_readme_example_loads_a_csv_through_the_api_alone(live_server, capsys):
    """From an empty record (migrations, the groups and the topics, which
    editors define in the admin), the example script records actors, an
    office, a condition, the source, the quotes and the positions."""
    import importlib.util

    from positions.models import Topic

    call_command("setup_groups", stdout=io.StringIO())
    for n, slug in enumerate(["reassurance-force", "own-troops"]):
        Topic.objects.create(slug=slug, short_name=slug, question=f"{slug}?", sort_order=n)
    out = io.StringIO()
    call_command("create_editor", "loader", "--group", "senior-editor", stdout=out)
    token = out.getvalue().splitlines()[1]
    spec = importlib.util.spec_from_file_location("load", ROOT / "scripts" / "load_statements.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    argv = [
        live_server.url,
        token,
        str(ROOT / "scripts" / "example-statements.csv"),
        "--source-text",
        str(ROOT / "positions" / "seed" / "articles" / "rferl-2025-02-25.txt"),
        "--publish",
    ]
    assert script.main(argv) == 0
    printed = capsys.readouterr().out
    assert "warning" not in printed
    matrix = APIClient().get(f"{API}/matrix/", {"as_of": "2025-03-01"}).json()
    stances = {
        (row["actor"]["slug"], cell["topic"]): cell["stance"]
        for row in matrix["rows"]
        for cell in row["cells"]
        if cell["stance"]
    }
    assert stances == {
        ("netherlands", "own-troops"): "conditional",
        ("poland", "own-troops"): "opposes",
        ("russia", "reassurance-force"): "opposes",
        ("sweden", "own-troops"): "conditional",
        ("united-kingdom", "own-troops"): "conditional",
    }
    # Twice is harmless: everything is found again, nothing written twice.
    from positions.models import Position
    from sources.models import Quote, Source

    counts = [m.objects.count() for m in (Actor, Role, Condition, Source, Quote, Position)]
    assert counts == [6, 1, 1, 1, 4, 5]
    assert script.main(argv) == 0
    assert capsys.readouterr().out.count(" exists (published)") == 5
    assert [m.objects.count() for m in (Actor, Role, Condition, Source, Quote, Position)] == counts
