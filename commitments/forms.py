from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.models import Commitment, EventKind, TargetKind

# Which fields each kind of target uses; the others are cleared on save.
TARGET_FIELDS = {
    TargetKind.COUNT: {"target_value", "counts_kind"},
    TargetKind.PERCENTAGE: {"target_value"},
    TargetKind.MILESTONE: set(),
}


class CommitmentDraftForm(forms.ModelForm):
    """A champion's commitment as they draft it: what, how it is measured, and by when.

    The fields follow the kind of target, as the log form follows the kind of event: a count asks
    how many and of which kind of event, a percentage the share of women speakers, a milestone
    nothing more (static/js/commitment-form.js shows only those; the server ignores the others).
    """

    class Meta:
        model = Commitment
        fields = ["title", "description", "category", "target_kind", "target_value", "counts_kind", "due_on"]
        labels = {
            "title": _("Commitment"),
            "description": _("What you will do, and how you will know it is done"),
            "category": _("Theme"),
            "target_kind": _("How it is measured"),
            "target_value": _("Target"),
            "counts_kind": _("What counts toward it"),
            "due_on": _("Due by"),
        }
        help_texts = {
            "title": _("One sentence, for example: Hold quarterly town halls with women staff."),
            "target_kind": _(
                "A count of events (meetings, trainings...), the share of women speakers on panels you "
                "join, or a milestone reached once (a policy adopted)."
            ),
            "target_value": _("How many, for a count; the share of women in percent, for a percentage."),
            "counts_kind": _("For a count: which kind of progress event counts toward it."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            # Why the format: a date input takes ISO dates whatever the language.
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.instance.cycle = cycle
        self.fields["counts_kind"].choices = [("", _("Every kind of event")), *EventKind.choices]
        self.fields["target_value"].widget.attrs.update(min=1)
        self.fields["due_on"].widget.attrs.update(
            min=cycle.starts_on.isoformat(), max=cycle.ends_on.isoformat()
        )
        if not self.instance.pk and not self.initial.get("due_on"):
            self.initial["due_on"] = cycle.ends_on
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("The commitment"), "title", "description", "category"),
            Fieldset(
                _("How it is measured"),
                "target_kind",
                _kind_div("target_value"),
                _kind_div("counts_kind"),
                "due_on",
            ),
        )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("target_kind")
        if kind in TARGET_FIELDS:
            for name in {"target_value", "counts_kind"} - TARGET_FIELDS[kind]:
                # A field of another kind, left filled in before the kind changed: not saved.
                cleaned[name] = None if name == "target_value" else ""
                self.errors.pop(name, None)
        return cleaned


def _kind_div(field):
    kinds = " ".join(kind for kind, fields in TARGET_FIELDS.items() if field in fields)
    return Div(field, css_class="js-target-fields", data_kinds=kinds)


class ReturnForm(forms.Form):
    """The office sends a commitment back: what to change is required."""

    comment = forms.CharField(
        label=_("What to change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Say what to change: the comment goes to the champion.")},
    )
