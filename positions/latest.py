"""``CellLatest``: each cell's latest own statement, whatever its date.

The winner as of a date is the first of a cell's own statements up to that
date in ``rule.WINNER_ORDER``. When the first of all of them is dated on or
before the date, it is that winner: for "as of today", the reading nearly
every page asks for, one row per cell answers the totals, the map, the
conditions page and a topic's standing without an index probe per cell
(3,248 of them at 1M positions, most of the conditions page's time). An
earlier date still probes ``CellStatement``, cell by cell, where the row
here is newer than the date (``positions.totals``).

Derived by ``positions.cells`` along with ``CellStatement``, in the same
transaction; never edited. Its own module, with no import of the others,
so that ``positions.models`` can register it without a cycle."""

from django.db import models


class CellLatest(models.Model):
    subject = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey("positions.Topic", on_delete=models.CASCADE, related_name="+")
    position = models.ForeignKey("positions.Position", on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    rank = models.PositiveSmallIntegerField()
    stance = models.CharField(max_length=16)

    class Meta:
        app_label = "positions"
        constraints = [
            models.UniqueConstraint(fields=["subject", "topic"], name="celllatest_one_per_cell")
        ]

    def __str__(self):
        return f"latest of cell ({self.subject_id}, {self.topic_id}): position {self.position_id}"
