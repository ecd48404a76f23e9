from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('commitments', '0009_dashboard_speedups'),
    ]

    # The reminders moved to their own app (reminders.0001_initial), tables and rows unchanged:
    # only Django's idea of which app they belong to changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='OfficeDigest'),
                migrations.DeleteModel(name='Reminder'),
            ],
        ),
    ]
