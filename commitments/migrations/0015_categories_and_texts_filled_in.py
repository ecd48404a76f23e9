"""The network's categories as data, filled in from the fixed list they were; each commitment's
text as published (its former title, up to 300 characters), and a title of at most 200 characters
from it where the former one was longer."""

import re

from django.db import migrations

# The categories the product had, by their former stored value, then the two that networks use in
# their reports; in the order lists show them.
CATEGORIES = [
    ("leadership", "leadership", "Leadership and accountability", "Leadership et responsabilité"),
    ("governance", "governance", "Good governance", "Bonne gouvernance"),
    ("culture", "culture", "Organisational culture", "Culture organisationnelle"),
    ("work_life", "work-life", "Work-life balance", "Équilibre entre vie professionnelle et vie privée"),
    ("programmatic", "programmatic", "Programmatic work", "Activités programmatiques"),
    ("panel_parity", "panel-parity", "Panel parity", "Parité des panels"),
    ("gbv", "gbv", "Gender-based violence", "Violence fondée sur le genre"),
    (None, "selection-recruitment", "Selection and recruitment", "Sélection et recrutement"),
    (
        None,
        "meetings-conferences-delegations",
        "Meetings, conferences and delegations",
        "Réunions, conférences et délégations",
    ),
]
TITLE_MAX_LENGTH = 200


def title_from_text(text):
    """commitments.models.vocabulary.title_from_text as it was written for this migration."""
    first_line = next((line.strip() for line in str(text).splitlines() if line.strip()), "")
    sentence = re.split(r"(?<=[.;!?])\s", first_line, maxsplit=1)[0].rstrip(" .;:,")
    if len(sentence) <= TITLE_MAX_LENGTH:
        return sentence
    return sentence[: TITLE_MAX_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" .;:,") + "…"


def forward(apps, schema_editor):
    Category = apps.get_model("commitments", "Category")
    Commitment = apps.get_model("commitments", "Commitment")
    Link = Commitment.categories.through
    by_value = {}
    for order, (value, slug, label_en, label_fr) in enumerate(CATEGORIES, start=1):
        category, _ = Category.objects.get_or_create(
            slug=slug, defaults={"label_en": label_en, "label_fr": label_fr, "order": order * 10}
        )
        if value:
            by_value[value] = category
    Link.objects.bulk_create(
        [
            Link(commitment_id=pk, category_id=by_value[value].pk)
            for pk, value in Commitment.objects.values_list("pk", "category")
            if value in by_value
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    long_titles = []
    for commitment in Commitment.objects.only("pk", "title").iterator(chunk_size=1000):
        commitment.text = commitment.title
        if len(commitment.title) > TITLE_MAX_LENGTH:
            commitment.title = title_from_text(commitment.text)
        long_titles.append(commitment)
    Commitment.objects.bulk_update(long_titles, ["text", "title"], batch_size=1000)


def backward(apps, schema_editor):
    Commitment = apps.get_model("commitments", "Commitment")
    slugs = {slug: value for value, slug, _en, _fr in CATEGORIES if value}
    for commitment in Commitment.objects.prefetch_related("categories"):
        first = next(iter(commitment.categories.all()), None)
        commitment.category = slugs.get(first.slug, "culture") if first else "culture"
        commitment.title = commitment.text[:300]
        commitment.save(update_fields=["category", "title"])


class Migration(migrations.Migration):
    dependencies = [("commitments", "0014_categories_text_indicators")]

    operations = [migrations.RunPython(forward, backward)]
