"""The desk end to end through Django's test client: an article in, its
statements reviewed and saved in one transaction, and every bad input
answered with a message and nothing written."""

import datetime as dt
import ipaddress
import socket

import pytest
from django.urls import reverse

from actors.models import Actor, Role
from desk import fetch as fetching
from positions.models import Position, Status
from sources.models import Quote, Source

from .conftest import review_data

pytestmark = pytest.mark.django_db

ARTICLE = (
    '"We will not send troops to Ukraine under any flag," Kremlin spokesman Dmitry Peskov '
    "said on Monday.\n"
    "Sweden and the Netherlands indicated they could be willing to provide troops under "
    "certain conditions. But Poland, which has a large army, said it would not.\n"
    'Armed Forces Minister Luke Pollard said: "No, it will need a U.S. backstop, U.S. '
    'involvement, if British troops are to deploy."'
)


def counts():
    return (Source.objects.count(), Quote.objects.count(), Position.objects.count())


def read(client, **data):
    return client.post(reverse("desk:desk"), data)


def test_only_editors_use_the_desk(client, staff):
    response = client.get(reverse("desk:desk"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(staff("analyst"))
    assert client.get(reverse("desk:desk")).status_code == 403
    assert client.post(reverse("desk:save"), {}).status_code == 403
    client.force_login(staff("editor"))
    assert client.get(reverse("desk:desk")).status_code == 200


def test_an_article_goes_in_with_one_review_and_one_save(client, staff, seeded):
    client.force_login(staff("editor"))
    before = counts()
    review = read(client, text=ARTICLE, url="https://news.example.org/a?utm_source=x",
                  published_on="2025-02-25")  # fmt: skip
    assert review.status_code == 200
    rows = review.context["rows"]
    proposed = {(f.initial["actor"], f.initial["attribution"]) for _, f, _ in rows}
    assert proposed == {
        ("russia", "speaking_for"),
        ("sweden", "report"),
        ("netherlands", "report"),
        ("poland", "report"),
        ("Luke Pollard", "own"),
    }
    assert counts() == before  # nothing is written before the editor saves
    data = review_data(review)
    data |= {"title": "Kremlin rules out troops", "publisher": "Test Wire"}
    # The new minister's office, typed inline: he then speaks for the United Kingdom.
    pollard = next(k for k, f, _ in rows if f.initial["speaker"] == "Luke Pollard")
    data |= {
        f"s-{pollard}-speaker_country": "united-kingdom",
        f"s-{pollard}-actor": "united-kingdom",
        f"s-{pollard}-attribution": "speaking_for",
        f"s-{pollard}-topic": "own-troops",
        f"s-{pollard}-stance": "conditional",
    }
    saved = client.post(reverse("desk:save"), data)
    assert saved.status_code == 302, saved.context and saved.context["source_form"].errors
    source = Source.objects.get(url="https://news.example.org/a")
    assert source.text == ARTICLE and source.published_on == dt.date(2025, 2, 25)
    positions = Position.objects.filter(quote__source=source)
    assert sorted((p.actor.slug, p.attribution, p.stance, p.status) for p in positions) == [
        ("netherlands", "report", "conditional", Status.DRAFT),
        ("poland", "report", "opposes", Status.DRAFT),
        ("russia", "speaking_for", "opposes", Status.DRAFT),
        ("sweden", "report", "conditional", Status.DRAFT),
        ("united-kingdom", "speaking_for", "conditional", Status.DRAFT),
    ]
    assert all(p.entered_by.username == "editor" for p in positions)
    assert all(p.quote.is_verified for p in positions)
    peskov = positions.get(actor__slug="russia")
    assert peskov.as_of == dt.date(2025, 2, 24) and peskov.quote.speaker.slug == "dmitry-peskov"
    minister = Actor.objects.get(name="Luke Pollard")
    office = Role.objects.get(holder=minister)
    assert (office.organisation.slug, office.title, office.speaks_for_rank) == (
        "united-kingdom",
        "Armed Forces Minister",
        Role.Rank.MINISTER,
    )
    page = client.get(saved["Location"])
    assert page.status_code == 200 and b"5 positions" in page.content


def test_one_refused_statement_writes_nothing(client, staff, seeded):
    client.force_login(staff("editor"))
    review = read(client, text=ARTICLE, published_on="2025-02-25")
    data = review_data(review) | {"title": "T", "publisher": "P"}
    key = review.context["rows"][1][0]
    data[f"s-{key}-quote"] = "Words that are not in the article at all."
    before = counts()
    refused = client.post(reverse("desk:save"), data)
    assert refused.status_code == 400
    assert counts() == before
    rows = {k: f for k, f, _ in refused.context["rows"]}
    assert "do not occur in the source's stored text" in rows[key].errors["quote"][0]


def test_a_recorded_address_opens_the_existing_source(client, staff, make, db):
    client.force_login(staff("editor"))
    source = make.source(url="https://news.example.org/known")
    response = read(client, url="https://news.example.org/known/?utm_campaign=z", text="x y z")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sources_source_change", args=[source.pk])
    hint = client.get(reverse("desk:check_url"), {"url": "https://NEWS.example.org/known/"})
    assert b"Already recorded" in hint.content and source.title.encode() in hint.content
    assert b"Already" not in client.get(reverse("desk:check_url"), {"url": "nope"}).content


def test_saved_html_is_read_as_text_and_never_runs(client, staff, seeded):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff("editor"))
    page = (
        "<html><head><title>Poland and the force</title>"
        '<meta property="og:site_name" content="Test Wire">'
        '<meta property="article:published_time" content="2025-02-25">'
        "<script>alert('x')</script></head><body><nav>Home News Sport</nav><article>"
        "<h1>Poland and the force</h1>"
        '<p onclick="steal()">Sweden and the Netherlands indicated they could be willing to '
        "provide troops under certain conditions.</p><p>But Poland, which has a large army, "
        "said it would not.<img src=x onerror=alert(1)></p></article></body></html>"
    )
    upload = SimpleUploadedFile("page.html", page.encode(), content_type="text/html")
    review = client.post(reverse("desk:desk"), {"upload": upload})
    assert review.status_code == 200
    article = review.context["article"]
    assert (article.title, article.publisher, article.published_on) == (
        "Poland and the force",
        "Test Wire",
        dt.date(2025, 2, 25),
    )
    for marker in ("alert", "steal", "onerror", "<script", "Home News"):
        assert marker not in article.text
    assert b"steal()" not in review.content and b"alert(" not in review.content
    assert len(review.context["rows"]) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Paste the article, upload a saved page or give its address."),
        ({"text": "   "}, "Paste the article, upload a saved page or give its address."),
        ({"url": "ftp://example.org/x"}, "Give an http:// or https:// address."),
        ({"url": "https://example.org:99999/"}, "does not parse"),
        ({"text": "x", "published_on": "25/02/2025"}, "YYYY-MM-DD"),
    ],
)
def test_bad_articles_get_a_message(client, staff, data, message):
    client.force_login(staff("editor"))
    before = counts()
    response = read(client, **data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert counts() == before


def test_uploads_that_are_no_article(client, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff("editor"))
    cases = [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("Caf\u00e9 ol\u00e9: les troupes".encode("latin-1"), "not UTF-8"),
        (b"<html><head><script>steal()</script></head><body></body></html>", "No article text"),
    ]
    for content, message in cases:
        upload = SimpleUploadedFile("file.html", content, content_type="text/html")
        response = client.post(reverse("desk:desk"), {"upload": upload})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert Source.objects.count() == 0


def test_a_five_megabyte_paste_gets_a_message_not_an_error(client, staff):
    client.force_login(staff("editor"))
    response = read(client, text="word " * 1_000_000)
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_text_without_statements_says_so(client, staff, seeded):
    client.force_login(staff("editor"))
    response = read(client, text="The weather in Brussels was mild on Tuesday.")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert b"found no statement" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/admin/",
        "http://localhost:8000/",
        "http://10.0.0.5/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://192.168.1.1/",
    ],
)
def test_private_addresses_are_refused_before_any_connection(client, staff, url, monkeypatch):
    def no_connection(*args, **kwargs):
        raise AssertionError("connected")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    client.force_login(staff("editor"))
    response = read(client, url=url)
    assert response.status_code == 400
    assert "private, loopback or link-local" in response.content.decode()


