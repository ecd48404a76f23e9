import datetime

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def commitments_due_a_month_in(apps, schema_editor):
    """Existing cycles: commitments were due 30 days after the cycle started."""
    Cycle = apps.get_model("commitments", "Cycle")
    for cycle in Cycle.objects.all():
        cycle.commitments_due_on = cycle.starts_on + datetime.timedelta(days=30)
        cycle.save(update_fields=["commitments_due_on"])


class Migration(migrations.Migration):

    dependencies = [
        ('champions', '0004_single_line_names'),
        ('commitments', '0011_text_limits'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApprovalChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('old_approval', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('approved', 'Approved'), ('returned', 'Returned')], max_length=10, verbose_name='from')),
                ('new_approval', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('approved', 'Approved'), ('returned', 'Returned')], max_length=10, verbose_name='to')),
                ('comment', models.TextField(blank=True, max_length=2000, verbose_name='comment')),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='changed at')),
            ],
            options={
                'verbose_name': 'approval step',
                'verbose_name_plural': 'approval steps',
                'ordering': ['-changed_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='commitment',
            name='approval',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('approved', 'Approved'), ('returned', 'Returned')], db_index=True, default='approved', max_length=10, verbose_name='approval'),
        ),
        migrations.AddField(
            model_name='commitment',
            name='carried_from',
            field=models.ForeignKey(blank=True, help_text="The previous cycle's commitment this one continues.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='carried_into', to='commitments.commitment', verbose_name='carried from'),
        ),
        migrations.AddField(
            model_name='cycle',
            name='commitments_due_on',
            field=models.DateField(help_text='The day champions should have submitted their commitments for the cycle.', null=True, verbose_name='commitments due by'),
        ),
        migrations.AddField(
            model_name='historicalcommitment',
            name='approval',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('approved', 'Approved'), ('returned', 'Returned')], db_index=True, default='approved', max_length=10, verbose_name='approval'),
        ),
        migrations.AddField(
            model_name='historicalcommitment',
            name='carried_from',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="The previous cycle's commitment this one continues.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='commitments.commitment', verbose_name='carried from'),
        ),
        migrations.AddConstraint(
            model_name='commitment',
            constraint=models.CheckConstraint(condition=models.Q(('approval__in', ['draft', 'submitted', 'approved', 'returned'])), name='commitments_commitment_approval_valid'),
        ),
        migrations.AddConstraint(
            model_name='commitment',
            constraint=models.CheckConstraint(condition=models.Q(('approval', 'approved'), ('status', 'not_started'), _connector='OR'), name='commitments_commitment_status_moves_once_approved', violation_error_message="A commitment's status can change once the office has approved it."),
        ),
        migrations.AddField(
            model_name='approvalchange',
            name='changed_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by'),
        ),
        migrations.AddField(
            model_name='approvalchange',
            name='commitment',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='approval_changes', to='commitments.commitment', verbose_name='commitment'),
        ),
        migrations.AddIndex(
            model_name='approvalchange',
            index=models.Index(fields=['commitment', '-changed_at'], name='commitments_commitm_9c0b79_idx'),
        ),
        # Existing commitments were made by admins: approved (the field's default).
        migrations.RunPython(commitments_due_a_month_in, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="cycle",
            name="commitments_due_on",
            field=models.DateField(
                help_text="The day champions should have submitted their commitments for the cycle.",
                verbose_name="commitments due by",
            ),
        ),
    ]
