"""Fill the database with a deterministic synthetic data set for benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from positions import synthetic


class Command(BaseCommand):
    help = (
        "Add a synthetic data set of --positions positions (1k to 1M), the same for the "
        "same --seed. --replace removes an earlier synthetic set first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--positions", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--countries", type=int, help="Default: grows with the size.")
        parser.add_argument("--replace", action="store_true")

    def handle(self, *args, positions, seed, countries, replace, **options):
        if not 1 <= positions <= 5_000_000:
            raise CommandError("--positions must be between 1 and 5,000,000.")
        if synthetic.exists():
            if not replace:
                raise CommandError("A synthetic set is already here: add --replace.")
            removed = synthetic.remove()
            self.stdout.write(f"Removed the earlier synthetic set ({removed} positions).")
        started = time.perf_counter()
        report = synthetic.generate(positions=positions, seed=seed, countries=countries)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Outside the load's transaction (and any caller's: VACUUM cannot
            # run in one): sets the visibility map, so the matrix's
            # index-only probes need not visit the table.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        took = time.perf_counter() - started
        made = ", ".join(f"{number:,} {name}" for name, number in report.counts.items())
        self.stdout.write(f"Made {made} in {took:.1f} s.")
