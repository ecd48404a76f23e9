from django.core.management.base import BaseCommand

from reminders import delivery


class Command(BaseCommand):
    help = (
        "One reminder sweep and its emails (one per person), synchronously (for cron, or without a worker)."
    )

    def handle(self, *args, **options):
        ids = delivery.sweep()
        outcomes = {}
        for message_id in ids:
            state = delivery.deliver(message_id).state
            outcomes[state] = outcomes.get(state, 0) + 1
        summary = (
            ", ".join(f"{count} {state}" for state, count in sorted(outcomes.items())) or "nothing to send"
        )
        self.stdout.write(self.style.SUCCESS(f"{len(ids)} reminder emails due: {summary}."))
