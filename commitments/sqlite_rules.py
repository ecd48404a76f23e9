"""The rule "a commitment's number is at most its cycle's maximum" as SQLite triggers.

PostgreSQL gets these as triggers in migration 0002. SQLite cannot alter a table in place:
Django rebuilds it, which drops its triggers and trips over triggers naming it. So on SQLite the
triggers are dropped before every migrate and laid again after it. RAISE(ABORT) makes SQLite
report a constraint failure, which Django raises as IntegrityError.
"""

from django.db import connections

TRIGGERS = {
    "commitments_commitment_number_within_maximum_insert": """
        CREATE TRIGGER commitments_commitment_number_within_maximum_insert
        BEFORE INSERT ON commitments_commitment
        WHEN NEW.number > (SELECT max_commitments FROM commitments_cycle WHERE id = NEW.cycle_id)
        BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: commitment number above the cycle''s maximum'); END
    """,
    "commitments_commitment_number_within_maximum_update": """
        CREATE TRIGGER commitments_commitment_number_within_maximum_update
        BEFORE UPDATE OF number, cycle_id ON commitments_commitment
        WHEN NEW.number > (SELECT max_commitments FROM commitments_cycle WHERE id = NEW.cycle_id)
        BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: commitment number above the cycle''s maximum'); END
    """,
    "commitments_cycle_maximum_covers_numbers": """
        CREATE TRIGGER commitments_cycle_maximum_covers_numbers
        BEFORE UPDATE OF max_commitments ON commitments_cycle
        WHEN EXISTS (SELECT 1 FROM commitments_commitment
                     WHERE cycle_id = NEW.id AND number > NEW.max_commitments)
        BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: cycle has commitments numbered above its maximum'); END
    """,
}


def drop_triggers(using="default", **kwargs):
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def create_triggers(using="default", **kwargs):
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = connection.introspection.table_names()
    if "commitments_commitment" not in tables or "commitments_cycle" not in tables:
        return
    drop_triggers(using)
    with connection.cursor() as cursor:
        for sql in TRIGGERS.values():
            cursor.execute(sql)
