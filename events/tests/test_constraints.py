import pytest
from django.db import IntegrityError, transaction

from events.models import ProgressEvent
from events.tests.factories import ProgressEventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["women_count", "men_count"])
def test_it_refuses_a_negative_count(field):
    event = ProgressEventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressEvent.objects.filter(pk=event.pk).update(**{field: -1})
    event.refresh_from_db()
    assert getattr(event, field) >= 0


def test_it_refuses_an_unknown_kind():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressEventFactory(kind="party")
