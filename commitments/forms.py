import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.text import match_key
from commitments.models import COMMENT_MAX_LENGTH, Category, Commitment, EventKind, TargetKind


class CategoryChoiceField(forms.ModelChoiceField):
    """A category for a filter: by its short name (what the page's links carry), or by its English
    or French label whatever the case and accents (what people type or bookmark)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", _("All categories"))
        kwargs.setdefault("label", _("Category"))
        super().__init__(Category.objects.all(), to_field_name="slug", required=False, **kwargs)

    def to_python(self, value):
        if value not in self.empty_values:
            by_label = self.queryset.by_label().get(match_key(value))
            if by_label is not None:
                return by_label
        return super().to_python(value)


# Which fields each kind of target uses; the others are cleared on save.
TARGET_FIELDS = {
    TargetKind.COUNT: {"target_value", "counts_kind"},
    TargetKind.PERCENTAGE: {"target_value"},
    TargetKind.INDICATOR: {"target_value", "baseline", "unit"},
    TargetKind.MILESTONE: set(),
}
KIND_FIELDS = {"target_value", "counts_kind", "baseline", "unit"}


class CommitmentDraftForm(forms.ModelForm):
    """A champion's commitment as they draft it: what, how it is measured, and by when.

    The fields follow the kind of target, as the log form follows the kind of event: a count asks
    how many and of which kind of event, a percentage the share of women speakers, an indicator the
    value at the start, the value to reach and its unit, a milestone nothing more
    (static/js/commitment-form.js shows only those; the server ignores the others).
    """

    class Meta:
        model = Commitment
        fields = [
            "text",
            "title",
            "categories",
            "description",
            "target_kind",
            "target_value",
            "baseline",
            "unit",
            "counts_kind",
            "due_on",
        ]
        labels = {
            "text": _("Commitment"),
            "title": _("Short title"),
            "categories": _("Categories"),
            "description": _("How you will know it is done"),
            "target_kind": _("How it is measured"),
            "target_value": _("Target"),
            "baseline": _("Value at the start"),
            "unit": _("Unit"),
            "counts_kind": _("What counts toward it"),
            "due_on": _("Due by"),
        }
        help_texts = {
            "text": _(
                "As you will publish it, up to 2,000 characters. Put parts a), b)... on lines of their own."
            ),
            "title": _("Shown in lists. Leave empty to use the commitment's first sentence."),
            "target_kind": _(
                "A count of events (meetings, trainings...), the share of women speakers on panels you "
                "join, a value you report (an indicator, e.g. women among senior staff, 28% to 40%), "
                "or a milestone reached once (a policy adopted)."
            ),
            "target_value": _(
                "How many, for a count; the share of women in percent, for a percentage; the value to "
                "reach, for an indicator."
            ),
            "unit": _("For an indicator: what the value measures, e.g. '% women at D-1 and above'."),
            "counts_kind": _("For a count: which kind of progress event counts toward it."),
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "categories": forms.CheckboxSelectMultiple,
            # Why the format: a date input takes ISO dates whatever the language.
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.instance.cycle = cycle
        offered = Category.objects.active()
        if self.instance.pk:  # a retired category stays on the commitments that have it
            offered = Category.objects.filter(Q(is_active=True) | Q(commitments=self.instance)).distinct()
        self.fields["categories"].queryset = offered
        self.fields["counts_kind"].choices = [("", _("Every kind of event")), *EventKind.choices]
        self.fields["target_value"].widget.attrs.update(step="any")
        self.fields["baseline"].widget.attrs.update(step="any")
        self.fields["due_on"].widget.attrs.update(
            min=cycle.starts_on.isoformat(), max=cycle.ends_on.isoformat()
        )
        if not self.instance.pk and not self.initial.get("due_on"):
            self.initial["due_on"] = cycle.ends_on
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("The commitment"), "text", "title", "categories", "description"),
            Fieldset(
                _("How it is measured"),
                "target_kind",
                _kind_div("baseline"),
                _kind_div("target_value"),
                _kind_div("unit"),
                _kind_div("counts_kind"),
                "due_on",
            ),
        )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("target_kind")
        if kind in TARGET_FIELDS:
            for name in KIND_FIELDS - TARGET_FIELDS[kind]:
                # A field of another kind, left filled in before the kind changed: not saved.
                cleaned[name] = None if name in ("target_value", "baseline") else ""
                setattr(self.instance, name, cleaned[name])
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


class CommentForm(forms.Form):
    """A comment on a commitment, for the other side to read; its key makes a second post of the
    same form post nothing more."""

    text = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=COMMENT_MAX_LENGTH,
        strip=True,
        error_messages={"required": _("Write the comment before sending it.")},
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4()
