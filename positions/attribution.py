"""The attribution a position's evidence implies, from who spoke: what the
admin and the desk propose when the editor leaves it to them."""

from __future__ import annotations

import datetime as dt

from actors.models import Actor, Role

from .models import Attribution


def implied_attribution(*, speaker: Actor | None, actor: Actor, on: dt.date | None) -> str:
    """An outlet's own sentence (no speaker) is its report; the actor's own
    words are its own; an official holding an office that speaks for the
    state or organisation on the date speaks for it; anyone else's words
    about the actor are a claim, the speaker its claimant."""
    if speaker is None:
        return Attribution.REPORT
    if speaker.pk == actor.pk:
        return Attribution.OWN
    offices = Role.objects.speaking_for().filter(holder=speaker, organisation=actor)
    if on is not None:
        offices = offices.current(on=on)
    if actor.kind in (Actor.Kind.STATE, Actor.Kind.ORGANISATION) and offices.exists():
        return Attribution.SPEAKING_FOR
    return Attribution.CLAIM
