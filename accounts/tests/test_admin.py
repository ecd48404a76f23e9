from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts import emails
from accounts.models import Email, Invitation, User, office_group
from accounts.tests.factories import ImportedPersonFactory, UserFactory

ADD = reverse("admin:accounts_user_add")
CHANGELIST = reverse("admin:accounts_user_changelist")


def test_it_adds_a_user_who_signs_in_by_email(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        ADD,
        {
            "email": "fiona@example.org",
            "full_name": "Fiona Focal",
            "usable_password": "true",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="fiona@example.org")
    assert user.full_name == "Fiona Focal"
    assert user.check_password("a long enough passphrase")


def test_it_adds_a_user_without_a_password(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        ADD, {"email": "fiona@example.org", "full_name": "Fiona Focal", "usable_password": "false"}
    )

    assert response.status_code == 302
    assert not User.objects.get(email="fiona@example.org").has_usable_password()


def test_it_refuses_an_email_taken_in_another_case(client, admin_user):
    UserFactory(email="fiona@example.org")
    client.force_login(admin_user)

    response = client.post(
        ADD, {"email": "Fiona@example.org", "full_name": "Fiona Again", "usable_password": "false"}
    )

    assert response.status_code == 200
    assert "already exists" in response.text
    assert User.objects.filter(email__iexact="fiona@example.org").count() == 1


def test_it_changes_a_users_name_and_groups(client, admin_user):
    user = UserFactory(email="fiona@example.org")
    group = office_group()
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "email": "fiona@example.org",
            "full_name": "Fiona Focal",
            "is_active": "on",
            "groups": [group.pk],
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "Fiona Focal"
    assert list(user.groups.all()) == [group]


def test_it_finds_users_by_email_and_name(client, admin_user):
    fiona = UserFactory(email="fiona@example.org", full_name="Fiona Focal")
    UserFactory(email="olga@example.org", full_name="Olga Other")
    client.force_login(admin_user)

    for term in ["fiona@", "focal"]:
        response = client.get(CHANGELIST, {"q": term})
        assert list(response.context["cl"].result_list) == [fiona], term


def test_it_lists_each_users_groups(client, admin_user):
    UserFactory(email="office@example.org").groups.add(office_group())
    client.force_login(admin_user)

    response = client.get(CHANGELIST, {"q": "office@"})

    assert '<td class="field-group_names">Chief of Staff Office</td>' in response.text


def test_it_lists_the_emails_read_only_and_never_their_bodies(client, admin_user):
    user = UserFactory(email="fiona@example.org")
    email = emails.make("password-reset:r1:1", user, "Reset your password", "Open https://x/reset/secret/")
    client.force_login(admin_user)
    changelist = reverse("admin:accounts_email_changelist")
    change = reverse("admin:accounts_email_change", args=[email.pk])

    listed = client.get(changelist)
    assert list(listed.context["cl"].result_list) == [email]
    assert reverse("admin:accounts_email_add") not in listed.text
    assert client.get(reverse("admin:accounts_email_add")).status_code == 403
    page = client.get(change)
    assert page.status_code == 200
    assert "Reset your password" in page.text
    assert "secret" not in page.text
    assert client.post(change, {"subject": "Changed"}).status_code == 403
    assert (
        client.post(reverse("admin:accounts_email_delete", args=[email.pk]), {"post": "yes"}).status_code
        == 403
    )
    email.refresh_from_db()
    assert email.subject == "Reset your password"


def test_it_lists_who_can_sign_in_and_filters_by_it(client, admin_user):
    UserFactory(email="fiona@example.org")
    ImportedPersonFactory(email="nadia@example.org")
    client.force_login(admin_user)

    listed = client.get(CHANGELIST, {"q": "@example.org"})
    assert '<td class="field-sign_in">Signed in</td>' in listed.text
    assert '<td class="field-sign_in">Not invited</td>' in listed.text

    waiting = client.get(CHANGELIST, {"sign_in": "not_invited"})
    assert [user.email for user in waiting.context["cl"].result_list] == ["nadia@example.org"]


def test_it_invites_the_selected_people_who_cannot_sign_in_yet(
    client, admin_user, django_capture_on_commit_callbacks
):
    nadia = ImportedPersonFactory(email="nadia@example.org")
    fiona = UserFactory(email="fiona@example.org")
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST, {"action": "invite_selected", "_selected_action": [nadia.pk, fiona.pk]}, follow=True
        )

    assert [invitation.user for invitation in Invitation.objects.all()] == [nadia]
    assert Invitation.objects.get().invited_by == admin_user
    assert [email.address for email in Email.objects.all()] == ["nadia@example.org"]
    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        "An invitation was emailed to 1 person.",
        "1 person who can sign in already, or whose account is deactivated, was not invited.",
    ]


def test_inviting_from_admin_needs_the_change_permission(client, db):
    nadia = ImportedPersonFactory(email="nadia@example.org")
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(viewer)

    listed = client.get(CHANGELIST)
    assert listed.status_code == 200
    assert "invite_selected" not in listed.text
    client.post(CHANGELIST, {"action": "invite_selected", "_selected_action": [nadia.pk]})

    assert not Invitation.objects.exists()
