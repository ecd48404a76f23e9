"""The first history row of what the demo writes in bulk, so that its reports as of a past day show it.

A report as of a day (reports/as_of.py) is rebuilt from the history django-simple-history writes
with each save; an insert in bulk (bulk_create) writes none, and a row with no history row before a
day did not exist on that day. The demo seed (demo/management/commands/seed_demo.py) inserts its
progress events and check-ins in bulk, and its scale loader (demo/scale.py) its commitments and
events too: write_first_history gives each of them its first history row, dated when the product
would have written it, once, at the end of the seed. So the demo, `make run` and the benchmarks
(bench/reports.py, which adds its reports and assessments) all have a history to look back on.

When each is dated (never after now):
- a commitment: noon on its cycle's first day, as if set when the cycle began (commitment_set_on;
  the seed dates the commitments it saves one by one the same way);
- a progress event: noon on the day it happened; a check-in: noon on the day it measured.

A row that has a history row already is left as it is: running the seed again writes none. Every
row of these models without history is given one, the seed's or not (a demo database holds only
the seed's and what its users saved, which has its history).
"""

import datetime
from collections import Counter

from django.db.models import Exists, OuterRef
from django.utils import timezone

from commitments.models import Commitment, Cycle
from events.models import CheckIn, ProgressEvent

BATCH_SIZE = 5000


def noon(day):
    return datetime.datetime.combine(day, datetime.time(12), timezone.get_current_timezone())


def commitment_set_on(starts_on, now):
    """When a commitment of the seed, in a cycle starting on `starts_on`, counts as set: noon on the
    cycle's first day, or now for a cycle still to come."""
    return min(now, noon(starts_on))


def write_first_history(dates=None, now=None):
    """Write the first history row of every commitment, progress event and check-in that has none
    (dated as the module says), and of every row of the models `dates` adds ({model: a function of
    the row giving its date}); returns how many per model."""
    now = now or timezone.now()
    starts = dict(Cycle.objects.values_list("pk", "starts_on"))
    dated = {
        Commitment: lambda row: commitment_set_on(starts[row.cycle_id], now),
        ProgressEvent: lambda row: min(now, noon(row.occurred_on)),
        CheckIn: lambda row: min(now, noon(row.measured_on)),
        **(dates or {}),
    }
    written = Counter()
    for model, date_of in dated.items():
        history = model.history.model
        missing = model._default_manager.exclude(Exists(history.objects.filter(id=OuterRef("pk"))))
        batch = []
        for row in missing.order_by("pk").iterator(chunk_size=BATCH_SIZE):
            row._history_date = date_of(row)  # what simple-history dates a history row by
            batch.append(row)
            if len(batch) == BATCH_SIZE:
                model.history.bulk_history_create(batch, batch_size=BATCH_SIZE)
                written[model.__name__] += len(batch)
                batch = []
        if batch:
            model.history.bulk_history_create(batch, batch_size=BATCH_SIZE)
            written[model.__name__] += len(batch)
    return written
