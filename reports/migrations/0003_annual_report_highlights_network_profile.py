import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import reports.models


class Migration(migrations.Migration):

    dependencies = [
        ('commitments', '0021_handovers'),
        ('reports', '0002_report_as_signed_off'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='NetworkProfile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(default='International Gender Champions', max_length=200, verbose_name='network name')),
                ('logo', models.ImageField(blank=True, help_text='PNG or JPEG, at most 512 KB: shown on the cover of the network\'s reports.', max_length=200, upload_to=reports.models.logo_upload_to, validators=[django.core.validators.FileExtensionValidator(['png', 'jpg', 'jpeg']), reports.models.validate_logo_size], verbose_name='logo')),
            ],
            options={
                'verbose_name': 'network profile',
                'verbose_name_plural': 'network profile',
                'constraints': [models.CheckConstraint(condition=models.Q(('pk', 1)), name='reports_networkprofile_singleton')],
            },
        ),
        migrations.CreateModel(
            name='AnnualReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('foreword_en', models.TextField(blank=True, max_length=5000, verbose_name='foreword (English)')),
                ('foreword_fr', models.TextField(blank=True, max_length=5000, verbose_name='foreword (French)')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('cycle', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='annual_report', to='commitments.cycle', verbose_name='cycle')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by')),
            ],
            options={
                'verbose_name': 'annual report',
                'verbose_name_plural': 'annual reports',
                'ordering': ['-cycle__year'],
            },
        ),
        migrations.CreateModel(
            name='Highlight',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveSmallIntegerField(verbose_name='order')),
                ('annual_report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='highlights', to='reports.annualreport', verbose_name='annual report')),
                ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='highlights', to='reports.assessment', verbose_name='assessment')),
            ],
            options={
                'verbose_name': 'highlight',
                'verbose_name_plural': 'highlights',
                'ordering': ['order', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('annual_report', 'assessment'), name='reports_highlight_once')],
            },
        ),
    ]
