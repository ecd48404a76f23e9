from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = "Commitments"

    def ready(self):
        from commitments import sqlite_rules

        pre_migrate.connect(sqlite_rules.drop_triggers, sender=self)
        post_migrate.connect(sqlite_rules.create_triggers, sender=self)
