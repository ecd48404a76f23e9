"""The network's two standing pledges, as data the admins edit."""

from django.db import migrations

PLEDGES = [
    ("panel-parity", "Panel Parity Pledge", "Engagement pour la parité des panels", True, 10),
    (
        "gender-based-violence",
        "Pledge on gender-based violence",
        "Engagement contre la violence fondée sur le genre",
        False,
        20,
    ),
]


def forward(apps, schema_editor):
    Pledge = apps.get_model("champions", "Pledge")
    for slug, name_en, name_fr, counts_panels, order in PLEDGES:
        Pledge.objects.get_or_create(
            slug=slug,
            defaults={"name_en": name_en, "name_fr": name_fr, "counts_panels": counts_panels, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("champions", "0005_pledges_people_without_hub_or_acronym")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
