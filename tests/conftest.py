import datetime as dt
import io
import itertools

import pytest

from actors.models import Actor, Role
from positions.models import Attribution, Condition, Position, Stance, Status, Topic
from sources.models import Quote, Source

_seq = itertools.count(1)


class Factory:
    """Valid objects with sensible defaults; pass only what the test is about."""

    def actor(self, **kwargs) -> Actor:
        n = next(_seq)
        kwargs.setdefault("kind", Actor.Kind.STATE)
        kwargs.setdefault("name", f"Actor {n}")
        kwargs.setdefault("slug", f"actor-{n}")
        if kwargs["kind"] == Actor.Kind.STATE:
            kwargs.setdefault("iso_code", f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
        return Actor.objects.create(**kwargs)

    def state(self, name: str, iso_code: str, **kwargs) -> Actor:
        return self.actor(name=name, iso_code=iso_code, kind=Actor.Kind.STATE, **kwargs)

    def official(self, name: str, **kwargs) -> Actor:
        return self.actor(name=name, kind=Actor.Kind.OFFICIAL, **kwargs)

    def office(self, holder, organisation, *, rank=Role.Rank.HEAD, **kwargs) -> Role:
        kwargs.setdefault("title", "Head of government")
        return Role.objects.create(
            holder=holder,
            organisation=organisation,
            kind=Role.Kind.OFFICE,
            speaks_for_rank=rank,
            **kwargs,
        )

    def source(self, **kwargs) -> Source:
        n = next(_seq)
        kwargs.setdefault("publisher", "Test Wire")
        kwargs.setdefault("title", f"Article {n}")
        kwargs.setdefault("url", f"https://news.example.org/article-{n}")
        kwargs.setdefault("published_on", dt.date(2025, 12, 31))
        source = Source(**kwargs)
        source.full_clean()
        source.save()
        return source

    def quote(self, **kwargs) -> Quote:
        if "source" not in kwargs:
            kwargs["source"] = self.source()
        kwargs.setdefault("text", f"Words number {next(_seq)}")
        if "speaker" not in kwargs:
            kwargs.setdefault("speaker_label", "a senior diplomat")
        return Quote.objects.create(**kwargs)

    def topic(self, **kwargs) -> Topic:
        n = next(_seq)
        kwargs.setdefault("short_name", f"Topic {n}")
        kwargs.setdefault("slug", f"topic-{n}")
        kwargs.setdefault("question", f"Question {n}?")
        return Topic.objects.create(**kwargs)

    def condition(self, **kwargs) -> Condition:
        n = next(_seq)
        kwargs.setdefault("name", f"Condition {n}")
        kwargs.setdefault("slug", f"condition-{n}")
        return Condition.objects.create(**kwargs)

    def position(self, *, actor, topic, as_of, stance=Stance.SUPPORTS, **kwargs) -> Position:
        """A published position; the quote is made to fit the attribution."""
        kwargs.setdefault("attribution", Attribution.OWN)
        kwargs.setdefault("status", Status.PUBLISHED)
        if "quote" not in kwargs:
            speaker = kwargs.pop("speaker", None)
            if speaker is None and kwargs["attribution"] == Attribution.OWN:
                speaker = actor
            if kwargs["attribution"] == Attribution.CLAIM:
                speaker = kwargs["claimant"]
            kwargs["quote"] = self.quote(
                speaker=speaker,
                speaker_label="" if speaker else "the outlet",
                said_on=as_of,
                source=self.source(published_on=as_of),
            )
        return Position.objects.create(
            actor=actor, topic=topic, as_of=as_of, stance=stance, **kwargs
        )

    def countries(self, topic, count: int) -> list[Actor]:
        """States each with a head of government whose later words, naming a
        condition, count for it: a world that grows without changing shape."""
        made = []
        for _ in range(count):
            n = next(_seq)
            state = self.state(f"State {n}", f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
            leader = self.official(f"Leader of state {n}")
            self.office(leader, state, title="President")
            self.position(actor=state, topic=topic, as_of=dt.date(2025, 1, 1))
            later = self.position(
                actor=leader, topic=topic, as_of=dt.date(2025, 2, 1), stance=Stance.OPPOSES
            )
            later.conditions.add(self.condition())
            made.append(state)
        return made


def query_counts(client, urls) -> dict[str, int]:
    """How many SQL queries each address takes (streamed bodies read to the end)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, url
        result[url] = len(queries)
    return result


def opened_form(client, url) -> dict:
    """An admin form as the browser would submit it, unchanged."""
    response = client.get(url)
    assert response.status_code == 200, url
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            value = ""
        elif isinstance(value, list):
            value = [str(v) for v in value]
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        data[name] = value
    return data


@pytest.fixture
def make() -> Factory:
    return Factory()


@pytest.fixture
def editor(django_user_model):
    """A staff user with every permission on the project's models."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        username="editor", password="correct horse battery staple", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["actors", "sources", "positions", "desk"]
        )
    )
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    client.session_user = editor
    return client


@pytest.fixture
def seeded(db):
    from positions.seeding import load_seed

    return load_seed(record=False)


@pytest.fixture(scope="class")
def seeded_class(django_db_setup, django_db_blocker):
    """The seed loaded once for a class of tests, inside a transaction that is
    rolled back after the class; each test still runs in a savepoint of its
    own, so what one test writes never reaches the next."""
    from django.db import transaction

    from positions.seeding import load_seed

    with django_db_blocker.unblock(), transaction.atomic():
        yield load_seed(record=False)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The database rolls back after each test; the cache must forget too."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def migration_rows(request):
    """The rows migrations write (the default stance cues, the quote list's
    kept counts): a transactional or live-server test's flush (the browser
    tests, in the same reused database) takes them away, and a test after
    it on the same worker found none."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if "db" not in request.fixturenames and marker is None and not transactional:
        return
    if not transactional:
        request.getfixturevalue("db")
    from desk.models import StanceCue

    if not StanceCue.objects.exists():
        from django.core.management import call_command

        call_command("load_lexicon", stdout=io.StringIO())
    from sources.models import QuoteTally

    if not QuoteTally.objects.exists():
        from positions.visibility import recount

        recount()
