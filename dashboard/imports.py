"""The office's import of a network's commitments (commitments/network_file.py): the file is checked
and previewed first; nothing is written until the uploader confirms."""

import secrets
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from commitments import network_file
from commitments.models import Category, Commitment
from dashboard.forms import ImportCommitmentsForm
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
    """Upload a network's file: what it would do, row by row where a row is refused."""
    if request.method == "POST":
        form = ImportCommitmentsForm(request.POST, request.FILES)
    else:
        form = ImportCommitmentsForm()
    context = {"form": form, "names_shown": NAMES_SHOWN, **_guide()}
    if form.is_valid():
        content = form.cleaned_data["file"].read()
        extension = form.cleaned_data["extension"]
        plan = network_file.plan(content, extension)
        context["plan"] = plan
        if plan.can_apply:
            key = secrets.token_urlsafe(16)
            cache.set(
                _cache_key(key),
                {"content": content, "extension": extension, "user": request.user.pk},
                WAITING_SECONDS,
            )
            context["key"] = key
    return render(request, "dashboard/import_commitments.html", context)


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
    plan = network_file.plan(waiting["content"], waiting["extension"])
    if not plan.can_apply:
        messages.info(request, _("Nothing to import: the file changes nothing any more."))
        return redirect("import_commitments")
    result = network_file.apply(plan, request.user)
    messages.success(
        request,
        ngettext(
            "Imported: %(new)s new commitment, %(updated)s updated, %(unchanged)s unchanged.",
            "Imported: %(new)s new commitments, %(updated)s updated, %(unchanged)s unchanged.",
            result.commitments_created,
        )
        % {
            "new": result.commitments_created,
            "updated": result.commitments_updated,
            "unchanged": result.unchanged,
        },
    )
    if plan.refused:
        messages.warning(
            request,
            ngettext(
                "%(count)s refused row was left out: correct it in the file and import it again.",
                "%(count)s refused rows were left out: correct them in the file and import it again.",
                len(plan.refused),
            )
            % {"count": len(plan.refused)},
        )
    if result.people:
        messages.info(
            request,
            ngettext(
                "%(count)s person was added without a sign-in: nobody was emailed. Invite them when ready.",
                "%(count)s people were added without a sign-in: nobody was emailed. Invite them when ready.",
                len(result.people),
            )
            % {"count": len(result.people)},
        )
    else:
        messages.info(request, _("Nobody was emailed."))
    return redirect("import_commitments")


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
