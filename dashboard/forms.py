import uuid
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from champions.models import Champion, Hub, Organization
from commitments.forms import CategoryChoiceField
from commitments.models import Category, Cycle, Handover, Status
from commitments.models.handover import free_numbers, too_few_numbers
from dashboard.reporting import for_dashboard
from reminders.models import ReminderKind
from reports.models import champions_yet_to_report, report_window_open


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, read from the query string so a view can be bookmarked."""

    cycle = forms.ModelChoiceField(
        Cycle.objects.order_by("-year"),
        to_field_name="year",
        required=False,
        empty_label=None,
        label=_("Cycle"),
    )
    hub = forms.ModelChoiceField(Hub.objects.all(), required=False, empty_label=_("All hubs"), label=_("Hub"))
    organization = forms.ModelChoiceField(
        Organization.objects.order_by("name"),
        required=False,
        empty_label=_("All organizations"),
        label=_("Organization"),
    )
    category = CategoryChoiceField()
    status = forms.ChoiceField(
        choices=[("", _("All statuses")), *Status.choices],
        required=False,
        label=_("Status"),
    )

    # The lookup each filter narrows commitments by.
    LOOKUPS = {
        "cycle": "cycle",
        "hub": "champion__hub",
        "organization": "champion__organization",
        "category": "categories",
        "status": "status",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def read_choices(self):
        """Read the cycles, hubs, organizations and categories once, as the form's choices and for the
        page to name its rows by (`self.cycles`, `self.hubs`...): a ModelChoiceField queries its
        choices each time it is shown (twice for a required select), and a page names the same rows.
        Submitted values are still checked against the database."""
        self.cycles = list(self.fields["cycle"].queryset)
        self.hubs = list(self.fields["hub"].queryset)
        self.organizations = list(self.fields["organization"].queryset)
        self.categories = list(self.fields["category"].queryset)
        for name, rows in (
            ("cycle", self.cycles),
            ("hub", self.hubs),
            ("organization", self.organizations),
            ("category", self.categories),
        ):
            field = self.fields[name]
            empty = [] if field.empty_label is None else [("", field.empty_label)]
            field.choices = empty + [(_in_query(row), str(row)) for row in rows]

    def filters(self):
        """The valid filters; an unknown value is ignored (and named in `ignored`)."""
        self.is_valid()
        self.ignored = sorted(self.errors)
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def apply(self, commitments, filters):
        """The commitments the filters select."""
        return commitments.filter(**{self.LOOKUPS[name]: value for name, value in filters.items()})

    @staticmethod
    def query_string(filters):
        """The filters as a query string, to carry them to the export and other pages."""
        return urlencode({name: _in_query(value) for name, value in filters.items()})


def _in_query(value):
    """How a filter's value is written in a query string: a cycle's year, a category's short name,
    another object's id."""
    if isinstance(value, Cycle):
        return value.year
    if isinstance(value, Category):
        return value.slug
    return getattr(value, "pk", value)


