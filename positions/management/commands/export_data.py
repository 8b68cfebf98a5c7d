"""The whole data set as JSON: every actor, role, source, quote, topic,
condition and position, their full edit history, and the users and groups
that history names. `import_data` reads it back into an empty database."""

import datetime as dt

from django.apps import apps
from django.core import serializers
from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

# Users and groups first, so that loading resolves history's "changed by".
# API tokens are secrets and are not exported: issue new ones after a restore.
APPS = ["actors", "sources", "positions"]
MODELS = ["auth.Group", "auth.User"]


class FullPrecisionEncoder(DjangoJSONEncoder):
    """Django's encoder cuts timestamps to milliseconds (as JavaScript does);
    a backup keeps every microsecond, or history's order could change."""

    def default(self, o):
        if isinstance(o, dt.datetime):
            return o.isoformat().replace("+00:00", "Z")
        return super().default(o)


# Derived from the rest, and written again by import_data.
DERIVED = ["positions.CellStatement", "positions.CellLatest", "positions.RecordVersion"]


def exported_models():
    models = [apps.get_model(label) for label in MODELS]
    for label in APPS:
        models += [
            model
            for model in apps.get_app_config(label).get_models()
            if model._meta.label not in DERIVED
        ]
    return serializers.sort_dependencies([(None, models)], allow_cycles=True)


def objects():
    for model in exported_models():
        yield from model._base_manager.order_by(model._meta.pk.name).iterator()


class Command(BaseCommand):
    help = "Write the whole data set, with its history, as JSON (stdout or --output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write; standard output if absent.")

    def handle(self, *args, output=None, **options):
        stream = open(output, "w", encoding="utf-8") if output else self.stdout  # noqa: SIM115
        try:
            serializers.serialize(
                "json",
                objects(),
                stream=stream,
                indent=1,
                use_natural_foreign_keys=True,
                cls=FullPrecisionEncoder,
            )
        finally:
            if output:
                stream.close()
