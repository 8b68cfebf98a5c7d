"""The editorial workflow, in one place: which status moves exist, who may
make them, and when a change waits for review. The write services call it
on the live row (``positions.services``); admin forms and the API only
report what it says."""

from __future__ import annotations

from .models import Status

PUBLISH_PERMISSION = "positions.publish_position"

# draft -> published -> retracted. A published mistake is retracted with a
# public note, never quietly turned back into a draft; a retraction found to
# be wrong is undone by a new publication, whose note says so in public.
STATUS_MOVES = {
    None: {Status.DRAFT, Status.PUBLISHED},
    Status.DRAFT: {Status.DRAFT, Status.PUBLISHED},
    Status.PUBLISHED: {Status.PUBLISHED, Status.RETRACTED},
    Status.RETRACTED: {Status.RETRACTED, Status.PUBLISHED},
}

SENIOR_ONLY = "Only senior editors may publish or retract. Save it as a draft for review."


def may_publish(user) -> bool:
    return user is not None and user.has_perm(PUBLISH_PERMISSION)


def status_move_error(old: str | None, new: str) -> str | None:
    """Why a position may not go from status ``old`` (None: new) to ``new``."""
    if new in STATUS_MOVES[old]:
        return None
    if old is None:
        return "A new position is a draft, or published at once; it cannot start retracted."
    if old == Status.RETRACTED:
        return "A retracted position stays retracted; record a new position instead."
    return "A published position cannot go back to draft; retract it with a correction note."


def publishes(old: str | None, new: str) -> bool:
    """Publishing, retracting or reinstating: only senior editors may."""
    return new != Status.DRAFT and new != old


class Refused(Exception):
    """A change the workflow does not allow: a bad move (``forbidden`` False,
    a 400 on ``field``) or one this user may not make (a 403)."""

    def __init__(self, message: str, *, field: str | None = "status", forbidden: bool = False):
        super().__init__(message)
        self.message = message
        self.field = field
        self.forbidden = forbidden


def check_change(*, old: str | None, new: str, user, old_note: str = "", new_note: str = ""):
    """Raise ``Refused`` unless ``user`` may move a position from ``old`` to ``new``."""
    if error := status_move_error(old, new):
        raise Refused(error)
    if publishes(old, new) and not may_publish(user):
        raise Refused(SENIOR_ONLY, forbidden=True)
    if (
        old == Status.RETRACTED
        and new == Status.PUBLISHED
        and new_note.strip()
        in (
            "",
            old_note.strip(),
        )
    ):
        raise Refused(
            "Reinstating a retracted position is a new publication: replace the correction "
            "note with a public note saying why the retraction was wrong.",
            field="correction_note",
        )


def needs_review(*, live_status: str, user) -> bool:
    """A change to what the public sees, by someone who may not publish,
    waits for a senior editor."""
    return live_status != Status.DRAFT and not may_publish(user)
