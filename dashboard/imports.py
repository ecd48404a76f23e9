"""The office's import of a network's commitments (commitments/network_file.py): the file is checked
and previewed first; nothing is written until the uploader confirms."""

import datetime
import secrets
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from commitments import network_file
from commitments.models import Category, Commitment
from dashboard.forms import ImportCommitmentsForm
from dashboard.models import ImportJob
from dashboard.tasks import import_file, preview_import
from events.exports import stream_csv, xlsx_response

# How long an uploaded file waits for its confirmation, in the shared cache (any app server may
# receive the confirmation).
WAITING_SECONDS = 60 * 60
# The preview lists what it would create by name; longer lists start folded.
NAMES_SHOWN = 20
IMPORT_PERMISSIONS = ("commitments.add_commitment", "commitments.change_commitment")


def importer_required(view):
    """The office, and staff allowed to add and change commitments in admin (its Import leads here);
    everybody else gets the 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_office_member or (user.is_staff and user.has_perms(IMPORT_PERMISSIONS))):
            raise PermissionDenied("Importing commitments is for the chief-of-staff office.")
        return view(request, *args, **kwargs)

    return wrapper


@importer_required
@require_http_methods(["GET", "POST"])
def import_commitments(request):
    """Upload a network's file: what it would do, row by row where a row is refused. A file of more
    than IMPORT_PREVIEW_IN_REQUEST_ROWS rows is previewed by an import job instead (its own page)."""
    if request.method == "POST":
        form = ImportCommitmentsForm(request.POST, request.FILES)
    else:
        form = ImportCommitmentsForm()
    context = {"form": form, "names_shown": NAMES_SHOWN, **_guide()}
    if form.is_valid():
        content = form.cleaned_data["file"].read()
        extension = form.cleaned_data["extension"]
        if _rows_counted(content, extension) > settings.IMPORT_PREVIEW_IN_REQUEST_ROWS:
            job = _queue_preview(request.user, content, extension, form.cleaned_data["submission_key"])
            return redirect("import_job", job.pk)
        plan = network_file.plan(content, extension)
        context.update(plan=plan, preview=plan.summary())
        if plan.can_apply:
            key = secrets.token_urlsafe(16)
            cache.set(
                _cache_key(key),
                {"content": content, "extension": extension, "user": request.user.pk},
                WAITING_SECONDS,
            )
            context.update(key=key, confirm_action=reverse("confirm_import"))
    return render(request, "dashboard/import_commitments.html", context)


def _rows_counted(content, extension):
    """The file's rows, counted without reading them; 0 for a file the plan refuses at once."""
    try:
        return network_file.count_rows(content, extension)
    except network_file.FileProblem:
        return 0


def _queue_preview(user, content, extension, submission_key):
    """Store the file as an import job and queue its preview; the same form posted again (a double
    click, a request resent to the other app server) finds the job the first post made."""
    # Jobs nobody confirmed within a day go, their files with them.
    ImportJob.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=1)).delete()
    job = ImportJob(uploaded_by=user, extension=extension, submission_key=submission_key)
    job.file.save(f"upload{extension}", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        job.file.delete(save=False)
        return ImportJob.objects.get(submission_key=submission_key)
    transaction.on_commit(lambda: preview_import.delay(job.pk))
    return job


def _get_job_for_user(user, pk):
    """An import job of the user's own upload; anybody else's is 404."""
    return get_object_or_404(ImportJob, pk=pk, uploaded_by=user)


@importer_required
def import_job(request, pk):
    """A large file's preview, then its import: the page reloads itself every two seconds while a
    task has the job in hand."""
    job = _get_job_for_user(request.user, pk)
    context = {"job": job, "names_shown": NAMES_SHOWN, **_guide()}
    if job.state == ImportJob.State.DONE:
        context["preview"] = job.preview
        if job.preview["can_apply"]:
            context["confirm_action"] = reverse("confirm_import_job", args=[job.pk])
    elif job.state == ImportJob.State.IMPORTED:
        if job.result["changed"]:
            _announce(
                request,
                **{
                    name: job.result[name]
                    for name in ("created", "updated", "unchanged", "refused", "people")
                },
            )
        else:
            messages.info(request, _("Nothing to import: the file changes nothing any more."))
    return render(request, "dashboard/import_job.html", context)


@importer_required
@require_POST
def confirm_import_job(request, pk):
    """Import a job's file, by a task (as it reads then): its page follows the import."""
    job = _get_job_for_user(request.user, pk)
    # Why a conditional update: of two confirmations of one job (a double click, a request resent
    # to the other app server), only the one that moves the job on queues its import.
    if ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.DONE).update(
        state=ImportJob.State.IMPORTING
    ):
        transaction.on_commit(lambda: import_file.delay(job.pk))
    elif job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING):
        messages.error(request, _("The preview is not ready yet."))
    return redirect("import_job", job.pk)


