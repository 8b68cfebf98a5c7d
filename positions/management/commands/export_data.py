"""The whole data set as JSON: every actor, role, source, quote, topic,
condition and position, their full edit history, and the users and groups
that history names. `import_data` reads it back into an empty database."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Users and groups first, so that loading resolves history's "changed by".
# API tokens are secrets and are not exported: issue new ones after a restore.
LABELS = ["auth.group", "auth.user", "actors", "sources", "positions"]


class Command(BaseCommand):
    help = "Write the whole data set, with its history, as JSON (stdout or --output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write; standard output if absent.")

    def handle(self, *args, output=None, **options):
        call_command(
            "dumpdata",
            *LABELS,
            natural_foreign=True,
            indent=1,
            output=output,
            stdout=self.stdout,
        )
