"""Load a file written by `export_data` into an empty database, in one
transaction: either everything arrives or nothing does."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actors.models import Actor
from positions import cells, visibility
from positions.models import Condition, Position, Topic
from sources.models import Quote, Source


class Command(BaseCommand):
    help = "Load a JSON export (from export_data) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file export_data wrote.")

    def handle(self, *args, path, **options):
        models = [Actor, Source, Quote, Topic, Condition, Position, get_user_model()]
        if any(model.objects.exists() for model in models):
            # Merging two data sets by primary key would silently overwrite records.
            raise CommandError(
                "The database is not empty. Import into a new database (migrate it first)."
            )
        with transaction.atomic():
            call_command("loaddata", path, stdout=self.stdout)
            # loaddata's raw saves leave the matrix's index, which sources a
            # reader may see and which quotes their source's text holds (an
            # export of an earlier version has no such flag) to be written here.
            cells.rebuild()
            visibility.refresh_all()
            Quote.objects.reverify()
