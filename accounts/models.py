import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.validators import normalized_identifier, validate_single_line

OFFICE_GROUP = "Chief of Staff Office"


class ReminderFrequency(models.TextChoices):
    DAILY = "daily", _("Daily: one email each morning")
    WEEKLY = "weekly", _("Weekly: one email each Monday")


class SignInState(models.TextChoices):
    """Where a person stands with signing in (UserQuerySet.with_sign_in_state)."""

    SIGNED_IN = "signed_in", _("Signed in")
    INVITED = "invited", _("Invited")
    INVITATION_EXPIRED = "invitation_expired", _("Invitation expired")
    NOT_INVITED = "not_invited", _("Not invited")
    DEACTIVATED = "deactivated", _("Account deactivated")
    # A champion with no account at all: no email to invite (the office's people page).
    NO_EMAIL = "no_email", _("No email yet")


def new_calendar_token():
    """A calendar feed's secret: random, long enough that it cannot be guessed."""
    return secrets.token_urlsafe(32)


class UserQuerySet(models.QuerySet):
    def office_members(self):
        return self.filter(is_active=True, groups__name=OFFICE_GROUP).distinct()

    def told_at_once(self):
        """Office members who chose to hear at once when a champion submits commitments or signs off
        a report (User.notify_at_once); the others read it in the weekly digest."""
        return self.office_members().filter(notify_at_once=True)

    def able_to_sign_in(self):
        """Active, with a password of their own (User.can_sign_in): people the import made, not
        invited or not yet through their invitation, are not."""
        return self.filter(is_active=True).exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)

    def with_sign_in_state(self, now=None):
        """Each person's `sign_in_state` (SignInState), with `invited_at` and `invitation_expires_at`
        of their latest invitation: the one definition, for the office's people page, admin and the
        invitations themselves.

        Signed in: has a usable password (their own). Invited: an invitation still open. Invitation
        expired: invited, never accepted, none open. Not invited: none of these.
        """
        invitations = Invitation.objects.filter(user=OuterRef("pk"))
        latest = invitations.order_by("-created_at", "-pk")
        return self.annotate(
            invited_at=Subquery(latest.values("created_at")[:1]),
            invitation_expires_at=Subquery(latest.values("expires_at")[:1]),
            sign_in_state=Case(
                When(is_active=False, then=Value(SignInState.DEACTIVATED)),
                When(~Q(password__startswith=UNUSABLE_PASSWORD_PREFIX), then=Value(SignInState.SIGNED_IN)),
                When(Exists(invitations.open(now)), then=Value(SignInState.INVITED)),
                When(
                    Exists(invitations.filter(accepted_at__isnull=True)),
                    then=Value(SignInState.INVITATION_EXPIRED),
                ),
                default=Value(SignInState.NOT_INVITED),
                output_field=models.CharField(),
            ),
        )

    def for_sign_in(self, identifier):
        """The account an identifier signs in to: the one definition, for the password check and the
        lockout alike (see sign_in_name).

        Compared as the unique constraint compares emails (the database's LOWER), so every spelling
        that reaches an account is one spelling of it.
        """
        return self.alias(email_key=Lower("email")).filter(
            email_key=Lower(Value(normalized_identifier(identifier), output_field=models.EmailField()))
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Why: email is the login and unique whatever its case, so sign-in ignores case too.
        return self.for_sign_in(email).get()

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a champion, a focal point, an office member or an admin."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(
        verbose_name=_("full name"), max_length=150, blank=True, validators=[validate_single_line]
    )
    is_staff = models.BooleanField(
        verbose_name=_("is staff"),
        default=False,
        help_text=_("Designates whether the user can sign in to Django admin."),
    )
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)
    reminder_emails = models.BooleanField(
        _("reminder emails"),
        default=True,
        help_text=_("Deadline, report and no-progress reminders. Overdue notices are always sent."),
    )
    reminder_frequency = models.CharField(
        verbose_name=_("how often"),
        max_length=10,
        choices=ReminderFrequency.choices,
        default=ReminderFrequency.DAILY,
        help_text=_("Everything that needs your attention, in one email each morning or each Monday."),
    )
    language = models.CharField(
        verbose_name=_("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "The language of the site and of your emails. Empty: pages follow your browser, and emails "
            "the language you first signed in with."
        ),
    )
    first_sign_in_language = models.CharField(
        verbose_name=_("language of the first sign-in"),
        max_length=10,
        blank=True,
        editable=False,
        help_text=_(
            "The language the site was shown in when the person first signed in: emails use it until "
            "a language is chosen. Later sign-ins, from other browsers, do not change it."
        ),
    )
    notify_at_once = models.BooleanField(
        verbose_name=_("tell me at once"),
        default=False,
        help_text=_(
            "For the chief-of-staff office: an email as soon as a champion submits commitments or signs "
            "off a report, instead of in the weekly digest."
        ),
    )
    calendar_token = models.CharField(
        verbose_name=_("calendar feed token"),
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
        help_text=_("The secret part of the address of the person's calendar feed."),
    )
    date_joined = models.DateTimeField(verbose_name=_("date joined"), default=timezone.now)

    objects = UserManager()
    # Who was called what, when: a person renaming themselves does not rewrite who did what.
    history = HistoricalRecords(
        excluded_fields=["password", "last_login", "calendar_token", "first_sign_in_language"]
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("A user with this email address already exists."),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self):
        return self.full_name or self.email

    @property
    def email_language(self):
        """The language emails to this person are written in: the one they chose, else the one of
        their first sign-in, else the site's."""
        return self.language or self.first_sign_in_language or settings.LANGUAGE_CODE

    def replace_calendar_token(self):
        """A new feed address: the old one stops working."""
        self.calendar_token = new_calendar_token()
        self.save(update_fields=["calendar_token"])

    def set_password(self, raw_password):
        """A new password (changed, reset, chosen from an invitation) also gives a new calendar
        address: whoever had the old one, with the old password, loses both."""
        super().set_password(raw_password)
        if self.pk:
            self.calendar_token = new_calendar_token()

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk and self.is_active and (update_fields is None or "is_active" in update_fields):
            # A reactivated account's old calendar address stays dead: it gets a new one.
            stored = type(self).objects.filter(pk=self.pk).values_list("is_active", flat=True).first()
            if stored is False:
                self.calendar_token = new_calendar_token()
        if update_fields is not None and {"password", "is_active"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "calendar_token"}
        super().save(*args, **kwargs)

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def can_sign_in(self):
        """Active, with a password of their own (see UserQuerySet.able_to_sign_in)."""
        return self.is_active and self.has_usable_password()

    @property
    def sign_in_state_label(self):
        """The state UserQuerySet.with_sign_in_state() annotated, in words."""
        return SignInState(self.sign_in_state).label

    @property
    def champion_roles(self):
        """The active champions the person acts for, as ("champion", champion) for their own and
        ("focal_point", champion) for those they serve, by name. Read through the reverse relations:
        prefetch `champion` and `served_champions` when there are many people."""
        own = getattr(self, "champion", None)  # the reverse one-to-one raises AttributeError when none
        roles = [("champion", own)] if own is not None and own.is_active else []
        served = sorted(
            (champion for champion in self.served_champions.all() if champion.is_active),
            key=lambda champion: champion.full_name,
        )
        return roles + [("focal_point", champion) for champion in served]

    @property
    def is_office_member(self):
        """Members of the chief-of-staff office read every champion's progress."""
        if not hasattr(self, "_is_office_member"):
            self._is_office_member = self.is_superuser or self.groups.filter(name=OFFICE_GROUP).exists()
        return self._is_office_member


