"""Names as tools and editors type them: slugs made from any script, and a
key under which spellings of one name meet, so that "Sergey Lavrov" finds
"Sergei Lavrov", "Szijjarto" finds "Szijjártó" and "kalinak" "Kaliňák"."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from anyascii import anyascii
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.text import slugify

from .models import Actor, ActorAlias

# Romanisations of one sound that differ between systems and outlets:
# Sergey/Sergei, Zelenskyy/Zelenskiy, Szijjarto/Sziijarto.
_VARIANTS = str.maketrans({"y": "i", "j": "i"})


def name_key(text: str) -> str:
    """``text`` in ASCII, case-folded, without punctuation, with y and j read
    as i and doubled letters as one."""
    plain = anyascii(text).casefold().translate(_VARIANTS)
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    return " ".join(re.sub(r"(.)\1+", r"\1", word) for word in words)


def unique_slug(name: str, model) -> str:
    """A slug for ``name`` in ASCII (any script transliterated), made unique
    among ``model``'s slugs by a number when it must be."""
    base = slugify(anyascii(name))[:190] or model._meta.model_name
    slug, n = base, 1
    while model._default_manager.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def actors_named(name: str) -> list[int]:
    """The ids of the actors whose name or an alias has ``name``'s key."""
    return sorted(_index().get(name_key(name), ()))


def _index() -> dict[str, set[int]]:
    """Every name's and alias's key, with the actors it names; kept in the
    cache until an actor or alias is added, changed or removed (two small
    aggregate queries tell)."""
    actors = Actor.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    aliases = ActorAlias.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    stamp = [actors["n"], actors["last"], aliases["n"], aliases["last"]]
    key = "actor-names:" + hashlib.sha256(repr(stamp).encode()).hexdigest()[:32]
    index = cache.get(key)
    if index is None:
        index = defaultdict(set)
        for pk, name in Actor.objects.values_list("pk", "name"):
            index[name_key(name)].add(pk)
        for pk, name in ActorAlias.objects.values_list("actor_id", "name"):
            index[name_key(name)].add(pk)
        index = dict(index)
        cache.set(key, index, timeout=3600)
    return index
