"""Helpers shared by the reminder tests (and the other apps' tests of what reminders do)."""

from config.tests.helpers import at_eight
from reminders import delivery


def run_day(day):
    """What the beat-driven sweep and its deliveries do on `day`, synchronously."""
    with at_eight(day):
        for reminder_id in delivery.sweep():
            delivery.deliver(reminder_id)
