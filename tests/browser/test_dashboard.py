"""What an analyst does in a real browser, on the seed data."""

import re

from playwright.sync_api import expect


def cell(page, actor, topic):
    """The matrix cell of ``actor`` (row header text) under ``topic`` (column header text)."""
    headers = [h.strip() for h in page.locator("table.matrix thead th").all_inner_texts()]
    row = page.locator("table.matrix tbody tr").filter(
        has=page.get_by_role("rowheader", name=actor, exact=True)
    )
    # The first column holds the row headers.
    return row.locator("td").nth(headers.index(topic) - 1)


def mark_page(page):
    """Set a flag that survives htmx swaps but not a full page load."""
    page.evaluate("window.__notReloaded = true")


def was_not_reloaded(page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def test_matrix_travels_in_time(page, site):
    response = page.goto(f"{site}/?as_of=2025-02-26")
    assert response.status == 200
    expect(page).to_have_title("Stances as of 26 February 2025 — Ceasefire Positions")
    russia = cell(page, "Russia RU", "Reassurance force")
    expect(russia).to_contain_text("Opposes")
    expect(russia).to_contain_text("Donald Trump claims: supports")
    expect(cell(page, "Poland PL", "Own troops")).to_contain_text("Opposes")
    expect(cell(page, "United Kingdom GB", "Own troops")).to_contain_text("Conditional")
    mark_page(page)

    # Step to the next date on which anyone spoke: the grid is swapped in place.
    page.get_by_role("link", name=re.compile("Next statement: 2 Mar 2026")).click()
    expect(page).to_have_url(re.compile(r"as_of=2026-03-02"))
    expect(cell(page, "Russia RU", "Reassurance force")).to_contain_text("Hostile (threat)")
    expect(page).to_have_title("Stances as of 2 March 2026 — Ceasefire Positions")
    expect(page.locator("#id_as_of")).to_have_value("2026-03-02")
    assert was_not_reloaded(page)

    # A date typed and entered re-renders the grid as of that day (not while typing).
    page.locator("#id_as_of").fill("2025-02-24")
    page.locator("#id_as_of").press("Enter")
    expect(page).to_have_url(re.compile(r"as_of=2025-02-24"))
    expect(cell(page, "Russia RU", "Reassurance force")).to_contain_text("No statement of its own")
    assert was_not_reloaded(page)

    # The back button returns to the earlier state.
    page.go_back()
    expect(page).to_have_url(re.compile(r"as_of=2026-03-02"))
    expect(cell(page, "Russia RU", "Reassurance force")).to_contain_text("Hostile (threat)")
    assert page.errors == []


def test_filters_and_comparison_of_two_dates(page, site):
    page.goto(f"{site}/?as_of=2026-03-02")
    mark_page(page)
    page.locator("#id_since").fill("2025-02-26")
    page.locator("#id_since").press("Enter")
    expect(page).to_have_url(re.compile(r"since=2025-02-26"))
    changed = page.locator("table.matrix td.changed")
    expect(changed).to_have_count(4)
    expect(cell(page, "Russia RU", "Reassurance force")).to_contain_text("Changed; was opposes")
    changes = page.get_by_role("region", name=re.compile("What changed between"))
    expect(changes).to_contain_text("Russia on Reassurance force: Opposes → Hostile (threat)")
    expect(changes).to_contain_text("legitimate targets")

    page.get_by_label("Group").select_option("coalition-of-the-willing")
    expect(page).to_have_url(re.compile(r"group=coalition-of-the-willing"))
    row_headers = page.locator("table.matrix tbody th[scope=row]")
    expect(row_headers).to_have_text(["France FR", "United Kingdom GB", "Coalition of the Willing"])
    page.get_by_label("Russian consent first").check()
    expect(page.locator("table.matrix thead th")).to_have_text(["Actor", "Russian consent first"])
    assert was_not_reloaded(page)
    assert page.errors == []


def test_a_cell_opens_its_quote_source_and_history(page, site):
    page.goto(f"{site}/?as_of=2025-02-26")
    mark_page(page)
    cell(page, "Russia RU", "Reassurance force").get_by_role("link").click()
    detail = page.locator("#detail")
    expect(detail).to_contain_text("Russia on Reassurance force, as of 26 February 2025")
    expect(detail).to_contain_text("I have nothing to add to this")
    expect(detail).to_contain_text("Dmitry Peskov")
    expect(detail).to_contain_text("Claimed by Donald Trump")
    expect(detail).to_contain_text("History of Russia on Reassurance force")
    expect(detail.get_by_role("heading", level=2)).to_be_focused()
    assert was_not_reloaded(page)

    source = detail.get_by_role("link", name=re.compile("Kremlin declines to confirm")).first
    source.click()
    expect(page).to_have_url(re.compile(r"/sources/\d+/#quote-\d+$"))
    expect(page.locator(".quote:target")).to_contain_text("I have nothing to add to this")
    expect(page.locator(".quote:target")).to_contain_text("verified against the stored text")
    assert page.errors == []


def test_cells_are_reachable_by_keyboard(page, site):
    page.goto(f"{site}/?as_of=2025-02-26")
    link = cell(page, "Poland PL", "Own troops").get_by_role("link")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#detail")).to_contain_text("Poland on Own troops")


def test_timeline_marker_shows_its_quote(page, site):
    page.goto(f"{site}/topics/reassurance-force/")
    expect(page).to_have_title("Reassurance force: timeline — Ceasefire Positions")
    # Nine statements; those too close together to draw apart share a numbered marker.
    markers = page.locator("svg a.marker")
    expect(markers).to_have_count(6)
    group = page.locator("svg a.marker.is-group").first
    expect(group.locator("title")).to_contain_text(re.compile(r"^\d statements (from|on) "))
    group.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"#{group.get_attribute('data-anchor')}$"))
    expect(page.locator(".statement:target")).to_be_visible()
    marker = page.locator('svg a.marker[data-anchor^="statement-russia-"]').last
    expect(marker.locator("title")).to_contain_text("legitimate targets")
    anchor = marker.get_attribute("data-anchor")
    marker.click()
    expect(page).to_have_url(re.compile(f"#{anchor}$"))
    target = page.locator(".statement:target")
    expect(target).to_be_visible()
    expect(target).to_contain_text("legitimate targets")
    expect(target).to_contain_text("Atlantic Council")
    assert page.errors == []


