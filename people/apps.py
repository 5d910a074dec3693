from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "团员与团干部"

    def ready(self):
        from . import export  # noqa: F401  registers the 团员名单 export kind with the export engine
