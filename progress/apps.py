from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = "进度监督"

    def ready(self):
        from . import signals  # noqa: F401  connects the change trackers
