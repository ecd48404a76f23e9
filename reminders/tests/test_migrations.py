"""The move of the reminders from the commitments app to their own keeps every row and permission."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.tests.factories import UserFactory
from commitments import sqlite_rules

BEFORE = [("commitments", "0009_dashboard_speedups"), ("reminders", None)]
AFTER = [("commitments", "0010_reminders_move_to_their_app"), ("reminders", "0001_initial")]


def _migrate(targets):
    # As the migrate command does through its signals: SQLite's triggers come off for the migration.
    sqlite_rules.drop_triggers()
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    sqlite_rules.create_triggers()
    return executor.loader.project_state([target for target in targets if target[1]]).apps


@pytest.mark.slow  # migrates the test database back and forth
@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_reminder_and_who_may_see_them():
    clerk = UserFactory(is_staff=True)
    try:
        old = _migrate(BEFORE)
        Permission = old.get_model("auth", "Permission")
        view_reminder = Permission.objects.get(
            content_type__app_label="commitments", codename="view_reminder"
        )
        old.get_model("accounts", "User").objects.get(pk=clerk.pk).user_permissions.add(view_reminder)
        cycle = old.get_model("commitments", "Cycle").objects.create(
            year=2030,
            starts_on=datetime.date(2030, 1, 1),
            ends_on=datetime.date(2030, 12, 31),
            report_due_on=datetime.date(2031, 1, 15),
        )
        hub = old.get_model("champions", "Hub").objects.create(name="Geneva")
        organization = old.get_model("champions", "Organization").objects.create(name="WHO", acronym="WHO")
        champion = old.get_model("champions", "Champion").objects.create(
            full_name="Claire Dubois", title="ADG", organization=organization, hub=hub
        )
        old.get_model("commitments", "Reminder").objects.create(
            champion=champion,
            cycle=cycle,
            kind="report_due",
            due_on=datetime.date(2031, 1, 8),
            deadline=cycle.report_due_on,
            state="sent",
            sent_at=datetime.datetime(2031, 1, 8, 8, tzinfo=datetime.UTC),
        )
        old.get_model("commitments", "OfficeDigest").objects.create(week_of=datetime.date(2031, 1, 6))
        _migrate(AFTER)
        old_after = MigrationExecutor(connection).loader.project_state(AFTER).apps
        moved = old_after.get_model("reminders", "Reminder").objects.get()
        assert (moved.kind, moved.state) == ("report_due", "sent")
        assert old_after.get_model("reminders", "OfficeDigest").objects.get().week_of == datetime.date(
            2031, 1, 6
        )
    finally:
        # Back to the latest state of every app, for the tests after this one.
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django.contrib.auth import get_user_model

    from reminders.models import OfficeDigest, Reminder

    reminder = Reminder.objects.get()
    assert (reminder.champion.full_name, reminder.kind, reminder.state) == (
        "Claire Dubois",
        "report_due",
        "sent",
    )
    assert OfficeDigest.objects.get().week_of == datetime.date(2031, 1, 6)
    assert get_user_model().objects.get(pk=clerk.pk).has_perm("reminders.view_reminder")
