"""The stance map in a real browser: dates and comparison in the address,
a country's link to its cell by mouse and by keyboard, play, the phone
layout, and axe-core."""

import pytest

from tests.browser.conftest import close, serious_violations
from tests.browser.test_review import screenshots


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    close(context, page)


def test_the_map_shows_each_country_and_opens_its_cell(site, axe_page):
    page = axe_page
    page.goto(f"{site}/map/?as_of=2025-03-01&topic=own-troops")
    poland = page.locator('a[aria-label^="Poland: Opposes, 25 Feb 2025"]')
    assert poland.count() == 1
    assert page.locator('a[aria-label="Ukraine: no statement"]').count() == 1
    assert serious_violations(page) == []
    screenshots(page, "map")
    poland.click()
    page.wait_for_url(f"{site}/cells/poland/own-troops/?as_of=2025-03-01")
    assert "Poland on Own troops" in page.inner_text("h1, h2")


def test_compare_and_step_through_dates_with_the_keyboard(site, axe_page):
    page = axe_page
    page.goto(f"{site}/map/?as_of=2025-03-01&since=2025-02-01&topic=own-troops")
    changed = page.locator("a.country.changed")
    assert changed.count() >= 3  # Poland, Sweden, the Netherlands, the UK moved
    assert "Changed since 1 Feb 2025" in page.inner_text(".map-legend")
    # Step back with the keyboard: the address follows.
    page.focus("a[rel=prev]")
    page.keyboard.press("Enter")
    page.wait_for_function("!location.search.includes('2025-03-01')")
    assert "as_of=2025-02-25" in page.url
    assert page.locator("h1 time").get_attribute("datetime") == "2025-02-25"
    # Every country in the record is reachable by Tab.
    page.locator('a[aria-label^="Poland"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/cells/poland/own-troops/**")


def test_play_steps_forward(site, axe_page):
    page = axe_page
    page.goto(f"{site}/map/?as_of=2025-02-23&topic=own-troops")
    page.click("[data-play]")
    page.wait_for_function("location.search.includes('2025-02-24')", timeout=5_000)
    page.click("[data-play]")  # pause


def test_the_map_on_a_phone(site, phone):
    phone.goto(f"{site}/map/?as_of=2025-03-01&topic=own-troops")
    widest = phone.evaluate("document.documentElement.scrollWidth")
    assert widest <= 390


def test_totals_exports_and_citation(site, axe_page):
    page = axe_page
    page.goto(f"{site}/?as_of=2025-03-01")
    totals = page.locator(".totals-table")
    assert "Own troops" in totals.inner_text()
    with page.expect_download() as csv:
        page.click("text=CSV of what is shown")
    assert csv.value.suggested_filename.endswith(".csv")
    with page.expect_download() as png:
        page.click("button[data-png]")
    assert png.value.suggested_filename == "stance-matrix.png"
    page.click("summary:has-text('Cite this view')")
    citation = page.input_value("#cite-text")
    assert citation.startswith("Ceasefire Positions. “Stance matrix, as of 1 March 2025.”")
    assert "/?as_of=2025-03-01" in citation
    assert serious_violations(page) == []


def test_the_matrix_on_a_phone_is_a_card_per_country(site, phone):
    phone.goto(f"{site}/?as_of=2025-03-01")
    assert phone.locator("table.matrix thead").bounding_box()["width"] <= 1  # headers go
    poland = phone.locator("table.matrix tbody tr", has_text="Poland")
    box = poland.bounding_box()
    assert box["width"] <= 390 and box["height"] > 200  # its cells stacked
    assert "Opposes" in poland.inner_text()
    phone.click(".topic-switch >> text=Own troops")
    phone.wait_for_url("**topics=own-troops**")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshots(phone, "matrix-phone")
