from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from champions.models import Hub, Organization
from commitments.models import Category, Cycle, Status
from dashboard.reporting import for_dashboard


class FilterSelect(forms.Select):
    """A select with the markup of Django's own, written in Python: its templates render each option
    through two more templates, the filters' 40-odd options about 2 ms of every computed dashboard."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            html += [
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                # Why the newline after it: Django's option template ends with one.
                f"{_attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                for option in options
            ]
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))


def _attributes(attrs):
    """HTML attributes as django/forms/widgets/attrs.html writes them (True: the name alone)."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, read from the query string so a view can be bookmarked."""

    cycle = forms.ModelChoiceField(
        Cycle.objects.order_by("-year"),
        to_field_name="year",
        required=False,
        empty_label=None,
        label=_("Cycle"),
        widget=FilterSelect,
    )
    hub = forms.ModelChoiceField(
        Hub.objects.all(), required=False, empty_label=_("All hubs"), label=_("Hub"), widget=FilterSelect
    )
    organization = forms.ModelChoiceField(
        Organization.objects.order_by("acronym"),
        required=False,
        empty_label=_("All organizations"),
        label=_("Organization"),
        widget=FilterSelect,
    )
    category = forms.ChoiceField(
        choices=[("", _("All categories")), *Category.choices],
        required=False,
        label=_("Category"),
        widget=FilterSelect,
    )
    status = forms.ChoiceField(
        choices=[("", _("All statuses")), *Status.choices],
        required=False,
        label=_("Status"),
        widget=FilterSelect,
    )

    # The lookup each filter narrows commitments by.
    LOOKUPS = {
        "cycle": "cycle",
        "hub": "champion__hub",
        "organization": "champion__organization",
        "category": "category",
        "status": "status",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def load_choices(self):
        """Read the choices once, for a form that is shown; the hubs and organizations by id stay
        on the form (a ModelChoiceField would run a query each time it is rendered)."""
        self.hubs = {hub.pk: hub for hub in self.fields["hub"].queryset}
        self.organizations = {org.pk: org for org in self.fields["organization"].queryset}
        self.fields["cycle"].choices = [(cycle.year, str(cycle)) for cycle in self.fields["cycle"].queryset]
        self.fields["hub"].choices = [("", self.fields["hub"].empty_label)] + [
            (hub.pk, str(hub)) for hub in self.hubs.values()
        ]
        self.fields["organization"].choices = [("", self.fields["organization"].empty_label)] + [
            (org.pk, str(org)) for org in self.organizations.values()
        ]

    def filters(self):
        """The valid filters; an unknown value is ignored (and named in `ignored`)."""
        self.is_valid()
        self.ignored = sorted(self.errors)
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def lookups(self, filters):
        """The filters as (lookup, value) pairs, in a fixed order and with ids for objects: what
        commitments are filtered by, and a key to what is computed from them (dashboard.reporting)."""
        return tuple(
            sorted((self.LOOKUPS[name], getattr(value, "pk", value)) for name, value in filters.items())
        )

    def apply(self, commitments, filters):
        return commitments.filter(**dict(self.lookups(filters)))

    @staticmethod
    def query_string(filters):
        """The filters as a query string, to carry them to the export and other pages."""
        return urlencode(
            {name: getattr(value, "year", getattr(value, "pk", value)) for name, value in filters.items()}
        )


class ImportCommitmentsForm(forms.Form):
    """A spreadsheet of commitments to import: an .xlsx or a .csv, as exported."""

    file = forms.FileField(
        label=_("Spreadsheet of commitments"),
        help_text=_("An .xlsx or .csv file with the columns of the export; at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )

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
        # Among the form's cycles: read once for the current one and the form's choices.
        current = form.fields["cycle"].queryset.current()
        if current:
            filters["cycle"] = current
    commitments = form.apply(for_dashboard(), filters)
    return form, filters, commitments