class FakeResponse:
    def __init__(self, status, headers, body=b""):
        self.status, self.reason, self._headers, self._body = status, "", headers, body

    def getheader(self, name, default=None):
        return self._headers.get(name, default)

    def read(self, size):
        chunk, self._body = self._body[:size], self._body[size:]
        return chunk


def public(host, port, type=None):  # noqa: A002 - getaddrinfo's own keyword
    """A resolver with every name public; an address stays itself."""
    try:
        address = str(ipaddress.ip_address(host))
    except ValueError:
        address = "93.184.215.14"
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


def test_a_redirect_to_a_private_address_is_refused(monkeypatch):
    hops = []

    class Connection:
        def __init__(self, host, address, **kwargs):
            hops.append((host, address))

        def request(self, *args, **kwargs):
            pass

        def getresponse(self):
            return FakeResponse(302, {"Location": "http://169.254.169.254/latest/"})

        def close(self):
            pass

    monkeypatch.setattr(fetching, "_Pinned", Connection)
    with pytest.raises(fetching.FetchRefused, match="link-local"):
        fetching.fetch("http://news.example.org/a", resolve=public)
    assert hops == [("news.example.org", "93.184.215.14")]


def test_a_page_that_times_out_or_is_not_a_page(monkeypatch):
    class Slow:
        def __init__(self, *args, **kwargs):
            pass

        def request(self, *args, **kwargs):
            raise TimeoutError("timed out")

        def close(self):
            pass

    monkeypatch.setattr(fetching, "_Pinned", Slow)
    with pytest.raises(fetching.FetchRefused, match="did not answer within 10 s"):
        fetching.fetch("http://news.example.org/a", resolve=public)

    class Image(Slow):
        def request(self, *args, **kwargs):
            pass

        def getresponse(self):
            return FakeResponse(200, {"Content-Type": "image/png"}, b"\x89PNG")

    monkeypatch.setattr(fetching, "_Pinned", Image)
    with pytest.raises(fetching.FetchRefused, match="serves image/png"):
        fetching.fetch("http://news.example.org/a", resolve=public)


