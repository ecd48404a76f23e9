"""Categories: the themes a network groups its commitments under, as data the admins edit."""

from django.db import models
from django.db.models import Aggregate, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.text import match_key
from accounts.validators import validate_single_line


class JoinedLabels(Aggregate):
    """Labels joined with "; " by the database, in the order of `ordering`: STRING_AGG on
    PostgreSQL, GROUP_CONCAT on SQLite (in the order its rows are read)."""

    output_field = models.TextField()

    def __init__(self, label, ordering, **extra):
        super().__init__(label, ordering, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        (label, label_params), (ordering, ordering_params) = map(
            compiler.compile,
            self.get_source_expressions()[:2],  # (then the Aggregate's filter)
        )
        return f"STRING_AGG({label}, '; ' ORDER BY {ordering})", (*label_params, *ordering_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        label, params = compiler.compile(self.get_source_expressions()[0])
        return f"GROUP_CONCAT({label}, '; ')", params


def label_in_language(prefix=""):
    """A category's label in the active language as an expression (the English one where the French
    is empty)."""
    if (get_language() or "").startswith("fr"):
        return Coalesce(NullIf(F(f"{prefix}label_fr"), Value("")), F(f"{prefix}label_en"))
    return F(f"{prefix}label_en")


# The categories a network starts with (seeded by commitments/migrations/0015, which keeps its own
# copy as it was): short name, English label, French label, in the order lists show them.
STARTING_CATEGORIES = [
    ("leadership", "Leadership and accountability", "Leadership et responsabilité"),
    ("governance", "Good governance", "Bonne gouvernance"),
    ("culture", "Organisational culture", "Culture organisationnelle"),
    ("work-life", "Work-life balance", "Équilibre entre vie professionnelle et vie privée"),
    ("programmatic", "Programmatic work", "Activités programmatiques"),
    ("panel-parity", "Panel parity", "Parité des panels"),
    ("gbv", "Gender-based violence", "Violence fondée sur le genre"),
    ("selection-recruitment", "Selection and recruitment", "Sélection et recrutement"),
    (
        "meetings-conferences-delegations",
        "Meetings, conferences and delegations",
        "Réunions, conférences et délégations",
    ),
]


class CategoryQuerySet(models.QuerySet):
    def starting(self):
        """The categories a network starts with (STARTING_CATEGORIES), made if missing: for the demo
        and the tests, whose database may have been emptied since the migrations seeded them."""
        for order, (slug, label_en, label_fr) in enumerate(STARTING_CATEGORIES, start=1):
            self.get_or_create(
                slug=slug, defaults={"label_en": label_en, "label_fr": label_fr, "order": order * 10}
            )
        return self.filter(slug__in=[slug for slug, _en, _fr in STARTING_CATEGORIES])

    def active(self):
        return self.filter(is_active=True)

    def by_label(self):
        """Every category by the match_key of its English and its French label: how spreadsheets,
        filters and imports name a category (case, accents and "&" for "and" do not matter)."""
        labels = {}
        for category in self:
            for label in (category.label_en, category.label_fr):
                if label:
                    labels.setdefault(match_key(label), category)
        return labels


class Category(models.Model):
    """A theme of commitments ("Panel parity", "Selection and recruitment"), in both languages.

    A commitment may have several; dashboards and reports count it once in each of its categories
    and once in their totals. Retired categories stay on the commitments that have them but are no
    longer offered (is_active).
    """

    slug = models.SlugField(
        verbose_name=_("short name"),
        max_length=50,
        unique=True,
        help_text=_("A short, stable name for the category, in lower case (e.g. panel-parity)."),
    )
    label_en = models.CharField(
        verbose_name=_("label in English"), max_length=100, unique=True, validators=[validate_single_line]
    )
    label_fr = models.CharField(
        verbose_name=_("label in French"),
        max_length=100,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Empty: the English label is shown in French too."),
    )
    order = models.PositiveSmallIntegerField(
        verbose_name=_("order"), default=0, help_text=_("Lists show categories from the lowest number.")
    )
    is_active = models.BooleanField(
        verbose_name=_("offered"),
        default=True,
        help_text=_("Offered to champions and in imports. Retired ones stay on their commitments."),
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "label_en"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The label in the active language."""
        if self.label_fr and (get_language() or "").startswith("fr"):
            return self.label_fr
        return self.label_en
