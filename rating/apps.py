from django.apps import AppConfig


class RatingConfig(AppConfig):
    name = "rating"
    verbose_name = "对标定级"

    def ready(self):
        from . import exports, services  # noqa: F401  registers the 对标定级 export kind and the 复核 workflow
