"""The database refuses a commitment numbered above its cycle's maximum.

A CHECK constraint cannot look at another table, so triggers do it: one on commitments
(insert, or a change of number or cycle) and one on cycles (lowering the maximum below a
number in use). SQLSTATE 23514 / SQLite's ABORT make Django raise IntegrityError.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION commitments_number_within_cycle_maximum() RETURNS trigger AS $$
BEGIN
    IF NEW.number > (SELECT max_commitments FROM commitments_cycle WHERE id = NEW.cycle_id) THEN
        RAISE EXCEPTION 'commitment number % is above the cycle''s maximum', NEW.number
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER commitments_commitment_number_within_maximum
    BEFORE INSERT OR UPDATE OF number, cycle_id ON commitments_commitment
    FOR EACH ROW EXECUTE FUNCTION commitments_number_within_cycle_maximum();

CREATE OR REPLACE FUNCTION commitments_cycle_maximum_covers_numbers() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM commitments_commitment
               WHERE cycle_id = NEW.id AND number > NEW.max_commitments) THEN
        RAISE EXCEPTION 'cycle % has commitments numbered above %', NEW.year, NEW.max_commitments
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER commitments_cycle_maximum_covers_numbers
    BEFORE UPDATE OF max_commitments ON commitments_cycle
    FOR EACH ROW EXECUTE FUNCTION commitments_cycle_maximum_covers_numbers();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS commitments_commitment_number_within_maximum ON commitments_commitment;
DROP FUNCTION IF EXISTS commitments_number_within_cycle_maximum();
DROP TRIGGER IF EXISTS commitments_cycle_maximum_covers_numbers ON commitments_cycle;
DROP FUNCTION IF EXISTS commitments_cycle_maximum_covers_numbers();
"""

SQLITE_FORWARD = [
    """
    CREATE TRIGGER commitments_commitment_number_within_maximum_insert
    BEFORE INSERT ON commitments_commitment
    WHEN NEW.number > (SELECT max_commitments FROM commitments_cycle WHERE id = NEW.cycle_id)
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: commitment number above the cycle''s maximum'); END;
    """,
    """
    CREATE TRIGGER commitments_commitment_number_within_maximum_update
    BEFORE UPDATE OF number, cycle_id ON commitments_commitment
    WHEN NEW.number > (SELECT max_commitments FROM commitments_cycle WHERE id = NEW.cycle_id)
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: commitment number above the cycle''s maximum'); END;
    """,
    """
    CREATE TRIGGER commitments_cycle_maximum_covers_numbers
    BEFORE UPDATE OF max_commitments ON commitments_cycle
    WHEN EXISTS (SELECT 1 FROM commitments_commitment
                 WHERE cycle_id = NEW.id AND number > NEW.max_commitments)
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: cycle has commitments numbered above its maximum'); END;
    """,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS commitments_commitment_number_within_maximum_insert",
    "DROP TRIGGER IF EXISTS commitments_commitment_number_within_maximum_update",
    "DROP TRIGGER IF EXISTS commitments_cycle_maximum_covers_numbers",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(f"No trigger for {schema_editor.connection.vendor}")
        for statement in [statements] if isinstance(statements, str) else statements:
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("commitments", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
