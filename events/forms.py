import uuid
from pathlib import Path

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from commitments.models import EventKind, Status
from events.models import CheckIn, PanelOutcome, ProgressEvent, Scope, TaskForceRole

# The evidence types accepted, by extension, with the first bytes their content must start with.
# Why both: a name is easy to fake; the content check refuses an executable renamed to .pdf.
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word, Excel and PowerPoint before 2007
_ZIP = b"PK\x03\x04"  # .docx, .xlsx and .pptx are zip archives
EVIDENCE_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".doc": (_OLE,),
    ".docx": (_ZIP,),
    ".xls": (_OLE,),
    ".xlsx": (_ZIP,),
    ".ppt": (_OLE,),
    ".pptx": (_ZIP,),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}

# Which of the kind-dependent fields each kind of event uses; the others are cleared on save.
KIND_FIELDS = {
    EventKind.MEETING: {"scope", "location", "women_count", "men_count"},
    EventKind.PANEL: {
        "location",
        "women_count",
        "men_count",
        "pledge_asked",
        "panel_outcome",
        "outcome_reason",
    },
    EventKind.TRAINING: {"scope", "location", "women_count", "men_count", "audience"},
    EventKind.TASK_FORCE: {"task_force_role", "location", "women_count", "men_count"},
    EventKind.HIGH_LEVEL_EVENT: {"location", "women_count", "men_count"},
    EventKind.OTHER: {"scope", "location", "women_count", "men_count"},
}
KIND_DEPENDENT = set().union(*KIND_FIELDS.values())
CLEARED_VALUE = {"women_count": 0, "men_count": 0, "pledge_asked": None}


def kinds_using(field):
    return " ".join(kind for kind, fields in KIND_FIELDS.items() if field in fields)


