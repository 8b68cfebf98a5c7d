"""The review of an editor's change to a published position, in a real
browser: the editor is told the change waits, a senior editor sees it side
by side and publishes it, and both admin pages pass axe-core."""

import os

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from positions.models import Position, Revision
from tests.browser.conftest import close, serious_violations

PASSWORD = "a long enough password"


@pytest.fixture
def staff(site, django_user_model):
    call_command("setup_groups", stdout=open(os.devnull, "w"))  # noqa: SIM115
    people = {}
    for group in ("editor", "senior editor"):
        user = django_user_model.objects.create_user(
            username=group.replace(" ", "-"), password=PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        people[group] = user
    return people


@pytest.fixture
def admin_page(browser):
    # axe-core is injected as an inline script, which the site's policy
    # (rightly) refuses; the page's own scripts still run as served.
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    close(context, page)


def log_in(page, site, username):
    page.context.clear_cookies()
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/")


def screenshots(page, name):
    """At both sizes, when SCREENSHOT_DIR asks for them (to look at)."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def test_an_editors_change_is_reviewed_and_published(site, staff, admin_page):
    page = admin_page
    position = Position.objects.filter(status="published").order_by("pk").first()
    log_in(page, site, "editor")
    page.goto(f"{site}/admin/positions/position/{position.pk}/change/")
    page.fill("#id_summary", "Reviewed reading of the quote.")
    page.click("input[name=_save]")
    warning = page.locator(".messagelist .warning")
    assert "awaits a senior editor's review" in warning.inner_text()
    assert serious_violations(page) == []
    screenshots(page, "position-held-for-review")
    position.refresh_from_db()
    assert position.summary != "Reviewed reading of the quote."

    revision = Revision.objects.get()
    log_in(page, site, "senior-editor")
    page.goto(f"{site}/admin/positions/revision/")
    assert "Awaiting review" in page.inner_text("#result_list")
    page.goto(f"{site}/admin/positions/revision/{revision.pk}/change/")
    difference = page.inner_text(".field-difference")
    assert "Reviewed reading of the quote." in difference
    assert serious_violations(page) == []
    screenshots(page, "revision-review")
    page.check("input[name=decision][value=publish]")
    page.click("input[name=_save]")
    page.wait_for_url(f"{site}/admin/positions/revision/")
    position.refresh_from_db()
    assert position.summary == "Reviewed reading of the quote."
    revision.refresh_from_db()
    assert revision.state == Revision.State.PUBLISHED
