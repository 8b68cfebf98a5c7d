"""The one door for writes to positions. Admin forms, the API, history
reverts, bulk actions and the seed loader translate their input and call
these functions, which

- lock the live row (``select_for_update``) inside one transaction,
- check the version the writer read against it (``config.concurrency``),
- check the workflow on the live state (``positions.workflow``),
- write only the fields that change (so a concurrent change to another
  field is never undone), validated by the model itself (``full_clean``),
- and turn an editor's change to the public record into a ``Revision`` that
  a senior editor publishes or returns.

A refused write leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from actors.models import Actor
from config.concurrency import Seen, Stale, VersionRequired, lock, version_of
from config.validation import errors_by_field
from sources.models import Quote, Source

from . import workflow
from .models import Attribution, Condition, Position, Revision, Status, Topic


class InvalidInput(Exception):
    """Validation errors keyed by field; a nested object's errors nest under its name."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


# A change the workflow refuses; raised by the services, reported by callers.
Refused = workflow.Refused


@dataclass(frozen=True)
class Outcome:
    """What a change did: the position as saved now, and the revision that
    holds the change for review when it was not applied."""

    position: Position
    revision: Revision | None = None
    changed: bool = False

    @property
    def pending(self) -> bool:
        return self.revision is not None


def _clean(instance, *, at: tuple[str, ...] = ()):
    try:
        instance.full_clean()
    except ValidationError as error:
        errors = errors_by_field(error)
        for name in reversed(at):
            errors = {name: errors}
        raise InvalidInput(errors) from error


@transaction.atomic
def record_position(
    *,
    actor: Actor,
    topic: Topic,
    stance: str,
    user=None,
    quote: Quote | None = None,
    new_quote: dict | None = None,
    attribution: str = Attribution.OWN,
    claimant: Actor | None = None,
    as_of: dt.date | None = None,
    status: str = Status.DRAFT,
    summary: str = "",
    correction_note: str = "",
    conditions: Iterable[Condition] = (),
    responds_to: Position | None = None,
    response_kind: str = "",
    trusted: bool = False,
) -> Position:
    """A position on an existing ``quote``, or on a ``new_quote`` (with an
    existing ``source`` or a ``new_source``) written in the same transaction.
    ``as_of`` defaults to the quote's date, else its source's publication.
    ``trusted`` is for the seed loader and imports, which act for no user."""
    _check_workflow(old=None, new=status, user=user, trusted=trusted)
    if (quote is None) == (new_quote is None):
        raise InvalidInput({"quote": ["Give either an existing quote or a new quote, not both."]})
    if new_quote is not None:
        quote = _new_quote(**new_quote)
    if as_of is None:
        as_of = quote.said_on or quote.source.published_on
    position = Position(
        actor=actor,
        topic=topic,
        quote=quote,
        stance=stance,
        attribution=attribution,
        claimant=claimant,
        as_of=as_of,
        status=status,
        summary=summary,
        correction_note=correction_note,
        responds_to=responds_to,
        response_kind=response_kind,
        entered_by=user if getattr(user, "is_authenticated", False) else None,
    )
    _clean(position)
    position.save()
    position.conditions.set(conditions)
    return position


def _new_quote(*, source: Source | None = None, new_source: dict | None = None, **fields) -> Quote:
    if (source is None) == (new_source is None):
        raise InvalidInput(
            {"new_quote": {"source": ["Give either an existing source or a new source."]}}
        )
    if new_source is not None:
        source = Source(**new_source)
        _clean(source, at=("new_quote", "new_source"))
        source.save()
    quote = Quote(source=source, **fields)
    _clean(quote, at=("new_quote",))
    quote.save()
    return quote


# ------------------------------------------------------------------ changes

# The columns a change may set, by field name; a relation is compared and
# stored by its id.
EDITABLE = [
    "quote",
    "actor",
    "topic",
    "stance",
    "attribution",
    "claimant",
    "summary",
    "as_of",
    "status",
    "correction_note",
    "responds_to",
    "response_kind",
]