def test_a_fetched_page_is_read(client, staff, seeded, monkeypatch):
    html = (
        b"<html><head><title>Poland says no</title></head><body><article><p>But Poland, "
        b"which has a large army, said it would not send troops to Ukraine.</p></article>"
        b"</body></html>"
    )

    class Page:
        def __init__(self, *args, **kwargs):
            pass

        def request(self, *args, **kwargs):
            pass

        def getresponse(self):
            return FakeResponse(200, {"Content-Type": "text/html; charset=utf-8"}, html)

        def close(self):
            pass

    monkeypatch.setattr(fetching, "_PinnedTLS", Page)
    monkeypatch.setattr(socket, "getaddrinfo", public)
    client.force_login(staff("editor"))
    review = read(client, url="https://news.example.org/poland")
    assert review.status_code == 200
    assert review.context["article"].url == "https://news.example.org/poland"
    assert [f.initial["actor"] for _, f, _ in review.context["rows"]] == ["poland"]


def test_the_review_queue(client, staff, seeded):
    editor, senior = staff("editor"), staff("senior editor")
    client.force_login(editor)
    review = read(client, text=ARTICLE, published_on="2025-02-25")
    data = review_data(review) | {"title": "T", "publisher": "P"}
    for key, form, _ in review.context["rows"]:
        if form.initial["actor"] == "Luke Pollard":
            data.pop(f"s-{key}-include")
    assert client.post(reverse("desk:save"), data).status_code == 302
    drafts = list(Position.objects.filter(status=Status.DRAFT).order_by("pk"))
    assert len(drafts) == 4
    queue = client.get(reverse("desk:queue"))
    assert queue.status_code == 200 and b"4 drafts awaiting review" in queue.content
    assert b"<mark>" in queue.content  # each quote highlighted in its source's text
    assert (
        client.post(reverse("desk:decide", args=[drafts[0].pk]), {"action": "publish"}).status_code
        == 403
    )

    client.force_login(senior)
    index = client.get(reverse("admin:index"))
    assert b"4 drafts awaiting review" in index.content
    client.post(reverse("desk:decide", args=[drafts[0].pk]), {"action": "publish"})
    client.post(reverse("desk:decide", args=[drafts[1].pk]), {"action": "return", "note": ""})
    client.post(reverse("desk:decide", args=[drafts[1].pk]),
                {"action": "return", "note": "Which conditions? Quote them."})  # fmt: skip
    for draft in drafts:
        draft.refresh_from_db()
    assert drafts[0].status == Status.PUBLISHED
    assert (drafts[1].status, drafts[1].review_note) == (
        Status.DRAFT,
        "Which conditions? Quote them.",
    )
    assert b"2 drafts awaiting review" in client.get(reverse("desk:queue")).content

    client.force_login(editor)
    home = client.get(reverse("desk:desk"))
    assert b"Returned to you" in home.content and b"Which conditions?" in home.content
    # The editor's change answers the note: the draft is back in the queue.
    from config.concurrency import Seen, version_of
    from positions import services

    services.change_position(position_id=drafts[1].pk, user=editor,
                             values={"summary": "Conditions: unspecified."},
                             seen=Seen(opened=version_of(drafts[1])))  # fmt: skip
    drafts[1].refresh_from_db()
    assert drafts[1].review_note == ""
    assert b"3 drafts awaiting review" in client.get(reverse("desk:queue")).content


