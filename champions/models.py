from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import User
from accounts.validators import validate_single_line

HUB_NAMES = ["Geneva", "New York", "Vienna", "Nairobi", "The Hague", "Paris"]


class Hub(models.Model):
    """One of the network's city hubs."""

    name = models.CharField(
        verbose_name=_("name"), max_length=100, unique=True, validators=[validate_single_line]
    )

    class Meta:
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organization(models.Model):
    name = models.CharField(verbose_name=_("name"), max_length=200, validators=[validate_single_line])
    acronym = models.CharField(
        verbose_name=_("acronym"),
        max_length=30,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Empty when the organization has none: its name is shown instead."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["acronym"],
                condition=~Q(acronym=""),
                name="champions_organization_unique_acronym",
                violation_error_message=_("Another organization has this acronym."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="champions_organization_not_own_parent",
                violation_error_message=_("An organization cannot be its own parent."),
            ),
        ]

    def __str__(self):
        return f"{self.acronym} – {self.name}" if self.acronym and self.acronym != self.name else self.name

    @property
    def short_name(self):
        """How tables name it: the acronym, else the name."""
        return self.acronym or self.name


def sees_unpublished(user):
    """Whether the API shows `user` the champions who did not opt in to the public pages too: members
    of the chief-of-staff office, signed in."""
    return user.is_authenticated and user.is_office_member


class ChampionQuerySet(models.QuerySet):
    def active(self, today=None):
        """Champions in office: active, and not left (a handover dated `today` or before: see
        Champion.left_on). The one definition of "active"."""
        return self.filter(is_active=True).exclude(left_on__lte=today or timezone.localdate())

    def alumni(self, day=None):
        """Champions who left the network by `day` (today by default): they hand over, they are no
        longer asked for reports or counted in reporting rates from then on."""
        return self.filter(left_on__lte=day or timezone.localdate())

    def in_office_on(self, day):
        """Champions who had not left by `day` (those who left on `day` or before are alumni)."""
        return self.exclude(left_on__lte=day)

    def public(self):
        """Active champions who opted in to the public pages and the API (is_public)."""
        return self.active().filter(is_public=True)

    def published_to(self, user):
        """The champions the public pages and the API show `user`: those who opted in; members of the
        chief-of-staff office see every active champion there (in the API). The one definition of
        the public boundary."""
        return self.active() if sees_unpublished(user) else self.public()

    def served_by(self, user):
        """The champions a user may see and log for: their own, and those they are focal point of.

        The one definition of "who may see what" for champions and their focal points.
        """
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(user=user) | Q(focal_points=user)).distinct()

    def acting_users(self):
        """Everyone who acts for these champions (their own account and their focal points), able to
        sign in yet or not: the people the office invites."""
        return User.objects.filter(Q(pk__in=self.values("user")) | Q(pk__in=self.values("focal_points")))


class Champion(models.Model):
    """A leader in the network who makes numbered commitments each cycle."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="champion",
        help_text=_("The champion's own sign-in, if they log progress themselves."),
    )
    full_name = models.CharField(
        verbose_name=_("full name"), max_length=150, validators=[validate_single_line]
    )
    title = models.CharField(
        verbose_name=_("position"),
        max_length=255,
        blank=True,
        help_text=_("Position, for example Under-Secretary-General."),
        validators=[validate_single_line],
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="champions"
    )
    hub = models.ForeignKey(
        Hub,
        verbose_name=_("hub"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="champions",
        help_text=_("Empty for a champion of no hub (international)."),
    )
    focal_points = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("focal points"),
        blank=True,
        related_name="served_champions",
        help_text=_("Staff who log progress on the champion's behalf."),
    )
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)
    joined_on = models.DateField(verbose_name=_("joined on"), null=True, blank=True)
    left_on = models.DateField(
        verbose_name=_("left on"),
        null=True,
        blank=True,
        help_text=_(
            "The day the champion handed over to a successor: an alumnus or alumna from then on "
            "(set by the handover on the dashboard)."
        ),
    )
    is_public = models.BooleanField(
        verbose_name=_("public"),
        default=False,
        db_default=False,  # off for rows written without it (bulk loads, older code)
        help_text=_(
            "The champion agreed to show their approved commitments and pledges on the public pages "
            "and in the API."
        ),
    )

    objects = ChampionQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[focal_points])

    class Meta:
        verbose_name = _("champion")
        verbose_name_plural = _("champions")
        ordering = ["full_name"]
        indexes = [
            models.Index(fields=["hub", "is_active"]),
            models.Index(fields=["organization", "is_active"]),
        ]

    def __str__(self):
        return self.full_name

    @property
    def public_slug(self):
        """How the public page names the champion: the id, which never changes, then the name for
        readers and search engines (a page asked for under an earlier name redirects)."""
        return f"{self.pk}-{slugify(self.full_name) or 'champion'}"

    def public_url(self):
        return reverse("public_champion", kwargs={"slug": self.public_slug})

    @property
    def hub_name(self):
        """The hub's name, or "No hub" for a champion of none (international)."""
        return self.hub.name if self.hub_id else gettext("No hub")

    def people(self):
        """Who acts for the champion and hears about their commitments: the champion's own account and
        their focal points, those who can sign in (active, with a password of their own: a person
        the office has not invited yet, or who has not accepted, gets nothing)."""
        people = {user.pk: user for user in self.focal_points.all()}
        if self.user_id:
            people[self.user_id] = self.user
        return [user for user in people.values() if user.is_active and user.has_usable_password()]


