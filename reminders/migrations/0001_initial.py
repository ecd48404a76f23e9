import django.db.models.deletion
from django.db import migrations, models


def move_content_types(apps, schema_editor, source="commitments", target="reminders"):
    """Keep the content types (and so admin permissions and log entries) of the moved models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=source, model__in=["reminder", "officedigest"]).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="reminders", target="commitments")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('champions', '0003_translatable_labels'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('commitments', '0010_reminders_move_to_their_app'),
    ]

    # The tables were created by the commitments app's migrations and keep their names: this
    # migration only tells Django that the models are now the reminders app's.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OfficeDigest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('week_of', models.DateField(help_text='The Monday of the week it covers.', unique=True, verbose_name='week of')),
                        ('state', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='state')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='claimed at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                    ],
                    options={
                        'verbose_name': 'office digest',
                        'verbose_name_plural': 'office digests',
                        'db_table': 'commitments_officedigest',
                        'ordering': ['-week_of'],
                    },
                ),
                migrations.CreateModel(
                    name='Reminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('upcoming', 'Deadline approaching'), ('overdue', 'Overdue notice'), ('report_due', 'Report due'), ('stale', 'No recent progress')], max_length=20, verbose_name='kind')),
                        ('due_on', models.DateField(help_text='The day this reminder is due to go out.', verbose_name='due on')),
                        ('deadline', models.DateField(help_text="The deadline it is about: the commitment's due date or the report's.", verbose_name='deadline')),
                        ('state', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], db_index=True, default='pending', max_length=10, verbose_name='state')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='claimed at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('champion', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='champions.champion', verbose_name='champion')),
                        ('commitment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='commitments.commitment', verbose_name='commitment')),
                        ('cycle', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='commitments.cycle', verbose_name='cycle')),
                    ],
                    options={
                        'verbose_name': 'reminder',
                        'verbose_name_plural': 'reminders',
                        'db_table': 'commitments_reminder',
                        'ordering': ['-due_on', '-id'],
                        'indexes': [models.Index(fields=['state', 'due_on'], name='commitments_state_f3bbe6_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('commitment__isnull', False)), fields=('commitment', 'kind', 'due_on'), name='commitments_reminder_unique_per_commitment', violation_error_message='This reminder already exists.'), models.UniqueConstraint(condition=models.Q(('commitment__isnull', True)), fields=('champion', 'cycle', 'kind', 'due_on'), name='commitments_reminder_unique_per_champion', violation_error_message='This reminder already exists.'), models.CheckConstraint(condition=models.Q(('state__in', ['pending', 'sending', 'sent', 'failed'])), name='commitments_reminder_state_valid'), models.CheckConstraint(condition=models.Q(models.Q(('state', 'sent'), _negated=True), ('sent_at__isnull', False), _connector='OR'), name='commitments_reminder_sent_has_sent_at')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
