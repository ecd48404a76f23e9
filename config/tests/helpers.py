"""Test helpers shared across the apps: a moment of the clock, and racing database connections.

Plain functions rather than fixtures: tests call them with a day or with jobs, inside the test,
and app helpers build on them (reminders/tests/helpers.py runs a day of reminders at eight).
"""

import datetime
import threading

import time_machine
from django.db import connections


def at_eight(day):
    """The clock stopped at 08:00 UTC on `day`, the default hour of the reminders' sweep (REMINDER_TIME)."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(8), tzinfo=datetime.UTC), tick=False
    )


def race(*jobs):
    """Run each job in a thread of its own (a database connection each, as workers have); returns
    the errors they raised."""
    errors = []

    def run(job):
        try:
            job()
        except Exception as error:  # surfaced by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=[job]) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors
