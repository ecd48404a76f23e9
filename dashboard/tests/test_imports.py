"""The office's import page (dashboard/imports.py): a network's file is previewed, written only when
the person who uploaded it confirms, and nobody is emailed."""

import html
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Email, User
from accounts.tests.factories import OfficeMemberFactory, UserFactory
from champions.models import Champion, Hub, Organization
from commitments.models import Commitment, Cycle
from commitments.tests.network_rows import FRENCH_TEXT, PAST_TEXT, as_csv, as_xlsx, network_rows

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR, PAST = TODAY.year, TODAY.year - 2
IMPORT_URL = "/dashboard/commitments/import/"
CONFIRM_URL = "/dashboard/commitments/import/confirm/"
FILES = [(as_csv, "network.csv"), (as_xlsx, "network.xlsx")]


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def office():
    return signed_in(OfficeMemberFactory(email="office@example.org"))


def upload(client, content, name="network.csv"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})


def text_of(response):
    """The page as a reader sees it: tags left out, entities read, spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def with_people(rows):
    """The realistic rows, the first champion with her address and her focal point's."""
    rows[0].update(email="amina@example.org", focal_point_email="focal.point@example.org")
    return rows


def stored():
    return (
        Champion.objects.count(),
        Commitment.objects.count(),
        Organization.objects.count(),
        Hub.objects.count(),
        Cycle.objects.count(),
        User.objects.count(),
    )


@pytest.mark.parametrize("write, name", FILES)
def test_it_previews_what_the_file_would_create_and_writes_nothing(office, write, name):
    before = stored()

    response = upload(office, write(with_people(network_rows(YEAR, PAST))), name)

    assert response.status_code == 200
    page = text_of(response)
    assert "4 new commitments" in page and "0 commitments updated" in page and "0 unchanged" in page
    created = page[page.index("To be created") :]
    assert f"{PAST} (ended: created closed)" in created and f"{YEAR} (ended" not in created
    for name_ in (
        "Geneva",
        "Paris",
        "Global Fund for Equal Futures",
        "Permanent Mission of the Republic of Volta",
        "Amina Diallo-Ndiaye",
        "Élodie Lefèvre",
        "Kwame Mensah",
        "amina@example.org",
        "focal.point@example.org",
    ):
        assert name_ in created
    assert "People (no sign-in until invited)" in created
    assert response.context["key"]
    assert stored() == before
    assert mail.outbox == [] and not Email.objects.exists()


def test_it_says_first_what_is_wrong_with_the_file_as_a_whole(office):
    rows = network_rows(YEAR, PAST)
    header = ["champion", "year", "text", "notes", "catégorie"]

    missing = upload(office, as_csv(rows, header=header))
    unreadable = upload(office, b"PK\x03\x04 not a workbook", "network.xlsx")
    headless = upload(office, b",,\r\n,,\r\n", "network.csv")

    page = text_of(missing)
    problem = page.index("This file cannot be imported")
    assert page.index("A required column is missing: organization.") > problem
    assert "Unknown columns: notes, catégorie." in page
    assert "the columns are: champion, position, organization, hub" in page
    assert "new commitment" not in page and "refused" not in page  # no row is read
    assert "The file cannot be read as an Excel workbook (.xlsx)." in text_of(unreadable)
    assert "The file is empty: its first row should name the columns." in text_of(headless)
    for response in (missing, unreadable, headless):
        assert response.status_code == 200 and "key" not in response.context
        assert 'action="/dashboard/commitments/import/confirm/"' not in response.content.decode()
    assert not Champion.objects.exists()


def test_it_lists_each_refused_row_by_number_and_first_words_with_the_allowed_values(office):
    rows = network_rows(YEAR, PAST)
    rows[1]["target_kind"] = "ratio"
    rows[3]["categories"] = "Astrology"

    response = upload(office, as_csv(rows))

    page = text_of(response)
    # What is wrong first, then what the import would do.
    refused = page[
        page.index("2 rows refused The rows that would not be imported") : page.index("2 new commitments")
    ]
    assert page.index("2 new commitments") < page.index("To be created")
    assert page.index("To be created") < page.index("Import, leaving the refused rows out")
    assert (
        "3 Veiller à ce que les femmes représentent au … target_kind: ratio is not one of the allowed "
        "values: count (Count), percentage (Percentage), indicator (Indicator), milestone (Milestone)."
    ) in refused
    assert (
        "5 Hold town-hall meetings with women staff in the … categories: Astrology is not a "
        "category of the network; the categories are:"
    ) in refused
    assert "2 rows refused (above)" in page


