from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "团员与团干部"
