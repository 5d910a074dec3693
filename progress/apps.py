from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = "进度监督"

    def ready(self):
        from core.scheduler import register_job

        from . import exports, signals  # noqa: F401  registers the 录入进度 export kind; connects the change trackers
        from .aggregates import stats_backlog_run

        register_job("progress_backlog", stats_backlog_run)  # refreshes whose after-commit run failed

        from people.selectors import MemberAggregates, use_member_aggregates

        from .selectors import member_branch_holding, subtree_member_figures

        # the 下级团员 list counts and pages a subtree's members from the aggregates (people sits below progress)
        use_member_aggregates(MemberAggregates(figures=subtree_member_figures, branch_holding=member_branch_holding))
