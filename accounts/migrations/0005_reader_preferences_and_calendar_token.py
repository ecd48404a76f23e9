import secrets

from django.db import migrations, models

import accounts.models


def give_each_account_a_calendar_token(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(calendar_token__isnull=True).only("pk"):
        user.calendar_token = secrets.token_urlsafe(32)
        user.save(update_fields=["calendar_token"])


def forget_the_old_default_language(apps, schema_editor):
    """English was every account's language by default, chosen or not: from now on an account has a
    language only once its owner chooses one (French ones were chosen, so they stay)."""
    apps.get_model("accounts", "User").objects.filter(language="en").update(language="")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_user_history_and_single_line_name'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicaluser',
            name='reminder_frequency',
            field=models.CharField(choices=[('daily', 'Daily: one email each morning'), ('weekly', 'Weekly: one email each Monday')], default='daily', help_text='Everything that needs your attention, in one email each morning or each Monday.', max_length=10, verbose_name='how often'),
        ),
        migrations.AddField(
            model_name='user',
            name='calendar_token',
            field=models.CharField(editable=False, help_text="The secret part of the address of the person's calendar feed.", max_length=64, null=True, verbose_name='calendar feed token'),
        ),
        migrations.AddField(
            model_name='user',
            name='last_seen_language',
            field=models.CharField(blank=True, editable=False, help_text='The language the site was shown in at the last visit: emails use it until a language is chosen.', max_length=10, verbose_name='language of the last visit'),
        ),
        migrations.AddField(
            model_name='user',
            name='reminder_frequency',
            field=models.CharField(choices=[('daily', 'Daily: one email each morning'), ('weekly', 'Weekly: one email each Monday')], default='daily', help_text='Everything that needs your attention, in one email each morning or each Monday.', max_length=10, verbose_name='how often'),
        ),
        migrations.AlterField(
            model_name='historicaluser',
            name='language',
            field=models.CharField(blank=True, choices=[('en', 'English'), ('fr', 'Français')], help_text="The language of the site and of your emails. Empty: your browser's.", max_length=10, verbose_name='language'),
        ),
        migrations.AlterField(
            model_name='user',
            name='language',
            field=models.CharField(blank=True, choices=[('en', 'English'), ('fr', 'Français')], help_text="The language of the site and of your emails. Empty: your browser's.", max_length=10, verbose_name='language'),
        ),
        migrations.RunPython(give_each_account_a_calendar_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="calendar_token",
            field=models.CharField(
                default=accounts.models.new_calendar_token,
                editable=False,
                help_text="The secret part of the address of the person's calendar feed.",
                max_length=64,
                unique=True,
                verbose_name="calendar feed token",
            ),
        ),
        migrations.RunPython(forget_the_old_default_language, migrations.RunPython.noop),
    ]
