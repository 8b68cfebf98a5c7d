import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sources.models import Quote, Source
from sources.text import normalize_url, occurs_in

D = dt.date(2025, 2, 25)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("https://www.rferl.org/a/kremlin-troops/33327.html", "https://www.rferl.org/a/kremlin-troops/33327.html"),
        ("HTTPS://WWW.RFERL.ORG/a/kremlin-troops/33327.html/", "https://www.rferl.org/a/kremlin-troops/33327.html"),
        ("https://www.rferl.org:443/a/x?utm_source=tw&utm_medium=social", "https://www.rferl.org/a/x"),
        ("https://example.org/a?fbclid=abc&page=2&gclid=z#comments", "https://example.org/a?page=2"),
        ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
        ("http://example.org:8080//a//b/", "http://example.org:8080/a/b"),
        ("https://example.org", "https://example.org/"),
        ("  https://example.org/  ", "https://example.org/"),
        ("", ""),
    ],
)  # fmt: skip
def test_normalize_url(raw, normal):
    assert normalize_url(raw) == normal


@pytest.mark.parametrize(
    ("quote", "text", "found"),
    [
        ('would be "legitimate targets."', "would be “legitimate targets.”", True),
        ("Britain's Telegraph", "Britain’s Telegraph reports", True),
        ("early 1990s - when", "early 1990s — when", True),
        ("no problem\nwith it", "He has no  problem with it.", True),
        ("no problem with it", "He has a problem with it.", False),
        ("   ", "anything", False),
        # A source with no stored text verifies nothing (Quote.is_verified).
        ("Anything", "", False),
    ],
)
def test_quote_matching_allows_typography_and_whitespace(quote, text, found):
    assert occurs_in(quote, text) is found


@pytest.mark.django_db
class TestSourceValidation:
    def test_url_is_stored_normalised(self):
        source = Source(
            publisher="RFE/RL", title="T", published_on=D, url="https://X.org/a/?utm_source=x"
        )
        source.full_clean()
        assert source.url == "https://x.org/a"

    def test_same_article_through_a_tracking_link_is_a_duplicate(self, make):
        make.source(url="https://example.org/news/troops")
        duplicate = Source(
            publisher="Other",
            title="Same article",
            published_on=D,
            url="https://EXAMPLE.org/news/troops/?utm_campaign=share#top",
        )
        with pytest.raises(ValidationError) as raised:
            duplicate.full_clean()
        assert raised.value.messages == ["A source with this URL is already recorded."]

    def test_sources_without_url_are_not_duplicates_of_each_other(self, make):
        make.source(url="")
        make.source(url="")
        assert Source.objects.filter(url="").count() == 2


@pytest.mark.django_db
class TestQuoteValidation:
    def source(self, make):
        return make.source(
            text="Poland, which has a large army, said it would not.", published_on=D
        )

    def test_quote_must_occur_in_stored_text(self, make):
        quote = Quote(source=self.source(make), text="Poland said it would.", speaker_label="X")
        with pytest.raises(ValidationError) as raised:
            quote.full_clean()
        assert raised.value.message_dict == {
            "text": [
                "These words do not occur in the source's stored text. "
                "Copy them exactly as published."
            ]
        }

    def test_verbatim_quote_is_accepted_and_verified(self, make):
        quote = Quote(
            source=self.source(make), text="  said it would not. ", speaker_label="RFE/RL"
        )
        quote.full_clean()
        assert quote.text == "said it would not."
        quote.save()
        quote.refresh_from_db()
        assert quote.is_verified

    def test_quote_without_stored_text_is_accepted_but_unverified(self, make):
        quote = Quote(source=make.source(text=""), text="Anything", speaker_label="RFE/RL")
        quote.full_clean()
        quote.save()
        quote.refresh_from_db()
        assert not quote.is_verified

    def test_words_cannot_be_said_after_publication(self, make):
        quote = Quote(
            source=make.source(published_on=D),
            text="Later words",
            speaker_label="RFE/RL",
            said_on=D + dt.timedelta(days=1),
        )
        with pytest.raises(ValidationError) as raised:
            quote.full_clean()
        assert raised.value.message_dict == {
            "said_on": ["Words cannot be said after the source was published (2025-02-25)."]
        }

    @pytest.mark.parametrize(
        ("precision", "stored", "shown"),
        [
            ("day", dt.date(2024, 7, 17), "17 July 2024"),
            ("month", dt.date(2024, 7, 1), "July 2024"),
            ("year", dt.date(2024, 1, 1), "2024"),
        ],
    )
    def test_imprecise_dates_are_stored_as_the_start_of_the_period(
        self, make, precision, stored, shown
    ):
        quote = Quote(
            source=make.source(),
            text="Hollowed out",
            speaker_label="RFE/RL",
            said_on=dt.date(2024, 7, 17),
            said_on_precision=precision,
        )
        quote.full_clean()
        assert (quote.said_on, quote.said_on_display) == (stored, shown)


@pytest.mark.parametrize("padding", [0, 250_000])
def test_a_quote_occurs_in_a_text_however_typeset_and_however_long(padding):
    """Typography and whitespace aside; a text checked again (kept once
    flattened, when not too long) gives the same answer."""
    text = "x " * padding + "He said: \u201cWe will not\n  send   troops\u201d \u2014 today."
    for _ in range(2):
        assert occurs_in('"We will not send troops" - today', text)
        assert not occurs_in("We will send troops", text)
        assert not occurs_in("  ", text)


def _flags(*quotes) -> list[bool]:
    return [Quote.objects.get(pk=quote.pk).is_verified for quote in quotes]


@pytest.mark.django_db
def test_the_stored_verification_follows_the_source_text_and_the_words(make):
    """``Quote.is_verified`` is stored; it follows every save of the quote or
    of its source, and a revert of either, and always agrees with
    ``occurs_in`` (the definition)."""
    source = make.source(text="")
    said = make.quote(source=source, text="We will not send troops.")
    other = make.quote(source=source, text="Nor planes.")
    assert _flags(said, other) == [False, False]

    source.text = "Today the minister said: “We will not send troops.” Nothing else."
    source.full_clean()
    source.save()
    assert _flags(said, other) == [True, False]

    other.text = "Nothing else."
    other.save()
    assert _flags(said, other) == [True, True]
    other.text = "Nothing more."
    other.save(update_fields=["text"])
    assert _flags(said, other) == [True, False]

    # Moved to a source whose text does not hold the words.
    said.source = make.source(text="Something else entirely.")
    said.save()
    assert _flags(said, other) == [False, False]

    # A revert of the source brings back the old text, and the flags with it.
    source.text = ""
    source.full_clean()
    source.save()
    other.text = "Nothing else."
    other.save()
    assert _flags(other) == [False]
    with_text = source.history.filter(text__contains="Nothing else").first()
    with_text.instance.save()
    assert _flags(other) == [True]
    # The flag is derived, so it has no history of its own.
    assert "is_verified" not in {f.name for f in Quote.history.model._meta.fields}

    for quote in Quote.objects.select_related("source"):
        assert quote.is_verified == occurs_in(quote.text, quote.source.text)


@pytest.mark.django_db
def test_reverify_mends_flags_a_bulk_write_left(make):
    source = make.source(text="Words one. Words two.")
    quotes = [make.quote(source=source, text=t) for t in ("Words one.", "Words two.", "Other.")]
    assert _flags(*quotes) == [True, True, False]
    Quote.objects.update(is_verified=False)
    assert Quote.objects.reverify() == 2
    assert _flags(*quotes) == [True, True, False]
    assert Quote.objects.reverify() == 0
