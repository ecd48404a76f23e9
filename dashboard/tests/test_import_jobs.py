"""A large network file's preview runs as a Celery task (dashboard/tasks.py) with a progress page
(dashboard.ImportJob): only the uploader sees and confirms it; small files keep the page's preview."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import OfficeMemberFactory
from commitments import network_file
from commitments.models import Commitment
from commitments.tests.network_rows import as_csv, as_xlsx, network_rows
from dashboard.models import ImportJob
from dashboard.tasks import import_file, preview_import

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR, PAST = TODAY.year, TODAY.year - 2
IMPORT_URL = "/dashboard/commitments/import/"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def office():
    return signed_in(OfficeMemberFactory(email="office@example.org"))


@pytest.fixture
def large(settings):
    """Files of more than two rows count as large."""
    settings.IMPORT_PREVIEW_IN_REQUEST_ROWS = 2
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def upload(client, content, name="network.csv", **data):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content), **data})


@pytest.mark.parametrize("write, name", [(as_csv, "network.csv"), (as_xlsx, "network.xlsx")])
def test_a_large_file_is_stored_and_previewed_by_a_task(office, large, write, name):
    response = upload(office, write(network_rows(YEAR, PAST)), name)

    job = ImportJob.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"{IMPORT_URL}jobs/{job.pk}/")
    assert job.state == ImportJob.State.QUEUED and default_storage.exists(job.file.name)
    page = office.get(response["Location"])
    assert b'<meta http-equiv="refresh" content="2">' in page.content
    assert "The file is waiting to be checked." in page.content.decode()
    assert "preview" not in page.context

    assert preview_import(job.pk) == 4

    job.refresh_from_db()
    assert (job.state, job.rows, job.rows_planned) == (ImportJob.State.DONE, 4, 4)
    assert (job.preview["new"], job.preview["refused"], job.preview["can_apply"]) == (4, [], True)
    page = office.get(response["Location"])
    assert b"http-equiv" not in page.content  # done: no more reloading
    assert "4 new commitments" in page.content.decode()
    assert f'action="{IMPORT_URL}jobs/{job.pk}/confirm/"' in page.content.decode()
    assert Commitment.objects.count() == 0  # nothing written until confirmed


def test_the_upload_queues_the_task_once_it_commits(office, large, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = upload(office, as_csv(network_rows(YEAR, PAST)))

    assert len(callbacks) == 1  # ran eagerly, as a worker would
    assert ImportJob.objects.get().state == ImportJob.State.DONE
    assert "4 new commitments" in office.get(response["Location"]).content.decode()


def test_the_progress_page_counts_the_rows_planned(office, large, monkeypatch):
    monkeypatch.setattr(network_file, "PROGRESS_EVERY", 2)
    upload(office, as_csv(network_rows(YEAR, PAST)))
    job = ImportJob.objects.get()
    seen = []
    real_plan = network_file.plan

    def watched(*args, progress=None, **kwargs):
        def report(done, rows):
            progress(done, rows)
            job.refresh_from_db()
            seen.append((job.state, job.rows_planned, job.rows, job.percent))
            seen.append(office.get(f"{IMPORT_URL}jobs/{job.pk}/").content.decode())

        return real_plan(*args, progress=report, **kwargs)

    monkeypatch.setattr(network_file, "plan", watched)
    preview_import(job.pk)

    assert seen[0] == (ImportJob.State.RUNNING, 2, 4, 50)
    assert "Checking the file: 2 of 4 rows." in seen[1] and 'content="2"' in seen[1]


def test_confirming_a_job_imports_its_file_by_a_task_once_and_removes_it(
    office, large, django_capture_on_commit_callbacks
):
    upload(office, as_csv(network_rows(YEAR, PAST)))
    job = ImportJob.objects.get()
    preview_import(job.pk)
    confirm = f"{IMPORT_URL}jobs/{job.pk}/confirm/"

    with django_capture_on_commit_callbacks(execute=False) as queued:
        first, second = office.post(confirm), office.post(confirm)  # a double click
    assert (first["Location"], second["Location"]) == (f"{IMPORT_URL}jobs/{job.pk}/",) * 2
    job.refresh_from_db()
    assert job.state == ImportJob.State.IMPORTING and len(queued) == 1
    importing = office.get(f"{IMPORT_URL}jobs/{job.pk}/")
    assert "Importing the file." in importing.content.decode()
    assert b'<meta http-equiv="refresh" content="2">' in importing.content
    assert Commitment.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()  # the worker runs the task

    job.refresh_from_db()
    assert job.state == ImportJob.State.IMPORTED and not job.file
    assert Commitment.objects.count() == 4
    assert not default_storage.exists(f"imports/{job.pk}") and default_storage.listdir("imports")[1] == []
    done = office.get(f"{IMPORT_URL}jobs/{job.pk}/").content.decode()
    assert "Imported: 4 new commitments, 0 updated, 0 unchanged." in done
    assert b"http-equiv" not in office.get(f"{IMPORT_URL}jobs/{job.pk}/").content
    assert import_file(job.pk) is None  # delivered again: imported already, nothing happens
    assert Commitment.objects.count() == 4


def test_an_import_that_fails_writes_nothing_and_says_so(office, large, monkeypatch):
    upload(office, as_csv(network_rows(YEAR, PAST)))
    job = ImportJob.objects.get()
    preview_import(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.IMPORTING)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(network_file, "apply", broken)
    with pytest.raises(RuntimeError):
        import_file(job.pk)

    assert Commitment.objects.count() == 0
    page = office.get(f"{IMPORT_URL}jobs/{job.pk}/").content.decode()
    assert "Something went wrong: nothing was imported." in page


def test_only_the_uploader_sees_and_confirms_a_job(office, large):
    upload(office, as_csv(network_rows(YEAR, PAST)))
    job = ImportJob.objects.get()
    preview_import(job.pk)
    colleague = signed_in(OfficeMemberFactory())

    assert colleague.get(f"{IMPORT_URL}jobs/{job.pk}/").status_code == 404
    assert colleague.post(f"{IMPORT_URL}jobs/{job.pk}/confirm/").status_code == 404
    assert Commitment.objects.count() == 0
    assert ImportJob.objects.filter(pk=job.pk).exists()


def test_a_job_not_previewed_yet_is_not_confirmed(office, large):
    upload(office, as_csv(network_rows(YEAR, PAST)))
    job = ImportJob.objects.get()

    response = office.post(f"{IMPORT_URL}jobs/{job.pk}/confirm/", follow=True)

    assert "The preview is not ready yet." in response.content.decode()
    assert Commitment.objects.count() == 0


def test_the_task_runs_a_job_once(office, large):
    upload(office, as_csv(network_rows(YEAR, PAST)))
    job = ImportJob.objects.get()

    assert preview_import(job.pk) == 4
    assert preview_import(job.pk) is None  # delivered again: the job is not queued any more


def test_a_job_whose_planning_fails_says_so(office, large, monkeypatch):
    upload(office, as_csv(network_rows(YEAR, PAST)))
    job = ImportJob.objects.get()

    def broken(*args, **kwargs):
        raise RuntimeError("planning failed")

    monkeypatch.setattr(network_file, "plan", broken)
    with pytest.raises(RuntimeError):
        preview_import(job.pk)

    page = office.get(f"{IMPORT_URL}jobs/{job.pk}/")
    assert "Something went wrong: nothing was imported." in page.content.decode()
    assert b"http-equiv" not in page.content


def test_the_same_upload_posted_twice_makes_one_job(office, large):
    form = office.get(IMPORT_URL).context["form"]
    key = form["submission_key"].value()
    content = as_csv(network_rows(YEAR, PAST))

    first = upload(office, content, submission_key=key)
    second = upload(office, content, submission_key=key)

    assert ImportJob.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert len(default_storage.listdir("imports")[1]) == 1  # the second copy was not kept


def test_a_small_file_keeps_the_preview_in_the_page(office, settings):
    settings.IMPORT_PREVIEW_IN_REQUEST_ROWS = 2_000

    response = upload(office, as_csv(network_rows(YEAR, PAST)))

    assert response.status_code == 200 and response.context["preview"]["new"] == 4
    assert not ImportJob.objects.exists()


def test_jobs_left_a_day_go_with_their_files(office, large, django_capture_on_commit_callbacks):
    upload(office, as_csv(network_rows(YEAR, PAST)))
    old = ImportJob.objects.get()
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        upload(office, as_csv(network_rows(YEAR, PAST)))

    (new,) = ImportJob.objects.all()
    assert new.pk != old.pk
    assert not default_storage.exists(old.file.name) and default_storage.exists(new.file.name)


def test_a_second_delivery_leaves_a_preview_still_running_alone(office, large):
    upload(office, as_csv(network_rows(YEAR, PAST)))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now() - datetime.timedelta(minutes=15)
    )

    assert preview_import(job.pk) is None
    job.refresh_from_db()
    assert job.state == ImportJob.State.RUNNING and not job.is_lost
    assert b'<meta http-equiv="refresh" content="2">' in office.get(f"{IMPORT_URL}jobs/{job.pk}/").content


def test_a_preview_whose_worker_died_says_so_and_its_redelivery_starts_it_anew(office, large):
    """A worker that dies mid-preview leaves the job running: once it has run longer than the task
    may, its page says it stopped and stops reloading, and the task delivered again (acks late)
    plans the file anew."""
    upload(office, as_csv(network_rows(YEAR, PAST)))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING,
        started_at=timezone.now() - datetime.timedelta(minutes=17),
        rows=4,
        rows_planned=1,
    )

    page = office.get(f"{IMPORT_URL}jobs/{job.pk}/")
    assert "The check of this file stopped before it finished" in page.content.decode()
    assert b"http-equiv" not in page.content

    assert preview_import(job.pk) == 4
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and not job.is_lost
    assert job.started_at > timezone.now() - datetime.timedelta(minutes=1)
    assert 'data-testid="import-preview"' in office.get(f"{IMPORT_URL}jobs/{job.pk}/").content.decode()
