"""The database refuses a commitment numbered above its cycle's maximum.

A CHECK constraint cannot look at another table, so triggers do it: one on commitments
(insert, or a change of number or cycle) and one on cycles (lowering the maximum below a
number in use). SQLSTATE 23514 makes Django raise IntegrityError. On SQLite, the same
triggers are laid after every migrate instead (commitments/sqlite_rules.py).
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

def run(statements_by_vendor):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            return  # SQLite rebuilds tables on ALTER, dropping triggers: see commitments/sqlite_rules.py.
        if vendor not in statements_by_vendor:
            raise NotImplementedError(f"No trigger for {vendor}")
        schema_editor.execute(statements_by_vendor[vendor], params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("commitments", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRES_FORWARD}),
            run({"postgresql": POSTGRES_BACKWARD}),
        ),
    ]