@importer_required
@require_POST
def confirm_import(request):
    """Import the file the same person previewed, as it reads now (its accepted rows)."""
    key = _cache_key(request.POST.get("key", ""))
    waiting = cache.get(key)
    if waiting is not None and waiting["user"] != request.user.pk:
        raise PermissionDenied("Only the person who uploaded a file confirms its import.")
    # Why the delete decides: of two confirmations of one preview (a double click), only the one
    # that removes the file imports it.
    if waiting is None or not cache.delete(key):
        messages.error(
            request,
            _(
                "This preview has expired or was already imported: upload the file again to see what it "
                "would do now."
            ),
        )
        return redirect("import_commitments")
    _import(request, waiting["content"], waiting["extension"])
    return redirect("import_commitments")


def _import(request, content, extension):
    """Plan the file again and write what it says, telling the office what was done."""
    plan = network_file.plan(content, extension)
    if not plan.can_apply:
        messages.info(request, _("Nothing to import: the file changes nothing any more."))
        return
    result = network_file.apply(plan, request.user)
    _announce(
        request,
        created=result.commitments_created,
        updated=result.commitments_updated,
        unchanged=result.unchanged,
        refused=len(plan.refused),
        people=len(result.people),
    )


def _announce(request, *, created, updated, unchanged, refused, people):
    """Tell the office what an import did."""
    messages.success(
        request,
        ngettext(
            "Imported: %(new)s new commitment, %(updated)s updated, %(unchanged)s unchanged.",
            "Imported: %(new)s new commitments, %(updated)s updated, %(unchanged)s unchanged.",
            created,
        )
        % {"new": created, "updated": updated, "unchanged": unchanged},
    )
    if refused:
        messages.warning(
            request,
            ngettext(
                "%(count)s refused row was left out: correct it in the file and import it again.",
                "%(count)s refused rows were left out: correct them in the file and import it again.",
                refused,
            )
            % {"count": refused},
        )
    if people:
        messages.info(
            request,
            ngettext(
                "%(count)s person was added without a sign-in: nobody was emailed. Invite them when ready.",
                "%(count)s people were added without a sign-in: nobody was emailed. Invite them when ready.",
                people,
            )
            % {"count": people},
        )
    else:
        messages.info(request, _("Nobody was emailed."))


@importer_required
def export_commitments(request, extension):
    """Every commitment of the chosen cycle (all cycles without one) in the network's columns, with
    headers and labels in the reader's language: it imports back unchanged."""
    commitments = Commitment.objects.all()
    year = request.GET.get("cycle", "")
    year = int(year) if year.isdigit() else None
    if year:
        commitments = commitments.filter(cycle__year=year)
    name = network_file.file_stem(year)
    header = network_file.header(translation.get_language())
    rows = network_file.rows(commitments)
    if extension == "xlsx":
        return xlsx_response(f"{name}.xlsx", header, rows, sheet=network_file.sheet_title(year))
    return stream_csv(f"{name}.csv", header, rows)


def _guide():
    """What the page says of the columns: each with its French header, required or not."""
    return {
        "columns": [
            (name, french, name in network_file.REQUIRED) for name, french in network_file.COLUMNS.items()
        ],
        "categories": Category.objects.all(),
        "max_rows": network_file.MAX_ROWS,
    }


def _cache_key(key):
    return f"network-import:{key}"