def test_live_search_reaches_the_quote(page, site):
    page.goto(f"{site}/search/")
    mark_page(page)
    page.get_by_label("Search actors, quotes, sources and topics").press_sequentially(
        "legitimate targets", delay=20
    )
    result = page.locator("#search-results").get_by_role(
        "link", name=re.compile("legitimate targets")
    )
    expect(result).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=legitimate(\+|%20)targets"))
    assert was_not_reloaded(page)
    result.click()
    expect(page.locator(".quote:target")).to_contain_text("legitimate targets")
    assert page.errors == []


def test_bad_date_shows_a_message(page, site):
    response = page.goto(f"{site}/?as_of=2025-02-30")
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("“As of” must be a date written YYYY-MM-DD.")


def test_everything_reads_without_javascript(page_without_js, site):
    page = page_without_js
    page.goto(f"{site}/?as_of=2025-02-26")
    page.get_by_role("link", name=re.compile("Next statement")).click()
    expect(page).to_have_url(re.compile(r"as_of=2026-03-02"))
    cell(page, "Russia RU", "Reassurance force").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/cells/russia/reassurance-force/\?as_of=2026-03-02"))
    expect(page.get_by_role("heading", level=2)).to_contain_text("Russia on Reassurance force")
    page.goto(f"{site}/search/?q=legitimate+targets")
    expect(page.locator("#search-results")).to_contain_text("legitimate targets")


def test_fits_a_phone(phone, site):
    phone.goto(f"{site}/?as_of=2025-02-26")
    # A card per country on a phone; the page itself never scrolls sideways.
    expect(phone.locator("table.matrix tbody tr").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.goto(f"{site}/topics/reassurance-force/")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert phone.errors == []