# The network's standing pledges (seeded by champions/migrations/0006, which keeps its own copy):
# short name, English name, French name, whether panels count toward it.
STARTING_PLEDGES = [
    ("panel-parity", "Panel Parity Pledge", "Engagement pour la parité des panels", True),
    (
        "gender-based-violence",
        "Pledge on gender-based violence",
        "Engagement contre la violence fondée sur le genre",
        False,
    ),
]


class PledgeQuerySet(models.QuerySet):
    def offered(self):
        """The pledges champions are asked to sign today (the admins' "offered"), in their order."""
        return self.filter(is_active=True)

    def starting(self):
        """The network's standing pledges (STARTING_PLEDGES), made if missing: for the demo and the
        tests, whose database may have been emptied since the migrations seeded them."""
        for order, (slug, name_en, name_fr, counts_panels) in enumerate(STARTING_PLEDGES, start=1):
            self.get_or_create(
                slug=slug,
                defaults={
                    "name_en": name_en,
                    "name_fr": name_fr,
                    "counts_panels": counts_panels,
                    "order": order * 10,
                },
            )
        return self.filter(slug__in=[row[0] for row in STARTING_PLEDGES])


class Pledge(models.Model):
    """A network-wide pledge a champion signs once, outside the numbered commitments: the Panel
    Parity Pledge, the pledge on gender-based violence."""

    slug = models.SlugField(verbose_name=_("short name"), max_length=50, unique=True)
    name_en = models.CharField(
        verbose_name=_("name in English"), max_length=150, unique=True, validators=[validate_single_line]
    )
    name_fr = models.CharField(
        verbose_name=_("name in French"), max_length=150, blank=True, validators=[validate_single_line]
    )
    counts_panels = models.BooleanField(
        verbose_name=_("counts panels"),
        default=False,
        help_text=_("Every panel a signer logs, on any commitment, counts toward this pledge."),
    )
    order = models.PositiveSmallIntegerField(verbose_name=_("order"), default=0)
    is_active = models.BooleanField(verbose_name=_("offered"), default=True)
    signers = models.ManyToManyField(
        Champion, verbose_name=_("signers"), through="PledgeSignature", related_name="pledges", blank=True
    )

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["order", "name_en"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name in the active language."""
        if self.name_fr and (get_language() or "").startswith("fr"):
            return self.name_fr
        return self.name_en


class PledgeSignatureQuerySet(models.QuerySet):
    def signed_by(self, day):
        """The signatures made by `day`: a year's figures count those signed by its end, so a
        signature made later does not rewrite the history of a year before it."""
        return self.filter(signed_on__lte=day)


class PledgeSignature(models.Model):
    """A champion signed a pledge, on a day: once per champion and pledge."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="signatures"
    )
    champion = models.ForeignKey(
        Champion, verbose_name=_("champion"), on_delete=models.CASCADE, related_name="pledge_signatures"
    )
    signed_on = models.DateField(verbose_name=_("signed on"))

    objects = PledgeSignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge signature")
        verbose_name_plural = _("pledge signatures")
        ordering = ["pledge", "signed_on"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "champion"], name="champions_pledge_signed_once"),
        ]

    def __str__(self):
        return f"{self.champion}: {self.pledge} ({self.signed_on})"
