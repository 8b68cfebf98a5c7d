"""The record's fixed vocabularies: a stance, how words are attributed, how
an answer answers, a position's status. They need no model, and the models
module (which re-exports them: ``from positions.models import Stance``
still reads) is kept to the size every module here keeps to."""

from django.db import models


class Stance(models.TextChoices):
    """An ordered scale, from most to least favourable to deployment."""

    SUPPORTS = "supports", "Supports"
    CONDITIONAL = "conditional", "Conditional"
    UNDECIDED = "undecided", "Ambiguous or undecided"
    OPPOSES = "opposes", "Opposes"
    HOSTILE = "hostile", "Hostile (threat)"


STANCE_ORDER = {stance: index for index, stance in enumerate(Stance.values)}


class Attribution(models.TextChoices):
    OWN = "own", "Own words"
    SPEAKING_FOR = "speaking_for", "Official speaking for the actor"
    CLAIM = "claim", "Claim by a third party"
    REPORT = "report", "Outlet's report"


class Response(models.TextChoices):
    """How a statement answers an earlier one (``Position.responds_to``)."""

    DENIAL = "denial", "Denial"
    CORRECTION = "correction", "Correction"
    CONFIRMATION = "confirmation", "Confirmation"
    CLARIFICATION = "clarification", "Clarification"


# How an answer reads: what it does to the words it answers, and what they are then.
ANSWER_VERBS = {
    Response.DENIAL: ("denies", "denied"),
    Response.CORRECTION: ("corrects", "corrected"),
    Response.CONFIRMATION: ("confirms", "confirmed"),
    Response.CLARIFICATION: ("clarifies", "clarified"),
}


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"
