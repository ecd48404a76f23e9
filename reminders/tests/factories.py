import datetime

import factory
from django.conf import settings
from django.utils import timezone

from accounts.models import DeliveryState
from accounts.tests.factories import UserFactory
from commitments.tests.factories import CommitmentFactory
from reminders.models import Escalation, Message, MessageItem, OfficeDigest, Reminder, ReminderKind


class ReminderFactory(factory.django.DjangoModelFactory):
    """A commitment's reminder due to go out today, pending; a sent one gets the time it was sent."""

    class Meta:
        model = Reminder

    commitment = factory.SubFactory(CommitmentFactory)
    champion = factory.SelfAttribute("commitment.champion")
    cycle = factory.SelfAttribute("commitment.cycle")
    kind = ReminderKind.UPCOMING
    due_on = factory.LazyFunction(timezone.localdate)
    deadline = factory.SelfAttribute("commitment.due_on")
    state = DeliveryState.PENDING
    sent_at = factory.LazyAttribute(lambda r: timezone.now() if r.state == DeliveryState.SENT else None)


class MessageFactory(factory.django.DjangoModelFactory):
    """One person's email of the day; MessageFactory(reminders=[...]) puts reminders in it."""

    class Meta:
        model = Message
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def reminders(obj, create, extracted, **kwargs):
        if create and extracted:
            MessageItem.objects.bulk_create(
                MessageItem(message=obj, reminder=reminder, user=obj.user) for reminder in extracted
            )


class OfficeDigestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficeDigest

    # Mondays, one week after another (week_of is unique).
    week_of = factory.Sequence(lambda n: datetime.date(2026, 11, 30) + datetime.timedelta(weeks=n))


class EscalationFactory(factory.django.DjangoModelFactory):
    """A commitment overdue since its due date: its first overdue notice the day after, escalated
    ESCALATE_AFTER_DAYS after that notice."""

    class Meta:
        model = Escalation

    commitment = factory.SubFactory(CommitmentFactory)
    deadline = factory.SelfAttribute("commitment.due_on")
    first_notice_on = factory.LazyAttribute(lambda e: e.deadline + datetime.timedelta(days=1))
    escalated_on = factory.LazyAttribute(
        lambda e: e.first_notice_on + datetime.timedelta(days=settings.ESCALATE_AFTER_DAYS)
    )
