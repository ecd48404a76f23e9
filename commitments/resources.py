"""Commitments in and out of spreadsheets (django-import-export), for admins and the office.

One row per commitment: the champion by the email they sign in with, the cycle by its year, then
the number and every field a commitment is set with, its status and its approval. Values are the
stored ones (e.g. "culture", "count"), so an exported file imports back unchanged: rows are
matched on (champion, cycle, number), an unchanged row is skipped, and nothing is duplicated.
New rows are approved unless the file says otherwise: commitments the office loads are approved.

Built for a whole network at once (10,000 rows): champions, cycles and existing commitments are
read once per import, not once per row; rows are validated in Python (Commitment.clean, and the
key's uniqueness within the file) rather than by one query per database constraint; and rows are
written in bulk with their history (django-simple-history), then their roll-ups recounted.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX
from import_export.instance_loaders import ModelInstanceLoader
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.validators import normalized_identifier
from champions.models import Champion
from commitments.models import Approval, Commitment, Cycle


class ExcelCSV(CSV):
    """CSV that Excel opens as UTF-8: with a byte-order mark (imports read it with or without)."""

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + super().export_data(dataset, **kwargs)


FORMATS = [ExcelCSV, XLSX]


class ChampionByEmail(widgets.ForeignKeyWidget):
    """A champion named by the email they sign in with, whatever its case; read once per import."""

    def __init__(self):
        super().__init__(Champion, "user__email")
        self.by_email = None

    def clean(self, value, row=None, **kwargs):
        email = normalized_identifier(str(value or "")).lower()
        if not email:
            raise ValueError(_("Name the champion by the email address they sign in with."))
        if self.by_email is None:
            self.by_email = {
                champion.user.email.lower(): champion
                for champion in Champion.objects.select_related("user").filter(user__isnull=False)
            }
        champion = self.by_email.get(email)
        if champion is None:
            raise ValueError(_("No champion signs in with %(email)s.") % {"email": email})
        return champion

    def render(self, value, obj=None, **kwargs):
        return value.user.email if value and value.user_id else ""


class CycleByYear(widgets.ForeignKeyWidget):
    """A cycle named by its year; read once per import."""

    def __init__(self):
        super().__init__(Cycle, "year")
        self.by_year = None

    def clean(self, value, row=None, **kwargs):
        if self.by_year is None:
            self.by_year = {cycle.year: cycle for cycle in Cycle.objects.all()}
        try:
            year = int(float(value))
        except (TypeError, ValueError):
            raise ValueError(_("Give the cycle as a year, for example 2027.")) from None
        if year not in self.by_year:
            raise ValueError(_("There is no %(year)s cycle: an admin creates it first.") % {"year": year})
        return self.by_year[year]

    def render(self, value, obj=None, **kwargs):
        return value.year if value else ""


class Day(widgets.DateWidget):
    """A date as YYYY-MM-DD; a spreadsheet's date cell (a datetime at midnight) reads as its day."""

    def __init__(self):
        super().__init__("%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row, **kwargs)
        return value.date() if isinstance(value, datetime.datetime) else value


class CommitmentLoader(ModelInstanceLoader):
    """Finds each row's commitment by (champion, cycle, number) among the commitments of the champions
    and cycles the file names, read in one query."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.existing = {
            (commitment.champion_id, commitment.cycle_id, commitment.number): commitment
            for commitment in Commitment.objects.select_related("champion__user", "cycle")
        }

    def get_instance(self, row):
        key = self.resource.key(row)
        return self.existing.get(key) if key else None


class CommitmentResource(resources.ModelResource):
    champion = fields.Field(attribute="champion", column_name="champion", widget=ChampionByEmail())
    cycle = fields.Field(attribute="cycle", column_name="cycle", widget=CycleByYear())
    due_on = fields.Field(attribute="due_on", column_name="due_on", widget=Day())

    class Meta:
        model = Commitment
        fields = (
            "champion",
            "cycle",
            "number",
            "title",
            "description",
            "category",
            "target_kind",
            "target_value",
            "counts_kind",
            "due_on",
            "status",
            "approval",
        )
        export_order = fields
        import_id_fields = ("champion", "cycle", "number")
        instance_loader_class = CommitmentLoader
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        use_bulk = True
        batch_size = 1000
        clean_model_instances = True
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.keys_seen = {}
        self.written = []

    def key(self, row):
        """The row's (champion, cycle, number), or None when a part of it does not read."""
        try:
            champion = self.fields["champion"].clean(row)
            cycle = self.fields["cycle"].clean(row)
            number = int(float(row.get("number")))
        except (ValueError, TypeError, ValidationError):
            return None
        return champion.pk, cycle.pk, number

    def get_export_queryset(self, request=None):
        return Commitment.objects.select_related("champion__user", "cycle").order_by(
            "cycle__year", "champion__full_name", "number"
        )

    def init_instance(self, row=None):
        # A new row is approved unless the file says otherwise (an empty cell keeps the default).
        return Commitment(approval=Approval.APPROVED)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "approval" and not row.get("approval"):
            return  # an empty approval cell: approved (new) or unchanged (existing)
        if field.attribute in ("description", "counts_kind") and row.get(field.column_name) is None:
            row[field.column_name] = ""  # an empty cell of a text field is empty text, not NULL
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Commitment.clean's rules, field by field, plus the key's uniqueness within the file.

        Why not full_clean's unique and constraint checks: each costs a query per row (10,000 rows,
        tens of thousands of queries); rows are matched to existing commitments by their key, so
        only the file itself can repeat one. The database's constraints still stand behind this.
        """
        errors = dict(import_validation_errors or {})
        try:
            # The champion and cycle were found by the widgets: no need to look them up again.
            exclude = [*errors, "champion", "cycle"]
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        key = (instance.champion_id, instance.cycle_id, instance.number)
        if None not in key:
            first = self.keys_seen.setdefault(key, id(instance))
            if first != id(instance):
                errors.setdefault("number", []).append(
                    _("Another row of this file has the same champion, cycle and number.")
                )
        if errors:
            raise ValidationError(errors)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances and (using_transactions or not dry_run):
            try:
                created = bulk_create_with_history(
                    self.create_instances, Commitment, batch_size=batch_size, default_user=self.user
                )
                self.written += [commitment.pk for commitment in created]
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and (using_transactions or not dry_run):
            try:
                bulk_update_with_history(
                    self.update_instances,
                    Commitment,
                    [name for name in self._meta.fields if name not in ("champion", "cycle", "number")],
                    batch_size=batch_size,
                    default_user=self.user,
                )
                self.written += [commitment.pk for commitment in self.update_instances]
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.update_instances.clear()

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        self.user = kwargs.get("user")
        return super().import_data(dataset, dry_run, raise_errors, use_transactions, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        """Written in bulk, the commitments sent no signals: recount their roll-ups (which counts
        events by their kind and cycle, and gives the office's figures a new version)."""
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run"):
            return
        if self.written and not result.has_errors() and not result.has_validation_errors():
            Commitment.objects.filter(pk__in=self.written).recount_rollups()