def _column(name: str) -> str:
    return Position._meta.get_field(name).attname


def field_of(column: str):
    """The position's field stored in ``column`` (``actor_id`` -> actor)."""
    return next(f for f in Position._meta.concrete_fields if f.attname == column)


def _plain(name: str, value) -> Any:
    """A field's value as its column holds it: an id for a relation."""
    field = Position._meta.get_field(name)
    if field.is_relation:
        return value.pk if isinstance(value, Actor | Topic | Quote | Position) else value
    return value


def _differences(live: Position, values: dict) -> dict[str, tuple[Any, Any]]:
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable through the service: {sorted(unknown)}")
    found = {}
    for name, value in values.items():
        before, after = getattr(live, _column(name)), _plain(name, value)
        if before != after:
            found[_column(name)] = (before, after)
    return found


def _condition_ids(position: Position) -> list[int]:
    return sorted(position.conditions.values_list("pk", flat=True))


def _check_workflow(*, old, new, user, trusted: bool, old_note: str = "", new_note: str = ""):
    """The workflow's checks; a trusted writer (the seed loader, imports)
    acts for no user, so only the status moves apply to it."""
    if not trusted:
        workflow.check_change(old=old, new=new, user=user, old_note=old_note, new_note=new_note)
    elif error := workflow.status_move_error(old, new):
        raise Refused(error)


def _check_version(live: Position, seen: Seen | None):
    if seen is None:
        if live.status != Status.DRAFT:
            raise VersionRequired()
    elif not seen.matches(live):
        raise Stale(live.updated_at)


@transaction.atomic
def change_position(
    *,
    position_id: int,
    user,
    values: dict,
    conditions: Iterable[Condition] | None = None,
    seen: Seen | None,
    reason: str = "",
    trusted: bool = False,
) -> Outcome:
    """Set ``values`` (field name -> value; only those given are written,
    and only where they differ from the live row) and, when given, the
    ``conditions``. ``seen`` is the version the writer read; a change to a
    published or retracted position must give one.

    A change by someone who may not publish, to a position the public sees,
    is validated and stored as a pending ``Revision``; the position itself
    is left as it is.

    ``trusted`` is for the seed loader and imports, which act for no user
    and read no version: the status moves and the model's validation still
    apply, the permissions and the review do not."""
    live = lock(Position, position_id)
    if live is None:
        raise Position.DoesNotExist(position_id)
    changed = _differences(live, values)
    before_conditions = _condition_ids(live)
    after_conditions = (
        sorted({c.pk for c in conditions}) if conditions is not None else before_conditions
    )
    if not changed and after_conditions == before_conditions:
        return Outcome(live)

    _check_workflow(
        old=live.status,
        new=changed.get("status", (None, live.status))[1],
        user=user,
        trusted=trusted,
        old_note=live.correction_note,
        new_note=changed.get("correction_note", (None, live.correction_note))[1],
    )
    if not trusted:
        _check_version(live, seen)

    proposed = Position.objects.get(pk=live.pk)
    for column, (_, after) in changed.items():
        setattr(proposed, column, after)
    _clean(proposed)

    if not trusted and workflow.needs_review(live_status=live.status, user=user):
        revision = Revision(
            position=live,
            changes=_as_json(changed),
            conditions=(
                {"before": before_conditions, "after": after_conditions}
                if after_conditions != before_conditions
                else None
            ),
            proposed_by=user,
        )
        revision.full_clean()
        revision.save()
        return Outcome(live, revision)

    if reason:
        proposed._change_reason = reason
    written = [*changed, "updated_at"]
    if live.review_note and ("status" in changed or not workflow.may_publish(user)):
        # The editor's change answers the note (the draft is back in the
        # queue), or the draft is published: the note has done its work.
        proposed.review_note = ""
        written.append("review_note")
    proposed.save(update_fields=written)
    if after_conditions != before_conditions:
        proposed.conditions.set(after_conditions)
    return Outcome(proposed, changed=True)


