from django.core.management.base import BaseCommand

from positions.seeding import load_seed, record_size


class Command(BaseCommand):
    help = (
        "Load the founding data (the two seed articles) and the record built on it: "
        "actors, offices, sources, quotes and positions. Safe to run again: records "
        "already in place are left alone."
    )

    def handle(self, *args, **options):
        report = load_seed()
        for line in report.lines():
            self.stdout.write(f"  {line}")
        if report.changed:
            self.stdout.write(self.style.SUCCESS("Seed data loaded."))
        else:
            self.stdout.write(self.style.SUCCESS("Seed data already up to date; nothing written."))
        self.stdout.write(record_size().line())
