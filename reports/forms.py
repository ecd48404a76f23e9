from urllib.parse import urlencode

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from champions.models import Hub, Organization
from commitments.forms import CategoryChoiceField
from commitments.models import Category
from events.forms import EVIDENCE_SIGNATURES, WebLinkField, check_evidence_file
from reports.models import AnnualReport, Assessment, Highlight, Level


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
        self.fields["level"].choices = [
            (value, _("%(level)s (proposed)") % {"level": label} if value == self.proposed else label)
            for value, label in Level.choices
        ]
        if not self.instance.pk:
            self.initial.setdefault("level", self.proposed)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "level",
            "narrative",
            Fieldset(_("Evidence (optional)"), "evidence_file", "evidence_url"),
        )

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if not upload or upload == self.initial.get("evidence_file"):
            return upload
        return check_evidence_file(upload)


class RatingForm(forms.Form):
    """The office's own level of one commitment of a report, on the same scale, and its reason:
    one row of RatingFormSet. A level other than the champion's needs the reason."""

    office_level = forms.ChoiceField(
        label=_("Office rating"),
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the office's level.")},
    )
    office_comment = forms.CharField(
        label=_("Reason (shown to the champion once the report is reviewed)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, assessment, form_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        # Why the `form` attribute: each row sits with its commitment and evidence on the report's
        # page, outside the one <form> that saves them all (forms cannot nest).
        for field in self.fields.values():
            field.widget.attrs["form"] = form_id
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(InlineRadios("office_level"), "office_comment")

    def clean(self):
        cleaned = super().clean()
        level = cleaned.get("office_level")
        if level and level != self.assessment.level and not cleaned.get("office_comment", "").strip():
            self.add_error(
                "office_comment",
                _("Say why the office's rating differs from the self-assessment (%(level)s).")
                % {"level": self.assessment.get_level_display()},
            )
        return cleaned

    def has_changed(self):
        """A row not rated yet is saved even when its proposed values are kept."""
        return not self.assessment.office_level or super().has_changed()


class BaseRatingFormSet(forms.BaseFormSet):
    """The office rates a whole report in one form: a RatingForm per assessed commitment, in their
    order, each required. It has exactly that many rows, whatever counts are posted."""

    def __init__(self, *args, assessments, form_id, **kwargs):
        self.assessments, self.form_id = list(assessments), form_id
        kwargs["initial"] = [
            {"office_level": assessment.office_level or None, "office_comment": assessment.office_comment}
            for assessment in self.assessments
        ]
        super().__init__(*args, **kwargs)

    def total_form_count(self):
        return len(self.assessments)

    def initial_form_count(self):
        return len(self.assessments)

    def get_form_kwargs(self, index):
        return {"assessment": self.assessments[index], "form_id": self.form_id}


RatingFormSet = forms.formset_factory(RatingForm, formset=BaseRatingFormSet, extra=0)


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


class AsOfForm(forms.Form):
    """`?as_of=YYYY-MM-DD` of a report on `cycle`: a day from the cycle's start to today. Empty: today."""

    as_of = forms.DateField(
        required=False,
        label=_("As of"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"type": "date", "class": "form-control form-control-sm"}
        ),
        help_text=_("The report as it stood at the end of that day. Empty: today."),
    )

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.fields["as_of"].widget.attrs.update(
            min=cycle.starts_on.isoformat(), max=timezone.localdate().isoformat()
        )

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day is None:
            return None
        if day < self.cycle.starts_on:
            raise forms.ValidationError(
                _("The %(year)s cycle starts on %(start)s: a report as of an earlier day shows nothing.")
                % {"year": self.cycle.year, "start": date_format(self.cycle.starts_on)}
            )
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(
                _("A report as of a day to come cannot be known: choose a day up to today, %(today)s.")
                % {"today": date_format(today)}
            )
        # As of today is today's report: the history adds nothing to what is there now.
        return None if day == today else day


class ForewordForm(forms.ModelForm):
    """The office's foreword to a cycle's network report, in English and in French (either may be
    left empty: the reader then sees the other one)."""

    class Meta:
        model = AnnualReport
        fields = ["foreword_en", "foreword_fr"]
        widgets = {
            "foreword_en": forms.Textarea(attrs={"rows": 10, "maxlength": 5000, "lang": "en"}),
            "foreword_fr": forms.Textarea(attrs={"rows": 10, "maxlength": 5000, "lang": "fr"}),
        }
        help_texts = {
            "foreword_en": _("At most 5,000 characters; a blank line starts a new paragraph."),
            "foreword_fr": _("At most 5,000 characters; left empty, French readers see the English one."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


# The places the office may give its highlights: 1 is told first.
HIGHLIGHT_PLACES = 99


class HighlightsForm(forms.Form):
    """The office picks the narratives a cycle's report tells, and their order: a place (1 first)
    beside each narrative it may pick (AssessmentQuerySet.highlightable), empty for none. Two
    narratives cannot share a place."""

    def __init__(self, *args, candidates, picked, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for assessment in self.candidates:
            name = f"place_{assessment.pk}"
            self.fields[name] = forms.IntegerField(
                label=_("Place of %(champion)s's commitment %(number)s")
                % {
                    "champion": assessment.commitment.champion.full_name,
                    "number": assessment.commitment.number,
                },
                required=False,
                min_value=1,
                max_value=HIGHLIGHT_PLACES,
                initial=picked.get(assessment.pk),
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "size": 3}),
            )
            assessment.place_field = name

    def rows(self):
        """Each narrative with its place's bound field, picked ones first, in their order."""
        rows = [(assessment, self[assessment.place_field]) for assessment in self.candidates]
        return sorted(rows, key=lambda row: (row[1].value() in (None, ""), _place(row[1].value())))

    def clean(self):
        cleaned = super().clean()
        places = {}
        for assessment in self.candidates:
            place = cleaned.get(assessment.place_field)
            if place is None:
                continue
            if place in places:
                self.add_error(
                    assessment.place_field,
                    _("Place %(place)s is given twice: give each highlight its own place.")
                    % {"place": place},
                )
            places[place] = assessment
        self.places = places
        return cleaned

    def save(self, annual_report):
        """Replace the report's highlights with those picked, in their order (1, 2, 3...)."""
        annual_report.highlights.all().delete()
        Highlight.objects.bulk_create(
            Highlight(annual_report=annual_report, assessment=assessment, order=order)
            for order, (_given, assessment) in enumerate(sorted(self.places.items()), start=1)
        )
        return len(self.places)


def _place(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return HIGHLIGHT_PLACES + 1
