"""The admin site as a whole: Django's own, navigation sidebar included."""

from django.urls import reverse


def test_admin_pages_have_the_navigation_sidebar(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("admin:commitments_commitment_changelist"))

    assert response.status_code == 200
    assert response.context["is_nav_sidebar_enabled"] is True
    assert 'id="nav-sidebar"' in response.text
    assert f'href="{reverse("admin:champions_champion_changelist")}"' in response.text
