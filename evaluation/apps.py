from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "两制（团员教育评议、团籍注册）"

    def ready(self):
        from . import services  # noqa: F401  registers the 评议, 注册 and 申诉 workflows with the engine
