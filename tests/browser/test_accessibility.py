"""axe-core on every public page, at a desktop's and a phone's size: no
critical or serious finding; and on a phone, no page scrolls sideways."""

from tests.browser.conftest import close, serious_violations

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
    "/coverage/?as_of=2025-03-01",
    "/coverage/?group=nato&sort=oldest",
    "/search/?q=troops",
    "/map/?as_of=2025-03-01&topic=own-troops",
    "/map/?as_of=2026-03-05&since=2025-02-01&view=world",
    "/about/method/",
    "/sources/1/",
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
            if width == 390:
                # Wide tables and timelines scroll in their own frame; the page never does.
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > 390:
                    found[width, path] = [f"the page is {wide} px wide"]
        close(context, page)
    assert found == {}
