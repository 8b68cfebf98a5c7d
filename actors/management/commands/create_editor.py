"""Create a staff account in one of the editorial groups and print its API
token once: the account a newsroom's tool (or a person) works with."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from .setup_groups import GROUPS

# The groups by a name a shell can take without quotes.
CHOICES = {name.replace(" ", "-"): name for name in GROUPS}


class Command(BaseCommand):
    help = "Create a staff user in an editorial group and print its API token."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--group", choices=sorted(CHOICES), default="editor")
        parser.add_argument("--email", default="")

    @transaction.atomic
    def handle(self, *args, username, group, email, **options):
        users = get_user_model()
        if users.objects.filter(username=username).exists():
            raise CommandError(
                f"A user “{username}” exists already; for their token: "
                f"manage.py drf_create_token {username}"
            )
        try:
            chosen = Group.objects.get(name=CHOICES[group])
        except Group.DoesNotExist as error:
            raise CommandError(
                "The groups do not exist yet: run manage.py setup_groups."
            ) from error
        user = users.objects.create_user(username=username, email=email, is_staff=True)
        user.set_unusable_password()
        user.save()
        user.groups.add(chosen)
        token = Token.objects.create(user=user)
        self.stdout.write(f"Created {username} in “{chosen.name}”. API token (shown once):")
        self.stdout.write(token.key)
        self.stdout.write(
            f"To log in to the admin as well, set a password: manage.py changepassword {username}"
        )
