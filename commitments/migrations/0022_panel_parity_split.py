"""Each commitment's panels, and each month's, split between those their organisers confirmed and
those self-reported (Commitment.confirmed_panels..., CommitmentMonth and CycleMonth .confirmed_women...):
the new roll-ups filled in from the events and answers there are."""

from django.db import migrations, models
from django.db.models import F


def fill_in(apps, schema_editor):
    """Every panel counted so far is self-reported, less those an organiser answered for, which
    count with the organiser's figures (as ProgressEventQuerySet.panel_parity has it)."""
    Commitment = apps.get_model("commitments", "Commitment")
    PanelConfirmation = apps.get_model("events", "PanelConfirmation")
    CommitmentMonth = apps.get_model("commitments", "CommitmentMonth")
    CycleMonth = apps.get_model("commitments", "CycleMonth")
    for model in (Commitment, CommitmentMonth, CycleMonth):
        model.objects.update(self_reported_women=F("panel_women"), self_reported_men=F("panel_men"))
    answers = (
        PanelConfirmation.objects.filter(used_at__isnull=False, event__kind="panel")
        .exclude(event__panel_outcome="declined")
        .select_related("event__commitment__cycle")
    )
    for answer in answers:
        event = answer.event
        cycle = event.commitment.cycle
        if not cycle.starts_on <= event.occurred_on <= cycle.ends_on:
            continue
        moved = {
            "confirmed_women": F("confirmed_women") + answer.women_count,
            "confirmed_men": F("confirmed_men") + answer.men_count,
            "self_reported_women": F("self_reported_women") - event.women_count,
            "self_reported_men": F("self_reported_men") - event.men_count,
        }
        month = event.occurred_on.replace(day=1)
        Commitment.objects.filter(pk=event.commitment_id).update(
            confirmed_panels=F("confirmed_panels") + 1, **moved
        )
        CommitmentMonth.objects.filter(commitment=event.commitment_id, month=month).update(**moved)
        CycleMonth.objects.filter(cycle=cycle.pk, month=month).update(**moved)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0021_handovers"),
        ("events", "0008_panel_confirmation"),
    ]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="confirmed_panels",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="panels confirmed by organisers"
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="confirmed_women",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="women on confirmed panels"
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="confirmed_men",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="men on confirmed panels"
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="self_reported_women",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="women on self-reported panels"
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="self_reported_men",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="men on self-reported panels"
            ),
        ),
        migrations.AddField(
            model_name="commitmentmonth",
            name="confirmed_women",
            field=models.PositiveIntegerField(default=0, verbose_name="women on confirmed panels"),
        ),
        migrations.AddField(
            model_name="commitmentmonth",
            name="confirmed_men",
            field=models.PositiveIntegerField(default=0, verbose_name="men on confirmed panels"),
        ),
        migrations.AddField(
            model_name="commitmentmonth",
            name="self_reported_women",
            field=models.PositiveIntegerField(default=0, verbose_name="women on self-reported panels"),
        ),
        migrations.AddField(
            model_name="commitmentmonth",
            name="self_reported_men",
            field=models.PositiveIntegerField(default=0, verbose_name="men on self-reported panels"),
        ),
        migrations.AddField(
            model_name="cyclemonth",
            name="confirmed_women",
            field=models.IntegerField(default=0, verbose_name="women on confirmed panels"),
        ),
        migrations.AddField(
            model_name="cyclemonth",
            name="confirmed_men",
            field=models.IntegerField(default=0, verbose_name="men on confirmed panels"),
        ),
        migrations.AddField(
            model_name="cyclemonth",
            name="self_reported_women",
            field=models.IntegerField(default=0, verbose_name="women on self-reported panels"),
        ),
        migrations.AddField(
            model_name="cyclemonth",
            name="self_reported_men",
            field=models.IntegerField(default=0, verbose_name="men on self-reported panels"),
        ),
        migrations.RunPython(fill_in, migrations.RunPython.noop),
    ]
