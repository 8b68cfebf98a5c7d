"""Create (or bring up to date) the three editorial groups and their
permissions. Idempotent: run it after every deploy."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

OUR_APPS = ["actors", "sources", "positions", "desk"]
# The models editors work on; their history tables are written by the
# history package, never by hand.
MODELS = [
    "actor",
    "actoralias",
    "role",
    "source",
    "quote",
    "topic",
    "topicwording",
    "condition",
    "position",
    "positioncondition",
    "revision",
    # The desk assistant's stance lexicon.
    "stancecue",
]


def _codenames(*actions: str) -> list[str]:
    return [f"{action}_{model}" for action in actions for model in MODELS]


GROUPS = {
    # Reads everything, drafts included, in the admin and through the API.
    "analyst": _codenames("view"),
    # Adds and corrects; publishes nothing and deletes nothing.
    "editor": _codenames("view", "add", "change"),
    # Also publishes and retracts, and deletes what no position rests on (the
    # database refuses the rest).
    "senior editor": [*_codenames("view", "add", "change", "delete"), "publish_position"],
}


class Command(BaseCommand):
    help = "Create the analyst, editor and senior editor groups with their permissions."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, codenames in GROUPS.items():
            permissions = Permission.objects.filter(
                content_type__app_label__in=OUR_APPS, codename__in=codenames
            )
            missing = set(codenames) - set(permissions.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"Unknown permissions {sorted(missing)}: run migrate first.")
            group, created = Group.objects.get_or_create(name=name)
            group.permissions.set(permissions)
            self.stdout.write(
                f"{'Created' if created else 'Updated'} group “{name}” "
                f"with {permissions.count()} permissions."
            )
        self.stdout.write(
            "Give each person staff status and one of these groups in the admin "
            "(Users), and a token under Auth Token for their tools."
        )
