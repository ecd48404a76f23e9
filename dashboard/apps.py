from django.apps import AppConfig, apps
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Chief-of-staff office dashboard"

    def ready(self):
        from dashboard import cache

        connection_created.connect(cache.install, dispatch_uid="dashboard.cache.install")
        # Sent per app with models (this one has none): once per migrate, by the commitments app.
        post_migrate.connect(
            cache.schema_changed,
            sender=apps.get_app_config("commitments"),
            dispatch_uid="dashboard.cache.migrate",
        )
