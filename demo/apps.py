from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo network and the benchmark's scale data: seeds every other app, and no app imports it."""

    name = "demo"
    verbose_name = "Demo data"
