from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "两制（团员教育评议、团籍注册）"

    def ready(self):
        from . import exports, services  # noqa: F401  registers the workflows with the engine, the export kind