class ImportCommitmentsForm(forms.Form):
    """A spreadsheet of commitments to import: an .xlsx or a .csv, as exported."""

    file = forms.FileField(
        label=_("Spreadsheet of commitments"),
        help_text=_("An .xlsx or .csv file with the columns of the export; at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    # A large file's upload makes an import job: the same form posted twice makes one (ImportJob).
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = Path(upload.name).suffix.lower()
        if extension not in (".xlsx", ".csv"):
            raise forms.ValidationError(_("Choose an .xlsx or a .csv file."))
        self.cleaned_data["extension"] = extension
        return upload


def filtered(request):
    """The dashboard filter form for a request's query string, its valid filters (the cycle defaults to
    the current one) and their commitments: the dashboard, its export and the differences page."""
    form = DashboardFilterForm(request.GET)
    filters = form.filters()
    if "cycle" not in filters:
        current = Cycle.objects.current()
        if current:
            # First, as when chosen: links onwards (query_string) read the same either way.
            filters = {"cycle": current, **filters}
            # The select shows the cycle the page is of (not its first choice, the latest year).
            form.data = form.data.copy()
            form.data["cycle"] = current.year
    commitments = form.apply(for_dashboard(), filters)
    return form, filters, commitments


class RemindForm(forms.Form):
    """Whom the office reminds now, of what: one champion, or every champion who has not yet done
    it (no champion chosen). Only while it can still be done: commitments while the cycle takes
    them, the report from when assessments open until the cycle is closed."""

    KINDS = {"commitments": ReminderKind.COMMITMENTS_DUE, "report": ReminderKind.REPORT_DUE}

    what = forms.ChoiceField(
        choices=[("commitments", _("Set commitments")), ("report", _("Sign off the report"))]
    )
    champion = forms.ModelChoiceField(Champion.objects.active(), required=False)

    def __init__(self, *args, cycle, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle, self.today = cycle, today

    @property
    def kind(self):
        return self.KINDS[self.cleaned_data["what"]]

    def late(self, what):
        """The champions who have not done `what` yet in the cycle."""
        if what == "commitments":
            return self.cycle.champions_yet_to_submit()
        return champions_yet_to_report(self.cycle)

    def clean(self):
        cleaned = super().clean()
        what = cleaned.get("what")
        if what is None or "champion" in self.errors:
            return cleaned
        if what == "commitments" and not self.cycle.is_open_for_commitments(self.today):
            raise forms.ValidationError(
                _("The %(year)s cycle no longer takes commitments: nobody is reminded of them."),
                params={"year": self.cycle.year},
            )
        if what == "report" and not report_window_open(self.cycle, self.today):
            raise forms.ValidationError(
                _("The %(year)s reports cannot be signed off now: nobody is reminded of them."),
                params={"year": self.cycle.year},
            )
        late = self.late(what)
        champion = cleaned.get("champion")
        if champion is not None:
            if not late.filter(pk=champion.pk).exists():
                raise forms.ValidationError(
                    _("%(champion)s has nothing left to do: not reminded."), params={"champion": champion}
                )
            cleaned["champions"] = [champion.pk]
        else:
            cleaned["champions"] = list(late.order_by("full_name").values_list("pk", flat=True))
            if not cleaned["champions"]:
                raise forms.ValidationError(_("Nobody is late: nobody was reminded."))
        return cleaned


class HandoverForm(forms.Form):
    """A champion leaves on a day and hands over to a successor: an active champion of the same
    organisation (created or invited beforehand, in admin or on the people page)."""

    successor = forms.ModelChoiceField(Champion.objects.none(), label=_("Successor"))
    effective_on = forms.DateField(
        label=_("Leaves on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the successor takes over: within the current cycle."),
    )

    def __init__(self, *args, champion, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.champion, self.cycle = champion, cycle
        self.fields["successor"].queryset = (
            Champion.objects.active()
            .filter(organization=champion.organization_id)
            .exclude(pk=champion.pk)
            .order_by("full_name")
        )

    def clean_effective_on(self):
        day = self.cleaned_data["effective_on"]
        if self.cycle is None or self.cycle.is_closed or not self.cycle.contains(day):
            raise forms.ValidationError(
                _("The day must be within the current cycle, from %(start)s to %(end)s.")
                % {"start": self.cycle.starts_on, "end": self.cycle.ends_on}
                if self.cycle and not self.cycle.is_closed
                else _("There is no open cycle to hand over in.")
            )
        return day

    def clean(self):
        cleaned = super().clean()
        if self.champion.left_on is not None:
            raise forms.ValidationError(_("This champion has already handed over."))
        successor = cleaned.get("successor")
        if successor and self.cycle and self.moving() is not None:
            taken = successor.commitments.filter(cycle=self.cycle).values_list("number", flat=True)
            if free_numbers(self.moving(), taken, self.cycle.max_commitments) is None:
                raise forms.ValidationError(too_few_numbers(successor, self.cycle, len(self.moving())))
        return cleaned

    def moving(self):
        """The commitments the handover moves (read once)."""
        if not hasattr(self, "_moving"):
            self._moving = (
                list(Handover.objects.commitments_to_move(self.champion, self.cycle)) if self.cycle else None
            )
        return self._moving
