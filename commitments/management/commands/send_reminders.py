from django.core.management.base import BaseCommand

from commitments import reminders


class Command(BaseCommand):
    help = "One reminder sweep and its deliveries, synchronously (for cron, or without a worker)."

    def handle(self, *args, **options):
        ids = reminders.sweep()
        outcomes = {}
        for reminder_id in ids:
            state = reminders.deliver(reminder_id).state
            outcomes[state] = outcomes.get(state, 0) + 1
        summary = (
            ", ".join(f"{count} {state}" for state, count in sorted(outcomes.items())) or "nothing to send"
        )
        self.stdout.write(self.style.SUCCESS(f"{len(ids)} reminders due: {summary}."))
