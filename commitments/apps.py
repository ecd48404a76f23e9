from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete, pre_migrate


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = "Commitments"

    def ready(self):
        from champions.models import Champion, Hub, Organization, Pledge, PledgeSignature
        from commitments import data_version, rollups, sqlite_rules
        from commitments.models import Commitment, Cycle

        pre_migrate.connect(sqlite_rules.drop_triggers, sender=self)
        # A deleted commitment's months leave its cycle's totals (CycleMonth; see rollups.py).
        pre_delete.connect(
            rollups.take_away_months, sender=Commitment, dispatch_uid="rollups.take_away_months"
        )
        post_migrate.connect(sqlite_rules.create_triggers, sender=self)
        # What the office's figures are read from: a save or delete of any of these replaces the
        # data version (see data_version.py); so does a migrate.
        for model in (Hub, Organization, Champion, Pledge, PledgeSignature, Cycle, Commitment):
            post_save.connect(
                data_version.on_save_or_delete, sender=model, dispatch_uid=f"data_version.save.{model}"
            )
            post_delete.connect(
                data_version.on_save_or_delete, sender=model, dispatch_uid=f"data_version.delete.{model}"
            )
        post_migrate.connect(data_version.on_save_or_delete, sender=self, dispatch_uid="data_version.migrate")
