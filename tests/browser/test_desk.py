"""The desk in a real browser: the RFE/RL founding article goes in, its
statements reviewed and saved, in three page loads; the review queue
publishes and returns drafts; every desk page passes axe-core."""

import datetime as dt
import os
from pathlib import Path

import pytest

from positions.models import Position, Status
from sources.models import Source
from tests.browser.conftest import close, serious_violations
from tests.browser.test_review import log_in, screenshots
from tests.browser.test_review import staff as staff  # noqa: F401 - the fixture

ARTICLE = Path("positions/seed/articles/rferl-2025-02-25.txt").read_text(encoding="utf-8")
URL = "https://www.rferl.org/a/kremlin-trump-european-troops-ukraine/33327870.html"

# What the editor decides where the assistant left a field open or read wrong.
FIX_UPS = {
    # actor typed -> (topic, stance) to set, or None to drop the candidate
    "nicu-popescu": ("un-peacekeeping", "opposes"),
    "jamie-shea": ("reassurance-force", "undecided"),
    "leo-peria-peigne": ("capacity-to-lead", "opposes"),
    "ukraine": None,  # a report's title, not a speaker
    "Wakeup Call": None,
}


@pytest.fixture
def lexicon(site):
    """The stance cues a migration wrote (a live-server test's flush took them)."""
    from django.core.management import call_command

    call_command("load_lexicon", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def desk_page(browser, lexicon):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    close(context, page)


def test_an_article_in_three_page_loads(site, staff, desk_page):  # noqa: F811
    page = desk_page
    log_in(page, site, "editor")
    loads = []
    page.on("load", lambda: loads.append(page.url))

    page.goto(f"{site}/desk/")  # 1
    assert serious_violations(page) == []
    screenshots(page, "desk-new-article")
    page.fill("#id_url", URL)
    page.fill("#id_text", ARTICLE)
    page.fill("#id_published_on", "2025-02-25")
    page.click("button[type=submit]")  # 2
    page.wait_for_selector("#statements")
    assert serious_violations(page) == []
    screenshots(page, "desk-review")

    page.fill("#id_title", "Kremlin declines to confirm Trump's claim on European troops")
    page.fill("#id_publisher", "RFE/RL")
    rows = page.locator("fieldset.candidate")
    for i in range(rows.count()):
        row = rows.nth(i)
        actor = row.locator("input[name$='-actor']").input_value()
        if actor in FIX_UPS:
            fix = FIX_UPS[actor]
            keep = row.locator("input[name$='-include']")
            if fix is None:
                keep.uncheck()
                continue
            keep.check()
            row.locator("select[name$='-topic']").select_option(fix[0])
            row.locator("select[name$='-stance']").select_option(fix[1])
    kept = page.locator("fieldset.candidate input[name$='-include']:checked").count()
    assert kept >= 13

    page.click("text=Save the article and its statements")  # 3
    page.wait_for_selector("table.entered")
    assert serious_violations(page) == []
    screenshots(page, "desk-saved")
    assert len(loads) == 3, loads

    source = Source.objects.get(url=URL.rstrip("/"))
    positions = Position.objects.filter(quote__source=source)
    assert positions.count() == kept
    assert f"{kept} positions from this article" in page.inner_text("#entered-heading")
    assert all(p.status == Status.DRAFT and p.quote.is_verified for p in positions)
    assert {("russia", "speaking_for"), ("vladimir-putin", "claim"), ("poland", "report")} <= {
        (p.actor.slug, p.attribution) for p in positions
    }


def test_the_review_queue_publishes_and_returns(site, staff, desk_page, make):  # noqa: F811
    from positions.models import Topic

    topic = Topic.objects.get(slug="own-troops")
    poland = Position.objects.filter(actor__slug="poland").first().actor
    drafts = [
        make.position(actor=poland, topic=topic, as_of=day, status=Status.DRAFT,
                      entered_by=staff["editor"])
        for day in (dt.date(2025, 3, 1), dt.date(2025, 3, 2))
    ]  # fmt: skip
    page = desk_page
    log_in(page, site, "senior-editor")
    page.goto(f"{site}/admin/")
    assert "2 drafts awaiting review" in page.inner_text(".desk-summary")
    page.click("text=2 drafts awaiting review")
    page.wait_for_url(f"{site}/desk/queue/")
    assert serious_violations(page) == []
    screenshots(page, "desk-queue")
    first = page.locator(f"#draft-{drafts[0].pk}")
    first.locator("button[value=publish]").click()
    page.wait_for_selector(".message-success")
    second = page.locator(f"#draft-{drafts[1].pk}")
    second.locator("input[name=note]").fill("Quote the minister, not the headline.")
    second.locator("button[value=return]").click()
    page.wait_for_selector(".message-success")
    assert "No draft awaits review." in page.inner_text("main")
    for draft in drafts:
        draft.refresh_from_db()
    assert drafts[0].status == Status.PUBLISHED
    assert drafts[1].review_note == "Quote the minister, not the headline."

    log_in(page, site, "editor")
    page.goto(f"{site}/desk/")
    assert "Quote the minister, not the headline." in page.inner_text("main")
    assert serious_violations(page) == []