def office_group():
    group, _ = Group.objects.get_or_create(name=OFFICE_GROUP)
    return group


def sign_in_name(request, credentials):
    """What django-axes counts failures for: the account the identifier reaches (its email as
    stored), so every spelling of one account counts as one; else the identifier, normalized."""
    identifier = normalized_identifier((credentials or {}).get("username", ""))
    email = User.objects.for_sign_in(identifier).values_list("email", flat=True).first()
    return email or identifier.lower()


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


def _abandoned_before(now=None):
    """A row claimed before this and still 'sending' was left by a worker that died."""
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.REMINDER_SENDING_TIMEOUT)


class DeliveryQuerySet(models.QuerySet):
    def claim(self, pk):
        """pending → sending, counting the attempt; True only for the one caller that changed the row.

        Why a conditional UPDATE: however many workers hold a task for the row, one of them sends.
        """
        return (
            self.filter(pk=pk, state=DeliveryState.PENDING).update(
                state=DeliveryState.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
            )
            == 1
        )

    def release_abandoned(self, now=None):
        """Rows a dead worker left 'sending' go back to pending; returns their ids."""
        abandoned = self.filter(state=DeliveryState.SENDING, claimed_at__lt=_abandoned_before(now))
        ids = list(abandoned.values_list("pk", flat=True))
        self.filter(pk__in=ids, state=DeliveryState.SENDING).update(state=DeliveryState.PENDING)
        return ids


