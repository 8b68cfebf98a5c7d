"""The Jinja2 engine's environment (TEMPLATES "jinja2" in settings): Django's
own date and urlencode filters, the quotation marks of sources.text and
``url()`` for reverse(), so a fragment ported from a Django template prints
exactly what the Django template printed."""

import datetime as dt

from django.template.defaultfilters import date, urlencode
from django.urls import get_script_prefix, reverse
from jinja2 import Environment

from positions.dating import long_date, short_date
from sources.text import quoted

_WRITTEN = {"j M Y": short_date, "j F Y": long_date}


def day(value, arg=None) -> str:
    """Django's ``date`` filter. A plain date in the two formats the
    fragments print hundreds of times a page is written directly: Django's
    formatter was a tenth of a topic page's time."""
    write = _WRITTEN.get(arg)
    if write is not None and type(value) is dt.date:
        return write(value)
    return date(value, arg)


# Stand-ins for integer arguments, replaced in a reversed address (an address
# without arguments is kept as it is): a page of statements links each to its
# source and its conditions, and reverse() per link was a tenth of such a
# page's time.
_STAND_INS = ("9081726354", "9182736455", "9283746556")
_patterns: dict[tuple, str] = {}


def url(name: str, *args) -> str:
    if len(args) > len(_STAND_INS) or not all(type(a) is int for a in args):
        return reverse(name, args=args)
    key = (get_script_prefix(), name, len(args))
    pattern = _patterns.get(key)
    if pattern is None:
        pattern = _patterns[key] = reverse(name, args=[int(s) for s in _STAND_INS[: len(args)]])
    for stand_in, arg in zip(_STAND_INS, args, strict=False):
        pattern = pattern.replace(stand_in, str(arg))
    return pattern


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters.update(date=day, urlencode=urlencode, quoted=quoted)
    env.globals["url"] = url
    return env