class WebLinkField(forms.URLField):
    """A link to a web page: http or https only (no javascript:, ftp: or file: links)."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {"invalid": _("Enter a web link that starts with http:// or https://.")}

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", **kwargs)


class ProgressEventForm(forms.ModelForm):
    """Log or edit one progress event, with an optional status update for its commitment."""

    # Why the format: a date input takes ISO dates whatever the language (French would render 27/11/2026).
    occurred_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    women_count = forms.IntegerField(label=_("Women"), min_value=0, max_value=100000, initial=0)
    men_count = forms.IntegerField(label=_("Men"), min_value=0, max_value=100000, initial=0)
    pledge_asked = forms.TypedChoiceField(
        label=_("Were the Panel Parity Pledge questions put to the organisers?"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    evidence_url = WebLinkField(label=_("Evidence link"), required=False, max_length=500)
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    new_status = forms.ChoiceField(
        label=_("Update the commitment's status"),
        choices=[("", _("Keep the current status")), *Status.choices],
        required=False,
    )
    status_comment = forms.CharField(
        label=_("Comment on the status"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    log_anyway = forms.BooleanField(
        label=_("Log it anyway"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    class Meta:
        model = ProgressEvent
        fields = [
            "kind",
            "occurred_on",
            "title",
            "notes",
            "scope",
            "location",
            "women_count",
            "men_count",
            "pledge_asked",
            "panel_outcome",
            "outcome_reason",
            "audience",
            "task_force_role",
            "evidence_file",
            "evidence_url",
        ]
        labels = {
            "kind": _("What happened"),
            "title": _("Title"),
            "notes": _("Notes"),
            "scope": _("Where"),
            "location": _("Place"),
            "panel_outcome": _("Outcome"),
            "task_force_role": _("Your role"),
            "evidence_file": _("Evidence file"),
            "audience": _("Audience"),
        }
        help_texts = {
            "evidence_file": _("PDF, Word, Excel, PowerPoint, PNG or JPEG; at most 10 MB."),
            "title": _("For example: Town hall with women staff in Goma."),
            "scope": _("Meetings, trainings: at headquarters or in the field."),
            "audience": _("Trainings: who was trained, for example senior staff."),
            "task_force_role": _("Task-force meetings: did you co-chair or attend?"),
            "panel_outcome": _("Panels: balanced, accepted as an exception, or declined."),
            "outcome_reason": _("Panels accepted as an exception: why."),
        }
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "outcome_reason": forms.Textarea(attrs={"rows": 2}),
            "evidence_file": forms.FileInput(attrs={"accept": ",".join(EVIDENCE_SIGNATURES)}),
        }

    def __init__(self, *args, commitment, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        self.instance.commitment = commitment
        self.fields["kind"].choices = EventKind.choices
        self.fields["scope"].choices = [("", "—"), *Scope.choices]
        self.fields["panel_outcome"].choices = [("", "—"), *PanelOutcome.choices]
        self.fields["task_force_role"].choices = [("", "—"), *TaskForceRole.choices]
        if not self.instance.pk:
            self.fields["submission_key"].initial = uuid.uuid4()
        if self.instance.pk:
            self.fields["pledge_asked"].initial = {True: "yes", False: "no"}.get(
                self.instance.pledge_asked, ""
            )
        today = timezone.localdate()
        self.fields["occurred_on"].widget.attrs.update(
            min=commitment.cycle.starts_on.isoformat(), max=min(today, commitment.cycle.ends_on).isoformat()
        )
        self.fields["new_status"].initial = ""
        some_count_for_nothing = any(commitment.counts_for_nothing(kind) for kind in EventKind.values)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("The event"),
                "kind",
                # Shown when the kind chosen counts for nothing toward the commitment (clean(), and
                # live by static/js/event-form.js); not at all where every kind counts, or none does.
                *(
                    [Field("log_anyway", template="events/_kind_warning.html")]
                    if some_count_for_nothing
                    else []
                ),
                "occurred_on",
                "title",
                _kind_div("scope"),
                _kind_div("location"),
                _kind_div("audience"),
                _kind_div("task_force_role"),
            ),
            Fieldset(
                _("Who took part: speakers for a panel, participants otherwise"),
                Div(
                    Div("women_count", css_class="col-6"),
                    Div("men_count", css_class="col-6"),
                    css_class="row",
                ),
                css_class="js-kind-fields",
                data_kinds=kinds_using("women_count"),
                id="who-took-part",
            ),
            Fieldset(
                _("Panel parity"),
                "pledge_asked",
                "panel_outcome",
                "outcome_reason",
                css_class="js-kind-fields",
                data_kinds=kinds_using("panel_outcome"),
                id="panel-parity",
            ),
            Fieldset(_("Notes and evidence"), "notes", "evidence_file", "evidence_url"),
            Fieldset(_("Status"), "new_status", "status_comment"),
            "submission_key",
        )

    @property
    def kind_warning(self):
        """What the warning says of a kind that counts for nothing toward the commitment."""
        return _(
            "Only %(counted)s count toward this commitment (target: %(target)s). An event of another "
            "kind is kept with the commitment but adds nothing to its progress."
        ) % {"counted": self.commitment.counted_kinds_label, "target": self.commitment.target_label}

    @property
    def needs_correction(self):
        """Errors other than the question whether to log an event that counts for nothing."""
        return bool(set(self.errors) - {"log_anyway"})

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        cycle = self.commitment.cycle
        if day > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future: log events once they have happened."))
        if not cycle.contains(day):
            raise forms.ValidationError(
                _("Choose a date within the %(year)s cycle, from %(start)s to %(end)s.")
                % {
                    "year": cycle.year,
                    "start": date_format(cycle.starts_on, "DATE_FORMAT"),
                    "end": date_format(cycle.ends_on, "DATE_FORMAT"),
                }
            )
        return day

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if not upload or upload == self.initial.get("evidence_file"):
            return upload
        return check_evidence_file(upload)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind not in KIND_FIELDS:
            return cleaned
        kind_changed = not self.instance.pk or "kind" in self.changed_data
        if kind_changed and self.commitment.counts_for_nothing(kind) and not cleaned.get("log_anyway"):
            # Why before saving: logged under the wrong kind, an event moves "last progress" but
            # not progress, and nobody notices.
            self.add_error(
                "log_anyway",
                _(
                    "%(kind)s counts for nothing toward this commitment: choose another kind, or log it anyway."
                )
                % {"kind": EventKind(kind).label},
            )
        for name in KIND_DEPENDENT - KIND_FIELDS[kind]:
            # A field of another kind, left filled in before the kind changed: not saved.
            cleaned[name] = CLEARED_VALUE.get(name, "")
            self.errors.pop(name, None)
        if kind == EventKind.PANEL:
            if (
                "women_count" in cleaned
                and "men_count" in cleaned
                and not cleaned["women_count"] + cleaned["men_count"]
            ):
                self.add_error(
                    "women_count",
                    _("A panel needs at least one speaker: enter how many women and men spoke."),
                )
            if cleaned.get("panel_outcome") == PanelOutcome.EXCEPTION and not cleaned.get("outcome_reason"):
                self.add_error("outcome_reason", _("Say why the panel was accepted as an exception."))
        if (
            cleaned.get("new_status")
            and cleaned.get("new_status") == self.commitment.status
            and not cleaned.get("status_comment")
        ):
            cleaned["new_status"] = ""
        return cleaned


class StatusForm(forms.Form):
    """The champion's side changes a commitment's status on its own, with a comment for the history."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    comment = forms.CharField(
        label=_("Comment on the status"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class KeepStatusForm(forms.Form):
    """The champion's side keeps a status its measured progress contradicts, optionally saying why."""

    comment = forms.CharField(
        label=_("Why it stands (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class CheckInForm(forms.ModelForm):
    """Record or edit one value reported on an indicator commitment ("31% on 30 June")."""

    # Why the format: a date input takes ISO dates whatever the language (as on the log form).
    measured_on = forms.DateField(
        label=_("Date of the value"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    evidence_url = WebLinkField(label=_("Evidence link"), required=False, max_length=500)
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CheckIn
        fields = ["value", "measured_on", "comment", "evidence_file", "evidence_url"]
        labels = {
            "value": _("Value"),
            "comment": _("Comment"),
            "evidence_file": _("Evidence file"),
        }
        help_texts = {
            "comment": _("Where the figure comes from, or what moved it."),
            "evidence_file": _("PDF, Word, Excel, PowerPoint, PNG or JPEG; at most 10 MB."),
        }
        widgets = {
            "comment": forms.Textarea(attrs={"rows": 3}),
            "evidence_file": forms.FileInput(attrs={"accept": ",".join(EVIDENCE_SIGNATURES)}),
        }

    def __init__(self, *args, commitment, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        self.instance.commitment = commitment
        self.fields["value"].widget.attrs.update(step="any")
        self.fields["value"].help_text = _("Target: %(target)s.") % {"target": commitment.target_label}
        if not self.instance.pk:
            self.fields["submission_key"].initial = uuid.uuid4()
        today = timezone.localdate()
        self.fields["measured_on"].widget.attrs.update(
            min=commitment.cycle.starts_on.isoformat(), max=min(today, commitment.cycle.ends_on).isoformat()
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(
                Div("value", css_class="col-sm-6"),
                Div("measured_on", css_class="col-sm-6"),
                css_class="row",
            ),
            "comment",
            Fieldset(_("Evidence (optional)"), "evidence_file", "evidence_url"),
            "submission_key",
        )

    def clean_measured_on(self):
        day = self.cleaned_data["measured_on"]
        cycle = self.commitment.cycle
        if day > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future: report a value once it is known."))
        if not cycle.contains(day):
            raise forms.ValidationError(
                _("Choose a date within the %(year)s cycle, from %(start)s to %(end)s.")
                % {
                    "year": cycle.year,
                    "start": date_format(cycle.starts_on, "DATE_FORMAT"),
                    "end": date_format(cycle.ends_on, "DATE_FORMAT"),
                }
            )
        return day

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if not upload or upload == self.initial.get("evidence_file"):
            return upload
        return check_evidence_file(upload)


def check_evidence_file(upload):
    """An evidence file's type (by name and by content) and size, or a ValidationError saying what is
    wrong with it: the one check, for progress events and assessments."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in EVIDENCE_SIGNATURES:
        raise forms.ValidationError(
            _("This type of file is not accepted: upload a PDF, Word, Excel, PowerPoint, PNG or JPEG file.")
        )
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise forms.ValidationError(
            _("This file is %(size)s: evidence files may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
        )
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(EVIDENCE_SIGNATURES[suffix]):
        raise forms.ValidationError(
            _("This file's content is not a %(type)s file.") % {"type": suffix.lstrip(".").upper()}
        )
    return upload


def _kind_div(field):
    return Div(field, css_class="js-kind-fields", data_kinds=kinds_using(field))