def _as_json(changed: dict[str, tuple[Any, Any]]) -> dict:
    def plain(value):
        return value.isoformat() if isinstance(value, dt.date) else value

    return {column: {"before": plain(b), "after": plain(a)} for column, (b, a) in changed.items()}


def _from_json(column: str, value):
    return field_of(column).to_python(value)


@transaction.atomic
def review_revision(*, revision_id: int, user, publish: bool, note: str = "") -> Revision:
    """A senior editor's decision on a pending revision: publish it (its
    changes are applied to the live position, if none of the fields it
    changes moved since it was proposed) or return it with a note."""
    revision = lock(Revision, revision_id)
    if revision is None:
        raise Revision.DoesNotExist(revision_id)
    if not workflow.may_publish(user):
        raise Refused("Only senior editors review revisions.", field=None, forbidden=True)
    if revision.state != Revision.State.PENDING:
        raise Refused(
            f"This revision was already {revision.get_state_display().lower()}.", field=None
        )
    if publish:
        live = lock(Position, revision.position_id)
        moved = [
            column
            for column, change in revision.changes.items()
            if getattr(live, column) != _from_json(column, change["before"])
        ]
        if revision.conditions and _condition_ids(live) != revision.conditions["before"]:
            moved.append("conditions")
        if moved:
            raise Refused(
                "The position changed since this revision was proposed "
                f"({', '.join(moved)}): return it to its editor to redo on the current version.",
                field=None,
            )
        values = {
            field_of(column).name: _from_json(column, change["after"])
            for column, change in revision.changes.items()
        }
        conditions = None
        if revision.conditions:
            conditions = list(Condition.objects.filter(pk__in=revision.conditions["after"]))
        change_position(
            position_id=live.pk,
            user=user,
            values=values,
            conditions=conditions,
            seen=Seen(opened=version_of(live)),
            reason=f"Revision {revision.pk} by {revision.proposed_by}",
        )
        revision.state = Revision.State.PUBLISHED
    else:
        if not note.strip():
            raise InvalidInput({"review_note": ["Say why the revision goes back to its editor."]})
        revision.state = Revision.State.RETURNED
    revision.reviewed_by = user
    revision.reviewed_at = timezone.now()
    revision.review_note = note
    _clean(revision)
    revision.save()
    return revision


@transaction.atomic
def return_draft(*, position_id: int, user, note: str) -> Position:
    """A senior editor sends a draft back to its editor with a note; it
    leaves the review queue until the editor changes it."""
    if not workflow.may_publish(user):
        raise Refused("Only senior editors review drafts.", field=None, forbidden=True)
    if not note.strip():
        raise InvalidInput({"review_note": ["Say what the editor should change."]})
    live = lock(Position, position_id)
    if live is None:
        raise Position.DoesNotExist(position_id)
    if live.status != Status.DRAFT:
        raise Refused("It is no longer a draft.", field=None)
    live.review_note = note.strip()
    live._change_reason = "Returned to its editor"
    live.save(update_fields=["review_note", "updated_at"])
    return live


def publish_drafts(*, position_ids: Iterable[int], user) -> tuple[int, list[str]]:
    """Publish each draft of ``position_ids`` in a transaction of its own, so
    one that fails validation does not hold back the others: how many were
    published, and why the others were not."""
    published, refused = 0, []
    for pk in position_ids:
        try:
            with transaction.atomic():
                live = lock(Position, pk)
                if live is None or live.status != Status.DRAFT:
                    raise Refused("It is no longer a draft.")
                change_position(
                    position_id=pk,
                    user=user,
                    values={"status": Status.PUBLISHED},
                    seen=Seen(opened=version_of(live)),
                )
        except (InvalidInput, Refused) as error:
            refused.append(f"{Position.objects.filter(pk=pk).first()}: {message_of(error)}")
            continue
        published += 1
    return published, refused


def message_of(error: InvalidInput | Refused) -> str:
    if isinstance(error, Refused):
        return error.message
    return " ".join(
        message
        for messages in error.errors.values()
        for message in (messages if isinstance(messages, list) else [str(messages)])
    )
