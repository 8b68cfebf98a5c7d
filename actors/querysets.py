from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q


class ActorQuerySet(models.QuerySet):
    def states(self):
        return self.filter(kind="state")

    def organisations(self):
        return self.filter(kind="organisation")

    def groups(self):
        """Organisations with members: the blocs a view can be narrowed to."""
        role = self.model._meta.get_field("roles").related_model
        return self.organisations().filter(pk__in=role.objects.memberships().values("organisation"))

    def matrix_rows(self):
        """Countries first, then organisations: the rows of the stance matrix."""
        return self.filter(kind__in=["state", "organisation"]).order_by(
            models.Case(models.When(kind="state", then=0), default=1), "name"
        )


class RoleQuerySet(models.QuerySet):
    """Date-bounded roles, after YNR's ``DateframeableQuerySet``.

    An open start or end means "since/until forever": a role with no end date
    is still held.
    """

    def current(self, *, on: dt.date):
        return self.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on),
            Q(end_date__isnull=True) | Q(end_date__gte=on),
        )

    def offices(self):
        return self.filter(kind="office")

    def memberships(self):
        return self.filter(kind="membership")

    def speaking_for(self):
        """Offices whose holder's words count as the organisation's stance."""
        return self.filter(kind="office", speaks_for_rank__isnull=False)
