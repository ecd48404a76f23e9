import factory

from accounts.models import User, office_group

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class OfficeMemberFactory(UserFactory):
    @factory.post_generation
    def office(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(office_group())


class AdminFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ImportedPersonFactory(UserFactory):
    """A person as the network import makes them: an account with no password of their own."""

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        obj.set_unusable_password()
        if create:
            obj.save(update_fields=["password"])
