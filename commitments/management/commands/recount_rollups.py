from django.core.management.base import BaseCommand
from django.db import transaction

from commitments.models import Commitment, CycleMonth


class Command(BaseCommand):
    help = (
        "Recount every commitment's event roll-ups (progress figures) from its progress events, "
        "and each cycle's monthly totals from them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, help="Only the commitments of this cycle's year.")

    def handle(self, *args, cycle=None, **options):
        commitments = Commitment.objects.all()
        cycle_months = CycleMonth.objects.all()
        if cycle:
            commitments = commitments.filter(cycle__year=cycle)
            cycle_months = cycle_months.filter(cycle__year=cycle)
        with transaction.atomic():
            # Lock the rows, as event writes do, so no write slips between count and store.
            commitments.lock()
            # The cycles' months start again from nothing: the recount adds up every commitment's
            # months into them (rollups.py), whatever may have changed them outside the application.
            cycle_months.delete()
            count = commitments.recount_rollups()
        self.stdout.write(self.style.SUCCESS(f"Recounted the roll-ups of {count} commitments."))
