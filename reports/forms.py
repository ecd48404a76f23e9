from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from champions.models import Hub, Organization
from commitments.forms import CategoryChoiceField
from commitments.models import Category
from events.forms import EVIDENCE_SIGNATURES, WebLinkField, check_evidence_file
from reports.models import Assessment, Level


class AssessmentForm(forms.ModelForm):
    """A commitment's self-assessment: a level on the scale, the narrative, optionally evidence.

    The level measured progress suggests is proposed; choosing another is fine, with the reason in
    the narrative (Assessment.clean).
    """

    evidence_url = WebLinkField(label=_("Evidence link"), required=False, max_length=500)

    class Meta:
        model = Assessment
        fields = ["level", "narrative", "evidence_file", "evidence_url"]
        labels = {
            "level": _("How far was it achieved?"),
            "narrative": _("Narrative"),
            "evidence_file": _("Evidence file"),
        }
        help_texts = {
            "narrative": _(
                "What was done, what was not, and why; at most 2,000 characters. Needed unless complete, "
                "and when you choose another level than the one proposed."
            ),
            "evidence_file": _("PDF, Word, Excel, PowerPoint, PNG or JPEG; at most 10 MB."),
        }
        widgets = {
            "level": forms.RadioSelect,
            "narrative": forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
            "evidence_file": forms.FileInput(attrs={"accept": ",".join(EVIDENCE_SIGNATURES)}),
        }

    def __init__(self, *args, commitment, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        self.progress = commitment.progress_percent
        self.proposed = Level.proposed_for(self.progress)
        self.instance.commitment = commitment
        self.instance.proposed_level = self.proposed
        self.instance.measured_progress = self.progress
        self.fields["level"].choices = Level.choices
        if not self.instance.pk:
            self.initial.setdefault("level", self.proposed)

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if not upload or upload == self.initial.get("evidence_file"):
            return upload
        return check_evidence_file(upload)


class RatingForm(forms.Form):
    """The office's own level on the same scale, and its comment."""

    office_level = forms.ChoiceField(
        label=_("Office rating"), choices=Level.choices, widget=forms.RadioSelect
    )
    office_comment = forms.CharField(
        label=_("Comment (shown to the champion once the report is reviewed)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class NoteForm(forms.Form):
    """A required note: why a report is reopened, how a difference was resolved."""

    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Write a note: it is kept with the report.")},
    )


class NetworkReportFilterForm(forms.Form):
    """The network report's filters: the dashboard's hub, organization and category, by the same names
    and values in the query string (a dashboard view's filters carry over to its report)."""

    hub = forms.ModelChoiceField(
        Hub.objects.order_by("name"), required=False, empty_label=_("All hubs"), label=_("Hub")
    )
    organization = forms.ModelChoiceField(
        Organization.objects.order_by("name"),
        required=False,
        empty_label=_("All organizations"),
        label=_("Organization"),
    )
    category = CategoryChoiceField()
    LOOKUPS = {"hub": "champion__hub", "organization": "champion__organization", "category": "categories"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def load_choices(self):
        """Read the hubs and organizations once, for a form that is shown (a ModelChoiceField would
        query each time it is rendered)."""
        for name in ("hub", "organization"):
            field = self.fields[name]
            field.choices = [("", field.empty_label)] + [(item.pk, str(item)) for item in field.queryset]

    def filters(self):
        """The valid filters; an unknown value is ignored (and named in `ignored`)."""
        self.is_valid()
        self.ignored = sorted(self.errors)
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def apply(self, commitments, filters):
        return commitments.filter(**{self.LOOKUPS[name]: value for name, value in filters.items()})

    @staticmethod
    def query_string(filters):
        """The filters as a query string, for the PDF, the CSV and the dashboard's pages."""
        return urlencode(
            {name: value.slug if isinstance(value, Category) else value.pk for name, value in filters.items()}
        )

    @staticmethod
    def described(filters):
        """The filters in words, for the report's header: ["Hub: Geneva", ...]."""
        labels = {"hub": _("Hub"), "organization": _("Organization"), "category": _("Category")}
        return [f"{labels[name]}: {value}" for name, value in filters.items()]
