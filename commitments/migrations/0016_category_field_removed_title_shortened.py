"""The former fixed category field goes (the categories are data now, 0015); titles are at most
200 characters (the text as published holds the rest); the target rules take the indicator in."""

import django.db.models.functions.comparison
from django.db import migrations, models

import accounts.validators


class Migration(migrations.Migration):
    dependencies = [("commitments", "0015_categories_and_texts_filled_in")]

    operations = [
        migrations.AlterField(
            model_name='commitment',
            name='title',
            field=models.CharField(blank=True, help_text="Shown in lists. Empty: the text's first sentence.", max_length=200, validators=[accounts.validators.SingleLineTextValidator()], verbose_name='short title'),
        ),
        migrations.AlterField(
            model_name='historicalcommitment',
            name='title',
            field=models.CharField(blank=True, help_text="Shown in lists. Empty: the text's first sentence.", max_length=200, validators=[accounts.validators.SingleLineTextValidator()], verbose_name='short title'),
        ),
        migrations.RemoveConstraint(
            model_name='commitment',
            name='commitments_commitment_category_valid',
        ),
        migrations.RemoveField(
            model_name='commitment',
            name='category',
        ),
        migrations.RemoveField(
            model_name='historicalcommitment',
            name='category',
        ),
        migrations.AddConstraint(
            model_name='commitment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('target_kind', 'count'), ('target_value__gte', 1), ('target_value__isnull', False)), models.Q(('target_kind', 'percentage'), ('target_value__gte', 1), ('target_value__isnull', False), ('target_value__lte', 100)), models.Q(('target_kind', 'indicator'), ('target_value__isnull', False), models.Q(('target_value', django.db.models.functions.comparison.Coalesce(models.F('baseline'), models.Value(0), output_field=models.DecimalField())), _negated=True)), ('target_kind', 'milestone'), _connector='OR'), name='commitments_commitment_target_fits_kind', violation_error_message='A count target needs a value of at least 1; a percentage target a value from 1 to 100; an indicator a target other than its baseline.'),
        ),
        migrations.AddConstraint(
            model_name='commitment',
            constraint=models.CheckConstraint(condition=models.Q(('target_kind__in', ['count', 'percentage', 'indicator', 'milestone'])), name='commitments_commitment_target_kind_valid'),
        ),
    ]
