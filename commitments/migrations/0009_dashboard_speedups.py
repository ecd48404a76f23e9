import django.db.models.deletion
from django.db import migrations, models


def fill_cycles(apps, schema_editor):
    """Each existing month takes its commitment's cycle."""
    CommitmentMonth = apps.get_model("commitments", "CommitmentMonth")
    Commitment = apps.get_model("commitments", "Commitment")
    CommitmentMonth.objects.update(
        cycle_id=models.Subquery(Commitment.objects.filter(pk=models.OuterRef("commitment_id")).values("cycle_id"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0008_monthly_rollups"),
    ]

    operations = [
        migrations.AddField(
            model_name="commitmentmonth",
            name="cycle",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="months",
                to="commitments.cycle",
                verbose_name="cycle",
            ),
        ),
        migrations.RunPython(fill_cycles, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="commitmentmonth",
            name="cycle",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="months",
                to="commitments.cycle",
                verbose_name="cycle",
            ),
        ),
        migrations.AddIndex(
            model_name="commitmentmonth",
            index=models.Index(fields=["cycle", "month"], name="commitments_cycle_i_f0eca3_idx"),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(fields=["cycle", "last_event_on"], name="commitments_cycle_i_a8e7d3_idx"),
        ),
    ]
