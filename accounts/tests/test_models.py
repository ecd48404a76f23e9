import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_refuses_the_same_email_in_another_case():
    UserFactory(email="Focal.Point@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="FOCAL.point@example.org")


def test_it_finds_a_user_by_email_whatever_the_case():
    user = UserFactory(email="Focal.Point@example.org")
    assert User.objects.get_by_natural_key("focal.point@example.org") == user
