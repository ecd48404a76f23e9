from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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
        verbose_name=_("acronym"), max_length=30, unique=True, validators=[validate_single_line]
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
        ordering = ["acronym"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="champions_organization_not_own_parent",
                violation_error_message=_("An organization cannot be its own parent."),
            ),
        ]

    def __str__(self):
        return f"{self.acronym} – {self.name}" if self.acronym != self.name else self.name


class ChampionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def served_by(self, user):
        """The champions a user may see and log for: their own, and those they are focal point of.

        The one definition of "who may see what" for champions and their focal points.
        """
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(user=user) | Q(focal_points=user)).distinct()


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
        verbose_name=_("title"),
        max_length=255,
        help_text=_("Position, for example Under-Secretary-General."),
        validators=[validate_single_line],
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="champions"
    )
    hub = models.ForeignKey(Hub, verbose_name=_("hub"), on_delete=models.PROTECT, related_name="champions")
    focal_points = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("focal points"),
        blank=True,
        related_name="served_champions",
        help_text=_("Staff who log progress on the champion's behalf."),
    )
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)
    joined_on = models.DateField(verbose_name=_("joined on"), null=True, blank=True)

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

    def people(self):
        """Who acts for the champion and hears about their commitments: the champion's own account and
        their focal points, active ones only."""
        people = {user.pk: user for user in self.focal_points.all()}
        if self.user_id:
            people[self.user_id] = self.user
        return [user for user in people.values() if user.is_active]
