"""axe-core on every public page, at a desktop's and a phone's size: no
critical or serious finding."""

from tests.browser.conftest import serious_violations

PAGES = [
    "/",
    "/?as_of=2026-03-05&since=2025-02-01",
    "/cells/russia/reassurance-force/",
    "/topics/",
    "/topics/own-troops/",
    "/actors/",
    "/actors/russia/",
    "/actors/keir-starmer/",
    "/sources/",
    "/conditions/",
    "/search/?q=troops",
]


def test_public_pages_pass_axe(site, browser):
    found = {}
    for width, height in ((1440, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        page = context.new_page()
        for path in PAGES:
            page.goto(site + path)
            if violations := serious_violations(page):
                found[width, path] = violations
        context.close()
    assert found == {}