def test_unchanged_rows_are_a_count_not_a_list(office):
    rows = network_rows(YEAR, PAST)
    upload_and_confirm(office, as_csv(rows))
    rows[1]["status"] = "On track"

    response = upload(office, as_csv(rows))

    page = text_of(response)
    assert "0 new commitments" in page and "1 commitment updated" in page and "3 unchanged" in page
    assert PAST_TEXT[:30] not in page and "Hold town-hall" not in page


def upload_and_confirm(client, content, name="network.csv"):
    key = upload(client, content, name).context["key"]
    return client.post(CONFIRM_URL, {"key": key}, follow=True)


def test_confirming_imports_the_accepted_rows_says_so_and_emails_nobody(
    office, django_capture_on_commit_callbacks
):
    rows = with_people(network_rows(YEAR, PAST))
    rows[1]["year"] = "next year"

    with django_capture_on_commit_callbacks(execute=True):
        response = upload_and_confirm(office, as_xlsx(rows), "network.xlsx")

    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert messages_of(response) == [
        "Imported: 3 new commitments, 0 updated, 0 unchanged.",
        "1 refused row was left out: correct it in the file and import it again.",
        "2 people were added without a sign-in: nobody was emailed. Invite them when ready.",
    ]
    assert Commitment.objects.count() == 3 and not Commitment.objects.filter(text=FRENCH_TEXT).exists()
    assert sorted(Champion.objects.values_list("full_name", flat=True)) == [
        "Amina Diallo-Ndiaye",
        "Kwame Mensah",
    ]
    amina = Champion.objects.get(full_name="Amina Diallo-Ndiaye")
    assert amina.user.email == "amina@example.org" and not amina.user.has_usable_password()
    assert [user.email for user in amina.focal_points.all()] == ["focal.point@example.org"]
    assert mail.outbox == [] and not Email.objects.exists()


def test_a_preview_is_confirmed_once_however_often_it_is_posted(office):
    key = upload(office, as_csv(network_rows(YEAR, PAST))).context["key"]

    first = office.post(CONFIRM_URL, {"key": key}, follow=True)
    second = office.post(CONFIRM_URL, {"key": key}, follow=True)

    assert messages_of(first) == [
        "Imported: 4 new commitments, 0 updated, 0 unchanged.",
        "Nobody was emailed.",
    ]
    assert messages_of(second) == [
        "This preview has expired or was already imported: upload the file again to see what it would do now."
    ]
    assert Commitment.objects.count() == 4 and Champion.objects.count() == 3


def test_only_the_uploader_can_confirm_their_preview(office):
    key = upload(office, as_csv(network_rows(YEAR, PAST))).context["key"]
    colleague = signed_in(OfficeMemberFactory(email="colleague@example.org"))

    response = colleague.post(CONFIRM_URL, {"key": key})

    assert response.status_code == 403
    assert not Champion.objects.exists() and not Commitment.objects.exists()
    # The uploader still can.
    assert messages_of(office.post(CONFIRM_URL, {"key": key}, follow=True))[0].startswith("Imported: 4")


@pytest.mark.parametrize("key", ["", "not-a-key-we-gave"])
def test_an_expired_or_unknown_preview_says_to_upload_the_file_again(office, key):
    if key == "":
        key = upload(office, as_csv(network_rows(YEAR, PAST))).context["key"]
        cache.clear()  # an hour has passed

    response = office.post(CONFIRM_URL, {"key": key}, follow=True)

    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert messages_of(response) == [
        "This preview has expired or was already imported: upload the file again to see what it would do now."
    ]
    assert not Champion.objects.exists()


def test_a_second_upload_of_the_same_file_has_nothing_to_import(office):
    content = as_csv(network_rows(YEAR, PAST))
    upload_and_confirm(office, content)

    response = upload(office, content)

    page = text_of(response)
    assert "0 new commitments" in page and "4 unchanged" in page
    assert "Nothing to import: everything in this file is already in the product as it says." in page
    assert "key" not in response.context and "To be created" not in page


