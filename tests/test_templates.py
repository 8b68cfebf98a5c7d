"""A page's context is let go when the page is written (config.templates):
what a view hands its template is freed by reference counting, not left in
a cycle for the garbage collector."""

import gc
import weakref

from django.template import engines
from django.template.loader import render_to_string


class Payload:
    """Stands for what a view puts in a context (a timeline, its statements)."""

    shown = "payload shown"


def freed_without_the_collector(render) -> tuple[str, bool]:
    payload = Payload()
    kept = weakref.ref(payload)
    gc.disable()  # nothing but reference counting may free it
    try:
        written = render(payload)
        del payload
        return written, kept() is None
    finally:
        gc.enable()


def test_a_templates_context_is_freed_once_it_is_written(rf):
    template = engines["django"].from_string("{{ payload.shown }} {{ request.path }}")
    request = rf.get("/somewhere/")
    written, freed = freed_without_the_collector(
        lambda payload: template.render({"payload": payload}, request)
    )
    assert written == "payload shown /somewhere/"
    assert freed


def test_a_pages_context_is_freed_once_it_is_written(rf, db):
    # A whole page, with its base template, blocks and context processors.
    request = rf.get("/about/")
    written, freed = freed_without_the_collector(
        lambda payload: render_to_string(
            "positions/topic_list.html", {"topics": [], "payload": payload}, request
        )
    )
    assert "<html" in written
    assert freed