class Delivery(models.Model):
    """Something sent exactly once (an email; reminders.Reminder, Message, OfficeDigest): a worker
    claims the row (DeliveryQuerySet.claim) before it sends, then records what became of it
    (accounts.emails.send): sent, pending again for a retry, or failed for good."""

    state = models.CharField(
        verbose_name=_("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    claimed_at = models.DateTimeField(verbose_name=_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        abstract = True

    def cleared_when_done(self):
        """Fields emptied when the row is sent or given up on (Email: its bodies)."""
        return {}


class EmailQuerySet(DeliveryQuerySet):
    def left_waiting(self, now=None):
        """Pending emails no task will send: never tried REMINDER_SENDING_TIMEOUT after they were made
        (their task was never queued: the broker was down), or not tried again for that long after
        the longest retry delay (their retry was lost with its worker)."""
        before = _abandoned_before(now)
        longest_delay = datetime.timedelta(seconds=max(settings.REMINDER_RETRY_DELAYS))
        return self.filter(state=DeliveryState.PENDING).filter(
            Q(claimed_at__isnull=True, created_at__lt=before) | Q(claimed_at__lt=before - longest_delay)
        )


class Email(Delivery):
    """One email to one person, sent once: a password reset, a commitment returned, a cycle's
    commitments approved (accounts.emails.make).

    `key` says what it is about and for whom, so whatever decides it twice (a redelivered task, a
    second click) makes one row, and the claim sends it once. It is rendered when it is made, in the
    reader's language; once sent or given up on, its bodies are emptied: a password-reset link must
    not stay in the database, and the subject and state say what went out.
    """

    key = models.CharField(verbose_name=_("key"), max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to"), on_delete=models.CASCADE, related_name="emails"
    )
    address = models.EmailField(verbose_name=_("address"), max_length=254)
    subject = models.CharField(verbose_name=_("subject"), max_length=300)
    text_body = models.TextField(verbose_name=_("text"), blank=True)
    html_body = models.TextField(verbose_name=_("HTML"), blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    objects = EmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="accounts_email_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENT) | Q(sent_at__isnull=False),
                name="accounts_email_sent_has_sent_at",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self):
        return self.subject

    def message(self):
        message = EmailMultiAlternatives(self.subject, self.text_body, to=[self.address])
        if self.html_body:
            message.attach_alternative(self.html_body, "text/html")
        return message

    def cleared_when_done(self):
        return {"text_body": "", "html_body": ""}


def invitation_token_hash(token):
    """What is stored of an invitation's token: its SHA-256, so that whoever reads the database
    (a backup, admin) cannot use a link that is still open."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def open(self, now=None):
        """Invitations whose link still works: not accepted, not replaced, not expired."""
        return self.filter(
            accepted_at__isnull=True, ended_at__isnull=True, expires_at__gt=now or timezone.now()
        )

    def for_token(self, token):
        """The invitation a link's token names, in whatever state; None for a token never issued."""
        return self.select_related("user").filter(token_hash=invitation_token_hash(token)).first()


class Invitation(models.Model):
    """An email with a one-time link for a person who has no password yet (the import made them) to
    choose one (accounts/invitations.py). The link works INVITATION_DAYS days, once; a newer
    invitation to the same person ends it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person invited"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    token_hash = models.CharField(verbose_name=_("token hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    accepted_at = models.DateTimeField(verbose_name=_("accepted at"), null=True, blank=True)
    ended_at = models.DateTimeField(
        verbose_name=_("ended at"),
        null=True,
        blank=True,
        help_text=_("When a newer invitation replaced this one: its link stopped working."),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @classmethod
    def new(cls, user, invited_by, now=None):
        """An unsaved invitation with its link's token in `token`: known only until it is emailed."""
        now = now or timezone.now()
        token = secrets.token_urlsafe(32)
        invitation = cls(
            user=user,
            invited_by=invited_by,
            token_hash=invitation_token_hash(token),
            created_at=now,
            expires_at=now + datetime.timedelta(days=settings.INVITATION_DAYS),
        )
        invitation.token = token
        return invitation

    def closed_because(self, now=None):
        """Why the link no longer works ("used", "ended", "expired", "deactivated"), or None while it
        does. A person who has a password already (set another way) has used it as well as they can."""
        now = now or timezone.now()
        if self.accepted_at or self.user.has_usable_password():
            return "used"
        if self.ended_at:
            return "ended"
        if self.expires_at <= now:
            return "expired"
        if not self.user.is_active:
            return "deactivated"
        return None

    def accept(self, now=None):
        """The person has chosen their password: this link, and any other still open, stop working."""
        now = now or timezone.now()
        self.accepted_at = now
        self.save(update_fields=["accepted_at"])
        self.user.invitations.open(now).exclude(pk=self.pk).update(ended_at=now)