def test_a_file_that_changed_nothing_since_its_preview_imports_nothing(office):
    """Imported meanwhile (another tab, a colleague): confirming the older preview writes nothing."""
    content = as_csv(network_rows(YEAR, PAST))
    key = upload(office, content).context["key"]
    upload_and_confirm(office, content)

    response = office.post(CONFIRM_URL, {"key": key}, follow=True)

    assert messages_of(response) == ["Nothing to import: the file changes nothing any more."]
    assert Commitment.objects.count() == 4


def test_the_page_guides_through_the_columns(office):
    response = office.get(IMPORT_URL)

    assert response.status_code == 200
    page = text_of(response)
    assert "Import commitments · Gender Champions" in page  # the title
    assert "Dashboard Review commitments Import commitments" in page  # the breadcrumbs
    assert "champion champion required" in page
    assert "focal_point_email courriel du point focal optional" in page
    assert "text texte required" in page
    assert "target_kind type de cible optional" in page
    assert "Selection and recruitment / Sélection et recrutement" in page
    assert "At most 20,000 rows a file." in page
    assert 'href="/dashboard/"' in response.content.decode()


def test_the_page_speaks_french(office):
    content = as_csv(network_rows(YEAR, PAST))

    response = office.post(
        IMPORT_URL, {"file": SimpleUploadedFile("network.csv", content)}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    page = text_of(response)
    assert "Importer des engagements" in page and "Ce que ferait l'importation" in page
    assert "4 nouveaux engagements" in page and "À créer" in page
    assert f"{PAST} (terminée : créée close)" in page
    assert "Les colonnes" in page and "obligatoire" in page
    english = [
        "The columns",
        "To be created",
        "new commitments",
        "ended: created closed",
        "nobody is emailed",
        "People (no sign-in until invited)",
    ]
    assert [words for words in english if words in page] == []


def test_its_refusals_speak_french(office):
    rows = network_rows(YEAR, PAST)
    rows[3]["year"] = "l'an passé"

    response = office.post(
        IMPORT_URL, {"file": SimpleUploadedFile("network.csv", as_csv(rows))}, HTTP_ACCEPT_LANGUAGE="fr"
    )

    page = text_of(response)
    assert "1 ligne refusée" in page
    assert "année : indiquez l'année en quatre chiffres, par exemple 2026." in page


@pytest.mark.parametrize(
    "name, content, error",
    [
        ("network.txt", b"champion,organization", "Choose an .xlsx or a .csv file."),
        ("network.csv", None, "This field is required."),
        ("network.csv", b"", "The submitted file is empty."),
    ],
)
def test_a_wrong_upload_is_a_form_error(office, name, content, error):
    data = {} if content is None else {"file": SimpleUploadedFile(name, content)}

    response = office.post(IMPORT_URL, data)

    assert response.status_code == 200
    assert error in text_of(response)
    assert "plan" not in response.context


def test_a_confirmation_without_a_key_is_refused_clearly(office):
    response = office.post(CONFIRM_URL, {}, follow=True)

    assert messages_of(response) == [
        "This preview has expired or was already imported: upload the file again to see what it would do now."
    ]


def staff(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.parametrize(
    "who, status",
    [
        ("office member", 200),
        ("staff who may add and change commitments", 200),
        ("staff who may only change commitments", 403),
        ("staff who may only view commitments", 403),
        ("staff", 403),
        ("champion", 403),
        ("focal point", 403),
    ],
)
def test_it_is_for_the_office_and_staff_who_may_add_and_change_commitments(cast, who, status):
    user = {
        "office member": lambda: cast.office_member,
        "staff who may add and change commitments": lambda: staff("add_commitment", "change_commitment"),
        "staff who may only change commitments": lambda: staff("change_commitment", "view_commitment"),
        "staff who may only view commitments": lambda: staff("view_commitment"),
        "staff": lambda: staff(),
        "champion": lambda: cast.champion_user,
        "focal point": lambda: cast.focal_point,
    }[who]()
    client = signed_in(user)
    content = as_csv(network_rows(YEAR, PAST))

    page = client.get(IMPORT_URL)
    preview = client.post(IMPORT_URL, {"file": SimpleUploadedFile("network.csv", content)})
    confirm = client.post(CONFIRM_URL, {"key": preview.context["key"] if status == 200 else "x"})

    assert (page.status_code, preview.status_code) == (status, status)
    assert confirm.status_code == (302 if status == 200 else 403)
    assert Champion.objects.filter(full_name="Kwame Mensah").exists() == (status == 200)