def test_markup_in_a_pasted_text_is_shown_as_text_everywhere(client, staff, seeded):
    editor = staff("senior editor")
    client.force_login(editor)
    text = (
        "But Poland, which has a large army, said it would not send troops.\n"
        '<script>alert("x")</script><img src=x onerror="alert(1)">'
    )
    review = read(client, text=text, published_on="2025-02-25")
    data = review_data(review) | {"title": "<b>Bold</b> title", "publisher": "P"}
    for key, _, _ in review.context["rows"]:
        data[f"s-{key}-publish"] = "on"
    assert client.post(reverse("desk:save"), data).status_code == 302
    source = Source.objects.get(title="<b>Bold</b> title")
    assert source.text == text  # stored as read
    for url in (
        reverse("sources:detail", args=[source.pk]),
        reverse("admin:sources_source_change", args=[source.pk]),
        reverse("desk:queue"),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and 'onerror="alert' not in page
        assert "<b>Bold</b>" not in page


def test_another_position_from_a_quote_copies_its_row(client, staff, seeded):
    client.force_login(staff("editor"))
    review = read(client, text=ARTICLE, published_on="2025-02-25")
    key, form, _ = review.context["rows"][0]
    data = {k: v for k, v in review_data(review).items() if k.startswith(f"s-{key}-")}
    row = client.get(reverse("desk:statement"), {"from": key, **data}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    copy = row.context["form"]
    assert copy.prefix != form.prefix
    assert copy.initial["quote"] == form.initial["quote"]
    assert copy.initial["speaker"] == "dmitry-peskov"
    assert copy.initial["said_on"] == "2025-02-24"
    assert b"<fieldset" in row.content and b"<html" not in row.content
