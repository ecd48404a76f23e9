"""Imports and the approval workflow, attacked: a network's file (the office's import, which admin's
Import leads to) cannot approve, return or close a commitment behind the workflow's back. New
commitments come in approved with an "imported" step, statuses move as status steps, approvals of
stored commitments are refused row by row, and nobody is emailed."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Email
from accounts.tests.factories import OfficeMemberFactory
from commitments.models import Approval, ApprovalChange, Commitment, Status, StatusChange
from commitments.tests.factories import CommitmentFactory
from commitments.tests.network_rows import HEADER, PAST_TEXT, as_csv, as_xlsx, network_rows

pytestmark = pytest.mark.django_db

IMPORT_URL = "/dashboard/commitments/import/"
CONFIRM_URL = "/dashboard/commitments/import/confirm/"
IMPORTED = "Imported from the network's file."


@pytest.fixture
def office_member():
    return OfficeMemberFactory(email="importer@example.org")


def import_file(user, content, name="network.csv"):
    """Upload the file and confirm it, as the office does; returns the preview's plan."""
    client = Client()
    client.force_login(user)
    preview = client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})
    assert preview.status_code == 200
    key = preview.context.get("key")
    if key:
        assert client.post(CONFIRM_URL, {"key": key}).status_code == 302
    return preview.context["plan"]


def row_for(commitment, **cells):
    """A file's row naming a stored commitment (by champion, organization, year and number)."""
    return {
        "champion": commitment.champion.full_name,
        "organization": commitment.champion.organization.name,
        "year": commitment.cycle.year,
        "number": commitment.number,
        "text": commitment.text,
        **cells,
    }


def nobody_emailed():
    return mail.outbox == [] and not Email.objects.exists()


def test_new_commitments_come_in_approved_with_an_imported_step_and_email_nobody(
    office_member, cast, django_capture_on_commit_callbacks
):
    year = cast.cycle.year
    with django_capture_on_commit_callbacks(execute=True):
        import_file(office_member, as_xlsx(network_rows(year, year - 2)), "network.xlsx")

    imported = Commitment.objects.exclude(champion__in=[cast.champion, cast.other_champion])
    assert imported.count() == 4
    for commitment in imported:
        [step] = commitment.approval_changes.all()
        assert (step.old_approval, step.new_approval, step.comment, step.changed_by) == (
            Approval.DRAFT,
            Approval.APPROVED,
            IMPORTED,
            office_member,
        )
        assert commitment.approval == Approval.APPROVED
    # Imported as completed (a past year's): its status has its step too.
    past = imported.get(text=PAST_TEXT)
    [status_step] = past.status_changes.all()
    assert (status_step.old_status, status_step.new_status, status_step.comment) == (
        Status.NOT_STARTED,
        Status.COMPLETED,
        IMPORTED,
    )
    assert not StatusChange.objects.exclude(commitment=past).exists()
    assert nobody_emailed()


@pytest.mark.parametrize("approval", [Approval.DRAFT, Approval.SUBMITTED, Approval.RETURNED])
def test_a_file_cannot_approve_a_champions_commitment(office_member, cast, approval):
    waiting = CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=2, approval=approval)
    header = [*HEADER, "approval"]

    plan = import_file(office_member, as_csv([row_for(waiting, approval="Approved")], header=header))

    [refused] = plan.refused
    assert refused.errors == [
        f"approval: this commitment is {waiting.get_approval_display().lower()}; an import does not "
        "approve or return commitments: the office does it on its review page, and the champion is told."
    ]
    waiting.refresh_from_db()
    assert waiting.approval == approval
    assert not ApprovalChange.objects.exists()
    assert nobody_emailed()


def test_a_file_cannot_return_an_approved_commitment_in_french_either(office_member, cast):
    header = [*HEADER, "approbation"]
    rows = [row_for(cast.commitment, approbation="Renvoyé", title="Returned by the file")]

    plan = import_file(office_member, as_csv(rows, header=header, delimiter=";"))

    [refused] = plan.refused
    assert refused.errors[0].startswith("approval: this commitment is approved;")
    cast.commitment.refresh_from_db()
    assert cast.commitment.approval == Approval.APPROVED
    assert cast.commitment.title != "Returned by the file"  # refused whole
    assert not ApprovalChange.objects.exists()
    assert nobody_emailed()


def test_a_new_commitment_cannot_come_in_as_a_draft(office_member, cast):
    header = [*HEADER, "approval"]
    row = {"champion": "Nadia New", "organization": "New Org", "year": cast.cycle.year, "text": "Do it."}

    plan = import_file(office_member, as_csv([{**row, "approval": "draft"}], header=header))

    [refused] = plan.refused
    assert refused.errors[0].startswith("approval: a commitment imported from the network's file is approved")
    assert not Commitment.objects.filter(text="Do it.").exists()


def test_a_row_that_agrees_with_the_stored_approval_imports(office_member, cast):
    header = [*HEADER, "approval"]
    rows = [row_for(cast.commitment, approval="approved", title="Renamed by the network")]

    plan = import_file(office_member, as_csv(rows, header=header))

    assert plan.refused == []
    cast.commitment.refresh_from_db()
    assert cast.commitment.title == "Renamed by the network"


def test_closing_a_commitment_by_file_is_a_status_step_and_emails_nobody(
    office_member, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_file(office_member, as_csv([row_for(cast.commitment, status="Completed")]))

    cast.commitment.refresh_from_db()
    assert cast.commitment.status == Status.COMPLETED
    [step] = cast.commitment.status_changes.all()
    assert (step.old_status, step.new_status, step.comment, step.changed_by) == (
        Status.NOT_STARTED,
        Status.COMPLETED,
        IMPORTED,
        office_member,
    )
    assert nobody_emailed()


def test_a_file_cannot_move_the_status_of_a_commitment_not_approved(office_member, cast):
    draft = CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=2, approval=Approval.DRAFT)

    plan = import_file(office_member, as_csv([row_for(draft, status="Completed")]))

    [refused] = plan.refused
    assert refused.errors == ["status: this commitment is not approved yet; its status cannot change."]
    draft.refresh_from_db()
    assert draft.status == Status.NOT_STARTED and not StatusChange.objects.exists()


def test_admins_import_writes_nothing_itself(client, admin_user, cast):
    """Admin's Import (django-import-export's import and process_import) leads to the office's page:
    its own confirmation step cannot write an approval."""
    client.force_login(admin_user)
    draft = CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=2, approval=Approval.DRAFT)
    content = as_csv([row_for(draft, approval="approved")], header=[*HEADER, "approval"])

    for url in ("/admin/commitments/commitment/import/", "/admin/commitments/commitment/process_import/"):
        response = client.post(
            url,
            {"import_file": SimpleUploadedFile("x.csv", content), "import_file_name": "x.csv", "format": "0"},
        )
        assert (response.status_code, response.url) == (302, IMPORT_URL)

    draft.refresh_from_db()
    assert draft.approval == Approval.DRAFT and not ApprovalChange.objects.exists()
